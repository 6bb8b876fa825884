use async_graphql::{Context, ID, Object, Result};
use moneta_core::ErrorCode;
use moneta_core::rules::RuleSpec;

use crate::error::{OrGql as _, coded};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::{Rule, RuleApplication, RuleChanges, RuleInput};
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct RulesQuery;

#[Object]
impl RulesQuery {
    /// Your standing category rules, in the order they run.
    async fn rules(&self, ctx: &Context<'_>) -> Result<Vec<Rule>> {
        let me = identity(ctx)?.user_id;
        let rules = services(ctx)?.rules.list(me).await.or_gql()?;
        Ok(rules.into_iter().map(Rule).collect())
    }

    /// What a rule would change among your existing transactions if it
    /// were applied now: a dry run that stores nothing. `applyRule` (or
    /// `createRule` with `applyToExisting`) then changes exactly these,
    /// unless new transactions arrive in between.
    async fn preview_rule(&self, ctx: &Context<'_>, rule: RuleInput) -> Result<RuleChanges> {
        let me = identity(ctx)?.user_id;
        let spec = RuleSpec::try_from(rule).or_gql()?;
        let changes = services(ctx)?.rules.preview(me, spec).await.or_gql()?;
        Ok(changes.into())
    }

    /// A rule's applications to existing transactions, newest first.
    async fn rule_applications(
        &self,
        ctx: &Context<'_>,
        rule_id: ID,
    ) -> Result<Vec<RuleApplication>> {
        let me = identity(ctx)?.user_id;
        let not_found = || coded(ErrorCode::NotFound, "rule not found");
        let id = ids::decode_as(Kind::Rule, &rule_id).ok_or_else(not_found)?;
        let rules = &services(ctx)?.rules;
        rules.find(me, id).await.or_gql()?.ok_or_else(not_found)?;
        let applications = rules.applications(me, id).await.or_gql()?;
        Ok(applications.into_iter().map(RuleApplication).collect())
    }
}
