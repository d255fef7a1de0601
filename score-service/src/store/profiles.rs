//! Consumer profiles: named feature values per CPF, a tenant's own or the platform's shared
//! data (tenant id `""`).

use crate::domain::{ProfileOwner, model::Record};
use aval_credit::Cpf;
use sea_orm::{
    ActiveValue::Set,
    QueryOrder,
    entity::prelude::*,
    sea_query::{Expr, OnConflict},
};
use std::collections::HashMap;

/// The tenant id the platform's shared profiles are stored under.
const SHARED: &str = "";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "score_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub document: String,
    /// JSON object: feature → value.
    #[sea_orm(column_type = "Text")]
    pub features: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

fn owner_id(owner: &ProfileOwner) -> &str {
    match owner {
        ProfileOwner::Shared => SHARED,
        ProfileOwner::Tenant(id) => id.as_str(),
    }
}

fn record_of(features: &str) -> Result<Record, DbErr> {
    let value: serde_json::Value = serde_json::from_str(features)
        .map_err(|e| DbErr::Custom(format!("a stored profile is not JSON: {e}")))?;
    value
        .as_object()
        .ok_or_else(|| DbErr::Custom("a stored profile is not a JSON object".into()))
        .and_then(|object| {
            Record::from_json(object)
                .map_err(|key| DbErr::Custom(format!("a stored profile's `{key}` is not a value")))
        })
}

/// What is known about `cpf` for `tenant_id`: the platform's shared data with the tenant's
/// own on top, feature by feature; `None` when neither has a row.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    cpf: &Cpf,
) -> Result<Option<Record>, DbErr> {
    let rows = Entity::find()
        .filter(Column::Document.eq(cpf.digits()))
        .filter(Column::TenantId.is_in([tenant_id, SHARED]))
        // The shared row (empty id) first, so the tenant's own overlays it.
        .order_by_asc(Column::TenantId)
        .all(db)
        .await?;
    let mut found: Option<Record> = None;
    for row in rows {
        let record = record_of(&row.features)?;
        match &mut found {
            Some(merged) => merged.overlay(record),
            None => found = Some(record),
        }
    }
    Ok(found)
}

/// Whether `tenant_id` itself holds data about `cpf` (not the platform's shared data).
pub async fn held_by(db: &impl ConnectionTrait, tenant_id: &str, cpf: &Cpf) -> Result<bool, DbErr> {
    Ok(
        Entity::find_by_id((tenant_id.to_owned(), cpf.digits().to_owned()))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Rows per statement: well under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Writes `owner`'s rows: each row's features replace the stored ones of the same name and
/// leave the others (a file with some columns updates only those). One read and one write
/// per thousand rows.
pub async fn merge(
    db: &impl ConnectionTrait,
    owner: &ProfileOwner,
    rows: Vec<(Cpf, Record)>,
) -> Result<(), DbErr> {
    let tenant_id = owner_id(owner);
    // One row per CPF (a statement may not update a row twice): later rows overlay earlier.
    let mut index: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut unique: Vec<(Cpf, Record)> = Vec::with_capacity(rows.len());
    for (cpf, record) in rows {
        match index.get(cpf.digits()) {
            Some(&i) => unique[i].1.overlay(record),
            None => {
                index.insert(cpf.digits().to_owned(), unique.len());
                unique.push((cpf, record));
            }
        }
    }
    let mut rows = unique;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_STATEMENT));
        merge_batch(db, tenant_id, rows).await?;
        rows = rest;
    }
    Ok(())
}

async fn merge_batch(
    db: &impl ConnectionTrait,
    tenant_id: &str,
    rows: Vec<(Cpf, Record)>,
) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    let row = |cpf: &Cpf, record: &Record| ActiveModel {
        tenant_id: Set(tenant_id.to_owned()),
        document: Set(cpf.digits().to_owned()),
        features: Set(serde_json::Value::Object(record.to_json()).to_string()),
        updated_at: Set(now),
    };
    let mut conflict = OnConflict::columns([Column::TenantId, Column::Document]).to_owned();
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Merged by the database, in the statement: two imports of the same CPF at once both
        // keep their features (a read-then-write would lose one under READ COMMITTED).
        let models: Vec<ActiveModel> = rows.iter().map(|(cpf, r)| row(cpf, r)).collect();
        Entity::insert_many(models)
            .on_conflict(
                conflict
                    .clone()
                    .value(
                        Column::Features,
                        Expr::cust(
                            "(score_profiles.features::jsonb || excluded.features::jsonb)::text",
                        ),
                    )
                    .update_column(Column::UpdatedAt)
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        return Ok(());
    }
    // SQLite has one connection and one writer: inside the caller's transaction (the app always
    // merges in one) this read and write cannot interleave with another load.
    let stored: HashMap<String, String> = Entity::find()
        .filter(Column::TenantId.eq(tenant_id))
        .filter(Column::Document.is_in(rows.iter().map(|(cpf, _)| cpf.digits())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.document, m.features))
        .collect();
    let mut models = Vec::with_capacity(rows.len());
    for (cpf, record) in rows {
        let merged = match stored.get(cpf.digits()) {
            Some(features) => {
                let mut merged = record_of(features)?;
                merged.overlay(record);
                merged
            }
            None => record,
        };
        models.push(row(&cpf, &merged));
    }
    Entity::insert_many(models)
        .on_conflict(
            conflict
                .update_columns([Column::Features, Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::model::FeatureValue;
    use crate::store::Migrator;
    use aval_testkit::{TestDatabase, TestResult, db_test};
    use sea_orm::{Statement, TransactionTrait};
    use sea_orm_migration::MigratorTrait;

    /// Profiles stored in the six fixed columns before features were declared come through
    /// the migration as the platform's features, value for value.
    async fn fixed_column_profiles_survive_the_migration(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect(&db.url).await?;
        // The profiles table, the access log and the outbox: the schema before features.
        Migrator::up(&conn, Some(3)).await?;
        conn.execute_raw(Statement::from_string(
            conn.get_database_backend(),
            "INSERT INTO score_consumer_profiles (tenant_id, document, months_as_customer, \
             on_time_payment_ratio, late_payments12m, average_monthly_spend_cents, active_lines, \
             has_bank_account, updated_at) VALUES ('acme', '52998224725', 30, 0.8125, 2, \
             30000, 1, true, '2026-11-20 10:00:00+00:00')",
        ))
        .await?;
        Migrator::up(&conn, None).await?;
        let cpf = Cpf::parse("52998224725")?;
        let record = find(&conn, "acme", &cpf).await?.expect("carried over");
        assert_eq!(
            record.get("months_as_customer"),
            &FeatureValue::Number(30.0)
        );
        assert_eq!(
            record.get("on_time_payment_ratio"),
            &FeatureValue::Number(0.8125)
        );
        assert_eq!(record.get("late_payments_12m"), &FeatureValue::Number(2.0));
        assert_eq!(
            record.get("average_monthly_spend_cents"),
            &FeatureValue::Number(30000.0)
        );
        assert_eq!(record.get("has_bank_account"), &FeatureValue::Bool(true));
        assert_eq!(find(&conn, "other", &cpf).await?, None);
        Ok(())
    }
    db_test!(fixed_column_profiles_survive_the_migration);

    /// A tenant's rows overlay the shared data feature by feature, and an import of some
    /// columns leaves the others as they were.
    async fn rows_merge_feature_by_feature(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let cpf = Cpf::parse("52998224725")?;
        let number = |n| FeatureValue::number(n);
        let shared = Record::new().with("a", number(1.0)).with("b", number(2.0));
        merge(&conn, &ProfileOwner::Shared, vec![(cpf.clone(), shared)]).await?;
        let acme = ProfileOwner::Tenant("acme".into());
        merge(
            &conn,
            &acme,
            vec![(cpf.clone(), Record::new().with("b", number(20.0)))],
        )
        .await?;
        // The same CPF twice in one batch: the later row wins.
        merge(
            &conn,
            &acme,
            vec![
                (cpf.clone(), Record::new().with("c", number(3.0))),
                (cpf.clone(), Record::new().with("c", number(30.0))),
            ],
        )
        .await?;
        let record = find(&conn, "acme", &cpf).await?.expect("stored");
        assert_eq!(record.get("a"), &number(1.0));
        assert_eq!(record.get("b"), &number(20.0));
        assert_eq!(record.get("c"), &number(30.0));
        let shared_only = find(&conn, "rival", &cpf).await?.expect("shared");
        assert_eq!(shared_only.get("b"), &number(2.0));
        assert!(shared_only.get("c").is_missing());
        Ok(())
    }
    db_test!(rows_merge_feature_by_feature);

    /// Two loads of the same CPF at once, each with features of its own: both sets are kept.
    async fn concurrent_loads_of_one_cpf_keep_both(db: TestDatabase) -> TestResult {
        let conn = aval_database::connect_and_migrate::<Migrator>(&db.url).await?;
        let cpf = Cpf::parse("52998224725")?;
        let acme = ProfileOwner::Tenant("acme".into());
        for round in 0..20 {
            let a = format!("a{round}");
            let b = format!("b{round}");
            // As the app loads: each batch in its own transaction.
            let load = |feature: String, value: f64| {
                let (conn, acme, cpf) = (&conn, &acme, cpf.clone());
                async move {
                    let txn = conn.begin().await?;
                    merge(
                        &txn,
                        acme,
                        vec![(
                            cpf,
                            Record::new().with(feature, FeatureValue::number(value)),
                        )],
                    )
                    .await?;
                    txn.commit().await
                }
            };
            let (first, second) = tokio::join!(load(a.clone(), 1.0), load(b.clone(), 2.0));
            first?;
            second?;
            let record = find(&conn, "acme", &cpf).await?.expect("stored");
            assert!(!record.get(&a).is_missing(), "round {round} lost {a}");
            assert!(!record.get(&b).is_missing(), "round {round} lost {b}");
        }
        Ok(())
    }
    db_test!(concurrent_loads_of_one_cpf_keep_both);
}
