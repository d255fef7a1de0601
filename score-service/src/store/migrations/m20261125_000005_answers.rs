use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The audit record of every delivered score: the model version, the exact inputs it read
/// (and their hash), and the answer as delivered, so it can be given again and replayed.
#[derive(DeriveIden)]
enum ScoreAnswers {
    Table,
    AnswerId,
    TenantId,
    ModelId,
    ModelVersion,
    /// JSON object of the features the model read, ordered by name.
    Inputs,
    /// SHA-256 (hex) of `inputs`.
    InputsHash,
    /// The answer as delivered (JSON).
    Answer,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreAnswers as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .if_not_exists()
                    .col(string(A::AnswerId).primary_key())
                    .col(string(A::TenantId))
                    .col(string(A::ModelId))
                    .col(integer(A::ModelVersion))
                    .col(text(A::Inputs))
                    .col(string_len(A::InputsHash, 64))
                    .col(text(A::Answer))
                    .col(timestamp_with_time_zone(A::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreAnswers::Table).to_owned())
            .await
    }
}
