//! Health probes for `/readyz`.

use std::time::Duration;

use async_trait::async_trait;
use fred::interfaces::ClientLike as _;
use moneta_core::ports::{HealthProbe, HealthReport};
use sea_orm::DatabaseConnection;

use crate::config::DatabaseKind;
use crate::redis::Redis;

const TIMEOUT: Duration = Duration::from_secs(2);

fn report(name: &'static str, backend: &'static str, result: Result<(), String>) -> HealthReport {
    HealthReport {
        name,
        backend,
        ok: result.is_ok(),
        error: result.err(),
    }
}

#[derive(Debug)]
pub struct DatabaseProbe {
    pub db: DatabaseConnection,
    pub kind: DatabaseKind,
}

#[async_trait]
impl HealthProbe for DatabaseProbe {
    async fn check(&self) -> HealthReport {
        let result = match tokio::time::timeout(TIMEOUT, self.db.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err("unreachable".to_owned()),
            Err(_) => Err("timed out".to_owned()),
        };
        report("database", self.kind.as_str(), result)
    }
}

#[derive(Debug)]
pub struct RedisProbe(pub Redis);

#[async_trait]
impl HealthProbe for RedisProbe {
    async fn check(&self) -> HealthReport {
        let client = self.0.fail_fast();
        let ping = client.ping::<String>(None);
        let result = match tokio::time::timeout(TIMEOUT, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err("unreachable".to_owned()),
            Err(_) => Err("timed out".to_owned()),
        };
        report("redis", "redis", result)
    }
}

/// Reports the in-process stand-ins as always ready.
#[derive(Debug)]
pub struct InProcessProbe;

#[async_trait]
impl HealthProbe for InProcessProbe {
    async fn check(&self) -> HealthReport {
        report("redis", "in-process", Ok(()))
    }
}
