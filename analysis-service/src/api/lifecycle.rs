//! The proto mapping of what follows the decision: the analysts' list, details and
//! resolutions, the lender's credit outcome, and the history.

use super::proposal::{cnpj, past_date};
use crate::{
    app::AnalysisPage,
    domain::{
        analysis::Analysis,
        decision::AnalysisStatus,
        lifecycle::{CreditOutcome, CreditProposalStatus, Event, Resolution},
        proposal::{AsOf, Invalid, calendar_date},
    },
    error::AnalysisError,
    store::analyses::{AnalysisRecord, ListFilter, PageCursor},
};
use crate::{app::PolicyPerformance, store::revisions::Revision};
use aval_credit::performance::GroupCounts;
use aval_errors::{FieldPath, FieldViolation, Violations};
use aval_proto::analysis::v1::{
    AnalysisDetails, AnalysisEvent, AnalysisHistory, AnalysisRevision, AnalysisStatus as PbStatus,
    AnalysisSummary, CreditAnalysis, FeatureValue, ListAnalysesRequest, ListAnalysesResponse,
    PartnerScore, PerformanceReport, PerformanceRow, PolicyPerformance as PbPolicyPerformance,
    ReportCreditOutcomeRequest, ResolveAnalysisRequest, Review as PbReview,
};
use aval_transport::time::{to_date, to_timestamp};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use chrono::{DateTime, Utc};

/// Analyses per page when the request does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Most analyses per page.
pub const MAX_PAGE_SIZE: u64 = 200;

/// A list request, read: the filter, the page size and where the page starts.
pub struct ListQuery {
    pub filter: ListFilter,
    pub page_size: u64,
    pub after: Option<PageCursor>,
}

impl TryFrom<&ListAnalysesRequest> for ListQuery {
    type Error = AnalysisError;

    fn try_from(request: &ListAnalysesRequest) -> Result<Self, AnalysisError> {
        let root = FieldPath::root();
        let mut v = Violations::default();
        let statuses: Vec<AnalysisStatus> = request
            .statuses
            .iter()
            .enumerate()
            .filter_map(|(i, s)| v.check(&root.key("statuses").index(i), AnalysisStatus::parse(s)))
            .collect();
        let (created_from, created_before) = read_period(
            &mut v,
            request.created_from.as_ref(),
            request.created_to.as_ref(),
        );
        let document_number = request
            .document_number
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .and_then(|d| v.check(&root.key("document_number"), document_filter(d)));
        let page_size = match request.page_size {
            None => Some(DEFAULT_PAGE_SIZE),
            Some(n) => v.check(
                &root.key("page_size"),
                u64::try_from(n)
                    .ok()
                    .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                    .ok_or_else(|| {
                        Invalid::out_of_range(format!("must be from 1 to {MAX_PAGE_SIZE}"))
                    }),
            ),
        };
        let after = request
            .page_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .and_then(|t| v.check(&root.key("page_token"), decode_cursor(t)));
        let filter = ListFilter {
            statuses,
            created_from,
            created_before,
            document_number,
        };
        if !v.is_empty() {
            return Err(AnalysisError::InvalidRequest(v.into_vec()));
        }
        Ok(Self {
            filter,
            page_size: page_size.unwrap_or(DEFAULT_PAGE_SIZE),
            after,
        })
    }
}

/// A page token: the last analysis of the page (its creation in microseconds, its id),
/// opaque to callers.
fn encode_cursor(cursor: &PageCursor) -> String {
    B64.encode(format!(
        "{}:{}",
        cursor.created_at.timestamp_micros(),
        cursor.proposal_id
    ))
}

fn decode_cursor(token: &str) -> Result<PageCursor, Invalid> {
    let invalid = || Invalid::Format("a next_page_token from a previous page");
    let bytes = B64.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (micros, id) = text.split_once(':').ok_or_else(invalid)?;
    let created_at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(invalid)?;
    Ok(PageCursor {
        created_at,
        proposal_id: id.to_owned(),
    })
}

impl From<AnalysisPage> for ListAnalysesResponse {
    fn from(page: AnalysisPage) -> Self {
        Self {
            analyses: page
                .analyses
                .into_iter()
                .map(|(analysis, document)| AnalysisSummary {
                    analysis: Some(analysis.into()),
                    document_number: document.unwrap_or_default(),
                })
                .collect(),
            next_page_token: page.next.as_ref().map(encode_cursor).unwrap_or_default(),
        }
    }
}

/// The details answer: the analysis as it stands and the versions it replaced.
pub fn details(record: AnalysisRecord, revisions: Vec<Revision>) -> AnalysisDetails {
    let revisions = revisions
        .into_iter()
        .map(|r| AnalysisRevision {
            revision: r.revision,
            proposal_json: r.proposal.to_string(),
            decided_status: PbStatus::from(r.decision.status).into(),
            reason: r.decision.reason,
            decided_at: Some(to_timestamp(r.decided_at)),
        })
        .collect();
    AnalysisDetails {
        revisions,
        ..record.into()
    }
}

impl From<AnalysisRecord> for AnalysisDetails {
    fn from(record: AnalysisRecord) -> Self {
        let proposal_json = record.proposal.to_string();
        // Nothing decided yet while the proposal waits for data: only the proposal to show.
        let Some(decision) = record.stored.analysis.decision.clone() else {
            return Self {
                proposal_json,
                analysis: Some(record.stored.analysis.into()),
                ..Self::default()
            };
        };
        Self {
            proposal_json,
            partner_scores: decision
                .partner_scores
                .iter()
                .map(|p| PartnerScore {
                    document_number: p.document_number.clone(),
                    score: p.score.and_then(|s| i32::try_from(s).ok()),
                })
                .collect(),
            rules_fired: decision.rules_fired.clone(),
            features: decision
                .features
                .iter()
                .map(|(feature, value)| FeatureValue {
                    name: feature.as_str().to_owned(),
                    value: *value,
                })
                .collect(),
            policy_id: decision.policy_id.clone(),
            policy_version: decision.policy_version,
            decided_status: PbStatus::from(decision.status).into(),
            analysis: Some(record.stored.analysis.into()),
            revisions: Vec::new(),
        }
    }
}

impl TryFrom<&ResolveAnalysisRequest> for Resolution {
    type Error = AnalysisError;

    fn try_from(r: &ResolveAnalysisRequest) -> Result<Self, AnalysisError> {
        Resolution::parse(
            &r.action,
            &r.analyst_id,
            &r.note,
            r.credit_limit_cents,
            r.challenge.as_deref(),
        )
        .map_err(|refused| {
            AnalysisError::InvalidRequest(
                refused
                    .into_iter()
                    .map(|(field, invalid)| {
                        FieldViolation::new(field, invalid.code(), invalid.to_string())
                    })
                    .collect(),
            )
        })
    }
}

/// Reads the lender's report as of `now` (an event date after today is refused).
pub fn credit_outcome(
    r: &ReportCreditOutcomeRequest,
    now: DateTime<Utc>,
) -> Result<CreditOutcome, AnalysisError> {
    let root = FieldPath::root();
    let mut v = Violations::default();
    let status = v.check(
        &root.key("credit_proposal_status"),
        CreditProposalStatus::parse(&r.credit_proposal_status),
    );
    let event_date = v.check(
        &root.key("event_date"),
        past_date(AsOf::new(now), r.event_date.as_ref()).and_then(|d| d.ok_or(Invalid::Required)),
    );
    match (status, event_date) {
        (Some(status), Some(event_date)) if v.is_empty() => {
            Ok(CreditOutcome { status, event_date })
        }
        _ => Err(AnalysisError::InvalidRequest(v.into_vec())),
    }
}

/// The analysis's review and credit outcome, added to the answer every route gives.
pub fn lifecycle_fields(analysis: &Analysis, answer: &mut CreditAnalysis) {
    answer.review = analysis.review.as_ref().map(|r| PbReview {
        action: r.action.as_str().to_owned(),
        analyst_id: r.analyst_id.clone(),
        note: r.note.clone(),
        resolved_at: Some(to_timestamp(r.resolved_at)),
        challenge: r.challenge.map(|c| c.as_str().to_owned()),
    });
    answer.credit_proposal_status = analysis
        .credit_outcome
        .map(|c| c.status.as_str().to_owned());
    answer.credit_event_date = analysis.credit_outcome.map(|c| to_date(c.event_date));
}

pub use aval_credit::brasilia::Period;

/// A report period: Brasília days, both inclusive, as `[from, before)` instants.
pub fn report_period(
    from: Option<&aval_proto::common::v1::Date>,
    to: Option<&aval_proto::common::v1::Date>,
) -> Result<Period, AnalysisError> {
    let mut v = Violations::default();
    let period = read_period(&mut v, from, to);
    if !v.is_empty() {
        return Err(AnalysisError::InvalidRequest(v.into_vec()));
    }
    Ok(period)
}

/// `created_from` and `created_to` (Brasília days, both inclusive) as `[from, before)`
/// instants; what is wrong with them is added to `v`.
fn read_period(
    v: &mut Violations,
    from: Option<&aval_proto::common::v1::Date>,
    to: Option<&aval_proto::common::v1::Date>,
) -> Period {
    let root = FieldPath::root();
    let mut day = |field: &str, date: Option<&aval_proto::common::v1::Date>| {
        date.and_then(|d| v.check(&root.key(field), calendar_date(d.year, d.month, d.day)))
    };
    let (from, to) = (day("created_from", from), day("created_to", to));
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        v.refuse(
            &root.key("created_to"),
            &Invalid::out_of_range("must not be before created_from"),
        );
    }
    aval_credit::brasilia::period(from, to)
}

/// The performance answer.
pub fn performance(policies: Vec<PolicyPerformance>) -> PerformanceReport {
    let row = |group: &str, counts: &GroupCounts| PerformanceRow {
        group: group.to_owned(),
        count: counts.count,
        with_outcome: counts.with_outcome,
        share_with_outcome: counts.share_with_outcome(),
        defaults: counts.defaults,
        default_rate: counts.default_rate(),
    };
    PerformanceReport {
        policies: policies
            .into_iter()
            .map(|p| PbPolicyPerformance {
                rows: p
                    .performance
                    .groups
                    .iter()
                    .map(|(group, counts)| row(group, counts))
                    .collect(),
                total: Some(row("total", &p.performance.total)),
                ks: p.performance.ks,
                gini: p.performance.gini,
                policy_id: p.policy_id,
                version: p.version,
            })
            .collect(),
    }
}

/// The history answer.
pub fn history(id: &str, steps: Vec<(u32, Event)>) -> AnalysisHistory {
    AnalysisHistory {
        id: id.to_owned(),
        events: steps
            .into_iter()
            .map(|(sequence, e)| AnalysisEvent {
                sequence,
                kind: e.kind.as_str().to_owned(),
                field: e.kind.field().to_owned(),
                from: e.from,
                to: e.to,
                actor_type: e.actor.kind.as_str().to_owned(),
                actor_id: e.actor.id,
                note: e.note,
                challenge: e.challenge.map(|c| c.as_str().to_owned()),
                event_date: e.event_date.map(to_date),
                occurred_at: Some(to_timestamp(e.occurred_at)),
                via_type: e.via.as_ref().map(|v| v.kind.as_str().to_owned()),
                via_id: e.via.map(|v| v.id),
            })
            .collect(),
    }
}

/// The document a list is filtered on, as the analyses keep it: a person's CPF (11 digits
/// once punctuation is gone) as its digits, otherwise a company's CNPJ, canonical.
fn document_filter(input: &str) -> Result<String, Invalid> {
    let digits = input
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '/' | ' '));
    if digits.clone().count() == 11 && digits.clone().all(|c| c.is_ascii_digit()) {
        return aval_credit::Cpf::parse(input)
            .map(|cpf| cpf.digits().to_owned())
            .map_err(Invalid::Cpf);
    }
    cnpj(input).map(|c| c.canonical().to_owned())
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;
    use aval_errors::FieldCode;

    #[test]
    fn page_tokens_round_trip_and_refuse_garbage() {
        let cursor = PageCursor {
            created_at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap_or_default(),
            proposal_id: "id:with:colons".to_owned(),
        };
        assert_eq!(decode_cursor(&encode_cursor(&cursor)), Ok(cursor));
        assert!(decode_cursor("not a token").is_err());
        assert!(decode_cursor(&B64.encode("12x:id")).is_err());
    }

    #[test]
    fn list_days_are_brasilia_days() {
        let query = ListQuery::try_from(&ListAnalysesRequest {
            created_from: Some(aval_proto::common::v1::Date {
                year: 2026,
                month: 11,
                day: 24,
            }),
            created_to: Some(aval_proto::common::v1::Date {
                year: 2026,
                month: 11,
                day: 24,
            }),
            ..ListAnalysesRequest::default()
        });
        let Ok(query) = query else {
            panic!("a valid query");
        };
        assert_eq!(
            query.filter.created_from.map(|t| t.to_rfc3339()),
            Some("2026-11-24T03:00:00+00:00".to_owned())
        );
        assert_eq!(
            query.filter.created_before.map(|t| t.to_rfc3339()),
            Some("2026-11-25T03:00:00+00:00".to_owned())
        );
        assert_eq!(query.page_size, DEFAULT_PAGE_SIZE);
    }

    #[test]
    fn a_list_filters_on_a_cpf_or_a_cnpj() {
        assert_eq!(
            document_filter("199.208.915-92"),
            Ok("19920891592".to_owned())
        );
        assert_eq!(
            document_filter("35.472.523/0001-15"),
            Ok("35472523000115".to_owned())
        );
        assert_eq!(
            document_filter("199.208.915-93").map_err(|e| e.code()),
            Err(FieldCode::InvalidCpf)
        );
    }

    #[test]
    fn every_bad_list_field_is_named() {
        let refused = ListQuery::try_from(&ListAnalysesRequest {
            statuses: vec!["approved".to_owned()],
            created_from: Some(aval_proto::common::v1::Date {
                year: 2026,
                month: 2,
                day: 30,
            }),
            document_number: Some("11.111.111/1111-11".to_owned()),
            page_size: Some(0),
            page_token: Some("garbage!".to_owned()),
            ..ListAnalysesRequest::default()
        });
        let Err(AnalysisError::InvalidRequest(violations)) = refused else {
            panic!("refused");
        };
        let fields: Vec<(&str, FieldCode)> = violations
            .iter()
            .map(|v| (v.field.as_str(), v.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("statuses[0]", FieldCode::InvalidEnum),
                ("created_from", FieldCode::InvalidDate),
                ("document_number", FieldCode::InvalidCnpj),
                ("page_size", FieldCode::OutOfRange),
                ("page_token", FieldCode::InvalidFormat),
            ]
        );
    }
}
