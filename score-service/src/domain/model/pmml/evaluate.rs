//! Scoring a record with a PMML Scorecard (PMML 4.4 Scorecard, "Scoring Procedure"):
//!
//! - each Characteristic's Attributes are tried in document order and the first whose
//!   predicate is TRUE gives the partial score; when none is, the scorecard as a whole has no
//!   valid result ([`Unscorable::NoAttributeMatched`]), never a score;
//! - the score is `initialScore` plus the partial scores (summed left to right, then the
//!   initial score added: the order PMML4S uses, so that floating-point sums agree bit for bit);
//! - with reason codes on, each Characteristic's difference (`pointsBelow`: baseline − partial;
//!   `pointsAbove`: partial − baseline) is added to the reason code of the matched Attribute
//!   (else of its Characteristic); codes are ranked by their sums, largest first, ties going to
//!   the code that appears first in the document.

use super::super::record::Record;
use super::{PmmlScorecard, ReasonCodeAlgorithm};

/// Why a record has no score under a model (PMML's "invalid result").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unscorable {
    #[error("no attribute of characteristic `{characteristic}` matches the record")]
    NoAttributeMatched { characteristic: String },
    #[error("`{field}` has a value the model declares invalid")]
    InvalidValue { field: String },
    #[error("`{field}` is missing and the model cannot score without it")]
    MissingValue { field: String },
}

/// One reason code and the points it sums.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedReason {
    pub code: String,
    pub points: f64,
}

/// A PMML score and every reason code the record touched, ranked.
#[derive(Clone, Debug, PartialEq)]
pub struct PmmlScore {
    pub score: f64,
    /// Every reason code of a matched Attribute, ranked; empty when reason codes are off.
    pub ranked: Vec<RankedReason>,
}

impl PmmlScore {
    /// The reasons given for the score: the ranked codes that cost points (sum > 0). The
    /// specification ranks codes without saying which to drop; PMML4S drops sums ≤ 0 and
    /// JPMML sums < 0. A code that cost nothing explains nothing, so Aval gives sums > 0.
    pub fn reasons(&self) -> impl Iterator<Item = &RankedReason> {
        self.ranked.iter().filter(|r| r.points > 0.0)
    }
}

impl PmmlScorecard {
    pub fn evaluate(&self, record: &Record) -> Result<PmmlScore, Unscorable> {
        let inputs = self
            .inputs
            .iter()
            .map(|field| field.prepare(record.get(&field.name)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut partials = 0.0;
        let mut sums: Vec<Option<f64>> = vec![None; self.reason_codes.len()];
        for characteristic in &self.characteristics {
            let attribute = characteristic
                .attributes
                .iter()
                .find(|a| a.predicate.evaluate(&inputs) == super::predicate::Truth::True)
                .ok_or_else(|| Unscorable::NoAttributeMatched {
                    characteristic: characteristic.label.clone(),
                })?;
            partials += attribute.partial_score;
            if let (true, Some(code)) = (self.use_reason_codes, attribute.reason_code) {
                let difference = match self.algorithm {
                    ReasonCodeAlgorithm::PointsBelow => {
                        characteristic.baseline - attribute.partial_score
                    }
                    ReasonCodeAlgorithm::PointsAbove => {
                        attribute.partial_score - characteristic.baseline
                    }
                };
                if let Some(sum) = sums.get_mut(code) {
                    *sum = Some(sum.unwrap_or(0.0) + difference);
                }
            }
        }
        let mut ranked: Vec<(usize, f64)> = sums
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i, s)))
            .collect();
        // Stable: codes are in document order, so ties keep it.
        ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        Ok(PmmlScore {
            score: partials + self.initial_score,
            ranked: ranked
                .into_iter()
                .map(|(i, points)| RankedReason {
                    code: self.reason_codes.get(i).cloned().unwrap_or_default(),
                    points,
                })
                .collect(),
        })
    }
}
