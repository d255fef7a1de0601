use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Answers get what the performance report reads without parsing the answer (its score and
/// band), the lender's latest report on the credit, and every report in `score_outcome_events`.
#[derive(DeriveIden)]
enum ScoreAnswers {
    Table,
    TenantId,
    CreatedAt,
    /// 0..1000, as delivered (absent only on rows an older replica writes during an upgrade).
    Score,
    /// `very_low` … `very_high`, as delivered.
    Band,
    CreditProposalStatus,
    CreditEventDate,
}

/// The reports on each answer's credit, numbered from 1 in the order they were made.
#[derive(DeriveIden)]
enum ScoreOutcomeEvents {
    Table,
    TenantId,
    AnswerId,
    Sequence,
    FromStatus,
    ToStatus,
    EventDate,
    /// `partner` or `operator`.
    ActorType,
    ActorId,
    OccurredAt,
}

const INDEX: &str = "score_answers_tenant_created";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreAnswers as A;
        use ScoreOutcomeEvents as E;
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            integer_null(A::Score),
            string_null(A::Band),
            string_null(A::CreditProposalStatus),
            date_null(A::CreditEventDate),
        ] {
            manager
                .alter_table(Table::alter().table(A::Table).add_column(column).to_owned())
                .await?;
        }
        // Answers delivered before keep their score and band in the answer's JSON.
        let backfill = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "UPDATE score_answers SET score = (answer::jsonb ->> 'score')::integer, \
                 band = answer::jsonb ->> 'band' WHERE score IS NULL"
            }
            _ => {
                "UPDATE score_answers SET score = json_extract(answer, '$.score'), \
                 band = json_extract(answer, '$.band') WHERE score IS NULL"
            }
        };
        manager
            .get_connection()
            .execute_unprepared(backfill)
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(A::Table)
                    .col(A::TenantId)
                    .col(A::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .if_not_exists()
                    .col(string(E::TenantId))
                    .col(string(E::AnswerId))
                    .col(integer(E::Sequence))
                    .col(string_null(E::FromStatus))
                    .col(string(E::ToStatus))
                    .col(date(E::EventDate))
                    .col(string(E::ActorType))
                    .col(string(E::ActorId))
                    .col(timestamp_with_time_zone(E::OccurredAt))
                    .primary_key(
                        Index::create()
                            .col(E::TenantId)
                            .col(E::AnswerId)
                            .col(E::Sequence),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreOutcomeEvents::Table).to_owned())
            .await?;
        // SQLite refuses to drop an indexed column.
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(ScoreAnswers::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        for column in [
            ScoreAnswers::Score,
            ScoreAnswers::Band,
            ScoreAnswers::CreditProposalStatus,
            ScoreAnswers::CreditEventDate,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ScoreAnswers::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
