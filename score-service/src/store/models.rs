//! Tenants' published model versions.

use crate::domain::{model::ModelFormat, registry::ModelVersion};
use sea_orm::{
    ActiveValue::Set, Condition, QueryOrder, QuerySelect, entity::prelude::*, sea_query::Expr,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub model_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    pub format: String,
    #[sea_orm(column_type = "Text")]
    pub document: String,
    /// JSON array of feature names.
    #[sea_orm(column_type = "Text")]
    pub features: String,
    pub published_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A stored version and its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredModel {
    pub version: ModelVersion,
    pub document: String,
}

impl TryFrom<Model> for StoredModel {
    type Error = DbErr;

    fn try_from(row: Model) -> Result<Self, DbErr> {
        let format = ModelFormat::parse(&row.format)
            .ok_or_else(|| DbErr::Custom(format!("stored model format `{}`", row.format)))?;
        let features: Vec<String> = serde_json::from_str(&row.features)
            .map_err(|e| DbErr::Custom(format!("stored model features: {e}")))?;
        Ok(Self {
            version: ModelVersion {
                tenant_id: row.tenant_id,
                model_id: row.model_id,
                version: row.version,
                format,
                features,
                published_at: row.published_at,
                retired_at: row.retired_at,
            },
            document: row.document,
        })
    }
}

/// The version the next publication of `model_id` gets.
pub async fn next_version(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    model_id: &str,
) -> Result<i32, DbErr> {
    let latest: Option<i32> = Entity::find()
        .select_only()
        .column_as(Column::Version.max(), "latest")
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::ModelId.eq(model_id))
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten();
    Ok(latest.unwrap_or(0) + 1)
}

/// Stores a version; `false` when that version was taken meanwhile (a concurrent publish).
pub async fn insert(
    db: &impl ConnectionTrait,
    version: &ModelVersion,
    document: &str,
) -> Result<bool, DbErr> {
    let features = serde_json::to_string(&version.features)
        .map_err(|e| DbErr::Custom(format!("model features: {e}")))?;
    let model = ActiveModel {
        tenant_id: Set(version.tenant_id.clone()),
        model_id: Set(version.model_id.clone()),
        version: Set(version.version),
        format: Set(version.format.as_str().to_owned()),
        document: Set(document.to_owned()),
        features: Set(features),
        published_at: Set(version.published_at),
        retired_at: Set(None),
    };
    let inserted = Entity::insert(model)
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                Column::TenantId,
                Column::ModelId,
                Column::Version,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// The versions of `model_id` not retired: all of them, or only `version`.
fn not_retired(tenant_id: &str, model_id: &str, version: Option<i32>) -> Condition {
    let condition = Condition::all()
        .add(Column::TenantId.eq(tenant_id))
        .add(Column::ModelId.eq(model_id))
        .add(Column::RetiredAt.is_null());
    match version {
        Some(version) => condition.add(Column::Version.eq(version)),
        None => condition,
    }
}

/// The number of `version` of `model_id`, or of its active one (the newest not retired);
/// retired versions are not found. Only the number: the document is read when a version is
/// first parsed (versions never change).
pub async fn active_version(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    model_id: &str,
    version: Option<i32>,
) -> Result<Option<i32>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::Version)
        .filter(not_retired(tenant_id, model_id, version))
        .order_by_desc(Column::Version)
        .into_tuple::<i32>()
        .one(db)
        .await
}

/// Exactly `version` of `model_id`, retired or not (a delivered answer's model, for replays).
pub async fn find_version(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    model_id: &str,
    version: i32,
) -> Result<Option<StoredModel>, DbErr> {
    Entity::find_by_id((tenant_id.to_owned(), model_id.to_owned(), version))
        .one(db)
        .await?
        .map(StoredModel::try_from)
        .transpose()
}

/// The tenant's versions, by id then version.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    include_retired: bool,
) -> Result<Vec<ModelVersion>, DbErr> {
    let mut query = Entity::find().filter(Column::TenantId.eq(tenant_id));
    if !include_retired {
        query = query.filter(Column::RetiredAt.is_null());
    }
    query
        .order_by_asc(Column::ModelId)
        .order_by_asc(Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(|row| StoredModel::try_from(row).map(|s| s.version))
        .collect()
}

/// Retires `version` (or every version) of `model_id` not yet retired; returns what it retired.
pub async fn retire(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    model_id: &str,
    version: Option<i32>,
    at: DateTimeUtc,
) -> Result<Vec<ModelVersion>, DbErr> {
    let rows = Entity::find()
        .filter(not_retired(tenant_id, model_id, version))
        .order_by_asc(Column::Version)
        .all(db)
        .await?;
    Entity::update_many()
        .col_expr(Column::RetiredAt, Expr::value(at))
        .filter(not_retired(tenant_id, model_id, version))
        .exec(db)
        .await?;
    let mut retired = Vec::with_capacity(rows.len());
    for row in rows {
        let mut version = StoredModel::try_from(row)?.version;
        version.retired_at = Some(at);
        retired.push(version);
    }
    Ok(retired)
}
