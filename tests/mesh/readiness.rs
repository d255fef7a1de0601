//! The mesh stands up: every service SERVING over mTLS, the gateway live and ready, errors in
//! the one envelope with the request id.

use crate::helpers::spawn_mesh;
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::{
    client::{PeerAddress, connect_lazy},
    identity::MeshIdentity,
    tls::MeshTls,
};
use serde_json::Value;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

async fn every_service_serves_and_the_gateway_is_ready(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;

    // Each service answers the standard health check over mTLS, as an operator would call it.
    let tls = MeshTls::load(&mesh.mesh.operator_cert())?;
    for (identity, addr) in &mesh.mesh.services {
        let channel = connect_lazy(
            &PeerAddress::new(format!("https://{addr}"), *identity),
            &tls,
        )?;
        let status = HealthClient::new(channel)
            .check(HealthCheckRequest::default())
            .await?
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{identity}");
    }

    let live = mesh.http.get(mesh.url("/healthz")).send().await?;
    assert_eq!(live.status(), 200);

    let ready = mesh.http.get(mesh.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await?;
    assert_eq!(body["status"], "ready");
    for identity in [
        MeshIdentity::AUTH,
        MeshIdentity::SCORE,
        MeshIdentity::ANALYSIS,
        MeshIdentity::BILLING,
    ] {
        assert_eq!(body["upstreams"][identity], "SERVING", "{body}");
    }
    mesh.stop().await
}
db_test!(every_service_serves_and_the_gateway_is_ready);

/// Billing down is a degraded dependency, not an outage: the gateway stays in rotation (200,
/// `degraded`, naming billing) and scores keep flowing.
async fn the_gateway_stays_ready_while_a_service_is_down(db: TestDatabase) -> TestResult {
    let mut mesh = spawn_mesh(&db).await?;
    // Returns once billing has stopped serving and closed its listener.
    mesh.mesh.stop_service(MeshIdentity::BILLING).await?;

    let ready = mesh.http.get(mesh.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let last: Value = ready.json().await?;
    assert_eq!(last["status"], "degraded", "{last}");
    assert_ne!(last["upstreams"][MeshIdentity::BILLING], "SERVING");
    assert_eq!(last["upstreams"][MeshIdentity::SCORE], "SERVING");
    // The gateway itself is still live, and answers still flow.
    assert_eq!(
        mesh.http.get(mesh.url("/healthz")).send().await?.status(),
        200
    );
    let token = mesh.token(mesh.demo()?).await?;
    let scored = mesh.score(&token, aval::demo::CONSUMERS[0].cpf).await?;
    assert_eq!(scored.status(), 200);
    mesh.stop().await
}
db_test!(the_gateway_stays_ready_while_a_service_is_down);

async fn unknown_routes_answer_the_error_envelope_with_the_request_id(
    db: TestDatabase,
) -> TestResult {
    let mesh = spawn_mesh(&db).await?;

    let response = mesh.http.get(mesh.url("/no/such/route")).send().await?;
    assert_eq!(response.status(), 404);
    let header = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no X-Request-Id"))?;
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    assert_eq!(body["error"]["request_id"], header.as_str());
    assert!(body["error"]["details"].is_array());

    // A caller's own request id is kept.
    let response = mesh
        .http
        .get(mesh.url("/no/such/route"))
        .header("x-request-id", "partner-req-42")
        .send()
        .await?;
    assert_eq!(response.headers()["x-request-id"], "partner-req-42");
    let body: Value = response.json().await?;
    assert_eq!(body["error"]["request_id"], "partner-req-42");
    mesh.stop().await
}
db_test!(unknown_routes_answer_the_error_envelope_with_the_request_id);
