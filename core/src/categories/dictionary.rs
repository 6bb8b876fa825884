//! The curated seller dictionary: normalized key → display name and
//! category. Shipped as `core/data/sellers.csv`, synced into the `sellers`
//! reference table by `moneta migrate`, and held in memory for lookups.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use moneta_entities::sellers;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::Deserialize;

use super::{Category, normalize};
use crate::error::InternalError;

/// The dictionary shipped with this version of Moneta: about 2,000
/// merchants and their bank-statement aliases.
pub const SHIPPED_CSV: &str = include_str!("../../data/sellers.csv");

/// Rows per statement when syncing the reference table (Vitess rule 7).
const CHUNK: usize = 500;

/// One dictionary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerEntry {
    pub display_name: Box<str>,
    pub category: Category,
}

/// A dictionary row as shipped or stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellerRow {
    pub key: String,
    pub display_name: String,
    pub category: Category,
}

/// A successful lookup: the key that matched and its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellerMatch<'a> {
    pub key: &'a str,
    pub entry: &'a SellerEntry,
}

#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error("sellers.csv line {line}: {reason}")]
    Invalid { line: u64, reason: String },
}

/// The in-memory dictionary.
#[derive(Debug, Default, Clone)]
pub struct SellerDictionary {
    entries: HashMap<Box<str>, SellerEntry>,
}

#[derive(Deserialize)]
struct CsvRow {
    key: String,
    display_name: String,
    category: String,
}

/// Parses the dictionary CSV (`key,display_name,category`, `#` comments).
/// Every key must already be normalized, so lookups can find it.
pub fn parse_csv(text: &str) -> Result<Vec<SellerRow>, DictionaryError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.deserialize::<CsvRow>() {
        let record = record.map_err(|e| DictionaryError::Invalid {
            line: e.position().map_or(0, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = rows.len() as u64 + 2;
        let category =
            record
                .category
                .parse::<Category>()
                .map_err(|e| DictionaryError::Invalid {
                    line,
                    reason: e.to_string(),
                })?;
        if normalize(&record.key) != record.key || record.key.is_empty() {
            return Err(DictionaryError::Invalid {
                line,
                reason: format!("key {:?} is not normalized", record.key),
            });
        }
        rows.push(SellerRow {
            key: record.key,
            display_name: record.display_name,
            category,
        });
    }
    Ok(rows)
}

impl SellerDictionary {
    pub fn from_rows(rows: impl IntoIterator<Item = SellerRow>) -> Self {
        Self {
            entries: rows
                .into_iter()
                .map(|r| {
                    (
                        r.key.into_boxed_str(),
                        SellerEntry {
                            display_name: r.display_name.into_boxed_str(),
                            category: r.category,
                        },
                    )
                })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for a normalized seller: the longest prefix of its tokens
    /// that is a key (`SAFEWAY HOUSTON` finds `SAFEWAY`). At most
    /// `MAX_TOKENS` hash lookups, no allocation.
    pub fn lookup<'a>(&'a self, normalized: &str) -> Option<SellerMatch<'a>> {
        let mut end = normalized.len();
        loop {
            let prefix = &normalized[..end];
            if let Some((key, entry)) = self.entries.get_key_value(prefix) {
                return Some(SellerMatch { key, entry });
            }
            end = prefix.rfind(' ')?;
        }
    }

    /// Loads the `sellers` reference table.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, InternalError> {
        let rows = sellers::Entity::find().all(db).await?;
        let mut dictionary = Self::default();
        for row in rows {
            let category = row.category.parse::<Category>()?;
            dictionary.entries.insert(
                row.normalized_name.into_boxed_str(),
                SellerEntry {
                    display_name: row.display_name.into_boxed_str(),
                    category,
                },
            );
        }
        Ok(dictionary)
    }
}

/// Upserts `rows` into the `sellers` reference table: new keys are added,
/// changed names and categories updated; running it again changes nothing.
/// (Transactions already categorized keep their category.)
pub async fn sync_reference_table(
    db: &impl ConnectionTrait,
    rows: &[SellerRow],
    now: DateTime<Utc>,
) -> Result<(), InternalError> {
    for chunk in rows.chunks(CHUNK) {
        let models = chunk.iter().map(|r| sellers::ActiveModel {
            normalized_name: Set(r.key.clone()),
            display_name: Set(r.display_name.clone()),
            category: Set(r.category.as_str().to_owned()),
            updated_at: Set(now),
        });
        sellers::Entity::insert_many(models)
            .on_conflict(
                OnConflict::column(sellers::Column::NormalizedName)
                    .update_columns([sellers::Column::DisplayName, sellers::Column::Category])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_shipped_dictionary_is_valid_and_large() {
        let rows = parse_csv(SHIPPED_CSV).unwrap();
        assert!(rows.len() >= 1_000, "{} rows", rows.len());
        let keys: HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys.len(), rows.len(), "duplicate keys");
        for category in Category::SPENDING {
            let n = rows.iter().filter(|r| r.category == category).count();
            assert!(n >= 20, "{category}: only {n} sellers");
        }
        for category in [Category::Income, Category::Transfer] {
            assert!(rows.iter().any(|r| r.category == category), "{category}");
        }
        assert!(!rows.iter().any(|r| r.category == Category::Uncategorized));
    }

    #[test]
    fn messy_statement_strings_find_their_merchant() {
        let dictionary = SellerDictionary::from_rows(parse_csv(SHIPPED_CSV).unwrap());
        for (raw, category) in [
            ("EXXONMOBIL 4411 HOUSTON TX", Category::Gas),
            ("SQ *BLUE BOTTLE COFFEE", Category::Food),
            ("AMZN Mktp US*2K4LL0", Category::Shopping),
            ("PAYPAL *NETFLIX", Category::Entertainment),
            ("Target T-1234", Category::Shopping),
            ("WHOLEFDS MKT 10234 AUSTIN TX", Category::Food),
            ("SAFEWAY HOUSTON TX", Category::Food),
            ("CVS/PHARMACY #09876", Category::Health),
            ("UBER   *EATS", Category::Food),
            ("UBER *TRIP HELP.UBER.COM", Category::Transportation),
            ("ACH DEPOSIT ACME CORP PAYROLL", Category::Income),
            ("ONLINE TRANSFER TO SAVINGS XXXXXX1234", Category::Transfer),
        ] {
            let key = normalize(raw);
            let found = dictionary.lookup(&key);
            assert_eq!(
                found.map(|m| m.entry.category),
                Some(category),
                "{raw} → {key}"
            );
        }
        assert!(
            dictionary
                .lookup(&normalize("JOES CRAB SHACKLE 123"))
                .is_none()
        );
    }

    #[test]
    fn lookup_prefers_the_longest_key() {
        let row = |key: &str, category| SellerRow {
            key: key.to_owned(),
            display_name: key.to_owned(),
            category,
        };
        let dictionary = SellerDictionary::from_rows([
            row("UBER", Category::Transportation),
            row("UBER EATS", Category::Food),
        ]);
        assert_eq!(dictionary.lookup("UBER EATS NYC").unwrap().key, "UBER EATS");
        assert_eq!(dictionary.lookup("UBER TRIP").unwrap().key, "UBER");
        assert!(dictionary.lookup("UBERX").is_none());
        assert!(dictionary.lookup("").is_none());
    }

    #[test]
    fn malformed_csv_is_refused_with_its_line() {
        let bad_category = "key,display_name,category\nFOO,Foo,SNACKS\n";
        assert!(parse_csv(bad_category).is_err());
        let not_normalized = "key,display_name,category\nfoo bar,Foo,FOOD\n";
        assert!(parse_csv(not_normalized).is_err());
    }
}
