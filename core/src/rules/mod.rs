//! A user's standing category rules: conditions on a transaction (its
//! merchant or normalized seller, amount, account, direction), combined
//! with all/any, and actions (set a category, set a display name, mark a
//! transfer). Precedence: the user's override of one transaction > their
//! first matching enabled rule (in order) > the dictionary > the crowd.
//!
//! A rule categorizes new transactions as they are synced (`sync`), and
//! existing ones only when applied — an application previews exactly what
//! it then changes and can be undone as one step.

mod application;
mod error;
mod model;
mod service;
mod set;
mod store;

pub use application::{Application, Change};
pub use error::RuleError;
pub use model::{Actions, Condition, Direction, Facts, MAX_CONDITIONS, MAX_TEXT, Rule, RuleSpec};
pub use service::Rules;
pub use set::RuleSet;
pub use store::{MAX_RULES, all as load, find as load_one};
