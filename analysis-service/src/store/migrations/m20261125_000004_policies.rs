use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A tenant's policy versions, as published (never changed afterwards).
#[derive(DeriveIden)]
enum AnalysisPolicies {
    Table,
    TenantId,
    PolicyId,
    Version,
    /// The document as published (JSON text).
    Document,
    PublishedAt,
}

/// The version deciding a tenant's new proposals; none: Aval's default policy.
#[derive(DeriveIden)]
enum AnalysisActivePolicies {
    Table,
    TenantId,
    PolicyId,
    Version,
    ActivatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AnalysisActivePolicies as A;
        use AnalysisPolicies as P;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .if_not_exists()
                    .col(string(P::TenantId))
                    .col(string(P::PolicyId))
                    .col(integer(P::Version))
                    .col(text(P::Document))
                    .col(timestamp_with_time_zone(P::PublishedAt))
                    .primary_key(
                        Index::create()
                            .col(P::TenantId)
                            .col(P::PolicyId)
                            .col(P::Version),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .if_not_exists()
                    .col(string(A::TenantId).primary_key())
                    .col(string(A::PolicyId))
                    .col(integer(A::Version))
                    .col(timestamp_with_time_zone(A::ActivatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AnalysisActivePolicies::Table.into_iden(),
            AnalysisPolicies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
