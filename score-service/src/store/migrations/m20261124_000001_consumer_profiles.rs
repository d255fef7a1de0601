use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Behavioural data per CPF: a tenant's own, or the platform's shared data (empty tenant).
#[derive(DeriveIden)]
enum ScoreConsumerProfiles {
    Table,
    TenantId,
    /// The CPF's 11 canonical digits.
    Document,
    MonthsAsCustomer,
    OnTimePaymentRatio,
    LatePayments12m,
    AverageMonthlySpendCents,
    ActiveLines,
    HasBankAccount,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ScoreConsumerProfiles as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .if_not_exists()
                    .col(string(P::TenantId))
                    .col(string_len(P::Document, 11))
                    .col(integer(P::MonthsAsCustomer))
                    .col(double(P::OnTimePaymentRatio))
                    .col(integer(P::LatePayments12m))
                    .col(big_integer(P::AverageMonthlySpendCents))
                    .col(integer(P::ActiveLines))
                    .col(boolean(P::HasBankAccount))
                    .col(timestamp_with_time_zone(P::UpdatedAt))
                    .primary_key(Index::create().col(P::TenantId).col(P::Document))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScoreConsumerProfiles::Table).to_owned())
            .await
    }
}
