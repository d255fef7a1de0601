//! The server's `grpc.health.v1.Health`: tonic-health's, except that `Watch` streams end once
//! the server has drained. Peers' channels keep a `Watch` open to every replica (that is how
//! they learn, at once, that it is draining); without an end, those streams would be in-flight
//! calls the graceful shutdown waits on forever.

use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};
use tonic_health::{
    pb::{
        HealthCheckRequest, HealthCheckResponse,
        health_server::{Health, HealthServer},
    },
    server::{HealthReporter, HealthService},
};

pub(super) struct DrainingHealth {
    inner: HealthService,
    drained: CancellationToken,
}

/// The health service of `reporter`, whose watches end when `drained` is cancelled.
pub(super) fn service(
    reporter: &HealthReporter,
    drained: CancellationToken,
) -> HealthServer<DrainingHealth> {
    HealthServer::new(DrainingHealth {
        inner: HealthService::from_health_reporter(reporter.clone()),
        drained,
    })
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Health for DrainingHealth {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        self.inner.check(request).await
    }

    type WatchStream = WatchStream;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<WatchStream>, Status> {
        let updates = self.inner.watch(request).await?.into_inner();
        let drained = self.drained.clone().cancelled_owned();
        Ok(Response::new(Box::pin(updates.take_until(drained))))
    }
}
