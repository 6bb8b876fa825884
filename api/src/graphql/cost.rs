//! Cost-based limits: every operation is charged its complexity (the
//! measure the schema's complexity limit uses: a field costs 1, a
//! connection `first` × one node) to its caller's leaky bucket in Redis
//! (`rate_limiter.charge`: shared by every replica), before anything
//! runs. An operation that does not fit is refused with THROTTLED and a
//! `retryAfter`; every response says what it cost:
//! `extensions.cost { requested, actual, remaining }` — `requested` the
//! charge, `actual` the same measure counted on what came back (a
//! connection by the edges it returned), `remaining` the points left.
//! The charge is the request's bound, as GitHub charges; nothing is
//! refunded, so a script cannot ask for the most and pay for the least.
//!
//! The caller is the signed-in user, else the client's address; a request
//! with neither (a test's in-process call) is not metered.

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Response, ServerError, ValidationResult, Value};
use moneta_core::auth::Identity;
use moneta_core::ports::{Bucket, Charge, RateLimiter};

use super::admission::operation;
use super::validation::ValidationKey;
use crate::error::throttled;
use crate::state::{ClientIp, Services};

/// Installs [`Metered`] on a schema.
pub struct Costs(pub Bucket);

impl ExtensionFactory for Costs {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Metered {
            bucket: self.0,
            charged: Mutex::new(None),
        })
    }
}

/// One request's meter.
struct Metered {
    bucket: Bucket,
    charged: Mutex<Option<Charged>>,
}

/// What a request was charged, and what to count its actual cost on.
struct Charged {
    requested: u32,
    remaining: u32,
    document: Option<ValidationKey>,
}

/// The bucket key of the caller of a request with `identity` and `ip`.
pub fn caller(identity: Option<&Identity>, ip: Option<&ClientIp>) -> Option<String> {
    match (identity, ip) {
        // The user's hash tag: on a Redis Cluster, beside their cache.
        (Some(identity), _) => Some(format!("cost:{{u{}}}", identity.user_id)),
        (None, Some(ClientIp(Some(ip)))) => Some(format!("cost:ip:{ip}")),
        (None, _) => None,
    }
}

/// Charges `cost` to `key`'s bucket: the points left when it went in,
/// `None` when it could not be charged (the fallback limiter charges in
/// process while Redis is away, so this is a bug, never the caller's
/// fault, and never fails a request), THROTTLED when it does not fit.
pub async fn charge(
    limiter: &dyn RateLimiter,
    key: &str,
    cost: u32,
    bucket: Bucket,
) -> Result<Option<u32>, ServerError> {
    match limiter.charge(key, cost, bucket).await {
        Ok(charge) if charge.admitted => Ok(Some(charge.remaining)),
        Ok(charge) => Err(refused(&charge)),
        Err(error) => {
            tracing::warn!(%error, "cost not charged");
            Ok(None)
        }
    }
}

/// The THROTTLED error of a refused charge.
pub fn refused(charge: &Charge) -> ServerError {
    throttled(charge.retry_after, cost_value(None, None, charge.remaining))
}

/// `{ requested, actual, remaining }` (`null` for what is not known).
pub fn cost_value(requested: Option<u32>, actual: Option<u32>, remaining: u32) -> Value {
    let known = |n: Option<u32>| n.map_or(Value::Null, Value::from);
    let mut cost = async_graphql::indexmap::IndexMap::new();
    cost.insert(async_graphql::Name::new("requested"), known(requested));
    cost.insert(async_graphql::Name::new("actual"), known(actual));
    cost.insert(
        async_graphql::Name::new("remaining"),
        Value::from(remaining),
    );
    Value::Object(cost)
}

#[async_trait::async_trait]
impl Extension for Metered {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let charged = self
            .charged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(charged) = charged {
            let actual = charged.document.as_ref().and_then(|key| {
                let parsed = key.document();
                let op = operation(&parsed.document, key.operation_name())?;
                let cost = cost_of(
                    &op.node.selection_set.node,
                    Some(&response.data),
                    &parsed.document,
                );
                Some(u32::try_from(cost).unwrap_or(u32::MAX))
            });
            response.extensions.insert(
                "cost".to_owned(),
                cost_value(Some(charged.requested), actual, charged.remaining),
            );
        }
        response
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let (Some(services), Some(key)) = (
            ctx.data_opt::<Services>(),
            caller(ctx.data_opt::<Identity>(), ctx.data_opt::<ClientIp>()),
        ) else {
            return Ok(result);
        };
        let requested = u32::try_from(result.complexity).unwrap_or(u32::MAX);
        let remaining =
            match charge(services.rate_limiter.as_ref(), &key, requested, self.bucket).await {
                Ok(Some(remaining)) => remaining,
                Ok(None) => return Ok(result),
                Err(refused) => return Err(vec![refused]),
            };
        *self.charged.lock().unwrap_or_else(PoisonError::into_inner) = Some(Charged {
            requested,
            remaining,
            document: ctx.data_opt::<ValidationKey>().cloned(),
        });
        Ok(result)
    }
}

/// The complexity of `set` counted on `data` (the value it answered):
/// `__typename` is free, any other field costs 1 plus its selection (counted once, as the schema
/// counts it, on the first element of a list); a connection (a field
/// with `first`) costs its selection once per edge returned, at least
/// once.
fn cost_of(set: &SelectionSet, data: Option<&Value>, document: &ExecutableDocument) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            // Free, as the schema's complexity counts it.
            Selection::Field(field) if field.node.name.node == "__typename" => 0,
            Selection::Field(field) => {
                let field = &field.node;
                let value = member(data, field.response_key().node.as_str());
                let child = &field.selection_set.node;
                if field.get_argument("first").is_some() {
                    let edges = match member(value, "edges") {
                        Some(Value::List(edges)) => edges.len(),
                        _ => 0,
                    };
                    edges.max(1) * cost_of(child, value, document)
                } else {
                    let value = match value {
                        Some(Value::List(items)) => items.first(),
                        other => other,
                    };
                    1 + cost_of(child, value, document)
                }
            }
            Selection::InlineFragment(fragment) => {
                cost_of(&fragment.node.selection_set.node, data, document)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |fragment| {
                    cost_of(&fragment.node.selection_set.node, data, document)
                }),
        })
        .sum()
}

/// `key` of `data` when it is an object.
fn member<'a>(data: Option<&'a Value>, key: &str) -> Option<&'a Value> {
    match data {
        Some(Value::Object(fields)) => fields.get(key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn actual(query: &str, data: serde_json::Value) -> usize {
        let document = parse_query(query).unwrap();
        let op = operation(&document, None).unwrap();
        let data = Value::from_json(data).unwrap();
        cost_of(&op.node.selection_set.node, Some(&data), &document)
    }

    #[test]
    fn a_connection_costs_its_node_per_edge_returned() {
        let query = "{ me { id } transactions(first: 20) { edges { node { id amount } } pageInfo { hasNextPage } } }";
        let edge = serde_json::json!({ "node": { "id": "1", "amount": "2" } });
        let page = |edges: Vec<serde_json::Value>| {
            serde_json::json!({
                "me": { "id": "u" },
                "transactions": { "edges": edges, "pageInfo": { "hasNextPage": false } }
            })
        };
        // me: 1 + id; one node: edges(1) + node(1) + id + amount, pageInfo(1) + 1.
        let node = 1 + 1 + 2 + 2;
        assert_eq!(actual(query, page(vec![edge.clone(); 3])), 2 + 3 * node);
        assert_eq!(actual(query, page(vec![])), 2 + node);
    }

    #[test]
    fn lists_count_their_selection_once_and_fragments_are_followed() {
        let query = "query { budget(month: \"2026-11\") { ...Lines } } fragment Lines on Budget { month categories { category spent } }";
        let data = serde_json::json!({ "budget": { "month": "2026-11", "categories": [
            { "category": "GROCERIES", "spent": "1" },
            { "category": "DINING", "spent": "2" }
        ] } });
        assert_eq!(actual(query, data), 1 + 1 + (1 + 2));
    }

    #[test]
    fn a_signed_in_caller_is_the_user_and_otherwise_the_address() {
        let ip = ClientIp(Some("203.0.113.9".parse().unwrap()));
        assert_eq!(caller(None, Some(&ip)).unwrap(), "cost:ip:203.0.113.9");
        assert_eq!(caller(None, Some(&ClientIp(None))), None);
        assert_eq!(caller(None, None), None);
    }
}
