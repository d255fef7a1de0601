//! Metering from the delivering side (score-service, analysis-service), over the
//! `aval.usage.v1` contract with billing-service:
//!
//! - [`Outbox`]: each delivered answer's usage event is written to the service's own outbox
//!   table in the same transaction as the answer; a shipper sends batches to billing, which
//!   deduplicates on the event id. Billing being down delays usage but never loses it,
//!   doubles it, or slows an answer. [`OutboxHandle::flush`] ships what is pending now and
//!   returns once billing has acknowledged it.
//! - [`QuotaGate`]: the quota check before work starts, through a short-lived cache of
//!   billing's answer.

mod outbox;
mod product;
mod quota;

pub use outbox::{Outbox, OutboxHandle, OutboxMigration, ShipError, Shipper, UsageRecord};
pub use product::Product;
pub use quota::{QuotaGate, QuotaVerdict};
