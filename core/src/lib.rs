//! Moneta's domain: the rules of money, users, accounts, categories,
//! budgets and the sync pipeline. It knows nothing of HTTP,
//! GraphQL or cron; it reaches the outside world through the ports in
//! [`ports`], which `platform` implements, and is the only crate that
//! queries the database (SeaORM). `api` and `workers` read and write
//! through its services ([`accounts::Accounts`], [`users::Users`],
//! [`transactions::Transactions`], [`notifications::Notifications`],
//! [`retention::Retention`] and the area services), built once by the
//! root package.
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
//! - [`accounts`]: linked bank accounts: reads ([`accounts::Accounts`]),
//!   linking, refreshing and unlinking ([`accounts::AccountService`]),
//!   and the status of a sync given up on.
//! - [`cache`]: cache-aside for the hot reads (budget, spending, recent transactions).
//! - [`budget`]: the income-tier template, overrides, income estimate, alerts.
//! - [`notifications`]: the user's notifications: one
//!   [`notifications::NotificationKind`], one writer ([`notifications::store`]).
//! - [`categories`]: the 13 categories, seller normalization, the seller
//!   dictionary, crowd votes and the categorizer.
//! - [`transactions`]: transactions as the domain reads them, and the
//!   user's category overrides.
//! - [`spending`]: monthly spending per category, recomputed from
//!   transactions, and the durable follow-up a change owes (`FollowUp`).
//! - [`sync`]: the extraction pipeline (pull, store raw, categorize, upsert,
//!   settle the follow-up, notify, publish).
//! - [`month`]: the `Month` newtype (`YYYY-MM`).
//! - [`money`]: the `Money` newtype (integer cents; a decimal only at the edges).
//! - [`currency`]: ISO 4217 codes: an account's, and the user's home currency.
//! - [`imports`]: bank files (OFX, QFX, QIF, CSV, CAMT.053) read and
//!   imported through the sync pipeline, with honest de-duplication.
//! - [`institutions`]: the connector trait and the built-in `sandbox`.
//! - [`users`]: the user as the rest of the domain sees it, activity,
//!   erasure (deleting a user and everything of theirs, resumably) and
//!   the export.
//! - [`text`]: the rule for stored user text (no control characters).
//! - [`retention`]: deleting what is no longer needed (old tokens,
//!   notifications, abandoned email claims), each rule with its horizon.
//! - [`ports`]: what the domain needs from outside, as traits: event bus,
//!   job queue, leases, checkpoints, rate limiter, cache store, raw page
//!   store, health probes.

pub mod accounts;
pub mod auth;
pub mod budget;
pub mod cache;
pub mod categories;
pub mod clock;
pub mod crash;
pub mod credentials;
pub mod currency;
pub mod db;
pub mod error;
pub mod ids;
pub mod imports;
pub mod institutions;
pub mod money;
pub mod month;
pub mod notifications;
pub mod ports;
pub mod retention;
pub mod rules;
pub mod seed;
pub mod spending;
pub mod sync;
pub mod text;
pub mod transactions;
pub mod transfers;
pub mod users;

pub use error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};
pub use ids::{IdGenerator, UserId};
