//! Moneta's domain: the rules of money, users, accounts, categories,
//! budgets and the sync pipeline. It knows nothing of HTTP,
//! GraphQL or cron; the outside world reaches it through the ports in
//! [`ports`], which `platform` implements.
//!
//! # Layout
//! - [`error`]: stable error codes and the business-failure shape every area shares.
//! - [`ids`]: application-generated, time-ordered 64-bit ids (never
//!   AUTO_INCREMENT), on node ids leased per process.
//! - [`clock`]: the clock port, so tests pin "today".
//! - [`crash`]: named crash points for tests (`crash_point!`, compiled in
//!   only with the `failpoints` feature).
//! - [`credentials`]: sealing bank credentials with an AEAD.
//! - [`db`]: how core opens its database transactions.
//! - [`auth`]: emails, password policy, argon2id hashing, access and refresh tokens.
//! - [`accounts`]: linked bank accounts (read side for now).
//! - [`cache`]: cache-aside for the hot reads (budget, spending, recent transactions).
//! - [`budget`]: the income-tier template, overrides, income estimate, alerts.
//! - [`notifications`]: the user's notifications.
//! - [`categories`]: the 13 categories, seller normalization, the seller
//!   dictionary, crowd votes and the categorizer.
//! - [`transactions`]: transactions as the domain reads them, and the
//!   user's category overrides.
//! - [`spending`]: monthly spending per category, recomputed from
//!   transactions, and the durable follow-up a change owes (`FollowUp`).
//! - [`sync`]: the extraction pipeline (pull, store raw, categorize, upsert,
//!   aggregate, notify, publish).
//! - [`month`]: the `Month` newtype (`YYYY-MM`).
//! - [`money`]: the `Money` newtype (integer cents; a decimal only at the edges).
//! - [`institutions`]: the connector trait and the built-in `sandbox`.
//! - [`users`]: the user as the rest of the domain sees it, activity, and
//!   erasure (deleting a user and everything of theirs, resumably).
//! - [`text`]: the rule for stored user text (no control characters).
//! - [`retention`]: deleting what is no longer needed (old tokens,
//!   notifications, abandoned email claims), each rule with its horizon.
//! - [`ports`]: traits for the event bus and health probes.

pub mod accounts;
pub mod auth;
pub mod budget;
pub mod cache;
pub mod categories;
pub mod clock;
pub mod crash;
pub mod credentials;
pub mod db;
pub mod error;
pub mod ids;
pub mod institutions;
pub mod money;
pub mod month;
pub mod notifications;
pub mod ports;
pub mod retention;
pub mod spending;
pub mod sync;
pub mod text;
pub mod transactions;
pub mod users;

pub use error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};
pub use ids::{IdGenerator, UserId};
