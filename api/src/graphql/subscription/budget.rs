use async_graphql::{Context, Result, Subscription};
use futures_util::{Stream, StreamExt as _};
use moneta_core::ports::UserEvent;

use crate::error::OrGql as _;
use crate::graphql::types::{BudgetAlert, Month, Notification};
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct BudgetSubscription;

#[Subscription]
impl BudgetSubscription {
    /// Fires once per (category, month, level) when spending reaches 80 %
    /// of the budget (APPROACHING) and again above 100 % (EXCEEDED).
    async fn budget_alerts(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = BudgetAlert>> {
        let me = identity(ctx)?.user_id;
        let services = services(ctx)?.clone();
        let events = services.events.subscribe(me).await.or_gql()?;
        Ok(events.filter_map(move |event| {
            let notifications = services.notifications.clone();
            async move {
                let UserEvent::BudgetAlert {
                    notification_id,
                    category,
                    month,
                    budgeted,
                    spent,
                    notice,
                } = event
                else {
                    return None;
                };
                // The event carries its notification; one from an older
                // replica only names it.
                let notification = match notice {
                    Some(notice) => notice.into_notification(me, notification_id, category, month),
                    None => notifications.find(me, notification_id).await.ok()??,
                };
                Some(BudgetAlert {
                    notification: Notification(notification),
                    category: category.into(),
                    month: Month(month),
                    budgeted: budgeted.to_decimal(),
                    spent: spent.to_decimal(),
                })
            }
        }))
    }
}
