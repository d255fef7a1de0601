//! The proto mapping of lenders' reports on the credit granted on answers, and of the
//! performance report.

use crate::{
    app::outcomes::AnswerOutcome,
    domain::{
        band::RiskBand,
        outcome::{
            CreditOutcome, CreditProposalStatus, ModelPerformance, Reporter, ReporterKind,
            latest_event_date,
        },
    },
    error::ScoreError,
};
use aval_credit::{
    brasilia::{Period, period},
    performance::GroupCounts,
};
use aval_errors::{FieldCode, FieldViolation, Violations};
use aval_proto::{
    common::v1::{Date, PerformanceRow},
    score::v1::{
        ModelPerformance as PbModelPerformance, PerformanceReport, ReportScoreOutcomeRequest,
        ScoreOutcome, ScoreOutcomeEvent,
    },
};
use aval_transport::{
    bearer::Acting,
    identity::MeshIdentity,
    time::{from_date, to_date, to_timestamp},
};
use chrono::{DateTime, Utc};

/// Reads the lender's report as of `now` (an event date that has not begun anywhere is
/// refused).
pub fn credit_outcome(
    r: &ReportScoreOutcomeRequest,
    now: DateTime<Utc>,
) -> Result<CreditOutcome, ScoreError> {
    let mut v = Violations::default();
    let status = v.check(
        &aval_errors::FieldPath::field("credit_proposal_status"),
        CreditProposalStatus::parse(&r.credit_proposal_status),
    );
    let event_date = match r.event_date.as_ref().map(|d| (d, from_date(d))) {
        None => refuse(&mut v, "event_date", FieldCode::Required, "is required"),
        Some((_, None)) => refuse(
            &mut v,
            "event_date",
            FieldCode::InvalidDate,
            "must be a calendar date",
        ),
        Some((_, Some(day))) if day > latest_event_date(now) => refuse(
            &mut v,
            "event_date",
            FieldCode::DateInFuture,
            "must not be in the future",
        ),
        Some((_, Some(day))) => Some(day),
    };
    match (status, event_date) {
        (Some(status), Some(event_date)) if v.is_empty() => {
            Ok(CreditOutcome { status, event_date })
        }
        _ => Err(ScoreError::InvalidRequest(v.into_vec())),
    }
}

fn refuse<T>(v: &mut Violations, field: &str, code: FieldCode, message: &str) -> Option<T> {
    v.push(FieldViolation::new(field, code, message));
    None
}

/// Who reports: the partner's client, or the operator.
pub fn reporter(acting: &Acting) -> Reporter {
    match acting {
        Acting::Partner(principal) => Reporter {
            kind: ReporterKind::Partner,
            id: principal.client_id.clone(),
        },
        Acting::Operator { .. } => Reporter {
            kind: ReporterKind::Operator,
            id: MeshIdentity::OPERATOR.to_owned(),
        },
    }
}

impl From<AnswerOutcome> for ScoreOutcome {
    fn from(o: AnswerOutcome) -> Self {
        Self {
            answer: Some(o.answer.into()),
            credit_proposal_status: o
                .current
                .map(|c| c.status.as_str().to_owned())
                .unwrap_or_default(),
            credit_event_date: o.current.map(|c| to_date(c.event_date)),
            history: o
                .history
                .into_iter()
                .map(|(sequence, e)| ScoreOutcomeEvent {
                    sequence,
                    from: e.from.map(|s| s.as_str().to_owned()),
                    to: e.outcome.status.as_str().to_owned(),
                    event_date: Some(to_date(e.outcome.event_date)),
                    actor_type: e.reporter.kind.as_str().to_owned(),
                    actor_id: e.reporter.id,
                    occurred_at: Some(to_timestamp(e.occurred_at)),
                })
                .collect(),
        }
    }
}

/// `created_from` and `created_to` (Brasília days, both inclusive) as `[from, before)`.
pub fn report_period(from: Option<&Date>, to: Option<&Date>) -> Result<Period, ScoreError> {
    let mut v = Violations::default();
    let mut day = |field: &str, date: Option<&Date>| match date.map(|d| (d, from_date(d))) {
        None => None,
        Some((_, None)) => refuse(
            &mut v,
            field,
            FieldCode::InvalidDate,
            "must be a calendar date",
        ),
        Some((_, Some(day))) => Some(day),
    };
    let (from, to) = (day("created_from", from), day("created_to", to));
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        refuse::<()>(
            &mut v,
            "created_to",
            FieldCode::OutOfRange,
            "must not be before created_from",
        );
    }
    if !v.is_empty() {
        return Err(ScoreError::InvalidRequest(v.into_vec()));
    }
    Ok(period(from, to))
}

/// The performance answer: per model version, one row per band that has answers (lowest risk
/// first), then the total.
pub fn performance(models: Vec<ModelPerformance>) -> PerformanceReport {
    let row = |group: &str, counts: &GroupCounts| PerformanceRow {
        group: group.to_owned(),
        count: counts.count,
        with_outcome: counts.with_outcome,
        share_with_outcome: counts.share_with_outcome(),
        defaults: counts.defaults,
        default_rate: counts.default_rate(),
    };
    PerformanceReport {
        models: models
            .into_iter()
            .map(|m| PbModelPerformance {
                rows: RiskBand::ALL
                    .iter()
                    .filter_map(|band| {
                        let counts = m.performance.groups.get(band.as_str())?;
                        Some(row(band.as_str(), counts))
                    })
                    .collect(),
                total: Some(row("total", &m.performance.total)),
                ks: m.performance.ks,
                gini: m.performance.gini,
                model_id: m.model_id,
                model_version: m.model_version,
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use aval_credit::performance::{FinalOutcome, Observation, measure};

    fn date(year: i32, month: i32, day: i32) -> Option<Date> {
        Some(Date { year, month, day })
    }

    #[test]
    fn every_bad_report_field_is_named() {
        let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap_or_default();
        let refused = credit_outcome(
            &ReportScoreOutcomeRequest {
                credit_proposal_status: "settled".into(),
                event_date: date(2026, 11, 26),
                ..ReportScoreOutcomeRequest::default()
            },
            now,
        );
        let Err(ScoreError::InvalidRequest(violations)) = refused else {
            panic!("refused");
        };
        let fields: Vec<(&str, FieldCode)> = violations
            .iter()
            .map(|v| (v.field.as_str(), v.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("credit_proposal_status", FieldCode::InvalidEnum),
                ("event_date", FieldCode::DateInFuture),
            ]
        );
        let Err(ScoreError::InvalidRequest(violations)) = credit_outcome(
            &ReportScoreOutcomeRequest {
                credit_proposal_status: "PAID".into(),
                event_date: date(2026, 2, 30),
                ..ReportScoreOutcomeRequest::default()
            },
            now,
        ) else {
            panic!("refused");
        };
        assert_eq!(violations[0].code, FieldCode::InvalidDate);
        let read = credit_outcome(
            &ReportScoreOutcomeRequest {
                credit_proposal_status: "PAID".into(),
                event_date: date(2026, 11, 24),
                ..ReportScoreOutcomeRequest::default()
            },
            now,
        );
        assert!(
            matches!(
                read,
                Ok(CreditOutcome {
                    status: CreditProposalStatus::Paid,
                    ..
                })
            ),
            "{read:?}"
        );
    }

    #[test]
    fn report_days_are_brasilia_days_in_order() {
        let Ok((from, before)) =
            report_period(date(2026, 11, 24).as_ref(), date(2026, 11, 24).as_ref())
        else {
            panic!("a valid period");
        };
        assert_eq!(
            from.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-24T03:00:00+00:00")
        );
        assert_eq!(
            before.map(|t| t.to_rfc3339()).as_deref(),
            Some("2026-11-25T03:00:00+00:00")
        );
        assert!(report_period(date(2026, 11, 24).as_ref(), date(2026, 11, 23).as_ref()).is_err());
    }

    #[test]
    fn bands_are_listed_lowest_risk_first() {
        let seen = |band: RiskBand, outcome| Observation {
            group: band.as_str().to_owned(),
            score: 500,
            outcome,
        };
        let report = performance(vec![ModelPerformance {
            model_id: "credit".into(),
            model_version: 3,
            performance: measure(&[
                seen(RiskBand::VeryHigh, Some(FinalOutcome::Defaulted)),
                seen(RiskBand::VeryLow, Some(FinalOutcome::Paid)),
                seen(RiskBand::Medium, None),
            ]),
        }]);
        let groups: Vec<&str> = report.models[0]
            .rows
            .iter()
            .map(|r| r.group.as_str())
            .collect();
        assert_eq!(groups, ["very_low", "medium", "very_high"]);
        assert_eq!(
            report.models[0].total.as_ref().map(|t| t.default_rate),
            Some(Some(0.5))
        );
    }
}
