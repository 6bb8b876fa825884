//! A landed migration is never edited: databases that already ran it
//! would never see the change. Each migration file's SHA-256 is recorded
//! in `migration/frozen.sha256` (`sha256sum` format) when it lands; a
//! change of the schema is a new migration.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest as _, Sha256};

const RECORD: &str = "migration/frozen.sha256";

fn recorded(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (hash, file) = l
                .split_once("  ")
                .unwrap_or_else(|| panic!("{RECORD}: not `<sha256>  <file>`: {l}"));
            (file.trim().to_owned(), hash.to_owned())
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The migration files (`m<date>_<n>_<name>.rs`) and their hashes.
fn migrations(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("migration/src")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "rs")
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.starts_with('m') && n.as_bytes().get(1).is_some_and(u8::is_ascii_digit)
                })
        })
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_owned();
            (name, sha256_hex(&std::fs::read(&p).expect("read")))
        })
        .collect()
}

/// What differs between the files and the record, one line each.
fn drift(files: &BTreeMap<String, String>, record: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, hash) in files {
        match record.get(file) {
            None => problems.push(format!(
                "{file} is not recorded: once it lands, add it with \
                 `(cd migration/src && sha256sum m2*.rs) > {RECORD}`"
            )),
            Some(h) if h != hash => problems.push(format!(
                "{file} was edited after it landed: put the change in a new migration"
            )),
            Some(_) => {}
        }
    }
    for file in record.keys().filter(|f| !files.contains_key(*f)) {
        problems.push(format!(
            "{file} is recorded but gone: a landed migration stays"
        ));
    }
    problems
}

#[test]
fn landed_migrations_are_never_edited() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let record = recorded(&std::fs::read_to_string(root.join(RECORD)).expect(RECORD));
    let files = migrations(&root.join("migration/src"));
    assert!(files.len() >= 5, "found the migrations: {files:?}");
    let problems = drift(&files, &record);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_edited_a_new_and_a_removed_migration_are_each_reported() {
    let record = recorded("aa  m1_a.rs\nbb  m2_b.rs\ncc  m3_c.rs\n");
    let files: BTreeMap<String, String> = [("m1_a.rs", "aa"), ("m2_b.rs", "b2"), ("m4_d.rs", "dd")]
        .into_iter()
        .map(|(f, h)| (f.to_owned(), h.to_owned()))
        .collect();
    let problems = drift(&files, &record);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].starts_with("m2_b.rs was edited"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("m4_d.rs is not recorded"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("m3_c.rs is recorded but gone"),
        "{problems:?}"
    );
}
