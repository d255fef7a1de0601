use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One legal-person analysis per (tenant, proposal id): the proposal id is the idempotency key.
#[derive(DeriveIden)]
enum AnalysisAnalyses {
    Table,
    TenantId,
    ProposalId,
    /// SHA-256 of the canonical proposal, to tell a retry from a conflicting reuse of the id.
    ProposalHash,
    /// The proposal as received, for audit and replay.
    Proposal,
    Status,
    /// The decision with its inputs, policy version and reasons, for audit and replay.
    Decision,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AnalysisAnalyses as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .if_not_exists()
                    .col(string(A::TenantId))
                    .col(string(A::ProposalId))
                    .col(string_len(A::ProposalHash, 64))
                    .col(json(A::Proposal))
                    .col(string(A::Status))
                    .col(json(A::Decision))
                    .col(timestamp_with_time_zone(A::CreatedAt))
                    .col(timestamp_with_time_zone(A::UpdatedAt))
                    .primary_key(Index::create().col(A::TenantId).col(A::ProposalId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AnalysisAnalyses::Table).to_owned())
            .await
    }
}
