//! Which accounts spending counts: those in the user's home currency.
//! Amounts in other currencies are kept, listed apart, never converted.

use std::collections::HashSet;

use moneta_entities::{accounts, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::UserId;
use crate::currency::Currency;
use crate::error::InternalError;

/// The user's home currency (USD for a user who never chose one).
pub async fn home_currency(
    conn: &impl ConnectionTrait,
    user: UserId,
) -> Result<Currency, InternalError> {
    let code: Option<String> = users::Entity::find_by_id(user.get())
        .select_only()
        .column(users::Column::HomeCurrency)
        .into_tuple()
        .one(conn)
        .await?;
    match code {
        Some(code) => code
            .parse()
            .map_err(|_| InternalError::Corrupt(format!("home currency {code:?}"))),
        None => Ok(Currency::default()),
    }
}

/// The user's accounts whose amounts are not in their home currency: their
/// transactions count in no total.
pub async fn foreign_accounts(
    conn: &impl ConnectionTrait,
    user: UserId,
) -> Result<HashSet<i64>, InternalError> {
    let home = home_currency(conn, user).await?;
    let rows: Vec<(i64, String)> = accounts::Entity::find()
        .select_only()
        .column(accounts::Column::Id)
        .column(accounts::Column::Currency)
        .filter(accounts::Column::UserId.eq(user.get()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, code)| !code.parse::<Currency>().is_ok_and(|c| c == home))
        .map(|(id, _)| id)
        .collect())
}
