//! A failed call, told to the operator: the stable code (and the gRPC code when ours is finer),
//! the message, every field violation, and a hint when the cause is usually on this side (the
//! service not running, an older one).

use super::connect::{Service, ServiceConnection};
use aval_transport::status::{error_code, field_violations};
use tonic::{Code, Status};

/// `what` (e.g. "publishing the model") failed with `status` from the service at `to`.
pub fn rpc_error(what: &str, to: &ServiceConnection, status: &Status) -> anyhow::Error {
    anyhow::anyhow!("{}", describe(what, to.service, &to.url, status))
}

fn describe(what: &str, service: Service, url: &str, status: &Status) -> String {
    let name = service.identity();
    let mut text = match status.code() {
        Code::Unavailable if aval_transport::status::reason(status).is_none() => format!(
            "{what} failed: cannot reach {name} at {url}: {} (is `aval dev` running? \
             {} says where {name} listens)",
            status.message(),
            service.url_var()
        ),
        Code::Unimplemented => format!(
            "{what} failed: {name} at {url} does not offer it yet ({}): is it older than \
             this aval?",
            status.message()
        ),
        _ => {
            let code = error_code(status);
            let grpc = grpc_name(status.code());
            let grpc = if grpc == code.as_str() {
                String::new()
            } else {
                format!(" (gRPC {grpc})")
            };
            format!(
                "{what} failed: {}{grpc}: {}",
                code.as_str(),
                status.message()
            )
        }
    };
    for violation in field_violations(status) {
        text.push_str(&format!(
            "\n  {}: {} {}",
            violation.field,
            violation.code.as_str(),
            violation.message
        ));
    }
    text
}

/// The gRPC code's canonical name, as the gRPC specification spells it (`NOT_FOUND`).
fn grpc_name(code: Code) -> String {
    let mut name = String::new();
    for (i, c) in format!("{code:?}").char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_errors::{ErrorCode, FieldCode, FieldViolation};

    #[test]
    fn codes_and_field_violations_are_spelled_out() {
        let status = aval_transport::status::invalid_argument(
            ErrorCode::InvalidArgument,
            "the model does not load",
            &[FieldViolation::new(
                "document",
                FieldCode::InvalidFormat,
                "line 3: no Scorecard",
            )],
        );
        let text = describe(
            "publishing the model",
            Service::Score,
            "https://h:1",
            &status,
        );
        assert_eq!(
            text,
            "publishing the model failed: INVALID_ARGUMENT: the model does not load\n  \
             document: INVALID_FORMAT line 3: no Scorecard"
        );
    }

    #[test]
    fn an_unreachable_service_gets_a_hint() {
        let text = describe(
            "listing models",
            Service::Score,
            "https://127.0.0.1:9",
            &Status::unavailable("tcp connect error"),
        );
        assert!(text.contains("cannot reach score-service at https://127.0.0.1:9"));
        assert!(text.contains("aval dev"));
        let text = describe(
            "creating tenant acme",
            Service::Auth,
            "https://127.0.0.1:9",
            &Status::unavailable("tcp connect error"),
        );
        assert!(
            text.contains("cannot reach auth-service at https://127.0.0.1:9"),
            "{text}"
        );
        assert!(text.contains("AVAL_AUTH_URL says where auth-service listens"));
    }

    #[test]
    fn the_grpc_code_is_named_when_our_code_says_something_else() {
        let duplicate = aval_transport::status::status(ErrorCode::AlreadyExists, "tenant exists");
        assert_eq!(
            describe(
                "creating tenant acme",
                Service::Auth,
                "https://h:1",
                &duplicate
            ),
            "creating tenant acme failed: ALREADY_EXISTS: tenant exists"
        );
        let quota = aval_transport::status::status(ErrorCode::QuotaExceeded, "plan used up");
        assert_eq!(
            describe("scoring", Service::Score, "https://h:1", &quota),
            "scoring failed: QUOTA_EXCEEDED (gRPC RESOURCE_EXHAUSTED): plan used up"
        );
    }

    #[test]
    fn grpc_codes_have_their_canonical_names() {
        assert_eq!(grpc_name(Code::Ok), "OK");
        assert_eq!(grpc_name(Code::NotFound), "NOT_FOUND");
        assert_eq!(grpc_name(Code::InvalidArgument), "INVALID_ARGUMENT");
        assert_eq!(grpc_name(Code::Unauthenticated), "UNAUTHENTICATED");
    }
}
