use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::Checkpoints;
use tokio::time::Instant;

/// The embedded default's checkpoints: one process, one map (a handful of
/// entries: one per scan and day).
#[derive(Debug, Default)]
pub struct InProcessCheckpoints {
    saved: Mutex<HashMap<String, (String, Instant)>>,
}

#[async_trait]
impl Checkpoints for InProcessCheckpoints {
    async fn load(&self, name: &str) -> Result<Option<String>, InternalError> {
        let mut saved = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        saved.retain(|_, (_, expires)| *expires > now);
        Ok(saved.get(name).map(|(value, _)| value.clone()))
    }

    async fn save(&self, name: &str, value: &str, ttl: Duration) -> Result<(), InternalError> {
        let expires = Instant::now() + ttl;
        self.saved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), (value.to_owned(), expires));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_checkpoint_is_read_back_until_it_expires() {
        let checkpoints = InProcessCheckpoints::default();
        assert_eq!(checkpoints.load("scan").await.unwrap(), None);
        checkpoints
            .save("scan", "41", Duration::from_secs(60))
            .await
            .unwrap();
        checkpoints
            .save("scan", "42", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(
            checkpoints.load("scan").await.unwrap().as_deref(),
            Some("42")
        );
        checkpoints
            .save("gone", "1", Duration::from_millis(1))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(checkpoints.load("gone").await.unwrap(), None);
    }
}
