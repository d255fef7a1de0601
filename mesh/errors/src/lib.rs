//! Aval's stable error codes, declared once (hyperswitch's `ApiErrorResponse`, Google AIP-193):
//!
//! - [`ErrorCode`]: what went wrong with a request as a whole, with its HTTP status;
//! - [`FieldCode`]: what is wrong with one field, in the envelope's `details`;
//! - [`OAuthError`]: the token endpoint's own small set (RFC 6749 §5.2), which OAuth2
//!   libraries parse;
//! - [`FieldPath`]: the JSON path a [`FieldViolation`] names, built one way everywhere;
//! - [`Violations`]: every invalid field of a request collected, whatever refused it.
//!
//! Services put these codes in gRPC error details; the gateway renders them in its JSON
//! envelope. No code is written as a string literal anywhere else; the README's table is
//! checked against [`ErrorCode::ALL`].

mod codes;
mod path;
mod violation;
mod violations;

pub use codes::{ErrorCode, FieldCode, OAuthError};
pub use path::FieldPath;
pub use violation::FieldViolation;
pub use violations::{Refusal, Violations};
