//! The routing rules (DESIGN.md §5) for one statement.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, InTarget, ObjectName, SetExpr, Statement, TableFactor, TableObject,
    Value, Visit, Visitor, visit_expressions, visit_relations,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

/// Unsharded tables (keyspace `moneta_global`, or reference copies).
const GLOBAL: &[&str] = &["user_emails", "seller_votes", "sellers", "seaql_migrations"];

/// Sharded tables and the columns that route them: the primary vindex
/// (`user_id`; `users.id`) and lookup vindexes (`users.email_normalized`).
/// The first column holds the user id itself.
const SHARDED: &[(&str, &[&str])] = &[
    ("users", &["id", "email_normalized"]),
    ("refresh_tokens", &["user_id"]),
    ("accounts", &["user_id"]),
    ("transactions", &["user_id"]),
    ("monthly_spending", &["user_id"]),
    ("budget_overrides", &["user_id"]),
    ("spending_changes", &["user_id"]),
    ("notifications", &["user_id"]),
    ("user_seller_votes", &["user_id"]),
    ("category_rules", &["user_id"]),
    ("rule_applications", &["user_id"]),
    ("rule_application_changes", &["user_id"]),
    ("transfers", &["user_id"]),
    ("imports", &["user_id"]),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not a statement on our tables (session setup, DDL, pings), or one
    /// sqlparser cannot read (vtexplain judges those).
    Skipped,
    /// Within the SQL subset.
    Checked,
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

/// DESIGN.md §5 rule 5 for one statement on our tables: no constructs
/// outside the MySQL 8.0 ∩ MariaDB ∩ Vitess subset that vtgate's planner
/// accepts anyway (window functions, `||`) or that only some engines have
/// (`RETURNING`). Routing (rule 1), the vindex column of inserts and
/// upserts (rule 3) are vtgate's to judge: `vtexplain` plans every
/// statement (`crate::vtexplain`).
pub fn check(sql: &str) -> Verdict {
    let lower = sql.to_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    if !matches!(
        first,
        "select" | "insert" | "update" | "delete" | "replace" | "with"
    ) {
        return Verdict::Skipped;
    }
    let Ok(statements) = Parser::parse_sql(&MySqlDialect {}, sql) else {
        return Verdict::Skipped;
    };
    let mut reasons = Vec::new();
    let mut ours = false;
    for statement in &statements {
        ours |= tables_of(statement)
            .iter()
            .any(|t| SHARDED.iter().any(|(s, _)| s == t) || GLOBAL.contains(&t.as_str()));
        outside_the_subset(statement, &lower, &mut reasons);
    }
    if !reasons.is_empty() {
        reasons.dedup();
        Verdict::Violation(reasons)
    } else if ours {
        Verdict::Checked
    } else {
        Verdict::Skipped
    }
}

/// The tables a statement names, lower-cased, without their schema.
fn tables_of(statement: &Statement) -> Vec<String> {
    let mut tables = Vec::new();
    let _ = visit_relations(statement, |relation| {
        if let Some(last) = relation.0.last() {
            tables.push(last.to_string().trim_matches('`').to_lowercase());
        }
        ControlFlow::<()>::Continue(())
    });
    tables
}

/// Constructs outside the MySQL 8.0 ∩ MariaDB ∩ Vitess subset.
fn outside_the_subset(statement: &Statement, lower: &str, reasons: &mut Vec<String>) {
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
}

/// The tables a statement reads or writes, each with its alias if it has one.
#[derive(Default)]
struct Relations(Vec<(String, Option<String>)>);

fn last_part(name: &ObjectName) -> String {
    name.0
        .last()
        .map(|p| p.to_string().trim_matches('`').to_lowercase())
        .unwrap_or_default()
}

impl Visitor for Relations {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<()> {
        self.0.push((last_part(relation), None));
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            alias: Some(alias),
            ..
        } = factor
        {
            self.0
                .push((last_part(name), Some(alias.name.value.to_lowercase())));
        }
        ControlFlow::Continue(())
    }
}

/// The user-id column (the primary vindex column, `SHARDED[..].1[0]`) of a
/// sharded table.
fn user_id_column(table: &str) -> Option<&'static str> {
    SHARDED
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, columns)| columns[0])
}

impl Relations {
    /// Whether `expr` names the user-id column of a sharded table of the
    /// statement. A qualified column resolves its qualifier through the
    /// aliases and table names; an unqualified one counts only when every
    /// table of the statement is sharded with that user-id column (so
    /// `id` is the user id only in a statement on `users` alone).
    fn is_user_id(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Nested(inner) => self.is_user_id(inner),
            Expr::Identifier(ident) => {
                let column = ident.value.to_lowercase();
                !self.0.is_empty()
                    && self
                        .0
                        .iter()
                        .all(|(table, _)| user_id_column(table) == Some(column.as_str()))
            }
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let column = parts[parts.len() - 1].value.to_lowercase();
                let qualifier = parts[parts.len() - 2].value.to_lowercase();
                let table = self
                    .0
                    .iter()
                    .find(|(_, alias)| alias.as_deref() == Some(qualifier.as_str()))
                    .or_else(|| self.0.iter().find(|(name, _)| *name == qualifier))
                    .map(|(name, _)| name.as_str());
                table.and_then(user_id_column) == Some(column.as_str())
            }
            _ => false,
        }
    }
}

/// A literal value, canonical (an integer in decimal whether it was written
/// as a number or a string).
fn literal(expr: &Expr) -> Option<String> {
    let text = match expr {
        Expr::Nested(inner) => return literal(inner),
        Expr::Value(value) => match &value.value {
            Value::Number(n, _) => n.clone(),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
            _ => return None,
        },
        _ => return None,
    };
    let text = text.trim();
    Some(match text.parse::<i128>() {
        Ok(n) => n.to_string(),
        Err(_) => text.to_owned(),
    })
}

/// The literal user ids a statement binds on sharded tables: the values
/// of `user_id = …` / `user_id IN (…)` predicates (`users.id` for
/// `users`), including tuple `IN` lists, and the `user_id` values of the
/// rows an `INSERT`/`REPLACE … VALUES` writes. Placeholders, expressions and
/// the lookup vindex (`users.email_normalized`, an email, not an id) bind
/// nothing here. Empty for statements that touch no sharded table or do not
/// parse.
pub fn bound_user_ids(sql: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let lower = sql.to_lowercase();
    if !SHARDED.iter().any(|(table, _)| lower.contains(table)) {
        return ids;
    }
    let Ok(statements) = Parser::parse_sql(&MySqlDialect {}, sql) else {
        return ids;
    };
    for statement in &statements {
        let mut relations = Relations::default();
        let _ = statement.visit(&mut relations);
        if let Statement::Insert(insert) = statement
            && let TableObject::TableName(name) = &insert.table
        {
            let table = last_part(name);
            if let Some(alias) = &insert.table_alias {
                relations
                    .0
                    .push((table.clone(), Some(alias.alias.value.to_lowercase())));
            }
            let position = user_id_column(&table)
                .and_then(|column| insert.columns.iter().position(|c| last_part(c) == column));
            if let (Some(position), Some(source)) = (position, &insert.source)
                && let SetExpr::Values(values) = source.body.as_ref()
            {
                ids.extend(
                    values
                        .rows
                        .iter()
                        .filter_map(|row| row.content.get(position).and_then(literal)),
                );
            }
        }
        let _ = visit_expressions(statement, |expr| {
            match expr {
                Expr::BinaryOp {
                    left,
                    op: BinaryOperator::Eq,
                    right,
                } => {
                    if relations.is_user_id(left) {
                        ids.extend(literal(right));
                    } else if relations.is_user_id(right) {
                        ids.extend(literal(left));
                    }
                }
                Expr::In {
                    expr,
                    target: InTarget::List(list),
                    negated: false,
                    ..
                } => match expr.as_ref() {
                    Expr::Tuple(columns) => {
                        for (i, column) in columns.iter().enumerate() {
                            if relations.is_user_id(column) {
                                ids.extend(list.iter().filter_map(|item| match item {
                                    Expr::Tuple(values) => values.get(i).and_then(literal),
                                    _ => None,
                                }));
                            }
                        }
                    }
                    column if relations.is_user_id(column) => {
                        ids.extend(list.iter().filter_map(literal));
                    }
                    _ => {}
                },
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violates(sql: &str) -> bool {
        matches!(check(sql), Verdict::Violation(_))
    }

    #[test]
    fn statements_within_the_subset_pass_whatever_their_routing() {
        // Routing is vtexplain's to judge now: a scatter passes here.
        for sql in [
            "SELECT `transactions`.`id` FROM `transactions` WHERE `transactions`.`user_id` = 5 AND `transactions`.`month` = 202611",
            "SELECT * FROM `transactions` WHERE `transactions`.`account_id` = 7",
            "INSERT INTO `transactions` (`user_id`, `id`, `amount_cents`) VALUES (1, 2, 3) ON DUPLICATE KEY UPDATE `amount_cents` = VALUES(`amount_cents`)",
            "SELECT * FROM `seller_votes` WHERE `seller` IN ('A', 'B')",
        ] {
            assert_eq!(check(sql), Verdict::Checked, "{sql}");
        }
    }

    #[test]
    fn constructs_outside_the_subset_fail() {
        // vtgate plans these two on one shard; MariaDB or MySQL differ on them.
        assert!(violates(
            "SELECT `id`, ROW_NUMBER() OVER (ORDER BY `id`) FROM `transactions` WHERE `user_id` = 1"
        ));
        assert!(violates(
            "SELECT `id` FROM `transactions` WHERE `user_id` = 1 AND (`month` || 'x')"
        ));
        assert!(violates(
            "INSERT INTO `notifications` (`user_id`, `id`) VALUES (1, 2) RETURNING `id`"
        ));
    }

    #[test]
    fn session_statements_ddl_and_other_tables_are_skipped() {
        for sql in [
            "SET NAMES utf8mb4",
            "COMMIT",
            "CREATE TABLE IF NOT EXISTS `x` (`id` bigint)",
            "SELECT 1",
            "SELECT * FROM `information_schema`.`columns`",
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

    fn users(sql: &str) -> Vec<String> {
        bound_user_ids(sql).into_iter().collect()
    }

    #[test]
    fn bound_user_ids_come_from_vindex_predicates_and_inserted_rows() {
        assert_eq!(
            users(
                "SELECT `transactions`.`id` FROM `transactions` WHERE `transactions`.`user_id` = 5 AND `transactions`.`id` IN (6, 7)"
            ),
            ["5"]
        );
        assert_eq!(
            users(
                "DELETE FROM `monthly_spending` WHERE `user_id` IN (1, '2') AND `month` = 202611"
            ),
            ["1", "2"]
        );
        assert_eq!(
            users("SELECT * FROM `accounts` AS a WHERE a.user_id = 3 OR 4 = `a`.`user_id`"),
            ["3", "4"]
        );
        assert_eq!(
            users(
                "SELECT * FROM `accounts` WHERE (`accounts`.`user_id`, `accounts`.`id`) IN ((1, 10), (2, 20))"
            ),
            ["1", "2"]
        );
        assert_eq!(
            users(
                "INSERT INTO `transactions` (`id`, `user_id`, `amount_cents`) VALUES (10, 1, 3), (11, 2, 4) ON DUPLICATE KEY UPDATE `amount_cents` = VALUES(`amount_cents`)"
            ),
            ["1", "2"]
        );
        // `users` is keyed by `id`; other tables' `id` is not a user id.
        assert_eq!(
            users(
                "UPDATE `users` SET `last_active_at` = NOW() WHERE `users`.`id` = 120038332997988352"
            ),
            ["120038332997988352"]
        );
        assert_eq!(users("SELECT * FROM users WHERE id = 8"), ["8"]);
        assert_eq!(
            users(
                "INSERT INTO `users` (`id`, `email`, `email_normalized`) VALUES (9, 'A@b.co', 'a@b.co')"
            ),
            ["9"]
        );
        assert!(users("UPDATE `accounts` SET `status` = 'X' WHERE `accounts`.`id` = 2").is_empty());
        assert!(
            users("SELECT * FROM `users` WHERE `users`.`email_normalized` = 'a@b.co'").is_empty()
        );
        // Global tables bind nothing, whatever their columns.
        assert!(
            users(
                "INSERT INTO `seller_votes` (`seller`, `category`, `votes`) VALUES ('A', 'FOOD', 1)"
            )
            .is_empty()
        );
        assert!(users("SELECT * FROM `user_emails` WHERE `user_id` = 4").is_empty());
        assert!(users("COMMIT").is_empty());
    }
}
