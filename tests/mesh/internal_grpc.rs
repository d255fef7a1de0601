//! Internal services call score-service straight over gRPC, with a mesh certificate and a
//! bearer token, and get the answer partners get through the gateway.

use crate::helpers::spawn_mesh;
use aval_proto::score::v1::{GetScoreRequest, score_service_client::ScoreServiceClient};
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::{
    client::{PeerAddress, connect_lazy},
    identity::MeshIdentity,
    tls::MeshTls,
};
use serde_json::Value;
use tonic::metadata::MetadataValue;

async fn a_mesh_client_gets_the_same_score_as_the_gateway(db: TestDatabase) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let token = mesh.token(mesh.demo()?).await?;
    let rest: Value = mesh.score(&token, "390.533.447-05").await?.json().await?;

    let addr = mesh.mesh.services[MeshIdentity::SCORE];
    let tls = MeshTls::load(&mesh.mesh.internal_client_cert())?;
    let channel = connect_lazy(
        &PeerAddress::new(format!("https://{addr}"), MeshIdentity::SCORE),
        &tls,
    )?;
    let mut request = tonic::Request::new(GetScoreRequest {
        document: "39053344705".into(),
        model: Some("aval-default".into()),
        ..GetScoreRequest::default()
    });
    request.metadata_mut().insert(
        "authorization",
        MetadataValue::try_from(format!("Bearer {token}"))?,
    );
    let grpc = ScoreServiceClient::new(channel.clone())
        .get_score(request)
        .await?
        .into_inner();

    assert_eq!(i64::from(grpc.score), rest["score"].as_i64().unwrap_or(-1));
    assert_eq!(
        grpc.model_id,
        rest["model"]["id"].as_str().unwrap_or_default()
    );
    let rest_codes: Vec<&str> = rest["reasons"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x["code"].as_str()).collect())
        .unwrap_or_default();
    let grpc_codes: Vec<&str> = grpc.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(grpc_codes, rest_codes);

    // Without a token the mesh certificate alone is not enough.
    let anonymous = ScoreServiceClient::new(channel)
        .get_score(GetScoreRequest {
            document: "39053344705".into(),
            ..GetScoreRequest::default()
        })
        .await;
    assert_eq!(
        anonymous.err().map(|s| s.code()),
        Some(tonic::Code::Unauthenticated)
    );

    // The internal client may call the partner APIs, never the administration.
    let admin = ScoreServiceClient::new(connect_lazy(
        &PeerAddress::new(format!("https://{addr}"), MeshIdentity::SCORE),
        &tls,
    )?)
    .upsert_profiles(aval_proto::score::v1::UpsertProfilesRequest::default())
    .await;
    assert_eq!(
        admin.err().map(|s| s.code()),
        Some(tonic::Code::PermissionDenied)
    );
    mesh.stop().await
}
db_test!(a_mesh_client_gets_the_same_score_as_the_gateway);
