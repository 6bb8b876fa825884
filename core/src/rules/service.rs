//! The rules service: a user's rules, their previews, applications and
//! undos, each followed by the spending follow-up it owes.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::application::{self, Application, Change};
use super::{Actions, Condition, Rule, RuleError, RuleSpec, store};
use crate::IdGenerator;
use crate::UserId;
use crate::categories::{Categorizer, Category, merchant_name};
use crate::clock::SharedClock;
use crate::spending::FollowUp;
use crate::transactions::Transaction;

#[derive(Debug, Clone)]
pub struct Rules {
    pub db: DatabaseConnection,
    pub categorizer: Categorizer,
    pub ids: Arc<IdGenerator>,
    pub clock: SharedClock,
    pub follow_up: FollowUp,
}

impl Rules {
    /// The user's rules, in the order they run.
    pub async fn list(&self, user: UserId) -> Result<Vec<Rule>, RuleError> {
        Ok(store::all(&self.db, user).await?)
    }

    pub async fn find(&self, user: UserId, id: i64) -> Result<Option<Rule>, RuleError> {
        Ok(store::find(&self.db, user, id).await?)
    }

    /// Stores a new rule, last in order; with `apply_to_existing`, applies
    /// it to the transactions already there too (undoable as one step).
    pub async fn create(
        &self,
        user: UserId,
        spec: RuleSpec,
        apply_to_existing: bool,
    ) -> Result<(Rule, Option<(Application, Vec<Change>)>), RuleError> {
        let spec = spec.validated()?;
        let rule = store::insert(&self.db, &self.ids, user, spec, self.clock.now()).await?;
        tracing::info!(user_id = %user, rule_id = rule.id, "rule created");
        let applied = if apply_to_existing {
            Some(self.apply_rule(user, &rule).await?)
        } else {
            None
        };
        Ok((rule, applied))
    }

    /// Replaces what a rule says. Transactions it already categorized keep
    /// their category (undo an application to revert them).
    pub async fn update(&self, user: UserId, id: i64, spec: RuleSpec) -> Result<Rule, RuleError> {
        let spec = spec.validated()?;
        store::update(&self.db, user, id, spec, self.clock.now()).await
    }

    /// Deletes a rule; what it categorized stays so.
    pub async fn delete(&self, user: UserId, id: i64) -> Result<(), RuleError> {
        if store::delete(&self.db, user, id).await? {
            tracing::info!(user_id = %user, rule_id = id, "rule deleted");
            Ok(())
        } else {
            Err(RuleError::NotFound)
        }
    }

    /// Puts the user's rules in this order (every one named once).
    pub async fn reorder(&self, user: UserId, order: &[i64]) -> Result<Vec<Rule>, RuleError> {
        store::reorder(&self.db, user, order, self.clock.now()).await?;
        self.list(user).await
    }

    /// What a rule would change if applied now: a dry run, nothing stored.
    pub async fn preview(&self, user: UserId, spec: RuleSpec) -> Result<Vec<Change>, RuleError> {
        let rule = Rule {
            id: 0,
            position: 0,
            spec: spec.validated()?,
        };
        Ok(application::preview(&self.db, self.categorizer.dictionary(), user, &rule).await?)
    }

    /// Applies a stored rule to the user's existing transactions.
    pub async fn apply(
        &self,
        user: UserId,
        id: i64,
    ) -> Result<(Application, Vec<Change>), RuleError> {
        let rule = self.find(user, id).await?.ok_or(RuleError::NotFound)?;
        self.apply_rule(user, &rule).await
    }

    async fn apply_rule(
        &self,
        user: UserId,
        rule: &Rule,
    ) -> Result<(Application, Vec<Change>), RuleError> {
        let now = self.clock.now();
        let dictionary = self.categorizer.dictionary();
        let applied = application::apply(&self.db, dictionary, &self.ids, user, rule, now).await?;
        crate::crash_point!("rules.applied");
        self.follow_up.settle(user).await?;
        tracing::info!(
            user_id = %user,
            rule_id = rule.id,
            application_id = applied.0.id,
            changed = applied.0.changed,
            "rule applied"
        );
        Ok(applied)
    }

    /// Undoes an application: every transaction it changed gets back its
    /// previous category and display name.
    pub async fn undo(&self, user: UserId, application_id: i64) -> Result<Application, RuleError> {
        let undone =
            application::undo(&self.db, &self.ids, user, application_id, self.clock.now()).await?;
        self.follow_up.settle(user).await?;
        tracing::info!(user_id = %user, application_id, "rule application undone");
        Ok(undone)
    }

    /// The rule's applications, newest first.
    pub async fn applications(
        &self,
        user: UserId,
        rule_id: i64,
    ) -> Result<Vec<Application>, RuleError> {
        Ok(application::of_rule(&self.db, user, rule_id).await?)
    }

    /// "Remember for this merchant": the user's rule that files the
    /// transaction's seller under `category` from now on — an existing
    /// remembered rule for the same seller is updated rather than doubled.
    /// It is listed with the user's other rules; it changes no existing
    /// transaction until applied.
    pub async fn remember(
        &self,
        user: UserId,
        transaction: &Transaction,
        category: Category,
    ) -> Result<Option<Rule>, RuleError> {
        if transaction.seller_key.is_empty() {
            return Ok(None);
        }
        let condition = Condition::SellerEquals {
            value: transaction.seller_key.clone(),
        };
        let merchant = merchant_name(
            transaction.display_name.as_deref(),
            &transaction.seller_key,
            self.categorizer.dictionary(),
        );
        let spec = RuleSpec {
            name: format!("{merchant}: {category}"),
            enabled: true,
            match_all: true,
            conditions: vec![condition.clone()],
            actions: Actions {
                category: Some(category),
                ..Actions::default()
            },
        };
        let existing = self.list(user).await?.into_iter().find(|r| {
            r.spec.conditions == [condition.clone()]
                && r.spec.actions.display_name.is_none()
                && !r.spec.actions.mark_transfer
        });
        let rule = match existing {
            Some(rule) => self.update(user, rule.id, spec).await?,
            None => self.create(user, spec, false).await?.0,
        };
        Ok(Some(rule))
    }
}
