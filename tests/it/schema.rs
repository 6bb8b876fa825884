//! `schema.graphql` is generated from the code and committed; this fails
//! when they drift. `UPDATE_SCHEMA=1 cargo test` rewrites the file.

use std::path::Path;

#[test]
fn schema_graphql_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let generated = moneta_api::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema.graphql is out of date: run `UPDATE_SCHEMA=1 cargo test schema_graphql_is_current`"
    );
}
