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
        decision::Decision,
        proposal::ProposalId,
    },
    error::AnalysisError,
};
use sea_orm::{ActiveValue::Set, SqlErr, entity::prelude::*};

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
    pub status: String,
    pub decision: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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
    Entity::find_by_id((tenant_id.to_owned(), proposal_id.to_owned()))
        .one(db)
        .await?
        .map(StoredAnalysis::try_from)
        .transpose()
}

/// Inserts the tenant's analysis of a proposal (its canonical JSON); `Ok(false)` when one with
/// that key already exists (a concurrent submission of the same proposal id won).
pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    proposal: &serde_json::Value,
    stored: &StoredAnalysis,
) -> Result<bool, AnalysisError> {
    let analysis = &stored.analysis;
    let model = ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        proposal_id: Set(analysis.id.as_str().to_owned()),
        proposal_hash: Set(stored.fingerprint.as_str().to_owned()),
        proposal: Set(proposal.clone()),
        status: Set(analysis.decision.status.as_str().to_owned()),
        decision: Set(serde_json::to_value(&analysis.decision)?),
        created_at: Set(analysis.created_at),
        updated_at: Set(analysis.updated_at),
    };
    match Entity::insert(model).exec_without_returning(db).await {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err.into()),
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
        let decision: Decision = serde_json::from_value(row.decision.clone())
            .map_err(|e| corrupt("decision", e.to_string()))?;
        Ok(Self {
            analysis: Analysis {
                id,
                decision,
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
        decision::{
            decide,
            tests::{policy, qi_proposal, scores},
        },
        proposal::Proposal,
    };
    use crate::store::Migrator;
    use aval_testkit::{TestDatabase, TestResult, db_test};
    use base64::{Engine, engine::general_purpose::STANDARD as B64};
    use chrono::{SubsecRound, Utc};

    fn analysis_of(proposal: &Proposal) -> StoredAnalysis {
        let now = Utc::now().trunc_subsecs(6);
        let mut decision = decide(&policy(), proposal, &scores(Some(800), Some(700)));
        // A number serde_json's default float parser reads back one unit off.
        decision.probability_of_default = 0.025_641_025_641_025_654;
        StoredAnalysis {
            analysis: Analysis {
                id: proposal.id.clone(),
                decision,
                created_at: now,
                updated_at: now,
            },
            fingerprint: Fingerprint::of(proposal).unwrap(),
        }
    }

    async fn analyses_replay_exactly_and_are_kept_readable(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let proposal = qi_proposal();
        let stored = analysis_of(&proposal);
        let json = CanonicalProposal::of(&proposal)?.json;

        assert!(insert(&conn, "lender", &json, &stored).await?);
        assert!(
            !insert(&conn, "lender", &json, &stored).await?,
            "the key is taken"
        );
        let found = find(&conn, "lender", "12345678").await?.expect("stored");
        assert_eq!(found, stored);
        assert_eq!(
            found.analysis.decision.probability_of_default.to_bits(),
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
        };
        Entity::insert(legacy).exec_without_returning(&conn).await?;

        let found = find(&conn, "lender", "12345678").await?.expect("stored");
        let decision = &found.analysis.decision;
        assert_eq!(decision.probability_of_default, 0.034);
        assert_eq!(decision.justification[0].impact, 80.0);
        assert_eq!(decision.status, stored.analysis.decision.status);
        assert_eq!(found.analysis.created_at, stored.analysis.created_at);
        // Its fingerprint is of the old encoding: never equal to a JSON one, so a resubmission
        // of that id is a conflict, never another body's old answer.
        assert_ne!(found.fingerprint, stored.fingerprint);
        Ok(())
    }
    db_test!(rows_written_before_json_proposals_still_answer);
}
