//! The features each tenant declared for its models and data.

use crate::domain::model::feature::{FeatureCatalog, FeatureDeclaration, FeatureKind};
use sea_orm::{ActiveValue::Set, QueryOrder, entity::prelude::*, sea_query::OnConflict};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_features")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub display_name: Option<String>,
    pub kind: String,
    pub declared_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The tenant's own declarations (without the platform's).
pub async fn catalog(db: &impl ConnectionTrait, tenant_id: &str) -> Result<FeatureCatalog, DbErr> {
    let rows = Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .order_by_asc(Column::Name)
        .all(db)
        .await?;
    let mut catalog = FeatureCatalog::default();
    for row in rows {
        let kind = FeatureKind::parse(&row.kind)
            .ok_or_else(|| DbErr::Custom(format!("stored feature kind `{}`", row.kind)))?;
        let declaration = FeatureDeclaration::new(&row.name, row.display_name.as_deref(), kind)
            .map_err(|e| DbErr::Custom(format!("stored feature `{}`: {e}", row.name)))?;
        catalog
            .declare(declaration)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    Ok(catalog)
}

/// Stores new declarations (a name already declared is left as it is).
pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    declarations: &[FeatureDeclaration],
) -> Result<(), DbErr> {
    if declarations.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let models = declarations.iter().map(|d| ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        name: Set(d.name().to_owned()),
        display_name: Set(d.display_name().map(str::to_owned)),
        kind: Set(d.kind().name().to_owned()),
        declared_at: Set(now),
    });
    Entity::insert_many(models)
        .on_conflict(
            OnConflict::columns([Column::TenantId, Column::Name])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
