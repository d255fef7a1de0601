//! The gateway: partners' REST/JSON edge, translated to gRPC calls over mTLS into the mesh.

pub mod credentials;
pub mod dto;
pub mod error;
pub mod extract;
pub mod health;
pub mod https;
pub mod routes;
pub mod settings;
pub mod upstreams;

use aval_transport::{shutdown::CancellationToken, tls::MeshTls};
use axum::Router;
use http::HeaderName;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

pub use settings::GatewaySettings;
use upstreams::Upstreams;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] aval_transport::tls::TlsError),
    #[error(transparent)]
    Upstream(#[from] aval_transport::client::PeerError),
    #[error("serving HTTP: {0}")]
    Serve(std::io::Error),
}

/// Shared state of every route.
#[derive(Clone)]
pub struct AppState {
    pub upstreams: Upstreams,
}

/// The gateway, bound and ready to serve.
pub struct Gateway {
    listener: TcpListener,
    router: Router,
    /// Serve HTTPS with this certificate (`AVAL_GATEWAY_TLS_CERT`/`_KEY`), else plain HTTP.
    https: Option<MeshTls>,
}

impl Gateway {
    pub async fn build(settings: GatewaySettings) -> Result<Self, GatewayError> {
        let upstreams = Upstreams::connect(&settings)?;
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| GatewayError::Bind {
                    addr: settings.listen,
                    source,
                })?;
        let https = match &settings.https {
            Some(files) => {
                let tls = MeshTls::load_public(&files.cert, &files.key, &https::ALPN)?;
                tls.spawn_reloader(settings.cert_reload);
                Some(tls)
            }
            None => None,
        };
        Ok(Self {
            listener,
            router: router(AppState { upstreams }),
            https,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until `shutdown` is cancelled, then finishes in-flight requests.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> Result<(), GatewayError> {
        use axum::serve::ListenerExt;
        let stopped = {
            let shutdown = shutdown.clone();
            async move { shutdown.cancelled().await }
        };
        if let Some(tls) = self.https {
            // The accept loop sets TCP_NODELAY on every connection.
            let listener = https::HttpsListener::new(self.listener, tls, &shutdown)
                .map_err(GatewayError::Serve)?;
            return axum::serve(listener, self.router)
                .with_graceful_shutdown(stopped)
                .await
                .map_err(GatewayError::Serve);
        }
        // Small JSON answers must not wait for Nagle's algorithm (a 40 ms delayed-ACK stall).
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, self.router)
            .with_graceful_shutdown(stopped)
            .await
            .map_err(GatewayError::Serve)
    }
}

/// Every route, with request ids and tracing around them.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static(aval_transport::propagation::REQUEST_ID);
    use axum::routing::{get, post};
    Router::new()
        .merge(health::routes())
        .route("/oauth2/v1/token", post(routes::token::issue))
        .route(
            "/customers/v1/customscores",
            post(routes::score::custom_score),
        )
        .route("/v1/scores", post(routes::score::json_score))
        .route(
            "/v1/scores/{answer_id}",
            get(routes::score::answer).put(routes::score::report_outcome),
        )
        .route(
            "/credit_analysis/legal_person",
            post(routes::analysis::submit),
        )
        .route(
            "/credit_analysis/natural_person",
            post(routes::analysis::submit_natural_person),
        )
        .route("/credit_analysis", get(routes::lifecycle::list))
        .route(
            "/credit_analysis/{id}",
            get(routes::analysis::get).put(routes::lifecycle::report_outcome),
        )
        .route(
            "/credit_analysis/{id}/details",
            get(routes::lifecycle::details),
        )
        .route(
            "/credit_analysis/{id}/resolution",
            post(routes::lifecycle::resolve),
        )
        .route(
            "/credit_analysis/{id}/challenge_answer",
            post(routes::analysis::answer_challenge),
        )
        .route(
            "/credit_analysis/{id}/history",
            get(routes::lifecycle::history),
        )
        .route("/v1/usage", get(routes::usage::report))
        .route("/v1/reports/performance", get(routes::reports::performance))
        .route(
            "/v1/consumer_rights/disclosure",
            post(routes::rights::disclose),
        )
        .route(
            "/v1/consumer_rights/review_requests",
            post(routes::rights::open_review).get(routes::rights::reviews),
        )
        .route(
            "/v1/consumer_rights/review_requests/{id}",
            get(routes::rights::review),
        )
        .route(
            "/v1/consumer_rights/review_requests/{id}/answer",
            post(routes::rights::answer_review),
        )
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(http_span))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// The span of one HTTP request, whose trace context the upstream calls carry. tower-http's
/// default span is DEBUG under `tower_http`, which the default filter drops (`tower=warn`
/// matches by prefix): without a span, no `traceparent` would leave the gateway.
fn http_span(request: &http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", axum::extract::MatchedPath::as_str);
    tracing::info_span!(
        "http.request",
        otel.name = %format!("{} {route}", request.method()),
        otel.kind = "server",
        http.request.method = %request.method(),
        http.route = %route,
        url.path = %request.uri().path(),
        request_id = %request
            .headers()
            .get(aval_transport::propagation::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default(),
    )
}
