//! What became of the credit a lender granted on a delivered answer, as the lender reports it,
//! and how each model version's answers performed given those reports.
//!
//! Reports follow the rule every credit outcome does ([`aval_credit::outcome`]): created →
//! disbursed → paid | defaulted, forward only, never dated before the answer. Each report is
//! kept, numbered, as the answer's outcome history.

use super::band::RiskBand;
pub use aval_credit::outcome::{CreditOutcome, CreditProposalStatus};
use aval_credit::{
    brasilia,
    outcome::{ReportRefusal, check_report},
    performance::{Observation, Performance, measure},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

/// How far ahead of UTC the earliest time zone is (UTC+14): a day that has begun anywhere is
/// not in the future.
const EARLIEST_ZONE_AHEAD: Duration = Duration::hours(14);

/// The latest `event_date` a report may carry at `now`.
pub fn latest_event_date(now: DateTime<Utc>) -> NaiveDate {
    (now + EARLIEST_ZONE_AHEAD).date_naive()
}

/// Who reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReporterKind {
    /// A partner's OAuth2 client.
    Partner,
    /// Aval's operator (`aval admin`), naming the tenant.
    Operator,
}

impl ReporterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partner => "partner",
            Self::Operator => "operator",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Partner, Self::Operator]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// Who reported: its kind and id (the partner's client id, or the operator's identity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reporter {
    pub kind: ReporterKind,
    pub id: String,
}

/// One report on the credit of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeEvent {
    /// The status before; `None` on the first report.
    pub from: Option<CreditProposalStatus>,
    pub outcome: CreditOutcome,
    pub reporter: Reporter,
    pub occurred_at: DateTime<Utc>,
}

/// Checks the report `next` on an answer delivered at `scored_at` whose credit was last
/// reported `current`: the step to record, or `None` when it is the report already standing
/// (a retry changes nothing).
pub fn report(
    scored_at: DateTime<Utc>,
    current: Option<CreditOutcome>,
    next: CreditOutcome,
    reporter: Reporter,
    at: DateTime<Utc>,
) -> Result<Option<OutcomeEvent>, ReportRefusal> {
    if current == Some(next) {
        return Ok(None);
    }
    check_report(current, next, brasilia::day(scored_at), "the answer")?;
    Ok(Some(OutcomeEvent {
        from: current.map(|c| c.status),
        outcome: next,
        reporter,
        occurred_at: at,
    }))
}

/// A delivered answer as the performance report reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoredOutcome {
    pub model_id: String,
    pub model_version: i32,
    pub score: u32,
    pub band: RiskBand,
    /// The latest report on its credit.
    pub status: Option<CreditProposalStatus>,
}

/// How one model version's answers performed.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelPerformance {
    pub model_id: String,
    pub model_version: i32,
    /// Grouped by risk band (its name).
    pub performance: Performance,
}

/// Per model id and version (in that order), per risk band: counts, default rate, KS and Gini
/// of the 0..1000 score.
pub fn performance(answers: &[ScoredOutcome]) -> Vec<ModelPerformance> {
    let mut by_model: BTreeMap<(&str, i32), Vec<Observation>> = BTreeMap::new();
    for answer in answers {
        by_model
            .entry((&answer.model_id, answer.model_version))
            .or_default()
            .push(Observation {
                group: answer.band.as_str().to_owned(),
                score: answer.score,
                outcome: answer.status.and_then(CreditProposalStatus::final_outcome),
            });
    }
    by_model
        .into_iter()
        .map(
            |((model_id, model_version), observations)| ModelPerformance {
                model_id: model_id.to_owned(),
                model_version,
                performance: measure(&observations),
            },
        )
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use CreditProposalStatus as C;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn outcome(status: C, day: &str) -> CreditOutcome {
        CreditOutcome {
            status,
            event_date: day.parse().unwrap(),
        }
    }

    fn partner() -> Reporter {
        Reporter {
            kind: ReporterKind::Partner,
            id: "acme-client".into(),
        }
    }

    #[test]
    fn a_report_is_a_step_unless_it_already_stands() {
        // Scored late on the 24th in Brasília: 01:30 UTC on the 25th.
        let scored = at("2026-11-25T01:30:00Z");
        let now = at("2026-11-30T12:00:00Z");
        let first = report(
            scored,
            None,
            outcome(C::Created, "2026-11-24"),
            partner(),
            now,
        );
        let Ok(Some(event)) = first else {
            panic!("{first:?}");
        };
        assert_eq!((event.from, event.outcome.status), (None, C::Created));
        let current = Some(event.outcome);
        assert_eq!(
            report(scored, current, event.outcome, partner(), now),
            Ok(None),
            "the same report again is a retry"
        );
        let paid = report(
            scored,
            current,
            outcome(C::Paid, "2026-11-28"),
            partner(),
            now,
        );
        assert!(
            matches!(&paid, Ok(Some(e)) if e.from == Some(C::Created)),
            "{paid:?}"
        );
        assert!(matches!(
            report(
                scored,
                None,
                outcome(C::Created, "2026-11-23"),
                partner(),
                now
            ),
            Err(ReportRefusal::EventDate(_))
        ));
        let back = report(
            scored,
            Some(outcome(C::Defaulted, "2026-11-28")),
            outcome(C::Disbursed, "2026-11-29"),
            partner(),
            now,
        );
        assert!(matches!(back, Err(ReportRefusal::Backwards { .. })));
    }

    #[test]
    fn the_latest_event_date_is_today_somewhere() {
        assert_eq!(
            latest_event_date(at("2026-11-24T10:00:00Z")).to_string(),
            "2026-11-25"
        );
        assert_eq!(
            latest_event_date(at("2026-11-24T09:59:59Z")).to_string(),
            "2026-11-24"
        );
    }

    #[test]
    fn performance_is_per_model_version_and_band() {
        let answer = |version, score, status| ScoredOutcome {
            model_id: "credit".into(),
            model_version: version,
            score,
            band: RiskBand::of(score),
            status,
        };
        let report = performance(&[
            answer(1, 800, Some(C::Paid)),
            answer(1, 750, Some(C::Defaulted)),
            answer(1, 400, Some(C::Defaulted)),
            answer(1, 450, Some(C::Disbursed)),
            answer(2, 700, None),
        ]);
        assert_eq!(report.len(), 2);
        let v1 = &report[0].performance;
        assert_eq!(report[0].model_version, 1);
        let very_low = &v1.groups["very_low"];
        assert_eq!((very_low.count, very_low.defaults), (2, 1));
        assert_eq!(very_low.default_rate(), Some(0.5));
        let high = &v1.groups["high"];
        assert_eq!((high.count, high.with_outcome), (2, 1));
        assert_eq!(high.default_rate(), Some(1.0));
        assert_eq!(v1.total.default_rate(), Some(2.0 / 3.0));
        // Payer 800; defaulters 750, 400: the payer outscores both.
        assert_eq!(v1.gini, Some(1.0));
        assert_eq!(v1.ks, Some(1.0));
        assert_eq!(report[1].performance.total.with_outcome, 0);
        assert_eq!(report[1].performance.ks, None);
    }
}
