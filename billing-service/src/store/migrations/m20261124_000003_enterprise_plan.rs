use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

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

/// A high-volume plan for partners past pay-per-use (and for load tests): 100 million answers
/// a year.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use BillingPlans as P;
        let mut insert = Query::insert();
        insert
            .into_table(P::Table)
            .columns([
                P::Id,
                P::Name,
                P::AnswerLimit,
                P::PeriodMonths,
                P::PricePerAnswerCents,
                P::Currency,
            ])
            .on_conflict(OnConflict::column(P::Id).do_nothing().to_owned())
            .values([
                "enterprise".into(),
                "Enterprise".into(),
                100_000_000i64.into(),
                12.into(),
                50.into(),
                "BRL".into(),
            ])
            .map_err(|e| DbErr::Migration(e.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(BillingPlans::Table)
            .and_where(Expr::col(BillingPlans::Id).eq("enterprise"))
            .to_owned();
        manager.exec_stmt(delete).await
    }
}
