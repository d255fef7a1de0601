use aval_credit::DocumentError;
use aval_errors::{FieldCode, Refusal};

/// Why one value of a proposal was refused. `code()` is the stable API error code; the
/// `Display` text is the message shown next to the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("is required")]
    Required,
    #[error("must have at most {max} characters")]
    TooLong { max: usize },
    #[error("must have at most {max} items")]
    TooMany { max: usize },
    #[error("{0}")]
    OutOfRange(String),
    #[error("must be {0}")]
    Format(&'static str),
    #[error("must be an e-mail address such as name@example.com.br")]
    Email,
    #[error("must be one of: {allowed}")]
    Enum { allowed: String },
    #[error("must be {expected}")]
    Date { expected: &'static str },
    #[error("must not be in the future")]
    InFuture,
    #[error("is not a valid CPF: {0}")]
    Cpf(DocumentError),
    #[error("is not a valid CNPJ: {0}")]
    Cnpj(DocumentError),
}

impl Invalid {
    /// The stable SCREAMING_SNAKE code partners match on.
    pub fn code(&self) -> FieldCode {
        match self {
            Self::Required => FieldCode::Required,
            Self::TooLong { .. } => FieldCode::TooLong,
            Self::TooMany { .. } => FieldCode::TooMany,
            Self::OutOfRange(_) => FieldCode::OutOfRange,
            Self::Format(_) => FieldCode::InvalidFormat,
            Self::Email => FieldCode::InvalidEmail,
            Self::Enum { .. } => FieldCode::InvalidEnum,
            Self::Date { .. } => FieldCode::InvalidDate,
            Self::InFuture => FieldCode::DateInFuture,
            Self::Cpf(_) => FieldCode::InvalidCpf,
            Self::Cnpj(_) => FieldCode::InvalidCnpj,
        }
    }

    /// A value outside its allowed range, with the rule it broke.
    pub fn out_of_range(rule: impl Into<String>) -> Self {
        Self::OutOfRange(rule.into())
    }
}

impl Refusal for Invalid {
    fn code(&self) -> FieldCode {
        Invalid::code(self)
    }

    fn message(&self) -> String {
        self.to_string()
    }
}
