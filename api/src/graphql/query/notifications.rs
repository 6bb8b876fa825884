use async_graphql::{Context, Object, Result};

use crate::error::OrGql as _;
use crate::graphql::types::{
    Notification, NotificationConnection, NotificationEdge, PageInfo, decode_cursor, encode_cursor,
    page_size,
};
use crate::graphql::{identity, services};

#[derive(Default)]
pub struct NotificationsQuery;

#[Object]
impl NotificationsQuery {
    /// The caller's notifications, newest first.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 100) as usize * child_complexity")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        unread_only: Option<bool>,
    ) -> Result<NotificationConnection> {
        let me = identity(ctx)?.user_id;
        let size = page_size(first)?;
        let position = after.as_deref().map(decode_cursor).transpose()?;
        let mut rows = services(ctx)?
            .notifications
            .page(me, unread_only.unwrap_or(false), position, size + 1)
            .await
            .or_gql()?;
        let has_next_page = rows.len() as u64 > size;
        rows.truncate(size as usize);
        let edges: Vec<NotificationEdge> = rows
            .into_iter()
            .map(|n| NotificationEdge {
                cursor: encode_cursor(n.created_at, n.id),
                node: Notification(n),
            })
            .collect();
        Ok(NotificationConnection {
            page_info: PageInfo {
                has_next_page,
                has_previous_page: position.is_some(),
                start_cursor: edges.first().map(|e| e.cursor.clone()),
                end_cursor: edges.last().map(|e| e.cursor.clone()),
            },
            edges,
        })
    }
}
