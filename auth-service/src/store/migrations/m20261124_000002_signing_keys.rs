use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Ed25519 token-signing keys. The newest unretired key signs; every unretired key is published
/// in the JWKS so tokens signed before a rotation keep verifying until they expire.
#[derive(DeriveIden)]
enum AuthSigningKeys {
    Table,
    Kid,
    /// PKCS#8 document of the key pair, sealed under a key derived from the server key.
    Pkcs8,
    PublicKey,
    CreatedAt,
    RetiredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AuthSigningKeys as K;
        manager
            .create_table(
                Table::create()
                    .table(K::Table)
                    .if_not_exists()
                    .col(string(K::Kid).primary_key())
                    .col(binary(K::Pkcs8))
                    .col(binary(K::PublicKey))
                    .col(timestamp_with_time_zone(K::CreatedAt))
                    .col(timestamp_with_time_zone_null(K::RetiredAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuthSigningKeys::Table).to_owned())
            .await
    }
}
