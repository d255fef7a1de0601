//! auth-service on a free port with its real certificate and a real database.

use aval_auth_service::Application;
use aval_errors::OAuthError;
use aval_proto::auth::v1::{
    CreateClientRequest, CreateTenantRequest, IssueTokenRequest, RotateClientSecretRequest,
    auth_service_client::AuthServiceClient,
};
use aval_proto::keys::v1::{GetJwksRequest, token_keys_client::TokenKeysClient};
use aval_testkit::{
    TestDatabase, TestResult, TestService,
    access::{assert_allow_list, rule},
    db_test,
};
use aval_transport::{identity::MeshIdentity as Id, jwt, status::reason};
use tonic::Code;

async fn enforces_its_allow_list_and_publishes_its_key(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    // The gateway exchanges credentials for tokens; every service fetches the JWKS; only
    // operators administer tenants, clients and keys.
    let auth = "aval.auth.v1.AuthService";
    let every_verifier = &[
        Id::GATEWAY,
        Id::SCORE,
        Id::ANALYSIS,
        Id::BILLING,
        Id::OPERATOR,
    ];
    assert_allow_list(
        &service,
        &[
            rule(auth, "IssueToken", &[Id::GATEWAY, Id::OPERATOR]),
            rule(auth, "ExchangeApiKey", &[Id::GATEWAY, Id::OPERATOR]),
            rule("aval.keys.v1.TokenKeys", "GetJwks", every_verifier),
            rule(auth, "CreateTenant", &[Id::OPERATOR]),
            rule(auth, "CreateClient", &[Id::OPERATOR]),
            rule(auth, "CreateApiKey", &[Id::OPERATOR]),
            rule(auth, "RotateClientSecret", &[Id::OPERATOR]),
        ],
    )
    .await?;

    // An unknown client is refused as such.
    let refused = AuthServiceClient::new(service.channel_as(Id::GATEWAY)?)
        .issue_token(IssueTokenRequest::default())
        .await;
    assert_eq!(refused.err().map(|s| s.code()), Some(Code::Unauthenticated));

    let jwks = TokenKeysClient::new(service.channel_as(Id::BILLING)?)
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
db_test!(enforces_its_allow_list_and_publishes_its_key);

async fn clients_get_verifiable_tokens_and_secrets_are_stored_hashed(
    db: TestDatabase,
) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    let mut operator = AuthServiceClient::new(service.channel_as(Id::OPERATOR)?);
    let mut gateway = AuthServiceClient::new(service.channel_as(Id::GATEWAY)?);

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
    let jwks = TokenKeysClient::new(service.channel_as(Id::GATEWAY)?)
        .get_jwks(GetJwksRequest::default())
        .await?
        .into_inner();
    let header = jwt::header(&token.access_token)?;
    let key = jwks
        .keys
        .iter()
        .find(|k| k.kid == header.kid)
        .and_then(|k| jwt::decode_key(&k.x))
        .ok_or_else(|| anyhow::anyhow!("the token's key is not published"))?;
    let claims = jwt::verify(&token.access_token, &key, chrono::Utc::now().timestamp(), 0)?;
    assert_eq!(claims.tenant, "acme");
    assert_eq!(claims.sub, created.client_id);
    assert_eq!(claims.scope, "score:read");

    // The database holds a keyed hash, never the secret.
    let conn = aval_database::connect(&db.url).await?;
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
        reason(&wrong).as_deref(),
        Some(OAuthError::InvalidClient.as_str())
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
        reason(&scope).as_deref(),
        Some(OAuthError::InvalidScope.as_str())
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
