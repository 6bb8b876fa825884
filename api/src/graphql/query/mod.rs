//! Query fields by area.

mod me;
mod node;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(me::MeQuery, node::NodeQuery);
