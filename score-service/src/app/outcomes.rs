//! The lender's reports on the credit granted on delivered answers, and how each model
//! version's answers performed given them.

use super::ScoreApp;
use crate::{
    domain::{
        answer::ScoreAnswer,
        outcome::{self, CreditOutcome, ModelPerformance, OutcomeEvent, Reporter},
    },
    error::ScoreError,
    store,
};
use aval_credit::outcome::ReportRefusal;
use aval_errors::FieldViolation;
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::TransactionTrait;

/// How often a report is tried again when another report on the same answer landed between
/// reading it and writing.
const REPORT_ATTEMPTS: usize = 3;

/// A delivered answer with what became of its credit.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerOutcome {
    /// Exactly as first delivered.
    pub answer: ScoreAnswer,
    pub current: Option<CreditOutcome>,
    /// Every report, numbered, in order.
    pub history: Vec<(u32, OutcomeEvent)>,
}

impl ScoreApp {
    /// The lender (`reporter`) reports what became of the credit granted on the tenant's answer
    /// `answer_id`. The report already standing (a retry) writes nothing.
    pub async fn report_outcome(
        &self,
        tenant_id: &str,
        answer_id: &str,
        next: CreditOutcome,
        reporter: Reporter,
    ) -> Result<AnswerOutcome, ScoreError> {
        for _ in 0..REPORT_ATTEMPTS {
            // Read before the answer: a report landing in between takes this number.
            let sequence = store::outcomes::next_sequence(&self.db, tenant_id, answer_id).await?;
            let (answer, current) =
                store::answers::find_with_outcome(&self.db, answer_id, tenant_id)
                    .await?
                    .ok_or(ScoreError::AnswerNotFound)?;
            let now = Utc::now().trunc_subsecs(6);
            let step = outcome::report(answer.scored_at, current, next, reporter.clone(), now)
                .map_err(|refusal| match refusal {
                    ReportRefusal::Backwards { .. } => {
                        ScoreError::InvalidTransition(refusal.to_string())
                    }
                    ReportRefusal::EventDate(rule) => {
                        ScoreError::InvalidRequest(vec![FieldViolation::new(
                            "event_date",
                            aval_errors::FieldCode::OutOfRange,
                            rule,
                        )])
                    }
                })?;
            let Some(event) = step else {
                return self.with_history(tenant_id, answer, current).await;
            };
            let txn = self.db.begin().await?;
            if store::outcomes::append(&txn, tenant_id, answer_id, sequence, &event).await? {
                store::answers::set_outcome(&txn, tenant_id, answer_id, next).await?;
                txn.commit().await?;
                tracing::info!(
                    answer = %answer_id,
                    tenant = %tenant_id,
                    credit = next.status.as_str(),
                    "score outcome reported"
                );
                return self.with_history(tenant_id, answer, Some(next)).await;
            }
            txn.rollback().await?;
        }
        Err(ScoreError::Contention(answer_id.to_owned()))
    }

    async fn with_history(
        &self,
        tenant_id: &str,
        answer: ScoreAnswer,
        current: Option<CreditOutcome>,
    ) -> Result<AnswerOutcome, ScoreError> {
        let history = store::outcomes::history(&self.db, tenant_id, &answer.answer_id).await?;
        Ok(AnswerOutcome {
            answer,
            current,
            history,
        })
    }

    /// How the tenant's answers delivered in `[from, before)` performed, per model version and
    /// risk band, from the outcomes its lenders reported.
    pub async fn performance(
        &self,
        tenant_id: &str,
        from: Option<DateTime<Utc>>,
        before: Option<DateTime<Utc>>,
    ) -> Result<Vec<ModelPerformance>, ScoreError> {
        let answers = store::answers::scored_outcomes(&self.db, tenant_id, from, before).await?;
        Ok(outcome::performance(&answers))
    }
}
