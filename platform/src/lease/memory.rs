use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use moneta_core::error::InternalError;
use moneta_core::ports::{LeaseToken, Leases};
use tokio::time::Instant;

use super::new_token;

/// Below this many entries, expired leases are not swept.
const SWEEP_FLOOR: usize = 1024;

/// The embedded default's leases: one process, one map.
#[derive(Debug)]
pub struct InProcessLeases {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    held: HashMap<String, (LeaseToken, Instant)>,
    /// Sweep expired entries (left by holders that never released) when
    /// the map grows past this; keeps sweeping amortized O(1).
    sweep_at: usize,
}

impl Default for InProcessLeases {
    fn default() -> Self {
        Self {
            state: Mutex::new(State {
                held: HashMap::new(),
                sweep_at: SWEEP_FLOOR,
            }),
        }
    }
}

impl InProcessLeases {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl Leases for InProcessLeases {
    async fn acquire(&self, key: &str, ttl: Duration) -> Result<Option<LeaseToken>, InternalError> {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, expires)) = state.held.get(key)
            && *expires > now
        {
            return Ok(None);
        }
        let token = new_token();
        state
            .held
            .insert(key.to_owned(), (token.clone(), now + ttl));
        if state.held.len() >= state.sweep_at {
            state.held.retain(|_, (_, expires)| *expires > now);
            state.sweep_at = (state.held.len() * 2).max(SWEEP_FLOOR);
        }
        Ok(Some(token))
    }

    async fn renew(
        &self,
        key: &str,
        token: &LeaseToken,
        ttl: Duration,
    ) -> Result<bool, InternalError> {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match state.held.get_mut(key) {
            Some((held, expires)) if held == token && *expires > now => {
                *expires = now + ttl;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn release(&self, key: &str, token: &LeaseToken) -> Result<(), InternalError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.held.get(key).is_some_and(|(held, _)| held == token) {
            state.held.remove(key);
        }
        Ok(())
    }
}
