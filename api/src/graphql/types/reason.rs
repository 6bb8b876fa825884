use async_graphql::{ID, Object};
use moneta_core::transactions::Reason;

use super::CategorySource;
use crate::graphql::ids::{self, Kind};

/// The seller as people know it.
#[derive(async_graphql::SimpleObject)]
pub struct Merchant {
    /// A rule's display name, else Moneta's merchant list's, else the
    /// normalized seller in title case.
    pub name: String,
    /// Left for institutions that send one.
    pub logo: Option<String>,
    /// Left for institutions that send one.
    pub website: Option<String>,
}

/// Why a transaction has its category, with the evidence.
pub struct CategoryReason(pub Reason);

/// Why a transaction has its category: the source (your override, your
/// rule, a transfer, Moneta's merchant list, the crowd, or nothing), its
/// evidence in the fields named after that source, and for the automatic
/// sources a confidence.
#[Object]
impl CategoryReason {
    async fn source(&self) -> CategorySource {
        self.0.source().into()
    }

    /// One sentence for people.
    async fn summary(&self) -> String {
        self.0.summary()
    }

    /// For automatic sources (transfer, merchant list, crowd), how sure,
    /// 0–1; null for your own choices and for "nothing matched".
    async fn confidence(&self) -> Option<f64> {
        self.0.confidence()
    }

    /// RULE: the rule.
    async fn rule_id(&self) -> Option<ID> {
        match &self.0 {
            Reason::Rule { rule_id, .. } => Some(ids::encode(Kind::Rule, *rule_id)),
            _ => None,
        }
    }

    /// RULE: its name (null once it is deleted).
    async fn rule_name(&self) -> Option<&str> {
        match &self.0 {
            Reason::Rule { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    /// SELLER_MAP: the merchant list's key that matched the seller.
    async fn dictionary_key(&self) -> Option<&str> {
        match &self.0 {
            Reason::Dictionary { key, .. } => Some(key),
            _ => None,
        }
    }

    /// CROWD: votes for this category.
    async fn crowd_votes_for(&self) -> Option<i64> {
        match &self.0 {
            Reason::Crowd { votes_for, .. } => Some(*votes_for),
            _ => None,
        }
    }

    /// CROWD: everyone who voted on this seller.
    async fn crowd_voters(&self) -> Option<i64> {
        match &self.0 {
            Reason::Crowd { voters, .. } => Some(*voters),
            _ => None,
        }
    }

    /// TRANSFER: the pair.
    async fn transfer_id(&self) -> Option<ID> {
        match &self.0 {
            Reason::Transfer { transfer_id, .. } => Some(ids::encode(Kind::Transfer, *transfer_id)),
            _ => None,
        }
    }
}
