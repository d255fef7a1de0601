//! The requests each scenario sends. Every scenario counts what it delivered, so the harness
//! can check the server's own count (billing) against it.

use crate::load::Scenario;
use aval_proto::{
    score::v1::{GetScoreRequest, score_service_client::ScoreServiceClient},
    usage::v1::{Product, RecordUsageRequest, UsageEvent, usage_client::UsageClient},
};
use aval_testkit::echo::{EchoClient, EchoRequest};
use aval_transport::client::MeshChannel;
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};
use tonic::metadata::MetadataValue;

/// Successful calls, shared with the harness.
pub type Delivered = Arc<AtomicU64>;

fn status_label(status: reqwest::StatusCode) -> String {
    status.as_u16().to_string()
}

pub(crate) fn grpc_label(status: &tonic::Status) -> String {
    format!("grpc:{:?}", status.code())
}

async fn http_outcome(
    sent: Result<reqwest::Response, reqwest::Error>,
    delivered: &Delivered,
) -> Result<(), String> {
    let response = sent.map_err(|e| {
        if e.is_timeout() {
            "timeout".to_owned()
        } else {
            "connect".to_owned()
        }
    })?;
    let status = response.status();
    // Read the body: the answer is only delivered once it has arrived.
    let _ = response.bytes().await.map_err(|_| "body".to_owned())?;
    if status.is_success() {
        delivered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    } else {
        Err(status_label(status))
    }
}

/// OAuth2 client-credentials grants through the gateway.
pub struct Token {
    pub http: reqwest::Client,
    pub url: String,
    pub client_id: String,
    pub client_secret: String,
    pub delivered: Delivered,
}

impl Scenario for Token {
    async fn call(&self, _seq: u64) -> Result<(), String> {
        let sent = self
            .http
            .post(&self.url)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await;
        http_outcome(sent, &self.delivered).await
    }
}

/// Claro's customscores call through the gateway, with a cached token.
pub struct ScoreRest {
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
    pub cpf: String,
    pub delivered: Delivered,
}

impl Scenario for ScoreRest {
    async fn call(&self, _seq: u64) -> Result<(), String> {
        let sent = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .header("X-CustomerID", "bench")
            .header("document", &self.cpf)
            .header("score", "aval-default")
            .send()
            .await;
        http_outcome(sent, &self.delivered).await
    }
}

/// The same score straight to score-service over mTLS, as an internal client.
pub struct ScoreGrpc {
    pub client: ScoreServiceClient<MeshChannel>,
    pub bearer: MetadataValue<tonic::metadata::Ascii>,
    pub cpf: String,
    pub delivered: Delivered,
}

impl Scenario for ScoreGrpc {
    async fn call(&self, _seq: u64) -> Result<(), String> {
        let mut request = tonic::Request::new(GetScoreRequest {
            document: self.cpf.clone(),
            model: Some("aval-default".to_owned()),
            customer_id: Some("bench".to_owned()),
            request_id: String::new(),
        });
        request
            .metadata_mut()
            .insert("authorization", self.bearer.clone());
        self.client
            .clone()
            .get_score(request)
            .await
            .map_err(|s| grpc_label(&s))?;
        self.delivered.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// A legal-person proposal through the gateway, with a fresh id each time (its own counter:
/// the closed and open loops both number their calls from 0).
pub struct AnalysisRest {
    pub http: reqwest::Client,
    pub url: String,
    pub token: String,
    pub proposal: serde_json::Value,
    pub run_id: String,
    pub next_id: AtomicU64,
    pub delivered: Delivered,
}

impl Scenario for AnalysisRest {
    async fn call(&self, _seq: u64) -> Result<(), String> {
        let mut body = self.proposal.clone();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        body["id"] = serde_json::Value::from(format!("{}-{id}", self.run_id));
        let sent = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await;
        http_outcome(sent, &self.delivered).await
    }
}

/// Usage events straight into billing-service, in batches, each event unique.
pub struct UsageIngest {
    pub client: UsageClient<MeshChannel>,
    pub tenant_id: String,
    pub batch: u64,
    pub run_id: String,
    pub next_batch: AtomicU64,
    pub delivered: Delivered,
}

impl Scenario for UsageIngest {
    async fn call(&self, _seq: u64) -> Result<(), String> {
        let seq = self.next_batch.fetch_add(1, Ordering::Relaxed);
        let now = aval_transport::time::to_timestamp(chrono::Utc::now());
        let events = (0..self.batch)
            .map(|i| UsageEvent {
                event_id: format!("{}-{seq}-{i}", self.run_id),
                tenant_id: self.tenant_id.clone(),
                product: Product::ConsumerScore.into(),
                occurred_at: Some(now),
                sandbox: false,
            })
            .collect();
        let answer = self
            .client
            .clone()
            .record_usage(RecordUsageRequest { events })
            .await
            .map_err(|s| grpc_label(&s))?
            .into_inner();
        self.delivered.fetch_add(
            u64::try_from(answer.recorded).unwrap_or(0),
            Ordering::Relaxed,
        );
        Ok(())
    }

    fn items_per_call(&self) -> u64 {
        self.batch
    }
}

/// Baseline: a bare tonic unary echo (plaintext or mTLS).
pub struct Echo<C> {
    pub client: EchoClient<C>,
}

impl<C> Scenario for Echo<C>
where
    C: tonic::client::GrpcService<tonic::body::Body> + Clone + Send + Sync + 'static,
    C::Future: Send,
    C::ResponseBody: tonic::transport::Body<Data = tonic::codegen::Bytes> + Send + 'static,
    <C::ResponseBody as tonic::transport::Body>::Error: Into<tonic::codegen::StdError> + Send,
    C::Error: Into<tonic::codegen::StdError>,
{
    async fn call(&self, _seq: u64) -> Result<(), String> {
        self.client
            .clone()
            .echo(EchoRequest {
                message: "ping".to_owned(),
                delay_ms: 0,
            })
            .await
            .map(|_| ())
            .map_err(|s| grpc_label(&s))
    }
}

/// Baseline: a bare axum route.
pub struct Hello {
    pub http: reqwest::Client,
    pub url: String,
}

impl Scenario for Hello {
    async fn call(&self, _seq: u64) -> Result<(), String> {
        let response = self
            .http
            .get(&self.url)
            .send()
            .await
            .map_err(|_| "connect".to_owned())?;
        let status = response.status();
        let _ = response.bytes().await;
        if status.is_success() {
            Ok(())
        } else {
            Err(status_label(status))
        }
    }
}
