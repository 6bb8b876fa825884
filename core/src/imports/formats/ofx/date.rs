//! OFX date-times (`DTPOSTED`): `YYYYMMDD`, optionally followed by
//! `HHMM`, `HHMMSS`, `.XXX` and a zone such as `[-5:EST]` or `[0]`. The
//! date is taken as written: Moneta books the bank's day, so the zone is
//! checked for shape but never applied.

use chrono::{NaiveDate, NaiveTime};

use crate::imports::formats::values::parse_date;
use crate::imports::model::DateOrder;

/// The date of an OFX date-time, or `None` when it is not one (a month
/// 20, a time 25:00, stray characters).
pub(super) fn parse(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    let stamp = match raw.split_once('[') {
        Some((stamp, zone)) => zone.ends_with(']').then_some(stamp)?,
        None => raw,
    };
    let (digits, fraction) = match stamp.split_once('.') {
        Some((digits, fraction)) if !fraction.is_empty() => (digits, fraction),
        Some(_) => return None,
        None => (stamp, ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(digits) || !all_digits(fraction) || !matches!(digits.len(), 8 | 10 | 12 | 14) {
        return None;
    }
    if digits.len() > 8 {
        let part = |at: usize| digits.get(at..at + 2).map_or(Some(0), |p| p.parse().ok());
        NaiveTime::from_hms_opt(part(8)?, part(10)?, part(12)?)?;
    }
    parse_date(&digits[..8], DateOrder::YearMonthDay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_banks_write() {
        let day = NaiveDate::from_ymd_opt(2009, 4, 1);
        assert_eq!(parse("20090401"), day);
        assert_eq!(parse("200904011220"), day);
        assert_eq!(parse("20090401122017"), day);
        assert_eq!(parse("20090401122017.000[-5:EST]"), day);
        assert_eq!(parse("20090401235959[-3:GMT]"), day);
        assert_eq!(parse(" 20090401000000[0] "), day);
    }

    #[test]
    fn the_date_as_written_without_zone_shift() {
        // 23:30 at UTC-5 is the next day in UTC; the bank's day is kept.
        assert_eq!(
            parse("20221231233000[-5:EST]"),
            NaiveDate::from_ymd_opt(2022, 12, 31)
        );
    }

    #[test]
    fn what_is_not_a_date() {
        for raw in [
            "201120000000",
            "20091301",
            "2009040",
            "20090401250000",
            "2009-04-01",
            "20090401.",
            "20090401[-5",
            "",
        ] {
            assert_eq!(parse(raw), None, "{raw}");
        }
    }
}
