//! Finds the model a request names: the platform's default, or a tenant's published version.
//! Versions are immutable, so each is parsed once and kept; which version is active is read
//! from the database every time, so a retirement is seen by every replica at once.

use crate::{
    domain::{
        model::{self, ScoreModel},
        registry::{PLATFORM_MODEL_ID, PLATFORM_MODEL_VERSION},
        request::ModelChoice,
    },
    error::ScoreError,
    store,
};
use sea_orm::DatabaseConnection;
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

/// A model ready to score, and the id and version answers name.
#[derive(Clone, Debug)]
pub struct ResolvedModel {
    pub id: String,
    pub version: i32,
    pub model: Arc<ScoreModel>,
}

type VersionKey = (String, String, i32);

pub struct ModelRegistry {
    db: DatabaseConnection,
    platform: ResolvedModel,
    parsed: RwLock<HashMap<VersionKey, Arc<ScoreModel>>>,
}

impl ModelRegistry {
    pub fn new(db: DatabaseConnection, platform: ScoreModel) -> Self {
        Self {
            db,
            platform: ResolvedModel {
                id: PLATFORM_MODEL_ID.to_owned(),
                version: PLATFORM_MODEL_VERSION,
                model: Arc::new(platform),
            },
            parsed: RwLock::default(),
        }
    }

    /// The model `choice` names for `tenant_id`; unknown and retired ones are not found.
    pub async fn resolve(
        &self,
        tenant_id: &str,
        choice: &ModelChoice,
    ) -> Result<ResolvedModel, ScoreError> {
        let (id, version) = match choice {
            ModelChoice::Default => return Ok(self.platform.clone()),
            ModelChoice::Named { id, version } => (id, *version),
        };
        if id == PLATFORM_MODEL_ID && version.is_none_or(|v| v == PLATFORM_MODEL_VERSION) {
            return Ok(self.platform.clone());
        }
        let version = store::models::active_version(&self.db, tenant_id, id, version)
            .await?
            .ok_or_else(|| ScoreError::ModelNotFound(choice.label()))?;
        self.parsed_version(tenant_id, id, version).await
    }

    /// Exactly `version` of `id`, retired or not: the model a delivered answer was scored with.
    pub async fn exact(
        &self,
        tenant_id: &str,
        id: &str,
        version: i32,
    ) -> Result<ResolvedModel, ScoreError> {
        if id == PLATFORM_MODEL_ID && version == PLATFORM_MODEL_VERSION {
            return Ok(self.platform.clone());
        }
        self.parsed_version(tenant_id, id, version).await
    }

    /// `version` of `id`, parsed: from the cache, or read and parsed once.
    async fn parsed_version(
        &self,
        tenant_id: &str,
        id: &str,
        version: i32,
    ) -> Result<ResolvedModel, ScoreError> {
        let key = (tenant_id.to_owned(), id.to_owned(), version);
        let cached = self
            .parsed
            .read()
            .ok()
            .and_then(|parsed| parsed.get(&key).cloned());
        let model = match cached {
            Some(model) => model,
            None => {
                let stored = store::models::find_version(&self.db, tenant_id, id, version)
                    .await?
                    .ok_or_else(|| ScoreError::ModelNotFound(format!("{id}@{version}")))?;
                let model = model::load(stored.version.format, &stored.document)
                    .map(Arc::new)
                    .map_err(|e| ScoreError::StoredModel(format!("{id}@{version}: {e}")))?;
                if let Ok(mut parsed) = self.parsed.write() {
                    parsed.insert(key.clone(), model.clone());
                }
                model
            }
        };
        Ok(ResolvedModel {
            id: key.1,
            version: key.2,
            model,
        })
    }
}
