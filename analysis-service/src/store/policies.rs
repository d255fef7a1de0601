//! A tenant's policy versions (documents as published, never changed) and which one decides
//! its new proposals of each kind.

use crate::{domain::proposal::ProposalKind, error::AnalysisError};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, QueryOrder, SqlErr, entity::prelude::*, sea_query::OnConflict};

pub mod versions {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "analysis_policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub policy_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub version: i32,
        pub document: String,
        pub published_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod active {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "analysis_active_policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub tenant_id: String,
        /// The proposals it decides: `legal_person` or `natural_person`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        pub policy_id: String,
        pub version: i32,
        pub activated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A published version, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    pub policy_id: String,
    pub version: u32,
    pub document: String,
    pub published_at: DateTime<Utc>,
}

/// A version as its column holds it; `None` for one no policy can have (loading refuses
/// versions above `i32::MAX`).
fn column(version: u32) -> Option<i32> {
    i32::try_from(version).ok()
}

fn stored_version(value: i32) -> Result<u32, AnalysisError> {
    u32::try_from(value)
        .map_err(|_| AnalysisError::Corrupt(format!("policy version {value} is stored")))
}

impl TryFrom<versions::Model> for StoredVersion {
    type Error = AnalysisError;

    fn try_from(row: versions::Model) -> Result<Self, AnalysisError> {
        Ok(Self {
            version: stored_version(row.version)?,
            policy_id: row.policy_id,
            document: row.document,
            published_at: row.published_at,
        })
    }
}

/// Stores a version; `Ok(false)` when the tenant already has that id and version.
pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    version: &StoredVersion,
) -> Result<bool, AnalysisError> {
    let number = column(version.version).ok_or_else(|| {
        AnalysisError::Corrupt(format!("policy version {} out of range", version.version))
    })?;
    let model = versions::ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        policy_id: Set(version.policy_id.clone()),
        version: Set(number),
        document: Set(version.document.clone()),
        published_at: Set(version.published_at),
    };
    match versions::Entity::insert(model)
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err.into()),
    }
}

/// The tenant's version `policy_id` `version`, if published.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    policy_id: &str,
    version: u32,
) -> Result<Option<StoredVersion>, AnalysisError> {
    let Some(version) = column(version) else {
        return Ok(None);
    };
    versions::Entity::find_by_id((tenant_id.to_owned(), policy_id.to_owned(), version))
        .one(db)
        .await?
        .map(StoredVersion::try_from)
        .transpose()
}

/// Every version the tenant published, by id then version.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: &str,
) -> Result<Vec<StoredVersion>, AnalysisError> {
    versions::Entity::find()
        .filter(versions::Column::TenantId.eq(tenant_id))
        .order_by_asc(versions::Column::PolicyId)
        .order_by_asc(versions::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(StoredVersion::try_from)
        .collect()
}

/// The version deciding the tenant's new proposals of `kind`: `None` for Aval's default.
pub async fn active(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    kind: ProposalKind,
) -> Result<Option<(String, u32)>, AnalysisError> {
    active::Entity::find_by_id((tenant_id.to_owned(), kind.as_str().to_owned()))
        .one(db)
        .await?
        .map(|row| Ok((row.policy_id, stored_version(row.version)?)))
        .transpose()
}

/// Makes `policy_id` `version` decide the tenant's new proposals of `kind` (`None`: Aval's
/// default).
pub async fn activate(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    kind: ProposalKind,
    version: Option<(&str, u32)>,
    at: DateTime<Utc>,
) -> Result<(), AnalysisError> {
    let Some((policy_id, version)) = version else {
        active::Entity::delete_by_id((tenant_id.to_owned(), kind.as_str().to_owned()))
            .exec(db)
            .await?;
        return Ok(());
    };
    let number = column(version)
        .ok_or_else(|| AnalysisError::NotFound(format!("policy {policy_id} v{version}")))?;
    let model = active::ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        policy_id: Set(policy_id.to_owned()),
        version: Set(number),
        activated_at: Set(at),
    };
    active::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([active::Column::TenantId, active::Column::Kind])
                .update_columns([
                    active::Column::PolicyId,
                    active::Column::Version,
                    active::Column::ActivatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
