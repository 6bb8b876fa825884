//! Health probes: what `/readyz` asks before saying the process can serve.

use std::sync::Arc;

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

/// What a dependency's outage means for this process. The composition
/// root decides it from the process's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Without it the process cannot do its job: not ready.
    Required,
    /// Without it the process still serves, worse (reads fall back to the
    /// database; what needs it fails with a clear code): ready, degraded.
    Degrading,
}

/// A probe and what its dependency is to this process.
#[derive(Debug, Clone)]
pub struct Dependency {
    pub probe: Arc<dyn HealthProbe>,
    pub need: Need,
}

impl Dependency {
    pub fn required(probe: Arc<dyn HealthProbe>) -> Self {
        Self {
            probe,
            need: Need::Required,
        }
    }

    pub fn degrading(probe: Arc<dyn HealthProbe>) -> Self {
        Self {
            probe,
            need: Need::Degrading,
        }
    }
}
