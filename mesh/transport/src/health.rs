//! Waiting for a peer's serving status by watching it (`grpc.health.v1.Health/Watch` streams
//! every change), never by polling on a timer: `aval dev` waits for its services this way, and
//! so do the tests. The timeout only bounds a failure.

use crate::client::MeshChannel;
use std::time::Duration;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// How long to wait for a status before giving up.
pub const WAIT_LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("health watch: {0}")]
    Status(#[from] tonic::Status),
    #[error("the health stream ended before `{service}` was {status:?}")]
    Ended {
        service: String,
        status: ServingStatus,
    },
    #[error("`{service}` not {status:?} after {limit:?}")]
    TimedOut {
        service: String,
        status: ServingStatus,
        limit: Duration,
    },
}

/// Waits until `service` ("" for the whole server) reports `status` on `channel`. The server
/// must already be listening (every caller here binds before it waits): a refused connection
/// is an error at once, not something to poll past.
pub async fn wait_for_status<C>(
    channel: C,
    service: &str,
    status: ServingStatus,
) -> Result<(), WaitError>
where
    C: tonic::client::GrpcService<tonic::body::Body>,
    C::Error: Into<tonic::codegen::StdError>,
    C::ResponseBody: tonic::codegen::Body<Data = tonic::codegen::Bytes> + Send + 'static,
    <C::ResponseBody as tonic::codegen::Body>::Error: Into<tonic::codegen::StdError> + Send,
{
    let watch = async {
        let mut updates = HealthClient::new(channel)
            .watch(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await?
            .into_inner();
        while let Some(update) = updates.message().await? {
            if update.status() == status {
                return Ok(());
            }
        }
        Err(WaitError::Ended {
            service: service.to_owned(),
            status,
        })
    };
    tokio::time::timeout(WAIT_LIMIT, watch)
        .await
        .map_err(|_| WaitError::TimedOut {
            service: service.to_owned(),
            status,
            limit: WAIT_LIMIT,
        })?
}

/// Waits until the whole server reports SERVING.
pub async fn wait_serving(channel: MeshChannel) -> Result<(), WaitError> {
    wait_for_status(channel, "", ServingStatus::Serving).await
}
