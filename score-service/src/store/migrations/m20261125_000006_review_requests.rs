use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Consumers' requests for a person to review an automated decision, with every step.
#[derive(DeriveIden)]
enum ScoreReviewRequests {
    Table,
    /// UUIDv7: sorts by creation, so it is also the listing cursor.
    Id,
    TenantId,
    Document,
    AnswerId,
    Reason,
    /// `open` or `answered`.
    Status,
    /// `upheld` or `revised` once answered.
    Outcome,
    /// JSON array of the steps: status, when, who, note.
    Events,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreReviewRequests as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .if_not_exists()
                    .col(string(R::Id).primary_key())
                    .col(string(R::TenantId))
                    .col(string_len(R::Document, 11))
                    .col(string_null(R::AnswerId))
                    .col(text(R::Reason))
                    .col(string(R::Status))
                    .col(string_null(R::Outcome))
                    .col(text(R::Events))
                    .col(timestamp_with_time_zone(R::CreatedAt))
                    .col(timestamp_with_time_zone(R::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("score_review_requests_by_tenant_status")
                    .table(R::Table)
                    .col(R::TenantId)
                    .col(R::Status)
                    .col(R::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreReviewRequests::Table).to_owned())
            .await
    }
}
