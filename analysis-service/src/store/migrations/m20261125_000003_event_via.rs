use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A step an analyst took records who relayed it: the partner's client or the operator (the
/// analyst's own id is the caller's word).
#[derive(DeriveIden)]
enum AnalysisEvents {
    Table,
    ViaType,
    ViaId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_null(AnalysisEvents::ViaType),
            string_null(AnalysisEvents::ViaId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AnalysisEvents::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [AnalysisEvents::ViaType, AnalysisEvents::ViaId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AnalysisEvents::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
