use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// When the stored version of a proposal was received: its `credit_request_date` when the
/// partner gave none, so replay and dry runs read it back exactly. Absent: `created_at` (a
/// first version is received when its analysis is created); a challenge answer sets it.
#[derive(DeriveIden)]
enum AnalysisAnalyses {
    Table,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum AnalysisRevisions {
    Table,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AnalysisAnalyses::Table)
                    .add_column(timestamp_with_time_zone_null(AnalysisAnalyses::ReceivedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AnalysisRevisions::Table)
                    .add_column(timestamp_with_time_zone_null(AnalysisRevisions::ReceivedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AnalysisAnalyses::Table)
                    .drop_column(AnalysisAnalyses::ReceivedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AnalysisRevisions::Table)
                    .drop_column(AnalysisRevisions::ReceivedAt)
                    .to_owned(),
            )
            .await
    }
}
