//! Parsed documents, cached by their text. Clients send the same few
//! operations over and over, and parsing (pest) was the largest single
//! cost of a cached read; a bounded LRU keeps the parsed form.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::parser::{Error as ParseError, parse_query};
use moka::sync::Cache;

use super::limits::refusal;

/// How many distinct documents are kept (a hostile client sending new
/// ones only evicts; each is at most the body limit).
const CAPACITY: u64 = 1_000;

/// A parsed document and its alias count (checked against the limit).
#[derive(Debug)]
pub struct Parsed {
    pub document: ExecutableDocument,
    /// Why the document is refused before it runs (`limits::refusal`).
    pub refusal: Option<&'static str>,
}

#[derive(Clone)]
pub struct Documents {
    parsed: Cache<Arc<str>, Arc<Parsed>>,
}

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Documents")
            .field("cached", &self.parsed.entry_count())
            .finish()
    }
}

impl Default for Documents {
    fn default() -> Self {
        Self {
            parsed: Cache::new(CAPACITY),
        }
    }
}

impl Documents {
    /// `query` parsed, from the cache when it was seen before. Documents
    /// that do not parse are not cached.
    pub fn parse(&self, query: &str) -> Result<Arc<Parsed>, ParseError> {
        if let Some(parsed) = self.parsed.get(query) {
            return Ok(parsed);
        }
        let document = parse_query(query)?;
        let parsed = Arc::new(Parsed {
            refusal: refusal(&document),
            document,
        });
        self.parsed.insert(Arc::from(query), parsed.clone());
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::limits::count_aliases;

    #[test]
    fn the_same_text_is_parsed_once_and_bad_documents_are_errors() {
        let documents = Documents::default();
        let first = documents.parse("{ a: me { id } b: me { id } }").unwrap();
        let again = documents.parse("{ a: me { id } b: me { id } }").unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(count_aliases(&first.document), 2);
        assert!(documents.parse("{ me { ").is_err());
        assert!(documents.parse("{ me { ").is_err());
    }
}
