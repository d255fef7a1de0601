//! The company score: points per feature, read on the 0..1000 scale, and the points lost
//! against each feature's best bin as the reasons (the bureau convention in DOMAIN.md).

use super::Justification;
use super::document::{Award, Characteristic, Reason, Scorecard};
use crate::domain::features::FeatureValues;

/// A scored proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    /// 0..=1000, higher = lower risk.
    pub score: u32,
    /// The score's probability of default on the policy's scale.
    pub probability_of_default: f64,
    /// Points lost per reason code, largest first; codes from several features are summed.
    pub reasons: Vec<Justification>,
}

impl Scorecard {
    pub(super) fn score(&self, features: &FeatureValues) -> Scored {
        let mut total = i64::from(self.base_points);
        let mut reasons: Vec<Justification> = Vec::new();
        for characteristic in &self.characteristics {
            let (points, reason) = characteristic.award(features.get(characteristic.feature));
            total += i64::from(points);
            let lost = characteristic.best_points() - points;
            if let (Some(reason), true) = (reason, lost > 0) {
                add(&mut reasons, reason, f64::from(lost));
            }
        }
        // Clamped to the scale first, so the conversion cannot fail.
        let score = u32::try_from(total.clamp(0, 1000)).unwrap_or(0);
        sort_by_impact(&mut reasons);
        Scored {
            score,
            probability_of_default: self.scale.probability_of_default(score),
            reasons,
        }
    }
}

impl Characteristic {
    /// The most points this feature can earn.
    pub(super) fn best_points(&self) -> i32 {
        self.bins
            .iter()
            .map(|b| b.points)
            .chain([self.missing.points])
            .max()
            .unwrap_or(0)
    }

    /// What a value earns: its bin's points and reason, or the `missing` award.
    fn award(&self, value: Option<f64>) -> (i32, Option<&Reason>) {
        let Award { points, reason } = &self.missing;
        let missing = (*points, reason.as_ref());
        let Some(value) = value else { return missing };
        // Loading guarantees an open last bin, so some bin always matches.
        self.bins
            .iter()
            .find(|bin| bin.below.is_none_or(|below| value < below))
            .map_or(missing, |bin| (bin.points, bin.reason.as_ref()))
    }
}

fn add(reasons: &mut Vec<Justification>, reason: &Reason, impact: f64) {
    match reasons.iter_mut().find(|r| r.code == reason.code) {
        Some(known) => known.impact += impact,
        None => reasons.push(Justification {
            code: reason.code.clone(),
            description: reason.description.clone(),
            impact,
        }),
    }
}

/// Largest impact first; ties by code, so the order never depends on the policy's layout.
pub(super) fn sort_by_impact(reasons: &mut [Justification]) {
    reasons.sort_by(|a, b| {
        b.impact
            .total_cmp(&a.impact)
            .then_with(|| a.code.cmp(&b.code))
    });
}
