//! The user's notifications: budget alerts and sync results. Written in
//! one place ([`store`]), with one [`NotificationKind`]; the API reads and
//! marks them through [`Notifications`].

mod kind;
mod read;
mod store;

pub use kind::NotificationKind;
pub use read::{Notification, Notifications, Position, find, mark_read, page};
pub use store::{NewNotification, store};
