//! Deciding a transaction's category.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::ConnectionTrait;

use super::{Category, CategorySource, SellerDictionary, SellerMatch, crowd, normalize};
use crate::error::InternalError;

/// The precedence, strongest first: the user's own choice for this
/// transaction; the curated dictionary; the crowd's clear choice;
/// otherwise UNCATEGORIZED.
pub fn decide(
    user: Option<Category>,
    dictionary: Option<Category>,
    crowd: Option<Category>,
) -> (Category, CategorySource) {
    match (user, dictionary, crowd) {
        (Some(c), _, _) => (c, CategorySource::User),
        (None, Some(c), _) => (c, CategorySource::SellerMap),
        (None, None, Some(c)) => (c, CategorySource::Crowd),
        (None, None, None) => (Category::Uncategorized, CategorySource::None),
    }
}

/// A categorized seller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Categorization {
    /// The dictionary key when the dictionary knows the seller, else the
    /// normalized string: the key crowd votes are counted under.
    pub seller_key: String,
    /// The computed category (never the user's override: that is kept
    /// apart, so re-syncs cannot overwrite it).
    pub category: Category,
    pub source: CategorySource,
    /// The user's rule that matched, if any ([`Self::apply_rules`]).
    pub rule_id: Option<i64>,
    /// That rule's name for the merchant.
    pub display_name: Option<String>,
}

/// Categorizes raw seller strings with the dictionary and the crowd.
#[derive(Debug, Clone)]
pub struct Categorizer {
    dictionary: Arc<SellerDictionary>,
}

impl Categorizer {
    pub fn new(dictionary: Arc<SellerDictionary>) -> Self {
        Self { dictionary }
    }

    pub fn dictionary(&self) -> &SellerDictionary {
        &self.dictionary
    }

    /// The normalized key of a raw seller and, when the dictionary knows
    /// it, the dictionary's key and entry. Pure and allocation-light: the
    /// hot path of categorization.
    pub fn classify<'a>(&'a self, raw: &str) -> (String, Option<SellerMatch<'a>>) {
        let key = normalize(raw);
        let found = self.dictionary.lookup(&key);
        (key, found)
    }

    /// The computed category of each raw seller, in order. Sellers the
    /// dictionary does not know are asked of the crowd in one query.
    pub async fn categorize(
        &self,
        db: &impl ConnectionTrait,
        raw_sellers: &[&str],
    ) -> Result<Vec<Categorization>, InternalError> {
        let classified: Vec<_> = raw_sellers.iter().map(|raw| self.classify(raw)).collect();
        let unknown: Vec<&str> = classified
            .iter()
            .filter(|(key, found)| !key.is_empty() && found.is_none())
            .map(|(key, _)| key.as_str())
            .collect();
        let crowd: HashMap<String, Category> = crowd::choices(db, &unknown).await?;
        Ok(classified
            .into_iter()
            .zip(raw_sellers)
            .map(|((key, found), raw)| {
                let (category, source) = decide(
                    None,
                    found.map(|m| m.entry.category),
                    crowd.get(&key).copied(),
                );
                let seller_key = found.map_or(key, |m| m.key.to_owned());
                tracing::debug!(
                    seller = %raw,
                    key = %seller_key,
                    category = category.as_str(),
                    source = source.as_str(),
                    "categorized"
                );
                Categorization {
                    seller_key,
                    category,
                    source,
                    rule_id: None,
                    display_name: None,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::{Food, Shopping, Travel};

    #[test]
    fn precedence_is_user_then_dictionary_then_crowd() {
        assert_eq!(
            decide(Some(Travel), Some(Food), Some(Shopping)),
            (Travel, CategorySource::User)
        );
        assert_eq!(
            decide(None, Some(Food), Some(Shopping)),
            (Food, CategorySource::SellerMap)
        );
        assert_eq!(
            decide(None, None, Some(Shopping)),
            (Shopping, CategorySource::Crowd)
        );
        assert_eq!(
            decide(None, None, None),
            (Category::Uncategorized, CategorySource::None)
        );
    }
}
