//! The credit vocabulary every service speaks: Brazilian document numbers (CPF, CNPJ), masked
//! by type so logs never hold a whole one, the 0..1000 score scale (PDO scaling) that
//! consumer and company scores share, what lenders report became of the credit
//! ([`outcome`]), and how decisions performed given those reports ([`performance`]).

pub mod brasilia;
mod cnpj;
mod cpf;
pub mod outcome;
pub mod performance;
mod scale;

pub use cnpj::Cnpj;
pub use cpf::Cpf;
pub use scale::ScoreScale;

use aval_errors::FieldCode;

/// Why a document number was refused; `code()` is the stable API error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("must have {expected} characters after removing the mask, found {found}")]
    Length { expected: usize, found: usize },
    #[error("contains a character that is not allowed")]
    Character,
    #[error("all digits are the same")]
    Repeated,
    #[error("check digits do not match")]
    CheckDigits,
}

impl DocumentError {
    pub fn code(self) -> FieldCode {
        match self {
            Self::Length { .. } => FieldCode::InvalidLength,
            Self::Character => FieldCode::InvalidCharacter,
            Self::Repeated => FieldCode::RepeatedDigits,
            Self::CheckDigits => FieldCode::InvalidCheckDigits,
        }
    }
}

/// Removes the usual mask characters (`.`, `-`, `/`, spaces).
fn unmask(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '/' | ' '))
        .collect()
}

/// A mod-11 check digit over `values` with `weights` (remainder < 2 → 0, else 11 − remainder).
fn check_digit(values: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(weights).map(|(v, w)| v * w).sum();
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}
