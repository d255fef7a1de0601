//! Analyses, one per (tenant, proposal id): the proposal as received (its canonical JSON,
//! readable by an auditor), its fingerprint, and the decision with everything needed to
//! explain it (policy id and version, partner scores, reasons).
//!
//! Rows written before proposals were kept as JSON hold `{"encoding": "protobuf/…;base64",
//! "data": …}` in `proposal` and the SHA-256 of those protobuf bytes as their fingerprint.
//! Nothing here reads the `proposal` column back, so such rows answer as before; a retry of
//! one compares fingerprints computed differently, and is answered as a conflict (the safe
//! side: a different body never gets an old answer).

use crate::{
    domain::{
        analysis::{Analysis, Fingerprint, StoredAnalysis},
        decision::{AnalysisStatus, Decision},
        lifecycle::{CreditOutcome, CreditProposalStatus, Review},
        proposal::{ProposalId, ProposalKind},
    },
    error::AnalysisError,
    store::events,
};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect, SqlErr, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "analysis_analyses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub proposal_id: String,
    /// The proposal's [`Fingerprint`].
    pub proposal_hash: String,
    pub proposal: Json,
    /// Where the analysis stands now (the decision's status until a person acts).
    pub status: String,
    pub decision: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub document_number: Option<String>,
    pub review: Option<Json>,
    pub credit_proposal_status: Option<String>,
    pub credit_event_date: Option<Date>,
    /// When the stored proposal was received; absent: `created_at`.
    pub received_at: Option<DateTimeUtc>,
    /// `legal_person` or `natural_person`.
    pub kind: String,
    /// A waiting proposal's retries so far (absent: decided at once).
    pub attempts: Option<i32>,
    /// When a waiting proposal is tried next, or a `pending` one's claim lapses.
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The client that submitted a waiting proposal.
    pub requested_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The tenant's analysis of `proposal_id`, if there is one.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<Option<StoredAnalysis>, AnalysisError> {
    find_row(db, tenant_id, proposal_id)
        .await?
        .map(StoredAnalysis::try_from)
        .transpose()
}

/// An analysis with the proposal as stored (canonical JSON), its kind, when that proposal was
/// received, and the applicant's document (a company's CNPJ, a person's CPF).
pub struct AnalysisRecord {
    pub stored: StoredAnalysis,
    pub proposal: serde_json::Value,
    pub kind: ProposalKind,
    /// What an undated proposal's request date was: pass it to
    /// [`Proposal::from_canonical_json`](crate::domain::proposal::Proposal::from_canonical_json).
    pub received_at: DateTime<Utc>,
    pub document_number: Option<String>,
}

/// The tenant's analysis of `proposal_id` with its proposal.
pub async fn find_record(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<Option<AnalysisRecord>, AnalysisError> {
    find_row(db, tenant_id, proposal_id)
        .await?
        .map(AnalysisRecord::try_from)
        .transpose()
}

async fn find_row(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
) -> Result<Option<Model>, AnalysisError> {
    Ok(
        Entity::find_by_id((tenant_id.to_owned(), proposal_id.to_owned()))
            .one(db)
            .await?,
    )
}

/// When a proposal that waits for data is tried again, and for whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retry {
    /// The client that submitted it: whom score-service is asked for later.
    pub requested_by: String,
    /// Tries made since it was received.
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
}

/// Inserts the tenant's analysis of a proposal (its canonical JSON) with its first step (its
/// decision, or, with `retry`, its wait for data); `Ok(false)` when one with that key already
/// exists (a concurrent submission of the same proposal id won).
pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal: &serde_json::Value,
    stored: &StoredAnalysis,
    retry: Option<&Retry>,
) -> Result<bool, AnalysisError> {
    let analysis = &stored.analysis;
    let model = ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        proposal_id: Set(analysis.id.as_str().to_owned()),
        proposal_hash: Set(stored.fingerprint.as_str().to_owned()),
        proposal: Set(proposal.clone()),
        status: Set(analysis.status.as_str().to_owned()),
        decision: Set(serde_json::to_value(&analysis.decision)?),
        created_at: Set(analysis.created_at),
        updated_at: Set(analysis.updated_at),
        document_number: Set(proposal["document_number"].as_str().map(str::to_owned)),
        review: Set(None),
        credit_proposal_status: Set(None),
        credit_event_date: Set(None),
        // A first version is received when its analysis is created.
        received_at: Set(None),
        kind: Set(analysis.kind.as_str().to_owned()),
        attempts: Set(retry.map(|r| i32::try_from(r.attempts).unwrap_or(i32::MAX))),
        next_attempt_at: Set(retry.map(|r| r.next_attempt_at)),
        requested_by: Set(retry.map(|r| r.requested_by.clone())),
    };
    match Entity::insert(model).exec_without_returning(db).await {
        Ok(_) => {}
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Ok(false);
        }
        Err(err) => return Err(err.into()),
    }
    events::append(
        db,
        tenant_id,
        analysis.id.as_str(),
        1,
        &analysis.first_event(),
    )
    .await?;
    Ok(true)
}

/// Adopts analyses written without the lifecycle (before it existed, or by an older replica
/// during a rolling upgrade): each gets its `decided` step and its CNPJ from the stored
/// proposal. Idempotent, and safe beside other replicas doing the same: run at every start.
pub async fn adopt_earlier(db: &impl ConnectionTrait) -> Result<(), AnalysisError> {
    let backend = db.get_database_backend();
    let json_text = |column: &str, key: &str| match backend {
        sea_orm::DbBackend::Postgres => format!("{column}->>'{key}'"),
        _ => format!("json_extract({column}, '$.{key}')"),
    };
    db.execute_raw(sea_orm::Statement::from_string(
        backend,
        format!(
            "INSERT INTO analysis_events (tenant_id, proposal_id, sequence, kind, from_status, \
             to_status, actor_type, actor_id, note, occurred_at) \
             SELECT a.tenant_id, a.proposal_id, 1, 'decided', NULL, a.status, 'engine', '', {}, \
             a.created_at FROM analysis_analyses a WHERE NOT EXISTS (SELECT 1 FROM \
             analysis_events e WHERE e.tenant_id = a.tenant_id AND e.proposal_id = \
             a.proposal_id) ON CONFLICT DO NOTHING",
            json_text("a.decision", "reason")
        ),
    ))
    .await?;
    db.execute_raw(sea_orm::Statement::from_string(
        backend,
        format!(
            "UPDATE analysis_analyses SET document_number = {} WHERE document_number IS NULL",
            json_text("proposal", "document_number")
        ),
    ))
    .await?;
    Ok(())
}

/// Saves where `analysis` stands now (status, review, credit outcome) together with the step
/// that took it there, numbered `sequence`. `Ok(false)` when another step took that number
/// first: the caller read a state that is gone and must read again.
pub async fn save_step(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    analysis: &Analysis,
    sequence: u32,
    step: &crate::domain::lifecycle::Event,
) -> Result<bool, AnalysisError> {
    if !events::append(db, tenant_id, analysis.id.as_str(), sequence, step).await? {
        return Ok(false);
    }
    let review = analysis
        .review
        .as_ref()
        .map(serde_json::to_value)
        .transpose()?;
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(analysis.status.as_str()))
        .col_expr(Column::Review, Expr::value(review))
        .col_expr(
            Column::CreditProposalStatus,
            Expr::value(analysis.credit_outcome.map(|c| c.status.as_str())),
        )
        .col_expr(
            Column::CreditEventDate,
            Expr::value(analysis.credit_outcome.map(|c| c.event_date)),
        )
        .col_expr(Column::UpdatedAt, Expr::value(analysis.updated_at))
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(analysis.id.as_str()))
        .exec(db)
        .await?;
    Ok(true)
}

/// A challenge answer's new version of an analysis: the completed proposal (canonical JSON),
/// its fingerprint and when it was received (the decision is the analysis's), and the version
/// it replaces, decided at `replaced_decided_at`.
pub struct NewVersion<'a> {
    pub proposal: &'a serde_json::Value,
    pub fingerprint: &'a Fingerprint,
    pub received_at: DateTime<Utc>,
    pub replaces: &'a AnalysisRecord,
    pub replaced_decided_at: DateTime<Utc>,
}

/// Like [`save_step`] for a challenge answer: keeps the version it replaces in
/// `analysis_revisions` and stores the new proposal and decision.
pub async fn save_new_version(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    analysis: &Analysis,
    version: NewVersion<'_>,
    sequence: u32,
    step: &crate::domain::lifecycle::Event,
) -> Result<bool, AnalysisError> {
    let before = version.replaces;
    if !save_step(db, tenant_id, analysis, sequence, step).await? {
        return Ok(false);
    }
    let id = analysis.id.as_str();
    crate::store::revisions::keep(db, tenant_id, before, version.replaced_decided_at).await?;
    Entity::update_many()
        .col_expr(Column::Proposal, Expr::value(version.proposal.clone()))
        .col_expr(
            Column::ProposalHash,
            Expr::value(version.fingerprint.as_str()),
        )
        .col_expr(
            Column::Decision,
            Expr::value(serde_json::to_value(&analysis.decision)?),
        )
        .col_expr(
            Column::DocumentNumber,
            Expr::value(version.proposal["document_number"].as_str()),
        )
        .col_expr(Column::ReceivedAt, Expr::value(version.received_at))
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(id))
        .exec(db)
        .await?;
    Ok(true)
}

/// The tenant's `limit` most recent analyses of `kind` with their proposals, newest first.
pub async fn latest(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    kind: ProposalKind,
    limit: u64,
) -> Result<Vec<AnalysisRecord>, AnalysisError> {
    Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::Kind.eq(kind.as_str()))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::ProposalId)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(AnalysisRecord::try_from)
        .collect()
}

/// Every analysis of the tenant created in `[from, before)`: the engine's decision and what
/// the lender last reported of the credit.
pub async fn decisions_and_outcomes(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    from: Option<DateTime<Utc>>,
    before: Option<DateTime<Utc>>,
) -> Result<Vec<(Decision, Option<CreditProposalStatus>)>, AnalysisError> {
    let query = Entity::find().filter(Column::TenantId.eq(tenant_id));
    aval_database::within(query, Column::CreatedAt, (from, before))
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| {
            let stored = match StoredAnalysis::try_from(row) {
                Ok(stored) => stored,
                Err(error) => return Some(Err(error)),
            };
            let outcome = stored.analysis.credit_outcome.map(|c| c.status);
            // A proposal still waiting for data has no decision to judge yet.
            stored
                .analysis
                .decision
                .map(|decision| Ok((decision, outcome)))
        })
        .collect()
}

/// What an analyst's list is narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Any of these statuses; empty: every status.
    pub statuses: Vec<AnalysisStatus>,
    pub created_from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub created_before: Option<DateTime<Utc>>,
    pub document_number: Option<String>,
}

/// Where a page starts: after the analysis created at `created_at` with id `proposal_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor {
    pub created_at: DateTime<Utc>,
    pub proposal_id: String,
}

/// Up to `limit` of the tenant's analyses matching `filter`, oldest first (ties by id),
/// after `after`, each with the company's CNPJ.
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    filter: &ListFilter,
    after: Option<&PageCursor>,
    limit: u64,
) -> Result<Vec<(StoredAnalysis, Option<String>)>, AnalysisError> {
    let mut query = Entity::find().filter(Column::TenantId.eq(tenant_id));
    if !filter.statuses.is_empty() {
        query = query.filter(Column::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if let Some(from) = filter.created_from {
        query = query.filter(Column::CreatedAt.gte(from));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(Column::CreatedAt.lt(before));
    }
    if let Some(document) = &filter.document_number {
        query = query.filter(Column::DocumentNumber.eq(document.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(
            Condition::any()
                .add(Column::CreatedAt.gt(after.created_at))
                .add(
                    Condition::all()
                        .add(Column::CreatedAt.eq(after.created_at))
                        .add(Column::ProposalId.gt(after.proposal_id.as_str())),
                ),
        );
    }
    query
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::ProposalId)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let document = row.document_number.clone();
            StoredAnalysis::try_from(row).map(|stored| (stored, document))
        })
        .collect()
}

impl TryFrom<Model> for AnalysisRecord {
    type Error = AnalysisError;

    fn try_from(mut row: Model) -> Result<Self, Self::Error> {
        let proposal = std::mem::take(&mut row.proposal);
        let document_number = row.document_number.clone();
        let received_at = row.received_at.unwrap_or(row.created_at);
        let stored = StoredAnalysis::try_from(row)?;
        Ok(Self {
            kind: stored.analysis.kind,
            stored,
            proposal,
            received_at,
            document_number,
        })
    }
}

impl TryFrom<Model> for StoredAnalysis {
    type Error = AnalysisError;

    fn try_from(row: Model) -> Result<Self, Self::Error> {
        let corrupt = |what: &str, why: String| {
            AnalysisError::Corrupt(format!(
                "analysis `{}` of tenant `{}`: {what}: {why}",
                row.proposal_id, row.tenant_id
            ))
        };
        let id = ProposalId::parse(&row.proposal_id).map_err(|e| corrupt("id", e.to_string()))?;
        // JSON `null` while the proposal waits for data.
        let decision: Option<Decision> = serde_json::from_value(row.decision.clone())
            .map_err(|e| corrupt("decision", e.to_string()))?;
        let status =
            AnalysisStatus::parse(&row.status).map_err(|e| corrupt("status", e.to_string()))?;
        let kind = ProposalKind::parse(&row.kind).map_err(|e| corrupt("kind", e.to_string()))?;
        let review: Option<Review> = row
            .review
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| corrupt("review", e.to_string()))?;
        let credit_outcome = match (&row.credit_proposal_status, row.credit_event_date) {
            (Some(status), Some(event_date)) => Some(CreditOutcome {
                status: CreditProposalStatus::parse(status)
                    .map_err(|e| corrupt("credit_proposal_status", e.to_string()))?,
                event_date,
            }),
            _ => None,
        };
        Ok(Self {
            analysis: Analysis {
                id,
                kind,
                decision,
                status,
                review,
                credit_outcome,
                created_at: row.created_at,
                updated_at: row.updated_at,
            },
            fingerprint: Fingerprint::from_hex(row.proposal_hash),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::{
        analysis::CanonicalProposal,
        decision::tests::{decide, policy, qi_proposal, scores},
        proposal::LegalPersonProposal,
    };
    use crate::store::Migrator;
    use aval_testkit::{TestDatabase, TestResult, db_test};
    use base64::{Engine, engine::general_purpose::STANDARD as B64};
    use chrono::{SubsecRound, Utc};

    fn analysis_of(proposal: &LegalPersonProposal) -> StoredAnalysis {
        let now = Utc::now().trunc_subsecs(6);
        let mut decision = decide(&policy(), proposal, &scores(Some(800), Some(700)));
        // A number serde_json's default float parser reads back one unit off.
        decision.probability_of_default = 0.025_641_025_641_025_654;
        StoredAnalysis {
            analysis: Analysis::decided(
                proposal.id.clone(),
                ProposalKind::LegalPerson,
                decision,
                now,
            ),
            fingerprint: Fingerprint::of(proposal).unwrap(),
        }
    }

    async fn analyses_replay_exactly_and_are_kept_readable(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let proposal = qi_proposal();
        let stored = analysis_of(&proposal);
        let json = CanonicalProposal::of(&proposal)?.json;

        assert!(insert(&conn, "lender", &json, &stored, None).await?);
        assert!(
            !insert(&conn, "lender", &json, &stored, None).await?,
            "the key is taken"
        );
        let found = find(&conn, "lender", "12345678").await?.expect("stored");
        assert_eq!(found, stored);
        assert_eq!(
            found
                .analysis
                .decision
                .as_ref()
                .unwrap()
                .probability_of_default
                .to_bits(),
            0.025_641_025_641_025_654_f64.to_bits()
        );
        assert_eq!(find(&conn, "other-tenant", "12345678").await?, None);

        // The proposal column is the proposal as received, in JSON an auditor can read.
        let row = Entity::find_by_id(("lender".to_owned(), "12345678".to_owned()))
            .one(&conn)
            .await?
            .expect("row");
        assert_eq!(row.proposal["document_number"], "35472523000115");
        assert_eq!(row.proposal["credit_type"], "student_loan");
        assert_eq!(
            row.proposal["credit_request_date"],
            "2021-03-31T10:30:00-03:00"
        );
        assert_eq!(
            row.proposal["shareholders"][0]["document_number"],
            "26102646231"
        );
        assert_eq!(row.proposal["financial"]["amount"], 100_000);
        assert_eq!(
            row.proposal["warrants"][0]["forced_selling_value"],
            60_000_000
        );
        assert_eq!(row.status, "automatically_approved");
        Ok(())
    }
    db_test!(analyses_replay_exactly_and_are_kept_readable);

    /// A row as written before proposals were stored as JSON: the proposal's protobuf bytes in
    /// base64, and the decision's numbers as plain JSON numbers.
    async fn rows_written_before_json_proposals_still_answer(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let stored = analysis_of(&qi_proposal());
        let mut decision = serde_json::to_value(&stored.analysis.decision)?;
        decision["probability_of_default"] = serde_json::json!(0.034);
        decision["justification"][0]["impact"] = serde_json::json!(80.0);
        let legacy = ActiveModel {
            tenant_id: Set("lender".to_owned()),
            proposal_id: Set("12345678".to_owned()),
            proposal_hash: Set(
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_owned(),
            ),
            proposal: Set(serde_json::json!({
                "encoding": "protobuf/aval.analysis.v1.LegalPersonProposal;base64",
                "data": B64.encode(b"\n\x0812345678"),
            })),
            status: Set("automatically_approved".to_owned()),
            decision: Set(decision),
            created_at: Set(stored.analysis.created_at),
            updated_at: Set(stored.analysis.updated_at),
            ..<ActiveModel as Default>::default()
        };
        Entity::insert(legacy).exec_without_returning(&conn).await?;

        let found = find(&conn, "lender", "12345678").await?.expect("stored");
        let decision = found.analysis.decision.as_ref().unwrap();
        assert_eq!(decision.probability_of_default, 0.034);
        assert_eq!(decision.justification[0].impact, 80.0);
        assert_eq!(
            decision.status,
            stored.analysis.decision.as_ref().unwrap().status
        );
        assert_eq!(found.analysis.created_at, stored.analysis.created_at);
        // Its fingerprint is of the old encoding: never equal to a JSON one, so a resubmission
        // of that id is a conflict, never another body's old answer.
        assert_ne!(found.fingerprint, stored.fingerprint);
        Ok(())
    }
    db_test!(rows_written_before_json_proposals_still_answer);

    /// A proposal like the QI example under another id, company and creation time.
    fn stored_as(
        id: &str,
        cnpj: &str,
        at: chrono::DateTime<Utc>,
    ) -> (serde_json::Value, StoredAnalysis) {
        let mut proposal = qi_proposal();
        proposal.id = ProposalId::parse(id).unwrap();
        proposal.document = aval_credit::Cnpj::parse(cnpj).unwrap();
        let mut stored = analysis_of(&proposal);
        stored.analysis.created_at = at;
        stored.analysis.updated_at = at;
        (CanonicalProposal::of(&proposal).unwrap().json, stored)
    }

    async fn pages_are_ordered_filtered_and_never_cross_tenants(db: TestDatabase) -> TestResult {
        use crate::domain::decision::AnalysisStatus as S;
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let t0 = Utc::now().trunc_subsecs(6) - chrono::Duration::days(3);
        let other_company = "11222333000181";
        // Three share a creation instant: ties are ordered by id, and a page may end inside
        // them.
        let rows = [
            ("c", "35472523000115", t0, S::InManualAnalysis),
            ("a", "35472523000115", t0, S::InManualAnalysis),
            ("b", other_company, t0, S::AutomaticallyApproved),
            (
                "d",
                "35472523000115",
                t0 + chrono::Duration::days(2),
                S::InManualAnalysis,
            ),
        ];
        for (id, cnpj, at, status) in rows {
            let (json, mut stored) = stored_as(id, cnpj, at);
            stored.analysis.status = status;
            assert!(insert(&conn, "lender", &json, &stored, None).await?);
        }
        let (json, stored) = stored_as("z", "35472523000115", t0);
        assert!(insert(&conn, "other-tenant", &json, &stored, None).await?);

        let ids = |page: &[(StoredAnalysis, Option<String>)]| -> Vec<String> {
            page.iter()
                .map(|(s, _)| s.analysis.id.as_str().to_owned())
                .collect()
        };
        let all = ListFilter::default();
        let first = page(&conn, "lender", &all, None, 2).await?;
        assert_eq!(ids(&first), ["a", "b"]);
        let cursor = PageCursor {
            created_at: first[1].0.analysis.created_at,
            proposal_id: "b".to_owned(),
        };
        let second = page(&conn, "lender", &all, Some(&cursor), 2).await?;
        assert_eq!(ids(&second), ["c", "d"]);

        let queue = ListFilter {
            statuses: vec![S::InManualAnalysis],
            ..ListFilter::default()
        };
        assert_eq!(
            ids(&page(&conn, "lender", &queue, None, 10).await?),
            ["a", "c", "d"]
        );
        let company = ListFilter {
            document_number: Some(other_company.to_owned()),
            ..ListFilter::default()
        };
        let found = page(&conn, "lender", &company, None, 10).await?;
        assert_eq!(ids(&found), ["b"]);
        assert_eq!(found[0].1.as_deref(), Some(other_company));
        let recent = ListFilter {
            created_from: Some(t0 + chrono::Duration::days(1)),
            ..ListFilter::default()
        };
        assert_eq!(ids(&page(&conn, "lender", &recent, None, 10).await?), ["d"]);
        let early = ListFilter {
            created_before: Some(t0 + chrono::Duration::days(1)),
            ..ListFilter::default()
        };
        assert_eq!(
            ids(&page(&conn, "lender", &early, None, 10).await?),
            ["a", "b", "c"]
        );
        assert_eq!(
            ids(&page(&conn, "other-tenant", &all, None, 10).await?),
            ["z"]
        );
        Ok(())
    }
    db_test!(pages_are_ordered_filtered_and_never_cross_tenants);

    async fn a_step_is_saved_once_with_its_number(db: TestDatabase) -> TestResult {
        use crate::domain::lifecycle::{EventKind, Resolution};
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let (json, mut stored) = stored_as("p-1", "35472523000115", Utc::now().trunc_subsecs(6));
        stored.analysis.status = crate::domain::decision::AnalysisStatus::InManualAnalysis;
        assert!(insert(&conn, "lender", &json, &stored, None).await?);
        assert_eq!(events::next_sequence(&conn, "lender", "p-1").await?, 2);

        let mut analysis = stored.analysis.clone();
        let resolution =
            Resolution::parse("approve", "ana", "guarantor is solid", Some(50_000), None).unwrap();
        let step = analysis
            .resolve(
                resolution,
                100_000,
                crate::domain::lifecycle::Actor {
                    kind: crate::domain::lifecycle::ActorType::Operator,
                    id: "operator".to_owned(),
                },
                Utc::now().trunc_subsecs(6),
            )
            .unwrap();
        assert!(save_step(&conn, "lender", &analysis, 2, &step).await?);
        // A writer that read the same state finds its number taken.
        assert!(!save_step(&conn, "lender", &analysis, 2, &step).await?);

        let found = find(&conn, "lender", "p-1")
            .await?
            .expect("stored")
            .analysis;
        assert_eq!(found, analysis, "status, review and limit as saved");
        assert_eq!(found.credit_limit_cents(), Some(50_000));
        let history = events::history(&conn, "lender", "p-1").await?;
        let kinds: Vec<(u32, EventKind)> = history.iter().map(|(n, e)| (*n, e.kind)).collect();
        assert_eq!(kinds, [(1, EventKind::Decided), (2, EventKind::Reviewed)]);
        assert_eq!(history[1].1, step);
        assert!(
            events::history(&conn, "other-tenant", "p-1")
                .await?
                .is_empty()
        );
        Ok(())
    }
    db_test!(a_step_is_saved_once_with_its_number);

    /// Analyses decided before the lifecycle existed get their `decided` step and their CNPJ
    /// (from the stored proposal), so the queue and the history cover them too.
    async fn earlier_analyses_join_the_lifecycle(db: TestDatabase) -> TestResult {
        use sea_orm_migration::MigratorTrait;
        let conn = aval_database::connect(&db.url).await?;
        // The analyses table and the outbox, as before this release.
        Migrator::up(&conn, Some(2)).await?;
        let (json, stored) = stored_as("old-1", "35472523000115", Utc::now().trunc_subsecs(6));
        use sea_orm::sea_query::{Alias, Query};
        let at = stored.analysis.created_at;
        let insert = Query::insert()
            .into_table(Alias::new("analysis_analyses"))
            .columns(
                [
                    "tenant_id",
                    "proposal_id",
                    "proposal_hash",
                    "proposal",
                    "status",
                    "decision",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                "lender".into(),
                "old-1".into(),
                stored.fingerprint.as_str().into(),
                json.into(),
                "automatically_approved".into(),
                serde_json::to_value(&stored.analysis.decision)?.into(),
                at.into(),
                at.into(),
            ])
            .to_owned();
        conn.execute_raw(conn.get_database_backend().build(&insert))
            .await?;
        Migrator::up(&conn, None).await?;
        adopt_earlier(&conn).await?;
        adopt_earlier(&conn).await?;

        let history = events::history(&conn, "lender", "old-1").await?;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].1.to, "automatically_approved");
        assert_eq!(history[0].1.occurred_at, at);
        assert_eq!(
            history[0].1.note.as_deref(),
            stored.analysis.decision.as_ref().map(|d| d.reason.as_str())
        );
        let found = page(
            &conn,
            "lender",
            &ListFilter {
                document_number: Some("35472523000115".to_owned()),
                ..ListFilter::default()
            },
            None,
            10,
        )
        .await?;
        assert_eq!(found.len(), 1, "the CNPJ was carried over");

        // Everything since the analyses table and the outbox can be rolled back and applied
        // again (the lifecycle's down drops its indexes first: SQLite drops no indexed column).
        let since_lifecycle = u32::try_from(Migrator::migrations().len() - 2)?;
        Migrator::down(&conn, Some(since_lifecycle)).await?;
        Migrator::up(&conn, None).await?;
        assert!(Migrator::get_pending_migrations(&conn).await?.is_empty());
        Ok(())
    }
    db_test!(earlier_analyses_join_the_lifecycle);

    /// A challenge answer's version keeps its own receipt time: an undated answer is read back
    /// dated when it arrived, not when the analysis began.
    async fn a_new_version_keeps_when_it_was_received(db: TestDatabase) -> TestResult {
        use crate::domain::lifecycle::{Actor, ActorType, Resolution};
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let began = Utc::now().trunc_subsecs(6) - chrono::Duration::days(40);
        let (json, mut stored) = stored_as("c-1", "35472523000115", began);
        stored.analysis.status = crate::domain::decision::AnalysisStatus::InManualAnalysis;
        assert!(insert(&conn, "lender", &json, &stored, None).await?);
        let before = find_record(&conn, "lender", "c-1").await?.expect("stored");
        assert_eq!(
            before.received_at, began,
            "a first version is received at creation"
        );

        let operator = Actor {
            kind: ActorType::Operator,
            id: "operator".to_owned(),
        };
        let mut analysis = before.stored.analysis.clone();
        let challenge = Resolution::parse("challenge", "bia", "more", None, Some("other"));
        let step = analysis
            .resolve(challenge.unwrap(), 100_000, operator.clone(), began)
            .unwrap();
        assert!(save_step(&conn, "lender", &analysis, 2, &step).await?);
        let challenged = find_record(&conn, "lender", "c-1").await?.expect("stored");

        let answered_at = Utc::now().trunc_subsecs(6);
        let (new_json, new_stored) = stored_as("c-1", "11222333000181", answered_at);
        let step = analysis
            .redecide(
                new_stored.analysis.decision.clone().unwrap(),
                operator,
                answered_at,
            )
            .unwrap();
        let version = NewVersion {
            proposal: &new_json,
            fingerprint: &new_stored.fingerprint,
            received_at: answered_at,
            replaces: &challenged,
            replaced_decided_at: began,
        };
        assert!(save_new_version(&conn, "lender", &analysis, version, 3, &step).await?);
        let after = find_record(&conn, "lender", "c-1").await?.expect("stored");
        assert_eq!(after.received_at, answered_at);
        assert_eq!(after.proposal["document_number"], "11222333000181");
        assert_eq!(
            after.stored.analysis.created_at, began,
            "the analysis began then"
        );
        let kept = crate::store::revisions::list(&conn, "lender", "c-1").await?;
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].proposal["document_number"], "35472523000115");
        Ok(())
    }
    db_test!(a_new_version_keeps_when_it_was_received);
}
