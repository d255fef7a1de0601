//! Credentials in request headers. Partners send them in `Authorization` (RFC 6750 / RFC 7617)
//! or, following the Claro convention, in `x-client-auth`, with the same syntax.

use axum::http::HeaderMap;
use base64::{Engine, engine::general_purpose::STANDARD};

/// The Claro header that may carry `Basic …` or `Bearer …` instead of `Authorization`.
pub const X_CLIENT_AUTH: &str = "x-client-auth";

fn credential<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    [axum::http::header::AUTHORIZATION.as_str(), X_CLIENT_AUTH]
        .iter()
        .filter_map(|name| headers.get(*name)?.to_str().ok())
        .find_map(|value| {
            let (given, rest) = value.trim().split_once(' ')?;
            given.eq_ignore_ascii_case(scheme).then(|| rest.trim())
        })
}

/// The bearer token, from `Authorization` or `x-client-auth`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    credential(headers, "bearer").filter(|t| !t.is_empty())
}

/// A Basic credential that is not `base64(id:secret)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed Basic credentials")]
pub struct MalformedBasic;

/// Client id and secret from HTTP Basic in `Authorization` or `x-client-auth`.
pub fn basic(headers: &HeaderMap) -> Result<Option<(String, String)>, MalformedBasic> {
    let Some(encoded) = credential(headers, "basic") else {
        return Ok(None);
    };
    let decoded = STANDARD.decode(encoded).map_err(|_| MalformedBasic)?;
    let text = String::from_utf8(decoded).map_err(|_| MalformedBasic)?;
    let (id, secret) = text.split_once(':').ok_or(MalformedBasic)?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_both_headers_and_both_schemes() {
        let mut headers = HeaderMap::new();
        headers.insert(
            X_CLIENT_AUTH,
            HeaderValue::from_static("Basic aWQ6c2VjcmV0"),
        );
        assert_eq!(basic(&headers), Ok(Some(("id".into(), "secret".into()))));
        assert_eq!(bearer(&headers), None);

        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static("bearer abc.def.ghi"),
        );
        assert_eq!(bearer(&headers), Some("abc.def.ghi"));

        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Basic !!!"));
        assert_eq!(basic(&headers), Err(MalformedBasic));
    }
}
