//! The gateway's own HTTPS, for installs without a TLS-terminating Ingress: the mesh's accept
//! loop (concurrent handshakes, certificate reloaded from its files) as an axum listener.

use aval_transport::{
    shutdown::CancellationToken,
    tls::{MeshTls, MeshTlsStream},
};
use futures_util::StreamExt;
use std::{io, net::SocketAddr};
use tokio::net::TcpListener;
use tokio_stream::wrappers::ReceiverStream;

/// HTTP/1.1 and HTTP/2, as the plaintext listener serves them.
pub const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

pub struct HttpsListener {
    incoming: ReceiverStream<Result<MeshTlsStream, io::Error>>,
    local_addr: SocketAddr,
}

impl HttpsListener {
    /// Accepts on `listener` with `tls` until `stop` is cancelled.
    pub fn new(listener: TcpListener, tls: MeshTls, stop: &CancellationToken) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let incoming = aval_transport::tls::accept(listener, tls, stop.clone().cancelled_owned());
        Ok(Self {
            incoming,
            local_addr,
        })
    }
}

impl axum::serve::Listener for HttpsListener {
    type Io = MeshTlsStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.incoming.next().await {
                Some(Ok(stream)) => {
                    let peer = stream
                        .get_ref()
                        .0
                        .peer_addr()
                        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                    return (stream, peer);
                }
                Some(Err(_)) => {}
                // Stopped: no more connections; axum's graceful shutdown ends the server.
                None => std::future::pending::<()>().await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
