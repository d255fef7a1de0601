//! Which plan each tenant is on, and for when.

use crate::domain::quota::Subscription;
use sea_orm::{ActiveValue::Set, entity::prelude::*, sea_query::OnConflict};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    pub plan_id: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Puts the tenant on a plan, replacing any earlier subscription.
pub async fn upsert(db: &impl ConnectionTrait, subscription: &Subscription) -> Result<(), DbErr> {
    let model = ActiveModel {
        tenant_id: Set(subscription.tenant_id.clone()),
        plan_id: Set(subscription.plan_id.clone()),
        starts_at: Set(subscription.starts_at),
        ends_at: Set(subscription.ends_at),
    };
    Entity::insert(model)
        .on_conflict(
            OnConflict::column(Column::TenantId)
                .update_columns([Column::PlanId, Column::StartsAt, Column::EndsAt])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
) -> Result<Option<Subscription>, DbErr> {
    Ok(Entity::find_by_id(tenant_id.to_owned())
        .one(db)
        .await?
        .map(|m| Subscription {
            tenant_id: m.tenant_id,
            plan_id: m.plan_id,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
        }))
}
