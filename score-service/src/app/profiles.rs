//! Loading consumer data: the platform's typed behavioural profiles, and bulk imports of a
//! tenant's declared features where good rows load while bad ones are reported.

use crate::{
    domain::{
        ProfileOwner,
        model::{Record, feature::FeatureCatalog},
        profile::{ConsumerProfile, DOCUMENT_FIELD, IncomingRow, RowError},
    },
    error::ScoreError,
    store,
};
use aval_errors::{FieldCode, FieldViolation};
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::collections::HashMap;

/// The most row errors an import reports one by one (the count covers them all).
pub const MAX_REPORTED_ROW_ERRORS: usize = 1_000;

pub struct ProfilesApp {
    db: DatabaseConnection,
}

impl ProfilesApp {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Inserts or replaces `owner`'s platform profiles, all or none.
    pub async fn upsert(
        &self,
        owner: &ProfileOwner,
        profiles: &[ConsumerProfile],
    ) -> Result<usize, ScoreError> {
        let rows = profiles
            .iter()
            .map(|p| (p.cpf.clone(), Record::from_profile(p)))
            .collect();
        let txn = self.db.begin().await?;
        store::profiles::merge(&txn, owner, rows).await?;
        txn.commit().await?;
        Ok(profiles.len())
    }

    /// Starts an import into `owner`'s data: rows are read against the features it may hold
    /// (the platform's for shared data; the platform's and its own for a tenant).
    pub async fn start_import(&self, owner: ProfileOwner) -> Result<Import, ScoreError> {
        let catalog = match &owner {
            ProfileOwner::Shared => FeatureCatalog::platform(),
            ProfileOwner::Tenant(tenant_id) => {
                if tenant_id.trim().is_empty() {
                    return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
                        "tenant_id",
                        FieldCode::Required,
                        "a tenant, or shared = true",
                    )]));
                }
                let own = store::features::catalog(&self.db, tenant_id).await?;
                FeatureCatalog::platform().merged(&own)
            }
        };
        Ok(Import {
            db: self.db.clone(),
            owner,
            catalog,
            seen: HashMap::new(),
            summary: ImportSummary::default(),
        })
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub received: u64,
    pub loaded: u64,
    pub rejected: u64,
    /// The first [`MAX_REPORTED_ROW_ERRORS`], by line.
    pub errors: Vec<RowError>,
}

/// One import in progress: batches of rows, each committed on its own.
pub struct Import {
    db: DatabaseConnection,
    owner: ProfileOwner,
    catalog: FeatureCatalog,
    /// CPF digits → the line that loaded it: a CPF twice in one import is an error.
    seen: HashMap<String, u64>,
    summary: ImportSummary,
}

impl Import {
    /// Refuses columns that are not features this owner may hold, before any row loads.
    pub fn check_columns(&self, columns: &[String]) -> Result<(), ScoreError> {
        let violations: Vec<FieldViolation> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| self.catalog.get(c).is_none())
            .map(|(i, c)| {
                FieldViolation::new(
                    format!("columns[{i}]"),
                    FieldCode::InvalidEnum,
                    if c == DOCUMENT_FIELD {
                        "`document` appears twice".to_owned()
                    } else {
                        format!(
                            "`{c}` is not a declared feature (declare it, or publish a PMML model whose DataDictionary has it)"
                        )
                    },
                )
            })
            .collect();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ScoreError::InvalidRequest(violations))
        }
    }

    /// Reads a batch, loads its good rows in one transaction and records the bad ones.
    pub async fn load(&mut self, rows: Vec<IncomingRow>) -> Result<(), ScoreError> {
        let mut good = Vec::with_capacity(rows.len());
        for row in rows {
            self.summary.received += 1;
            let line = row.line;
            match row.read(&self.catalog) {
                Ok((cpf, record)) => match self.seen.get(cpf.digits()) {
                    Some(first) => self.reject(vec![RowError {
                        line,
                        field: DOCUMENT_FIELD.to_owned(),
                        code: FieldCode::Invalid,
                        reason: format!(
                            "this CPF is also on line {first}; it was loaded from there"
                        ),
                    }]),
                    None => {
                        self.seen.insert(cpf.digits().to_owned(), line);
                        good.push((cpf, record));
                    }
                },
                Err(errors) => self.reject(errors),
            }
        }
        let loaded = good.len() as u64;
        let txn = self.db.begin().await?;
        store::profiles::merge(&txn, &self.owner, good).await?;
        txn.commit().await?;
        self.summary.loaded += loaded;
        Ok(())
    }

    fn reject(&mut self, errors: Vec<RowError>) {
        self.summary.rejected += 1;
        let room = MAX_REPORTED_ROW_ERRORS.saturating_sub(self.summary.errors.len());
        self.summary.errors.extend(errors.into_iter().take(room));
    }

    pub fn finish(mut self) -> ImportSummary {
        self.summary.errors.sort_by_key(|e| e.line);
        self.summary
    }
}
