//! Why a transaction has its category, with the evidence: the user's
//! override; their rule (by name); the transfer it is a leg of; the
//! dictionary entry that matched; the crowd's votes; or nothing matched.

use sea_orm::DatabaseConnection;

use super::Transaction;
use crate::UserId;
use crate::categories::{Categorizer, CategorySource, crowd};
use crate::error::InternalError;
use crate::{rules, transfers};

/// The dictionary is curated: this sure, in percent.
pub const DICTIONARY_CONFIDENCE: u8 = 95;

/// The evidence behind a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The user chose it for this transaction.
    Override,
    /// The user's rule; its name, unless it was deleted since.
    Rule { rule_id: i64, name: Option<String> },
    /// A leg of this transfer, matched this surely (percent).
    Transfer { transfer_id: i64, confidence: u8 },
    /// The dictionary entry whose key matched the seller.
    Dictionary { key: String, display_name: String },
    /// The crowd: votes for this category, of all voters on the seller.
    Crowd { votes_for: i64, voters: i64 },
    /// Nothing knew the seller: UNCATEGORIZED.
    Nothing,
}

impl Reason {
    pub fn source(&self) -> CategorySource {
        match self {
            Self::Override => CategorySource::User,
            Self::Rule { .. } => CategorySource::Rule,
            Self::Transfer { .. } => CategorySource::Transfer,
            Self::Dictionary { .. } => CategorySource::SellerMap,
            Self::Crowd { .. } => CategorySource::Crowd,
            Self::Nothing => CategorySource::None,
        }
    }

    /// For the automatic sources, how sure (0–1); the user's own choices
    /// (override, rule) and "nothing matched" have none.
    pub fn confidence(&self) -> Option<f64> {
        match self {
            Self::Override | Self::Rule { .. } | Self::Nothing => None,
            Self::Transfer { confidence, .. } => Some(f64::from(*confidence) / 100.0),
            Self::Dictionary { .. } => Some(f64::from(DICTIONARY_CONFIDENCE) / 100.0),
            #[allow(clippy::cast_precision_loss)]
            Self::Crowd { votes_for, voters } if *voters > 0 => {
                Some(*votes_for as f64 / *voters as f64)
            }
            Self::Crowd { .. } => Some(0.0),
        }
    }

    /// One sentence for people.
    pub fn summary(&self) -> String {
        match self {
            Self::Override => "You chose this category.".to_owned(),
            Self::Rule {
                name: Some(name), ..
            } => format!("Your rule \u{201c}{name}\u{201d} set it."),
            Self::Rule { name: None, .. } => "A rule you have since deleted set it.".to_owned(),
            Self::Transfer { .. } => {
                "Money moved between two of your accounts: not spending.".to_owned()
            }
            Self::Dictionary { display_name, .. } => {
                format!("Moneta's merchant list knows this seller as {display_name}.")
            }
            Self::Crowd { votes_for, voters } => {
                format!("{votes_for} of {voters} people who filed this seller chose it.")
            }
            Self::Nothing => "No rule, list entry or vote matched this seller.".to_owned(),
        }
    }
}

/// Explains transactions' categories.
#[derive(Debug, Clone)]
pub struct Reasons {
    pub db: DatabaseConnection,
    pub categorizer: Categorizer,
}

impl Reasons {
    /// The transaction's merchant name (`categories::merchant_name`).
    pub fn merchant(&self, transaction: &Transaction) -> String {
        crate::categories::merchant_name(
            transaction.display_name.as_deref(),
            &transaction.seller_key,
            self.categorizer.dictionary(),
        )
    }

    /// The reason `transaction` (of `user`) has its category: at most one
    /// primary-key read (the rule, the transfer, or the seller's tally).
    pub async fn explain(
        &self,
        user: UserId,
        transaction: &Transaction,
    ) -> Result<Reason, InternalError> {
        Ok(match transaction.category_source() {
            CategorySource::User => Reason::Override,
            CategorySource::Rule => {
                let rule_id = transaction.rule_id.unwrap_or_default();
                let name = rules::load_one(&self.db, user, rule_id)
                    .await?
                    .map(|r| r.spec.name);
                Reason::Rule { rule_id, name }
            }
            CategorySource::Transfer => {
                let transfer_id = transaction.transfer_id.unwrap_or_default();
                let confidence = transfers::find_transfer(&self.db, user, transfer_id)
                    .await?
                    .map_or(0, |t| t.confidence);
                Reason::Transfer {
                    transfer_id,
                    confidence,
                }
            }
            CategorySource::SellerMap => {
                match self
                    .categorizer
                    .dictionary()
                    .lookup(&transaction.seller_key)
                {
                    Some(found) => Reason::Dictionary {
                        key: found.key.to_owned(),
                        display_name: found.entry.display_name.to_string(),
                    },
                    // The entry left the dictionary since.
                    None => Reason::Dictionary {
                        key: transaction.seller_key.clone(),
                        display_name: transaction.seller_key.clone(),
                    },
                }
            }
            CategorySource::Crowd => {
                let tally = crowd::tally(&self.db, &transaction.seller_key).await?;
                let voters = tally.iter().map(|(_, n)| n).sum();
                let votes_for = tally
                    .iter()
                    .find(|(c, _)| *c == transaction.computed_category)
                    .map_or(0, |(_, n)| *n);
                Reason::Crowd { votes_for, voters }
            }
            CategorySource::None => Reason::Nothing,
        })
    }
}
