//! The gateway serving HTTPS itself, with a certificate it reloads from its files.

use aval_gateway::{
    Gateway,
    settings::{GatewaySettings, HttpsFiles},
};
use aval_testkit::TestCerts;
use aval_transport::{
    identity::MeshIdentity,
    settings::{Env, Peers},
    shutdown::CancellationToken,
};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET /healthz` over TLS, trusting only `ca`: the answer's status line and the certificate
/// the gateway presented.
async fn get_healthz(addr: SocketAddr, ca: &[u8]) -> anyhow::Result<(String, Vec<u8>)> {
    use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca) {
        roots.add(cert?)?;
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut tls = connector
        .connect(ServerName::try_from("localhost")?, tcp)
        .await?;
    let presented = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first())
        .map(|c| c.as_ref().to_vec())
        .unwrap_or_default();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await?;
    let status = answer.lines().next().unwrap_or_default().to_owned();
    Ok((status, presented))
}

#[tokio::test]
async fn the_gateway_serves_https_itself_and_takes_a_renewed_certificate() -> anyhow::Result<()> {
    let certs = TestCerts::generate()?;
    // Any certificate for `localhost` will do; the mesh CA's gateway one has that name.
    let public = certs.paths(MeshIdentity::GATEWAY);
    let settings = GatewaySettings {
        https: Some(HttpsFiles {
            cert: public.cert.clone(),
            key: public.key.clone(),
        }),
        cert_reload: Duration::from_millis(50),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        tls: certs.paths(MeshIdentity::GATEWAY),
        peers: Peers::from_env(&Env::from_lookup(|_| None))?,
        telemetry: aval_telemetry::TelemetrySettings::default(),
    };
    let gateway = Gateway::build(settings).await?;
    let addr = gateway.local_addr();
    let shutdown = CancellationToken::new();
    let served = tokio::spawn(gateway.run_until_stopped(shutdown.clone()));
    let ca = std::fs::read(&public.ca)?;

    let (status, before) = get_healthz(addr, &ca).await?;
    assert_eq!(status, "HTTP/1.1 200 OK");

    certs.reissue(MeshIdentity::GATEWAY)?;
    let mut after = before.clone();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, presented) = get_healthz(addr, &ca).await?;
        assert_eq!(status, "HTTP/1.1 200 OK");
        after = presented;
        if after != before {
            break;
        }
    }
    assert_ne!(after, before, "the renewed certificate was not taken up");

    // Plain HTTP on the HTTPS port is refused, not served.
    let mut plain = tokio::net::TcpStream::connect(addr).await?;
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await?;
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf).await;
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));

    shutdown.cancel();
    served.await??;
    Ok(())
}
