//! The consumer's rights (Lei 12.414 art. 5 II, IV, VI and §3; LGPD art. 20), as features a
//! tenant offers its consumers: a disclosure of what is known and said about a CPF, and a
//! review by a person of an automated decision.

use super::band::RiskBand;
use super::model::{ModelScore, feature::FeatureCatalog};
use aval_credit::Cpf;
use aval_errors::{FieldCode, FieldViolation};
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

/// The scope a token needs to disclose a CPF's data and to open or read review requests: what
/// the tenant's consumer-facing channel holds.
pub const CONSUMER_RIGHTS: &str = "consumer:rights";
/// The scope the tenant's analysts hold to list and answer review requests.
pub const CONSUMER_REVIEWS: &str = "consumer:reviews";

/// How far back a disclosure lists who consulted the CPF (Lei 12.414: six months).
pub const CONSULTATION_WINDOW: Months = Months::new(6);
/// Longest reason, note or analyst id.
pub const MAX_TEXT_CHARS: usize = 2_000;
pub const MAX_ANALYST_CHARS: usize = 128;

/// The start of the consultation window that ends `now`.
pub fn consultations_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(CONSULTATION_WINDOW).unwrap_or(now)
}

/// One factor behind a score, in plain Portuguese.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    pub code: String,
    pub description: String,
    /// Points it cost (lowered) or earned (raised).
    pub points: f64,
}

/// The score part of a disclosure: the score, and what lowered and what raised it.
#[derive(Clone, Debug, PartialEq)]
pub struct DisclosedScore {
    pub score: u32,
    pub probability_of_default: f64,
    pub band: RiskBand,
    pub model_id: String,
    pub model_version: i32,
    pub lowered_by: Vec<Factor>,
    pub raised_by: Vec<Factor>,
}

impl DisclosedScore {
    /// Explains `scored` in plain words: a reason the model describes keeps its words; a
    /// strength names the feature behind it by its display name.
    pub fn explain(
        model_id: &str,
        model_version: i32,
        scored: ModelScore,
        catalog: &FeatureCatalog,
    ) -> Self {
        let lowered_by = scored
            .reasons
            .into_iter()
            .map(|r| Factor {
                description: match r.description {
                    Some(words) => format!("{words}: reduziu a sua pontuação"),
                    None => format!("Motivo {}: reduziu a sua pontuação", r.code),
                },
                code: r.code,
                points: r.points,
            })
            .collect();
        let raised_by = scored
            .strengths
            .into_iter()
            .map(|s| Factor {
                description: match &s.feature {
                    Some(feature) => {
                        format!(
                            "{}: contou a favor da sua pontuação",
                            catalog.label(feature)
                        )
                    }
                    None => format!("Motivo {}: contou a favor da sua pontuação", s.code),
                },
                code: s.code,
                points: s.points,
            })
            .collect();
        Self {
            score: scored.score,
            probability_of_default: scored.probability_of_default,
            band: scored.band,
            model_id: model_id.to_owned(),
            model_version,
            lowered_by,
            raised_by,
        }
    }
}

/// A kind of data a score used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataCategory {
    pub feature: String,
    pub description: String,
    /// `platform` (the bureau's shared data) or `tenant` (data the tenant loaded).
    pub source: &'static str,
}

impl DataCategory {
    /// The categories of the features a model reads: a feature the tenant declared is its
    /// own data; any other is the platform's.
    pub fn of(features: &[String], platform: &FeatureCatalog, own: &FeatureCatalog) -> Vec<Self> {
        features
            .iter()
            .map(|feature| {
                let (catalog, source) = if own.get(feature).is_some() {
                    (own, "tenant")
                } else {
                    (platform, "platform")
                };
                Self {
                    feature: feature.clone(),
                    description: catalog.label(feature).to_owned(),
                    source,
                }
            })
            .collect()
    }
}

/// Someone who consulted the CPF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consultation {
    pub tenant_id: String,
    /// A [`Purpose`](super::request::Purpose) as the access log names it (`credit_analysis` was
    /// `legal_person_analysis` before natural persons; rows keep what was written).
    pub purpose: String,
    pub consulted_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Disclosure {
    pub score: Option<DisclosedScore>,
    pub categories: Vec<DataCategory>,
    pub consultations: Vec<Consultation>,
    pub disclosed_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Open,
    Answered,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Open, Self::Answered]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// The automated decision stands.
    Upheld,
    /// A person changed the decision.
    Revised,
}

impl ReviewOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::Revised => "revised",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Upheld, Self::Revised]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One step of a review request: who moved it to which status, when, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEvent {
    pub status: ReviewStatus,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub note: String,
}

/// A consumer's request that a person review an automated decision (LGPD art. 20; Lei 12.414
/// art. 5 VI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRequest {
    pub id: String,
    pub tenant_id: String,
    pub cpf: Cpf,
    pub answer_id: Option<String>,
    pub reason: String,
    pub status: ReviewStatus,
    pub outcome: Option<ReviewOutcome>,
    pub events: Vec<ReviewEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a review request cannot move.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the review request is already {}", .0.as_str())]
pub struct AlreadyAnswered(pub ReviewStatus);

impl ReviewRequest {
    /// A new, open request, opened by `actor` (the partner's client).
    pub fn open(
        tenant_id: &str,
        cpf: Cpf,
        answer_id: Option<String>,
        reason: String,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            tenant_id: tenant_id.to_owned(),
            cpf,
            answer_id,
            reason: reason.clone(),
            status: ReviewStatus::Open,
            outcome: None,
            events: vec![ReviewEvent {
                status: ReviewStatus::Open,
                at: now,
                actor: actor.to_owned(),
                note: reason,
            }],
            created_at: now,
            updated_at: now,
        }
    }

    /// An analyst's answer: only an open request can be answered, once.
    pub fn answer(
        &mut self,
        outcome: ReviewOutcome,
        analyst: &str,
        note: String,
        now: DateTime<Utc>,
    ) -> Result<(), AlreadyAnswered> {
        if self.status != ReviewStatus::Open {
            return Err(AlreadyAnswered(self.status));
        }
        self.status = ReviewStatus::Answered;
        self.outcome = Some(outcome);
        self.updated_at = now;
        self.events.push(ReviewEvent {
            status: ReviewStatus::Answered,
            at: now,
            actor: analyst.to_owned(),
            note,
        });
        Ok(())
    }
}

/// A required text of at most `max` characters, trimmed.
pub fn required_text(
    field: &str,
    text: &str,
    max: usize,
    violations: &mut Vec<FieldViolation>,
) -> String {
    let text = text.trim();
    if text.is_empty() {
        violations.push(FieldViolation::new(field, FieldCode::Required, "required"));
    } else if text.chars().count() > max {
        violations.push(FieldViolation::new(
            field,
            FieldCode::TooLong,
            format!("at most {max} characters"),
        ));
    }
    text.to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::model::{Reason, Strength};

    fn cpf() -> Cpf {
        Cpf::parse("52998224725").unwrap()
    }

    #[test]
    fn a_review_request_is_answered_once_and_every_step_is_kept() {
        let opened = Utc::now();
        let mut request = ReviewRequest::open(
            "acme",
            cpf(),
            None,
            "Paguei tudo em dia".into(),
            "acme-app",
            opened,
        );
        assert_eq!(request.status, ReviewStatus::Open);
        let answered = opened + chrono::Duration::minutes(5);
        request
            .answer(ReviewOutcome::Revised, "ana", "Conferido".into(), answered)
            .unwrap();
        assert_eq!(request.outcome, Some(ReviewOutcome::Revised));
        assert_eq!(
            request
                .events
                .iter()
                .map(|e| (e.status, e.at, e.actor.as_str()))
                .collect::<Vec<_>>(),
            [
                (ReviewStatus::Open, opened, "acme-app"),
                (ReviewStatus::Answered, answered, "ana")
            ]
        );
        assert_eq!(
            request.answer(ReviewOutcome::Upheld, "bia", String::new(), answered),
            Err(AlreadyAnswered(ReviewStatus::Answered))
        );
        assert_eq!(request.events.len(), 2);
    }

    #[test]
    fn a_disclosure_says_what_lowered_and_what_raised_the_score() {
        let scored = ModelScore {
            points: 700.0,
            score: 700,
            probability_of_default: 0.05,
            band: RiskBand::Low,
            reasons: vec![Reason {
                code: "LATE".into(),
                description: Some("Atrasos recentes".into()),
                points: 50.0,
            }],
            strengths: vec![
                Strength {
                    code: "PAY".into(),
                    feature: Some("on_time_payment_ratio".into()),
                    points: 230.0,
                },
                Strength {
                    code: "RC9".into(),
                    feature: None,
                    points: 10.0,
                },
            ],
        };
        let disclosed = DisclosedScore::explain("m", 1, scored, &FeatureCatalog::platform());
        assert_eq!(
            disclosed.lowered_by[0].description,
            "Atrasos recentes: reduziu a sua pontuação"
        );
        assert_eq!(
            disclosed.raised_by[0].description,
            "Contas pagas em dia: contou a favor da sua pontuação"
        );
        assert_eq!(
            disclosed.raised_by[1].description,
            "Motivo RC9: contou a favor da sua pontuação"
        );
    }

    #[test]
    fn six_months_back_and_texts_are_bounded() {
        let now = "2026-11-24T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            consultations_since(now),
            "2026-05-24T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let mut violations = Vec::new();
        required_text("reason", "  ", 10, &mut violations);
        required_text("note", &"x".repeat(11), 10, &mut violations);
        assert_eq!(
            violations.iter().map(|v| v.code).collect::<Vec<_>>(),
            [FieldCode::Required, FieldCode::TooLong]
        );
    }
}
