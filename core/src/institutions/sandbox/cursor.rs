//! The sandbox's sync cursor: opaque to callers, versioned, strict.
//!
//! Inside (URL-safe base64, no padding): `v1:<from>:<to>:<offset>` where
//! `from` is the as-of date of the state the caller already has (`-` for
//! none: a first sync), `to` the as-of date this sync delivers, and
//! `offset` how many change groups of the diff `from → to` were already
//! delivered. A sync that is complete is `v1:<to>:<to>:0`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;

use crate::institutions::InstitutionError;

const VERSION: &str = "v1";
const NOTHING: &str = "-";
const DATE: &str = "%Y-%m-%d";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cursor {
    /// The state the caller has; `None` before its first sync.
    pub from: Option<NaiveDate>,
    /// The state this sync moves it to.
    pub to: NaiveDate,
    /// Change groups of `from → to` already delivered.
    pub offset: usize,
}

impl Cursor {
    /// A sync that is complete: the caller has the state as of `date`.
    pub fn settled(date: NaiveDate) -> Self {
        Self {
            from: Some(date),
            to: date,
            offset: 0,
        }
    }

    pub fn is_settled(&self) -> bool {
        self.from == Some(self.to)
    }

    pub fn encode(&self) -> String {
        let from = self
            .from
            .map_or_else(|| NOTHING.to_owned(), |d| d.format(DATE).to_string());
        let plain = format!("{VERSION}:{from}:{}:{}", self.to.format(DATE), self.offset);
        URL_SAFE_NO_PAD.encode(plain)
    }

    /// Accepts exactly what [`Cursor::encode`] produces.
    pub fn decode(text: &str) -> Result<Self, InstitutionError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| InstitutionError::InvalidCursor)?;
        let plain = String::from_utf8(bytes).map_err(|_| InstitutionError::InvalidCursor)?;
        let mut parts = plain.split(':');
        let (Some(VERSION), Some(from), Some(to), Some(offset), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(InstitutionError::InvalidCursor);
        };
        let from = match from {
            NOTHING => None,
            date => Some(parse_date(date)?),
        };
        let cursor = Self {
            from,
            to: parse_date(to)?,
            offset: offset
                .parse()
                .map_err(|_| InstitutionError::InvalidCursor)?,
        };
        let backwards = cursor.from.is_some_and(|from| from > cursor.to);
        if backwards || cursor.encode() != text {
            // Also rejects `+1`, `01`, `2024-1-05` and other non-canonical forms.
            return Err(InstitutionError::InvalidCursor);
        }
        Ok(cursor)
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, InstitutionError> {
    NaiveDate::parse_from_str(text, DATE).map_err(|_| InstitutionError::InvalidCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn round_trips() {
        for cursor in [
            Cursor {
                from: None,
                to: date(2025, 3, 1),
                offset: 0,
            },
            Cursor {
                from: None,
                to: date(2025, 3, 1),
                offset: 100,
            },
            Cursor {
                from: Some(date(2025, 2, 27)),
                to: date(2025, 3, 1),
                offset: 7,
            },
            Cursor::settled(date(2025, 3, 1)),
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        }
        let plain = URL_SAFE_NO_PAD
            .decode(Cursor::settled(date(2025, 3, 1)).encode())
            .unwrap();
        assert_eq!(plain, b"v1:2025-03-01:2025-03-01:0");
    }

    #[test]
    fn rejects_anything_else() {
        let enc = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for bad in [
            String::new(),
            "garbage".to_owned(),
            "!!!".to_owned(),
            enc("v2:2025-03-01:2025-03-01:0"),
            enc("v1:2025-03-01:2025-03-01"),
            enc("v1:2025-03-01:2025-03-01:0:0"),
            enc("v1:2025-03-02:2025-03-01:0"),
            enc("v1:2025-3-01:2025-03-01:0"),
            enc("v1:2025-02-30:2025-03-01:0"),
            enc("v1:-:2025-03-01:-1"),
            enc("v1:-:2025-03-01:+1"),
            enc("v1:-:2025-03-01:01"),
            enc("v1:-:2025-03-01:x"),
            enc("v1:none:2025-03-01:0"),
            format!("{}=", enc("v1:-:2025-03-01:0")),
            "djE6LToyMDI1LTAzLTAxOjA".to_owned() + "x",
        ] {
            assert_eq!(
                Cursor::decode(&bad),
                Err(InstitutionError::InvalidCursor),
                "{bad:?}"
            );
        }
    }
}
