//! Health probes: what `/readyz` asks before saying the process can serve.

use async_trait::async_trait;
use serde::Serialize;

/// One dependency's state, as `/readyz` reports it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HealthReport {
    /// What it is for: `database`, `redis`.
    pub name: &'static str,
    /// What it runs on: `mysql`, `sqlite`, `redis`, `in-process`.
    pub backend: &'static str,
    pub ok: bool,
    /// A short, secret-free reason when not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[async_trait]
pub trait HealthProbe: Send + Sync + std::fmt::Debug {
    async fn check(&self) -> HealthReport;
}
