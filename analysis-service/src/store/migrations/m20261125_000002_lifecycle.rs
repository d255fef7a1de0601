use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Analyses get a lifecycle: the company's CNPJ (the analysts' filter), an analyst's review,
/// the lender's latest report on the credit, every step in `analysis_events`, and the versions
/// a challenge answer replaced in `analysis_revisions`.
#[derive(DeriveIden)]
enum AnalysisAnalyses {
    Table,
    TenantId,
    ProposalId,
    Status,
    CreatedAt,
    /// The company's CNPJ, digits only (absent on rows whose proposal predates JSON).
    DocumentNumber,
    /// The analyst's resolution (JSON), once there is one.
    Review,
    CreditProposalStatus,
    CreditEventDate,
}

/// The steps of each analysis, numbered from 1 in the order they happened.
#[derive(DeriveIden)]
enum AnalysisEvents {
    Table,
    TenantId,
    ProposalId,
    Sequence,
    /// decided, reviewed, credit_outcome.
    Kind,
    FromStatus,
    ToStatus,
    /// engine, analyst, partner, operator.
    ActorType,
    ActorId,
    Note,
    Challenge,
    EventDate,
    OccurredAt,
}

/// Earlier versions of an analysis: the proposal and decision a challenge answer replaced,
/// numbered from 1 (the first decision).
#[derive(DeriveIden)]
enum AnalysisRevisions {
    Table,
    TenantId,
    ProposalId,
    Revision,
    ProposalHash,
    Proposal,
    Decision,
    DecidedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AnalysisAnalyses as A;
        use AnalysisEvents as E;
        // One column per statement: SQLite alters one thing at a time.
        for column in [
            string_len_null(A::DocumentNumber, 14),
            json_null(A::Review),
            string_null(A::CreditProposalStatus),
            date_null(A::CreditEventDate),
        ] {
            manager
                .alter_table(Table::alter().table(A::Table).add_column(column).to_owned())
                .await?;
        }
        for (name, columns) in [
            (
                "analysis_analyses_queue",
                vec![A::TenantId, A::Status, A::CreatedAt],
            ),
            (
                "analysis_analyses_created",
                vec![A::TenantId, A::CreatedAt, A::ProposalId],
            ),
            (
                "analysis_analyses_document",
                vec![A::TenantId, A::DocumentNumber],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(A::Table).if_not_exists();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(E::Table)
                    .if_not_exists()
                    .col(string(E::TenantId))
                    .col(string(E::ProposalId))
                    .col(integer(E::Sequence))
                    .col(string(E::Kind))
                    .col(string_null(E::FromStatus))
                    .col(string(E::ToStatus))
                    .col(string(E::ActorType))
                    .col(string(E::ActorId))
                    .col(text_null(E::Note))
                    .col(string_null(E::Challenge))
                    .col(date_null(E::EventDate))
                    .col(timestamp_with_time_zone(E::OccurredAt))
                    .primary_key(
                        Index::create()
                            .col(E::TenantId)
                            .col(E::ProposalId)
                            .col(E::Sequence),
                    )
                    .to_owned(),
            )
            .await?;

        use AnalysisRevisions as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .if_not_exists()
                    .col(string(R::TenantId))
                    .col(string(R::ProposalId))
                    .col(integer(R::Revision))
                    .col(string_len(R::ProposalHash, 64))
                    .col(json(R::Proposal))
                    .col(json(R::Decision))
                    .col(timestamp_with_time_zone(R::DecidedAt))
                    .primary_key(
                        Index::create()
                            .col(R::TenantId)
                            .col(R::ProposalId)
                            .col(R::Revision),
                    )
                    .to_owned(),
            )
            .await?;

        // Analyses decided before get their `decided` step and their CNPJ from
        // `store::analyses::adopt_earlier`, which every start runs again: rows an older
        // replica writes during a rolling upgrade are adopted too.
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite refuses to drop an indexed column.
        for name in [
            "analysis_analyses_queue",
            "analysis_analyses_created",
            "analysis_analyses_document",
        ] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(AnalysisAnalyses::Table)
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            AnalysisEvents::Table.into_iden(),
            AnalysisRevisions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        for column in [
            AnalysisAnalyses::DocumentNumber,
            AnalysisAnalyses::Review,
            AnalysisAnalyses::CreditProposalStatus,
            AnalysisAnalyses::CreditEventDate,
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
