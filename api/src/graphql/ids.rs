//! Global, opaque object ids: base64url of `<Type>:<row id>`. The type
//! lets `node(id:)` know where to look; the row is always looked up within
//! the caller's own data.

use async_graphql::ID;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Account,
    Transaction,
    Notification,
    Rule,
    RuleApplication,
    Transfer,
}

impl Kind {
    const fn prefix(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Account => "Account",
            Self::Transaction => "Transaction",
            Self::Notification => "Notification",
            Self::Rule => "Rule",
            Self::RuleApplication => "RuleApplication",
            Self::Transfer => "Transfer",
        }
    }
}

pub fn encode(kind: Kind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.prefix())))
}

/// `None` for anything that is not an id this API minted.
pub fn decode(id: &str) -> Option<(Kind, i64)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (prefix, row) = raw.split_once(':')?;
    let kind = [
        Kind::User,
        Kind::Account,
        Kind::Transaction,
        Kind::Notification,
        Kind::Rule,
        Kind::RuleApplication,
        Kind::Transfer,
    ]
    .into_iter()
    .find(|k| k.prefix() == prefix)?;
    Some((kind, row.parse().ok()?))
}

/// The row id of an id of the expected kind.
pub fn decode_as(kind: Kind, id: &str) -> Option<i64> {
    decode(id).and_then(|(k, row)| (k == kind).then_some(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_ids() {
        let id = encode(Kind::Account, 42);
        assert_eq!(decode(&id), Some((Kind::Account, 42)));
        assert_eq!(decode_as(Kind::User, &id), None);
        for bad in ["", "42", "Account:42", &URL_SAFE_NO_PAD.encode("Bogus:1")] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
