//! The scorecard: a model defined as data (features, bins, points, a reason code per feature).
//! score = base + Σ points of each feature's bin, clamped to 0..=1000; the probability of
//! default comes from the score scale. The reasons are the features that lost the most points
//! against their best bin, ordered by that loss (Lei 12.414 art. 5 IV: the main elements).

use super::band::RiskBand;
use super::profile::ConsumerProfile;
use aval_credit::ScoreScale;
use serde::Deserialize;

/// How many reasons an answer gives.
pub const MAX_REASONS: usize = 4;

/// What a scorecard may read. Closed on purpose: a model naming anything else (sex, origin,
/// health, beliefs — Lei 12.414 art. 7-A) does not even parse.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    MonthsAsCustomer,
    OnTimePaymentRatio,
    #[serde(rename = "late_payments_12m")]
    LatePayments12m,
    AverageMonthlySpendCents,
    ActiveLines,
    HasBankAccount,
}

impl Feature {
    #[allow(clippy::cast_precision_loss)]
    fn value(self, profile: &ConsumerProfile) -> f64 {
        match self {
            Self::MonthsAsCustomer => f64::from(profile.months_as_customer),
            Self::OnTimePaymentRatio => profile.on_time_payment_ratio,
            Self::LatePayments12m => f64::from(profile.late_payments_12m),
            Self::AverageMonthlySpendCents => profile.average_monthly_spend_cents as f64,
            Self::ActiveLines => f64::from(profile.active_lines),
            Self::HasBankAccount => f64::from(u8::from(profile.has_bank_account)),
        }
    }
}

/// Values below `below` fall in this bin; the last bin has no bound.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bin {
    pub below: Option<f64>,
    pub points: i32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeatureScore {
    pub feature: Feature,
    pub reason_code: String,
    pub reason: String,
    pub bins: Vec<Bin>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scorecard {
    pub id: String,
    pub version: i32,
    pub base_points: i32,
    pub scale: ScoreScale,
    pub features: Vec<FeatureScore>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model does not parse: {0}")]
    Parse(#[from] serde_json::Error),
    #[error("feature `{0:?}`: bins must rise and end with one unbounded bin")]
    Bins(Feature),
}

/// One reason behind a score.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    pub code: String,
    pub description: String,
    /// Points lost against the feature's best bin.
    pub impact: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScoreResult {
    pub score: u32,
    pub probability_of_default: f64,
    pub band: RiskBand,
    pub reasons: Vec<Reason>,
}

impl Scorecard {
    /// The platform's default model.
    pub fn default_model() -> Result<Self, ModelError> {
        Self::from_json(include_str!("default_scorecard.json"))
    }

    pub fn from_json(json: &str) -> Result<Self, ModelError> {
        let model: Self = serde_json::from_str(json)?;
        for feature in &model.features {
            let bounds: Vec<Option<f64>> = feature.bins.iter().map(|b| b.below).collect();
            let (Some(None), bounded) = (bounds.last(), &bounds[..bounds.len().saturating_sub(1)])
            else {
                return Err(ModelError::Bins(feature.feature));
            };
            let rising =
                bounded.iter().all(Option::is_some) && bounded.windows(2).all(|w| w[0] < w[1]);
            if !rising {
                return Err(ModelError::Bins(feature.feature));
            }
        }
        Ok(model)
    }

    pub fn score(&self, profile: &ConsumerProfile) -> ScoreResult {
        let mut total = self.base_points;
        let mut reasons = Vec::new();
        for feature in &self.features {
            let value = feature.feature.value(profile);
            let bin = feature
                .bins
                .iter()
                .find(|b| b.below.is_none_or(|below| value < below));
            let points = bin.map_or(0, |b| b.points);
            let best = feature.bins.iter().map(|b| b.points).max().unwrap_or(0);
            total += points;
            if best > points {
                reasons.push(Reason {
                    code: feature.reason_code.clone(),
                    description: feature.reason.clone(),
                    impact: f64::from(best - points),
                });
            }
        }
        // Largest loss first; the model's feature order breaks ties (stable sort).
        reasons.sort_by(|a, b| b.impact.total_cmp(&a.impact));
        reasons.truncate(MAX_REASONS);
        let score = u32::try_from(total.clamp(0, 1000)).unwrap_or(0);
        ScoreResult {
            score,
            probability_of_default: self.scale.probability_of_default(score),
            band: RiskBand::of(score),
            reasons,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_best_profile_scores_high_with_no_reasons() {
        let model = Scorecard::default_model().unwrap();
        let result = model.score(&ConsumerProfile::sample(0.99, 0, 120, 150_000, 3, true));
        assert_eq!(result.score, 940);
        assert_eq!(result.band, RiskBand::VeryLow);
        assert!(result.reasons.is_empty());
        assert!(result.probability_of_default < 0.02);
    }

    #[test]
    fn the_worst_profile_scores_low_and_reasons_are_ordered_by_impact() {
        let model = Scorecard::default_model().unwrap();
        let result = model.score(&ConsumerProfile::sample(0.3, 9, 2, 1_000, 0, false));
        assert_eq!(result.score, 220);
        assert_eq!(result.band, RiskBand::VeryHigh);
        let codes: Vec<&str> = result.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "LATE_PAYMENT_HISTORY",
                "RECENT_DELINQUENCY",
                "SHORT_RELATIONSHIP",
                "LOW_SPEND"
            ]
        );
        assert!(
            result
                .reasons
                .windows(2)
                .all(|w| w[0].impact >= w[1].impact)
        );
    }

    #[test]
    fn consumers_without_a_bank_account_are_scored_from_behaviour() {
        let model = Scorecard::default_model().unwrap();
        let result = model.score(&ConsumerProfile::sample(0.97, 0, 80, 30_000, 2, false));
        assert_eq!(result.score, 870);
        assert_eq!(
            result.reasons.first().map(|r| r.code.as_str()),
            Some("NO_BANK_ACCOUNT")
        );
    }

    #[test]
    fn models_reading_forbidden_data_or_with_broken_bins_are_refused() {
        let forbidden = r#"{"id":"x","version":1,"base_points":0,
            "scale":{"pdo":80,"reference_score":700,"reference_odds":19},
            "features":[{"feature":"gender","reason_code":"G","reason":"g","bins":[{"points":0}]}]}"#;
        assert!(matches!(
            Scorecard::from_json(forbidden),
            Err(ModelError::Parse(_))
        ));
        let unbounded_middle = r#"{"id":"x","version":1,"base_points":0,
            "scale":{"pdo":80,"reference_score":700,"reference_odds":19},
            "features":[{"feature":"active_lines","reason_code":"A","reason":"a",
              "bins":[{"points":0},{"below":2,"points":1}]}]}"#;
        assert!(matches!(
            Scorecard::from_json(unbounded_middle),
            Err(ModelError::Bins(_))
        ));
    }

    proptest! {
        #[test]
        fn scores_stay_in_range_and_paying_on_time_never_lowers_the_score(
            ratio in 0.0f64..=1.0, extra in 0.0f64..=1.0, late in 0u32..30, months in 0u32..400,
            spend in 0i64..10_000_000, lines in 0u32..10, bank: bool,
        ) {
            let model = Scorecard::default_model().unwrap();
            let base = model.score(&ConsumerProfile::sample(ratio, late, months, spend, lines, bank));
            prop_assert!(base.score <= 1000);
            prop_assert!(base.reasons.len() <= MAX_REASONS);
            let better = model.score(&ConsumerProfile::sample((ratio + extra).min(1.0), late, months, spend, lines, bank));
            prop_assert!(better.score >= base.score);
        }
    }
}
