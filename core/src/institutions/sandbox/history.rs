//! A login's transactions, day by day, and how each one looks on a given
//! date: pending for its first two days, then posted (perhaps with a tip),
//! then now and then modified (day + 3) or reversed (day + 4).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::catalog::{EVERYDAY, Kind, LOCALS};
use super::hash::{Rng, derive, mix64};
use super::household::Role;
use super::profile::Profile;
use crate::categories::Category;
use crate::institutions::ProviderTransaction;
use crate::money::Money;

/// Days of history a first sync delivers (today included).
pub const HISTORY_DAYS: i64 = 90;
/// A transaction is pending while `as_of < day + POSTS_AFTER_DAYS`.
pub(super) const POSTS_AFTER_DAYS: i64 = 2;
/// A modified transaction changes its amount on `day + MODIFIED_AFTER_DAYS`.
pub(super) const MODIFIED_AFTER_DAYS: i64 = 3;
/// A reversed transaction disappears on `day + REVERSED_AFTER_DAYS`.
pub(super) const REVERSED_AFTER_DAYS: i64 = 4;
/// After this many days a transaction never changes again.
pub(super) const SETTLED_AFTER_DAYS: i64 = REVERSED_AFTER_DAYS;

/// Everyday transactions per day: `MIN..=MAX`.
const EVERYDAY_MIN: u64 = 2;
const EVERYDAY_MAX: u64 = 5;
/// Out of 1000 everyday transactions: at a local business the dictionary
/// does not know.
const LOCAL_PER_MILLE: u64 = 150;
/// Out of 1000 transactions at a shop: a refund.
const REFUND_PER_MILLE: u64 = 60;
/// Out of 1000 transactions at a restaurant: posted with a tip.
const TIP_PER_MILLE: u64 = 850;
/// Out of 1000 everyday purchases: later modified, or reversed.
const MODIFIED_PER_MILLE: u64 = 30;
const REVERSED_PER_MILLE: u64 = 10;

/// What happens to a transaction after it posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    Stays,
    /// Its amount becomes this on `day + MODIFIED_AFTER_DAYS`.
    Modified(i64),
    /// It disappears on `day + REVERSED_AFTER_DAYS`.
    Reversed,
}

/// One transaction of a login's history, before choosing how it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Draft {
    pub day: NaiveDate,
    /// The id's 64 bits; unique per login.
    pub key: u64,
    pub at: DateTime<Utc>,
    pub seller: String,
    pub pending_cents: i64,
    pub posted_cents: i64,
    pub fate: Fate,
    /// A transfer between the household's own accounts.
    pub transfer: bool,
}

impl Draft {
    pub fn pending_id(&self) -> String {
        format!("ptx_{:016x}", self.key)
    }

    pub fn posted_id(&self) -> String {
        format!("tx_{:016x}", self.key)
    }

    /// The transaction as the institution reports it on `as_of`, if it
    /// exists then.
    pub fn as_of(&self, as_of: NaiveDate) -> Option<ProviderTransaction> {
        let age = as_of.signed_duration_since(self.day).num_days();
        if age < 0 {
            return None;
        }
        if age < POSTS_AFTER_DAYS {
            return Some(ProviderTransaction {
                provider_id: self.pending_id(),
                pending: true,
                pending_transaction_id: None,
                posted_at: self.at,
                seller: self.seller.clone(),
                amount: Money::from_cents(self.pending_cents),
                transfer_hint: self.transfer,
            });
        }
        let cents = match self.fate {
            Fate::Reversed if age >= REVERSED_AFTER_DAYS => return None,
            Fate::Modified(cents) if age >= MODIFIED_AFTER_DAYS => cents,
            _ => self.posted_cents,
        };
        Some(ProviderTransaction {
            provider_id: self.posted_id(),
            pending: false,
            pending_transaction_id: Some(self.pending_id()),
            posted_at: self.at,
            seller: self.seller.clone(),
            amount: Money::from_cents(cents),
            transfer_hint: self.transfer,
        })
    }
}

/// Everything `profile` did on `day`, in a fixed order.
pub(super) fn day(profile: &Profile, day: NaiveDate) -> Vec<Draft> {
    let day_number = u64::from(day.num_days_from_ce().cast_unsigned());
    let day_seed = derive(profile.key, day_number);
    let mut drafts = DayDrafts {
        profile,
        day,
        day_number,
        out: Vec::with_capacity(8),
    };
    match profile.household.role {
        Role::Checking => {
            fixed(&mut drafts, day_seed);
            everyday(&mut drafts, day_seed);
        }
        Role::Card => everyday(&mut drafts, day_seed),
        Role::Savings => {}
    }
    transfers(&mut drafts, day_seed);
    drafts.out
}

/// A day's drafts as they are made.
struct DayDrafts<'a> {
    profile: &'a Profile,
    day: NaiveDate,
    day_number: u64,
    out: Vec<Draft>,
}

/// A transaction's amounts and fate.
struct Amounts {
    pending: i64,
    posted: i64,
    fate: Fate,
}

impl Amounts {
    fn fixed(cents: i64) -> Self {
        Self {
            pending: cents,
            posted: cents,
            fate: Fate::Stays,
        }
    }
}

impl DayDrafts<'_> {
    fn push(&mut self, rng: &mut Rng, hour_range: (i64, i64), seller: String, amounts: Amounts) {
        let index = self.out.len() as u64;
        // A bijection of (day, index): ids never collide within a login.
        let key = mix64((self.day_number << 8 | index) ^ self.profile.key);
        let seconds = rng.range(hour_range.0 * 3600, hour_range.1 * 3600 - 1);
        let at = self
            .day
            .and_hms_opt(0, 0, 0)
            .map(|midnight| midnight.and_utc() + chrono::Duration::seconds(seconds))
            .unwrap_or_default();
        self.out.push(Draft {
            day: self.day,
            key,
            at,
            seller,
            pending_cents: amounts.pending,
            posted_cents: amounts.posted,
            fate: amounts.fate,
            transfer: false,
        });
    }
}

/// The household's transfer legs (`household.rs`): after the rest.
fn transfers(drafts: &mut DayDrafts<'_>, day_seed: u64) {
    let mut rng = Rng::new(derive(day_seed, 0x7a5f));
    for leg in drafts.profile.household.legs(drafts.day) {
        drafts.push(&mut rng, (9, 12), leg.seller, Amounts::fixed(leg.cents));
        if let Some(last) = drafts.out.last_mut() {
            last.transfer = true;
        }
    }
}

/// Payroll, rent and bills: they are on fixed dates, and come first.
fn fixed(drafts: &mut DayDrafts<'_>, day_seed: u64) {
    let (profile, day) = (drafts.profile, drafts.day);
    let mut rng = Rng::new(derive(day_seed, 0x5a1a));
    if profile.is_payday(day) {
        let seller = profile.render(profile.payroll, day, &mut rng);
        let cents = -profile.paycheck_cents;
        drafts.push(&mut rng, (5, 8), seller, Amounts::fixed(cents));
    }
    if day.day() == 1 {
        let seller = profile.render(profile.landlord, day, &mut rng);
        let cents = profile.rent_cents;
        drafts.push(&mut rng, (6, 10), seller, Amounts::fixed(cents));
    }
    for bill in profile.bills.iter().filter(|b| b.day == day.day()) {
        let cents = if bill.bill.varies {
            let month = u64::from(day.year().cast_unsigned()) * 12 + u64::from(day.month());
            Rng::new(derive(derive(profile.key, month), u64::from(bill.day)))
                .range(bill.bill.min_cents, bill.bill.max_cents)
        } else {
            bill.cents
        };
        let seller = profile.render(bill.bill.pattern, day, &mut rng);
        drafts.push(&mut rng, (3, 9), seller, Amounts::fixed(cents));
    }
}

/// Everyday spending: a few purchases at dictionary sellers or local
/// businesses, some refunded, tipped, modified or reversed later.
fn everyday(drafts: &mut DayDrafts<'_>, day_seed: u64) {
    let (profile, day) = (drafts.profile, drafts.day);
    let mut day_rng = Rng::new(derive(day_seed, 0xe7e7));
    let count = EVERYDAY_MIN + day_rng.below(EVERYDAY_MAX - EVERYDAY_MIN + 1);
    for slot in 0..count {
        let mut rng = Rng::new(derive(day_seed, 0x100 + slot));
        let (seller, min, max, kind, food) = if rng.chance(LOCAL_PER_MILLE) {
            let local = &LOCALS[profile.pick_local(&mut rng)];
            (
                local.seller.to_owned(),
                local.min_cents,
                local.max_cents,
                local.kind,
                local.kind == Kind::Restaurant,
            )
        } else {
            let template = &EVERYDAY[profile.pick_everyday(&mut rng)];
            let seller = profile.render(template.pattern, day, &mut rng);
            (
                seller,
                template.min_cents,
                template.max_cents,
                template.kind,
                template.category == Category::Food,
            )
        };
        let amount = rng.range(min, max);
        let amounts = purchase(&mut rng, amount, kind, food);
        drafts.push(&mut rng, (7, 23), seller, amounts);
    }
}

/// A purchase of `amount`: perhaps a refund, perhaps tipped, and its fate.
fn purchase(rng: &mut Rng, amount: i64, kind: Kind, food: bool) -> Amounts {
    let refund = kind == Kind::Shop && rng.chance(REFUND_PER_MILLE);
    let (pending, posted) = if refund {
        (-amount, -amount)
    } else if food && kind == Kind::Restaurant && rng.chance(TIP_PER_MILLE) {
        (amount, amount + amount * rng.range(15, 20) / 100)
    } else {
        (amount, amount)
    };
    let fate = if refund {
        Fate::Stays
    } else {
        let roll = rng.below(1000);
        if roll < MODIFIED_PER_MILLE {
            let delta = (posted * rng.range(3, 25) / 100).max(1);
            let up = rng.chance(500) || posted - delta < 100;
            Fate::Modified(if up { posted + delta } else { posted - delta })
        } else if roll < MODIFIED_PER_MILLE + REVERSED_PER_MILLE {
            Fate::Reversed
        } else {
            Fate::Stays
        }
    };
    Amounts {
        pending,
        posted,
        fate,
    }
}

/// The whole state of a login on `as_of`: its last [`HISTORY_DAYS`] days,
/// each transaction as it looks then, by date then id.
pub(super) fn state(profile: &Profile, as_of: NaiveDate) -> Vec<ProviderTransaction> {
    state_over(profile, as_of, HISTORY_DAYS)
}

/// The state of a login on `as_of` over its last `days` days.
pub(super) fn state_over(
    profile: &Profile,
    as_of: NaiveDate,
    days: i64,
) -> Vec<ProviderTransaction> {
    days_between(days_before(as_of, days - 1), as_of)
        .flat_map(|d| sorted_day(profile, d))
        .filter_map(|draft| draft.as_of(as_of))
        .collect()
}

/// A day's drafts ordered by id.
pub(super) fn sorted_day(profile: &Profile, d: NaiveDate) -> Vec<Draft> {
    let mut drafts = day(profile, d);
    drafts.sort_by_key(|draft| draft.key);
    drafts
}

/// `n` days before `d` (the calendar's first day if that is earlier).
pub(super) fn days_before(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_sub_days(chrono::Days::new(n.max(0).unsigned_abs()))
        .unwrap_or(NaiveDate::MIN)
}

/// The days from `first` to `last`, both included.
pub(super) fn days_between(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}
