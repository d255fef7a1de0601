use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Proposals that wait for data: how many times their partners' scores were asked for again,
/// when a worker may try next (or, while one holds it `pending`, when its claim lapses), and
/// the client that submitted it (whom score-service is asked for without the partner's
/// token). All absent on analyses decided at once.
#[derive(DeriveIden)]
enum AnalysisAnalyses {
    Table,
    Attempts,
    NextAttemptAt,
    RequestedBy,
}

const DUE_INDEX: &str = "analysis_analyses_next_attempt_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in [
            integer_null(AnalysisAnalyses::Attempts),
            timestamp_with_time_zone_null(AnalysisAnalyses::NextAttemptAt),
            string_null(AnalysisAnalyses::RequestedBy),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(AnalysisAnalyses::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(DUE_INDEX)
                    .table(AnalysisAnalyses::Table)
                    .col(AnalysisAnalyses::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(DUE_INDEX)
                    .table(AnalysisAnalyses::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            AnalysisAnalyses::Attempts,
            AnalysisAnalyses::NextAttemptAt,
            AnalysisAnalyses::RequestedBy,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AnalysisAnalyses::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
