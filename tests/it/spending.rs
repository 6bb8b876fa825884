//! Monthly spending under concurrency: recomputes of one user racing (two
//! accounts' syncs settling at once, a sync and the sweeper) each finish,
//! and the totals that stay are the transactions' sums.

use chrono::{Duration, TimeZone as _, Utc};
use moneta_core::UserId;
use moneta_core::month::Month;
use moneta_core::spending::{for_month, recompute_months};

use crate::harness::app::TestApp;
use crate::harness::fixtures::{insert_account, insert_transaction, row_id};

const ROUNDS: i64 = 12;
const RACERS: usize = 8;

#[tokio::test]
async fn racing_recomputes_of_one_user_all_finish_with_the_sums() {
    let app = TestApp::spawn().await;
    let (_, _, id) = app.signed_up().await;
    let user = row_id(&id);
    let setup = app.db.connect().await;
    insert_account(&setup, user, 1).await;
    // Each its own connection, as replicas and workers are.
    let mut racers = Vec::new();
    for _ in 0..RACERS {
        racers.push(app.db.connect().await);
    }
    // Each round a month with no totals yet: a recompute's delete finds
    // nothing to lock, so only taking turns keeps the inserts apart.
    for round in 0..ROUNDS {
        let at = Utc.with_ymd_and_hms(2026, 9, 14, 12, 0, 0).unwrap() - Duration::days(31 * round);
        insert_transaction(&setup, user, 1, round + 1, "SAFEWAY #123", 4_210, at).await;
        let month = [Month::of(at)];
        let racing = racers
            .iter()
            .map(|db| recompute_months(db, UserId::new(user), &month, at));
        for result in futures_util::future::join_all(racing).await {
            result.unwrap_or_else(|e| panic!("round {round}: a recompute failed: {e}"));
        }
        let totals = for_month(&setup, UserId::new(user), month[0])
            .await
            .unwrap();
        let sum: i64 = totals.values().map(|m| m.cents()).sum();
        assert_eq!(sum, 4_210, "round {round}: {totals:?}");
    }
}
