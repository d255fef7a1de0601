//! What the harness measures runs in child processes (this same binary, `serve …`), so the
//! load generator and the server do not share a runtime, and the server's CPU time is its own.

use aval::dev::DevOptions;
use aval_transport::{
    identity::MeshIdentity,
    shutdown,
    tls::{CertPaths, MeshTls},
};
use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::PathBuf};
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

/// What a child prints, as one JSON line, once it serves.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Ready {
    pub addr: String,
    pub cert_dir: Option<PathBuf>,
    pub gateway: Option<String>,
    pub score: Option<String>,
    pub billing: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

fn announce(ready: &Ready) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(ready)?);
    Ok(())
}

/// The whole mesh as `aval dev` runs it, with the demo tenant on the enterprise plan (so a
/// benchmark never meets a quota).
pub async fn mesh(data_dir: PathBuf, database_url: Option<String>) -> anyhow::Result<()> {
    let mut options = DevOptions::ephemeral(data_dir);
    options.database_url = database_url;
    let mut mesh = aval::dev::start(options).await?;
    mesh.wait_ready().await?;
    let demo = mesh.seed_demo().await?.credentials.clone();
    mesh.admin()?
        .subscribe(&demo.tenant_id, "enterprise", None)
        .await?;
    announce(&Ready {
        addr: mesh.gateway_url(),
        cert_dir: Some(mesh.cert_dir.clone()),
        gateway: Some(mesh.gateway_url()),
        score: mesh
            .services
            .get(MeshIdentity::SCORE)
            .map(SocketAddr::to_string),
        billing: mesh
            .services
            .get(MeshIdentity::BILLING)
            .map(SocketAddr::to_string),
        tenant_id: Some(demo.tenant_id),
        client_id: Some(demo.client_id),
        client_secret: Some(demo.client_secret),
    })?;
    shutdown::signal().await;
    mesh.shutdown().await
}

/// A bare tonic unary echo server, plaintext or with mTLS (certificates in `cert_dir`).
pub async fn echo(tls_cert_dir: Option<PathBuf>) -> anyhow::Result<()> {
    aval_transport::install_crypto_provider();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let tls = match &tls_cert_dir {
        Some(dir) => {
            aval_certs::generate_mesh_certs(dir, &dir.join("ca"), aval_certs::DEFAULT_NAMESPACE)?;
            Some(MeshTls::load(&CertPaths::in_dir(dir, MeshIdentity::SCORE))?)
        }
        None => None,
    };
    announce(&Ready {
        addr: addr.to_string(),
        cert_dir: tls_cert_dir,
        ..Ready::default()
    })?;
    // Mesh channels follow each replica's health, so the echo server reports it too.
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    let router = tonic::transport::Server::builder()
        .tcp_nodelay(true)
        .add_service(health_service)
        .add_service(aval_testkit::echo::EchoService::default().server());
    match tls {
        // The mesh's own accept loop, so the baseline pays the same TLS as the services.
        Some(tls) => {
            let incoming = aval_transport::tls::accept(listener, tls, shutdown::signal());
            router
                .serve_with_incoming_shutdown(incoming, shutdown::signal())
                .await?;
        }
        None => {
            router
                .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown::signal())
                .await?;
        }
    }
    Ok(())
}

/// A bare axum route answering `hello`.
pub async fn hello() -> anyhow::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    announce(&Ready {
        addr: format!("http://{}", listener.local_addr()?),
        ..Ready::default()
    })?;
    let app = axum::Router::new().route("/hello", axum::routing::get(|| async { "hello" }));
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown::signal())
        .await?;
    Ok(())
}
