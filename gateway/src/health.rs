//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: this gateway can take
//! requests). Readiness is about the pod itself: an upstream that is down is reported in the
//! body (`degraded`) and in the logs, never as 503, because every gateway replica would see the
//! same outage and taking them all out of rotation would turn a degraded dependency (billing
//! down: answers still flow) into a full outage.

use crate::AppState;
use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use futures_util::future::join_all;
use serde::Serialize;
use std::collections::BTreeMap;
use tonic_health::pb::health_check_response::ServingStatus;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
}

#[derive(Serialize)]
struct Live {
    status: &'static str,
}

async fn live() -> Json<Live> {
    Json(Live { status: "ok" })
}

#[derive(Serialize)]
struct Ready {
    status: &'static str,
    upstreams: BTreeMap<&'static str, &'static str>,
}

async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Ready>) {
    let checks = state
        .upstreams
        .all()
        .map(|u| async move { (u.name, u.health().await) });
    let results = join_all(checks).await;
    let down: Vec<&str> = results
        .iter()
        .filter(|(_, status)| *status != Some(ServingStatus::Serving))
        .map(|(name, _)| *name)
        .collect();
    let upstreams = results
        .into_iter()
        .map(|(name, status)| {
            let label = match status {
                Some(ServingStatus::Serving) => "SERVING",
                Some(ServingStatus::NotServing) => "NOT_SERVING",
                Some(ServingStatus::ServiceUnknown) => "SERVICE_UNKNOWN",
                Some(ServingStatus::Unknown) => "UNKNOWN",
                None => "UNREACHABLE",
            };
            (name, label)
        })
        .collect();
    let status = if down.is_empty() {
        "ready"
    } else {
        tracing::warn!(upstreams = ?down, "degraded: upstreams not serving");
        "degraded"
    };
    (StatusCode::OK, Json(Ready { status, upstreams }))
}
