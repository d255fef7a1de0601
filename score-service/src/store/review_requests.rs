//! Consumers' review requests, each with its steps.

use crate::domain::rights::{ReviewEvent, ReviewOutcome, ReviewRequest, ReviewStatus};
use aval_credit::Cpf;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_review_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub tenant_id: String,
    pub document: String,
    pub answer_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub status: String,
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub events: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn corrupt(what: &str) -> DbErr {
    DbErr::Custom(format!("stored review request: {what}"))
}

impl TryFrom<Model> for ReviewRequest {
    type Error = DbErr;

    fn try_from(row: Model) -> Result<Self, DbErr> {
        Ok(Self {
            cpf: Cpf::parse(&row.document).map_err(|_| corrupt("document"))?,
            status: ReviewStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?,
            outcome: row
                .outcome
                .map(|o| ReviewOutcome::parse(&o).ok_or_else(|| corrupt("outcome")))
                .transpose()?,
            events: serde_json::from_str::<Vec<ReviewEvent>>(&row.events)
                .map_err(|_| corrupt("events"))?,
            id: row.id,
            tenant_id: row.tenant_id,
            answer_id: row.answer_id,
            reason: row.reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn active(request: &ReviewRequest) -> Result<ActiveModel, DbErr> {
    Ok(ActiveModel {
        id: Set(request.id.clone()),
        tenant_id: Set(request.tenant_id.clone()),
        document: Set(request.cpf.digits().to_owned()),
        answer_id: Set(request.answer_id.clone()),
        reason: Set(request.reason.clone()),
        status: Set(request.status.as_str().to_owned()),
        outcome: Set(request.outcome.map(|o| o.as_str().to_owned())),
        events: Set(serde_json::to_string(&request.events).map_err(|_| corrupt("events"))?),
        created_at: Set(request.created_at),
        updated_at: Set(request.updated_at),
    })
}

pub async fn insert(db: &impl ConnectionTrait, request: &ReviewRequest) -> Result<(), DbErr> {
    Entity::insert(active(request)?)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Saves an answered request, if it was still open (`false` when someone answered first).
pub async fn save_answer(
    db: &impl ConnectionTrait,
    request: &ReviewRequest,
) -> Result<bool, DbErr> {
    let updated = Entity::update_many()
        .set(active(request)?)
        .filter(Column::Id.eq(&request.id))
        .filter(Column::TenantId.eq(&request.tenant_id))
        .filter(Column::Status.eq(ReviewStatus::Open.as_str()))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// `id`, if it is `tenant_id`'s.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    id: &str,
) -> Result<Option<ReviewRequest>, DbErr> {
    Entity::find_by_id(id.to_owned())
        .filter(Column::TenantId.eq(tenant_id))
        .one(db)
        .await?
        .map(ReviewRequest::try_from)
        .transpose()
}

/// One page of `tenant_id`'s requests, oldest first, after the cursor `after` (an id).
pub async fn page(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    status: Option<ReviewStatus>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<ReviewRequest>, DbErr> {
    let mut query = Entity::find().filter(Column::TenantId.eq(tenant_id));
    if let Some(status) = status {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(Column::Id.gt(after));
    }
    query
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(ReviewRequest::try_from)
        .collect()
}
