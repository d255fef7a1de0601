//! Logs and traces: one `tracing` subscriber with an env filter, pretty or JSON output, and an
//! OpenTelemetry layer. Spans always carry W3C trace context (so it propagates across hops);
//! they are exported over OTLP only when an endpoint is configured.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing::Subscriber;
use tracing_subscriber::{
    EnvFilter, Layer, layer::SubscriberExt, registry::LookupSpan, util::SubscriberInitExt,
};

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pretty" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            other => Err(format!("expected `pretty` or `json`, got `{other}`")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct TelemetrySettings {
    pub log_format: LogFormat,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`; spans are exported over OTLP/gRPC when set.
    pub otlp_endpoint: Option<String>,
    /// Default filter when `RUST_LOG` is unset.
    pub default_filter: String,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_format: LogFormat::Pretty,
            otlp_endpoint: None,
            default_filter: "info".to_owned(),
        }
    }
}

/// Noisy dependencies, including the OTLP exporter's own transport, kept out of the logs
/// and out of the exported traces.
const QUIET: &[&str] = &[
    "h2=warn",
    "hyper=warn",
    "hyper_util=warn",
    "tower=warn",
    "tonic=warn",
    "sqlx=warn",
    "sea_orm=warn",
    "sea_orm_migration=warn",
    "rustls=warn",
    "opentelemetry=warn",
    "opentelemetry_sdk=warn",
];

/// Flushes and shuts the tracer provider down when dropped.
pub struct TelemetryGuard {
    provider: SdkTracerProvider,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // Nothing left to report to if shutting down fails: the process is ending.
        let _ = self.provider.shutdown();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("a global tracing subscriber is already set: {0}")]
    AlreadySet(#[from] tracing_subscriber::util::TryInitError),
}

/// Installs the global subscriber for `service_name`. Must run inside a Tokio runtime when an
/// OTLP endpoint is set (the exporter's gRPC channel lives there).
pub fn init(
    service_name: &str,
    settings: &TelemetrySettings,
) -> Result<TelemetryGuard, TelemetryError> {
    let mut builder = SdkTracerProvider::builder().with_resource(
        Resource::builder()
            .with_service_name(service_name.to_owned())
            .build(),
    );
    if let Some(endpoint) = &settings.otlp_endpoint {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build()?;
        builder = builder.with_batch_exporter(exporter);
    }
    let provider = builder.build();

    let fmt = match settings.log_format {
        LogFormat::Pretty => tracing_subscriber::fmt::layer().boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .boxed(),
    };
    // Each layer filters on its own: `RUST_LOG` quiets the logs, never the trace context,
    // which must propagate (and export) whatever the log level.
    tracing_subscriber::registry()
        .with(fmt.with_filter(env_filter(&settings.default_filter)))
        .with(otel_layer(&provider, service_name).with_filter(trace_filter()))
        .try_init()?;
    Ok(TelemetryGuard { provider })
}

/// The filter from `RUST_LOG`, or `default` plus the quiet list.
pub fn env_filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        let mut directives = vec![default.to_owned()];
        directives.extend(QUIET.iter().map(|d| (*d).to_owned()));
        EnvFilter::new(directives.join(","))
    })
}

/// What becomes a trace span, whatever `RUST_LOG` says: our own INFO spans (one per HTTP and
/// gRPC request), not the dependencies' internals.
pub fn trace_filter() -> EnvFilter {
    let mut directives = vec!["info".to_owned()];
    directives.extend(QUIET.iter().map(|d| (*d).to_owned()));
    EnvFilter::new(directives.join(","))
}

/// The layer that turns `tracing` spans into OpenTelemetry spans of `provider`.
pub fn otel_layer<S>(provider: &SdkTracerProvider, service_name: &str) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    tracing_opentelemetry::layer().with_tracer(provider.tracer(service_name.to_owned()))
}
