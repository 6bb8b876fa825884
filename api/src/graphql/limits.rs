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
/// Per user: each import reads a whole file (up to `MONETA_IMPORT_MAX_MB`).
pub const IMPORT_PER_USER: (u32, u64) = (60, 60 * 60);

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

/// Why a document is refused before it runs, if it is: too many aliases,
/// selections nested (through fragments too) deeper than
/// [`MAX_RECURSIVE_DEPTH`], a field with more than [`MAX_DIRECTIVES`]
/// directives, or fields nested more than [`MAX_DEPTH`] deep (fragments
/// inlined, as the schema's validation counts). Checked here, before the
/// schema, a refusal is known for what it is, never by its message, and
/// comes first, as the schema's own limits did, even for a document that
/// is also invalid.
pub fn refusal(document: &ExecutableDocument) -> Option<&'static str> {
    if count_aliases(document) > MAX_ALIASES {
        return Some("too many aliases");
    }
    let operations = || document.operations.iter().map(|(_, op)| &op.node);
    if operations().any(|op| nests_deeper(document, &op.selection_set.node, 0)) {
        return Some("the query nests too deep");
    }
    if operations().any(|op| has_many_directives(document, &op.selection_set.node)) {
        return Some("too many directives on one field");
    }
    if operations().any(|op| field_depth(document, &op.selection_set.node) > MAX_DEPTH) {
        return Some("the query is nested too deep");
    }
    None
}

/// How deep fields nest in `set`, fragments inlined (called on documents
/// [`nests_deeper`] let through, so fragments cannot loop).
fn field_depth(document: &ExecutableDocument, set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => 1 + field_depth(document, &field.node.selection_set.node),
            Selection::InlineFragment(fragment) => {
                field_depth(document, &fragment.node.selection_set.node)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| field_depth(document, &f.node.selection_set.node)),
        })
        .max()
        .unwrap_or(0)
}

/// Whether `set`, at `depth`, nests beyond [`MAX_RECURSIVE_DEPTH`]
/// (a fragment that spreads itself does, and ends the walk).
fn nests_deeper(document: &ExecutableDocument, set: &SelectionSet, depth: usize) -> bool {
    if depth > MAX_RECURSIVE_DEPTH {
        return true;
    }
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            !field.node.selection_set.node.items.is_empty()
                && nests_deeper(document, &field.node.selection_set.node, depth + 1)
        }
        Selection::InlineFragment(fragment) => {
            nests_deeper(document, &fragment.node.selection_set.node, depth + 1)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| nests_deeper(document, &f.node.selection_set.node, depth + 1)),
    })
}

/// Whether a field in `set` carries more than [`MAX_DIRECTIVES`]
/// directives (called on documents [`nests_deeper`] let through, so
/// fragments cannot loop).
fn has_many_directives(document: &ExecutableDocument, set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            field.node.directives.len() > MAX_DIRECTIVES
                || has_many_directives(document, &field.node.selection_set.node)
        }
        Selection::InlineFragment(fragment) => {
            has_many_directives(document, &fragment.node.selection_set.node)
        }
        Selection::FragmentSpread(spread) => document
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|f| has_many_directives(document, &f.node.selection_set.node)),
    })
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
    fn refuses_each_limit_by_what_it_is() {
        let refusal_of = |q: &str| refusal(&parse_query(q).unwrap());
        assert_eq!(refusal_of("{ me { id } }"), None);
        assert_eq!(
            refusal_of("query { ...F } fragment F on Query { ...F }"),
            Some("the query nests too deep"),
            "a fragment that spreads itself"
        );
        let directives = " @include(if: true)".repeat(MAX_DIRECTIVES + 1);
        assert_eq!(
            refusal_of(&format!("{{ me{directives} {{ id }} }}")),
            Some("too many directives on one field")
        );
        let nested = |n: usize| format!("{}id{}", "a { ".repeat(n - 1), " }".repeat(n - 1));
        assert_eq!(refusal_of(&format!("{{ {} }}", nested(MAX_DEPTH))), None);
        assert_eq!(
            refusal_of(&format!(
                "{{ ...F }} fragment F on Query {{ {} }}",
                nested(MAX_DEPTH + 1)
            )),
            Some("the query is nested too deep"),
            "fields in a fragment count where it is spread"
        );
    }

    #[test]
    fn counts_aliases_in_operations_and_fragments() {
        let doc = parse_query(
            "query { a: me { id } b: me { x: id } ...F } fragment F on Query { c: me { id } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 4);
    }
}
