//! One request is one trace across services: the callee's span continues the caller's trace.

use aval_telemetry::otel_layer;
use aval_testkit::{
    TestCerts, TestResult,
    echo::{EchoClient, EchoRequest, EchoService},
};
use aval_transport::{
    authz::AccessPolicy,
    client::{MeshChannel, PeerAddress, connect_lazy},
    identity::MeshIdentity,
    server::{MeshServer, ServerError, ServerSettings},
    shutdown::CancellationToken,
};
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tonic::{metadata::MetadataValue, service::Routes};
use tracing_subscriber::layer::SubscriberExt;

/// An Echo server on a free port, a channel to it as `gateway`, and every span of this thread
/// exported to memory. Run the test on a current-thread runtime: the subscriber set for this
/// thread then sees client and server alike.
struct TracedEcho {
    exporter: InMemorySpanExporter,
    channel: MeshChannel,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
    _subscriber: tracing::subscriber::DefaultGuard,
    _certs: TestCerts,
}

async fn traced_echo() -> anyhow::Result<TracedEcho> {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry().with(otel_layer(&provider, "test"));
    let guard = tracing::subscriber::set_default(subscriber);

    let certs = TestCerts::generate()?;
    let policy = AccessPolicy::new().allow("/aval.testing.v1.Echo/", &[MeshIdentity::GATEWAY]);
    let server = MeshServer::bind(
        ServerSettings::ephemeral(),
        certs.tls(MeshIdentity::SCORE)?,
        policy,
    )
    .await?;
    let addr = server.local_addr();
    let shutdown = CancellationToken::new();
    let routes = Routes::new(EchoService::default().server());
    let task = tokio::spawn(server.serve(routes, &[], shutdown.clone()));
    let channel = connect_lazy(
        &PeerAddress::new(format!("https://{addr}"), MeshIdentity::SCORE),
        &certs.tls(MeshIdentity::GATEWAY)?,
    )?;
    Ok(TracedEcho {
        exporter,
        channel,
        shutdown,
        task,
        _subscriber: guard,
        _certs: certs,
    })
}

impl TracedEcho {
    /// Stops the server (its spans end) and returns what was exported.
    async fn stop(self) -> anyhow::Result<Vec<opentelemetry_sdk::trace::SpanData>> {
        self.shutdown.cancel();
        self.task.await??;
        Ok(self.exporter.get_finished_spans()?)
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_callers_trace_id_arrives_in_the_callees_span() -> TestResult {
    let echo = traced_echo().await?;
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_span_id = "00f067aa0ba902b7";
    let mut request = tonic::Request::new(EchoRequest {
        message: "traced".into(),
        delay_ms: 0,
    });
    request.metadata_mut().insert(
        "traceparent",
        MetadataValue::try_from(format!("00-{trace_id}-{parent_span_id}-01"))?,
    );
    let answer = EchoClient::new(echo.channel.clone())
        .echo(request)
        .await?
        .into_inner();

    // The handler ran inside a span of the caller's trace...
    assert_eq!(answer.trace_id, trace_id);

    // ...and that span was exported as a child of the caller's span.
    let spans = echo.stop().await?;
    let server_span = spans
        .iter()
        .find(|s| s.name == "/aval.testing.v1.Echo/Echo")
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no server span among {:?}",
                spans.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        })?;
    assert_eq!(
        server_span.span_context.trace_id(),
        TraceId::from_hex(trace_id)?
    );
    assert_eq!(
        server_span.parent_span_id,
        SpanId::from_hex(parent_span_id)?
    );
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
async fn the_client_interceptor_carries_the_current_span_to_the_server() -> TestResult {
    let echo = traced_echo().await?;
    let caller_span = tracing::info_span!("caller");
    let caller_trace_id = {
        use opentelemetry::trace::TraceContextExt;
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        caller_span.context().span().span_context().trace_id()
    };
    let answer = tracing::Instrument::instrument(
        EchoClient::new(echo.channel.clone()).echo(EchoRequest::default()),
        caller_span,
    )
    .await?
    .into_inner();
    assert_eq!(answer.trace_id, caller_trace_id.to_string());
    echo.stop().await?;
    Ok(())
}
