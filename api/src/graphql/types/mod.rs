//! GraphQL object types, each converted from a `core` type.

mod account;
mod auth_payload;
mod budget;
mod category;
mod connection;
mod import;
mod month;
mod node;
mod notification;
mod reason;
mod rule;
mod sync_event;
mod transaction;
mod transfer;
mod user;
mod user_error;

pub use account::{Account, AccountStatus};
pub use auth_payload::AuthPayload;
pub use budget::{
    Budget, BudgetCategory, BudgetSource, BudgetStatus, CategorySpending, IncomeSource,
};
pub use category::{Category, CategorySource};
pub use connection::{
    PageInfo, TransactionConnection, TransactionEdge, decode_cursor, decode_position,
    encode_cursor, page_size, transaction_connection,
};
pub use import::{
    CsvMappingInput, DateOrder, ImportFormat, ImportResult, ImportedAccount, RejectedRow,
    RepeatedBankId,
};
pub use month::Month;
pub use node::Node;
pub use notification::{
    BudgetAlert, Notification, NotificationConnection, NotificationEdge, NotificationKind,
};
pub use reason::{CategoryReason, Merchant};
pub use rule::{
    AmountRangeInput, Direction, Rule, RuleApplication, RuleChange, RuleChanges, RuleCondition,
    RuleConditionInput, RuleConditionKind, RuleInput, RuleMatch,
};
pub use sync_event::SyncEvent;
pub use transaction::Transaction;
pub use transfer::{Transfer, TransferState};
pub use user::User;
pub use user_error::{UserError, UserErrorCode};
