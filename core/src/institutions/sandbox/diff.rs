//! What changed between two states of a login, in pages.
//!
//! The changes are grouped per transaction (a pending one that posted is
//! one group: its pending id removed and its posted id added) and ordered
//! by date then id. A page never splits a group, so the removal of a
//! pending id always travels with the posted transaction that replaces it.

use chrono::NaiveDate;

use super::history::{self, SETTLED_AFTER_DAYS, days_before, days_between};
use super::profile::Profile;
use crate::institutions::{ProviderTransaction, SyncPage};

/// Most changes (added + modified + removed) on one page.
pub const PAGE_SIZE: usize = 100;

/// The sandbox delivers at most this many days of history in one sync,
/// however old the caller's cursor is.
pub(super) const HISTORY_LIMIT_DAYS: i64 = 731;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    Added(ProviderTransaction),
    Modified(ProviderTransaction),
    Removed(String),
}

/// The changes of one transaction.
pub(super) type Group = Vec<Change>;

/// A first sync: the whole state as of `to` over its last `days` days,
/// all added.
pub(super) fn initial(profile: &Profile, to: NaiveDate, days: i64) -> Vec<Group> {
    history::state_over(profile, to, days)
        .into_iter()
        .map(|tx| vec![Change::Added(tx)])
        .collect()
}

/// From the state as of `from` to the state as of `to` (`from <= to`).
///
/// The states cover different windows (`[from-89, from]`, `[to-89, to]`);
/// a transaction that merely ages out of the window is not removed. Only
/// days that can differ are compared: a transaction never changes after
/// `SETTLED_AFTER_DAYS`, so days before `from - SETTLED_AFTER_DAYS` are the
/// same in both.
pub(super) fn between(profile: &Profile, from: NaiveDate, to: NaiveDate) -> Vec<Group> {
    let unsettled = days_between(days_before(from, SETTLED_AFTER_DAYS), from);
    let oldest_new = days_before(to, HISTORY_LIMIT_DAYS - 1).max(from.succ_opt().unwrap_or(from));
    let new = days_between(oldest_new, to).filter(move |d| *d > from);
    unsettled
        .chain(new)
        .flat_map(|d| history::sorted_day(profile, d))
        .filter_map(|draft| {
            let group = match (draft.as_of(from), draft.as_of(to)) {
                (None, None) => return None,
                (None, Some(now)) => vec![Change::Added(now)],
                (Some(was), None) => vec![Change::Removed(was.provider_id)],
                (Some(was), Some(now)) if was.provider_id != now.provider_id => {
                    vec![Change::Removed(was.provider_id), Change::Added(now)]
                }
                (Some(was), Some(now)) if was != now => vec![Change::Modified(now)],
                (Some(_), Some(_)) => return None,
            };
            Some(group)
        })
        .collect()
}

/// The page of `groups` that starts at group `offset`: as many whole
/// groups as fit in `size` changes (one group at least). Returns the page (without its
/// cursor) and the offset after it.
pub(super) fn page(groups: &[Group], offset: usize, size: usize) -> (SyncPage, usize) {
    let mut page = SyncPage::default();
    let mut count = 0;
    let mut next = offset;
    for group in groups.iter().skip(offset) {
        if count + group.len() > size && count > 0 {
            break;
        }
        count += group.len();
        next += 1;
        for change in group {
            match change {
                Change::Added(tx) => page.added.push(tx.clone()),
                Change::Modified(tx) => page.modified.push(tx.clone()),
                Change::Removed(id) => page.removed.push(id.clone()),
            }
        }
    }
    page.has_more = next < groups.len();
    (page, next)
}
