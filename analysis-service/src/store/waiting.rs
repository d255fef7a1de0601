//! Proposals waiting for data, as a queue over `analysis_analyses`: a worker takes a due one
//! by setting it `pending` until its claim lapses (so replicas never decide one twice, and one
//! that died holding it frees it), then settles it decided, or hands it back to wait longer.

use super::analyses::{AnalysisRecord, Column, Entity};
use crate::{
    domain::{analysis::Analysis, decision::AnalysisStatus, lifecycle::Event},
    error::AnalysisError,
    store::events,
};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{QueryOrder, QuerySelect, entity::prelude::*};

const WAITING: AnalysisStatus = AnalysisStatus::WaitingForData;
const PENDING: AnalysisStatus = AnalysisStatus::Pending;

/// A waiting proposal a worker holds until `lease_until`.
pub struct Claimed {
    pub tenant_id: String,
    pub record: AnalysisRecord,
    /// The client that submitted it: whom score-service is asked for.
    pub requested_by: String,
    /// Tries made before this one.
    pub attempts: u32,
    pub lease_until: DateTime<Utc>,
}

/// Up to `limit` proposals due at `now` (waiting, or pending with a lapsed claim), as
/// (tenant, proposal id), the longest overdue first.
pub async fn due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(String, String)>, AnalysisError> {
    Ok(Entity::find()
        .select_only()
        .column(Column::TenantId)
        .column(Column::ProposalId)
        .filter(Column::Status.is_in([WAITING.as_str(), PENDING.as_str()]))
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// Takes the tenant's proposal `proposal_id` if it is still due at `now`, holding it `pending`
/// until `lease_until`; `None` when it is not (decided, or another worker holds it).
pub async fn claim(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal_id: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Claimed>, AnalysisError> {
    // Compared for equality when settling: as every engine stores it.
    let lease_until = lease_until.trunc_subsecs(6);
    let taken = Entity::update_many()
        .col_expr(Column::Status, Expr::value(PENDING.as_str()))
        .col_expr(Column::NextAttemptAt, Expr::value(lease_until))
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ProposalId.eq(proposal_id))
        .filter(Column::Status.is_in([WAITING.as_str(), PENDING.as_str()]))
        .filter(Column::NextAttemptAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    if taken != 1 {
        return Ok(None);
    }
    let Some(row) = Entity::find_by_id((tenant_id.to_owned(), proposal_id.to_owned()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Claimed {
        tenant_id: tenant_id.to_owned(),
        requested_by: row.requested_by.clone().unwrap_or_default(),
        attempts: row
            .attempts
            .and_then(|a| u32::try_from(a).ok())
            .unwrap_or(0),
        record: AnalysisRecord::try_from(row)?,
        lease_until,
    }))
}

/// Stores the decision on a claimed proposal with the step that records it, if the claim
/// still holds; `Ok(false)` when it lapsed and another worker took the proposal.
pub async fn settle(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    analysis: &Analysis,
    step: &Event,
) -> Result<bool, AnalysisError> {
    let id = analysis.id.as_str();
    let settled = Entity::update_many()
        .col_expr(Column::Status, Expr::value(analysis.status.as_str()))
        .col_expr(
            Column::Decision,
            Expr::value(serde_json::to_value(&analysis.decision)?),
        )
        .col_expr(Column::UpdatedAt, Expr::value(analysis.updated_at))
        .col_expr(
            Column::NextAttemptAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(held(claimed, id))
        .exec(db)
        .await?
        .rows_affected;
    if settled != 1 {
        return Ok(false);
    }
    let sequence = events::next_sequence(db, &claimed.tenant_id, id).await?;
    events::append(db, &claimed.tenant_id, id, sequence, step).await
}

/// Hands a claimed proposal back to wait: tried again at `next_attempt_at`, `attempts` made.
/// Nothing happens when the claim lapsed (another worker has it now).
pub async fn release(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    attempts: u32,
    next_attempt_at: DateTime<Utc>,
) -> Result<(), AnalysisError> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(WAITING.as_str()))
        .col_expr(
            Column::Attempts,
            Expr::value(i32::try_from(attempts).unwrap_or(i32::MAX)),
        )
        .col_expr(Column::NextAttemptAt, Expr::value(next_attempt_at))
        .filter(held(claimed, claimed.record.stored.analysis.id.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Rows of the claimed proposal, while this claim holds it.
fn held(claimed: &Claimed, proposal_id: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(Column::TenantId.eq(claimed.tenant_id.as_str()))
        .add(Column::ProposalId.eq(proposal_id))
        .add(Column::Status.eq(PENDING.as_str()))
        .add(Column::NextAttemptAt.eq(claimed.lease_until))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::{
        analysis::{CanonicalProposal, StoredAnalysis},
        decision::tests::{decide, policy, qi_proposal, scores},
        lifecycle::EventKind,
        proposal::ProposalKind,
    };
    use crate::store::{Migrator, analyses, analyses::Retry};
    use aval_testkit::{TestDatabase, TestResult, db_test};
    use chrono::Duration;

    /// Two workers (replicas) never hold one proposal at once; a claim that lapsed is taken
    /// over, and its holder can then neither decide nor hand it back; the decision is stored
    /// once, with its step after the wait.
    async fn one_worker_at_a_time_decides_a_waiting_proposal(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let proposal = qi_proposal();
        let canonical = CanonicalProposal::of(&proposal)?;
        let received = Utc::now().trunc_subsecs(6) - Duration::minutes(5);
        let stored = StoredAnalysis {
            analysis: Analysis::waiting(proposal.id.clone(), ProposalKind::LegalPerson, received),
            fingerprint: canonical.fingerprint.clone(),
        };
        let retry = Retry {
            requested_by: "lender-client".to_owned(),
            attempts: 0,
            next_attempt_at: received + Duration::seconds(1),
        };
        assert!(analyses::insert(&conn, "lender", &canonical.json, &stored, Some(&retry)).await?);
        let id = proposal.id.as_str();
        let undecided = analyses::find(&conn, "lender", id).await?.unwrap();
        assert_eq!(undecided.analysis.status, AnalysisStatus::WaitingForData);
        assert_eq!(undecided.analysis.decision, None);

        assert!(due(&conn, received, 10).await?.is_empty(), "not due yet");
        let now = received + Duration::seconds(2);
        assert_eq!(
            due(&conn, now, 10).await?,
            [("lender".to_owned(), id.to_owned())]
        );
        let first = claim(&conn, "lender", id, now, now + Duration::seconds(30))
            .await?
            .expect("due");
        assert_eq!(first.requested_by, "lender-client");
        assert_eq!(first.record.stored.analysis.status, AnalysisStatus::Pending);
        assert!(
            claim(&conn, "lender", id, now, now + Duration::seconds(30))
                .await?
                .is_none(),
            "held by the first worker"
        );
        assert!(due(&conn, now, 10).await?.is_empty());

        // The first worker stalls past its claim: a second takes the proposal over.
        let later = now + Duration::seconds(31);
        let second = claim(&conn, "lender", id, later, later + Duration::seconds(30))
            .await?
            .expect("the claim lapsed");
        let mut decided = first.record.stored.analysis.clone();
        let decision = decide(&policy(), &proposal, &scores(Some(800), Some(700)));
        let step = decided.decide_late(decision, later)?;
        assert!(
            !settle(&conn, &first, &decided, &step).await?,
            "its claim lapsed"
        );
        release(&conn, &first, 1, later).await?;
        assert_eq!(
            analyses::find(&conn, "lender", id)
                .await?
                .unwrap()
                .analysis
                .status,
            AnalysisStatus::Pending,
            "the stale worker cannot hand back what it no longer holds"
        );

        // The second hands it back once (scores still unavailable), then decides it.
        release(&conn, &second, 1, later + Duration::seconds(2)).await?;
        let waiting = analyses::find(&conn, "lender", id).await?.unwrap();
        assert_eq!(waiting.analysis.status, AnalysisStatus::WaitingForData);
        let at = later + Duration::seconds(3);
        let third = claim(&conn, "lender", id, at, at + Duration::seconds(30))
            .await?
            .expect("due again");
        assert_eq!(third.attempts, 1);
        assert!(settle(&conn, &third, &decided, &step).await?);
        let found = analyses::find(&conn, "lender", id).await?.unwrap();
        assert_eq!(found.analysis, decided);
        assert!(due(&conn, at + Duration::days(1), 10).await?.is_empty());

        let steps = events::history(&conn, "lender", id).await?;
        let kinds: Vec<_> = steps.iter().map(|(n, e)| (*n, e.kind)).collect();
        assert_eq!(kinds, [(1, EventKind::Received), (2, EventKind::Decided)]);
        assert_eq!(steps[1].1.from.as_deref(), Some("waiting_for_data"));
        assert_eq!(steps[1].1.to, decided.status.as_str());
        Ok(())
    }
    db_test!(one_worker_at_a_time_decides_a_waiting_proposal);
}
