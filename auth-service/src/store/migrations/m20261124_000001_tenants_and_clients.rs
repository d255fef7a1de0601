use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthTenants {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthClients {
    Table,
    ClientId,
    TenantId,
    Name,
    /// HMAC-SHA256 of the secret under the server key; the secret itself is never stored.
    SecretHash,
    /// Space-separated scopes the client may ask for.
    Scopes,
    CreatedAt,
    DisabledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthTenants::Table)
                    .if_not_exists()
                    .col(string(AuthTenants::Id).primary_key())
                    .col(string(AuthTenants::Name))
                    .col(timestamp_with_time_zone(AuthTenants::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuthClients::Table)
                    .if_not_exists()
                    .col(string(AuthClients::ClientId).primary_key())
                    .col(string(AuthClients::TenantId))
                    .col(string(AuthClients::Name))
                    .col(binary(AuthClients::SecretHash))
                    .col(string(AuthClients::Scopes))
                    .col(timestamp_with_time_zone(AuthClients::CreatedAt))
                    .col(timestamp_with_time_zone_null(AuthClients::DisabledAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AuthClients::Table, AuthClients::TenantId)
                            .to(AuthTenants::Table, AuthTenants::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthClients::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuthTenants::Table).to_owned())
            .await
    }
}
