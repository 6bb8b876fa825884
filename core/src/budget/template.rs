//! The budget template: shares of the monthly income per spending
//! category, by income tier.
//!
//! The shares follow the 50/30/20 rule of thumb adjusted by income: the
//! less someone earns, the larger the part that housing and food take
//! (they do not shrink with income) and the smaller what is left for
//! discretionary spending and savings. Each tier leaves the remainder
//! unallocated, as savings.

use crate::categories::Category;
use crate::money::Money;

/// Income tiers, by monthly income.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Below $3,000 a month: essentials first; 10 % left to save.
    Essential,
    /// $3,000 to $8,000: the middle; 17 % left to save.
    Balanced,
    /// Above $8,000: more room for discretionary spending; 24 % to save.
    Comfortable,
}

const ESSENTIAL_BELOW_CENTS: i64 = 300_000;
const COMFORTABLE_FROM_CENTS: i64 = 800_000;

pub fn tier_for(monthly_income_cents: i64) -> Tier {
    if monthly_income_cents < ESSENTIAL_BELOW_CENTS {
        Tier::Essential
    } else if monthly_income_cents < COMFORTABLE_FROM_CENTS {
        Tier::Balanced
    } else {
        Tier::Comfortable
    }
}

/// The share of income, in basis points (1/100 of a percent).
fn share_bps(tier: Tier, category: Category) -> i64 {
    use Category::*;
    match (tier, category) {
        (Tier::Essential, Housing) => 3_500,
        (Tier::Essential, Food) => 1_500,
        (Tier::Essential, Gas) => 500,
        (Tier::Essential, Shopping) => 500,
        (Tier::Essential, Utilities) => 800,
        (Tier::Essential, Transportation) => 800,
        (Tier::Essential, Health) => 600,
        (Tier::Essential, Entertainment) => 300,
        (Tier::Essential, Travel) => 200,
        (Tier::Essential, PersonalCare) => 300,
        (Tier::Balanced, Housing) => 3_000,
        (Tier::Balanced, Food) => 1_200,
        (Tier::Balanced, Gas) => 400,
        (Tier::Balanced, Shopping) => 700,
        (Tier::Balanced, Utilities) => 600,
        (Tier::Balanced, Transportation) => 700,
        (Tier::Balanced, Health) => 500,
        (Tier::Balanced, Entertainment) => 500,
        (Tier::Balanced, Travel) => 400,
        (Tier::Balanced, PersonalCare) => 300,
        (Tier::Comfortable, Housing) => 2_500,
        (Tier::Comfortable, Food) => 1_000,
        (Tier::Comfortable, Gas) => 300,
        (Tier::Comfortable, Shopping) => 800,
        (Tier::Comfortable, Utilities) => 400,
        (Tier::Comfortable, Transportation) => 600,
        (Tier::Comfortable, Health) => 500,
        (Tier::Comfortable, Entertainment) => 600,
        (Tier::Comfortable, Travel) => 600,
        (Tier::Comfortable, PersonalCare) => 300,
        // Income, transfers and the uncategorized are never budgeted.
        (_, Income | Transfer | Uncategorized) => 0,
    }
}

/// The template's budget for `category` at this income (rounded down to
/// the cent, so the categories never add up to more than the income).
pub fn template_amount(monthly_income: Money, category: Category) -> Money {
    let income = monthly_income.max(Money::ZERO);
    income.scaled(share_bps(tier_for(income.cents()), category), 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_cents(income: i64, category: Category) -> i64 {
        template_amount(Money::from_cents(income), category).cents()
    }

    #[test]
    fn tiers_by_income() {
        for (income, tier) in [
            (0, Tier::Essential),
            (299_999, Tier::Essential),
            (300_000, Tier::Balanced),
            (799_999, Tier::Balanced),
            (800_000, Tier::Comfortable),
            (5_000_000, Tier::Comfortable),
        ] {
            assert_eq!(tier_for(income), tier, "{income}");
        }
    }

    /// Incomes → per-category amounts, as a table.
    #[test]
    fn template_table() {
        use Category::*;
        let cases: &[(i64, [i64; 10])] = &[
            // income  HOUSING  FOOD  GAS  SHOP  UTIL  TRANS HEALTH ENT TRAVEL PC
            (
                200_000,
                [
                    70_000, 30_000, 10_000, 10_000, 16_000, 16_000, 12_000, 6_000, 4_000, 6_000,
                ],
            ),
            (
                500_000,
                [
                    150_000, 60_000, 20_000, 35_000, 30_000, 35_000, 25_000, 25_000, 20_000, 15_000,
                ],
            ),
            (
                1_000_000,
                [
                    250_000, 100_000, 30_000, 80_000, 40_000, 60_000, 50_000, 60_000, 60_000,
                    30_000,
                ],
            ),
            (
                333_333,
                [
                    99_999, 39_999, 13_333, 23_333, 19_999, 23_333, 16_666, 16_666, 13_333, 9_999,
                ],
            ),
        ];
        for (income, expected) in cases {
            let got: Vec<i64> = Category::SPENDING
                .iter()
                .map(|c| template_cents(*income, *c))
                .collect();
            assert_eq!(got, expected, "income {income}");
            assert!(got.iter().sum::<i64>() <= *income);
        }
        assert_eq!(template_cents(500_000, Income), 0);
        assert_eq!(template_cents(500_000, Transfer), 0);
    }

    #[test]
    fn lower_incomes_put_a_larger_share_on_housing_and_food() {
        for category in [Category::Housing, Category::Food] {
            let share = |income: i64| template_cents(income, category) as f64 / income as f64;
            assert!(share(200_000) > share(500_000));
            assert!(share(500_000) > share(1_000_000));
        }
    }

    #[test]
    fn every_tier_saves_something() {
        for income in [100_000, 500_000, 2_000_000] {
            let total: i64 = Category::SPENDING
                .iter()
                .map(|c| template_cents(income, *c))
                .sum();
            assert!(total < income);
        }
    }
}
