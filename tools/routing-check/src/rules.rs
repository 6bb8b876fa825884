//! The routing rules (DESIGN.md §5) for one statement.

use std::ops::ControlFlow;

use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, Expr, OnInsert, Statement, visit_expressions, visit_relations,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

/// Sharded tables and the columns that route them: the primary vindex
/// (`user_id`; `users.id`) and lookup vindexes (`users.email_normalized`).
const SHARDED: &[(&str, &[&str])] = &[
    ("users", &["id", "email_normalized"]),
    ("refresh_tokens", &["user_id"]),
    ("accounts", &["user_id"]),
    ("transactions", &["user_id"]),
    ("monthly_spending", &["user_id"]),
    ("budget_overrides", &["user_id"]),
    ("notifications", &["user_id"]),
    ("user_seller_votes", &["user_id"]),
];

/// Unsharded tables (keyspace `moneta_global`, or reference copies).
const GLOBAL: &[&str] = &["user_emails", "seller_votes", "sellers", "seaql_migrations"];

/// Reviewed scatter queries, by name, with the reason each is allowed and
/// how it is recognised (all fragments present in the statement).
pub const ALLOWLIST: &[(&str, &str, &[&str])] = &[(
    "daily-sync user scan",
    "the daily job scans users active in the last 30 days: keyset on users.id, LIMIT 500 — a bounded, reviewed scatter query",
    &[
        "from `users`",
        "`users`.`id` >",
        "`users`.`last_active_at` >=",
        "limit",
    ],
)];

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not a statement on our tables (session setup, DDL, pings).
    Skipped,
    /// Routes to one shard, or touches only unsharded tables.
    Routed,
    /// A scatter query on the allowlist.
    Allowed(&'static str),
    Violation(Vec<String>),
}

/// The statement with literals replaced and lists folded, so that the
/// same query with other values counts once.
pub fn shape(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                let quote = c;
                let mut escaped = false;
                for n in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if n == '\\' {
                        escaped = true;
                    } else if n == quote {
                        break;
                    }
                }
                out.push('?');
            }
            c if c.is_ascii_digit()
                && !out.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '_') =>
            {
                while chars.peek().is_some_and(|n| {
                    n.is_ascii_alphanumeric() || *n == '.' || *n == '-' || *n == ':'
                }) {
                    chars.next();
                }
                out.push('?');
            }
            c if c.is_whitespace() => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    let mut folded = out.replace("NULL", "?");
    loop {
        let next = folded
            .replace("??", "?")
            .replace("?, ?", "?")
            .replace("(?), (?)", "(?)");
        if next == folded {
            return next;
        }
        folded = next;
    }
}

fn column_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(ident.value.to_lowercase()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.to_lowercase()),
        Expr::Nested(inner) => column_name(inner),
        _ => None,
    }
}

pub fn check(sql: &str) -> Verdict {
    let lower = sql.to_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    if !matches!(
        first,
        "select" | "insert" | "update" | "delete" | "replace" | "with"
    ) {
        return Verdict::Skipped;
    }
    let statements = match Parser::parse_sql(&MySqlDialect {}, sql) {
        Ok(statements) => statements,
        Err(e) => {
            let known = SHARDED.iter().any(|(t, _)| lower.contains(t));
            return if known {
                Verdict::Violation(vec![format!("does not parse as MySQL: {e}")])
            } else {
                Verdict::Skipped
            };
        }
    };
    let mut reasons = Vec::new();
    let mut touched_any = false;
    let mut allowed = None;
    for statement in &statements {
        let mut tables = Vec::new();
        let _ = visit_relations(statement, |relation| {
            if let Some(last) = relation.0.last() {
                tables.push(last.to_string().trim_matches('`').to_lowercase());
            }
            ControlFlow::<()>::Continue(())
        });
        let sharded: Vec<&(&str, &[&str])> = SHARDED
            .iter()
            .filter(|(name, _)| tables.iter().any(|t| t == name))
            .collect();
        touched_any |= !tables.is_empty()
            && tables
                .iter()
                .all(|t| GLOBAL.contains(&t.as_str()) || SHARDED.iter().any(|(s, _)| s == t))
            || !sharded.is_empty();

        // Constructs outside the MySQL 8.0 ∩ MariaDB ∩ Vitess subset.
        let _ = visit_expressions(statement, |expr| {
            match expr {
                Expr::Function(f) if f.over.is_some() => {
                    reasons.push("window function".to_owned());
                }
                Expr::BinaryOp {
                    op: BinaryOperator::StringConcat,
                    ..
                } => reasons.push("`||` (OR on MySQL, concatenation elsewhere)".to_owned()),
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        if lower.contains(" returning ") {
            reasons.push("RETURNING".to_owned());
        }

        for (table, columns) in sharded {
            match statement {
                Statement::Insert(insert) => {
                    let named: Vec<String> = insert
                        .columns
                        .iter()
                        .filter_map(|c| {
                            c.0.last()
                                .map(|p| p.to_string().trim_matches('`').to_lowercase())
                        })
                        .collect();
                    if !named.iter().any(|c| c == columns[0]) {
                        reasons.push(format!(
                            "INSERT into {table} without its vindex column {}",
                            columns[0]
                        ));
                    }
                    if let Some(OnInsert::DuplicateKeyUpdate(assignments)) = &insert.on {
                        for assignment in assignments {
                            if let AssignmentTarget::ColumnName(name) = &assignment.target {
                                let column = name
                                    .0
                                    .last()
                                    .map(|p| p.to_string().trim_matches('`').to_lowercase())
                                    .unwrap_or_default();
                                if columns.contains(&column.as_str()) {
                                    reasons.push(format!(
                                        "upsert assigns the vindex column {table}.{column}"
                                    ));
                                }
                            }
                        }
                    }
                }
                _ => {
                    let mut routed = false;
                    let _ = visit_expressions(statement, |expr| {
                        let column = match expr {
                            Expr::BinaryOp {
                                left,
                                op: BinaryOperator::Eq,
                                right,
                            } => column_name(left).or_else(|| column_name(right)),
                            Expr::In {
                                expr,
                                negated: false,
                                ..
                            } => column_name(expr),
                            _ => None,
                        };
                        if column.is_some_and(|c| columns.contains(&c.as_str())) {
                            routed = true;
                            return ControlFlow::Break(());
                        }
                        ControlFlow::Continue(())
                    });
                    if !routed {
                        match ALLOWLIST
                            .iter()
                            .find(|(_, _, marks)| marks.iter().all(|m| lower.contains(m)))
                        {
                            Some((name, _, _)) => allowed = Some(*name),
                            None => reasons.push(format!(
                                "{table} without `{} = ?` or `{} IN (…)`: a scatter query",
                                columns[0], columns[0]
                            )),
                        }
                    }
                }
            }
        }
    }
    if !reasons.is_empty() {
        reasons.dedup();
        Verdict::Violation(reasons)
    } else if let Some(name) = allowed {
        Verdict::Allowed(name)
    } else if touched_any {
        Verdict::Routed
    } else {
        Verdict::Skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violates(sql: &str) -> bool {
        matches!(check(sql), Verdict::Violation(_))
    }

    #[test]
    fn single_user_statements_route() {
        for sql in [
            "SELECT `transactions`.`id` FROM `transactions` WHERE `transactions`.`user_id` = 5 AND `transactions`.`month` = 202611",
            "SELECT * FROM `accounts` WHERE `accounts`.`user_id` IN (1, 2, 3)",
            "UPDATE `accounts` SET `status` = 'ACTIVE' WHERE `accounts`.`user_id` = 1 AND `accounts`.`id` = 2",
            "DELETE FROM `monthly_spending` WHERE `monthly_spending`.`user_id` = 1 AND `monthly_spending`.`month` IN (202611)",
            "SELECT * FROM `users` WHERE `users`.`email_normalized` = 'a@b.co' LIMIT 1",
            "INSERT INTO `transactions` (`user_id`, `id`, `amount_cents`) VALUES (1, 2, 3) ON DUPLICATE KEY UPDATE `amount_cents` = VALUES(`amount_cents`)",
            "SELECT * FROM `seller_votes` WHERE `seller` IN ('A', 'B')",
        ] {
            assert!(
                matches!(check(sql), Verdict::Routed),
                "{sql}: {:?}",
                check(sql)
            );
        }
    }

    #[test]
    fn scatter_queries_upserts_of_vindex_columns_and_forbidden_constructs_fail() {
        assert!(violates(
            "SELECT * FROM `transactions` WHERE `transactions`.`account_id` = 7"
        ));
        assert!(violates(
            "UPDATE `accounts` SET `status` = 'X' WHERE `accounts`.`id` = 2"
        ));
        assert!(violates(
            "DELETE FROM `notifications` WHERE `notifications`.`user_id` > 5"
        ));
        assert!(violates(
            "INSERT INTO `accounts` (`id`, `status`) VALUES (1, 'X')"
        ));
        assert!(violates(
            "INSERT INTO `accounts` (`user_id`, `id`) VALUES (1, 2) ON DUPLICATE KEY UPDATE `user_id` = 3"
        ));
        assert!(violates(
            "SELECT `id`, ROW_NUMBER() OVER (ORDER BY `id`) FROM `transactions` WHERE `user_id` = 1"
        ));
        assert!(violates(
            "INSERT INTO `notifications` (`user_id`, `id`) VALUES (1, 2) RETURNING `id`"
        ));
    }

    #[test]
    fn the_daily_scan_is_allowed_by_name() {
        let scan = "SELECT `users`.`id` FROM `users` WHERE `users`.`id` > 0 AND `users`.`last_active_at` >= '2026-10-21 00:00:00.000000' ORDER BY `users`.`id` ASC LIMIT 500";
        assert_eq!(check(scan), Verdict::Allowed("daily-sync user scan"));
    }

    #[test]
    fn session_statements_and_ddl_are_skipped() {
        for sql in [
            "SET NAMES utf8mb4",
            "COMMIT",
            "CREATE TABLE IF NOT EXISTS `x` (`id` bigint)",
            "SELECT 1",
        ] {
            assert_eq!(check(sql), Verdict::Skipped, "{sql}");
        }
    }

    #[test]
    fn shapes_fold_values_and_lists() {
        assert_eq!(
            shape("SELECT * FROM t WHERE a = 5 AND b IN (1, 2, 3) AND c = 'x''y'"),
            shape("SELECT * FROM t WHERE a = 7 AND b IN (9) AND c = 'z'")
        );
        assert_eq!(
            shape("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')"),
            shape("INSERT INTO t (a, b) VALUES (3, 'z')")
        );
    }
}
