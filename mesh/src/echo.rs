//! The bare unary Echo service: the mesh's own tests use it to hold a call in flight and to see
//! what the server saw (caller, trace id); benchmarks use it as the baseline.

use crate::{authz::Caller, propagation::current_trace_id};
use aval_proto::testing::v1::{EchoRequest, EchoResponse, echo_server};
use std::time::Duration;
use tonic::{Request, Response, Status};

const MAX_DELAY: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, Default)]
pub struct EchoService;

impl EchoService {
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
