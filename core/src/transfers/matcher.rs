//! Which of a user's transactions are the two legs of one transfer: the
//! same amount leaving one of their accounts and arriving on another
//! within [`WINDOW_DAYS`]. Pure.

use chrono::{DateTime, Utc};

use crate::money::Money;

/// Most days between the two legs of a transfer.
pub const WINDOW_DAYS: i64 = 5;

/// Confidence, in percent, of a pair one of whose legs the institution
/// hinted was a transfer.
pub const HINTED: u8 = 95;
/// … whose seller text reads like a transfer or card payment.
pub const WORDED: u8 = 85;
/// … of opposite amounts alone, neither at a merchant the dictionary or
/// the crowd knows (a purchase and a refund elsewhere are not a transfer).
pub const AMOUNT_ONLY: u8 = 60;

/// A transaction that may be a leg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub id: i64,
    pub account_id: i64,
    /// Positive: money left the account; negative: it arrived.
    pub amount: Money,
    pub posted_at: DateTime<Utc>,
    /// The institution said it is a transfer.
    pub hint: bool,
    /// Its seller text reads like one ([`reads_like_transfer`]).
    pub worded: bool,
    /// Categorized by the dictionary or the crowd: a known merchant.
    pub known_merchant: bool,
}

/// Two legs found to be one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pairing {
    pub outflow: i64,
    pub inflow: i64,
    pub confidence: u8,
}

/// Words banks print on transfers and card payments.
const WORDS: &[&str] = &[
    "TRANSFER",
    "XFER",
    "PAYMENT TO",
    "PAYMENT RECEIVED",
    "PAYMENT THANK",
    "THANK YOU",
    "AUTOPAY",
    "AUTO PAY",
    "CARD PAYMENT",
    "CRCARDPMT",
    "ONLINE PMT",
    "EPAYMENT",
];

/// Whether a bank's seller text reads like a transfer or a card payment.
pub fn reads_like_transfer(seller_raw: &str) -> bool {
    let upper = seller_raw.to_ascii_uppercase();
    WORDS.iter().any(|w| upper.contains(w))
}

fn confidence(a: &Leg, b: &Leg) -> Option<u8> {
    if a.hint || b.hint {
        Some(HINTED)
    } else if a.worded || b.worded {
        Some(WORDED)
    } else if !a.known_merchant && !b.known_merchant {
        Some(AMOUNT_ONLY)
    } else {
        None
    }
}

/// Pairs each of `new` (in posting order) with the best unpaired leg of
/// `others` on another account: opposite amount, within the window;
/// highest confidence first, then the nearest in time, then the lowest
/// id. A leg pairs at most once; legs already paired are never offered
/// (the caller leaves them out), so a later sync cannot re-split a pair.
pub fn pair(new: &[Leg], others: &[Leg]) -> Vec<Pairing> {
    let mut order: Vec<&Leg> = new.iter().collect();
    order.sort_by_key(|l| (l.posted_at, l.id));
    let mut used: Vec<i64> = Vec::new();
    let mut out = Vec::new();
    for leg in order {
        if leg.amount == Money::ZERO || used.contains(&leg.id) {
            continue;
        }
        let best = others
            .iter()
            .filter(|o| o.account_id != leg.account_id && o.id != leg.id)
            .filter(|o| o.amount.cents() == -leg.amount.cents() && !used.contains(&o.id))
            .filter_map(|o| {
                let gap = (o.posted_at - leg.posted_at).num_seconds().abs();
                (gap <= WINDOW_DAYS * 86_400)
                    .then(|| confidence(leg, o).map(|c| (c, gap, o)))
                    .flatten()
            })
            .min_by_key(|(c, gap, o)| (std::cmp::Reverse(*c), *gap, o.id));
        if let Some((confidence, _, other)) = best {
            used.extend([leg.id, other.id]);
            let (outflow, inflow) = if leg.amount > Money::ZERO {
                (leg.id, other.id)
            } else {
                (other.id, leg.id)
            };
            out.push(Pairing {
                outflow,
                inflow,
                confidence,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};

    use super::*;

    fn leg(id: i64, account_id: i64, cents: i64, day: i64) -> Leg {
        Leg {
            id,
            account_id,
            amount: Money::from_cents(cents),
            posted_at: Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap() + Duration::days(day),
            hint: false,
            worded: false,
            known_merchant: false,
        }
    }

    #[test]
    fn opposite_amounts_on_two_accounts_within_the_window_pair() {
        let new = [leg(1, 10, -45_000, 2)];
        let others = [leg(2, 20, 45_000, 0), leg(3, 20, 45_000, 9)];
        assert_eq!(
            pair(&new, &others),
            vec![Pairing {
                outflow: 2,
                inflow: 1,
                confidence: AMOUNT_ONLY
            }]
        );
    }

    #[test]
    fn same_account_other_amounts_and_far_dates_do_not() {
        let new = [leg(1, 10, -45_000, 0)];
        assert!(pair(&new, &[leg(2, 10, 45_000, 0)]).is_empty());
        assert!(pair(&new, &[leg(2, 20, 45_001, 0)]).is_empty());
        assert!(pair(&new, &[leg(2, 20, -45_000, 0)]).is_empty());
        assert!(pair(&new, &[leg(2, 20, 45_000, WINDOW_DAYS + 1)]).is_empty());
    }

    #[test]
    fn a_known_merchant_needs_a_hint_or_transfer_wording() {
        let mut refund = leg(1, 10, -1_549, 0);
        refund.known_merchant = true;
        let purchase = leg(2, 20, 1_549, 1);
        assert!(
            pair(
                std::slice::from_ref(&refund),
                std::slice::from_ref(&purchase)
            )
            .is_empty()
        );
        let mut worded = purchase.clone();
        worded.worded = true;
        assert_eq!(pair(&[refund.clone()], &[worded])[0].confidence, WORDED);
        refund.hint = true;
        assert_eq!(pair(&[refund], &[purchase])[0].confidence, HINTED);
    }

    #[test]
    fn the_nearest_unpaired_leg_wins_and_each_pairs_once() {
        let new = [leg(1, 10, -500, 3), leg(2, 10, -500, 4)];
        let others = [leg(7, 20, 500, 0), leg(8, 20, 500, 3)];
        let pairs = pair(&new, &others);
        assert_eq!(pairs.len(), 2);
        assert_eq!((pairs[0].outflow, pairs[0].inflow), (8, 1));
        assert_eq!((pairs[1].outflow, pairs[1].inflow), (7, 2));
    }

    #[test]
    fn wording_is_recognised() {
        assert!(reads_like_transfer("PAYMENT RECEIVED - THANK YOU"));
        assert!(reads_like_transfer("Online Transfer to SAV ••4411"));
        assert!(!reads_like_transfer("SQ *BLUE BOTTLE 0423"));
    }
}
