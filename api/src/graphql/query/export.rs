//! `exportMe`: everything of the caller's as one JSON document, each
//! object exactly as the API's own fields show it (global ids, money as
//! `Decimal` strings, enums by their GraphQL names, the same date
//! format): `user` as `me`, `accounts` as `accounts`, `transactions` as
//! `transactions` (newest first, every page; `account` by its id),
//! `budgets` as `budget(month:)` for every month with a transaction and
//! the month in progress (newest first), `notifications` as
//! `notifications` (newest first, every page).

use async_graphql::resolver_utils::{EnumType, enum_value};
use async_graphql::{Context, Json, Object, Result, ScalarType};
use moneta_core::users::Export;
use serde_json::{Value, json};

use crate::error::OrGql as _;
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{
    AccountStatus, Budget, BudgetSource, BudgetStatus, Category, CategorySource, IncomeSource,
    Month, NotificationKind,
};
use crate::graphql::{identity, services};

/// Bumped when the document changes shape.
const FORMAT: u32 = 1;

#[derive(Default)]
pub struct ExportQuery;

#[Object]
impl ExportQuery {
    /// Everything of the caller's as one JSON document (data
    /// portability): `format`, `user`, `accounts`, `transactions`,
    /// `budgets` and `notifications`, each object as the API's own fields
    /// show it.
    async fn export_me(&self, ctx: &Context<'_>) -> Result<Option<Json<Value>>> {
        let me = identity(ctx)?.user_id;
        let services = services(ctx)?;
        let now = services.budgets.clock.now();
        let export = services.users.export(me, now).await.or_gql()?;
        Ok(export.map(|e| Json(document(e))))
    }
}

fn document(export: Export) -> Value {
    json!({
        "format": FORMAT,
        "user": {
            "id": ids::encode(Kind::User, export.user.id.get()).0,
            "email": export.user.email,
            "createdAt": scalar(&export.user.created_at),
            "monthlyIncome": export.user.monthly_income.map(|m| scalar(&m.to_decimal())),
        },
        "accounts": export.accounts.into_iter().map(|a| json!({
            "id": ids::encode(Kind::Account, a.id).0,
            "institution": a.institution,
            "login": a.login,
            "displayName": a.display_name,
            "status": name(AccountStatus::from(a.status)),
            "lastSyncedAt": a.last_synced_at.as_ref().map(scalar),
            "createdAt": scalar(&a.created_at),
        })).collect::<Vec<_>>(),
        "transactions": export.transactions.into_iter().map(|t| json!({
            "id": ids::encode(Kind::Transaction, t.id).0,
            "account": { "id": ids::encode(Kind::Account, t.account_id).0 },
            "postedAt": scalar(&t.posted_at),
            "seller": t.seller_raw,
            "amount": scalar(&t.amount.to_decimal()),
            "pending": t.pending,
            "category": name(Category::from(t.category())),
            "categorySource": name(CategorySource::from(t.category_source())),
        })).collect::<Vec<_>>(),
        "budgets": export.budgets.into_iter().map(|b| budget(b.into())).collect::<Vec<_>>(),
        "notifications": export.notifications.into_iter().map(|n| json!({
            "id": ids::encode(Kind::Notification, n.id).0,
            "kind": name(NotificationKind::from(n.kind)),
            "message": n.message,
            "category": n.category.map(|c| name(Category::from(c))),
            "month": n.month.map(|m| scalar(&Month(m))),
            "read": n.read,
            "createdAt": scalar(&n.created_at),
        })).collect::<Vec<_>>(),
    })
}

fn budget(b: Budget) -> Value {
    json!({
        "month": scalar(&b.month),
        "monthlyIncome": b.monthly_income.as_ref().map(scalar),
        "incomeSource": name::<IncomeSource>(b.income_source),
        "categories": b.categories.into_iter().map(|c| json!({
            "category": name(c.category),
            "budgeted": scalar(&c.budgeted),
            "spent": scalar(&c.spent),
            "remaining": scalar(&c.remaining),
            "source": name::<BudgetSource>(c.source),
            "status": name::<BudgetStatus>(c.status),
        })).collect::<Vec<_>>(),
    })
}

/// A scalar as the API writes it.
fn scalar<T: ScalarType>(value: &T) -> Value {
    value.to_value().into_json().unwrap_or(Value::Null)
}

/// An enum value by its GraphQL name.
fn name<T: EnumType>(value: T) -> Value {
    enum_value(value).into_json().unwrap_or(Value::Null)
}
