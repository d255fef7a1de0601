//! score-service's rules: the consumer's data, the models (the platform's default and those
//! tenants publish) that turn it into a 0..1000 score, a probability of default, a band and
//! the reasons behind it, what a request may ask for, what each answer keeps for audit, and
//! what lenders report became of the credit granted on it.

pub mod answer;
pub mod band;
pub mod model;
pub mod outcome;
pub mod profile;
pub mod registry;
pub mod request;
pub mod rights;

use aval_credit::Cpf;
use chrono::{DateTime, Utc};

/// One delivered score, as the per-CPF access log keeps it: who asked, why, and what they got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessLogEntry {
    pub answer_id: String,
    pub tenant_id: String,
    pub client_id: String,
    pub cpf: Cpf,
    pub customer_id: String,
    pub purpose: request::Purpose,
    pub model_id: String,
    pub model_version: i32,
    pub score: u32,
    pub request_id: String,
    pub created_at: DateTime<Utc>,
}

/// Whose profiles an upsert writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileOwner {
    /// The platform's shared behavioural data, which every tenant may score from.
    Shared,
    Tenant(String),
}
