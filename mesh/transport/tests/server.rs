//! The mesh server over real sockets with real certificates: mTLS refusals, the per-RPC
//! allow-list, trace propagation and the graceful drain.

use aval_testkit::{
    TestCerts, TestResult,
    echo::{self, EchoClient, EchoRequest, EchoService},
};
use aval_transport::{
    authz::AccessPolicy,
    client::{MeshChannel, PeerAddress, connect_lazy},
    health::{wait_for_status, wait_serving},
    identity::MeshIdentity,
    server::{MeshServer, ServerError, ServerSettings},
    shutdown::CancellationToken,
    tls::MeshTls,
};
use std::{net::SocketAddr, time::Duration};
use tonic::{
    Code,
    service::Routes,
    transport::{Certificate, ClientTlsConfig, Endpoint},
};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

const ECHO: &str = echo::SERVICE;

struct RunningServer {
    addr: SocketAddr,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

/// An Echo server that only `gateway` may call, on a free loopback port.
async fn spawn_echo(certs: &TestCerts, settings: ServerSettings) -> anyhow::Result<RunningServer> {
    spawn(certs, settings, EchoService::default()).await
}

async fn spawn(
    certs: &TestCerts,
    settings: ServerSettings,
    echo: EchoService,
) -> anyhow::Result<RunningServer> {
    let policy = AccessPolicy::new().allow(&format!("/{ECHO}/"), &[MeshIdentity::GATEWAY]);
    let server = MeshServer::bind(settings, certs.tls(MeshIdentity::SCORE)?, policy).await?;
    let addr = server.local_addr();
    let shutdown = CancellationToken::new();
    let routes = Routes::new(echo.server());
    let task = tokio::spawn(server.serve(routes, &[ECHO], shutdown.clone()));
    Ok(RunningServer {
        addr,
        shutdown,
        task,
    })
}

fn peer(addr: SocketAddr) -> PeerAddress {
    PeerAddress::new(format!("https://{addr}"), MeshIdentity::SCORE)
}

async fn health_status(
    channel: MeshChannel,
    service: &str,
) -> Result<ServingStatus, tonic::Status> {
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: service.to_owned(),
        })
        .await?;
    Ok(response.into_inner().status())
}

/// The call failed in the transport, with a TLS alert from the server, before any RPC ran.
fn assert_refused_by_tls(status: &tonic::Status, alert: &str) {
    assert!(
        matches!(status.code(), Code::Unknown | Code::Unavailable),
        "not a transport failure: {status:?}"
    );
    let chain = format!("{status:?}");
    assert!(chain.contains(alert), "no TLS `{alert}` in {chain}");
}

#[tokio::test]
async fn health_check_answers_over_mtls() -> TestResult {
    let certs = TestCerts::generate()?;
    let server = spawn_echo(&certs, ServerSettings::ephemeral()).await?;
    let channel = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::GATEWAY)?)?;
    wait_serving(channel.clone()).await?;
    assert_eq!(
        health_status(channel.clone(), ECHO).await?,
        ServingStatus::Serving
    );
    // Health is open to every mesh identity, not only those allowed to call Echo.
    let billing = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::BILLING)?)?;
    assert_eq!(health_status(billing, "").await?, ServingStatus::Serving);
    server.shutdown.cancel();
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn clients_without_a_mesh_certificate_are_refused_at_the_handshake() -> TestResult {
    let certs = TestCerts::generate()?;
    let foreign = TestCerts::generate()?;
    let server = spawn_echo(&certs, ServerSettings::ephemeral()).await?;
    let ca = std::fs::read(certs.paths(MeshIdentity::GATEWAY).ca)?;

    // Trusts the server, presents no certificate.
    let no_cert = Endpoint::from_shared(format!("https://{}", server.addr))?
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&ca))
                .domain_name(MeshIdentity::SCORE),
        )?
        .connect_lazy();
    let refused = HealthClient::new(no_cert)
        .check(HealthCheckRequest::default())
        .await;
    let status = refused
        .err()
        .ok_or_else(|| anyhow::anyhow!("a client without certificate was served"))?;
    assert_refused_by_tls(&status, "CertificateRequired");

    // Trusts the server, presents a certificate from another CA.
    let foreign_paths = foreign.paths(MeshIdentity::GATEWAY);
    let foreign_tls = MeshTls::from_pem(
        &ca,
        std::fs::read(&foreign_paths.cert)?,
        std::fs::read(&foreign_paths.key)?,
    )?;
    let channel = connect_lazy(&peer(server.addr), &foreign_tls)?;
    let status = health_status(channel, "")
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("a client with a foreign certificate was served"))?;
    assert_refused_by_tls(&status, "alert");

    // The server is fine: a mesh client is still served.
    let good = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::GATEWAY)?)?;
    wait_serving(good).await?;
    server.shutdown.cancel();
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn identities_not_on_the_allow_list_get_permission_denied() -> TestResult {
    let certs = TestCerts::generate()?;
    let server = spawn_echo(&certs, ServerSettings::ephemeral()).await?;

    let gateway = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::GATEWAY)?)?;
    let answer = EchoClient::new(gateway)
        .echo(EchoRequest {
            message: "hi".into(),
            delay_ms: 0,
        })
        .await?
        .into_inner();
    assert_eq!(answer.message, "hi");
    assert_eq!(
        answer.caller,
        MeshIdentity::GATEWAY,
        "the server read the caller from its certificate"
    );

    let billing = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::BILLING)?)?;
    let denied = EchoClient::new(billing)
        .echo(EchoRequest::default())
        .await
        .err()
        .ok_or_else(|| anyhow::anyhow!("billing-service was allowed to call Echo"))?;
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert!(denied.message().contains("billing-service"), "{denied:?}");

    server.shutdown.cancel();
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn shutdown_reports_not_serving_then_lets_in_flight_calls_finish() -> TestResult {
    let certs = TestCerts::generate()?;
    let settings = ServerSettings {
        drain_delay: Duration::from_millis(400),
        ..ServerSettings::ephemeral()
    };
    let (echo, mut arrivals) = EchoService::reporting_arrivals();
    let server = spawn(&certs, settings, echo).await?;
    let channel = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::GATEWAY)?)?;
    wait_serving(channel.clone()).await?;

    let in_flight = tokio::spawn({
        let channel = channel.clone();
        async move {
            EchoClient::new(channel)
                .echo(EchoRequest {
                    message: "slow".into(),
                    delay_ms: 1_000,
                })
                .await
        }
    });
    // The call is in the handler now.
    assert_eq!(arrivals.recv().await.as_deref(), Some("slow"));
    server.shutdown.cancel();

    // Within the drain delay: still answering, but no longer ready.
    wait_for_status(channel.clone(), "", ServingStatus::NotServing).await?;
    assert_eq!(
        health_status(channel, ECHO).await?,
        ServingStatus::NotServing
    );

    let answer = in_flight.await??.into_inner();
    assert_eq!(answer.message, "slow", "the in-flight call completed");
    tokio::time::timeout(Duration::from_secs(5), server.task).await???;
    Ok(())
}

#[tokio::test]
async fn probe_port_serves_health_without_a_client_certificate() -> TestResult {
    let certs = TestCerts::generate()?;
    let settings = ServerSettings {
        probe_listen: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..ServerSettings::ephemeral()
    };
    let policy = AccessPolicy::new();
    let server = MeshServer::bind(settings, certs.tls(MeshIdentity::SCORE)?, policy).await?;
    let probe = server
        .probe_addr()
        .ok_or_else(|| anyhow::anyhow!("no probe address"))?;
    let shutdown = CancellationToken::new();
    let routes = Routes::new(EchoService::default().server());
    let task = tokio::spawn(server.serve(routes, &[ECHO], shutdown.clone()));

    // Plaintext, no client certificate: what kubelet's gRPC probe does.
    let channel = Endpoint::from_shared(format!("http://{probe}"))?.connect_lazy();
    wait_for_status(channel.clone(), "", ServingStatus::Serving).await?;
    // The probe port serves nothing but health.
    let echo = EchoClient::new(channel).echo(EchoRequest::default()).await;
    assert_eq!(echo.err().map(|s| s.code()), Some(Code::Unimplemented));
    shutdown.cancel();
    task.await??;
    Ok(())
}

#[tokio::test]
async fn reflection_describes_the_aval_api_and_nothing_test_only() -> TestResult {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let certs = TestCerts::generate()?;
    let server = spawn_echo(&certs, ServerSettings::ephemeral()).await?;
    let channel = connect_lazy(&peer(server.addr), &certs.tls(MeshIdentity::OPERATOR)?)?;
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut answers = ServerReflectionClient::new(channel)
        .server_reflection_info(tokio_stream::iter([request]))
        .await?
        .into_inner();
    let answer = answers
        .message()
        .await?
        .and_then(|m| m.message_response)
        .ok_or_else(|| anyhow::anyhow!("no reflection answer"))?;
    let MessageResponse::ListServicesResponse(list) = answer else {
        anyhow::bail!("unexpected reflection answer {answer:?}");
    };
    let names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    assert!(
        names.iter().any(|n| n == "aval.score.v1.ScoreService"),
        "{names:?}"
    );
    // The Echo test service is served here, but production descriptors do not know it.
    assert!(!names.iter().any(|n| n == ECHO), "{names:?}");
    assert!(
        names.iter().any(|n| n == "grpc.health.v1.Health"),
        "{names:?}"
    );

    // v1alpha too, for the tools that speak only it; workloads are not shown the API.
    let v1alpha = |identity: &str| -> anyhow::Result<_> {
        use tonic_reflection::pb::v1alpha::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest,
        };
        let channel = connect_lazy(&peer(server.addr), &certs.tls(identity)?)?;
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        Ok(async move {
            ServerReflectionClient::new(channel)
                .server_reflection_info(tokio_stream::iter([request]))
                .await
        })
    };
    let mut answers = v1alpha(MeshIdentity::OPERATOR)?.await?.into_inner();
    let listed = answers.message().await?.and_then(|m| m.message_response);
    let Some(tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) = listed else {
        anyhow::bail!("unexpected v1alpha answer {listed:?}");
    };
    assert!(
        list.service
            .iter()
            .any(|s| s.name == "aval.analysis.v1.AnalysisService"),
        "{list:?}"
    );
    let denied = match v1alpha(MeshIdentity::GATEWAY)?.await {
        Ok(mut stream) => stream.get_mut().message().await.err(),
        Err(status) => Some(status),
    };
    assert_eq!(denied.map(|s| s.code()), Some(Code::PermissionDenied));
    server.shutdown.cancel();
    server.task.await??;
    Ok(())
}
