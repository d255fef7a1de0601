use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Plans are data: how many answers, within how long, at what price.
#[derive(DeriveIden)]
enum BillingPlans {
    Table,
    Id,
    Name,
    AnswerLimit,
    PeriodMonths,
    PricePerAnswerCents,
    Currency,
}

#[derive(DeriveIden)]
enum BillingSubscriptions {
    Table,
    TenantId,
    PlanId,
    StartsAt,
    EndsAt,
}

/// Delivered answers; the event id is unique so a retried batch is never counted twice.
#[derive(DeriveIden)]
enum BillingUsageEvents {
    Table,
    EventId,
    TenantId,
    Product,
    OccurredAt,
    /// The UTC day of `occurred_at` (YYYY-MM-DD): what reports group by, on any engine.
    Day,
    Sandbox,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BillingPlans::Table)
                    .if_not_exists()
                    .col(string(BillingPlans::Id).primary_key())
                    .col(string(BillingPlans::Name))
                    .col(big_integer(BillingPlans::AnswerLimit))
                    .col(integer(BillingPlans::PeriodMonths))
                    .col(big_integer(BillingPlans::PricePerAnswerCents))
                    .col(string_len(BillingPlans::Currency, 3))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BillingSubscriptions::Table)
                    .if_not_exists()
                    .col(string(BillingSubscriptions::TenantId).primary_key())
                    .col(string(BillingSubscriptions::PlanId))
                    .col(timestamp_with_time_zone(BillingSubscriptions::StartsAt))
                    .col(timestamp_with_time_zone(BillingSubscriptions::EndsAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BillingSubscriptions::Table, BillingSubscriptions::PlanId)
                            .to(BillingPlans::Table, BillingPlans::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BillingUsageEvents::Table)
                    .if_not_exists()
                    .col(string(BillingUsageEvents::EventId).primary_key())
                    .col(string(BillingUsageEvents::TenantId))
                    .col(string(BillingUsageEvents::Product))
                    .col(timestamp_with_time_zone(BillingUsageEvents::OccurredAt))
                    .col(string_len(BillingUsageEvents::Day, 10))
                    .col(boolean(BillingUsageEvents::Sandbox))
                    .col(timestamp_with_time_zone(BillingUsageEvents::RecordedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("billing_usage_events_by_tenant_time")
                    .table(BillingUsageEvents::Table)
                    .col(BillingUsageEvents::TenantId)
                    .col(BillingUsageEvents::OccurredAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            BillingUsageEvents::Table.into_iden(),
            BillingSubscriptions::Table.into_iden(),
            BillingPlans::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
