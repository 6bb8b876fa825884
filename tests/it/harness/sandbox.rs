//! The sandbox's own view of a login: what a clean, uninterrupted sync
//! stores (the sandbox is a pure function of the login and the date).

use std::collections::HashMap;
use std::sync::Arc;

use moneta_core::clock::SharedClock;
use moneta_core::institutions::sandbox::{SandboxInstitution, SandboxShape};
use moneta_core::institutions::{Credentials, Institution as _, ProviderTransaction};
use secrecy::SecretString;

/// Every transaction of `login` as of `clock`, by provider id: every page
/// of a sync from scratch, applied.
pub async fn ground_truth(clock: SharedClock, login: &str) -> HashMap<String, ProviderTransaction> {
    ground_truth_shaped(clock, login, SandboxShape::default()).await
}

/// As [`ground_truth`], from a sandbox of another shape (`moneta seed`'s).
pub async fn ground_truth_shaped(
    clock: SharedClock,
    login: &str,
    shape: SandboxShape,
) -> HashMap<String, ProviderTransaction> {
    let sandbox = SandboxInstitution::with_shape(Arc::clone(&clock), shape);
    let credentials = Credentials {
        login: login.to_owned(),
        password: SecretString::from("pass_good".to_owned()),
    };
    let mut state = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = sandbox
            .sync(&credentials, cursor.as_deref())
            .await
            .expect("the sandbox syncs");
        for t in page.added.into_iter().chain(page.modified) {
            state.insert(t.provider_id.clone(), t);
        }
        for id in page.removed {
            state.remove(&id);
        }
        cursor = Some(page.next_cursor);
        if !page.has_more {
            return state;
        }
    }
}
