//! Behaviour of the sandbox as a connector: link rules, the first sync,
//! paging, the pending → posted lifecycle and, above all, that applying
//! every incremental sync gives the same view as a fresh full sync.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use secrecy::SecretString;

use super::catalog::{self, EVERYDAY, LOCALS};
use super::cursor::Cursor;
use super::hash::Rng;
use super::history::{self, HISTORY_DAYS};
use super::profile::Profile;
use super::*;
use crate::categories::dictionary::{SHIPPED_CSV, parse_csv};
use crate::categories::{Category, SellerDictionary, normalize};
use crate::clock::{Clock, FixedClock};
use crate::institutions::{
    Credentials, Institution, InstitutionError, ProviderTransaction, SyncPage,
};

/// 2025-03-20 14:30 UTC, a Thursday.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 20, 14, 30, 0).unwrap()
}

fn creds(login: &str) -> Credentials {
    creds_with(login, PASSWORD_GOOD)
}

fn creds_with(login: &str, password: &str) -> Credentials {
    Credentials {
        login: login.to_owned(),
        password: SecretString::from(password.to_owned()),
    }
}

fn sandbox(at: DateTime<Utc>) -> (SandboxInstitution, FixedClock) {
    let clock = FixedClock::new(at);
    (SandboxInstitution::new(Arc::new(clock.clone())), clock)
}

fn dictionary() -> SellerDictionary {
    SellerDictionary::from_rows(parse_csv(SHIPPED_CSV).unwrap())
}

fn category_of(dictionary: &SellerDictionary, seller: &str) -> Option<Category> {
    dictionary
        .lookup(&normalize(seller))
        .map(|m| m.entry.category)
}

fn decode(cursor: &str) -> String {
    String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap()
}

/// Every page of one sync, from `cursor` until `has_more` is false.
async fn all_pages(
    sandbox: &SandboxInstitution,
    login: &str,
    cursor: Option<&str>,
) -> Vec<SyncPage> {
    let mut pages = Vec::new();
    let mut cursor = cursor.map(str::to_owned);
    loop {
        let page = sandbox
            .sync(&creds(login), cursor.as_deref())
            .await
            .unwrap();
        cursor = Some(page.next_cursor.clone());
        let more = page.has_more;
        pages.push(page);
        if !more {
            return pages;
        }
        assert!(pages.len() < 1_000, "endless paging");
    }
}

fn added(pages: &[SyncPage]) -> Vec<ProviderTransaction> {
    pages.iter().flat_map(|p| p.added.clone()).collect()
}

/// A client's copy of the account: applies pages the way the pipeline does.
#[derive(Debug, Default)]
struct Mirror {
    by_id: HashMap<String, ProviderTransaction>,
}

impl Mirror {
    fn apply(&mut self, page: &SyncPage) {
        for tx in &page.added {
            if let Some(pending) = &tx.pending_transaction_id
                && self.by_id.contains_key(pending)
            {
                assert!(
                    page.removed.contains(pending),
                    "{pending} posted as {} but not removed on the same page",
                    tx.provider_id
                );
            }
        }
        for id in &page.removed {
            assert!(self.by_id.remove(id).is_some(), "removed unknown {id}");
        }
        for tx in &page.modified {
            let old = self.by_id.get(&tx.provider_id);
            assert!(old.is_some(), "modified unknown {}", tx.provider_id);
            assert_ne!(old, Some(tx), "modified without a change");
            self.by_id.insert(tx.provider_id.clone(), tx.clone());
        }
        for tx in &page.added {
            let old = self.by_id.insert(tx.provider_id.clone(), tx.clone());
            assert!(old.is_none(), "added twice: {}", tx.provider_id);
        }
    }

    /// The transactions of the 90 days up to `today`, by id.
    fn window(&self, today: NaiveDate) -> BTreeMap<String, ProviderTransaction> {
        let first = today - Duration::days(HISTORY_DAYS - 1);
        self.by_id
            .iter()
            .filter(|(_, tx)| tx.posted_at.date_naive() >= first)
            .map(|(id, tx)| (id.clone(), tx.clone()))
            .collect()
    }
}

fn by_id(txs: Vec<ProviderTransaction>) -> BTreeMap<String, ProviderTransaction> {
    txs.into_iter()
        .map(|tx| (tx.provider_id.clone(), tx))
        .collect()
}

#[tokio::test]
async fn the_name_is_sandbox() {
    let (sandbox, _) = sandbox(start());
    assert_eq!(sandbox.name(), "sandbox");
}

#[tokio::test]
async fn link_rules() {
    let (sandbox, _) = sandbox(start());
    let linked = sandbox.link(&creds("alice")).await.unwrap();
    assert!(
        linked.access_token.is_none(),
        "the sandbox keeps the password"
    );
    assert_eq!(linked.accounts.len(), 1);
    assert_eq!(linked.accounts[0].external_id, "alice");
    let digits = linked.accounts[0]
        .display_name
        .strip_prefix("Sandbox Checking ••")
        .unwrap();
    assert_eq!(digits.len(), 4);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        sandbox.link(&creds("alice")).await.unwrap().accounts,
        linked.accounts
    );
    assert_ne!(
        sandbox.link(&creds("bob")).await.unwrap().accounts,
        linked.accounts
    );

    for password in ["pass_bad", "", "PASS_GOOD", "pass_good "] {
        assert_eq!(
            sandbox
                .link(&creds_with("alice", password))
                .await
                .map(|l| l.accounts),
            Err(InstitutionError::LoginFailed)
        );
        assert_eq!(
            sandbox.sync(&creds_with("alice", password), None).await,
            Err(InstitutionError::LoginFailed)
        );
    }

    assert!(sandbox.link(&creds(LOGIN_REQUIRED)).await.is_ok());
    assert_eq!(
        sandbox.sync(&creds(LOGIN_REQUIRED), None).await,
        Err(InstitutionError::LoginRequired)
    );
    let other_cursor = sandbox
        .sync(&creds("alice"), None)
        .await
        .unwrap()
        .next_cursor;
    assert_eq!(
        sandbox
            .sync(&creds(LOGIN_REQUIRED), Some(&other_cursor))
            .await,
        Err(InstitutionError::LoginRequired)
    );
    assert_eq!(
        sandbox
            .sync(&creds_with(LOGIN_REQUIRED, "nope"), None)
            .await,
        Err(InstitutionError::LoginFailed)
    );
}

#[tokio::test]
async fn deterministic_per_login() {
    let (one, _) = sandbox(start());
    let (two, _) = sandbox(start());
    for login in ["alice", "bob", "user_good"] {
        let a = all_pages(&one, login, None).await;
        let b = all_pages(&two, login, None).await;
        assert_eq!(a, b);
        assert_eq!(
            added(&a),
            SandboxInstitution::transactions_as_of(login, start().date_naive())
        );
    }
    // The time of day does not matter, only the date.
    let (late, _) = sandbox(start() + Duration::hours(9));
    assert_eq!(
        all_pages(&late, "alice", None).await,
        all_pages(&one, "alice", None).await
    );
}

#[tokio::test]
async fn different_logins_differ() {
    let (sandbox, _) = sandbox(start());
    let a = added(&all_pages(&sandbox, "alice", None).await);
    let b = added(&all_pages(&sandbox, "bob", None).await);
    let ids_a: HashSet<_> = a.iter().map(|t| &t.provider_id).collect();
    assert!(b.iter().all(|t| !ids_a.contains(&t.provider_id)));
    let sellers = |txs: &[ProviderTransaction]| -> Vec<(String, i64)> {
        txs.iter()
            .map(|t| (t.seller.clone(), t.amount.cents()))
            .collect()
    };
    assert_ne!(sellers(&a), sellers(&b));
}

#[tokio::test]
async fn the_first_sync_holds_ninety_days() {
    let (sandbox, _) = sandbox(start());
    let today = start().date_naive();
    let first = today - Duration::days(HISTORY_DAYS - 1);
    let dictionary = dictionary();
    let locals: HashSet<&str> = LOCALS.iter().map(|l| l.seller).collect();

    for login in ["alice", "bob", "carol", "dave", "erin"] {
        let txs = added(&all_pages(&sandbox, login, None).await);
        assert!((250..=420).contains(&txs.len()), "{login}: {}", txs.len());

        let ids: HashSet<_> = txs.iter().map(|t| t.provider_id.as_str()).collect();
        assert_eq!(ids.len(), txs.len(), "ids are unique");

        let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
        for tx in &txs {
            let day = tx.posted_at.date_naive();
            assert!((first..=today).contains(&day), "{day}");
            *per_day.entry(day).or_default() += 1;
            assert_ne!(tx.amount.cents(), 0);
            let hex = if tx.pending {
                assert!(day >= today - Duration::days(1));
                assert!(tx.pending_transaction_id.is_none());
                tx.provider_id.strip_prefix("ptx_").unwrap()
            } else {
                assert!(day <= today - Duration::days(2));
                let hex = tx.provider_id.strip_prefix("tx_").unwrap();
                assert_eq!(
                    tx.pending_transaction_id.as_deref(),
                    Some(format!("ptx_{hex}").as_str())
                );
                hex
            };
            assert_eq!(hex.len(), 16);
            assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        assert_eq!(
            per_day.len() as i64,
            HISTORY_DAYS,
            "{login}: a day is empty"
        );
        assert!(per_day.values().filter(|&&n| n >= 2).count() >= 85);

        // Payroll twice and rent once in each whole month of the window.
        let category = |t: &ProviderTransaction| category_of(&dictionary, &t.seller);
        for month in [1, 2, 3] {
            let in_month = |t: &&ProviderTransaction| t.posted_at.month() == month;
            let salaries: Vec<_> = txs
                .iter()
                .filter(in_month)
                .filter(|t| category(t) == Some(Category::Income))
                .collect();
            if month < 3 {
                assert_eq!(salaries.len(), 2, "{login}: paychecks in month {month}");
            }
            assert!(!salaries.is_empty());
            assert!(
                salaries
                    .iter()
                    .all(|t| (-600_000..=-200_000).contains(&t.amount.cents()))
            );
            let rents: Vec<_> = txs
                .iter()
                .filter(in_month)
                .filter(|t| t.posted_at.day() == 1 && category(t) == Some(Category::Housing))
                .collect();
            assert_eq!(rents.len(), 1, "{login}: rent in month {month}");
            assert!((90_000..=280_000).contains(&rents[0].amount.cents()));
        }
        assert!(txs.iter().any(|t| locals.contains(t.seller.as_str())));
        assert!(
            txs.iter()
                .any(|t| t.amount.cents() < 0 && category(t) != Some(Category::Income))
        );
    }
}

#[tokio::test]
async fn sellers_are_mostly_known_and_unknown_ones_are_shared() {
    let (sandbox, _) = sandbox(start());
    let dictionary = dictionary();
    let mut seen_by: HashMap<String, HashSet<String>> = HashMap::new();
    let (mut known, mut unknown) = (0usize, 0usize);
    let mut categories = HashSet::new();
    for n in 0..8 {
        let login = format!("user{n}@example.com");
        for tx in added(&all_pages(&sandbox, &login, None).await) {
            match category_of(&dictionary, &tx.seller) {
                Some(category) => {
                    known += 1;
                    categories.insert(category);
                }
                None => {
                    unknown += 1;
                    seen_by.entry(tx.seller).or_default().insert(login.clone());
                }
            }
        }
    }
    let share = unknown as f64 / (known + unknown) as f64;
    assert!((0.08..=0.22).contains(&share), "unknown share {share}");
    for category in Category::SPENDING {
        assert!(categories.contains(&category), "no {category}");
    }
    assert!(categories.contains(&Category::Income));
    let shared = seen_by.values().filter(|users| users.len() >= 3).count();
    assert!(
        shared >= 10,
        "only {shared} unknown sellers seen by 3+ users"
    );
}

#[test]
fn every_template_lands_in_its_category() {
    let dictionary = dictionary();
    let day = NaiveDate::from_ymd_opt(2025, 3, 7).unwrap();
    for n in 0..40 {
        let profile = Profile::new(&format!("login-{n}"));
        let mut rng = Rng::new(n);
        for template in EVERYDAY {
            let seller = profile.render(template.pattern, day, &mut rng);
            assert_eq!(
                category_of(&dictionary, &seller),
                Some(template.category),
                "{seller:?} ({})",
                normalize(&seller)
            );
        }
        let bills = [
            catalog::PHONE,
            catalog::INTERNET,
            catalog::POWER,
            catalog::STREAMING,
            catalog::OPTIONAL,
        ];
        for bill in bills.iter().flat_map(|b| b.iter()) {
            let seller = profile.render(bill.pattern, day, &mut rng);
            assert_eq!(
                category_of(&dictionary, &seller),
                Some(bill.category),
                "{seller:?}"
            );
        }
        for pattern in catalog::RENT {
            let seller = profile.render(pattern, day, &mut rng);
            assert_eq!(
                category_of(&dictionary, &seller),
                Some(Category::Housing),
                "{seller:?}"
            );
        }
        for pattern in catalog::PAYROLL {
            let seller = profile.render(pattern, day, &mut rng);
            assert_eq!(
                category_of(&dictionary, &seller),
                Some(Category::Income),
                "{seller:?}"
            );
        }
    }
    for local in LOCALS {
        assert_eq!(
            category_of(&dictionary, local.seller),
            None,
            "{}",
            local.seller
        );
        assert!(!normalize(local.seller).is_empty());
    }
    let keys: HashSet<String> = LOCALS.iter().map(|l| normalize(l.seller)).collect();
    assert_eq!(keys.len(), LOCALS.len(), "two locals share a key");
    assert!(EVERYDAY.len() >= 60);
    assert_eq!(LOCALS.len(), 40);
}

#[tokio::test]
async fn pages_chain_and_repeat() {
    let (sandbox, _) = sandbox(start());
    let pages = all_pages(&sandbox, "alice", None).await;
    assert!(pages.len() >= 3);
    let mut cursor: Option<String> = None;
    for (i, page) in pages.iter().enumerate() {
        let size = page.added.len() + page.modified.len() + page.removed.len();
        assert!(size <= PAGE_SIZE);
        assert_eq!(page.has_more, i + 1 < pages.len());
        if page.has_more {
            assert!(size >= PAGE_SIZE - 1, "a page before the last is full");
        }
        // The same cursor gives the same page.
        let again = sandbox
            .sync(&creds("alice"), cursor.as_deref())
            .await
            .unwrap();
        assert_eq!(&again, page);
        cursor = Some(page.next_cursor.clone());
    }
    // Pages are ordered by date then id, without overlap.
    let all = added(&pages);
    assert!(all.windows(2).all(|w| {
        let key = |t: &ProviderTransaction| {
            let hex = t.provider_id.split('_').nth(1).unwrap().to_owned();
            (t.posted_at.date_naive(), hex)
        };
        key(&w[0]) < key(&w[1])
    }));
    let last = pages.last().unwrap();
    assert_eq!(decode(&last.next_cursor), "v1:2025-03-20:2025-03-20:0");
    assert_eq!(decode(&pages[0].next_cursor), "v1:-:2025-03-20:100");
}

#[tokio::test]
async fn a_second_sync_the_same_day_is_empty() {
    let (sandbox, _) = sandbox(start());
    let pages = all_pages(&sandbox, "alice", None).await;
    let cursor = pages.last().unwrap().next_cursor.clone();
    let page = sandbox.sync(&creds("alice"), Some(&cursor)).await.unwrap();
    assert!(page.added.is_empty() && page.modified.is_empty() && page.removed.is_empty());
    assert!(!page.has_more);
    assert_eq!(page.next_cursor, cursor);
}

#[tokio::test]
async fn the_next_day_posts_yesterdays_pending() {
    let (sandbox, clock) = sandbox(start());
    let today = start().date_naive();
    let first = added(&all_pages(&sandbox, "alice", None).await);
    let cursor = Cursor::settled(today).encode();
    let before_yesterday: Vec<_> = first
        .iter()
        .filter(|t| t.posted_at.date_naive() == today - Duration::days(1))
        .collect();
    assert!(before_yesterday.iter().all(|t| t.pending));

    clock.advance(Duration::days(1));
    let pages = all_pages(&sandbox, "alice", Some(&cursor)).await;
    assert_eq!(pages.len(), 1);
    let page = &pages[0];
    let tomorrow = today + Duration::days(1);
    let new: Vec<_> = page
        .added
        .iter()
        .filter(|t| t.posted_at.date_naive() == tomorrow)
        .collect();
    assert!(new.len() >= 2 && new.iter().all(|t| t.pending));
    for pending in &before_yesterday {
        assert!(page.removed.contains(&pending.provider_id));
        let posted = page
            .added
            .iter()
            .find(|t| t.pending_transaction_id.as_ref() == Some(&pending.provider_id))
            .unwrap();
        assert!(!posted.pending);
        assert_eq!(posted.posted_at, pending.posted_at);
        assert_eq!(posted.seller, pending.seller);
        assert!(posted.amount >= pending.amount);
    }
    // Today's pending stay pending: not touched.
    assert!(page.added.iter().all(|t| t.posted_at.date_naive() != today));
    assert_eq!(decode(&page.next_cursor), "v1:2025-03-21:2025-03-21:0");
}

/// Restaurants usually post with a tip: the posted amount is 15–20 % more.
#[test]
fn tips_change_the_posted_amount() {
    let today = start().date_naive();
    let profile = Profile::new("alice");
    let mut tipped = 0;
    for day in history::days_between(today - Duration::days(200), today) {
        for draft in history::day(&profile, day) {
            if draft.posted_cents != draft.pending_cents {
                tipped += 1;
                let ratio = draft.posted_cents as f64 / draft.pending_cents as f64;
                assert!((1.14..=1.21).contains(&ratio), "{ratio}");
            }
        }
    }
    assert!(tipped >= 20, "{tipped}");
}

#[tokio::test]
async fn modifications_and_reversals_show_up() {
    let mut found = None;
    for n in 0..50 {
        let login = format!("mod{n}");
        let (sandbox, clock) = sandbox(start());
        let mut cursor = all_pages(&sandbox, &login, None)
            .await
            .last()
            .unwrap()
            .next_cursor
            .clone();
        let (mut modified, mut reversed) = (0, 0);
        for _ in 0..6 {
            clock.advance(Duration::days(5));
            let pages = all_pages(&sandbox, &login, Some(&cursor)).await;
            cursor = pages.last().unwrap().next_cursor.clone();
            for page in &pages {
                modified += page.modified.len();
                let replaced: HashSet<_> = page
                    .added
                    .iter()
                    .filter_map(|t| t.pending_transaction_id.clone())
                    .collect();
                reversed += page
                    .removed
                    .iter()
                    .filter(|id| !replaced.contains(*id))
                    .count();
                for tx in &page.modified {
                    assert!(tx.provider_id.starts_with("tx_") && !tx.pending);
                }
            }
        }
        if modified > 0 && reversed > 0 {
            found = Some((login, modified, reversed));
            break;
        }
    }
    let (login, modified, reversed) = found.expect("some login has both within 30 days");
    assert!(modified >= 1 && reversed >= 1, "{login}");
}

/// The key property: a client that applies every page of every sync holds
/// exactly what a fresh first sync returns (over the 90-day window; history
/// that ages out stays with the client).
#[tokio::test]
async fn incremental_syncs_agree_with_a_full_sync() {
    let (mut total_modified, mut total_removed) = (0, 0);
    for (n, login) in ["alice", "bob", "carol", "mod7", "user3@example.com"]
        .iter()
        .enumerate()
    {
        let (sandbox, clock) = sandbox(start() + Duration::days(n as i64 * 17));
        let mut mirror = Mirror::default();
        let mut cursor: Option<String> = None;
        let mut rng = Rng::new(n as u64);
        let (mut modified, mut removed) = (0, 0);
        for step in 0..30 {
            // Sync page by page; now and then the date changes mid-sync or
            // a page is fetched (and applied by a retry) twice.
            loop {
                let page = sandbox
                    .sync(&creds(login), cursor.as_deref())
                    .await
                    .unwrap();
                if rng.chance(200) {
                    let again = sandbox
                        .sync(&creds(login), cursor.as_deref())
                        .await
                        .unwrap();
                    assert_eq!(again, page);
                }
                mirror.apply(&page);
                modified += page.modified.len();
                removed += page.removed.len();
                cursor = Some(page.next_cursor.clone());
                if !page.has_more {
                    break;
                }
                if rng.chance(300) {
                    clock.advance(Duration::days(1));
                }
            }
            // The client now holds the state as of the sync's target.
            let settled = Cursor::decode(cursor.as_deref().unwrap()).unwrap();
            assert!(settled.is_settled());
            let full = by_id(SandboxInstitution::transactions_as_of(login, settled.to));
            assert_eq!(mirror.window(settled.to), full, "{login} step {step}");
            // Mostly a day at a time; sometimes the user is away a while,
            // sometimes they sync twice the same day.
            let days = match rng.below(10) {
                0 => 0,
                1 => 3,
                2 => 6,
                _ => 1,
            };
            clock.advance(Duration::days(days) + Duration::hours(rng.range(0, 5)));
        }
        // Catch up and compare with a fresh first sync on another instance.
        for page in all_pages(&sandbox, login, cursor.as_deref()).await {
            mirror.apply(&page);
        }
        let today = clock.now().date_naive();
        let (fresh, _) = self::sandbox(clock.now());
        let full = by_id(added(&all_pages(&fresh, login, None).await));
        assert_eq!(mirror.window(today), full, "{login}");
        assert!(mirror.by_id.len() > full.len(), "older history stays");
        total_modified += modified;
        total_removed += removed;
    }
    assert!(total_modified > 0 && total_removed > 0);
}

#[tokio::test]
async fn a_sync_keeps_its_target_when_the_date_changes() {
    let (sandbox, clock) = sandbox(start());
    let first = sandbox.sync(&creds("alice"), None).await.unwrap();
    assert!(first.has_more);
    clock.advance(Duration::days(3));
    let rest = all_pages(&sandbox, "alice", Some(&first.next_cursor)).await;
    let mut all = first.added.clone();
    all.extend(added(&rest));
    assert_eq!(
        all,
        SandboxInstitution::transactions_as_of("alice", start().date_naive())
    );
    assert_eq!(
        decode(&rest.last().unwrap().next_cursor),
        "v1:2025-03-20:2025-03-20:0"
    );
    // The next sync moves on to the new date.
    let next = all_pages(&sandbox, "alice", Some(&rest.last().unwrap().next_cursor)).await;
    assert!(!next[0].added.is_empty());
    assert_eq!(
        decode(&next.last().unwrap().next_cursor),
        "v1:2025-03-23:2025-03-23:0"
    );
}

#[tokio::test]
async fn a_clock_that_goes_back_changes_nothing() {
    let (sandbox, clock) = sandbox(start());
    let cursor = all_pages(&sandbox, "alice", None)
        .await
        .last()
        .unwrap()
        .next_cursor
        .clone();
    clock.set(start() - Duration::days(10));
    let page = sandbox.sync(&creds("alice"), Some(&cursor)).await.unwrap();
    assert_eq!(
        page,
        SyncPage {
            next_cursor: cursor,
            ..SyncPage::default()
        }
    );
}

#[tokio::test]
async fn a_very_old_cursor_is_bounded() {
    let (sandbox, _) = sandbox(start());
    let old = Cursor::settled(NaiveDate::from_ymd_opt(1990, 1, 1).unwrap()).encode();
    let pages = all_pages(&sandbox, "alice", Some(&old)).await;
    let added = added(&pages).len();
    assert!((2_000..4_500).contains(&added), "{added}");
}

#[tokio::test]
async fn invalid_cursors_are_refused() {
    let (sandbox, _) = sandbox(start());
    let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
    for bad in [
        "".to_owned(),
        "not a cursor".to_owned(),
        enc("v0:2025-03-20:2025-03-20:0"),
        enc("v1:2025-03-21:2025-03-20:0"),
        // Settled cursors carry no offset.
        enc("v1:2025-03-20:2025-03-20:5"),
        // Past the end of the diff.
        enc("v1:-:2025-03-20:100000"),
        enc("v1:2025-03-18:2025-03-20:500"),
    ] {
        assert_eq!(
            sandbox.sync(&creds("alice"), Some(&bad)).await,
            Err(InstitutionError::InvalidCursor),
            "{bad:?}"
        );
    }
}

/// The sizes quoted to the pipeline's tests (`--nocapture` prints them).
#[test]
fn first_sync_sizes() {
    let today = start().date_naive();
    let counts: Vec<usize> = (0..300)
        .map(|n| SandboxInstitution::transactions_as_of(&format!("u{n}"), today).len())
        .collect();
    let min = counts.iter().min().copied().unwrap();
    let max = counts.iter().max().copied().unwrap();
    let mean = counts.iter().sum::<usize>() as f64 / counts.len() as f64;
    assert!(min >= 290 && max <= 380, "min {min} max {max} mean {mean}");
    assert!((315.0..=345.0).contains(&mean), "mean {mean}");
    println!("first sync: min {min} max {max} mean {mean:.1}");
    let alice = SandboxInstitution::transactions_as_of("alice", today).len();
    println!("alice on {today}: {alice}");
}
