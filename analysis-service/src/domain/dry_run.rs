//! A candidate policy run against stored proposals: which decisions would change, from what to
//! what, and why (the rules that fired before and after). Pure: the caller reads the
//! proposals and decides them with the candidate.

use super::decision::{AnalysisStatus, Decision};
use std::collections::BTreeMap;

/// One stored analysis the candidate decided differently.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub analysis_id: String,
    pub before: AnalysisStatus,
    pub after: AnalysisStatus,
    pub reason_before: String,
    pub reason_after: String,
    pub rules_fired_before: Vec<String>,
    pub rules_fired_after: Vec<String>,
}

/// What a dry run found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DryRun {
    /// Analyses decided again.
    pub evaluated: usize,
    /// Those whose status would change, newest first as they were read.
    pub changes: Vec<Change>,
    /// How many went from each status to each other status.
    pub transitions: BTreeMap<(AnalysisStatus, AnalysisStatus), usize>,
    /// Analyses that could not be decided again, and why.
    pub skipped: Vec<(String, String)>,
}

impl DryRun {
    /// Counts one analysis decided again: `stored` as the engine first decided it, `candidate`
    /// as the candidate policy decides it now.
    pub fn record(&mut self, analysis_id: &str, stored: &Decision, candidate: &Decision) {
        self.evaluated += 1;
        if stored.status == candidate.status {
            return;
        }
        *self
            .transitions
            .entry((stored.status, candidate.status))
            .or_default() += 1;
        self.changes.push(Change {
            analysis_id: analysis_id.to_owned(),
            before: stored.status,
            after: candidate.status,
            reason_before: stored.reason.clone(),
            reason_after: candidate.reason.clone(),
            rules_fired_before: stored.rules_fired.clone(),
            rules_fired_after: candidate.rules_fired.clone(),
        });
    }

    /// Notes an analysis that could not be decided again.
    pub fn skip(&mut self, analysis_id: &str, why: impl Into<String>) {
        self.skipped.push((analysis_id.to_owned(), why.into()));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::decision::tests::{decide, policy, qi_proposal, scores};

    #[test]
    fn only_changed_statuses_are_listed_and_counted() {
        let proposal = qi_proposal();
        let approved = decide(&policy(), &proposal, &scores(Some(800), Some(700)));
        let reviewed = decide(&policy(), &proposal, &scores(Some(450), Some(700)));
        assert_eq!(approved.status, AnalysisStatus::AutomaticallyApproved);
        assert_eq!(reviewed.status, AnalysisStatus::InManualAnalysis);

        let mut run = DryRun::default();
        run.record("a", &approved, &approved);
        run.record("b", &approved, &reviewed);
        run.record("c", &approved, &reviewed);
        run.skip("d", "proposal unreadable");
        assert_eq!(run.evaluated, 3);
        assert_eq!(run.changes.len(), 2);
        assert_eq!(
            run.transitions,
            BTreeMap::from([(
                (
                    AnalysisStatus::AutomaticallyApproved,
                    AnalysisStatus::InManualAnalysis
                ),
                2
            )])
        );
        let change = &run.changes[0];
        assert_eq!(change.analysis_id, "b");
        assert_eq!(change.reason_after, "moderate_partner_score");
        assert!(change.rules_fired_before.is_empty());
        assert_eq!(change.rules_fired_after, ["moderate_partner_score"]);
        assert_eq!(
            run.skipped,
            [("d".to_owned(), "proposal unreadable".to_owned())]
        );
    }
}
