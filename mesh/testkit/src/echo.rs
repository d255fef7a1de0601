//! The bare unary Echo service: the transport's own tests use it to hold a call in flight and
//! to see what the server saw (caller, trace id); benchmarks use it as the baseline.

use crate::pb::echo_server;
pub use crate::pb::{EchoRequest, EchoResponse, echo_client::EchoClient};
use aval_transport::{authz::Caller, propagation::current_trace_id};
use std::time::Duration;
use tokio::sync::mpsc;
use tonic::{Request, Response, Status};

/// The Echo service's fully qualified name.
pub const SERVICE: &str = "aval.testing.v1.Echo";
const MAX_DELAY: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, Default)]
pub struct EchoService {
    /// Told of each call as it arrives, before any delay: lets a test act while a call is in
    /// flight without guessing how long it takes to get there.
    arrivals: Option<mpsc::UnboundedSender<String>>,
}

impl EchoService {
    /// An Echo service that reports each call's message on the returned channel as it arrives.
    pub fn reporting_arrivals() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (
            Self {
                arrivals: Some(sender),
            },
            receiver,
        )
    }

    pub fn server(self) -> echo_server::EchoServer<Self> {
        echo_server::EchoServer::new(self)
    }
}

#[tonic::async_trait]
impl echo_server::Echo for EchoService {
    async fn echo(&self, request: Request<EchoRequest>) -> Result<Response<EchoResponse>, Status> {
        let caller = request
            .extensions()
            .get::<Caller>()
            .map(|c| c.0.name().to_owned())
            .unwrap_or_default();
        let trace_id = current_trace_id().unwrap_or_default();
        let request = request.into_inner();
        if let Some(arrivals) = &self.arrivals {
            let _ = arrivals.send(request.message.clone());
        }
        let delay = Duration::from_millis(u64::from(request.delay_ms)).min(MAX_DELAY);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok(Response::new(EchoResponse {
            message: request.message,
            caller,
            trace_id,
        }))
    }
}
