//! Publishing, listing and retiring a tenant's models, and declaring the features they read.

use crate::{
    domain::{
        model::{
            self, ModelFormat,
            feature::{FeatureCatalog, FeatureDeclaration},
        },
        registry::{ModelVersion, check_model_id},
    },
    error::ScoreError,
    store,
};
use aval_errors::{FieldCode, FieldViolation};
use chrono::Utc;
use sea_orm::{DatabaseConnection, TransactionTrait};

pub struct ModelsApp {
    db: DatabaseConnection,
}

/// A published version, and the features its publication declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub version: ModelVersion,
    pub declared: Vec<String>,
}

/// A publish request, valid in shape.
#[derive(Clone, Debug)]
pub struct PublishRequest {
    pub tenant_id: String,
    pub format: ModelFormat,
    pub document: String,
    pub model_id: Option<String>,
}

fn tenant_required(tenant_id: &str) -> Result<(), ScoreError> {
    if tenant_id.trim().is_empty() {
        return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
            "tenant_id",
            FieldCode::Required,
            "the tenant whose models these are",
        )]));
    }
    Ok(())
}

impl ModelsApp {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// What `tenant_id`'s models may read: the platform's shared features and its own.
    pub async fn catalog(&self, tenant_id: &str) -> Result<FeatureCatalog, ScoreError> {
        let own = store::features::catalog(&self.db, tenant_id).await?;
        Ok(FeatureCatalog::platform().merged(&own))
    }

    /// Checks and stores a model as the next version of its id; the features a PMML
    /// DataDictionary declares are declared with it, in the same transaction.
    pub async fn publish(&self, request: PublishRequest) -> Result<Published, ScoreError> {
        tenant_required(&request.tenant_id)?;
        let catalog = self.catalog(&request.tenant_id).await?;
        let publication = model::publish_declaring(request.format, &request.document, &catalog)
            .map_err(|e| ScoreError::InvalidModel(vec![e.violation()]))?;
        let model_id = match request
            .model_id
            .or_else(|| publication.model.declared_id().map(str::to_owned))
        {
            Some(id) => id,
            None => {
                return Err(ScoreError::InvalidModel(vec![FieldViolation::new(
                    "model_id",
                    FieldCode::Required,
                    "the document names no model (a PMML Scorecard without modelName): give its id",
                )]));
            }
        };
        check_model_id(&model_id).map_err(|v| ScoreError::InvalidModel(vec![v]))?;

        // Two publications of one id at once: the loser takes the next number.
        for _ in 0..3 {
            let txn = self.db.begin().await?;
            store::features::insert(&txn, &request.tenant_id, &publication.new_features).await?;
            let version = ModelVersion {
                tenant_id: request.tenant_id.clone(),
                model_id: model_id.clone(),
                version: store::models::next_version(&txn, &request.tenant_id, &model_id).await?,
                format: request.format,
                features: publication.model.features().to_vec(),
                published_at: Utc::now(),
                retired_at: None,
            };
            if store::models::insert(&txn, &version, &request.document).await? {
                txn.commit().await?;
                tracing::info!(tenant = %version.tenant_id, model = %version.model_id, version = version.version, "model published");
                return Ok(Published {
                    version,
                    declared: publication
                        .new_features
                        .iter()
                        .map(|f| f.name().to_owned())
                        .collect(),
                });
            }
            txn.rollback().await?;
        }
        Err(ScoreError::Conflict(format!(
            "`{model_id}` is being published by someone else; try again"
        )))
    }

    pub async fn list(
        &self,
        tenant_id: &str,
        include_retired: bool,
    ) -> Result<Vec<ModelVersion>, ScoreError> {
        tenant_required(tenant_id)?;
        Ok(store::models::list(&self.db, tenant_id, include_retired).await?)
    }

    /// Retires one version, or every version of the id; nothing active to retire is not found.
    pub async fn retire(
        &self,
        tenant_id: &str,
        model_id: &str,
        version: Option<i32>,
    ) -> Result<Vec<ModelVersion>, ScoreError> {
        tenant_required(tenant_id)?;
        let txn = self.db.begin().await?;
        let retired = store::models::retire(&txn, tenant_id, model_id, version, Utc::now()).await?;
        txn.commit().await?;
        if retired.is_empty() {
            let label = version.map_or(model_id.to_owned(), |v| format!("{model_id}@{v}"));
            return Err(ScoreError::ModelNotFound(label));
        }
        Ok(retired)
    }

    /// Declares features; one already declared the same way is no change, a different kind or
    /// display name (or a platform feature's name) is refused. All or none.
    pub async fn declare(
        &self,
        tenant_id: &str,
        declarations: Vec<FeatureDeclaration>,
    ) -> Result<usize, ScoreError> {
        tenant_required(tenant_id)?;
        let own = store::features::catalog(&self.db, tenant_id).await?;
        let new = own
            .new_declarations(&FeatureCatalog::platform(), declarations)
            .map_err(ScoreError::InvalidRequest)?;
        store::features::insert(&self.db, tenant_id, &new).await?;
        Ok(new.len())
    }

    /// The platform's features, and the tenant's own.
    pub async fn features(
        &self,
        tenant_id: &str,
    ) -> Result<(FeatureCatalog, FeatureCatalog), ScoreError> {
        tenant_required(tenant_id)?;
        let own = store::features::catalog(&self.db, tenant_id).await?;
        Ok((FeatureCatalog::platform(), own))
    }
}
