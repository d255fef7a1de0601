//! Peer channels over several replicas, and certificates renewed under running workloads:
//! real servers on real sockets, real certificates.

use aval_testkit::{
    TestCerts, TestResult,
    echo::{self, EchoClient, EchoRequest, EchoService},
};
use aval_transport::{
    authz::AccessPolicy,
    client::{MeshChannel, PeerAddress, connect_lazy},
    identity::MeshIdentity,
    server::{MeshServer, ServerError, ServerSettings},
    shutdown::CancellationToken,
    tls::MeshTls,
};
use std::{net::SocketAddr, time::Duration};
use tokio::{sync::mpsc::UnboundedReceiver, task::JoinHandle};
use tonic::{Code, service::Routes};

struct Replica {
    addr: SocketAddr,
    arrivals: UnboundedReceiver<String>,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), ServerError>>,
}

/// An Echo replica as `score-service` on `addr` (port 0: a free one) that reports each call.
async fn replica(certs: &TestCerts, addr: SocketAddr, drain: Duration) -> anyhow::Result<Replica> {
    replica_with(certs.tls(MeshIdentity::SCORE)?, addr, drain).await
}

async fn replica_with(tls: MeshTls, addr: SocketAddr, drain: Duration) -> anyhow::Result<Replica> {
    let settings = ServerSettings {
        listen: addr,
        drain_delay: drain,
        ..ServerSettings::ephemeral()
    };
    let policy = AccessPolicy::new().allow(
        &format!("/{}/", echo::SERVICE),
        &[MeshIdentity::GATEWAY, MeshIdentity::BILLING],
    );
    let server = MeshServer::bind(settings, tls, policy).await?;
    let addr = server.local_addr();
    let (echo, arrivals) = EchoService::reporting_arrivals();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(server.serve(
        Routes::new(echo.server()),
        &[echo::SERVICE],
        shutdown.clone(),
    ));
    Ok(Replica {
        addr,
        arrivals,
        shutdown,
        task,
    })
}

async fn call(channel: &MeshChannel, message: &str) -> Result<String, tonic::Status> {
    let answer = EchoClient::new(channel.clone())
        .echo(EchoRequest {
            message: message.to_owned(),
            delay_ms: 0,
        })
        .await?;
    Ok(answer.into_inner().caller)
}

/// How many calls `replica` saw since last asked.
fn seen(replica: &mut Replica) -> usize {
    std::iter::from_fn(|| replica.arrivals.try_recv().ok()).count()
}

#[tokio::test]
async fn calls_reach_every_replica_and_none_fails_while_one_drains_and_restarts() -> TestResult {
    let certs = TestCerts::generate()?;
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let drain = Duration::from_millis(500);
    let mut a = replica(&certs, any_port, drain).await?;
    let mut b = replica(&certs, any_port, drain).await?;
    let peer = PeerAddress::new(
        format!("https://{},https://{}", a.addr, b.addr),
        MeshIdentity::SCORE,
    );
    let channel = connect_lazy(&peer, &certs.tls(MeshIdentity::GATEWAY)?)?;

    // Until both replicas are known to be serving, the first may take every call.
    let (mut to_a, mut to_b) = (0, 0);
    for _ in 0..500 {
        call(&channel, "warm up").await?;
        to_a += seen(&mut a);
        to_b += seen(&mut b);
        if to_a > 0 && to_b > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(to_a > 0 && to_b > 0, "a saw {to_a} calls, b {to_b}");
    // Once both serve, calls alternate.
    for i in 0..40 {
        call(&channel, &format!("call {i}")).await?;
    }
    assert_eq!((seen(&mut a), seen(&mut b)), (20, 20));

    // Callers keep calling while `a` drains, stops, and comes back on the same address.
    let stop_calling = CancellationToken::new();
    let callers: Vec<JoinHandle<Result<usize, tonic::Status>>> = (0..4)
        .map(|_| {
            let channel = channel.clone();
            let stop = stop_calling.clone();
            tokio::spawn(async move {
                let mut calls = 0;
                while !stop.is_cancelled() {
                    call(&channel, "busy").await?;
                    calls += 1;
                }
                Ok(calls)
            })
        })
        .collect();
    a.shutdown.cancel();
    a.task.await??;
    let _ = seen(&mut b);
    // `a` is gone: everything lands on `b`.
    call(&channel, "only b").await?;
    assert!(seen(&mut b) >= 1);
    let mut a = replica(&certs, a.addr, drain).await?;
    let mut back = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        back += seen(&mut a);
        if back > 0 {
            break;
        }
    }
    stop_calling.cancel();
    let mut total = 0;
    for caller in callers {
        total += caller.await??;
    }
    assert!(back > 0, "the restarted replica got no calls");
    assert!(total > 0);
    for replica in [a, b] {
        replica.shutdown.cancel();
        replica.task.await??;
    }
    Ok(())
}

#[tokio::test]
async fn a_peer_with_no_reachable_replica_fails_at_once_naming_it() -> TestResult {
    let certs = TestCerts::generate()?;
    // A port nobody listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let peer = PeerAddress::new(format!("https://{closed}"), MeshIdentity::SCORE);
    let channel = connect_lazy(&peer, &certs.tls(MeshIdentity::GATEWAY)?)?;
    let first = call(&channel, "anyone?").await;
    let status = first
        .err()
        .ok_or_else(|| anyhow::anyhow!("a closed port answered"))?;
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(status.message().contains(&closed.to_string()), "{status:?}");
    // Known to be down now: the next call does not wait for it (WAIT_FOR_READY is 3 s).
    let again = tokio::time::timeout(Duration::from_secs(2), call(&channel, "anyone?")).await;
    assert!(matches!(again, Ok(Err(s)) if s.code() == Code::Unavailable));
    Ok(())
}

/// The certificate a TLS handshake with `addr` presents, as DER.
async fn presented_certificate(addr: SocketAddr, client: &MeshTls) -> anyhow::Result<Vec<u8>> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let connector = tokio_rustls::TlsConnector::from(client.client_config());
    let name = rustls::pki_types::ServerName::try_from(MeshIdentity::SCORE)?;
    let stream = connector.connect(name, tcp).await?;
    let certs = stream
        .get_ref()
        .1
        .peer_certificates()
        .ok_or_else(|| anyhow::anyhow!("no certificate"))?;
    Ok(certs
        .first()
        .map(|c| c.as_ref().to_vec())
        .unwrap_or_default())
}

#[tokio::test]
async fn renewed_certificates_take_effect_without_a_restart() -> TestResult {
    let certs = TestCerts::generate()?;
    let reload = Duration::from_millis(50);
    let server_tls = certs.tls(MeshIdentity::SCORE)?;
    server_tls.spawn_reloader(reload);
    let server = replica_with(
        server_tls,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Duration::ZERO,
    )
    .await?;
    let client_tls = certs.tls(MeshIdentity::GATEWAY)?;
    client_tls.spawn_reloader(reload);

    // The server's side: cert-manager renews its Secret, new handshakes get the new leaf.
    let before = presented_certificate(server.addr, &client_tls).await?;
    certs.reissue(MeshIdentity::SCORE)?;
    let mut after = before.clone();
    for _ in 0..100 {
        tokio::time::sleep(reload).await;
        after = presented_certificate(server.addr, &client_tls).await?;
        if after != before {
            break;
        }
    }
    assert_ne!(
        after, before,
        "the server still presents its old certificate"
    );

    // The client's side: its files now hold another identity's certificate; connections made
    // from now on present it (the server sees the new caller).
    let peer = PeerAddress::new(format!("https://{}", server.addr), MeshIdentity::SCORE);
    assert_eq!(
        call(&connect_lazy(&peer, &client_tls)?, "who").await?,
        MeshIdentity::GATEWAY
    );
    let gateway = certs.paths(MeshIdentity::GATEWAY);
    let billing = certs.paths(MeshIdentity::BILLING);
    std::fs::copy(&billing.cert, &gateway.cert)?;
    std::fs::copy(&billing.key, &gateway.key)?;
    let mut caller = String::new();
    for _ in 0..100 {
        tokio::time::sleep(reload).await;
        caller = call(&connect_lazy(&peer, &client_tls)?, "who").await?;
        if caller == MeshIdentity::BILLING {
            break;
        }
    }
    assert_eq!(caller, MeshIdentity::BILLING);

    // A broken file is not taken: the last good material stays in use.
    std::fs::write(&gateway.key, "not a key")?;
    assert!(client_tls.reload().is_err());
    assert_eq!(
        call(&connect_lazy(&peer, &client_tls)?, "who").await?,
        MeshIdentity::BILLING
    );
    server.shutdown.cancel();
    server.task.await??;
    Ok(())
}

#[tokio::test]
async fn a_replica_that_comes_back_is_used_at_once_while_another_stays_down() -> TestResult {
    let certs = TestCerts::generate()?;
    let never = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let b = replica(
        &certs,
        SocketAddr::from(([127, 0, 0, 1], 0)),
        Duration::ZERO,
    )
    .await?;
    let peer = PeerAddress::new(
        format!("https://{never},https://{}", b.addr),
        MeshIdentity::SCORE,
    );
    let channel = connect_lazy(&peer, &certs.tls(MeshIdentity::GATEWAY)?)?;
    call(&channel, "up").await?;
    let b_addr = b.addr;
    b.shutdown.cancel();
    b.task.await??;
    let down = call(&channel, "down").await;
    assert!(
        matches!(&down, Err(s) if s.code() == Code::Unavailable),
        "{down:?}"
    );
    // Back on the same address: the very next call reaches it, whatever the backoff was.
    let b = replica(&certs, b_addr, Duration::ZERO).await?;
    assert_eq!(call(&channel, "back").await?, MeshIdentity::GATEWAY);
    b.shutdown.cancel();
    b.task.await??;
    Ok(())
}
