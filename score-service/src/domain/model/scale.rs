//! How a model's points become the product's answer: the 0..1000 score, its probability of
//! default (the PDO scale: base points at base odds, points to double the odds) and its risk
//! band (a table of score ranges). A model declares both, or takes the platform's default:
//! 700 points at 19:1, 80 points to double the odds, and the bureau's bands
//! 0..374 / 375..525 / 526..618 / 619..718 / 719..1000.

use crate::domain::band::RiskBand;
use aval_credit::ScoreScale;
use serde::Deserialize;

/// The top of the product's score range.
pub const MAX_SCORE: u32 = 1000;

/// One row of a band table: scores `from..=to` are in `risk`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BandRange {
    pub risk: RiskBand,
    pub from: u32,
    pub to: u32,
}

/// Score ranges covering 0..=1000 once, each a risk band, less risk as the score rises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BandTable(Vec<BandRange>);

impl BandTable {
    /// The bureau's published cut-offs (the same as [`RiskBand::of`]).
    pub fn platform() -> Self {
        let row = |risk, from, to| BandRange { risk, from, to };
        Self(vec![
            row(RiskBand::VeryHigh, 0, 374),
            row(RiskBand::High, 375, 525),
            row(RiskBand::Medium, 526, 618),
            row(RiskBand::Low, 619, 718),
            row(RiskBand::VeryLow, 719, MAX_SCORE),
        ])
    }

    /// A table from rows in any order; the error says what is wrong in words.
    pub fn new(mut rows: Vec<BandRange>) -> Result<Self, String> {
        rows.sort_by_key(|r| r.from);
        let Some(first) = rows.first() else {
            return Err("the band table has no bands".into());
        };
        if first.from != 0 {
            return Err(format!("the first band starts at {}, not 0", first.from));
        }
        for row in &rows {
            if row.from > row.to {
                return Err(format!(
                    "band {} runs backwards ({}..{})",
                    row.risk.as_str(),
                    row.from,
                    row.to
                ));
            }
        }
        for pair in rows.windows(2) {
            let (low, high) = (pair[0], pair[1]);
            if high.from != low.to + 1 {
                return Err(format!(
                    "bands {} ({}..{}) and {} ({}..{}) leave a gap or overlap",
                    low.risk.as_str(),
                    low.from,
                    low.to,
                    high.risk.as_str(),
                    high.from,
                    high.to
                ));
            }
            if risk_rank(high.risk) >= risk_rank(low.risk) {
                return Err(format!(
                    "band {} is above {} but not less risky: a higher score means less risk",
                    high.risk.as_str(),
                    low.risk.as_str()
                ));
            }
        }
        if rows.last().map(|r| r.to) != Some(MAX_SCORE) {
            return Err(format!("the last band must end at {MAX_SCORE}"));
        }
        Ok(Self(rows))
    }

    pub fn band_of(&self, score: u32) -> RiskBand {
        let score = score.min(MAX_SCORE);
        self.0
            .iter()
            .find(|r| (r.from..=r.to).contains(&score))
            .map_or(RiskBand::VeryHigh, |r| r.risk)
    }

    pub fn rows(&self) -> &[BandRange] {
        &self.0
    }
}

fn risk_rank(band: RiskBand) -> u8 {
    match band {
        RiskBand::VeryLow => 0,
        RiskBand::Low => 1,
        RiskBand::Medium => 2,
        RiskBand::High => 3,
        RiskBand::VeryHigh => 4,
    }
}

/// A model's calibration: points to probability of default, and score to band.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelScale {
    pub scale: ScoreScale,
    pub bands: BandTable,
}

impl Default for ModelScale {
    fn default() -> Self {
        Self {
            scale: ScoreScale::default(),
            bands: BandTable::platform(),
        }
    }
}

/// The product's answer for a model's points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaled {
    /// The points rounded (half away from zero) and clamped to 0..=1000.
    pub score: u32,
    pub probability_of_default: f64,
    pub band: RiskBand,
}

impl ModelScale {
    /// A scale whose numbers make sense: odds and points to double them positive and finite.
    pub fn new(scale: ScoreScale, bands: BandTable) -> Result<Self, String> {
        if !(scale.pdo.is_finite() && scale.pdo > 0.0) {
            return Err(format!(
                "points to double the odds must be positive, not {}",
                scale.pdo
            ));
        }
        if !(scale.reference_odds.is_finite() && scale.reference_odds > 0.0) {
            return Err(format!(
                "base odds must be positive, not {}",
                scale.reference_odds
            ));
        }
        if !scale.reference_score.is_finite() {
            return Err("base points must be a number".into());
        }
        Ok(Self { scale, bands })
    }

    pub fn apply(&self, points: f64) -> Scaled {
        // Clamped first, so the cast cannot truncate; NaN (never produced) would become 0.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let score = points.round().clamp(0.0, f64::from(MAX_SCORE)) as u32;
        Scaled {
            score,
            probability_of_default: self.scale.probability_of_default(score),
            band: self.bands.band_of(score),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_platform_table_is_the_bureau_cut_offs() {
        let table = BandTable::platform();
        assert_eq!(BandTable::new(table.rows().to_vec()).unwrap(), table);
        for score in 0..=MAX_SCORE {
            assert_eq!(table.band_of(score), RiskBand::of(score), "{score}");
        }
    }

    #[test]
    fn broken_tables_are_refused_with_a_reason() {
        let row = |risk, from, to| BandRange { risk, from, to };
        let cases = [
            (vec![], "no bands"),
            (vec![row(RiskBand::VeryHigh, 1, 1000)], "starts at 1"),
            (vec![row(RiskBand::VeryHigh, 0, 500)], "end at 1000"),
            (
                vec![row(RiskBand::High, 0, 500), row(RiskBand::Low, 502, 1000)],
                "gap",
            ),
            (
                vec![row(RiskBand::High, 0, 500), row(RiskBand::Low, 500, 1000)],
                "gap or overlap",
            ),
            (
                vec![row(RiskBand::Low, 0, 500), row(RiskBand::High, 501, 1000)],
                "less risky",
            ),
            (
                vec![row(RiskBand::High, 0, 500), row(RiskBand::Low, 700, 600)],
                "backwards",
            ),
        ];
        for (rows, expected) in cases {
            let err = BandTable::new(rows).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
        // Three bands, given in any order, are a table.
        let three = BandTable::new(vec![
            row(RiskBand::Low, 601, 1000),
            row(RiskBand::High, 0, 300),
            row(RiskBand::Medium, 301, 600),
        ])
        .unwrap();
        assert_eq!(three.band_of(301), RiskBand::Medium);
    }

    #[test]
    fn points_round_and_clamp_into_the_score_range() {
        let scale = ModelScale::default();
        assert_eq!(scale.apply(700.5).score, 701);
        assert_eq!(scale.apply(-12.0).score, 0);
        assert_eq!(scale.apply(1234.0).score, 1000);
        let at_base = scale.apply(700.0);
        assert!((at_base.probability_of_default - 0.05).abs() < 1e-9);
        assert_eq!(at_base.band, RiskBand::Low);
        let bad = ScoreScale {
            pdo: 0.0,
            ..ScoreScale::default()
        };
        assert!(ModelScale::new(bad, BandTable::platform()).is_err());
        let bad = ScoreScale {
            reference_odds: -1.0,
            ..ScoreScale::default()
        };
        assert!(ModelScale::new(bad, BandTable::platform()).is_err());
    }

    proptest! {
        #[test]
        fn more_points_never_mean_more_risk(a in -2000.0f64..3000.0, b in -2000.0f64..3000.0) {
            let scale = ModelScale::default();
            let (low, high) = (scale.apply(a.min(b)), scale.apply(a.max(b)));
            prop_assert!(high.score >= low.score);
            prop_assert!(high.probability_of_default <= low.probability_of_default);
            prop_assert!(risk_rank(high.band) <= risk_rank(low.band));
        }
    }
}
