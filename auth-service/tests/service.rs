//! auth-service on a free port with its real certificate and a real database.

use aval_auth_service::{Application, store::Migrator};
use aval_mesh::{
    db_test,
    identity::MeshIdentity,
    testing::{TestDatabase, TestResult, TestService, assert_migrations_idempotent},
};
use aval_proto::auth::v1::{
    CreateClientRequest, CreateTenantRequest, GetJwksRequest, IssueTokenRequest,
    RotateClientSecretRequest, auth_service_client::AuthServiceClient,
};
use tonic::Code;

async fn answers_health_over_mtls_and_enforces_its_allow_list(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let gateway = service.channel_as(MeshIdentity::GATEWAY, MeshIdentity::AUTH)?;
    service.wait_serving(gateway.clone()).await?;

    // The gateway may ask for tokens; an unknown client is refused as such.
    let refused = AuthServiceClient::new(gateway)
        .issue_token(IssueTokenRequest::default())
        .await;
    assert_eq!(refused.err().map(|s| s.code()), Some(Code::Unauthenticated));

    // billing-service may fetch the JWKS but never ask for tokens.
    let billing = service.channel_as(MeshIdentity::BILLING, MeshIdentity::AUTH)?;
    let mut client = AuthServiceClient::new(billing);
    let denied = client.issue_token(IssueTokenRequest::default()).await;
    assert_eq!(denied.err().map(|s| s.code()), Some(Code::PermissionDenied));
    let jwks = client
        .get_jwks(GetJwksRequest::default())
        .await?
        .into_inner();
    assert_eq!(
        jwks.keys.len(),
        1,
        "the signing key is created at start and published"
    );
    assert_eq!(jwks.keys[0].crv, "Ed25519");

    service.stop().await
}
db_test!(answers_health_over_mtls_and_enforces_its_allow_list);

async fn migrations_run_twice_harmlessly(db: TestDatabase) -> TestResult {
    assert_migrations_idempotent::<Migrator>(&db.url).await
}
db_test!(migrations_run_twice_harmlessly);

async fn clients_get_verifiable_tokens_and_secrets_are_stored_hashed(
    db: TestDatabase,
) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let mut operator =
        AuthServiceClient::new(service.channel_as(MeshIdentity::OPERATOR, MeshIdentity::AUTH)?);
    let mut gateway =
        AuthServiceClient::new(service.channel_as(MeshIdentity::GATEWAY, MeshIdentity::AUTH)?);
    service
        .wait_serving(service.channel_as(MeshIdentity::OPERATOR, MeshIdentity::AUTH)?)
        .await?;

    operator
        .create_tenant(CreateTenantRequest {
            id: "acme".into(),
            name: "Acme Crédito".into(),
        })
        .await?;
    let created = operator
        .create_client(CreateClientRequest {
            tenant_id: "acme".into(),
            name: "acme backend".into(),
            scopes: vec!["score:read".into(), "usage:read".into()],
            client_id: String::new(),
        })
        .await?
        .into_inner();
    // 256 bits of randomness, base64url without padding.
    assert_eq!(created.client_secret.len(), 43);

    let token = gateway
        .issue_token(IssueTokenRequest {
            client_id: created.client_id.clone(),
            client_secret: created.client_secret.clone(),
            scope: "score:read".into(),
        })
        .await?
        .into_inner();
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.scope, "score:read");

    // The token verifies against the published key and says who holds it.
    let jwks = gateway
        .get_jwks(GetJwksRequest::default())
        .await?
        .into_inner();
    let header = aval_mesh::jwt::header(&token.access_token)?;
    let key = jwks
        .keys
        .iter()
        .find(|k| k.kid == header.kid)
        .and_then(|k| aval_mesh::jwt::decode_key(&k.x))
        .ok_or_else(|| anyhow::anyhow!("the token's key is not published"))?;
    let claims =
        aval_mesh::jwt::verify(&token.access_token, &key, chrono::Utc::now().timestamp(), 0)?;
    assert_eq!(claims.tenant, "acme");
    assert_eq!(claims.sub, created.client_id);
    assert_eq!(claims.scope, "score:read");

    // The database holds a keyed hash, never the secret.
    let conn = aval_mesh::db::connect(&db.url).await?;
    let stored = aval_auth_service::store::clients::find_enabled(&conn, &created.client_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("client not stored"))?;
    // Exactly HMAC-SHA256 under the server key kept outside the database.
    let key_bytes = std::fs::read(service.data_dir().join("secrets/auth-hash-key"))?;
    let expected = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes),
        created.client_secret.as_bytes(),
    );
    assert_eq!(stored.secret_hash, expected.as_ref());

    // A wrong secret, an unknown scope, and a rotated secret are refused.
    let wrong = gateway
        .issue_token(IssueTokenRequest {
            client_id: created.client_id.clone(),
            client_secret: "x".repeat(43),
            scope: String::new(),
        })
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a wrong secret got a token"))?;
    assert_eq!(
        aval_mesh::error::reason(&wrong).as_deref(),
        Some("invalid_client")
    );
    let scope = gateway
        .issue_token(IssueTokenRequest {
            client_id: created.client_id.clone(),
            client_secret: created.client_secret.clone(),
            scope: "analysis:write".into(),
        })
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("an ungranted scope got a token"))?;
    assert_eq!(
        aval_mesh::error::reason(&scope).as_deref(),
        Some("invalid_scope")
    );
    let rotated = operator
        .rotate_client_secret(RotateClientSecretRequest {
            client_id: created.client_id.clone(),
        })
        .await?
        .into_inner();
    let old = gateway
        .issue_token(IssueTokenRequest {
            client_id: created.client_id.clone(),
            client_secret: created.client_secret.clone(),
            scope: String::new(),
        })
        .await;
    assert_eq!(old.err().map(|s| s.code()), Some(Code::Unauthenticated));
    gateway
        .issue_token(IssueTokenRequest {
            client_id: created.client_id,
            client_secret: rotated.client_secret,
            scope: String::new(),
        })
        .await?;
    service.stop().await
}
db_test!(clients_get_verifiable_tokens_and_secrets_are_stored_hashed);
