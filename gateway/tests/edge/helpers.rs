//! The one setup every edge test shares: fake upstreams on a loopback port, the real router
//! over plaintext channels to them, and requests driven through it with `oneshot`.

use crate::fakes::{FakeAnalysis, FakeAuth, FakeBilling, FakeScore, Fakes};
use aval_gateway::{AppState, router, upstreams::Upstreams};
use aval_proto::{
    analysis::v1::analysis_service_server::AnalysisServiceServer,
    auth::v1::auth_service_server::AuthServiceServer,
    billing::v1::billing_service_server::BillingServiceServer,
    score::v1::score_service_server::ScoreServiceServer,
};
use aval_transport::client::MeshChannel;
use axum::{
    Router,
    body::{Body, Bytes},
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use opentelemetry_sdk::trace::SdkTracerProvider;
use serde::Deserialize;
use std::{net::SocketAddr, sync::OnceLock};
use tokio::net::TcpListener;
use tonic::transport::{Endpoint, Server, server::TcpIncoming};
use tower::ServiceExt;
use tracing_subscriber::{Layer, layer::SubscriberExt, util::SubscriberInitExt};

/// The bearer token partner requests carry unless a test says otherwise.
pub const TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.partner.token";
/// A valid CPF.
pub const CPF: &str = "529.982.247-25";

/// An upstream service, to pick one that is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Auth,
    Score,
    Analysis,
    Billing,
}

/// The gateway's router in front of fake upstreams.
pub struct TestGateway {
    router: Router,
    pub fakes: Fakes,
}

/// The gateway with every upstream faked.
pub async fn spawn_gateway() -> anyhow::Result<TestGateway> {
    spawn(None).await
}

/// The gateway with `down`'s channel pointing at a closed port, the others faked.
pub async fn spawn_gateway_with_down(down: Service) -> anyhow::Result<TestGateway> {
    spawn(Some(down)).await
}

async fn spawn(down: Option<Service>) -> anyhow::Result<TestGateway> {
    init_tracing();
    let fakes = Fakes::new();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let up = channel(listener.local_addr()?)?;
    let (_, health) = tonic_health::server::health_reporter();
    // The listener is bound already: calls made before the task first runs wait in its backlog.
    tokio::spawn(
        Server::builder()
            .add_service(health)
            .add_service(AuthServiceServer::new(FakeAuth(fakes.clone())))
            .add_service(ScoreServiceServer::new(FakeScore(fakes.clone())))
            .add_service(BillingServiceServer::new(FakeBilling(fakes.clone())))
            .add_service(AnalysisServiceServer::new(FakeAnalysis(fakes.clone())))
            .serve_with_incoming(TcpIncoming::from(listener)),
    );
    let dead = {
        let closed = TcpListener::bind("127.0.0.1:0").await?;
        channel(closed.local_addr()?)?
    };
    let pick = |service| {
        if down == Some(service) {
            dead.clone()
        } else {
            up.clone()
        }
    };
    let upstreams = Upstreams::from_channels(
        pick(Service::Auth),
        pick(Service::Score),
        pick(Service::Analysis),
        pick(Service::Billing),
    );
    Ok(TestGateway {
        router: router(AppState { upstreams }),
        fakes,
    })
}

/// A plaintext channel with the mesh's client interceptor, as the gateway's are.
fn channel(addr: SocketAddr) -> anyhow::Result<MeshChannel> {
    let channel = Endpoint::from_shared(format!("http://{addr}"))?.connect_lazy();
    Ok(aval_transport::client::over(channel))
}

/// The gateway's subscriber as production builds it (the OpenTelemetry layer with its own
/// filter, without an exporter), so spans carry trace context whatever `RUST_LOG` says; logs
/// only with `TEST_LOG`.
fn init_tracing() {
    static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        let provider = SdkTracerProvider::builder().build();
        let logs = std::env::var_os("TEST_LOG").map(|_| {
            tracing_subscriber::fmt::layer()
                .with_test_writer()
                .with_filter(aval_telemetry::env_filter("info"))
        });
        // Fails only if a subscriber is already set, which only this function does.
        let _ = tracing_subscriber::registry()
            .with(logs)
            .with(
                aval_telemetry::otel_layer(&provider, "gateway")
                    .with_filter(aval_telemetry::trace_filter()),
            )
            .try_init();
        provider
    });
}

impl TestGateway {
    /// Sends `request` through the router and reads the whole answer.
    pub async fn send(&self, request: TestRequest) -> anyhow::Result<Answer> {
        let request = request.builder.body(request.body)?;
        let response = self.router.clone().oneshot(request).await?;
        let (parts, body) = response.into_parts();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body: axum::body::to_bytes(body, usize::MAX).await?,
        })
    }
}

/// A request under construction.
pub struct TestRequest {
    builder: axum::http::request::Builder,
    body: Body,
}

impl TestRequest {
    pub fn new(method: Method, uri: &str) -> Self {
        Self {
            builder: Request::builder().method(method).uri(uri),
            body: Body::empty(),
        }
    }

    pub fn get(uri: &str) -> Self {
        Self::new(Method::GET, uri)
    }

    pub fn post(uri: &str) -> Self {
        Self::new(Method::POST, uri)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn body(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    pub fn json(self, body: &serde_json::Value) -> Self {
        self.body("application/json", body.to_string())
    }

    pub fn form(self, body: &str) -> Self {
        self.body("application/x-www-form-urlencoded", body.to_owned())
    }
}

/// `POST /v1/scores` for [`CPF`] with the partner's [`TOKEN`].
pub fn json_score() -> TestRequest {
    TestRequest::post("/v1/scores")
        .bearer(TOKEN)
        .json(&serde_json::json!({ "document": CPF }))
}

/// A whole answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The answer's `X-Request-Id`; an error when it has none.
    pub fn request_id(&self) -> anyhow::Result<&str> {
        self.header("x-request-id")
            .ok_or_else(|| anyhow::anyhow!("no X-Request-Id on a {} answer", self.status))
    }

    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        Ok(serde_json::from_slice(&self.body)?)
    }

    pub fn text(&self) -> anyhow::Result<&str> {
        Ok(std::str::from_utf8(&self.body)?)
    }

    /// The error envelope, exactly (no other field), checked to name this answer's request id.
    pub fn envelope(&self) -> anyhow::Result<ErrorBody> {
        let Envelope { error } = serde_json::from_slice(&self.body)
            .map_err(|e| anyhow::anyhow!("not an envelope ({e}): {:?}", self.text()))?;
        anyhow::ensure!(
            error.request_id == self.request_id()?,
            "envelope's request id {} is not the header's {}",
            error.request_id,
            self.request_id()?
        );
        Ok(error)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    error: ErrorBody,
}

/// `error` of the envelope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    pub details: Vec<Detail>,
    pub request_id: String,
}

/// One of `details`.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detail {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl Detail {
    pub fn new(field: &str, code: &str, message: &str) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.to_owned(),
        }
    }
}
