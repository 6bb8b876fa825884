//! SeaORM entities of Moneta: one module per table, plain data and nothing
//! else (no logic, no GraphQL derives). The schema itself is owned by the
//! `moneta-migration` crate; these structs mirror it column for column.
//!
//! Conventions, shared with the migrations: IDs are application-generated
//! `i64` (never auto-increment), every table that belongs to a user carries
//! `user_id` leading its primary key and every index, money is `i64` minor
//! units (cents),
//! months are `i32` `yyyymm`, and timestamps are UTC
//! ([`ChronoDateTimeUtc`](sea_orm::prelude::ChronoDateTimeUtc)) stored as
//! `DATETIME(6)`. There are no foreign keys, hence no relations.
//!
//! # Layout
//!
//! - [`users`]: accounts of people; `id` is the user id everything shards on.
//! - [`user_emails`]: normalized email → keyspace id, the Vitess lookup-vindex
//!   table that makes an email globally unique.
//! - [`refresh_tokens`]: SHA-256 hashes of refresh tokens, grouped in families.
//! - [`accounts`]: linked institution logins with encrypted credentials.
//! - [`transactions`]: imported bank transactions and their categories.
//! - [`monthly_spending`]: per-user, per-month, per-category totals.
//! - [`budget_overrides`]: the budget amounts a user changed.
//! - [`spending_changes`]: follow-up work a committed change still owes.
//! - [`notifications`]: budget alerts and other messages to a user.
//! - [`sellers`]: the curated seller → category dictionary (unsharded).
//! - [`seller_votes`]: crowd tallies of category votes per seller.
//! - [`user_seller_votes`]: each user's single vote per seller.
//! - [`category_rules`]: a user's standing category rules.
//! - [`rule_applications`]: a rule applied to past transactions, undoable.
//! - [`rule_application_changes`]: what one application changed.
//! - [`transfers`]: pairs of opposite transactions on two own accounts.
//! - [`imports`]: bank files a user imported, and what each did.
//! - [`prelude`]: the `Entity` types under table-like names.

pub mod accounts;
pub mod budget_overrides;
pub mod category_rules;
pub mod imports;
pub mod monthly_spending;
pub mod notifications;
pub mod refresh_tokens;
pub mod rule_application_changes;
pub mod rule_applications;
pub mod seller_votes;
pub mod sellers;
pub mod spending_changes;
pub mod transactions;
pub mod transfers;
pub mod user_emails;
pub mod user_seller_votes;
pub mod users;

/// Every `Entity` under the name of its table, e.g. `Users::find()`.
pub mod prelude {
    pub use super::accounts::Entity as Accounts;
    pub use super::budget_overrides::Entity as BudgetOverrides;
    pub use super::category_rules::Entity as CategoryRules;
    pub use super::imports::Entity as Imports;
    pub use super::monthly_spending::Entity as MonthlySpending;
    pub use super::notifications::Entity as Notifications;
    pub use super::refresh_tokens::Entity as RefreshTokens;
    pub use super::rule_application_changes::Entity as RuleApplicationChanges;
    pub use super::rule_applications::Entity as RuleApplications;
    pub use super::seller_votes::Entity as SellerVotes;
    pub use super::sellers::Entity as Sellers;
    pub use super::spending_changes::Entity as SpendingChanges;
    pub use super::transactions::Entity as Transactions;
    pub use super::transfers::Entity as Transfers;
    pub use super::user_emails::Entity as UserEmails;
    pub use super::user_seller_votes::Entity as UserSellerVotes;
    pub use super::users::Entity as Users;
}
