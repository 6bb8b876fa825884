//! Relay connections: cursors and `first`.

use async_graphql::{Result, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
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

pub fn encode_position(p: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", p.posted_at.timestamp_micros(), p.id))
}

pub fn decode_position(cursor: &str) -> Result<Position> {
    let bad = || coded(ErrorCode::BadUserInput, "invalid cursor");
    let raw =
        String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?).map_err(|_| bad())?;
    let (micros, id) = raw.split_once(':').ok_or_else(bad)?;
    let posted_at =
        DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
    Ok(Position {
        posted_at,
        id: id.parse().map_err(|_| bad())?,
    })
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
            cursor: encode_position(Position {
                posted_at: t.posted_at,
                id: t.id,
            }),
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
