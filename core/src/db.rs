//! How core opens its database transactions.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel,
    TransactionTrait as _,
};

/// A transaction over one user's rows that reads nothing it must see
/// unchanged twice (the sync's page, the spending recompute): READ
/// COMMITTED on MySQL. Under the default REPEATABLE READ its range
/// deletes and upserts also lock the index gaps beside the user's rows,
/// which neighbouring users' syncs insert into, and concurrent syncs
/// deadlock on each other; without gap locks they do not. (SQLite has
/// one writer and no such levels.)
pub async fn begin_without_gap_locks(
    db: &DatabaseConnection,
) -> Result<DatabaseTransaction, DbErr> {
    let level =
        (db.get_database_backend() == DbBackend::MySql).then_some(IsolationLevel::ReadCommitted);
    db.begin_with_config(level, None).await
}

/// The largest batch of rows one statement carries (Vitess rule 7 allows
/// 500): a power of two, like every batch [`batches`] cuts.
pub const MAX_BATCH: usize = 256;

/// `items` cut into batches whose sizes are powers of two, largest first
/// (340 rows: 256, 64, 16, 4). A multi-row statement is prepared once per
/// shape and connection (sqlx keeps it), so a page of any length reuses
/// at most ten shapes, where cutting it into fixed-size chunks would
/// prepare its remainder afresh almost every time — and preparing a
/// statement with thousands of parameters costs the server a parse and a
/// reply of one definition per parameter.
pub fn batches<T>(mut items: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        if items.is_empty() {
            return None;
        }
        let size = MAX_BATCH.min(1 << items.len().ilog2());
        let (batch, rest) = items.split_at(size);
        items = rest;
        Some(batch)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(n: usize) -> Vec<usize> {
        let items = vec![0u8; n];
        batches(&items).map(<[u8]>::len).collect()
    }

    #[test]
    fn batches_are_powers_of_two_largest_first_and_cover_every_item() {
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(340), [256, 64, 16, 4]);
        assert_eq!(sizes(500), [256, 128, 64, 32, 16, 4]);
        assert_eq!(sizes(1000), [256, 256, 256, 128, 64, 32, 8]);
        for n in 0..2000 {
            let s = sizes(n);
            assert_eq!(s.iter().sum::<usize>(), n);
            assert!(s.iter().all(|b| b.is_power_of_two() && *b <= MAX_BATCH));
            assert!(s.windows(2).all(|w| w[0] >= w[1]));
        }
        let items: Vec<usize> = (0..340).collect();
        let joined: Vec<usize> = batches(&items).flatten().copied().collect();
        assert_eq!(joined, items);
    }
}
