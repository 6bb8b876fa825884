//! The GraphQL schema, split by area and merged here.

mod context;
pub mod ids;
mod mutation;
pub(crate) mod query;
mod subscription;
pub mod types;

use async_graphql::Schema;

pub use context::{identity, services};
pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use crate::state::{ApiConfig, Services};

pub type MonetaSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema, with the services resolvers use.
pub fn build(services: Services, config: ApiConfig) -> MonetaSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(services);
    if !config.developer_tools {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
}
