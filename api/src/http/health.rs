//! Liveness and readiness.
//!
//! Readiness is what this replica can serve: each dependency is required
//! or degrading for the process's role (decided in the composition root).
//! A required one that does not answer makes the process not ready (503);
//! a degrading one leaves it ready, and named under `degraded`.

use futures_util::future::join_all;
use moneta_core::ports::{Dependency, HealthReport, Need};
use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, handler};
use serde::Serialize;

use crate::state::Ops;

/// Every dependency checked, and what that means for this process.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Readiness {
    /// Every required dependency answers.
    pub ready: bool,
    /// Dependencies that do not answer, which this process serves without.
    pub degraded: Vec<&'static str>,
    pub checks: Vec<Check>,
}

/// One dependency's report, and whether this process needs it to be ready.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Check {
    #[serde(flatten)]
    pub report: HealthReport,
    pub required: bool,
}

/// Asks every probe at once.
pub async fn assess(dependencies: &[Dependency]) -> Readiness {
    let reports = join_all(dependencies.iter().map(|d| d.probe.check())).await;
    let checks: Vec<Check> = reports
        .into_iter()
        .zip(dependencies)
        .map(|(report, dependency)| Check {
            report,
            required: dependency.need == Need::Required,
        })
        .collect();
    Readiness {
        ready: checks.iter().all(|c| c.report.ok || !c.required),
        degraded: checks
            .iter()
            .filter(|c| !c.report.ok && !c.required)
            .map(|c| c.report.name)
            .collect(),
        checks,
    }
}

/// The process is up.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: every required dependency answers. 503
/// otherwise; each dependency's state (and backend) in the body.
#[handler]
pub async fn readyz(Data(ops): Data<&Ops>) -> impl IntoResponse {
    let readiness = assess(&ops.dependencies).await;
    super::metrics::observe_readiness(&ops.metrics, &readiness);
    let status = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(readiness).with_status(status)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use async_trait::async_trait;
    use moneta_core::ports::{Dependency, HealthProbe, HealthReport};
    use poem::http::StatusCode;
    use poem::test::TestClient;
    use serde_json::json;

    use crate::metrics::Metrics;
    use crate::state::Ops;

    #[derive(Debug)]
    struct Fixed(&'static str, bool);

    #[async_trait]
    impl HealthProbe for Fixed {
        async fn check(&self) -> HealthReport {
            HealthReport {
                name: self.0,
                backend: "test",
                ok: self.1,
                error: (!self.1).then(|| "unreachable".to_owned()),
            }
        }
    }

    fn required(name: &'static str, ok: bool) -> Dependency {
        Dependency::required(Arc::new(Fixed(name, ok)))
    }

    fn degrading(name: &'static str, ok: bool) -> Dependency {
        Dependency::degrading(Arc::new(Fixed(name, ok)))
    }

    fn client(dependencies: Vec<Dependency>) -> TestClient<impl poem::Endpoint> {
        TestClient::new(crate::ops_routes(Ops {
            dependencies,
            metrics: Metrics::new().unwrap(),
            queue: None,
        }))
    }

    #[tokio::test]
    async fn readyz_is_503_when_a_required_dependency_is_down_and_healthz_stays_200() {
        let client = client(vec![required("database", false), degrading("redis", true)]);
        let ready = client.get("/readyz").send().await;
        ready.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        ready
            .assert_json(json!({
                "ready": false,
                "degraded": [],
                "checks": [
                    { "name": "database", "backend": "test", "ok": false, "error": "unreachable", "required": true },
                    { "name": "redis", "backend": "test", "ok": true, "required": false },
                ]
            }))
            .await;
        client.get("/healthz").send().await.assert_status_is_ok();
    }

    #[tokio::test]
    async fn readyz_is_200_when_every_dependency_answers() {
        let client = client(vec![required("database", true), required("redis", true)]);
        let ready = client.get("/readyz").send().await;
        ready.assert_status_is_ok();
        let body: serde_json::Value = ready.json().await.value().deserialize();
        assert_eq!(
            (&body["ready"], &body["degraded"]),
            (&json!(true), &json!([]))
        );
    }

    #[tokio::test]
    async fn a_degrading_dependency_that_is_down_leaves_the_process_ready_but_says_so() {
        let client = client(vec![required("database", true), degrading("redis", false)]);
        let ready = client.get("/readyz").send().await;
        ready.assert_status_is_ok();
        ready
            .assert_json(json!({
                "ready": true,
                "degraded": ["redis"],
                "checks": [
                    { "name": "database", "backend": "test", "ok": true, "required": true },
                    { "name": "redis", "backend": "test", "ok": false, "error": "unreachable", "required": false },
                ]
            }))
            .await;
    }

    #[tokio::test]
    async fn a_required_dependency_down_fails_readiness_whatever_else_is_degraded() {
        let client = client(vec![required("database", false), degrading("redis", false)]);
        let ready = client.get("/readyz").send().await;
        ready.assert_status(StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = ready.json().await.value().deserialize();
        assert_eq!(
            (&body["ready"], &body["degraded"]),
            (&json!(false), &json!(["redis"]))
        );
    }

    #[tokio::test]
    async fn metrics_say_which_dependency_is_up() {
        let client = client(vec![required("database", true), degrading("redis", false)]);
        let metrics = client.get("/metrics").send().await;
        metrics.assert_status_is_ok();
        let text = metrics.0.into_body().into_string().await.unwrap();
        assert!(
            text.contains("moneta_dependency_up{dependency=\"database\",required=\"true\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("moneta_dependency_up{dependency=\"redis\",required=\"false\"} 0"),
            "{text}"
        );
    }
}
