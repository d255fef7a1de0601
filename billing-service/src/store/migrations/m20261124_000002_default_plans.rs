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

/// The two published plans. They are rows, not constants: operators may add or change plans.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use BillingPlans as P;
        let rows: [[SimpleExpr; 6]; 2] = [
            [
                "trial".into(),
                "Trial".into(),
                1_000.into(),
                3.into(),
                0.into(),
                "BRL".into(),
            ],
            [
                "pay_per_use".into(),
                "Pay per use".into(),
                5_000.into(),
                6.into(),
                150.into(),
                "BRL".into(),
            ],
        ];
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
            .on_conflict(OnConflict::column(P::Id).do_nothing().to_owned());
        for row in rows {
            insert
                .values(row)
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(BillingPlans::Table)
            .and_where(Expr::col(BillingPlans::Id).is_in(["trial", "pay_per_use"]))
            .to_owned();
        manager.exec_stmt(delete).await
    }
}
