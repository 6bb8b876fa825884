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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use async_trait::async_trait;
    use moneta_core::ports::{HealthProbe, HealthReport};
    use poem::test::TestClient;

    use crate::http::metrics::Metrics;
    use crate::state::Ops;

    #[derive(Debug)]
    struct Fixed(bool);

    #[async_trait]
    impl HealthProbe for Fixed {
        async fn check(&self) -> HealthReport {
            HealthReport {
                name: "redis",
                backend: "redis",
                ok: self.0,
                error: (!self.0).then(|| "unreachable".to_owned()),
            }
        }
    }

    fn ops(probes: Vec<bool>) -> Ops {
        Ops {
            probes: probes
                .into_iter()
                .map(|ok| Arc::new(Fixed(ok)) as Arc<dyn HealthProbe>)
                .collect(),
            metrics: Metrics::new().unwrap(),
            queue: None,
        }
    }

    #[tokio::test]
    async fn readyz_is_503_when_a_dependency_is_down_and_healthz_stays_200() {
        let client = TestClient::new(crate::ops_routes(ops(vec![true, false])));
        let ready = client.get("/readyz").send().await;
        ready.assert_status(poem::http::StatusCode::SERVICE_UNAVAILABLE);
        ready
            .assert_json(serde_json::json!({
                "ready": false,
                "checks": [
                    { "name": "redis", "backend": "redis", "ok": true },
                    { "name": "redis", "backend": "redis", "ok": false, "error": "unreachable" },
                ]
            }))
            .await;
        client.get("/healthz").send().await.assert_status_is_ok();
    }

    #[tokio::test]
    async fn readyz_is_200_when_every_dependency_answers() {
        let client = TestClient::new(crate::ops_routes(ops(vec![true, true])));
        client.get("/readyz").send().await.assert_status_is_ok();
    }
}
