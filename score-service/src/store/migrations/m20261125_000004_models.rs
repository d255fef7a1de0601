use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tenants' published models (immutable versions) and the features they declare.
#[derive(DeriveIden)]
enum ScoreModels {
    Table,
    TenantId,
    ModelId,
    /// 1, 2, …: each publication of the same id.
    Version,
    /// `aval_json` or `pmml`.
    Format,
    /// The document as published.
    Document,
    /// JSON array of the features the model reads.
    Features,
    PublishedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum ScoreFeatures {
    Table,
    TenantId,
    Name,
    DisplayName,
    /// `number`, `text` or `bool`.
    Kind,
    DeclaredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreFeatures as F;
        use ScoreModels as M;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .if_not_exists()
                    .col(string(M::TenantId))
                    .col(string(M::ModelId))
                    .col(integer(M::Version))
                    .col(string(M::Format))
                    .col(text(M::Document))
                    .col(text(M::Features))
                    .col(timestamp_with_time_zone(M::PublishedAt))
                    .col(timestamp_with_time_zone_null(M::RetiredAt))
                    .primary_key(
                        Index::create()
                            .col(M::TenantId)
                            .col(M::ModelId)
                            .col(M::Version),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(F::Table)
                    .if_not_exists()
                    .col(string(F::TenantId))
                    .col(string(F::Name))
                    .col(string_null(F::DisplayName))
                    .col(string(F::Kind))
                    .col(timestamp_with_time_zone(F::DeclaredAt))
                    .primary_key(Index::create().col(F::TenantId).col(F::Name))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreFeatures::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ScoreModels::Table).to_owned())
            .await
    }
}
