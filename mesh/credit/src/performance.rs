//! How decisions perform once lenders report what became of the credit: per group (a decision
//! status, a risk band) the count, the share with a final outcome, the default rate; and over
//! all of them how well the score ranks payers above defaulters (KS and Gini), where outcomes
//! allow.
//!
//! A final outcome is `paid` (good) or `defaulted` (bad); `created` and `disbursed` are not
//! final and count only in `count`.

use std::collections::BTreeMap;

/// What became of a credit, once final.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FinalOutcome {
    Paid,
    Defaulted,
}

/// One decision: its group, its 0..1000 score (higher = lower risk), and its final outcome
/// if there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub group: String,
    pub score: u32,
    pub outcome: Option<FinalOutcome>,
}

/// The counts of one group (or of all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupCounts {
    pub count: u64,
    /// Decisions whose credit was paid or defaulted.
    pub with_outcome: u64,
    pub defaults: u64,
}

impl GroupCounts {
    fn add(&mut self, outcome: Option<FinalOutcome>) {
        self.count += 1;
        if let Some(outcome) = outcome {
            self.with_outcome += 1;
            if outcome == FinalOutcome::Defaulted {
                self.defaults += 1;
            }
        }
    }

    /// The share of decisions with a final outcome (0..1); `None` without decisions.
    pub fn share_with_outcome(&self) -> Option<f64> {
        (self.count > 0).then(|| self.with_outcome as f64 / self.count as f64)
    }

    /// Defaults over final outcomes (0..1); `None` without final outcomes.
    pub fn default_rate(&self) -> Option<f64> {
        (self.with_outcome > 0).then(|| self.defaults as f64 / self.with_outcome as f64)
    }
}

/// A performance report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Performance {
    /// Per group, in the groups' order.
    pub groups: BTreeMap<String, GroupCounts>,
    pub total: GroupCounts,
    /// The largest gap between the score distributions of defaulters and payers (0..1); `None`
    /// unless both occur.
    pub ks: Option<f64>,
    /// 2·AUC − 1, AUC being the chance a payer scores above a defaulter (ties count half);
    /// `None` unless both occur.
    pub gini: Option<f64>,
}

/// Measures the observations.
pub fn measure(observations: &[Observation]) -> Performance {
    let mut report = Performance::default();
    for o in observations {
        report
            .groups
            .entry(o.group.clone())
            .or_default()
            .add(o.outcome);
        report.total.add(o.outcome);
    }
    let scores_of = |wanted: FinalOutcome| -> Vec<u32> {
        let mut scores: Vec<u32> = observations
            .iter()
            .filter(|o| o.outcome == Some(wanted))
            .map(|o| o.score)
            .collect();
        scores.sort_unstable();
        scores
    };
    let (paid, defaulted) = (
        scores_of(FinalOutcome::Paid),
        scores_of(FinalOutcome::Defaulted),
    );
    if !paid.is_empty() && !defaulted.is_empty() {
        report.ks = Some(ks(&paid, &defaulted));
        report.gini = Some(2.0 * auc(&paid, &defaulted) - 1.0);
    }
    report
}

/// How many of the sorted `scores` are at most `threshold`.
fn at_most(scores: &[u32], threshold: u32) -> usize {
    scores.partition_point(|s| *s <= threshold)
}

/// max over thresholds of |F_defaulted(t) − F_paid(t)|, F the share scoring at most t. Both
/// sorted and non-empty.
fn ks(paid: &[u32], defaulted: &[u32]) -> f64 {
    paid.iter()
        .chain(defaulted)
        .map(|t| {
            let bad = at_most(defaulted, *t) as f64 / defaulted.len() as f64;
            let good = at_most(paid, *t) as f64 / paid.len() as f64;
            (bad - good).abs()
        })
        .fold(0.0, f64::max)
}

/// The chance a payer scores above a defaulter, ties counting half. Both sorted, non-empty.
fn auc(paid: &[u32], defaulted: &[u32]) -> f64 {
    let wins: f64 = defaulted
        .iter()
        .map(|bad| {
            let below_or_equal = at_most(paid, *bad);
            let below = paid.partition_point(|s| s < bad);
            let above = paid.len() - below_or_equal;
            above as f64 + 0.5 * (below_or_equal - below) as f64
        })
        .sum();
    wins / (paid.len() as f64 * defaulted.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FinalOutcome::{Defaulted, Paid};

    fn seen(group: &str, score: u32, outcome: Option<FinalOutcome>) -> Observation {
        Observation {
            group: group.to_owned(),
            score,
            outcome,
        }
    }

    /// Small enough to check by hand.
    #[test]
    fn counts_rates_ks_and_gini_by_hand() {
        let report = measure(&[
            seen("approved", 800, Some(Paid)),
            seen("approved", 700, Some(Paid)),
            seen("approved", 600, Some(Defaulted)),
            seen("approved", 650, None),
            seen("review", 500, Some(Defaulted)),
            seen("review", 700, Some(Paid)),
        ]);
        let approved = &report.groups["approved"];
        assert_eq!(
            (approved.count, approved.with_outcome, approved.defaults),
            (4, 3, 1)
        );
        assert_eq!(approved.share_with_outcome(), Some(0.75));
        assert_eq!(approved.default_rate(), Some(1.0 / 3.0));
        let review = &report.groups["review"];
        assert_eq!(review.default_rate(), Some(0.5));
        assert_eq!((report.total.count, report.total.defaults), (6, 2));
        // Payers 700, 700, 800; defaulters 500, 600: every payer outscores every defaulter.
        assert_eq!(report.gini, Some(1.0));
        assert_eq!(report.ks, Some(1.0));
    }

    #[test]
    fn ties_count_half_and_a_useless_score_has_gini_zero() {
        let report = measure(&[seen("a", 500, Some(Paid)), seen("a", 500, Some(Defaulted))]);
        assert_eq!(report.gini, Some(0.0));
        assert_eq!(report.ks, Some(0.0));
        // Payers 400, 600; defaulters 500, 700: AUC = (1 + 0) / 4 = 0.25 → Gini −0.5;
        // at 500: F_bad = 0.5, F_good = 0.5; at 400: 0 vs 0.5 → KS 0.5.
        let report = measure(&[
            seen("a", 400, Some(Paid)),
            seen("a", 600, Some(Paid)),
            seen("a", 500, Some(Defaulted)),
            seen("a", 700, Some(Defaulted)),
        ]);
        assert_eq!(report.gini, Some(-0.5));
        assert_eq!(report.ks, Some(0.5));
    }

    #[test]
    fn without_both_outcomes_there_is_no_ks_or_gini() {
        let report = measure(&[seen("a", 700, Some(Paid)), seen("a", 300, None)]);
        assert_eq!((report.ks, report.gini), (None, None));
        assert_eq!(report.groups["a"].default_rate(), Some(0.0));
        assert_eq!(measure(&[]).total.default_rate(), None);
    }
}
