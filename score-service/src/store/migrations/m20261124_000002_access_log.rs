use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Who looked at which CPF, when, and why: the consumer's right to know who queried their data
/// (Lei 12.414), and the audit trail of every delivered score.
#[derive(DeriveIden)]
enum ScoreAccessLog {
    Table,
    AnswerId,
    TenantId,
    ClientId,
    Document,
    /// The partner's own customer id (Claro's X-CustomerID).
    CustomerId,
    /// `consumer_score`, or `legal_person_analysis` (later `credit_analysis`) when
    /// analysis-service asked.
    Purpose,
    ModelId,
    ModelVersion,
    Score,
    RequestId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreAccessLog as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .if_not_exists()
                    .col(string(L::AnswerId).primary_key())
                    .col(string(L::TenantId))
                    .col(string(L::ClientId))
                    .col(string_len(L::Document, 11))
                    .col(string(L::CustomerId))
                    .col(string(L::Purpose))
                    .col(string(L::ModelId))
                    .col(integer(L::ModelVersion))
                    .col(integer(L::Score))
                    .col(string(L::RequestId))
                    .col(timestamp_with_time_zone(L::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("score_access_log_by_document")
                    .table(L::Table)
                    .col(L::Document)
                    .col(L::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreAccessLog::Table).to_owned())
            .await
    }
}
