//! Consumer profiles: a tenant's own, or the platform's shared data (tenant id `""`).

use crate::domain::{ProfileOwner, profile::ConsumerProfile};
use aval_credit::Cpf;
use sea_orm::{ActiveValue::Set, QueryOrder, entity::prelude::*, sea_query::OnConflict};

/// The tenant id the platform's shared profiles are stored under.
const SHARED: &str = "";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "score_consumer_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub document: String,
    pub months_as_customer: i32,
    pub on_time_payment_ratio: f64,
    pub late_payments12m: i32,
    pub average_monthly_spend_cents: i64,
    pub active_lines: i32,
    pub has_bank_account: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    fn into_profile(self, cpf: Cpf) -> ConsumerProfile {
        ConsumerProfile {
            cpf,
            months_as_customer: u32::try_from(self.months_as_customer).unwrap_or(0),
            on_time_payment_ratio: self.on_time_payment_ratio,
            late_payments_12m: u32::try_from(self.late_payments12m).unwrap_or(0),
            average_monthly_spend_cents: self.average_monthly_spend_cents,
            active_lines: u32::try_from(self.active_lines).unwrap_or(0),
            has_bank_account: self.has_bank_account,
        }
    }
}

/// The tenant's own profile of `cpf`, else the platform's shared one.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    cpf: &Cpf,
) -> Result<Option<ConsumerProfile>, DbErr> {
    let found = Entity::find()
        .filter(Column::Document.eq(cpf.digits()))
        .filter(Column::TenantId.is_in([tenant_id, SHARED]))
        // The tenant's own (non-empty id) sorts after the shared one.
        .order_by_desc(Column::TenantId)
        .one(db)
        .await?;
    Ok(found.map(|m| m.into_profile(cpf.clone())))
}

/// Inserts or replaces profiles of `owner`.
pub async fn upsert(
    db: &impl ConnectionTrait,
    owner: &ProfileOwner,
    profiles: &[ConsumerProfile],
) -> Result<(), DbErr> {
    let tenant_id = match owner {
        ProfileOwner::Shared => SHARED,
        ProfileOwner::Tenant(id) => id.as_str(),
    };
    let now = chrono::Utc::now();
    for p in profiles {
        let to_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        let model = ActiveModel {
            tenant_id: Set(tenant_id.to_owned()),
            document: Set(p.cpf.digits().to_owned()),
            months_as_customer: Set(to_i32(p.months_as_customer)),
            on_time_payment_ratio: Set(p.on_time_payment_ratio),
            late_payments12m: Set(to_i32(p.late_payments_12m)),
            average_monthly_spend_cents: Set(p.average_monthly_spend_cents),
            active_lines: Set(to_i32(p.active_lines)),
            has_bank_account: Set(p.has_bank_account),
            updated_at: Set(now),
        };
        Entity::insert(model)
            .on_conflict(
                OnConflict::columns([Column::TenantId, Column::Document])
                    .update_columns([
                        Column::MonthsAsCustomer,
                        Column::OnTimePaymentRatio,
                        Column::LatePayments12m,
                        Column::AverageMonthlySpendCents,
                        Column::ActiveLines,
                        Column::HasBankAccount,
                        Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(db)
            .await?;
    }
    Ok(())
}
