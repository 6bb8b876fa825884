//! `POST /graphql` and GraphiQL.

use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::handler;
use poem::http::HeaderMap;
use poem::web::{Data, Html};

use crate::error::server_error;
use crate::graphql::MonetaSchema;
use crate::state::Services;
use moneta_core::auth::AuthError;

/// Executes one GraphQL request. No `Authorization` header: anonymous.
/// A header that is not a valid `Bearer` access token fails the whole
/// request with `UNAUTHENTICATED`, before any resolver runs.
#[handler]
pub async fn execute(
    Data(schema): Data<&MonetaSchema>,
    Data(services): Data<&Services>,
    headers: &HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let mut request = request.0;
    if let Some(value) = headers.get(poem::http::header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AuthError::Unauthenticated);
        match token.and_then(|t| services.auth.identify(t.trim())) {
            Ok(identity) => {
                let activity = services.activity.clone();
                tokio::spawn(async move {
                    if let Err(error) = activity.touch(identity.user_id).await {
                        tracing::warn!(%error, "activity not recorded");
                    }
                });
                request = request.data(identity);
            }
            Err(err) => {
                return async_graphql::Response::from_errors(vec![server_error(&err)]).into();
            }
        }
    }
    schema.execute(request).await.into()
}

#[handler]
pub fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .finish(),
    )
}
