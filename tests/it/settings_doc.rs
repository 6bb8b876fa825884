//! The README's settings table lists exactly the settings the binary
//! declares: the same flags, each with its variable.

use std::collections::BTreeSet;

use clap::CommandFactory as _;

/// `(flag, variable)` of every row of the README's "## Settings" table.
fn documented() -> BTreeSet<(String, String)> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("\n## Settings\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a Settings section");
    section
        .lines()
        .filter(|l| l.starts_with("| `--"))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let unquote = |c: &str| c.trim_matches('`').to_owned();
            (unquote(cells[1]), unquote(cells[2]))
        })
        .collect()
}

#[test]
fn the_readme_settings_table_matches_the_flags() {
    let declared: BTreeSet<(String, String)> = moneta::Cli::command()
        .get_arguments()
        .filter_map(|arg| {
            let env = arg.get_env()?.to_string_lossy().into_owned();
            Some((format!("--{}", arg.get_long()?), env))
        })
        .collect();
    let documented = documented();
    let missing: Vec<_> = declared.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&declared).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "README settings table: missing {missing:?}, not settings {extra:?}"
    );
}
