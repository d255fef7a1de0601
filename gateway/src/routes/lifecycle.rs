//! What follows an analysis's decision, for the tenant's analysts and its lending systems:
//!
//! - `GET /credit_analysis?status=&created_from=&created_to=&document_number=&page_size=&page_token=`:
//!   the analysts' queue, oldest first (`analysis:review`);
//! - `GET /credit_analysis/{id}/details`: the proposal, the decision trace, the partners'
//!   scores and the versions a challenge answer replaced (`analysis:review`);
//! - `POST /credit_analysis/{id}/resolution` `{action, analyst_id, note, credit_limit?,
//!   challenge?}`: approve, reprove or challenge an analysis in manual analysis
//!   (`analysis:review`);
//! - `PUT /credit_analysis/{id}` `{credit_proposal_status, event_date}`: QI's outcome feedback
//!   (`analysis:write`);
//! - `GET /credit_analysis/{id}/history`: every step, who, when and why (`analysis:read`).

use super::{
    Meta,
    analysis::{AnalysisAnswer, client},
    query_day,
};
use crate::{
    AppState,
    dto::{
        analysis::{AnalysisBody, status_name},
        days::format_day,
        outcome::OutcomeBody,
    },
    error::ApiError,
    extract::{JsonBody, Partner},
};
use aval_errors::{ErrorCode, FieldCode, FieldViolation};
use aval_proto::analysis::v1::{
    AnalysisEvent, GetAnalysisRequest, ListAnalysesRequest, ReportCreditOutcomeRequest,
    ResolveAnalysisRequest,
};
use aval_transport::time::rfc3339;
use axum::{
    Json,
    extract::{Path, Query, State},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The list's query string; every value is text so that a bad one is named, not a 400 from
/// the extractor.
#[derive(Deserialize)]
pub struct ListQuery {
    /// Comma-separated statuses.
    status: Option<String>,
    created_from: Option<String>,
    created_to: Option<String>,
    document_number: Option<String>,
    page_size: Option<String>,
    page_token: Option<String>,
}

#[derive(Serialize)]
pub struct ListedAnalysis {
    #[serde(flatten)]
    pub analysis: AnalysisBody,
    /// The company's CNPJ, digits only.
    pub document_number: String,
}

#[derive(Serialize)]
pub struct AnalysisPage {
    pub analyses: Vec<ListedAnalysis>,
    /// Absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    pub meta: Meta,
}

pub async fn list(
    State(state): State<AppState>,
    partner: Partner,
    Query(query): Query<ListQuery>,
) -> Result<Json<AnalysisPage>, ApiError> {
    let mut violations = Vec::new();
    let created_from = query_day(
        "created_from",
        query.created_from.as_deref(),
        &mut violations,
    );
    let created_to = query_day("created_to", query.created_to.as_deref(), &mut violations);
    let page_size = match query.page_size.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                violations.push(FieldViolation::new(
                    "page_size",
                    FieldCode::OutOfRange,
                    "must be a whole number from 1 to 200",
                ));
                None
            }
        },
    };
    if !violations.is_empty() {
        return Err(ApiError::invalid_fields(
            ErrorCode::InvalidArgument,
            "the query is invalid",
            violations,
        ));
    }
    let statuses = query
        .status
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let page = client(&state)
        .list_analyses(partner.request(ListAnalysesRequest {
            tenant_id: String::new(),
            statuses,
            created_from,
            created_to,
            document_number: query.document_number,
            page_size,
            page_token: query.page_token,
        }))
        .await
        .map_err(|status| {
            // The service names `statuses[i]`; here it is the `status` parameter.
            let mut error = ApiError::from(status);
            for violation in &mut error.details {
                if violation.field.starts_with("statuses") {
                    violation.field = "status".to_owned();
                }
            }
            error
        })?
        .into_inner();
    Ok(Json(AnalysisPage {
        analyses: page
            .analyses
            .into_iter()
            .map(|summary| ListedAnalysis {
                analysis: summary.analysis.unwrap_or_default().into(),
                document_number: summary.document_number,
            })
            .collect(),
        next_page_token: Some(page.next_page_token).filter(|t| !t.is_empty()),
        meta: partner.meta(),
    }))
}

#[derive(Serialize)]
pub struct PartnerScoreBody {
    pub document_number: String,
    /// Absent: the platform had no data for the person.
    pub score: Option<i32>,
}

#[derive(Serialize)]
pub struct PolicyBody {
    pub id: String,
    pub version: u32,
}

#[derive(Serialize)]
pub struct RevisionBody {
    /// 1 is the first decision.
    pub revision: u32,
    pub decided_status: String,
    pub reason: String,
    pub decided_at: Option<String>,
    /// The proposal as it was.
    pub proposal: serde_json::Value,
}

#[derive(Serialize)]
pub struct AnalysisDetailsBody {
    pub analysis: AnalysisBody,
    /// The engine's status, before any person looked at it.
    pub decided_status: String,
    /// The proposal as stored: documents as digits, vocabulary canonical.
    pub proposal: serde_json::Value,
    pub partner_scores: Vec<PartnerScoreBody>,
    /// Every rule that fired, reprove rules first.
    pub rules_fired: Vec<String>,
    /// The features the policy read (`null`: no data).
    pub features: BTreeMap<String, Option<f64>>,
    pub policy: PolicyBody,
    /// The versions a challenge answer replaced, oldest first.
    pub revisions: Vec<RevisionBody>,
    pub meta: Meta,
}

pub async fn details(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Json<AnalysisDetailsBody>, ApiError> {
    let details = client(&state)
        .get_analysis_details(partner.request(GetAnalysisRequest {
            id,
            tenant_id: String::new(),
        }))
        .await?
        .into_inner();
    Ok(Json(AnalysisDetailsBody {
        decided_status: status_name(details.decided_status()),
        analysis: details.analysis.unwrap_or_default().into(),
        proposal: serde_json::from_str(&details.proposal_json).unwrap_or_default(),
        partner_scores: details
            .partner_scores
            .into_iter()
            .map(|p| PartnerScoreBody {
                document_number: p.document_number,
                score: p.score,
            })
            .collect(),
        rules_fired: details.rules_fired,
        features: details
            .features
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect(),
        policy: PolicyBody {
            id: details.policy_id,
            version: details.policy_version,
        },
        revisions: details
            .revisions
            .into_iter()
            .map(|r| RevisionBody {
                decided_status: status_name(r.decided_status()),
                revision: r.revision,
                reason: r.reason,
                decided_at: r.decided_at.as_ref().and_then(rfc3339),
                proposal: serde_json::from_str(&r.proposal_json).unwrap_or_default(),
            })
            .collect(),
        meta: partner.meta(),
    }))
}

#[derive(Deserialize)]
pub struct ResolutionBody {
    action: Option<String>,
    analyst_id: Option<String>,
    note: Option<String>,
    /// Integer cents.
    credit_limit: Option<i64>,
    challenge: Option<String>,
}

pub async fn resolve(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ResolutionBody>,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let analysis = client(&state)
        .resolve_analysis(partner.request(ResolveAnalysisRequest {
            tenant_id: String::new(),
            id,
            action: body.action.unwrap_or_default(),
            analyst_id: body.analyst_id.unwrap_or_default(),
            note: body.note.unwrap_or_default(),
            credit_limit_cents: body.credit_limit,
            challenge: body.challenge,
        }))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}

pub async fn report_outcome(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<OutcomeBody>,
) -> Result<Json<AnalysisAnswer>, ApiError> {
    let (credit_proposal_status, event_date) = body.read()?;
    let analysis = client(&state)
        .report_credit_outcome(partner.request(ReportCreditOutcomeRequest {
            tenant_id: String::new(),
            id,
            credit_proposal_status,
            event_date,
        }))
        .await?
        .into_inner();
    Ok(Json(AnalysisAnswer {
        analysis: analysis.into(),
        meta: partner.meta(),
    }))
}

#[derive(Serialize)]
pub struct EventBody {
    pub sequence: u32,
    /// `decided`, `reviewed`, `credit_outcome`.
    pub kind: String,
    /// `analysis_status` or `credit_proposal_status`.
    pub field: String,
    pub from: Option<String>,
    pub to: String,
    pub actor: ActorBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_date: Option<String>,
    pub occurred_at: Option<String>,
}

#[derive(Serialize)]
pub struct ActorBody {
    /// `engine`, `analyst`, `partner`, `operator`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The analyst's id or the client that acted; absent for the engine.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// For an analyst: who relayed the step (`partner` with its client id, or `operator`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<Box<ActorBody>>,
}

impl From<AnalysisEvent> for EventBody {
    fn from(e: AnalysisEvent) -> Self {
        Self {
            sequence: e.sequence,
            kind: e.kind,
            field: e.field,
            from: e.from,
            to: e.to,
            actor: ActorBody {
                kind: e.actor_type,
                id: e.actor_id,
                via: e.via_type.map(|kind| {
                    Box::new(ActorBody {
                        kind,
                        id: e.via_id.unwrap_or_default(),
                        via: None,
                    })
                }),
            },
            note: e.note,
            challenge: e.challenge,
            event_date: e.event_date.as_ref().map(format_day),
            occurred_at: e.occurred_at.as_ref().and_then(rfc3339),
        }
    }
}

#[derive(Serialize)]
pub struct HistoryBody {
    pub id: String,
    pub events: Vec<EventBody>,
    pub meta: Meta,
}

pub async fn history(
    State(state): State<AppState>,
    partner: Partner,
    Path(id): Path<String>,
) -> Result<Json<HistoryBody>, ApiError> {
    let history = client(&state)
        .get_analysis_history(partner.request(GetAnalysisRequest {
            id,
            tenant_id: String::new(),
        }))
        .await?
        .into_inner();
    Ok(Json(HistoryBody {
        id: history.id,
        events: history.events.into_iter().map(EventBody::from).collect(),
        meta: partner.meta(),
    }))
}
