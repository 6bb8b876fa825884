//! Standing category rules: what they test, what they do, their previews
//! and their (undoable) applications.

use async_graphql::{Enum, ID, InputObject, Object, OneofObject, SimpleObject};
use chrono::{DateTime, Utc};
use moneta_core::money::Money;
use moneta_core::rules as core;
use rust_decimal::Decimal;

use super::{Category, Transaction};
use crate::graphql::ids::{self, Kind};

/// How a rule's conditions combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RuleMatch {
    /// Every condition must hold.
    All,
    /// Any one condition is enough.
    Any,
}

/// Which way the money went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "core::Direction")]
pub enum Direction {
    /// Money spent (a positive amount).
    Outflow,
    /// Money received (a negative amount).
    Inflow,
}

/// What a condition tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RuleConditionKind {
    /// The merchant's name (`Transaction.merchant.name`) equals `text`, ignoring case.
    MerchantEquals,
    /// The merchant's name contains `text`, ignoring case.
    MerchantContains,
    /// The normalized seller equals `text` (normalized the same way).
    SellerEquals,
    /// The normalized seller contains `text` (normalized).
    SellerContains,
    /// The amount's size, direction apart, lies in `[min, max]`.
    AmountBetween,
    /// On `account`.
    Account,
    /// Money going `direction`.
    Direction,
}

/// An amount range; either end may be left open. Sizes, direction apart.
#[derive(Debug, InputObject)]
pub struct AmountRangeInput {
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
}

/// One condition: exactly one of these fields.
#[derive(Debug, OneofObject)]
pub enum RuleConditionInput {
    MerchantEquals(String),
    MerchantContains(String),
    SellerEquals(String),
    SellerContains(String),
    AmountBetween(AmountRangeInput),
    AccountId(ID),
    Direction(Direction),
}

/// A rule as written: conditions combined by `match`, and at least one
/// action (`setCategory`, `setDisplayName`, `markTransfer`).
#[derive(Debug, InputObject)]
pub struct RuleInput {
    /// 1 to 128 characters.
    pub name: String,
    /// A disabled rule is kept but never runs.
    #[graphql(default = true)]
    pub enabled: bool,
    #[graphql(name = "match", default_with = "RuleMatch::All")]
    pub match_mode: RuleMatch,
    /// 1 to 20.
    pub conditions: Vec<RuleConditionInput>,
    /// The category to file matches under.
    pub set_category: Option<Category>,
    /// The merchant's name to show instead.
    pub set_display_name: Option<String>,
    /// Counts matching transactions as transfers (category TRANSFER).
    #[graphql(default = false)]
    pub mark_transfer: bool,
}

/// An amount as a rule stores it: cents; more precision, a negative size
/// or an unknown account is refused by the rule's validation.
fn cents(amount: Option<Decimal>) -> Result<Option<Money>, core::RuleError> {
    amount
        .map(|a| {
            let scaled = a * Decimal::ONE_HUNDRED;
            if scaled.fract() != Decimal::ZERO {
                return Err(invalid_amount());
            }
            i64::try_from(scaled)
                .map(Money::from_cents)
                .map_err(|_| invalid_amount())
        })
        .transpose()
}

fn invalid_amount() -> core::RuleError {
    core::RuleError::Invalid {
        field: "conditions",
        message: "an amount has at most two fraction digits".to_owned(),
    }
}

impl TryFrom<RuleInput> for core::RuleSpec {
    type Error = core::RuleError;

    fn try_from(input: RuleInput) -> Result<Self, Self::Error> {
        let conditions = input
            .conditions
            .into_iter()
            .map(|c| {
                Ok(match c {
                    RuleConditionInput::MerchantEquals(value) => {
                        core::Condition::MerchantEquals { value }
                    }
                    RuleConditionInput::MerchantContains(value) => {
                        core::Condition::MerchantContains { value }
                    }
                    RuleConditionInput::SellerEquals(value) => {
                        core::Condition::SellerEquals { value }
                    }
                    RuleConditionInput::SellerContains(value) => {
                        core::Condition::SellerContains { value }
                    }
                    RuleConditionInput::AmountBetween(range) => core::Condition::AmountBetween {
                        min: cents(range.min)?,
                        max: cents(range.max)?,
                    },
                    RuleConditionInput::AccountId(id) => core::Condition::Account {
                        account_id: ids::decode_as(Kind::Account, &id).ok_or_else(|| {
                            core::RuleError::Invalid {
                                field: "conditions",
                                message: "no such account".to_owned(),
                            }
                        })?,
                    },
                    RuleConditionInput::Direction(direction) => core::Condition::Direction {
                        direction: direction.into(),
                    },
                })
            })
            .collect::<Result<Vec<_>, core::RuleError>>()?;
        Ok(Self {
            name: input.name,
            enabled: input.enabled,
            match_all: input.match_mode == RuleMatch::All,
            conditions,
            actions: core::Actions {
                category: input.set_category.map(Into::into),
                display_name: input.set_display_name,
                mark_transfer: input.mark_transfer,
            },
        })
    }
}

/// One condition of a stored rule.
#[derive(SimpleObject)]
pub struct RuleCondition {
    pub kind: RuleConditionKind,
    /// For the merchant and seller kinds (seller texts as normalized).
    pub text: Option<String>,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    pub account_id: Option<ID>,
    pub direction: Option<Direction>,
}

impl From<&core::Condition> for RuleCondition {
    fn from(c: &core::Condition) -> Self {
        let mut out = Self {
            kind: RuleConditionKind::MerchantEquals,
            text: None,
            min: None,
            max: None,
            account_id: None,
            direction: None,
        };
        match c {
            core::Condition::MerchantEquals { value } => out.text = Some(value.clone()),
            core::Condition::MerchantContains { value } => {
                out.kind = RuleConditionKind::MerchantContains;
                out.text = Some(value.clone());
            }
            core::Condition::SellerEquals { value } => {
                out.kind = RuleConditionKind::SellerEquals;
                out.text = Some(value.clone());
            }
            core::Condition::SellerContains { value } => {
                out.kind = RuleConditionKind::SellerContains;
                out.text = Some(value.clone());
            }
            core::Condition::AmountBetween { min, max } => {
                out.kind = RuleConditionKind::AmountBetween;
                out.min = min.map(Money::to_decimal);
                out.max = max.map(Money::to_decimal);
            }
            core::Condition::Account { account_id } => {
                out.kind = RuleConditionKind::Account;
                out.account_id = Some(ids::encode(Kind::Account, *account_id));
            }
            core::Condition::Direction { direction } => {
                out.kind = RuleConditionKind::Direction;
                out.direction = Some((*direction).into());
            }
        }
        out
    }
}

/// A standing rule of yours. Rules run on new transactions as they
/// arrive, in `position` order — the first enabled rule that matches
/// decides — and on existing ones only when applied (`applyRule`, or
/// `createRule` with `applyToExisting`). Precedence: your override of one
/// transaction > your rule > Moneta's merchant list > the crowd. Editing,
/// disabling or deleting a rule changes no transaction it already
/// categorized: undo its application for that.
pub struct Rule(pub core::Rule);

/// A standing rule of yours: when its conditions hold (all or any), its
/// actions apply. Rules run on new transactions as they arrive, first
/// enabled match in `position` order; existing ones change only when a
/// rule is applied (undoable). Precedence: your override > your rule >
/// Moneta's merchant list > the crowd.
#[Object]
impl Rule {
    async fn id(&self) -> ID {
        ids::encode(Kind::Rule, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.spec.name
    }

    /// Lower runs first.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn enabled(&self) -> bool {
        self.0.spec.enabled
    }

    #[graphql(name = "match")]
    async fn match_mode(&self) -> RuleMatch {
        if self.0.spec.match_all {
            RuleMatch::All
        } else {
            RuleMatch::Any
        }
    }

    async fn conditions(&self) -> Vec<RuleCondition> {
        self.0.spec.conditions.iter().map(Into::into).collect()
    }

    async fn set_category(&self) -> Option<Category> {
        self.0.spec.actions.category.map(Into::into)
    }

    async fn set_display_name(&self) -> Option<&str> {
        self.0.spec.actions.display_name.as_deref()
    }

    async fn mark_transfer(&self) -> bool {
        self.0.spec.actions.mark_transfer
    }
}

/// A rule applied to your existing transactions; undo it as one step
/// with `undoRuleApplication`.
pub struct RuleApplication(pub core::Application);

/// A rule applied to your existing transactions, once; undone as one step
/// by `undoRuleApplication`.
#[Object]
impl RuleApplication {
    async fn id(&self) -> ID {
        ids::encode(Kind::RuleApplication, self.0.id)
    }

    async fn rule_id(&self) -> ID {
        ids::encode(Kind::Rule, self.0.rule_id)
    }

    /// How many transactions it changed.
    async fn changed_count(&self) -> i32 {
        i32::try_from(self.0.changed).unwrap_or(i32::MAX)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Set once undone.
    async fn undone_at(&self) -> Option<DateTime<Utc>> {
        self.0.undone_at
    }
}

/// How a rule would change, or changed, one transaction.
pub struct RuleChange(pub core::Change);

/// How a rule changes one transaction: its computed category and its
/// merchant's display name, before and after.
#[Object]
impl RuleChange {
    /// As it is before the change.
    async fn transaction(&self) -> Transaction {
        Transaction(self.0.transaction.clone())
    }

    async fn from_category(&self) -> Category {
        self.0.transaction.computed_category.into()
    }

    async fn to_category(&self) -> Category {
        self.0.category.into()
    }

    async fn from_display_name(&self) -> Option<&str> {
        self.0.transaction.display_name.as_deref()
    }

    async fn to_display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }
}

/// Most changes a preview or application lists (`count` has them all).
pub const LISTED_CHANGES: usize = 200;

/// What a rule would change (a dry run) or changed.
#[derive(SimpleObject)]
pub struct RuleChanges {
    /// How many transactions.
    pub count: i32,
    /// The first of them, newest first, at most 200.
    pub changes: Vec<RuleChange>,
}

impl From<Vec<core::Change>> for RuleChanges {
    fn from(all: Vec<core::Change>) -> Self {
        Self {
            count: i32::try_from(all.len()).unwrap_or(i32::MAX),
            changes: all
                .into_iter()
                .take(LISTED_CHANGES)
                .map(RuleChange)
                .collect(),
        }
    }
}
