//! Caps on concurrent operations: each running subscription holds server
//! memory and an event stream, so a socket, and a user across their
//! sockets on this replica, may run only so many at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use moneta_core::UserId;

/// Most operations one socket runs at once.
pub const MAX_OPERATIONS_PER_SOCKET: usize = 20;
/// Most operations one user runs at once over all their sockets on one
/// replica.
pub const MAX_OPERATIONS_PER_USER: usize = 50;

/// Operations running per user on this replica. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct UserOperations {
    running: Arc<Mutex<HashMap<UserId, usize>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl UserOperations {
    /// A place for one more operation of `user`, or `None` at the cap.
    /// The place is given back when the permit is dropped (the operation
    /// finished, was completed by the client, or its socket closed).
    pub fn try_acquire(&self, user: UserId) -> Option<Permit> {
        let mut running = lock(&self.running);
        let count = running.entry(user).or_default();
        if *count >= MAX_OPERATIONS_PER_USER {
            return None;
        }
        *count += 1;
        Some(Permit {
            running: self.running.clone(),
            user,
        })
    }

    /// Operations `user` runs now.
    pub fn running(&self, user: UserId) -> usize {
        lock(&self.running).get(&user).copied().unwrap_or(0)
    }
}

/// One running operation's place.
#[derive(Debug)]
pub struct Permit {
    running: Arc<Mutex<HashMap<UserId, usize>>>,
    user: UserId,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut running = lock(&self.running);
        if let Some(count) = running.get_mut(&self.user) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                running.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_runs_at_most_the_cap_and_places_come_back() {
        let operations = UserOperations::default();
        let me = UserId::new(1);
        let permits: Vec<_> = (0..MAX_OPERATIONS_PER_USER)
            .map(|_| operations.try_acquire(me).unwrap())
            .collect();
        assert!(operations.try_acquire(me).is_none());
        assert!(operations.try_acquire(UserId::new(2)).is_some());
        drop(permits);
        assert_eq!(operations.running(me), 0);
        assert!(operations.try_acquire(me).is_some());
    }
}
