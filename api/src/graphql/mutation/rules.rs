use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use moneta_core::ErrorCode;
use moneta_core::rules::{RuleError, RuleSpec};

use crate::error::{OrGql as _, coded, user_errors};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Rule, RuleApplication, RuleChanges, RuleInput, UserError};
use crate::graphql::{identity, services};

/// A new rule, and whether to apply it to existing transactions too.
#[derive(InputObject)]
pub struct CreateRuleInput {
    pub rule: RuleInput,
    /// Also apply it to the transactions already there (undoable as one
    /// step); otherwise it applies to new transactions only.
    #[graphql(default = false)]
    pub apply_to_existing: bool,
}

/// A rule of yours and what it should say now.
#[derive(InputObject)]
pub struct UpdateRuleInput {
    pub rule_id: ID,
    pub rule: RuleInput,
}

/// One rule of yours.
#[derive(InputObject)]
pub struct RuleIdInput {
    pub rule_id: ID,
}

/// The new order of your rules.
#[derive(InputObject)]
pub struct ReorderRulesInput {
    /// Every one of your rules, once each, in the new order.
    pub rule_ids: Vec<ID>,
}

/// An application of one of your rules.
#[derive(InputObject)]
pub struct UndoRuleApplicationInput {
    pub application_id: ID,
}

/// The rule as stored, what applying it changed, or why it was refused.
#[derive(SimpleObject)]
pub struct RulePayload {
    pub rule: Option<Rule>,
    /// When the rule was applied to existing transactions.
    pub application: Option<RuleApplication>,
    /// What that application changed.
    pub changes: Option<RuleChanges>,
    pub user_errors: Vec<UserError>,
}

/// The rule that is gone.
#[derive(SimpleObject)]
pub struct DeleteRulePayload {
    pub deleted_rule_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}

/// Your rules in their new order, or why the order was refused.
#[derive(SimpleObject)]
pub struct ReorderRulesPayload {
    pub rules: Option<Vec<Rule>>,
    pub user_errors: Vec<UserError>,
}

/// The application, now undone.
#[derive(SimpleObject)]
pub struct UndoRuleApplicationPayload {
    pub application: Option<RuleApplication>,
    pub user_errors: Vec<UserError>,
}

fn rule_id(id: &ID) -> Result<i64> {
    ids::decode_as(Kind::Rule, id).ok_or_else(rule_not_found)
}

fn rule_not_found() -> async_graphql::Error {
    coded(ErrorCode::NotFound, "rule not found")
}

/// A rule's payload, or its user errors (a missing rule is NOT_FOUND).
fn payload(result: std::result::Result<RulePayload, RuleError>) -> Result<RulePayload> {
    match result {
        Ok(payload) => Ok(payload),
        Err(err @ RuleError::Invalid { .. }) => Ok(RulePayload {
            rule: None,
            application: None,
            changes: None,
            user_errors: user_errors(err)?,
        }),
        Err(err) => Err(err).or_gql(),
    }
}

#[derive(Default)]
pub struct RuleMutation;

#[Object]
impl RuleMutation {
    /// Adds a rule, last in order. See `Rule` for how rules run.
    async fn create_rule(&self, ctx: &Context<'_>, input: CreateRuleInput) -> Result<RulePayload> {
        let me = identity(ctx)?.user_id;
        let rules = &services(ctx)?.rules;
        payload(
            async {
                let spec = RuleSpec::try_from(input.rule)?;
                let (rule, applied) = rules.create(me, spec, input.apply_to_existing).await?;
                let (application, changes) = applied
                    .map(|(a, c)| (RuleApplication(a), RuleChanges::from(c)))
                    .unzip();
                Ok(RulePayload {
                    rule: Some(Rule(rule)),
                    application,
                    changes,
                    user_errors: Vec::new(),
                })
            }
            .await,
        )
    }

    /// Replaces what a rule says (its position stays). What it already
    /// categorized keeps its category.
    async fn update_rule(&self, ctx: &Context<'_>, input: UpdateRuleInput) -> Result<RulePayload> {
        let me = identity(ctx)?.user_id;
        let id = rule_id(&input.rule_id)?;
        let rules = &services(ctx)?.rules;
        payload(
            async {
                let spec = RuleSpec::try_from(input.rule)?;
                Ok(RulePayload {
                    rule: Some(Rule(rules.update(me, id, spec).await?)),
                    application: None,
                    changes: None,
                    user_errors: Vec::new(),
                })
            }
            .await,
        )
    }

    /// Deletes a rule. What it already categorized keeps its category.
    async fn delete_rule(
        &self,
        ctx: &Context<'_>,
        input: RuleIdInput,
    ) -> Result<DeleteRulePayload> {
        let me = identity(ctx)?.user_id;
        let id = rule_id(&input.rule_id)?;
        services(ctx)?.rules.delete(me, id).await.or_gql()?;
        Ok(DeleteRulePayload {
            deleted_rule_id: Some(input.rule_id),
            user_errors: Vec::new(),
        })
    }

    /// Puts your rules in a new order: the first that matches decides.
    async fn reorder_rules(
        &self,
        ctx: &Context<'_>,
        input: ReorderRulesInput,
    ) -> Result<ReorderRulesPayload> {
        let me = identity(ctx)?.user_id;
        let order = input
            .rule_ids
            .iter()
            .map(rule_id)
            .collect::<Result<Vec<_>>>()?;
        match services(ctx)?.rules.reorder(me, &order).await {
            Ok(rules) => Ok(ReorderRulesPayload {
                rules: Some(rules.into_iter().map(Rule).collect()),
                user_errors: Vec::new(),
            }),
            Err(err) => Ok(ReorderRulesPayload {
                rules: None,
                user_errors: user_errors(err)?,
            }),
        }
    }

    /// Applies a rule to your existing transactions — exactly what
    /// `previewRule` lists — as one step `undoRuleApplication` reverts.
    async fn apply_rule(&self, ctx: &Context<'_>, input: RuleIdInput) -> Result<RulePayload> {
        let me = identity(ctx)?.user_id;
        let id = rule_id(&input.rule_id)?;
        let rules = &services(ctx)?.rules;
        payload(
            async {
                let (application, changes) = rules.apply(me, id).await?;
                Ok(RulePayload {
                    rule: rules.find(me, id).await?.map(Rule),
                    application: Some(RuleApplication(application)),
                    changes: Some(changes.into()),
                    user_errors: Vec::new(),
                })
            }
            .await,
        )
    }

    /// Undoes an application: every transaction it changed gets back its
    /// previous category and merchant name, and spending follows.
    async fn undo_rule_application(
        &self,
        ctx: &Context<'_>,
        input: UndoRuleApplicationInput,
    ) -> Result<UndoRuleApplicationPayload> {
        let me = identity(ctx)?.user_id;
        let not_found = || {
            coded(
                ErrorCode::NotFound,
                "rule application not found or already undone",
            )
        };
        let id =
            ids::decode_as(Kind::RuleApplication, &input.application_id).ok_or_else(not_found)?;
        let application = services(ctx)?.rules.undo(me, id).await.or_gql()?;
        Ok(UndoRuleApplicationPayload {
            application: Some(RuleApplication(application)),
            user_errors: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_foreign_id_is_not_a_rule_id() {
        let id = super::ids::encode(super::Kind::Transaction, 1);
        assert!(super::rule_id(&id).is_err());
    }
}
