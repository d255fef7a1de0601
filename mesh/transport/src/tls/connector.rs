//! The client side of a mesh connection, as a connector for tonic's channels: TCP to one
//! resolved address, then TLS with the material current at dial time, the peer's certificate
//! checked against its service name.

use super::MeshTls;
use futures_util::future::BoxFuture;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::{
    io,
    net::SocketAddr,
    task::{Context, Poll},
};
use tokio::net::TcpStream;

#[derive(Clone, Debug)]
pub(crate) struct TlsConnector {
    tls: MeshTls,
    addr: SocketAddr,
    server_name: ServerName<'static>,
}

impl TlsConnector {
    /// Dials `addr` and expects a certificate for `server_name` (e.g. `score-service`).
    pub(crate) fn new(
        tls: MeshTls,
        addr: SocketAddr,
        server_name: &str,
    ) -> Result<Self, io::Error> {
        let server_name = ServerName::try_from(server_name.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(Self {
            tls,
            addr,
            server_name,
        })
    }
}

impl tower_service::Service<http::Uri> for TlsConnector {
    type Response = TokioIo<tokio_rustls::client::TlsStream<TcpStream>>;
    type Error = io::Error;
    type Future = BoxFuture<'static, Result<Self::Response, io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: http::Uri) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.tls.client_config());
        let addr = self.addr;
        let server_name = self.server_name.clone();
        Box::pin(async move {
            let tcp = TcpStream::connect(addr).await?;
            tcp.set_nodelay(true)?;
            let stream = connector.connect(server_name, tcp).await?;
            Ok(TokioIo::new(stream))
        })
    }
}
