//! Whole responses of the cacheable reads, cached per user: a request
//! that names a registered document by id and reads only views whose
//! every change gives the user a new cache version (`me`, `budget`,
//! `monthlySpending`, `accounts`, the first page of `notifications` or
//! unfiltered `transactions`) is answered with the bytes stored for
//! (document, operation, variables) under the user's key and current
//! version — no validation, no resolver. Each user's responses live
//! under their own keys (`cache:{u<id>}:…`), so one user is never
//! answered another's; a write that changes any of these views bumps the
//! version (the domain's invalidations, and [`Invalidate`] after every
//! mutation of a signed-in user), and what was stored before is never
//! read again.
//!
//! A stored response is `<requested> <actual>\n<JSON without
//! extensions>`: a hit is charged and told its cost like any request.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::{OperationType, Selection};
use async_graphql::{Response, Value};
use moneta_core::auth::Identity;
use moneta_core::cache::View;
use sha2::{Digest as _, Sha256};

use super::admission::{Admitted, operation};
use super::validation::ValidationKey;
use crate::state::Services;

/// Root fields whose every change gives the user a new cache version.
const VERSIONED: &[&str] = &[
    "__typename",
    "me",
    "budget",
    "monthlySpending",
    "accounts",
    "notifications",
    "transactions",
];

/// Arguments that make a read something other than a first page.
const PAGING: &[&str] = &["after", "filter"];

/// The view `admitted`'s response is cached as, if it is cacheable.
pub fn view(admitted: &Admitted) -> Option<View> {
    let id = admitted.document_id.as_deref()?;
    let (request, key) = (admitted.request(), &admitted.key);
    let op = operation(&key.document().document, key.operation_name())?;
    if op.node.ty != OperationType::Query {
        return None;
    }
    let versioned = op.node.selection_set.node.items.iter().all(|item| {
        let Selection::Field(field) = &item.node else {
            return false;
        };
        let field = &field.node;
        VERSIONED.contains(&field.name.node.as_str())
            && field.arguments.iter().all(|(name, value)| {
                // Null, or a variable that is null or absent.
                !PAGING.contains(&name.node.as_str())
                    || value
                        .node
                        .clone()
                        .into_const_with(|name| {
                            Ok::<_, ()>(
                                request.variables.get(&name).cloned().unwrap_or(Value::Null),
                            )
                        })
                        .is_ok_and(|value| value == Value::Null)
            })
    });
    if !versioned {
        return None;
    }
    // The variables' JSON the validation key already made.
    let variables = key.variables_json()?;
    let mut digest = Sha256::new();
    digest.update(id.as_bytes());
    digest.update([0]);
    digest.update(key.operation_name().unwrap_or("").as_bytes());
    digest.update([0]);
    digest.update(variables.as_bytes());
    let digest = digest.finalize();
    let mut view = [0u8; 16];
    view.copy_from_slice(&digest[..16]);
    Some(View::Response(view))
}

/// A stored response: its cost and its JSON (no `extensions`).
#[derive(Debug, PartialEq, Eq)]
pub struct Stored<'a> {
    pub requested: u32,
    pub actual: u32,
    pub body: &'a [u8],
}

impl<'a> Stored<'a> {
    pub fn encode(requested: u32, actual: u32, body: &[u8]) -> Vec<u8> {
        let mut bytes = format!("{requested} {actual}\n").into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    pub fn decode(bytes: &'a [u8]) -> Option<Self> {
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let (head, body) = (
            std::str::from_utf8(&bytes[..newline]).ok()?,
            &bytes[newline + 1..],
        );
        let (requested, actual) = head.split_once(' ')?;
        Some(Self {
            requested: requested.parse().ok()?,
            actual: actual.parse().ok()?,
            body,
        })
    }
}

/// `body`, a response's JSON object, with `"extensions": {"cost": cost}`
/// added (`body` has no extensions of its own).
pub fn with_cost(body: &[u8], cost: &Value) -> Vec<u8> {
    let extensions = serde_json::json!({ "cost": cost }).to_string();
    match body.strip_suffix(b"}") {
        Some(open) => {
            let mut bytes = Vec::with_capacity(body.len() + extensions.len() + 16);
            bytes.extend_from_slice(open);
            if open.len() > 1 {
                bytes.push(b',');
            }
            bytes.extend_from_slice(b"\"extensions\":");
            bytes.extend_from_slice(extensions.as_bytes());
            bytes.push(b'}');
            bytes
        }
        None => body.to_vec(),
    }
}

/// The `(requested, actual)` of a response's `extensions.cost`.
pub fn reported_cost(cost: &Value) -> Option<(u32, u32)> {
    let Value::Object(cost) = cost else {
        return None;
    };
    let number = |key: &str| match cost.get(key) {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    };
    Some((number("requested")?, number("actual")?))
}

/// Installs [`Invalidated`]: after every mutation of a signed-in user,
/// on either transport, the user's cache version is bumped, so no
/// response cached before it (whatever views it read) is served again.
pub struct Invalidate;

impl ExtensionFactory for Invalidate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Invalidated)
    }
}

struct Invalidated;

#[async_trait::async_trait]
impl Extension for Invalidated {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let mutation = ctx.data_opt::<ValidationKey>().is_some_and(|key| {
            operation(&key.document().document, operation_name)
                .is_some_and(|op| op.node.ty == OperationType::Mutation)
        });
        if mutation
            && let (Some(identity), Some(services)) =
                (ctx.data_opt::<Identity>(), ctx.data_opt::<Services>())
        {
            services.cache.invalidate(identity.user_id).await;
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_response_keeps_its_cost_and_bytes() {
        let bytes = Stored::encode(12, 9, br#"{"data":{"a":1}}"#);
        let stored = Stored::decode(&bytes).unwrap();
        assert_eq!(
            stored,
            Stored {
                requested: 12,
                actual: 9,
                body: br#"{"data":{"a":1}}"#,
            }
        );
        assert_eq!(Stored::decode(b"garbage"), None);
        assert_eq!(Stored::decode(b"1\n{}"), None);
    }

    #[test]
    fn the_cost_is_added_as_the_responses_extensions() {
        let cost =
            Value::from_json(serde_json::json!({ "requested": 1, "actual": 1, "remaining": 5 }))
                .unwrap();
        let body = with_cost(br#"{"data":{"a":1}}"#, &cost);
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({ "data": { "a": 1 }, "extensions": { "cost": { "requested": 1, "actual": 1, "remaining": 5 } } })
        );
    }
}
