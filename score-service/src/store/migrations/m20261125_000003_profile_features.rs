use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Profiles become named feature values (a JSON object) instead of six fixed columns, so a
/// tenant can load the features it declares. Existing rows are carried over, feature by
/// feature, under the names the platform's catalog gives them.
#[derive(DeriveIden)]
enum ScoreProfiles {
    Table,
    TenantId,
    /// The CPF's 11 canonical digits.
    Document,
    /// A JSON object: feature name → number, text, boolean or null (missing).
    Features,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ScoreConsumerProfiles {
    Table,
}

/// The old columns, each the platform feature of the same name.
const OLD_COLUMNS: [&str; 6] = [
    "months_as_customer",
    "on_time_payment_ratio",
    "late_payments12m",
    "average_monthly_spend_cents",
    "active_lines",
    "has_bank_account",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreProfiles as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .if_not_exists()
                    .col(string(P::TenantId))
                    .col(string_len(P::Document, 11))
                    .col(text(P::Features))
                    .col(timestamp_with_time_zone(P::UpdatedAt))
                    .primary_key(Index::create().col(P::TenantId).col(P::Document))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT tenant_id, document, updated_at, {} FROM score_consumer_profiles",
                    OLD_COLUMNS.join(", ")
                ),
            ))
            .await?;
        for row in rows {
            let mut features = serde_json::Map::new();
            for column in OLD_COLUMNS {
                let value = match column {
                    "on_time_payment_ratio" => serde_json::json!(row.try_get::<f64>("", column)?),
                    "average_monthly_spend_cents" => {
                        serde_json::json!(row.try_get::<i64>("", column)?)
                    }
                    "has_bank_account" => serde_json::json!(row.try_get::<bool>("", column)?),
                    _ => serde_json::json!(row.try_get::<i32>("", column)?),
                };
                let name = if column == "late_payments12m" {
                    "late_payments_12m"
                } else {
                    column
                };
                features.insert(name.to_owned(), value);
            }
            let insert = Query::insert()
                .into_table(P::Table)
                .columns([P::TenantId, P::Document, P::Features, P::UpdatedAt])
                .values_panic([
                    row.try_get::<String>("", "tenant_id")?.into(),
                    row.try_get::<String>("", "document")?.into(),
                    serde_json::Value::Object(features).to_string().into(),
                    row.try_get::<chrono::DateTime<chrono::Utc>>("", "updated_at")?
                        .into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        manager
            .drop_table(Table::drop().table(ScoreConsumerProfiles::Table).to_owned())
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "profiles of declared features cannot go back to six fixed columns".into(),
        ))
    }
}
