//! The 0..1000 score scale (higher = lower risk).
//!
//! Scores scale log-odds by "points to double the odds" (PDO): factor = PDO / ln 2,
//! score = offset + factor · ln(odds good:bad), with the offset chosen so that a reference score
//! has reference odds. The default calibration follows a Brazilian bureau's published bands
//! (defaulters per 100 in 6 months: > 718: 2–5, 619–717: 6–12, 526–618: 15–23, 375–525: 28–43,
//! < 375: ~93): 700 points at odds 19:1 (5 % default), doubling every 80 points.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreScale {
    pub pdo: f64,
    pub reference_score: f64,
    pub reference_odds: f64,
}

impl Default for ScoreScale {
    fn default() -> Self {
        Self {
            pdo: 80.0,
            reference_score: 700.0,
            reference_odds: 19.0,
        }
    }
}

impl ScoreScale {
    fn factor(&self) -> f64 {
        self.pdo / std::f64::consts::LN_2
    }

    fn offset(&self) -> f64 {
        self.reference_score - self.factor() * self.reference_odds.ln()
    }

    /// The probability of default a score stands for.
    pub fn probability_of_default(&self, score: u32) -> f64 {
        let ln_odds = (f64::from(score) - self.offset()) / self.factor();
        1.0 / (1.0 + ln_odds.exp())
    }

    /// The score, clamped to 0..=1000, of a probability of default.
    pub fn score_for_probability(&self, probability_of_default: f64) -> u32 {
        let p = probability_of_default.clamp(1e-9, 1.0 - 1e-9);
        let score = self.offset() + self.factor() * ((1.0 - p) / p).ln();
        // Clamped to 0..=1000 first, so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let score = score.round().clamp(0.0, 1000.0) as u32;
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_reference_point_holds() {
        let scale = ScoreScale::default();
        let pd = scale.probability_of_default(700);
        assert!((pd - 0.05).abs() < 1e-9, "{pd}");
        // 80 points more doubles the odds: 38:1.
        let pd = scale.probability_of_default(780);
        assert!((pd - 1.0 / 39.0).abs() < 1e-9, "{pd}");
    }

    #[test]
    fn mid_band_default_rates_match_the_bureau() {
        let scale = ScoreScale::default();
        // Mid-band default probabilities sit near the published rates.
        assert!((0.02..=0.06).contains(&scale.probability_of_default(750)));
        assert!((0.05..=0.13).contains(&scale.probability_of_default(660)));
        assert!((0.12..=0.25).contains(&scale.probability_of_default(570)));
        assert!((0.25..=0.45).contains(&scale.probability_of_default(450)));
        assert!(scale.probability_of_default(100) > 0.7);
    }

    proptest! {
        #[test]
        fn higher_scores_never_mean_more_risk(a in 0u32..=1000, b in 0u32..=1000) {
            let scale = ScoreScale::default();
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(scale.probability_of_default(high) <= scale.probability_of_default(low));
        }

        #[test]
        fn score_and_probability_round_trip(score in 0u32..=1000) {
            let scale = ScoreScale::default();
            let back = scale.score_for_probability(scale.probability_of_default(score));
            prop_assert!(back.abs_diff(score) <= 1, "{} -> {}", score, back);
        }
    }
}
