//! Retention: what Moneta deletes once it is no longer needed, and when.
//! Each rule is a function the workers call on a schedule (core knows no
//! cron); each takes "now" and its horizon and returns how many rows went.
//!
//! - [`policy`]: the horizons, with their floors.
//! - [`refresh_tokens`]: refresh tokens a horizon after they expired or were revoked.
//! - [`notifications`]: read sync notifications, and budget alerts past 13 months or more.
//! - [`email_claims`]: email claims of registrations that died before the user row.
//! - [`error`]: what can go wrong.
//! - [`Retention`]: the rules over the database, as the workers call them.
//!
//! Tokens and notifications live on the user's shard: each rule finds
//! candidates with one reviewed scatter scan (keyset over the primary key,
//! `LIMIT 500`; named in the routing check's allowlist) and deletes them
//! per user (`user_id = ? AND id IN (…)`, the rule re-checked in the
//! delete), so no statement that writes touches two users.

mod email_claims;
mod error;
mod notifications;
mod policy;
mod refresh_tokens;
mod scan;
mod service;

pub use email_claims::release_abandoned_email_claims;
pub use error::RetentionError;
pub use notifications::purge_notifications;
pub use policy::{
    BUDGET_ALERT_MIN_MONTHS, BudgetAlertHorizon, ClaimHorizon, EMAIL_CLAIM_MIN_MINUTES, Horizon,
    RetentionPolicy,
};
pub use refresh_tokens::purge_refresh_tokens;
pub use scan::BATCH;
pub use service::Retention;
