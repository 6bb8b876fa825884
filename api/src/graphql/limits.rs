//! Limits a public GraphQL API needs. The numbers come from the operations
//! our own clients send (`shared/contract/operations.graphql`): the largest
//! of them — a 100-transaction page with its accounts — costs about 1,500
//! and nests 5 deep, so the limits leave it 3× room and refuse anything
//! far beyond. A test runs every client operation against them.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Deepest selection nesting.
pub const MAX_DEPTH: usize = 12;
/// Highest complexity: each field costs 1; a connection costs `first` ×
/// what one node costs.
pub const MAX_COMPLEXITY: usize = 5_000;
/// Most aliased fields in one document (alias-based amplification).
pub const MAX_ALIASES: usize = 30;
/// Largest request body, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Deepest recursion of the parser (fragment and list nesting).
pub const MAX_RECURSIVE_DEPTH: usize = 32;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 8;

/// Sign-in limits (`graphql::login_throttle` tells the policy). Per
/// client, every attempt: (attempts, window in seconds); a flood from one
/// place.
pub const LOGIN_PER_IP: (u32, u64) = (30, 60);
/// Failures of one (email, client) pair that cost no wait.
pub const LOGIN_FREE_FAILURES: u32 = 5;
/// The longest wait of one (email, client) pair: the old fixed lock.
pub const LOGIN_MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// Failures per email, from everywhere, in the window, before the
/// account's sign-ins wait: ~200 distinct clients each at the free
/// failures, far beyond one stranger.
pub const LOGIN_FAILURES_PER_EMAIL: u32 = 1_000;
/// The window failures are counted in.
pub const LOGIN_FAILURE_WINDOW_SECS: u64 = 60 * 60;
pub const REGISTER_PER_IP: (u32, u64) = (20, 60 * 60);
/// Per user: linking asks the institution to check a login; a refresh
/// queues a sync. Generous for people, tight for scripts.
pub const LINK_PER_USER: (u32, u64) = (20, 60 * 60);
pub const REFRESH_PER_USER: (u32, u64) = (60, 60 * 60);

/// The number of aliased fields in the whole document (every operation
/// and fragment).
pub fn count_aliases(document: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + walk(&field.node.selection_set.node)
                }
                Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    document
        .operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum::<usize>()
        + document
            .fragments
            .values()
            .map(|f| walk(&f.node.selection_set.node))
            .sum::<usize>()
}

/// Whether an error message is one of async-graphql's limit refusals.
pub fn is_limit_error(message: &str) -> bool {
    message.starts_with("Query is too complex")
        || message.starts_with("Query is nested too deep")
        || message.contains("recursion depth")
        || message.contains("too many directives")
}

/// `deleteMe` password confirmations per user: (attempts, window in
/// seconds). A stolen access token must not become a way to guess the
/// password (argon2id makes each guess cost the server, too).
pub const DELETE_ME_PER_USER: (u32, u64) = (5, 15 * 60);

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn counts_aliases_in_operations_and_fragments() {
        let doc = parse_query(
            "query { a: me { id } b: me { x: id } ...F } fragment F on Query { c: me { id } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 4);
    }
}
