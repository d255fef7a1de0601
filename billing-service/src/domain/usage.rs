//! Usage events: one per delivered answer, identified so a retry is never counted twice.

use chrono::{DateTime, Utc};

/// What was delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Product {
    ConsumerScore,
    LegalPersonAnalysis,
}

impl Product {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConsumerScore => "consumer_score",
            Self::LegalPersonAnalysis => "legal_person_analysis",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "consumer_score" => Some(Self::ConsumerScore),
            "legal_person_analysis" => Some(Self::LegalPersonAnalysis),
            _ => None,
        }
    }
}

/// A delivered answer, as billing records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageEvent {
    pub event_id: String,
    pub tenant_id: String,
    pub product: Product,
    pub occurred_at: DateTime<Utc>,
    /// Answers from sandbox (test) credentials are recorded but never billed.
    pub sandbox: bool,
}

impl UsageEvent {
    /// The day reports group by (Brasília time).
    pub fn day(&self) -> String {
        aval_mesh::time::billing_day(self.occurred_at)
            .format("%Y-%m-%d")
            .to_string()
    }
}
