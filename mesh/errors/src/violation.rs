use crate::{FieldCode, FieldPath};

/// One invalid field: its JSON path (`shareholders[0].document_number`), a stable code and a
/// message for people.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldViolation {
    pub field: String,
    pub code: FieldCode,
    pub message: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, code: FieldCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// A violation of the value at `path`.
    pub fn at(path: &FieldPath, code: FieldCode, message: impl Into<String>) -> Self {
        Self::new(path, code, message)
    }
}
