//! Relay connections: cursors and `first`.

use async_graphql::{Result, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use moneta_core::ErrorCode;
use moneta_core::transactions::Position;

use super::Transaction;
use crate::error::coded;

pub const DEFAULT_FIRST: i32 = 20;
pub const MAX_FIRST: i32 = 100;

#[derive(SimpleObject, Default)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct TransactionEdge {
    pub cursor: String,
    pub node: Transaction,
}

#[derive(SimpleObject)]
pub struct TransactionConnection {
    pub edges: Vec<TransactionEdge>,
    pub page_info: PageInfo,
}

/// `first` checked against 1..=100 (default 20).
pub fn page_size(first: Option<i32>) -> Result<u64> {
    let first = first.unwrap_or(DEFAULT_FIRST);
    if !(1..=MAX_FIRST).contains(&first) {
        return Err(coded(
            ErrorCode::BadUserInput,
            "first must be between 1 and 100",
        ));
    }
    Ok(first as u64)
}

/// A keyset cursor: opaque to clients, `(instant, id)` to us.
pub fn encode_cursor(at: DateTime<Utc>, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", at.timestamp_micros()))
}

/// The `(instant, id)` of a cursor; BAD_USER_INPUT for anything else.
pub fn decode_cursor(cursor: &str) -> Result<(DateTime<Utc>, i64)> {
    let bad = || coded(ErrorCode::BadUserInput, "invalid cursor");
    let raw =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let (micros, id) = raw.split_once(':').ok_or_else(bad)?;
    let at = DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
    Ok((at, id.parse().map_err(|_| bad())?))
}

pub fn decode_position(cursor: &str) -> Result<Position> {
    let (posted_at, id) = decode_cursor(cursor)?;
    Ok(Position { posted_at, id })
}

/// Builds a connection from up to `size + 1` rows (the extra one only says
/// that there is a next page).
pub fn transaction_connection(
    mut rows: Vec<moneta_core::transactions::Transaction>,
    size: u64,
    had_cursor: bool,
) -> TransactionConnection {
    let has_next_page = rows.len() as u64 > size;
    rows.truncate(size as usize);
    let edges: Vec<TransactionEdge> = rows
        .into_iter()
        .map(|t| TransactionEdge {
            cursor: encode_cursor(t.posted_at, t.id),
            node: Transaction(t),
        })
        .collect();
    TransactionConnection {
        page_info: PageInfo {
            has_next_page,
            has_previous_page: had_cursor,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
    }
}
