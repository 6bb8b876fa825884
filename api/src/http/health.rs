//! Liveness and readiness.

use futures_util::future::join_all;
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, handler};
use serde_json::json;

use crate::state::Ops;

/// The process is up.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: every dependency answers. 503 otherwise, with
/// each dependency's state (and backend) in the body.
#[handler]
pub async fn readyz(Data(ops): Data<&Ops>) -> impl IntoResponse {
    let reports = join_all(ops.probes.iter().map(|p| p.check())).await;
    let ready = reports.iter().all(|r| r.ok);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(json!({ "ready": ready, "checks": reports })).with_status(status)
}
