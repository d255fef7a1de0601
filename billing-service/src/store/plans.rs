//! Plans are rows: operators may add or change them.

use crate::domain::quota::Plan;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "billing_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub answer_limit: i64,
    pub period_months: i32,
    pub price_per_answer_cents: i64,
    pub currency: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    fn into_plan(self) -> Plan {
        Plan {
            id: self.id,
            answer_limit: self.answer_limit,
            period_months: u32::try_from(self.period_months).unwrap_or(0),
        }
    }
}

pub async fn find(db: &impl ConnectionTrait, id: &str) -> Result<Option<Plan>, DbErr> {
    Ok(Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(Model::into_plan))
}
