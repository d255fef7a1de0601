//! What partners see when an upstream fails: its stable code and documented HTTP status in the
//! envelope, its field violations in `details`, and nothing of Aval's internals on a 5xx.

use crate::helpers::{Detail, json_score, spawn_gateway};
use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use aval_testkit::TestResult;
use aval_transport::status::{invalid_argument, status};
use axum::http::StatusCode;
use tonic::Status;

/// What a 5xx caused by an upstream failure says instead of the upstream's message.
const INTERNAL: &str = "internal error";
const RETRY: &str = "a service is temporarily unavailable; retry later";
/// Text only an upstream's internals would contain.
const SECRET: &str = "pg://billing:hunter2@10.0.0.7:5432";

#[tokio::test]
async fn every_error_code_from_an_upstream_keeps_its_documented_status_and_code() -> TestResult {
    let gateway = spawn_gateway().await?;

    for &code in ErrorCode::ALL {
        let message = format!("{code} happened");
        gateway.fakes.score.fails_with(status(code, &message));

        let answer = gateway.send(json_score()).await?;

        let error = answer.envelope()?;
        if code == ErrorCode::MeshAccessDenied {
            // The mesh refusing the gateway is Aval's mistake: a plain 500.
            assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(error.code, "INTERNAL");
        } else {
            assert_eq!(answer.status.as_u16(), code.http_status(), "{code}");
            assert_eq!(error.code, code.as_str());
        }
        if code.http_status() < 500 {
            assert_eq!(error.message, message, "{code}");
        }
        assert!(error.details.is_empty(), "{code}");
    }
    assert_eq!(gateway.fakes.score.received().len(), ErrorCode::ALL.len());
    Ok(())
}

#[tokio::test]
async fn the_codes_the_readme_documents_answer_with_the_documented_status() -> TestResult {
    let gateway = spawn_gateway().await?;
    let documented = [
        (ErrorCode::InvalidDocument, 400, "INVALID_DOCUMENT"),
        (ErrorCode::InvalidArgument, 400, "INVALID_ARGUMENT"),
        (ErrorCode::InvalidBody, 400, "INVALID_BODY"),
        (ErrorCode::Unauthenticated, 401, "UNAUTHENTICATED"),
        (ErrorCode::PermissionDenied, 403, "PERMISSION_DENIED"),
        (ErrorCode::CpfNotFound, 404, "CPF_NOT_FOUND"),
        (ErrorCode::ModelNotFound, 404, "MODEL_NOT_FOUND"),
        (ErrorCode::NotFound, 404, "NOT_FOUND"),
        (ErrorCode::ProposalConflict, 409, "PROPOSAL_CONFLICT"),
        (ErrorCode::QuotaExceeded, 429, "QUOTA_EXCEEDED"),
    ];

    for (code, http, text) in documented {
        gateway.fakes.score.fails_with(status(code, "refused"));

        let answer = gateway.send(json_score()).await?;

        assert_eq!(answer.status.as_u16(), http, "{text}");
        assert_eq!(answer.envelope()?.code, text);
    }
    Ok(())
}

#[tokio::test]
async fn mesh_access_denied_is_an_internal_error_that_names_no_rpc() -> TestResult {
    let gateway = spawn_gateway().await?;
    gateway.fakes.score.fails_with(status(
        ErrorCode::MeshAccessDenied,
        "`gateway` may not call /aval.score.v1.ScoreService/UpsertProfiles",
    ));

    let answer = gateway.send(json_score()).await?;

    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    let error = answer.envelope()?;
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("INTERNAL", INTERNAL)
    );
    assert!(!answer.text()?.contains("aval."), "{:?}", answer.text());
    Ok(())
}

#[tokio::test]
async fn statuses_without_a_code_map_by_their_grpc_code() -> TestResult {
    let gateway = spawn_gateway().await?;
    let cases = [
        (Status::invalid_argument("bad"), 400, "INVALID_ARGUMENT"),
        (Status::out_of_range("bad"), 400, "INVALID_ARGUMENT"),
        (
            Status::unauthenticated("the token has expired"),
            401,
            "UNAUTHENTICATED",
        ),
        (
            Status::permission_denied("no scope"),
            403,
            "PERMISSION_DENIED",
        ),
        (Status::not_found("nothing"), 404, "NOT_FOUND"),
        (Status::already_exists("twice"), 409, "ALREADY_EXISTS"),
        (Status::aborted("raced"), 409, "ALREADY_EXISTS"),
        (
            Status::failed_precondition("state"),
            422,
            "FAILED_PRECONDITION",
        ),
        (
            Status::resource_exhausted("too big"),
            429,
            "RESOURCE_EXHAUSTED",
        ),
        (Status::cancelled("gone"), 499, "CANCELLED"),
        (Status::unimplemented(""), 501, "NOT_IMPLEMENTED"),
        (Status::unavailable("down"), 503, "UNAVAILABLE"),
        (Status::deadline_exceeded("slow"), 504, "DEADLINE_EXCEEDED"),
        (Status::internal("boom"), 500, "INTERNAL"),
        (Status::unknown("what"), 500, "INTERNAL"),
        (Status::data_loss("lost"), 500, "INTERNAL"),
    ];

    for (upstream, http, code) in cases {
        let grpc = upstream.code();
        gateway.fakes.score.fails_with(upstream);

        let answer = gateway.send(json_score()).await?;

        assert_eq!(answer.status.as_u16(), http, "{grpc:?}");
        assert_eq!(answer.envelope()?.code, code, "{grpc:?}");
    }
    Ok(())
}

#[tokio::test]
async fn field_violations_travel_into_details() -> TestResult {
    let gateway = spawn_gateway().await?;
    gateway.fakes.score.fails_with(invalid_argument(
        ErrorCode::InvalidDocument,
        "the document is not a valid CPF",
        &[
            FieldViolation::new(
                "document",
                FieldCode::InvalidCheckDigits,
                "the check digits do not match",
            ),
            FieldViolation::new("model", FieldCode::TooLong, "at most 64 characters"),
        ],
    ));

    let answer = gateway.send(json_score()).await?;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let error = answer.envelope()?;
    assert_eq!(error.code, "INVALID_DOCUMENT");
    assert_eq!(error.message, "the document is not a valid CPF");
    assert_eq!(
        error.details,
        [
            Detail::new(
                "document",
                "INVALID_CHECK_DIGITS",
                "the check digits do not match"
            ),
            Detail::new("model", "TOO_LONG", "at most 64 characters"),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn server_errors_never_show_upstream_internals() -> TestResult {
    let gateway = spawn_gateway().await?;
    let cases = [
        (Status::internal(SECRET), 500, "INTERNAL", INTERNAL),
        (Status::unknown(SECRET), 500, "INTERNAL", INTERNAL),
        (Status::data_loss(SECRET), 500, "INTERNAL", INTERNAL),
        (
            status(ErrorCode::Internal, SECRET),
            500,
            "INTERNAL",
            INTERNAL,
        ),
        (
            status(ErrorCode::MeshAccessDenied, SECRET),
            500,
            "INTERNAL",
            INTERNAL,
        ),
        (Status::unavailable(SECRET), 503, "UNAVAILABLE", RETRY),
        (
            status(ErrorCode::Unavailable, SECRET),
            503,
            "UNAVAILABLE",
            RETRY,
        ),
        (
            status(ErrorCode::ScoresUnavailable, SECRET),
            503,
            "SCORES_UNAVAILABLE",
            RETRY,
        ),
        (
            Status::deadline_exceeded(SECRET),
            504,
            "DEADLINE_EXCEEDED",
            RETRY,
        ),
    ];

    for (upstream, http, code, message) in cases {
        gateway.fakes.score.fails_with(upstream);

        let answer = gateway.send(json_score()).await?;

        assert_eq!(answer.status.as_u16(), http, "{code}");
        let error = answer.envelope()?;
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            (code, message)
        );
        assert!(!answer.text()?.contains("hunter2"), "{:?}", answer.text());
    }
    Ok(())
}

#[tokio::test]
async fn not_implemented_never_shows_upstream_internals() -> TestResult {
    let gateway = spawn_gateway().await?;
    gateway
        .fakes
        .score
        .fails_with(Status::unimplemented(SECRET));

    let answer = gateway.send(json_score()).await?;

    assert_eq!(answer.status, StatusCode::NOT_IMPLEMENTED);
    assert!(!answer.text()?.contains("hunter2"), "{:?}", answer.text());
    Ok(())
}

#[tokio::test]
async fn an_unreachable_upstream_is_503_without_transport_details() -> TestResult {
    let gateway = crate::helpers::spawn_gateway_with_down(crate::helpers::Service::Score).await?;

    let answer = gateway.send(json_score()).await?;

    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    let error = answer.envelope()?;
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("UNAVAILABLE", RETRY)
    );
    assert!(!answer.text()?.contains("127.0.0.1"), "{:?}", answer.text());
    Ok(())
}
