//! A user's enabled rules in order, and the first that matches.

use super::{Facts, Rule};

/// The enabled rules of one user, lowest position first (ties by id):
/// the first that matches decides.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    pub fn new(mut rules: Vec<Rule>) -> Self {
        rules.retain(|r| r.spec.enabled);
        rules.sort_by_key(|r| (r.position, r.id));
        Self { rules }
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule whose conditions hold.
    pub fn first_match(&self, facts: &Facts<'_>) -> Option<&Rule> {
        self.rules.iter().find(|r| r.spec.matches(facts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categories::Category;
    use crate::money::Money;
    use crate::rules::{Actions, Condition, RuleSpec};

    fn rule(id: i64, position: i32, enabled: bool, value: &str, category: Category) -> Rule {
        Rule {
            id,
            position,
            spec: RuleSpec {
                name: format!("rule {id}"),
                enabled,
                match_all: true,
                conditions: vec![Condition::MerchantContains {
                    value: value.to_owned(),
                }],
                actions: Actions {
                    category: Some(category),
                    ..Actions::default()
                },
            },
        }
    }

    #[test]
    fn the_first_enabled_match_in_order_wins() {
        let facts = Facts {
            merchant: "Blue Bottle Coffee",
            seller_key: "BLUE BOTTLE",
            amount: Money::from_cents(500),
            account_id: 1,
        };
        let set = RuleSet::new(vec![
            rule(1, 3, true, "coffee", Category::Food),
            rule(2, 1, false, "blue", Category::Travel),
            rule(3, 2, true, "bottle", Category::Shopping),
            rule(4, 0, true, "tea", Category::Health),
        ]);
        assert_eq!(set.first_match(&facts).map(|r| r.id), Some(3));
        assert!(RuleSet::new(vec![]).first_match(&facts).is_none());
    }
}
