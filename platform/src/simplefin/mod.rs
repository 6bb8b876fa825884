//! A SimpleFIN Bridge connector (<https://www.simplefin.org/protocol.html>):
//! the user's setup token is exchanged once, at link, for an access URL,
//! which is kept sealed in place of a password; each sync is one
//! `GET {access}/accounts?account=…&start-date=…&pending=1`. The
//! `errlist` (and the older `errors`) reaches the user in the sync's
//! notification; an access that no longer works (HTTP 401/403, or a
//! `con.auth`/`gen.auth` error without the account's data) is
//! "re-authentication needed" (LOGIN_REQUIRED).
//!
//! - `protocol`: the JSON the server sends.
//! - `connector`: [`SimpleFin`], the [`moneta_core::institutions::Institution`].

mod connector;
mod protocol;

pub use connector::SimpleFin;
