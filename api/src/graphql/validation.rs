//! The schema's validation, with its outcome coded by what it is: a
//! document over the depth or complexity limit is QUERY_TOO_COMPLEX; any
//! other validation failure is BAD_USER_INPUT. (The schema is built
//! without its own depth and complexity limits: this is where they hold.)
//!
//! Validation is a function of the document, the operation and the
//! variables (complexity counts `first`), so its outcome is kept for each
//! such triple that passed (`ValidationKey`): the same request validates
//! once, not once per request.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ServerError, ValidationResult, Variables};
use moka::sync::Cache;
use moneta_core::ErrorCode;

use super::Limits;
use super::documents::Parsed;
use crate::error::{coded_server_error, invalid_document};

/// How many validated (document, operation, variables) are kept.
const CAPACITY: u64 = 10_000;

/// What a validation outcome is kept under: the parsed document (by
/// identity; the key holds it, so its address is never reused while
/// kept), the operation's name and the variables' JSON.
#[derive(Clone)]
pub struct ValidationKey {
    document: Arc<Parsed>,
    operation_name: Option<String>,
    variables: Option<String>,
}

impl ValidationKey {
    pub fn new(
        document: &Arc<Parsed>,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Self {
        Self {
            document: document.clone(),
            operation_name: operation_name.map(str::to_owned),
            // Unserializable variables (none are) are simply not cached.
            variables: serde_json::to_string(variables).ok(),
        }
    }

    /// The parsed document.
    pub fn document(&self) -> &Parsed {
        &self.document
    }

    /// The variables as JSON (`None`: they do not serialize).
    pub fn variables_json(&self) -> Option<&str> {
        self.variables.as_deref()
    }

    /// The operation the request selects by name, if it names one.
    pub fn operation_name(&self) -> Option<&str> {
        self.operation_name.as_deref()
    }
}

impl PartialEq for ValidationKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.document, &other.document)
            && self.operation_name == other.operation_name
            && self.variables == other.variables
    }
}

impl Eq for ValidationKey {}

impl Hash for ValidationKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.document), state);
        self.operation_name.hash(state);
        self.variables.hash(state);
    }
}

/// Installs the check on a schema.
pub struct Validation {
    limits: Limits,
    validated: Cache<ValidationKey, ValidationResult>,
}

impl Validation {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            validated: Cache::new(CAPACITY),
        }
    }
}

impl ExtensionFactory for Validation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Checked {
            limits: self.limits,
            validated: self.validated.clone(),
        })
    }
}

struct Checked {
    limits: Limits,
    validated: Cache<ValidationKey, ValidationResult>,
}

#[async_trait::async_trait]
impl Extension for Checked {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let key = ctx
            .data_opt::<ValidationKey>()
            .filter(|key| key.variables.is_some());
        if let Some(result) = key.and_then(|key| self.validated.get(key)) {
            return Ok(result);
        }
        let measured = next
            .run(ctx)
            .await
            .map_err(|errors| errors.into_iter().map(invalid_document).collect::<Vec<_>>())?;
        let refused = if measured.depth > self.limits.depth {
            "the query is nested too deep"
        } else if measured.complexity > self.limits.complexity {
            "the query is too complex"
        } else {
            if let Some(key) = key {
                self.validated.insert(key.clone(), measured);
            }
            return Ok(measured);
        };
        Err(vec![coded_server_error(
            ErrorCode::QueryTooComplex,
            refused,
        )])
    }
}
