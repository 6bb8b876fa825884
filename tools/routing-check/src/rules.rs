//! The routing rules (DESIGN.md §5) for one statement.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, Expr, InTarget, ObjectName, OnInsert, SetExpr, Statement,
    TableFactor, TableObject, Value, Visit, Visitor, visit_expressions, visit_relations,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

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
];

/// Unsharded tables (keyspace `moneta_global`, or reference copies).
const GLOBAL: &[&str] = &["user_emails", "seller_votes", "sellers", "seaql_migrations"];

/// Reviewed scatter queries, by name, with the reason each is allowed and
/// how it is recognised (all fragments present in the statement).
pub const ALLOWLIST: &[(&str, &str, &[&str])] = &[
    (
        "daily-sync user scan",
        "the daily job scans users active in the last 30 days: keyset on users.id, LIMIT 500 — a bounded, reviewed scatter query",
        &[
            "from `users`",
            "`users`.`id` >",
            "`users`.`last_active_at` >=",
            "limit",
        ],
    ),
    (
        "erasure resume scan",
        "the hourly resume-erasures job finds users whose deletion stopped half-way: keyset on users.id among users with deleted_at set (indexed), LIMIT 500; each erasure then runs per user",
        &[
            "select `users`.`id` from `users`",
            "`users`.`id` >",
            "`users`.`deleted_at` <",
            "limit",
        ],
    ),
    (
        "retention refresh-token scan",
        "the daily retention job finds tokens expired or revoked past the horizon: keyset on (user_id, id), LIMIT 500, reading only keys; the deletes are per user",
        &[
            "select `refresh_tokens`.`user_id`, `refresh_tokens`.`id` from `refresh_tokens`",
            "(`refresh_tokens`.`user_id`, `refresh_tokens`.`id`) >",
            "`refresh_tokens`.`expires_at` <",
            "`refresh_tokens`.`revoked_at` <",
            "limit",
        ],
    ),
    (
        "retention notification scan",
        "the daily retention job finds read sync notifications and budget alerts past their horizons: keyset on (user_id, id), LIMIT 500, reading only keys; the deletes are per user",
        &[
            "select `notifications`.`user_id`, `notifications`.`id` from `notifications`",
            "(`notifications`.`user_id`, `notifications`.`id`) >",
            "`notifications`.`kind` in",
            "`notifications`.`created_at` <",
            "limit",
        ],
    ),
    (
        "spending sweep scan",
        "the every-minute sweeper finds users with a spending change left unsettled past its horizon (a dead process): keyset on user_id of a table whose rows live for one change, LIMIT 500, reading only keys; each settle then runs per user",
        &[
            "select distinct `spending_changes`.`user_id` from `spending_changes`",
            "`spending_changes`.`user_id` >",
            "`spending_changes`.`marked_at` <",
            "limit",
        ],
    ),
];

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
        let tables = tables_of(statement);
        let sharded: Vec<&(&str, &[&str])> = SHARDED
            .iter()
            .filter(|(name, _)| tables.iter().any(|t| t == name))
            .collect();
        touched_any |= !tables.is_empty()
            && tables
                .iter()
                .all(|t| GLOBAL.contains(&t.as_str()) || SHARDED.iter().any(|(s, _)| s == t))
            || !sharded.is_empty();
        outside_the_subset(statement, &lower, &mut reasons);
        for (table, columns) in sharded {
            match statement {
                Statement::Insert(insert) => {
                    insert_violations(insert, table, columns, &mut reasons);
                }
                _ if routes(statement, columns) => {}
                _ => match ALLOWLIST
                    .iter()
                    .find(|(_, _, marks)| marks.iter().all(|m| lower.contains(m)))
                {
                    Some((name, _, _)) => allowed = Some(*name),
                    None => reasons.push(format!(
                        "{table} without `{} = ?` or `{} IN (…)`: a scatter query",
                        columns[0], columns[0]
                    )),
                },
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

/// An insert into a sharded table names its vindex column and, as an
/// upsert, never assigns a vindex column.
fn insert_violations(
    insert: &sqlparser::ast::Insert,
    table: &str,
    columns: &[&str],
    reasons: &mut Vec<String>,
) {
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
                    reasons.push(format!("upsert assigns the vindex column {table}.{column}"));
                }
            }
        }
    }
}

/// Whether the statement pins one of the routing `columns` with `= ?` or
/// `IN (…)`.
fn routes(statement: &Statement, columns: &[&str]) -> bool {
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
    routed
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
        let skipping_deleted = "SELECT `users`.`id` FROM `users` WHERE `users`.`id` > 0 AND `users`.`last_active_at` >= '2026-10-21 00:00:00.000000' AND `users`.`deleted_at` IS NULL ORDER BY `users`.`id` ASC LIMIT 500";
        assert_eq!(
            check(skipping_deleted),
            Verdict::Allowed("daily-sync user scan")
        );
    }

    #[test]
    fn the_erasure_resume_scan_is_allowed_by_name_and_its_deletes_route() {
        let scan = "SELECT `users`.`id` FROM `users` WHERE `users`.`id` > 0 AND `users`.`deleted_at` < '2026-12-01 11:45:00.000000' ORDER BY `users`.`id` ASC LIMIT 500";
        assert_eq!(check(scan), Verdict::Allowed("erasure resume scan"));
        assert!(violates(
            "DELETE FROM `users` WHERE `users`.`deleted_at` < '2026-12-01'"
        ));
        for sql in [
            "DELETE FROM `transactions` WHERE `transactions`.`user_id` = 5 AND `transactions`.`id` IN (1, 2)",
            "DELETE FROM `monthly_spending` WHERE `monthly_spending`.`user_id` = 5 AND `monthly_spending`.`month` IN (202611, 202612)",
            "DELETE FROM `users` WHERE `users`.`id` = 5 AND `users`.`deleted_at` IS NOT NULL",
        ] {
            assert_eq!(check(sql), Verdict::Routed, "{sql}");
        }
    }

    #[test]
    fn the_spending_sweep_is_allowed_by_name_and_its_settling_routes() {
        let scan = "SELECT DISTINCT `spending_changes`.`user_id` FROM `spending_changes` WHERE `spending_changes`.`user_id` > -9223372036854775808 AND `spending_changes`.`marked_at` < '2026-12-01 11:45:00.000000' ORDER BY `spending_changes`.`user_id` ASC LIMIT 500";
        assert_eq!(check(scan), Verdict::Allowed("spending sweep scan"));
        assert!(violates(
            "DELETE FROM `spending_changes` WHERE `spending_changes`.`marked_at` < '2026-12-01'"
        ));
        for sql in [
            "SELECT `spending_changes`.`user_id`, `spending_changes`.`month`, `spending_changes`.`change_id`, `spending_changes`.`marked_at` FROM `spending_changes` WHERE `spending_changes`.`user_id` = 5",
            "DELETE FROM `spending_changes` WHERE `spending_changes`.`user_id` = 5 AND ((`spending_changes`.`month` = 202611 AND `spending_changes`.`change_id` = 9) OR (`spending_changes`.`month` = 202612 AND `spending_changes`.`change_id` = 9))",
            "INSERT INTO `spending_changes` (`user_id`, `month`, `change_id`, `marked_at`) VALUES (5, 202611, 9, '2026-12-01 00:00:00') ON DUPLICATE KEY UPDATE `change_id` = VALUES(`change_id`), `marked_at` = VALUES(`marked_at`)",
        ] {
            assert_eq!(check(sql), Verdict::Routed, "{sql}");
        }
    }

    #[test]
    fn the_retention_scans_are_allowed_by_name_and_their_deletes_route() {
        let tokens = "SELECT `refresh_tokens`.`user_id`, `refresh_tokens`.`id` FROM `refresh_tokens` WHERE (`refresh_tokens`.`user_id`, `refresh_tokens`.`id`) > (-9223372036854775808, -9223372036854775808) AND (`refresh_tokens`.`expires_at` < '2027-05-16 12:00:00.000000' OR `refresh_tokens`.`revoked_at` < '2027-05-16 12:00:00.000000') ORDER BY `refresh_tokens`.`user_id` ASC, `refresh_tokens`.`id` ASC LIMIT 500";
        assert_eq!(
            check(tokens),
            Verdict::Allowed("retention refresh-token scan")
        );
        let notifications = "SELECT `notifications`.`user_id`, `notifications`.`id` FROM `notifications` WHERE (`notifications`.`user_id`, `notifications`.`id`) > (5, 7) AND ((`notifications`.`kind` IN ('SYNC_COMPLETED', 'SYNC_FAILED') AND `notifications`.`is_read` = TRUE AND `notifications`.`created_at` < '2027-05-16 12:00:00.000000') OR (`notifications`.`kind` IN ('BUDGET_APPROACHING', 'BUDGET_EXCEEDED') AND `notifications`.`created_at` < '2026-05-15 12:00:00.000000')) ORDER BY `notifications`.`user_id` ASC, `notifications`.`id` ASC LIMIT 500";
        assert_eq!(
            check(notifications),
            Verdict::Allowed("retention notification scan")
        );
        // The deletes go per user; without the user they are scatter writes.
        assert!(matches!(
            check(
                "DELETE FROM `notifications` WHERE `notifications`.`user_id` = 5 AND `notifications`.`id` IN (7, 8) AND `notifications`.`created_at` < '2027-05-16'"
            ),
            Verdict::Routed
        ));
        assert!(violates(
            "DELETE FROM `refresh_tokens` WHERE `refresh_tokens`.`expires_at` < '2027-05-16'"
        ));
        // A scan of the whole row is not the reviewed one.
        assert!(violates(
            "SELECT * FROM `refresh_tokens` WHERE (`refresh_tokens`.`user_id`, `refresh_tokens`.`id`) > (1, 2) AND `refresh_tokens`.`expires_at` < '2027-05-16' LIMIT 500"
        ));
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
