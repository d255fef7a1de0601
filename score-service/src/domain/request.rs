//! What a score request may ask for, and who it is for.

use aval_errors::FieldCode;

/// Model ids that mean the platform's default scorecard (Claro's `score` header may be empty).
const DEFAULT_MODEL_ALIASES: [&str; 2] = ["", "default"];
/// Longest partner customer id (Claro's `X-CustomerID`).
const MAX_CUSTOMER_ID_CHARS: usize = 128;
/// Largest batch of profiles one upsert may carry.
pub const MAX_PROFILES_PER_UPSERT: usize = 1_000;

/// Which model a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelChoice {
    /// The tenant's default: no model named, or one of the default's aliases.
    Default,
    /// A model by id: its active version, or the version after `@` (`credit@3`).
    Named { id: String, version: Option<i32> },
}

impl ModelChoice {
    pub fn parse(model: Option<&str>) -> Self {
        match model.map(str::trim) {
            None => Self::Default,
            Some(name) if DEFAULT_MODEL_ALIASES.contains(&name) => Self::Default,
            Some(name) => match name.rsplit_once('@') {
                Some((id, version)) if !id.is_empty() => match version.parse::<i32>() {
                    Ok(v) if v > 0 => Self::Named {
                        id: id.to_owned(),
                        version: Some(v),
                    },
                    // `id@latest` is no version: nothing is found by it.
                    _ => Self::Named {
                        id: name.to_owned(),
                        version: None,
                    },
                },
                _ => Self::Named {
                    id: name.to_owned(),
                    version: None,
                },
            },
        }
    }

    /// As the caller wrote it, for errors.
    pub fn label(&self) -> String {
        match self {
            Self::Default => "default".to_owned(),
            Self::Named { id, version: None } => id.clone(),
            Self::Named {
                id,
                version: Some(v),
            } => format!("{id}@{v}"),
        }
    }
}

/// The partner's own id for its customer, kept in the access log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerId(String);

impl CustomerId {
    /// Absent is empty; longer than 128 characters is refused.
    pub fn parse(input: Option<&str>) -> Result<Self, (FieldCode, String)> {
        let input = input.unwrap_or_default();
        if input.chars().count() > MAX_CUSTOMER_ID_CHARS {
            return Err((
                FieldCode::TooLong,
                format!("at most {MAX_CUSTOMER_ID_CHARS} characters"),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a score is delivered: what the access log records, and whether it is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A partner asked for a consumer's score: billed, and the token needs `score:read`.
    ConsumerScore,
    /// analysis-service scores the people in a credit proposal (a company's partners, a
    /// person and their guarantors) on the partner's behalf: part of the analysis the partner
    /// asked (and is billed) for, so neither billed nor scoped apart. Logged before natural
    /// persons as `legal_person_analysis`, which the access log keeps as written.
    CreditAnalysis,
    /// The tenant disclosed the CPF's data to the consumer (their right): free, but logged, so
    /// the disclosure is on the record like any look at the data.
    ConsumerDisclosure,
}

impl Purpose {
    pub fn is_billed(self) -> bool {
        self == Self::ConsumerScore
    }

    /// The purpose as the access log (and the consumer's disclosure) names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConsumerScore => "consumer_score",
            Self::CreditAnalysis => "credit_analysis",
            Self::ConsumerDisclosure => "consumer_disclosure",
        }
    }
}

/// The scope a partner's token needs to read scores.
pub const SCORE_READ: &str = "score:read";
/// The scope a partner's token needs to report what became of the credit granted on an
/// answer (its lending systems, as `analysis:write` does for analyses).
pub const SCORE_WRITE: &str = "score:write";
/// The scope a partner's token needs for the performance report (its analysts, as
/// `analysis:review` does for analyses).
pub const SCORE_REVIEW: &str = "score:review";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_model_has_aliases() {
        assert_eq!(ModelChoice::parse(None), ModelChoice::Default);
        assert_eq!(ModelChoice::parse(Some("")), ModelChoice::Default);
        assert_eq!(ModelChoice::parse(Some("default")), ModelChoice::Default);
        assert_eq!(
            ModelChoice::parse(Some("aval-default")),
            ModelChoice::Named {
                id: "aval-default".into(),
                version: None
            }
        );
    }

    #[test]
    fn a_version_follows_the_at_sign() {
        let named = |id: &str, version| ModelChoice::Named {
            id: id.into(),
            version,
        };
        assert_eq!(
            ModelChoice::parse(Some("credit@3")),
            named("credit", Some(3))
        );
        assert_eq!(ModelChoice::parse(Some(" credit ")), named("credit", None));
        // Not a version: the whole text is the id, which no model has.
        assert_eq!(
            ModelChoice::parse(Some("credit@0")),
            named("credit@0", None)
        );
        assert_eq!(
            ModelChoice::parse(Some("credit@latest")),
            named("credit@latest", None)
        );
        assert_eq!(ModelChoice::parse(Some("@2")), named("@2", None));
        assert_eq!(named("credit", Some(3)).label(), "credit@3");
    }

    #[test]
    fn customer_ids_are_bounded() {
        assert_eq!(CustomerId::parse(None).map(|c| c.0), Ok(String::new()));
        assert!(CustomerId::parse(Some(&"é".repeat(128))).is_ok());
        assert_eq!(
            CustomerId::parse(Some(&"x".repeat(129))).map_err(|e| e.0),
            Err(FieldCode::TooLong)
        );
    }

    #[test]
    fn only_partners_own_scores_are_billed_and_scoped() {
        assert!(Purpose::ConsumerScore.is_billed());
        assert!(!Purpose::CreditAnalysis.is_billed());
    }
}
