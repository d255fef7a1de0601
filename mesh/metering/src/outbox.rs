//! The usage outbox: written in the answer's transaction, shipped to billing in batches.

use crate::Product;
use aval_proto::usage::v1::{RecordUsageRequest, UsageEvent, usage_client::UsageClient};
use aval_transport::{client::MeshChannel, shutdown::CancellationToken, time::to_timestamp};
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, FromQueryResult, TransactionTrait,
    sea_query::{
        Alias, Expr, ExprTrait, Index, LockBehavior, LockType, OnConflict, Order, Query, Table,
    },
};
use sea_orm_migration::{
    MigrationName, MigrationTrait, SchemaManager, async_trait,
    schema::{boolean, integer, string, timestamp_with_time_zone, timestamp_with_time_zone_null},
};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Events sent to billing per call.
const BATCH: u64 = 500;
/// How often the shipper looks for pending events.
const INTERVAL: Duration = Duration::from_millis(200);
/// Immediate attempts of a flush while billing's channel reconnects.
const FLUSH_ATTEMPTS: u32 = 3;
/// Longest wait between attempts while billing is unreachable.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// One delivered answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageRecord {
    /// Unique per delivered answer; the same answer delivered again keeps its id.
    pub event_id: String,
    pub tenant_id: String,
    pub product: Product,
    pub occurred_at: DateTime<Utc>,
    pub sandbox: bool,
}

/// The columns an outbox row carries for its [`UsageRecord`], in the order written and read.
fn record_columns() -> [Alias; 5] {
    ["event_id", "tenant_id", "product", "occurred_at", "sandbox"].map(Alias::new)
}

/// A service's usage outbox table.
#[derive(Clone, Copy, Debug)]
pub struct Outbox {
    table: &'static str,
}

#[derive(FromQueryResult)]
struct Row {
    event_id: String,
    tenant_id: String,
    product: i32,
    occurred_at: DateTime<Utc>,
    sandbox: bool,
}

impl Outbox {
    pub const fn new(table: &'static str) -> Self {
        Self { table }
    }

    fn table(&self) -> Alias {
        Alias::new(self.table)
    }

    /// Adds `record` unless its event id is already there. Call it inside the transaction that
    /// stores the answer.
    pub async fn enqueue(
        &self,
        conn: &impl ConnectionTrait,
        record: &UsageRecord,
    ) -> Result<(), DbErr> {
        let insert = Query::insert()
            .into_table(self.table())
            .columns(record_columns())
            .values([
                record.event_id.clone().into(),
                record.tenant_id.clone().into(),
                i32::from(record.product.to_pb()).into(),
                record.occurred_at.into(),
                record.sandbox.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .on_conflict(
                OnConflict::column(Alias::new("event_id"))
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned();
        conn.execute(&insert).await?;
        Ok(())
    }

    /// Events not yet acknowledged by billing, oldest first.
    pub async fn pending(
        &self,
        conn: &impl ConnectionTrait,
        limit: u64,
    ) -> Result<Vec<UsageRecord>, DbErr> {
        self.select_pending(conn, limit, false).await
    }

    /// [`Outbox::pending`], and on PostgreSQL the rows are locked for the caller's transaction
    /// and rows another replica's shipper holds are skipped (`FOR UPDATE SKIP LOCKED`): two
    /// replicas on one database never ship the same batch. SQLite has one writer and one
    /// replica; its rows are not locked.
    async fn claim(
        &self,
        conn: &impl ConnectionTrait,
        limit: u64,
    ) -> Result<Vec<UsageRecord>, DbErr> {
        self.select_pending(conn, limit, true).await
    }

    async fn select_pending(
        &self,
        conn: &impl ConnectionTrait,
        limit: u64,
        lock: bool,
    ) -> Result<Vec<UsageRecord>, DbErr> {
        let mut select = Query::select()
            .columns(record_columns())
            .from(self.table())
            .and_where(Expr::col(Alias::new("shipped_at")).is_null())
            .order_by(Alias::new("occurred_at"), Order::Asc)
            .limit(limit)
            .to_owned();
        let backend = conn.get_database_backend();
        if lock && backend == DbBackend::Postgres {
            select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = Row::find_by_statement(backend.build(&select))
            .all(conn)
            .await?;
        rows.into_iter()
            .map(|r| {
                let product = Product::from_pb(r.product).ok_or_else(|| {
                    DbErr::Custom(format!(
                        "outbox event {} has product {}",
                        r.event_id, r.product
                    ))
                })?;
                Ok(UsageRecord {
                    event_id: r.event_id,
                    tenant_id: r.tenant_id,
                    product,
                    occurred_at: r.occurred_at,
                    sandbox: r.sandbox,
                })
            })
            .collect()
    }

    async fn mark_shipped(&self, conn: &impl ConnectionTrait, ids: &[String]) -> Result<(), DbErr> {
        let update = Query::update()
            .table(self.table())
            .value(Alias::new("shipped_at"), Utc::now())
            .and_where(Expr::col(Alias::new("event_id")).is_in(ids.iter().cloned()))
            .to_owned();
        conn.execute(&update).await?;
        Ok(())
    }

    /// The background job that ships this outbox to billing, and the handle that asks it to
    /// flush.
    pub fn shipper(self, db: DatabaseConnection, billing: MeshChannel) -> (Shipper, OutboxHandle) {
        let (flushes, requests) = mpsc::channel(16);
        let shipper = Shipper {
            outbox: self,
            db,
            billing: UsageClient::new(billing),
            requests,
        };
        (shipper, OutboxHandle { flushes })
    }

    /// The migration creating this outbox table.
    pub fn migration(&self) -> OutboxMigration {
        OutboxMigration { table: self.table }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    #[error("outbox database: {0}")]
    Db(#[from] DbErr),
    #[error("billing: {0}")]
    Billing(#[from] tonic::Status),
    #[error("the outbox shipper has stopped")]
    Stopped,
}

/// A flush request: answered with how many events billing acknowledged.
type FlushReply = oneshot::Sender<Result<usize, ShipError>>;

/// Asks a running [`Shipper`] to ship everything pending now.
#[derive(Clone, Debug)]
pub struct OutboxHandle {
    flushes: mpsc::Sender<FlushReply>,
}

impl OutboxHandle {
    /// Ships every event pending now and returns how many billing acknowledged, once it has:
    /// after `Ok`, billing counts everything delivered before the call. Fails while billing is
    /// unreachable (the events stay in the outbox).
    pub async fn flush(&self) -> Result<usize, ShipError> {
        let (reply, answer) = oneshot::channel();
        self.flushes
            .send(reply)
            .await
            .map_err(|_| ShipError::Stopped)?;
        answer.await.map_err(|_| ShipError::Stopped)?
    }
}

/// The job that ships an outbox to billing: every [`INTERVAL`] (at once while a full batch
/// waits), with backoff while billing is unreachable, and on demand through [`OutboxHandle`].
pub struct Shipper {
    outbox: Outbox,
    db: DatabaseConnection,
    billing: UsageClient<MeshChannel>,
    requests: mpsc::Receiver<FlushReply>,
}

impl Shipper {
    /// Sends one batch of pending events to billing; returns how many were acknowledged.
    /// Billing deduplicates, so a batch re-sent after a lost acknowledgement counts once. On
    /// PostgreSQL the batch is claimed in a transaction held until billing acknowledged it, so
    /// replicas sharing the database ship disjoint batches; if billing fails, the rollback
    /// releases the rows for the next attempt, by any replica.
    async fn ship_once(&mut self) -> Result<usize, ShipError> {
        if self.db.get_database_backend() == DbBackend::Postgres {
            let txn = self.db.begin().await?;
            let shipped = Self::ship_batch(&self.outbox, &mut self.billing, &txn).await?;
            txn.commit().await?;
            Ok(shipped)
        } else {
            Self::ship_batch(&self.outbox, &mut self.billing, &self.db).await
        }
    }

    async fn ship_batch(
        outbox: &Outbox,
        billing: &mut UsageClient<MeshChannel>,
        conn: &impl ConnectionTrait,
    ) -> Result<usize, ShipError> {
        let pending = outbox.claim(conn, BATCH).await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let events = pending
            .iter()
            .map(|r| UsageEvent {
                event_id: r.event_id.clone(),
                tenant_id: r.tenant_id.clone(),
                product: r.product.to_pb().into(),
                occurred_at: Some(to_timestamp(r.occurred_at)),
                sandbox: r.sandbox,
            })
            .collect();
        billing.record_usage(RecordUsageRequest { events }).await?;
        let ids: Vec<String> = pending.into_iter().map(|r| r.event_id).collect();
        outbox.mark_shipped(conn, &ids).await?;
        Ok(ids.len())
    }

    /// [`Shipper::drain`] for a flush request: a channel whose billing just came back may fail
    /// its first call on the dead connection, so an unavailable billing is tried again at once,
    /// a few times, before the flush fails.
    async fn flush(&mut self) -> Result<usize, ShipError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.drain().await {
                Err(ShipError::Billing(status))
                    if status.code() == tonic::Code::Unavailable && attempts < FLUSH_ATTEMPTS =>
                {
                    tracing::debug!(%status, "billing unavailable during a flush; trying again");
                }
                result => return result,
            }
        }
    }

    /// Ships until nothing is pending; the total acknowledged.
    async fn drain(&mut self) -> Result<usize, ShipError> {
        let mut total = 0;
        loop {
            match self.ship_once().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// Ships until `stop` is cancelled, then makes a last, bounded attempt to flush: what is
    /// left stays in the outbox for the next start.
    pub async fn run(mut self, stop: CancellationToken) {
        let mut backoff = INTERVAL;
        let mut wait = Duration::ZERO;
        loop {
            tokio::select! {
                () = stop.cancelled() => break,
                Some(reply) = self.requests.recv() => {
                    let _ = reply.send(self.flush().await);
                    continue;
                }
                () = tokio::time::sleep(wait) => {}
            }
            wait = match self.ship_once().await {
                Ok(n) if n as u64 == BATCH => Duration::ZERO,
                Ok(_) => {
                    backoff = INTERVAL;
                    INTERVAL
                }
                Err(error) => {
                    tracing::warn!(%error, outbox = self.outbox.table, "usage not shipped yet; will retry");
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    backoff
                }
            };
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), self.drain()).await;
    }
}

/// Creates a usage outbox table (for `aval_database::migrator!`).
pub struct OutboxMigration {
    table: &'static str,
}

impl MigrationName for OutboxMigration {
    fn name(&self) -> &str {
        "m20261124_000100_usage_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OutboxMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Alias::new(self.table);
        manager
            .create_table(
                Table::create()
                    .table(table.clone())
                    .if_not_exists()
                    .col(string(Alias::new("event_id")).primary_key())
                    .col(string(Alias::new("tenant_id")))
                    .col(integer(Alias::new("product")))
                    .col(timestamp_with_time_zone(Alias::new("occurred_at")))
                    .col(boolean(Alias::new("sandbox")))
                    .col(timestamp_with_time_zone_null(Alias::new("shipped_at")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(format!("{}_pending", self.table))
                    .table(table)
                    .col(Alias::new("shipped_at"))
                    .col(Alias::new("occurred_at"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(self.table)).to_owned())
            .await
    }
}
