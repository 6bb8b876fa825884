//! A standing rule: when its conditions hold, its actions apply.

use serde::{Deserialize, Serialize};

use super::RuleError;
use crate::categories::{Category, normalize};
use crate::money::Money;
use crate::text::refuse_control;

/// Most conditions a rule may have.
pub const MAX_CONDITIONS: usize = 20;
/// Longest rule name, display name or condition text, in characters.
pub const MAX_TEXT: usize = 128;

/// Which way the money went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Money spent (a positive amount).
    Outflow,
    /// Money received (a negative amount).
    Inflow,
}

/// One test of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// The merchant's name equals this, ignoring case.
    MerchantEquals {
        value: String,
    },
    /// The merchant's name contains this, ignoring case.
    MerchantContains {
        value: String,
    },
    /// The normalized seller equals this (normalized the same way).
    SellerEquals {
        value: String,
    },
    /// The normalized seller contains this (normalized).
    SellerContains {
        value: String,
    },
    /// The amount's size (ignoring direction) lies in `[min, max]`.
    AmountBetween {
        min: Option<Money>,
        max: Option<Money>,
    },
    /// On this account of the user.
    Account {
        account_id: i64,
    },
    Direction {
        direction: Direction,
    },
}

/// What a rule does to a transaction it matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    pub category: Option<Category>,
    pub display_name: Option<String>,
    /// Counts it as a transfer (category TRANSFER), out of spending.
    pub mark_transfer: bool,
}

impl Actions {
    /// The category the rule sets, if any: TRANSFER when it marks one.
    pub fn category(&self) -> Option<Category> {
        if self.mark_transfer {
            Some(Category::Transfer)
        } else {
            self.category
        }
    }
}

/// A rule as the user writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub name: String,
    pub enabled: bool,
    /// True: all conditions must hold; false: any one.
    pub match_all: bool,
    pub conditions: Vec<Condition>,
    pub actions: Actions,
}

/// A stored rule of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: i64,
    /// Lower runs first.
    pub position: i32,
    pub spec: RuleSpec,
}

/// What a rule is tested against.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The merchant's name (`categories::merchant_name`, before any rule).
    pub merchant: &'a str,
    pub seller_key: &'a str,
    pub amount: Money,
    pub account_id: i64,
}

impl Condition {
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        match self {
            Self::MerchantEquals { value } => facts.merchant.eq_ignore_ascii_case(value),
            Self::MerchantContains { value } => contains_ignoring_case(facts.merchant, value),
            Self::SellerEquals { value } => facts.seller_key == value,
            Self::SellerContains { value } => facts.seller_key.contains(value.as_str()),
            Self::AmountBetween { min, max } => {
                let size = facts.amount.abs();
                min.is_none_or(|min| size >= min) && max.is_none_or(|max| size <= max)
            }
            Self::Account { account_id } => facts.account_id == *account_id,
            Self::Direction { direction } => match direction {
                Direction::Outflow => facts.amount > Money::ZERO,
                Direction::Inflow => facts.amount < Money::ZERO,
            },
        }
    }

    /// The condition as stored: seller texts normalized, merchant texts
    /// trimmed; refused when empty, too long or carrying control
    /// characters.
    fn cleaned(self) -> Result<Self, RuleError> {
        let text = |value: String| -> Result<String, RuleError> {
            let value = value.trim().to_owned();
            if value.is_empty() || value.chars().count() > MAX_TEXT {
                return Err(RuleError::invalid(
                    "conditions",
                    format!("a condition's text must have 1 to {MAX_TEXT} characters"),
                ));
            }
            refuse_control(&value)
                .map_err(|_| RuleError::invalid("conditions", "control characters"))?;
            Ok(value)
        };
        let seller = |value: String| -> Result<String, RuleError> {
            let key = normalize(&text(value)?);
            if key.is_empty() {
                return Err(RuleError::invalid(
                    "conditions",
                    "a seller condition needs letters or digits",
                ));
            }
            Ok(key)
        };
        Ok(match self {
            Self::MerchantEquals { value } => Self::MerchantEquals {
                value: text(value)?,
            },
            Self::MerchantContains { value } => Self::MerchantContains {
                value: text(value)?,
            },
            Self::SellerEquals { value } => Self::SellerEquals {
                value: seller(value)?,
            },
            Self::SellerContains { value } => Self::SellerContains {
                value: seller(value)?,
            },
            Self::AmountBetween { min, max } => {
                let negative = |m: Option<Money>| m.is_some_and(|m| m < Money::ZERO);
                if negative(min) || negative(max) || min.zip(max).is_some_and(|(a, b)| a > b) {
                    return Err(RuleError::invalid(
                        "conditions",
                        "an amount range needs 0 ≤ min ≤ max (sizes, direction apart)",
                    ));
                }
                if min.is_none() && max.is_none() {
                    return Err(RuleError::invalid(
                        "conditions",
                        "an amount range needs a min or a max",
                    ));
                }
                Self::AmountBetween { min, max }
            }
            other @ (Self::Account { .. } | Self::Direction { .. }) => other,
        })
    }
}

/// Whether `haystack` contains `needle`, ASCII case ignored, without
/// allocating (the hot path of a sync page's rules stage).
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

impl RuleSpec {
    /// Whether the rule matches: all or any of its conditions hold.
    pub fn matches(&self, facts: &Facts<'_>) -> bool {
        if self.match_all {
            self.conditions.iter().all(|c| c.holds(facts))
        } else {
            self.conditions.iter().any(|c| c.holds(facts))
        }
    }

    /// The rule as it may be stored, or why not.
    pub fn validated(self) -> Result<Self, RuleError> {
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_TEXT {
            return Err(RuleError::invalid(
                "name",
                format!("a rule's name must have 1 to {MAX_TEXT} characters"),
            ));
        }
        refuse_control(&name).map_err(|_| RuleError::invalid("name", "control characters"))?;
        if self.conditions.is_empty() || self.conditions.len() > MAX_CONDITIONS {
            return Err(RuleError::invalid(
                "conditions",
                format!("a rule needs 1 to {MAX_CONDITIONS} conditions"),
            ));
        }
        let conditions = self
            .conditions
            .into_iter()
            .map(Condition::cleaned)
            .collect::<Result<Vec<_>, _>>()?;
        let mut actions = self.actions;
        if let Some(display) = actions.display_name.take() {
            let display = display.trim().to_owned();
            if display.is_empty() || display.chars().count() > MAX_TEXT {
                return Err(RuleError::invalid(
                    "actions",
                    format!("a display name must have 1 to {MAX_TEXT} characters"),
                ));
            }
            refuse_control(&display)
                .map_err(|_| RuleError::invalid("actions", "control characters"))?;
            actions.display_name = Some(display);
        }
        if actions.mark_transfer && actions.category.is_some_and(|c| c != Category::Transfer) {
            return Err(RuleError::invalid(
                "actions",
                "a rule marks a transfer or sets a category, not both",
            ));
        }
        if actions.category().is_none() && actions.display_name.is_none() {
            return Err(RuleError::invalid(
                "actions",
                "a rule needs an action: a category, a display name or marking a transfer",
            ));
        }
        Ok(Self {
            name,
            enabled: self.enabled,
            match_all: self.match_all,
            conditions,
            actions,
        })
    }
}

/// The conditions as stored (JSON).
pub fn encode_conditions(conditions: &[Condition]) -> String {
    serde_json::to_string(conditions).unwrap_or_else(|_| "[]".to_owned())
}

pub fn decode_conditions(text: &str) -> Result<Vec<Condition>, crate::InternalError> {
    serde_json::from_str(text)
        .map_err(|e| crate::InternalError::Corrupt(format!("rule conditions: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(amount: i64) -> Facts<'static> {
        Facts {
            merchant: "Blue Bottle Coffee",
            seller_key: "BLUE BOTTLE",
            amount: Money::from_cents(amount),
            account_id: 7,
        }
    }

    fn spec(match_all: bool, conditions: Vec<Condition>) -> RuleSpec {
        RuleSpec {
            name: "coffee".to_owned(),
            enabled: true,
            match_all,
            conditions,
            actions: Actions {
                category: Some(Category::Entertainment),
                ..Actions::default()
            },
        }
    }

    fn merchant(value: &str) -> Condition {
        Condition::MerchantContains {
            value: value.to_owned(),
        }
    }

    #[test]
    fn conditions_combine_with_all_or_any() {
        let big = Condition::AmountBetween {
            min: Some(Money::from_cents(10_000)),
            max: None,
        };
        assert!(!spec(true, vec![merchant("bottle"), big.clone()]).matches(&facts(450)));
        assert!(spec(false, vec![merchant("bottle"), big.clone()]).matches(&facts(450)));
        assert!(spec(true, vec![merchant("BOTTLE"), big]).matches(&facts(-12_000)));
    }

    #[test]
    fn direction_account_and_seller_conditions() {
        let out = Condition::Direction {
            direction: Direction::Outflow,
        };
        assert!(out.holds(&facts(1)));
        assert!(!out.holds(&facts(-1)));
        assert!(Condition::Account { account_id: 7 }.holds(&facts(1)));
        assert!(!Condition::Account { account_id: 8 }.holds(&facts(1)));
        let seller = spec(
            true,
            vec![Condition::SellerEquals {
                value: "sq *blue bottle 0423".to_owned(),
            }],
        )
        .validated()
        .unwrap();
        assert!(seller.matches(&facts(1)), "{seller:?}");
    }

    #[test]
    fn invalid_rules_are_refused_with_the_field() {
        let field = |s: RuleSpec| match s.validated() {
            Err(RuleError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(spec(true, vec![])), "conditions");
        assert_eq!(field(spec(true, vec![merchant("  ")])), "conditions");
        let mut unnamed = spec(true, vec![merchant("x")]);
        unnamed.name = " ".to_owned();
        assert_eq!(field(unnamed), "name");
        let mut idle = spec(true, vec![merchant("x")]);
        idle.actions = Actions::default();
        assert_eq!(field(idle), "actions");
        let backwards = Condition::AmountBetween {
            min: Some(Money::from_cents(5)),
            max: Some(Money::from_cents(1)),
        };
        assert_eq!(field(spec(true, vec![backwards])), "conditions");
    }

    #[test]
    fn conditions_round_trip_through_their_stored_form() {
        let conditions = vec![
            merchant("x"),
            Condition::AmountBetween {
                min: None,
                max: Some(Money::from_cents(99)),
            },
            Condition::Direction {
                direction: Direction::Inflow,
            },
        ];
        let text = encode_conditions(&conditions);
        assert_eq!(decode_conditions(&text).unwrap(), conditions);
    }
}
