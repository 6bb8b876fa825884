//! Persisted and trusted documents. A client may name its document by id
//! instead of sending the text: the GraphQL-over-HTTP draft's
//! `documentId` (`sha256:<hex>`) or Apollo's automatic persisted queries
//! (`extensions.persistedQuery.sha256Hash`, registered by sending the text
//! with its hash once). The operations our own clients send
//! (`contract/operations.graphql`) are registered at start; APQ
//! registrations go to the shared cache store (Redis in a cluster), so
//! every replica knows them.
//!
//! [`Trust`] says what runs: `off` only text, `allow` text and ids,
//! `enforce` only the registered client operations — by id or by their
//! exact text — unless the request carries the operator token.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::ServerError;
use async_graphql::parser::parse_query;
use async_graphql::parser::types::DocumentOperations;
use moneta_core::ErrorCode;
use moneta_core::ports::CacheStore;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

use crate::error::coded_server_error;

/// The operations of our own clients, as the repository keeps them.
const CLIENT_OPERATIONS: &str = include_str!("../../../contract/operations.graphql");
/// The web dashboard's operations that the contract does not have.
const WEB_OPERATIONS: &str = include_str!("../../../web/src/graphql/web.graphql");

/// APQ registrations each replica keeps in memory.
const SEEN: u64 = 1_000;

/// How long an APQ registration is kept; a client whose id expired gets
/// PERSISTED_QUERY_NOT_FOUND and registers again.
const REGISTRATION_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Which documents the API runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Document text only; ids are refused (PERSISTED_QUERY_NOT_SUPPORTED).
    Off,
    /// Text, the registered ids and APQ registrations.
    Allow,
    /// Only the registered client operations (by id or exact text);
    /// anything else is UNTRUSTED_DOCUMENT, APQ registration included.
    Enforce,
}

/// What a request names its document by.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Named {
    /// The document's text, if sent.
    pub query: Option<String>,
    /// Its id (lowercase sha256 hex), if sent.
    pub id: Option<String>,
}

impl Named {
    /// The id a request gives: `documentId` (`sha256:<hex>`) or APQ's
    /// `extensions.persistedQuery.sha256Hash`; BAD_USER_INPUT for one in
    /// another form.
    pub fn from_request(
        query: String,
        document_id: Option<&str>,
        extensions: &async_graphql::Extensions,
    ) -> Result<Self, ServerError> {
        let apq = extensions
            .get("persistedQuery")
            .map(|value| match value {
                async_graphql::Value::Object(fields) => match fields.get("sha256Hash") {
                    Some(async_graphql::Value::String(hash)) => Ok(hash.clone()),
                    _ => Err(()),
                },
                _ => Err(()),
            })
            .transpose()
            .map_err(|()| bad_id("extensions.persistedQuery needs a sha256Hash string"))?;
        let draft = document_id
            .map(|id| {
                id.strip_prefix("sha256:")
                    .map(str::to_owned)
                    .ok_or_else(|| bad_id("a documentId is \"sha256:\" and 64 hex digits"))
            })
            .transpose()?;
        let id = match (draft, apq) {
            (Some(a), Some(b)) if a != b => {
                return Err(bad_id(
                    "documentId and persistedQuery name different documents",
                ));
            }
            (id, other) => id.or(other),
        };
        if let Some(id) = &id
            && !(id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(bad_id("a document id is 64 hex digits (sha256)"));
        }
        Ok(Self {
            query: (!query.is_empty()).then_some(query),
            id: id.map(|id| id.to_ascii_lowercase()),
        })
    }
}

fn bad_id(message: &str) -> ServerError {
    coded_server_error(ErrorCode::BadUserInput, message)
}

/// The sha256 of `text`, lowercase hex: a document's id.
pub fn document_id(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// The registered documents and the policy. Cheap to clone.
#[derive(Clone)]
pub struct Persisted {
    trust: Trust,
    /// Id → text of the client operations.
    trusted: Arc<HashMap<String, Arc<str>>>,
    /// APQ registrations (`apq:<id>`).
    store: Arc<dyn CacheStore>,
    /// Registrations seen by this replica: a document's id names one text
    /// forever, so what was found once is kept (bounded) and not asked
    /// of the store again.
    seen: moka::sync::Cache<String, Arc<str>>,
    operator_token: Option<Arc<SecretString>>,
}

impl std::fmt::Debug for Persisted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persisted")
            .field("trust", &self.trust)
            .field("trusted", &self.trusted.len())
            .finish_non_exhaustive()
    }
}

impl Persisted {
    pub fn new(
        trust: Trust,
        store: Arc<dyn CacheStore>,
        operator_token: Option<SecretString>,
    ) -> Self {
        let trusted = client_operations()
            .into_iter()
            .map(|text| (document_id(&text), Arc::from(text)))
            .collect();
        Self {
            trust,
            trusted: Arc::new(trusted),
            store,
            seen: moka::sync::Cache::new(SEEN),
            operator_token: operator_token.map(Arc::new),
        }
    }

    /// Whether `presented` is the operator token (constant time).
    pub fn is_operator(&self, presented: Option<&str>) -> bool {
        match (&self.operator_token, presented) {
            (Some(token), Some(presented)) => {
                let token = token.expose_secret().as_bytes();
                let presented = presented.as_bytes();
                token.len() == presented.len()
                    && token
                        .iter()
                        .zip(presented)
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            }
            _ => false,
        }
    }

    /// The text of the document `named` names, under the policy;
    /// `operator` lifts `enforce`. An APQ registration (text and hash) is
    /// stored for every replica; a store that fails only costs the
    /// client a registration next time.
    pub async fn resolve(&self, named: Named, operator: bool) -> Result<Arc<str>, ServerError> {
        let enforced = self.trust == Trust::Enforce && !operator;
        match (named.query, named.id) {
            (None, None) => Err(coded_server_error(
                ErrorCode::BadUserInput,
                "a request needs a query or a document id",
            )),
            (_, Some(_)) if self.trust == Trust::Off => Err(coded_server_error(
                ErrorCode::PersistedQueryNotSupported,
                "PersistedQueryNotSupported",
            )),
            (Some(query), None) => {
                if enforced && !self.trusted.contains_key(&document_id(&query)) {
                    return Err(untrusted());
                }
                Ok(Arc::from(query))
            }
            (None, Some(id)) => {
                if let Some(text) = self.trusted.get(&id) {
                    return Ok(text.clone());
                }
                if enforced {
                    return Err(untrusted());
                }
                if let Some(text) = self.seen.get(&id) {
                    return Ok(text);
                }
                match self.store.get(&registration_key(&id)).await {
                    Ok(Some(bytes)) => {
                        let text: Arc<str> =
                            Arc::from(String::from_utf8(bytes).map_err(|_| not_found())?);
                        // A registration is checked when stored; one that is
                        // not what its id says is not served.
                        if document_id(&text) != id {
                            return Err(not_found());
                        }
                        self.seen.insert(id, text.clone());
                        Ok(text)
                    }
                    Ok(None) => Err(not_found()),
                    Err(error) => {
                        tracing::warn!(%error, "persisted document lookup failed");
                        Err(not_found())
                    }
                }
            }
            (Some(query), Some(id)) => {
                if document_id(&query) != id {
                    return Err(bad_id("the document's sha256 is not the id sent with it"));
                }
                if self.trusted.contains_key(&id) {
                    return Ok(Arc::from(query));
                }
                if enforced {
                    return Err(untrusted());
                }
                let stored = self
                    .store
                    .set(
                        &registration_key(&id),
                        query.clone().into_bytes(),
                        REGISTRATION_TTL,
                    )
                    .await;
                if let Err(error) = stored {
                    tracing::warn!(%error, "persisted document registration failed");
                }
                Ok(Arc::from(query))
            }
        }
    }
}

fn registration_key(id: &str) -> String {
    format!("apq:{id}")
}

fn not_found() -> ServerError {
    // Apollo's clients look for this message or code, then send the text.
    coded_server_error(ErrorCode::PersistedQueryNotFound, "PersistedQueryNotFound")
}

fn untrusted() -> ServerError {
    coded_server_error(
        ErrorCode::UntrustedDocument,
        "only the registered client operations run on this server",
    )
}

/// Each operation of `contract/operations.graphql`, then of the web
/// dashboard's `web/src/graphql/web.graphql`, as its own document: its
/// text from its keyword to the next operation, without the comments and
/// blank lines between them (`web/scripts/documents.mjs` splits alike).
fn client_operations() -> Vec<String> {
    let mut operations = split_operations(CLIENT_OPERATIONS);
    operations.extend(split_operations(WEB_OPERATIONS));
    operations
}

/// The registered client documents as `(operation name, id, text)`, in
/// the files' order: what a client build sends (the web dashboard computes
/// the same ids in `web/scripts/documents.mjs`; its journey runs under
/// `enforce`, so a mismatch fails it).
pub fn client_documents() -> Vec<(String, String, String)> {
    client_operations()
        .into_iter()
        .map(|text| {
            let name = text
                .split(|c: char| c == '(' || c == '{' || c.is_whitespace())
                .filter(|word| !word.is_empty())
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            (name, document_id(&text), text)
        })
        .collect()
}

fn split_operations(source: &str) -> Vec<String> {
    let Ok(document) = parse_query(source) else {
        tracing::error!("a client operations file does not parse; its documents are not trusted");
        return Vec::new();
    };
    let mut starts: Vec<usize> = match &document.operations {
        DocumentOperations::Single(op) => vec![op.pos.line],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| op.pos.line).collect(),
    };
    starts.sort_unstable();
    let lines: Vec<&str> = source.lines().collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts.get(i + 1).map_or(lines.len(), |next| next - 1);
            let mut body: Vec<&str> = lines[start - 1..end].to_vec();
            while body
                .last()
                .is_some_and(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
            {
                body.pop();
            }
            body.join("\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_operation_is_its_own_document() {
        let operations = client_operations();
        let web = split_operations(WEB_OPERATIONS);
        assert!(!web.is_empty(), "the web dashboard's own operations");
        assert_eq!(
            operations.len(),
            18 + web.len(),
            "the contract's and the web's"
        );
        for text in &operations {
            let document = parse_query(text).unwrap();
            let count = match &document.operations {
                DocumentOperations::Single(_) => 1,
                DocumentOperations::Multiple(operations) => operations.len(),
            };
            assert_eq!(count, 1, "one operation each: {text}");
            assert!(!text.ends_with('\n') && !text.contains("\n#"));
        }
        assert!(operations[0].starts_with("query Dashboard("));
    }

    #[test]
    fn client_documents_are_named_by_their_operation() {
        let documents = client_documents();
        assert_eq!(documents[0].0, "Dashboard");
        assert_eq!(documents[0].1, document_id(&documents[0].2));
        assert!(documents.iter().any(|(name, _, _)| name == "BudgetAlerts"));
    }

    #[test]
    fn ids_are_the_sha256_of_the_text() {
        assert_eq!(
            document_id("{ __typename }"),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
    }

    #[test]
    fn ids_come_from_the_draft_or_from_apq_and_must_agree() {
        let id = document_id("{ me { id } }");
        let apq: async_graphql::Extensions = serde_json::from_value(serde_json::json!({
            "persistedQuery": { "version": 1, "sha256Hash": id }
        }))
        .unwrap();
        let none = async_graphql::Extensions::default();
        let draft = format!("sha256:{id}");
        assert_eq!(
            Named::from_request(String::new(), Some(draft.as_str()), &none)
                .unwrap()
                .id
                .as_deref(),
            Some(id.as_str())
        );
        assert_eq!(
            Named::from_request(String::new(), None, &apq).unwrap().id,
            Some(id.clone())
        );
        assert!(Named::from_request(String::new(), Some(id.as_str()), &none).is_err());
        assert!(Named::from_request(String::new(), Some("sha256:abc"), &none).is_err());
        let other = format!("sha256:{}", document_id("{ a }"));
        assert!(Named::from_request(String::new(), Some(other.as_str()), &apq).is_err());
    }

    #[test]
    fn only_the_operator_token_is_the_operator() {
        let store: Arc<dyn CacheStore> = Arc::new(NoStore);
        let with = Persisted::new(
            Trust::Enforce,
            store.clone(),
            Some(SecretString::from("s3cret-token")),
        );
        assert!(with.is_operator(Some("s3cret-token")));
        assert!(!with.is_operator(Some("s3cret-tokem")));
        assert!(!with.is_operator(Some("s3cret")));
        assert!(!with.is_operator(None));
        let without = Persisted::new(Trust::Enforce, store, None);
        assert!(!without.is_operator(Some("")));
    }

    #[derive(Debug)]
    struct NoStore;

    #[async_trait::async_trait]
    impl CacheStore for NoStore {
        async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, moneta_core::error::InternalError> {
            Ok(None)
        }
        async fn set(
            &self,
            _: &str,
            _: Vec<u8>,
            _: Duration,
        ) -> Result<(), moneta_core::error::InternalError> {
            Ok(())
        }
        async fn delete_prefix(&self, _: &str) -> Result<u64, moneta_core::error::InternalError> {
            Ok(0)
        }
    }
}
