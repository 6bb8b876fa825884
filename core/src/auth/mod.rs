//! Accounts for people: who may register, how they prove it is them, and
//! the tokens that say so afterwards.

mod access_token;
mod email;
mod error;
mod hasher;
mod keyspace;
mod live_users;
mod password;
mod refresh_token;
mod service;

pub use access_token::{ACCESS_TOKEN_TTL, AccessTokens, Identity};
pub use email::{Email, normalize as normalize_email};
pub use error::{AuthError, ValidationError};
pub use hasher::PasswordHasher;
pub use keyspace::{keyspace_id, user_id_of};
pub use live_users::{BELIEVED_FOR, LiveUsers};
pub use password::Password;
pub use refresh_token::{REFRESH_TOKEN_TTL, RefreshToken};
pub use service::{AuthService, Session};
