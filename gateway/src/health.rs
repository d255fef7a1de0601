//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: every upstream
//! reports SERVING over mTLS).

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
    let all_serving = results
        .iter()
        .all(|(_, status)| *status == Some(ServingStatus::Serving));
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
    let (code, status) = if all_serving {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    };
    (code, Json(Ready { status, upstreams }))
}
