use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Proposals of persons beside companies': each analysis says which kind it decided (every
/// earlier one was a company's), and a tenant has an active policy per kind.
#[derive(DeriveIden)]
enum AnalysisAnalyses {
    Table,
    Kind,
}

/// Rebuilt with the key (tenant, kind): a primary key cannot be altered in place on SQLite.
#[derive(DeriveIden)]
enum AnalysisActivePolicies {
    Table,
    TenantId,
    Kind,
    PolicyId,
    Version,
    ActivatedAt,
}

#[derive(DeriveIden)]
enum AnalysisActivePoliciesByKind {
    Table,
}

const LEGAL_PERSON: &str = "legal_person";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AnalysisActivePolicies as A;
        manager
            .alter_table(
                Table::alter()
                    .table(AnalysisAnalyses::Table)
                    .add_column(string(AnalysisAnalyses::Kind).default(LEGAL_PERSON))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AnalysisActivePoliciesByKind::Table)
                    .col(string(A::TenantId))
                    .col(string(A::Kind))
                    .col(string(A::PolicyId))
                    .col(integer(A::Version))
                    .col(timestamp_with_time_zone(A::ActivatedAt))
                    .primary_key(Index::create().col(A::TenantId).col(A::Kind))
                    .to_owned(),
            )
            .await?;
        let copy = Query::insert()
            .into_table(AnalysisActivePoliciesByKind::Table)
            .columns([
                A::TenantId,
                A::Kind,
                A::PolicyId,
                A::Version,
                A::ActivatedAt,
            ])
            .select_from(
                Query::select()
                    .column(A::TenantId)
                    .expr(Expr::val(LEGAL_PERSON))
                    .columns([A::PolicyId, A::Version, A::ActivatedAt])
                    .from(A::Table)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(copy).await?;
        manager
            .drop_table(Table::drop().table(A::Table).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(AnalysisActivePoliciesByKind::Table, A::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AnalysisActivePolicies as A;
        // Back to one active policy per tenant: its legal-person one.
        manager
            .create_table(
                Table::create()
                    .table(AnalysisActivePoliciesByKind::Table)
                    .col(string(A::TenantId).primary_key())
                    .col(string(A::PolicyId))
                    .col(integer(A::Version))
                    .col(timestamp_with_time_zone(A::ActivatedAt))
                    .to_owned(),
            )
            .await?;
        let copy = Query::insert()
            .into_table(AnalysisActivePoliciesByKind::Table)
            .columns([A::TenantId, A::PolicyId, A::Version, A::ActivatedAt])
            .select_from(
                Query::select()
                    .columns([A::TenantId, A::PolicyId, A::Version, A::ActivatedAt])
                    .from(A::Table)
                    .and_where(Expr::col(A::Kind).eq(LEGAL_PERSON))
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(copy).await?;
        manager
            .drop_table(Table::drop().table(A::Table).to_owned())
            .await?;
        manager
            .rename_table(
                Table::rename()
                    .table(AnalysisActivePoliciesByKind::Table, A::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AnalysisAnalyses::Table)
                    .drop_column(AnalysisAnalyses::Kind)
                    .to_owned(),
            )
            .await
    }
}
