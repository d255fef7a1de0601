//! Delivered answers, deduplicated on their event id.

use crate::domain::usage::{Product, ReportPeriod, ReportRow, UsageEvent};
use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::Set, FromQueryResult, QueryOrder, QuerySelect, TransactionTrait,
    entity::prelude::*, sea_query::OnConflict,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_usage_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    pub tenant_id: String,
    pub product: String,
    pub occurred_at: DateTimeUtc,
    pub day: String,
    pub sandbox: bool,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records `events` in one transaction; an event id already recorded is skipped, so a retried
/// batch is never counted twice. Returns how many were new.
pub async fn record(db: &DatabaseConnection, events: &[UsageEvent]) -> Result<u64, DbErr> {
    if events.is_empty() {
        return Ok(0);
    }
    let now = chrono::Utc::now();
    let models = events.iter().map(|e| ActiveModel {
        event_id: Set(e.event_id.clone()),
        tenant_id: Set(e.tenant_id.clone()),
        product: Set(e.product.as_str().to_owned()),
        occurred_at: Set(e.occurred_at),
        day: Set(e.day()),
        sandbox: Set(e.sandbox),
        recorded_at: Set(now),
    });
    let txn = db.begin().await?;
    let inserted = Entity::insert_many(models)
        .on_conflict(OnConflict::column(Column::EventId).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(inserted)
}

/// Billable (non-sandbox) answers of a tenant delivered in `[from, to)`.
pub async fn count_billable(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    from: DateTimeUtc,
    to: DateTimeUtc,
) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::Sandbox.eq(false))
        .filter(Column::OccurredAt.gte(from))
        .filter(Column::OccurredAt.lt(to))
        .count(db)
        .await
}

#[derive(FromQueryResult)]
struct Grouped {
    day: String,
    product: String,
    answers: i64,
}

/// A tenant's delivered answers by day and product over `period`.
pub async fn report(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    period: ReportPeriod,
) -> Result<Vec<ReportRow>, DbErr> {
    // Days are stored as YYYY-MM-DD text, which sorts as the days do.
    let from = period.from.format("%Y-%m-%d").to_string();
    let to = period.to.format("%Y-%m-%d").to_string();
    let rows = Entity::find()
        .select_only()
        .column(Column::Day)
        .column(Column::Product)
        .column_as(Column::EventId.count(), "answers")
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::Day.gte(from.as_str()))
        .filter(Column::Day.lte(to.as_str()))
        .group_by(Column::Day)
        .group_by(Column::Product)
        .order_by_asc(Column::Day)
        .order_by_asc(Column::Product)
        .into_model::<Grouped>()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let unreadable = |what: &str| DbErr::Custom(format!("usage row with {what}"));
            Ok(ReportRow {
                day: NaiveDate::parse_from_str(&r.day, "%Y-%m-%d")
                    .map_err(|_| unreadable("an unreadable day"))?,
                product: Product::parse(&r.product)
                    .ok_or_else(|| unreadable("an unknown product"))?,
                answers: r.answers,
            })
        })
        .collect()
}
