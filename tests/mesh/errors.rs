//! Each error a partner can meet, with its HTTP status and stable code.

use crate::helpers::spawn_mesh;
use aval::demo;
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::jwt::{AUDIENCE, Claims, ISSUER};
use serde_json::Value;

async fn error_body(response: reqwest::Response, status: u16) -> anyhow::Result<Value> {
    assert_eq!(response.status(), status);
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await?;
    assert_eq!(
        body["error"]["request_id"].as_str(),
        request_id.as_deref(),
        "{body}"
    );
    Ok(body)
}

async fn score_errors_have_their_status_and_code(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let token = mesh.token(mesh.demo()?).await?;

    // Invalid CPF: check digits, length, all-same digits → 400 naming the field.
    for bad in ["111.444.777-36", "1114447773", "111.111.111-11"] {
        let body = error_body(mesh.score(&token, bad).await?, 400).await?;
        assert_eq!(body["error"]["code"], "INVALID_DOCUMENT", "{body}");
        assert_eq!(body["error"]["details"][0]["field"], "document", "{body}");
        assert!(body["error"]["details"][0]["code"].is_string());
    }
    // A valid CPF without data → 404.
    let body = error_body(mesh.score(&token, demo::UNKNOWN_CPF).await?, 404).await?;
    assert_eq!(body["error"]["code"], "CPF_NOT_FOUND");
    // An unknown model → 404.
    let response = mesh
        .http
        .post(mesh.url("/customers/v1/customscores"))
        .bearer_auth(&token)
        .header("document", "11144477735")
        .header("score", "no-such-model")
        .send()
        .await?;
    assert_eq!(
        error_body(response, 404).await?["error"]["code"],
        "MODEL_NOT_FOUND"
    );

    // Missing token → 401.
    let response = mesh
        .http
        .post(mesh.url("/customers/v1/customscores"))
        .header("document", "11144477735")
        .send()
        .await?;
    assert_eq!(
        error_body(response, 401).await?["error"]["code"],
        "UNAUTHENTICATED"
    );

    // Forged token: it names auth-service's real key id but is signed with another key → 401.
    let real_kid = aval_transport::jwt::header(&token)?.kid;
    let forged_key = {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| anyhow::anyhow!("keygen"))?;
        ring::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
            .map_err(|_| anyhow::anyhow!("key"))?
    };
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: demo::CLIENT.into(),
        exp,
        iat: exp - 3600,
        jti: "test".into(),
        tenant: demo::TENANT.into(),
        scope: "score:read".into(),
    };
    let forged = aval_transport::jwt::sign(&claims(now + 600), &real_kid, &forged_key)?;
    let body = error_body(mesh.score(&forged, "11144477735").await?, 401).await?;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("signature"),
        "{body}"
    );
    // A key id auth-service never had → 401 too.
    let unknown_kid = aval_transport::jwt::sign(&claims(now + 600), "not-a-kid", &forged_key)?;
    assert_eq!(mesh.score(&unknown_kid, "11144477735").await?.status(), 401);

    // Expired token, signed with auth-service's own key (opened with its server key) → 401.
    let auth_db = aval_database::connect(mesh.auth_database_url()).await?;
    let hash_key = aval_auth_service::load_hash_key(mesh.data_dir())?;
    let key = aval_auth_service::app::active_signing_key(&auth_db, &hash_key).await?;
    assert_eq!(key.kid, real_kid, "the key that signs tokens");
    let expired = key.sign(&claims(now - 120))?;
    let body = error_body(mesh.score(&expired, "11144477735").await?, 401).await?;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{body}"
    );
    // The same key and a live expiry is accepted: the 401 above was the expiry.
    let live = key.sign(&claims(now + 600))?;
    assert_eq!(mesh.score(&live, "11144477735").await?.status(), 200);

    // A token without the score scope → 403.
    let usage_only = mesh
        .tenant("usage-reader", Some("pay_per_use"), &["usage:read"])
        .await?;
    let usage_token = mesh.token(&usage_only).await?;
    let body = error_body(mesh.score(&usage_token, "11144477735").await?, 403).await?;
    assert_eq!(body["error"]["code"], "PERMISSION_DENIED");
    mesh.stop().await
}
db_test!(score_errors_have_their_status_and_code);

async fn token_errors_follow_rfc_6749(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let demo = mesh.demo()?.clone();
    let token_url = mesh.url("/oauth2/v1/token");

    let wrong_secret = mesh
        .http
        .post(&token_url)
        .basic_auth(&demo.client_id, Some("not-the-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?;
    assert_eq!(wrong_secret.status(), 401);
    assert!(wrong_secret.headers().contains_key("www-authenticate"));
    assert_eq!(
        wrong_secret.json::<Value>().await?["error"],
        "invalid_client"
    );

    let no_credentials = mesh
        .http
        .post(&token_url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?;
    assert_eq!(no_credentials.status(), 401);

    let wrong_grant = mesh
        .http
        .post(&token_url)
        .basic_auth(&demo.client_id, Some(&demo.client_secret))
        .form(&[("grant_type", "password")])
        .send()
        .await?;
    assert_eq!(wrong_grant.status(), 400);
    assert_eq!(
        wrong_grant.json::<Value>().await?["error"],
        "unsupported_grant_type"
    );

    let no_grant = mesh
        .http
        .post(&token_url)
        .basic_auth(&demo.client_id, Some(&demo.client_secret))
        .form(&[("scope", "score:read")])
        .send()
        .await?;
    assert_eq!(no_grant.status(), 400);
    assert_eq!(no_grant.json::<Value>().await?["error"], "invalid_request");

    let limited = mesh
        .tenant("limited", Some("trial"), &["score:read"])
        .await?;
    let wrong_scope = mesh
        .http
        .post(&token_url)
        .basic_auth(&limited.client_id, Some(&limited.client_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "usage:read"),
        ])
        .send()
        .await?;
    assert_eq!(wrong_scope.status(), 400);
    assert_eq!(wrong_scope.json::<Value>().await?["error"], "invalid_scope");

    let narrowed: Value = mesh
        .http
        .post(&token_url)
        .basic_auth(&demo.client_id, Some(&demo.client_secret))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "score:read"),
        ])
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(narrowed["scope"], "score:read");
    mesh.stop().await
}
db_test!(token_errors_follow_rfc_6749);
