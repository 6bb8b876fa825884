//! The schema's validation, with its outcome coded by what it is: a
//! document over the depth or complexity limit is QUERY_TOO_COMPLEX; any
//! other validation failure is BAD_USER_INPUT. (The schema is built
//! without its own depth and complexity limits: this is where they hold.)

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult};
use moneta_core::ErrorCode;

use super::Limits;
use crate::error::{coded_server_error, invalid_document};

/// Installs the check on a schema.
pub struct Validation(pub Limits);

impl ExtensionFactory for Validation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Checked(self.0))
    }
}

struct Checked(Limits);

#[async_trait::async_trait]
impl Extension for Checked {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let measured = next
            .run(ctx)
            .await
            .map_err(|errors| errors.into_iter().map(invalid_document).collect::<Vec<_>>())?;
        let refused = if measured.depth > self.0.depth {
            "the query is nested too deep"
        } else if measured.complexity > self.0.complexity {
            "the query is too complex"
        } else {
            return Ok(measured);
        };
        Err(vec![coded_server_error(
            ErrorCode::QueryTooComplex,
            refused,
        )])
    }
}
