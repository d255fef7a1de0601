//! `POST /oauth2/v1/token`: the OAuth2 client credentials grant (RFC 6749 §4.4), with the
//! client authenticated by HTTP Basic in `Authorization` or `x-client-auth` (or, per RFC 6749
//! §2.3.1, `client_id`/`client_secret` in the form). Errors follow RFC 6749 §5.2
//! (`{"error": "invalid_client", "error_description": …}`), the one exception to the error
//! envelope, because OAuth2 client libraries parse exactly that.

use crate::{
    AppState, credentials,
    extract::{RequestId, upstream_request},
};
use aval_errors::OAuthError;
use aval_proto::auth::v1::{IssueTokenRequest, auth_service_client::AuthServiceClient};
use axum::{
    Form, Json,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Serialize)]
struct TokenBody {
    access_token: String,
    token_type: String,
    expires_in: i64,
    scope: String,
}

#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
    request_id: &'a str,
}

fn oauth_error(
    status: StatusCode,
    error: OAuthError,
    description: &str,
    request_id: &str,
) -> Response {
    let mut response = (
        status,
        Json(OAuthErrorBody {
            error: error.as_str(),
            error_description: description,
            request_id,
        }),
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"aval\""),
        );
    }
    response
}

pub async fn issue(
    State(state): State<AppState>,
    RequestId(request_id): RequestId,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            OAuthError::InvalidRequest,
            "the body must be application/x-www-form-urlencoded",
            &request_id,
        );
    };
    let credentials = match credentials::basic(&headers) {
        Ok(Some(pair)) => Some(pair),
        Ok(None) => form.client_id.clone().zip(form.client_secret.clone()),
        Err(credentials::MalformedBasic) => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                OAuthError::InvalidClient,
                "malformed Basic credentials",
                &request_id,
            );
        }
    };
    let Some((client_id, client_secret)) = credentials else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            OAuthError::InvalidClient,
            "client authentication is required (HTTP Basic in Authorization or x-client-auth)",
            &request_id,
        );
    };
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                OAuthError::UnsupportedGrantType,
                "only grant_type=client_credentials is supported",
                &request_id,
            );
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                OAuthError::InvalidRequest,
                "grant_type is required",
                &request_id,
            );
        }
    }
    let message = IssueTokenRequest {
        client_id,
        client_secret,
        scope: form.scope.unwrap_or_default(),
    };
    let answer = AuthServiceClient::new(state.upstreams.auth.channel.clone())
        .issue_token(upstream_request(message, None, &request_id))
        .await;
    match answer {
        Ok(token) => {
            let token = token.into_inner();
            let mut response = Json(TokenBody {
                access_token: token.access_token,
                token_type: token.token_type,
                expires_in: token.expires_in,
                scope: token.scope,
            })
            .into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(status) => match aval_transport::status::reason(&status)
            .as_deref()
            .and_then(OAuthError::parse)
        {
            Some(OAuthError::InvalidClient) => oauth_error(
                StatusCode::UNAUTHORIZED,
                OAuthError::InvalidClient,
                "client authentication failed",
                &request_id,
            ),
            Some(OAuthError::InvalidScope) => oauth_error(
                StatusCode::BAD_REQUEST,
                OAuthError::InvalidScope,
                "the requested scope is not granted to this client",
                &request_id,
            ),
            _ => {
                let error = crate::error::ApiError::from(status);
                oauth_error(
                    error.status(),
                    OAuthError::ServerError,
                    &error.message,
                    &request_id,
                )
            }
        },
    }
}
