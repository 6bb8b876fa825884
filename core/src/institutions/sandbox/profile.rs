//! Who a sandbox login is: everything about it that does not change from
//! day to day (employer, pay, landlord, rent, bills, home town, favourite
//! shops), derived from the login alone.

use chrono::{Datelike, NaiveDate};

use super::catalog::{self, Bill, EVERYDAY, LOCALS, NEIGHBORHOOD};
use super::hash::{Rng, derive, fnv1a};
use super::household::Household;

/// A monthly bill as this login pays it.
#[derive(Debug)]
pub(super) struct MyBill {
    pub bill: &'static Bill,
    /// Day of the month, 2–28.
    pub day: u32,
    /// The amount when it does not vary by month.
    pub cents: i64,
}

#[derive(Debug)]
pub(super) struct Profile {
    /// The login's hash; every other draw derives from it.
    pub key: u64,
    /// Which account of its household the login is.
    pub household: Household,
    pub city: &'static str,
    pub employer: &'static str,
    pub payroll: &'static str,
    pub paycheck_cents: i64,
    /// Paid on the 1st and the 15th; otherwise on the 15th and the last day.
    pub paid_on_first: bool,
    pub landlord: &'static str,
    pub rent_cents: i64,
    pub bills: Vec<MyBill>,
    /// Which ten of [`LOCALS`] are around the corner.
    pub neighborhood: usize,
    /// Per [`EVERYDAY`] template: its weight for this login.
    weights: Vec<u32>,
    total_weight: u64,
}

impl Profile {
    pub fn new(login: &str) -> Self {
        let key = fnv1a(login.as_bytes());
        let mut rng = Rng::new(derive(key, 0x0070_f11e));
        let city = pick(&mut rng, catalog::CITIES);
        let employer = pick(&mut rng, catalog::EMPLOYERS);
        let payroll = pick(&mut rng, catalog::PAYROLL);
        let paycheck_cents = rng.range(catalog::PAYCHECK_MIN_CENTS, catalog::PAYCHECK_MAX_CENTS);
        let paid_on_first = rng.chance(500);
        let landlord = pick(&mut rng, catalog::RENT);
        let rent_cents =
            rng.range(catalog::RENT_MIN_DOLLARS / 5, catalog::RENT_MAX_DOLLARS / 5) * 500;

        let mut chosen: Vec<&'static Bill> = vec![
            pick_ref(&mut rng, catalog::PHONE),
            pick_ref(&mut rng, catalog::INTERNET),
            pick_ref(&mut rng, catalog::POWER),
        ];
        let first = rng.index(catalog::STREAMING.len());
        let second =
            (first + 1 + rng.index(catalog::STREAMING.len() - 1)) % catalog::STREAMING.len();
        chosen.extend([&catalog::STREAMING[first], &catalog::STREAMING[second]]);
        chosen.extend(catalog::OPTIONAL.iter().filter(|_| rng.chance(500)));
        let bills = chosen
            .into_iter()
            .map(|bill| MyBill {
                bill,
                day: 2 + u32::try_from(rng.below(27)).unwrap_or(0),
                cents: rng.range(bill.min_cents, bill.max_cents),
            })
            .collect();

        let neighborhood = rng.index(LOCALS.len() / NEIGHBORHOOD);
        // Favourite shops: each template weighs ½×, 1×, 1½× or 2× its base.
        let weights: Vec<u32> = EVERYDAY
            .iter()
            .map(|t| t.weight * (1 + u32::try_from(rng.below(4)).unwrap_or(0)))
            .collect();
        let total_weight = weights.iter().map(|&w| u64::from(w)).sum();
        Self {
            key,
            household: Household::of(login),
            city,
            employer,
            payroll,
            paycheck_cents,
            paid_on_first,
            landlord,
            rent_cents,
            bills,
            neighborhood,
            weights,
            total_weight,
        }
    }

    /// The last four digits of the account number.
    pub fn account_digits(&self) -> u64 {
        derive(self.key, 0xacc7) % 10_000
    }

    /// An everyday template, by this login's preferences.
    pub fn pick_everyday(&self, rng: &mut Rng) -> usize {
        let mut roll = rng.below(self.total_weight);
        for (i, &w) in self.weights.iter().enumerate() {
            let w = u64::from(w);
            if roll < w {
                return i;
            }
            roll -= w;
        }
        0
    }

    /// A local business: mostly from the login's neighborhood.
    pub fn pick_local(&self, rng: &mut Rng) -> usize {
        if rng.chance(700) {
            self.neighborhood * NEIGHBORHOOD + rng.index(NEIGHBORHOOD)
        } else {
            rng.index(LOCALS.len())
        }
    }

    /// Whether `day` is a payday. Always twice in each calendar month
    /// (no weekend shifts), so monthly income is easy to reason about.
    pub fn is_payday(&self, day: NaiveDate) -> bool {
        let last = day
            .succ_opt()
            .is_none_or(|next| next.month() != day.month());
        if self.paid_on_first {
            day.day() == 1 || day.day() == 15
        } else {
            day.day() == 15 || last
        }
    }

    /// Prints `pattern` for this login; `rng` supplies per-transaction parts.
    pub fn render(&self, pattern: &str, day: NaiveDate, rng: &mut Rng) -> String {
        let mut out = String::with_capacity(pattern.len() + 16);
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            self.placeholder(name, pattern, day, rng, &mut out);
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn placeholder(
        &self,
        name: &str,
        pattern: &str,
        day: NaiveDate,
        rng: &mut Rng,
        out: &mut String,
    ) {
        match name {
            "CITY" => out.push_str(self.city),
            "EMP" => out.push_str(self.employer),
            "DOW" => out.push_str(&day.format("%a").to_string().to_ascii_uppercase()),
            "HR" => {
                out.push_str(&(1 + rng.below(11)).to_string());
                out.push_str("PM");
            }
            "REF" => {
                const ALNUM: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
                // A digit first, so the reference never reads as a word.
                out.push(char::from(b'0' + u8::try_from(rng.below(10)).unwrap_or(0)));
                for _ in 0..5 {
                    out.push(char::from(ALNUM[rng.index(ALNUM.len())]));
                }
            }
            digits => {
                // `N<k>`: a k-digit number fixed per login and pattern.
                let width: u32 = digits
                    .get(1..)
                    .and_then(|k| k.parse().ok())
                    .unwrap_or(4)
                    .min(19);
                let n = derive(self.key, fnv1a(pattern.as_bytes())) % 10u64.pow(width);
                out.push_str(&format!("{n:0width$}", width = width as usize));
            }
        }
    }
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.index(items.len())]
}

fn pick_ref<T>(rng: &mut Rng, items: &'static [T]) -> &'static T {
    &items[rng.index(items.len())]
}
