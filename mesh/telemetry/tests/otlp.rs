//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, spans reach an OTLP collector: here a real OTLP/gRPC
//! trace service on a free port, receiving what `telemetry::init` exports.

use aval_telemetry::{self as telemetry, TelemetrySettings};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
    trace_service_server::{TraceService, TraceServiceServer},
};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

struct Collector {
    received: mpsc::UnboundedSender<ExportTraceServiceRequest>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let _ = self.received.send(request.into_inner());
        Ok(Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_are_exported_over_otlp_when_an_endpoint_is_set() -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(Collector { received: tx }))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );

    let settings = TelemetrySettings {
        otlp_endpoint: Some(format!("http://{addr}")),
        ..TelemetrySettings::default()
    };
    let guard = telemetry::init("otlp-test-service", &settings)?;
    {
        let span = tracing::info_span!("exported-span", answer = 42);
        let _entered = span.enter();
        tracing::info!("inside the span");
    }
    // Dropping the guard shuts the provider down, which flushes the batch; it blocks, so not
    // on a runtime worker.
    tokio::task::spawn_blocking(move || drop(guard)).await?;

    let export = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the collector received nothing"))?;
    let resource_spans = export
        .resource_spans
        .first()
        .ok_or_else(|| anyhow::anyhow!("no resource spans"))?;
    let service_name = resource_spans
        .resource
        .as_ref()
        .and_then(|r| r.attributes.iter().find(|a| a.key == "service.name"))
        .and_then(|a| a.value.as_ref())
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    assert!(service_name.contains("otlp-test-service"), "{service_name}");
    let names: Vec<&str> = resource_spans
        .scope_spans
        .iter()
        .flat_map(|s| s.spans.iter().map(|span| span.name.as_str()))
        .collect();
    assert!(names.contains(&"exported-span"), "{names:?}");
    Ok(())
}
