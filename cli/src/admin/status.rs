//! A failed call, told to the operator: the stable code, the message, every field violation,
//! and a hint when the cause is usually on this side (score-service not running, an older one).

use aval_transport::status::{error_code, field_violations};
use tonic::{Code, Status};

/// `what` (e.g. "publishing the model") failed with `status` from score-service at `url`.
pub fn rpc_error(what: &str, url: &str, status: &Status) -> anyhow::Error {
    anyhow::anyhow!("{}", describe(what, url, status))
}

fn describe(what: &str, url: &str, status: &Status) -> String {
    let code = error_code(status);
    let mut text = match status.code() {
        Code::Unavailable if aval_transport::status::reason(status).is_none() => format!(
            "{what} failed: cannot reach score-service at {url}: {} (is `aval dev` running? \
             AVAL_SCORE_URL says where score-service listens)",
            status.message()
        ),
        Code::Unimplemented => format!(
            "{what} failed: score-service at {url} does not offer it yet ({}): is it older than \
             this aval?",
            status.message()
        ),
        _ => format!("{what} failed: {}: {}", code.as_str(), status.message()),
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
        let text = describe("publishing the model", "https://h:1", &status);
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
            "https://127.0.0.1:9",
            &Status::unavailable("tcp connect error"),
        );
        assert!(text.contains("cannot reach score-service at https://127.0.0.1:9"));
        assert!(text.contains("aval dev"));
    }
}
