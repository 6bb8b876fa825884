//! Rules of the code that no compiler check holds: no `allow` of the
//! function-size or argument-count lints in the product's sources (tests
//! are exempt: see `main.rs`), GraphQL error codes assigned at one
//! mapping point, `api::error`, and no error known by its text.

use std::path::{Path, PathBuf};

/// The product's source folders (everything but `tests/`).
const SOURCES: [&str; 9] = [
    "api",
    "benches",
    "core",
    "entities",
    "migration",
    "platform",
    "src",
    "tools",
    "workers",
];

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// Every `.rs` file of the product's source folders.
fn product_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    files
}

#[test]
fn no_product_code_opts_out_of_the_size_lints() {
    let files = product_files();
    assert!(
        files.len() > 100,
        "the sources were not found: {}",
        files.len()
    );
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = line.replace(' ', "");
            if line.contains("clippy::too_many_arguments")
                || line.contains("clippy::too_many_lines")
            {
                offenders.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "split the function or group its arguments instead: {offenders:?}"
    );
}

/// Whether a line of Rust gives a GraphQL error its `extensions.code`.
fn assigns_a_code(line: &str) -> bool {
    let line = line.replace(' ', "");
    line.contains(".set(\"code\"") || line.contains("\"extensions\":{\"code\"")
}

#[test]
fn graphql_error_codes_are_assigned_in_api_error_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mapping_point = root.join("api/src/error.rs");
    let files = product_files();
    let assigning: Vec<&PathBuf> = files
        .iter()
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            text.lines().any(assigns_a_code)
        })
        .collect();
    assert_eq!(
        assigning,
        [&mapping_point],
        "GraphQL error codes are set in api::error only (call its helpers)"
    );
    // The check sees what it looks for.
    assert!(assigns_a_code(r#"ext.set("code", code.as_str())"#));
    assert!(assigns_a_code(
        r##"r#"{"errors":[{"message":"x","extensions":{"code":"INTERNAL"}}]}"#"##
    ));
    assert!(!assigns_a_code(r#"ext.set("retryAfter", 3)"#));
}

/// Whether a line of Rust looks into an error's text to decide what it is.
fn matches_error_text(line: &str) -> bool {
    let line = line.replace(' ', "");
    let Some(at) = [".to_string().", ".message()."]
        .iter()
        .find_map(|call| line.find(call).map(|at| (at, call.len())))
    else {
        return false;
    };
    let (before, after) = (&line[..at.0], &line[at.0 + at.1..]);
    let receiver = before
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    receiver.contains("err")
        && ["contains(", "starts_with(", "ends_with(", "eq("]
            .iter()
            .any(|m| after.starts_with(m))
}

#[test]
fn no_product_code_tells_errors_apart_by_their_text() {
    let files = product_files();
    let mut offenders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if matches_error_text(line) {
                offenders.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "match on the error's type, code or number instead: {offenders:?}"
    );
    // The check sees what it looks for.
    assert!(matches_error_text(
        r#"Err(err) if err.to_string().contains("Duplicate key name") => {"#
    ));
    assert!(matches_error_text(
        r#"Some(Err(error)) if error.to_string().contains("too long") =>"#
    ));
    assert!(matches_error_text(
        r#"if db_err.message().starts_with("Deadlock") {"#
    ));
    assert!(!matches_error_text(
        r#"assert!(body.to_string().contains("x"));"#
    ));
}
