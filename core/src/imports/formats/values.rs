//! Reading the values every format shares: amounts, dates, text.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::imports::model::DateOrder;

/// An amount as banks write it: `-98,76`, `1.234,56`, `$1,234.56`,
/// `(12.00)`, `+5`, `120`. `decimal_comma: None` infers the separator
/// from the text (a lone `,` followed by one or two digits at the end, or
/// a `.` before the last `,`). Currency symbols are refused except a
/// leading `$` when `allow_symbol` (CSV layouts write them; OFX's
/// `TRNAMT` never does).
pub fn parse_amount(
    raw: &str,
    decimal_comma: Option<bool>,
    allow_symbol: bool,
) -> Result<Decimal, String> {
    let refuse = || format!("amount '{}' is not a number", raw.trim());
    let mut s = raw.trim().replace([' ', '\u{a0}', '\''], "");
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].to_owned();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.to_owned();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.to_owned();
    }
    if allow_symbol && let Some(rest) = s.strip_prefix('$') {
        s = rest.to_owned();
    }
    if let Some(rest) = s.strip_prefix('-') {
        // `$-12.00`
        negative = !negative;
        s = rest.to_owned();
    }
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(refuse());
    }
    let comma = decimal_comma.unwrap_or_else(|| comma_is_decimal(&s));
    let normalized: String = if comma {
        s.chars()
            .filter(|c| *c != '.')
            .map(|c| if c == ',' { '.' } else { c })
            .collect()
    } else {
        s.chars().filter(|c| *c != ',').collect()
    };
    if normalized.matches('.').count() > 1 || normalized.starts_with('.') && normalized.len() == 1 {
        return Err(refuse());
    }
    let value: Decimal = normalized.parse().map_err(|_| refuse())?;
    Ok(if negative { -value } else { value })
}

/// `1.234,56`, `98,76`, `0,5`: the comma is the decimal separator.
fn comma_is_decimal(s: &str) -> bool {
    match (s.rfind(','), s.rfind('.')) {
        (Some(c), Some(d)) => c > d,
        (Some(c), None) => {
            let after = s.len() - c - 1;
            s.matches(',').count() == 1 && (1..=2).contains(&after)
        }
        _ => false,
    }
}

/// The three numeric parts of a date written `a/b/c`, `a.b.c` or `a-b-c`
/// (a two-digit year is 19xx above 69, else 20xx; Quicken's `12/25'17`).
fn parts(raw: &str) -> Option<[u32; 3]> {
    let s = raw.trim().replace('\'', "/");
    let mut out = [0u32; 3];
    let mut n = 0;
    for part in s.split(['/', '.', '-']) {
        if n == 3 {
            return None;
        }
        let part = part.trim();
        if part.is_empty() || part.len() > 4 || !part.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        out[n] = part.parse().ok()?;
        n += 1;
    }
    (n == 3).then_some(out)
}

fn full_year(y: u32) -> i32 {
    match y {
        0..=69 => 2000 + y as i32,
        70..=99 => 1900 + y as i32,
        _ => y as i32,
    }
}

/// A numeric date in the given order; `YYYYMMDD` (8 digits) always reads
/// year first.
pub fn parse_date(raw: &str, order: DateOrder) -> Option<NaiveDate> {
    let trimmed = raw.trim();
    if trimmed.len() == 8 && trimmed.chars().all(|c| c.is_ascii_digit()) {
        let y = trimmed[..4].parse().ok()?;
        let m = trimmed[4..6].parse().ok()?;
        let d = trimmed[6..].parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let [a, b, c] = parts(trimmed)?;
    let (y, m, d) = if a > 31 || (order == DateOrder::YearMonthDay && a >= 100) {
        (a, b, c)
    } else {
        match order {
            DateOrder::YearMonthDay => (a, b, c),
            DateOrder::DayMonthYear => (c, b, a),
            DateOrder::MonthDayYear => (c, a, b),
        }
    };
    NaiveDate::from_ymd_opt(full_year(y), m, d)
}

/// The order a column of dates is written in: year first when the first
/// part has four digits; day first when some first part is above 12, or
/// the parts are separated by dots (European usage); month first when
/// some second part is above 12 or nothing tells (the US default).
pub fn infer_date_order<'a>(samples: impl IntoIterator<Item = &'a str>) -> DateOrder {
    let mut day_first = false;
    let mut month_first = false;
    for raw in samples {
        let raw = raw.trim();
        if raw.len() == 8 && raw.chars().all(|c| c.is_ascii_digit()) {
            return DateOrder::YearMonthDay;
        }
        let Some([a, b, _]) = parts(raw) else {
            continue;
        };
        if a > 31
            || raw
                .split(['/', '.', '-', '\''])
                .next()
                .is_some_and(|p| p.len() == 4)
        {
            return DateOrder::YearMonthDay;
        }
        if a > 12 || raw.contains('.') {
            day_first = true;
        }
        if b > 12 {
            month_first = true;
        }
    }
    if day_first && !month_first {
        DateOrder::DayMonthYear
    } else {
        DateOrder::MonthDayYear
    }
}

/// Text as a person reads it: trimmed, runs of whitespace collapsed to
/// one space.
pub fn clean_text(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&nbsp;` and numeric
/// references, decoded once (`&amp;lt;` becomes `&lt;`); a bare `&` that
/// starts no known entity stays as written.
pub fn decode_entities(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let decoded = tail.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &tail[1..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            ch.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(raw: &str) -> Result<Decimal, String> {
        parse_amount(raw, None, true)
    }

    #[test]
    fn amounts_in_the_ways_banks_write_them() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        assert_eq!(amount("-98,76").ok(), d("-98.76"));
        assert_eq!(amount("1.234,56").ok(), d("1234.56"));
        assert_eq!(amount("$1,234.56").ok(), d("1234.56"));
        assert_eq!(amount("(12.00)").ok(), d("-12.00"));
        assert_eq!(amount("+5").ok(), d("5"));
        assert_eq!(amount("120").ok(), d("120"));
        assert_eq!(amount("-184.8").ok(), d("-184.8"));
        assert_eq!(amount("1,234").ok(), d("1234"));
        assert!(amount("").is_err());
        assert!(amount("12a").is_err());
        assert!(amount("1.2.3").is_err());
        assert!(parse_amount("$120", None, false).is_err());
    }

    #[test]
    fn dates_in_each_order() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(
            parse_date("2024-03-31", DateOrder::MonthDayYear),
            ymd(2024, 3, 31)
        );
        assert_eq!(
            parse_date("31.03.2024", DateOrder::DayMonthYear),
            ymd(2024, 3, 31)
        );
        assert_eq!(
            parse_date("03/31/2024", DateOrder::MonthDayYear),
            ymd(2024, 3, 31)
        );
        assert_eq!(
            parse_date("1/5/19", DateOrder::MonthDayYear),
            ymd(2019, 1, 5)
        );
        assert_eq!(
            parse_date("12/25'17", DateOrder::MonthDayYear),
            ymd(2017, 12, 25)
        );
        assert_eq!(
            parse_date("20240331", DateOrder::DayMonthYear),
            ymd(2024, 3, 31)
        );
        assert_eq!(
            parse_date("2025.12.04", DateOrder::MonthDayYear),
            ymd(2025, 12, 4)
        );
        assert_eq!(parse_date("13/13/2024", DateOrder::MonthDayYear), None);
    }

    #[test]
    fn the_order_of_a_column_is_inferred_from_its_values() {
        assert_eq!(
            infer_date_order(["22/12/2017", "01/01/2018"]),
            DateOrder::DayMonthYear
        );
        assert_eq!(
            infer_date_order(["12/22/2017", "01/01/2018"]),
            DateOrder::MonthDayYear
        );
        assert_eq!(infer_date_order(["05/03/2021"]), DateOrder::MonthDayYear);
        assert_eq!(infer_date_order(["10.10.2017"]), DateOrder::DayMonthYear);
        assert_eq!(infer_date_order(["2022-08-04"]), DateOrder::YearMonthDay);
    }

    #[test]
    fn entities_are_decoded_one_level() {
        assert_eq!(
            decode_entities("B.C. HYDRO &amp; POWER"),
            "B.C. HYDRO & POWER"
        );
        assert_eq!(
            decode_entities("TPAY &amp;lt;DEFTPYMT&amp;gt;"),
            "TPAY &lt;DEFTPYMT&gt;"
        );
        assert_eq!(decode_entities("AT&T & co"), "AT&T & co");
        assert_eq!(decode_entities("caf&#233;"), "café");
    }
}
