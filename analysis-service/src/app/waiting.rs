//! Proposals that waited for data: every replica's worker takes the due ones, asks
//! score-service for their partners' scores again (as analysis-service, for the tenant and
//! client that submitted them: the partner's token is long gone), and decides and bills each
//! whose scores arrive; the others wait longer, backing off.

use super::{PolicyRegistry, usage};
use crate::{
    domain::{decision::decide, proposal::Proposal},
    error::AnalysisError,
    peers::{OnBehalf, ScoreClient},
    store::{
        OUTBOX,
        waiting::{self, Claimed},
    },
};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::{sync::Arc, time::Duration};
use tokio_util::sync::CancellationToken;

/// How often the worker looks for due proposals.
const POLL: Duration = Duration::from_secs(1);
/// How many due proposals one look takes.
const BATCH: u64 = 32;
/// How long a worker holds a proposal `pending`: past it (the worker died), another takes it.
/// Longer than the scores' deadline and a decision together.
const LEASE: chrono::Duration = chrono::Duration::seconds(30);
/// The longest a waiting proposal goes untried.
const MAX_BACKOFF_SECS: i64 = 300;

/// When a proposal tried `attempts` times is tried again, from now: 1 s, 2 s, 4 s, … up to
/// five minutes.
pub fn backoff(attempts: u32) -> chrono::Duration {
    chrono::Duration::seconds(1_i64 << attempts.min(9))
        .min(chrono::Duration::seconds(MAX_BACKOFF_SECS))
}

/// Decides the proposals that waited for data.
pub struct WaitingRoom {
    db: DatabaseConnection,
    policies: Arc<PolicyRegistry>,
    scores: ScoreClient,
}

/// What became of one due proposal.
#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    Decided,
    /// Its scores are still unavailable: it waits longer.
    Waits,
    /// Another worker holds it, or took it over.
    Elsewhere,
}

impl WaitingRoom {
    pub fn new(db: DatabaseConnection, policies: Arc<PolicyRegistry>, scores: ScoreClient) -> Self {
        Self {
            db,
            policies,
            scores,
        }
    }

    /// Looks for due proposals every second until `stop`.
    pub async fn run(self, stop: CancellationToken) {
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(POLL) => {}
            }
            if let Err(error) = self.decide_due(Utc::now(), &stop).await {
                tracing::warn!(%error, "waiting proposals not looked at; will retry");
            }
        }
    }

    /// Tries every proposal due at `now` once, until `stop`; answers how many were decided.
    pub async fn decide_due(
        &self,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> Result<usize, AnalysisError> {
        let mut decided = 0;
        for (tenant_id, id) in waiting::due(&self.db, now, BATCH).await? {
            if stop.is_cancelled() {
                break;
            }
            match self.try_one(&tenant_id, &id).await {
                Ok(Attempt::Decided) => decided += 1,
                Ok(Attempt::Waits | Attempt::Elsewhere) => {}
                // Said loudly, so an operator sees a proposal that cannot be decided; the others
                // of the batch are still tried.
                Err(error) => {
                    tracing::error!(
                        %error,
                        analysis = %id,
                        tenant = %tenant_id,
                        "waiting proposal not decided"
                    );
                }
            }
        }
        Ok(decided)
    }

    /// Claims one due proposal (its lease counted from now: a batch may take a while) and
    /// tries it; a failure other than its scores' keeps it waiting, backing off.
    async fn try_one(&self, tenant_id: &str, id: &str) -> Result<Attempt, AnalysisError> {
        let now = Utc::now();
        let Some(claimed) = waiting::claim(&self.db, tenant_id, id, now, now + LEASE).await? else {
            return Ok(Attempt::Elsewhere);
        };
        match self.attempt(&claimed).await {
            Ok(attempt) => Ok(attempt),
            Err(error) => {
                self.wait_longer(&claimed).await?;
                Err(error)
            }
        }
    }

    async fn attempt(&self, claimed: &Claimed) -> Result<Attempt, AnalysisError> {
        let record = &claimed.record;
        let analysis = &record.stored.analysis;
        let proposal =
            Proposal::from_canonical_json(record.kind, &record.proposal, record.received_at)
                .map_err(|e| {
                    AnalysisError::Corrupt(format!(
                        "waiting proposal `{}`: {e}",
                        analysis.id.as_str()
                    ))
                })?;
        let on_behalf = OnBehalf::Named {
            tenant_id: &claimed.tenant_id,
            client_id: &claimed.requested_by,
        };
        let scores = match self
            .scores
            .scores(proposal.scored_documents(), &on_behalf)
            .await
        {
            Ok(scores) => scores,
            Err(AnalysisError::ScoresUnavailable) => {
                self.wait_longer(claimed).await?;
                return Ok(Attempt::Waits);
            }
            Err(error) => return Err(error),
        };
        // The version active when the data arrives decides it: the decision is made now.
        let policy = self
            .policies
            .active(&claimed.tenant_id, record.kind)
            .await?;
        let now = Utc::now().trunc_subsecs(6);
        let mut decided = analysis.clone();
        let step = decided
            .decide_late(decide(&policy, &proposal, &scores), now)
            .map_err(AnalysisError::InvalidTransition)?;
        let txn = self.db.begin().await?;
        if !waiting::settle(&txn, claimed, &decided, &step).await? {
            txn.rollback().await?;
            return Ok(Attempt::Elsewhere);
        }
        OUTBOX
            .enqueue(&txn, &usage(&claimed.tenant_id, &decided, now))
            .await?;
        txn.commit().await?;
        tracing::info!(
            analysis = %analysis.id.as_str(),
            tenant = %claimed.tenant_id,
            status = decided.status.as_str(),
            attempts = claimed.attempts + 1,
            "analysis decided after waiting for data"
        );
        Ok(Attempt::Decided)
    }

    async fn wait_longer(&self, claimed: &Claimed) -> Result<(), AnalysisError> {
        let attempts = claimed.attempts.saturating_add(1);
        let next = Utc::now().trunc_subsecs(6) + backoff(attempts);
        waiting::release(&self.db, claimed, attempts, next).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let seconds: Vec<i64> = [0, 1, 2, 3, 8, 9, 10, 40, u32::MAX]
            .into_iter()
            .map(|n| backoff(n).num_seconds())
            .collect();
        assert_eq!(seconds, [1, 2, 4, 8, 256, 300, 300, 300, 300]);
    }
}
