//! The Claro "Score Customizado" flow over real HTTP: token by HTTP Basic in `x-client-auth`
//! or `Authorization`, score with the bearer in either header.

use crate::helpers::spawn_mesh;
use aval::demo;
use aval_testkit::{TestDatabase, TestResult, db_test};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::Value;

async fn the_claro_flow_works_with_either_header(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let demo = mesh.demo()?.clone();
    let basic = STANDARD.encode(format!("{}:{}", demo.client_id, demo.client_secret));

    for header in ["x-client-auth", "authorization"] {
        let response = mesh
            .http
            .post(mesh.url("/oauth2/v1/token"))
            .header(header, format!("Basic {basic}"))
            .header("X-CustomerID", "claro_exemplo")
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await?;
        assert_eq!(response.status(), 200, "token with Basic in {header}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let token: Value = response.json().await?;
        assert_eq!(token["token_type"], "Bearer");
        assert_eq!(token["expires_in"], 3600);
        let access_token = token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!access_token.is_empty());

        for bearer_header in ["x-client-auth", "authorization"] {
            let response = mesh
                .http
                .post(mesh.url("/customers/v1/customscores"))
                .header(bearer_header, format!("Bearer {access_token}"))
                .header("Accept", "application/json")
                .header("X-CustomerID", demo::CUSTOMER_ID)
                .header("document", "111.444.777-35")
                .header("score", demo::MODEL)
                .send()
                .await?;
            assert_eq!(
                response.status(),
                200,
                "score with the bearer in {bearer_header}"
            );
            let request_id = response.headers()["x-request-id"].to_str()?.to_owned();
            let body: Value = response.json().await?;
            let score = body["score"].as_i64().unwrap_or(-1);
            assert!((0..=1000).contains(&score), "{body}");
            assert_eq!(score, 680, "the demo's low-risk consumer");
            assert_eq!(body["band"], "low");
            let pd = body["probability_of_default"].as_f64().unwrap_or(-1.0);
            assert!(pd > 0.0 && pd < 1.0, "{body}");
            let reasons = body["reasons"].as_array().cloned().unwrap_or_default();
            assert!(!reasons.is_empty(), "reasons are given: {body}");
            let impacts: Vec<f64> = reasons
                .iter()
                .filter_map(|r| r["impact"].as_f64())
                .collect();
            assert!(
                impacts.windows(2).all(|w| w[0] >= w[1]),
                "ordered by impact: {body}"
            );
            assert!(
                reasons
                    .iter()
                    .all(|r| r["code"].is_string() && r["description"].is_string())
            );
            assert_eq!(body["model"]["id"], demo::MODEL);
            assert_eq!(body["meta"]["request_id"], request_id.as_str());
            assert!(body["meta"]["latency_ms"].is_u64());
        }
    }

    // Aval's own JSON route gives the same score.
    let token = mesh.token(&demo).await?;
    let body: Value = mesh
        .http
        .post(mesh.url("/v1/scores"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"document": "11144477735", "model": "aval-default"}))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(body["score"], 680, "{body}");
    mesh.stop().await
}
db_test!(the_claro_flow_works_with_either_header);

async fn each_risk_level_scores_in_its_band(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let token = mesh.token(mesh.demo()?).await?;
    let expected = [
        ("VERY_LOW", "very_low"),
        ("LOW", "low"),
        ("MEDIUM", "medium"),
        ("HIGH", "high"),
        ("VERY_HIGH", "very_high"),
    ];
    let mut previous = i64::MAX;
    for (level, band) in expected {
        let consumer = demo::CONSUMERS
            .iter()
            .find(|c| c.level == level)
            .ok_or_else(|| anyhow::anyhow!("no demo consumer {level}"))?;
        let body: Value = mesh.score(&token, consumer.cpf).await?.json().await?;
        assert_eq!(body["band"], band, "{level}: {body}");
        let score = body["score"].as_i64().unwrap_or(-1);
        assert!(score < previous, "higher risk, lower score");
        previous = score;
    }
    mesh.stop().await
}
db_test!(each_risk_level_scores_in_its_band);
