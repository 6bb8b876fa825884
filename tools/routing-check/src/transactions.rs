//! DESIGN.md §5 rule 2, "one database transaction touches one user", over
//! the captured log: the statements of each connection (MariaDB thread id)
//! are replayed in order, cut into transactions at their boundaries, and
//! every transaction whose statements bind more than one user id on the
//! sharded tables is a violation.
//!
//! A connection is reused across transactions, and the suite runs many
//! tests at once on as many connections, so a transaction is delimited by
//! its boundaries within one thread id, never by the thread alone:
//!
//! - `BEGIN [WORK]` / `START TRANSACTION …` open one (what sqlx, under
//!   SeaORM, sends) and implicitly commit any open one;
//! - `COMMIT` / `ROLLBACK` (not `ROLLBACK TO SAVEPOINT`) close it, `… AND
//!   CHAIN` opens the next;
//! - `SET autocommit = 0` makes every statement from there on part of a
//!   transaction that the next `COMMIT`/`ROLLBACK` closes and a new one
//!   follows; `SET autocommit = 1` commits it and ends that mode;
//! - DDL (`CREATE`, `ALTER`, `DROP`, `TRUNCATE`, `RENAME`, `LOCK`)
//!   commits implicitly.
//!
//! Outside a transaction (autocommit), each write (`INSERT`, `UPDATE`,
//! `DELETE`, `REPLACE`) is a transaction of its own and is checked as one;
//! a read outside a transaction holds nothing and reads of several users
//! (`user_id IN (…)`) are allowed by rule 1, so those are not counted.

use std::collections::{BTreeMap, BTreeSet};

use crate::rules;

/// What a statement does to the connection's transaction state.
#[derive(Debug, PartialEq, Eq)]
pub enum Control {
    Begin,
    /// `COMMIT` or `ROLLBACK`; `chain` for `… AND CHAIN`.
    End {
        chain: bool,
    },
    /// `SET autocommit = 0` (`false`) or `= 1` (`true`).
    Autocommit(bool),
    /// A statement that commits implicitly (DDL).
    ImplicitCommit,
    /// Any other statement: part of the current transaction, if any.
    Statement,
}

pub fn control(sql: &str) -> Control {
    let lower = sql.trim().trim_end_matches(';').to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    match words.as_slice() {
        ["begin"] | ["begin", "work"] => Control::Begin,
        ["start", "transaction", ..] => Control::Begin,
        ["commit" | "rollback", rest @ ..] => {
            let rest = rest.join(" ");
            if rest.starts_with("to ") || rest.contains(" to ") || rest == "to" {
                // ROLLBACK [WORK] TO [SAVEPOINT] x: the transaction goes on.
                Control::Statement
            } else {
                Control::End {
                    chain: rest.contains("and chain"),
                }
            }
        }
        ["set", ..] => {
            autocommit_assignment(&lower).map_or(Control::Statement, Control::Autocommit)
        }
        [
            "create" | "alter" | "drop" | "truncate" | "rename" | "lock",
            ..,
        ] => Control::ImplicitCommit,
        _ => Control::Statement,
    }
}

/// The value a `SET` statement gives `autocommit` (`SET autocommit = 0`,
/// `SET @@session.autocommit=OFF`, or among other assignments), if any.
/// (A comma inside another assignment's value may split it, but cannot
/// make a name `autocommit`.)
fn autocommit_assignment(lower: &str) -> Option<bool> {
    let assignments = lower.trim_start().strip_prefix("set")?;
    assignments.split(',').find_map(|assignment| {
        let (name, value) = assignment.split_once('=')?;
        let name = name.trim();
        let name = name
            .strip_prefix("session ")
            .or_else(|| name.strip_prefix("local "))
            .unwrap_or(name)
            .trim();
        let name = ["@@session.", "@@local.", "@@"]
            .iter()
            .find_map(|prefix| name.strip_prefix(prefix))
            .unwrap_or(name);
        if name != "autocommit" {
            return None;
        }
        match value.trim().trim_end_matches(';').trim().trim_matches('\'') {
            "0" | "off" | "false" => Some(false),
            "1" | "on" | "true" => Some(true),
            _ => None,
        }
    })
}

fn is_write(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(first.as_str(), "insert" | "update" | "delete" | "replace")
}

/// One statement of a transaction and the user ids it binds.
#[derive(Debug, Clone)]
pub struct Bound {
    pub sql: String,
    pub users: BTreeSet<String>,
}

/// A transaction that binds more than one user.
#[derive(Debug)]
pub struct CrossUser {
    pub thread: String,
    /// The distinct user ids, in the order the transaction first bound them.
    pub users: Vec<String>,
    pub statements: Vec<Bound>,
    /// False for a single write outside any transaction (autocommit).
    pub explicit: bool,
}

#[derive(Default)]
struct Session {
    /// `SET autocommit = 0` is in force.
    manual: bool,
    open: Option<Vec<Bound>>,
}

/// Replays the log, statement by statement, in order.
#[derive(Default)]
pub struct Tracker {
    sessions: BTreeMap<String, Session>,
    /// Transactions with at least one statement, closed so far.
    pub transactions: usize,
    /// Writes outside any transaction, each checked as its own transaction.
    pub single_writes: usize,
    pub violations: Vec<CrossUser>,
}

impl Tracker {
    pub fn feed(&mut self, thread: &str, sql: &str) {
        let session = self.sessions.entry(thread.to_owned()).or_default();
        let mut closed = None;
        match control(sql) {
            Control::Begin => {
                closed = session.open.replace(Vec::new());
            }
            Control::End { chain } => {
                closed = session.open.take();
                if chain || session.manual {
                    session.open = Some(Vec::new());
                }
            }
            Control::Autocommit(false) => {
                session.manual = true;
                session.open.get_or_insert_with(Vec::new);
            }
            Control::Autocommit(true) => {
                if session.manual {
                    closed = session.open.take();
                }
                session.manual = false;
            }
            Control::ImplicitCommit => {
                if session.open.is_some() {
                    closed = session.open.take();
                    if session.manual {
                        session.open = Some(Vec::new());
                    }
                }
            }
            Control::Statement => {
                let bound = Bound {
                    sql: sql.to_owned(),
                    users: BTreeSet::new(),
                };
                match &mut session.open {
                    Some(statements) => {
                        statements.push(Bound {
                            users: rules::bound_user_ids(sql),
                            ..bound
                        });
                    }
                    None if is_write(sql) => {
                        self.single_writes += 1;
                        let bound = Bound {
                            users: rules::bound_user_ids(sql),
                            ..bound
                        };
                        self.close(thread, vec![bound], false);
                    }
                    None => {}
                }
            }
        }
        if let Some(statements) = closed {
            self.close(thread, statements, true);
        }
    }

    /// Closes the transactions still open at the end of the log (a
    /// connection dropped mid-transaction, or a log cut short): what they
    /// sent was still sent as one transaction.
    pub fn finish(&mut self) {
        let open: Vec<(String, Vec<Bound>)> = self
            .sessions
            .iter_mut()
            .filter_map(|(thread, session)| session.open.take().map(|s| (thread.clone(), s)))
            .collect();
        for (thread, statements) in open {
            self.close(&thread, statements, true);
        }
    }

    fn close(&mut self, thread: &str, statements: Vec<Bound>, explicit: bool) {
        if statements.is_empty() {
            return;
        }
        if explicit {
            self.transactions += 1;
        }
        let mut users: Vec<String> = Vec::new();
        for user in statements.iter().flat_map(|s| &s.users) {
            if !users.contains(user) {
                users.push(user.clone());
            }
        }
        if users.len() > 1 {
            self.violations.push(CrossUser {
                thread: thread.to_owned(),
                users,
                statements,
                explicit,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(log: &[(&str, &str)]) -> Tracker {
        let mut tracker = Tracker::default();
        for (thread, sql) in log {
            tracker.feed(thread, sql);
        }
        tracker.finish();
        tracker
    }

    #[test]
    fn boundaries_are_recognised() {
        assert_eq!(control("BEGIN"), Control::Begin);
        assert_eq!(control("begin work;"), Control::Begin);
        assert_eq!(
            control("START TRANSACTION ISOLATION LEVEL READ COMMITTED"),
            Control::Begin
        );
        assert_eq!(control("START TRANSACTION READ ONLY"), Control::Begin);
        assert_eq!(control("COMMIT"), Control::End { chain: false });
        assert_eq!(control("ROLLBACK WORK"), Control::End { chain: false });
        assert_eq!(control("COMMIT AND CHAIN"), Control::End { chain: true });
        assert_eq!(
            control("ROLLBACK AND NO CHAIN"),
            Control::End { chain: false }
        );
        assert_eq!(
            control("ROLLBACK TO SAVEPOINT _sqlx_savepoint_1"),
            Control::Statement
        );
        assert_eq!(control("SAVEPOINT _sqlx_savepoint_1"), Control::Statement);
        assert_eq!(control("SET autocommit=0"), Control::Autocommit(false));
        assert_eq!(
            control("SET @@session.autocommit = OFF"),
            Control::Autocommit(false)
        );
        assert_eq!(
            control("SET NAMES utf8mb4, autocommit = 1"),
            Control::Autocommit(true)
        );
        assert_eq!(
            control(
                "SET sql_mode=(SELECT CONCAT(@@sql_mode, ',NO_ENGINE_SUBSTITUTION')),time_zone='+00:00',NAMES utf8mb4"
            ),
            Control::Statement
        );
        assert_eq!(
            control("CREATE TABLE IF NOT EXISTS `x` (`id` bigint)"),
            Control::ImplicitCommit
        );
        assert_eq!(control("SELECT 1"), Control::Statement);
    }

    #[test]
    fn a_transaction_binding_two_users_is_flagged() {
        let tracker = replay(&[
            ("7", "BEGIN"),
            (
                "7",
                "UPDATE `accounts` SET `status` = 'ACTIVE' WHERE `accounts`.`user_id` = 1 AND `accounts`.`id` = 10",
            ),
            (
                "7",
                "INSERT INTO `notifications` (`user_id`, `id`, `kind`) VALUES (2, 11, 'SYNC_COMPLETED')",
            ),
            ("7", "COMMIT"),
        ]);
        assert_eq!(tracker.transactions, 1);
        assert_eq!(tracker.violations.len(), 1);
        let violation = &tracker.violations[0];
        assert_eq!(violation.thread, "7");
        assert_eq!(violation.users, ["1", "2"]);
        assert_eq!(violation.statements.len(), 2);
        assert!(violation.explicit);
    }

    #[test]
    fn one_user_or_only_global_tables_is_not_flagged() {
        let tracker = replay(&[
            ("7", "BEGIN"),
            (
                "7",
                "UPDATE `accounts` SET `sync_cursor` = 'c' WHERE `accounts`.`user_id` = 1 AND `accounts`.`id` = 10",
            ),
            (
                "7",
                "SELECT `transactions`.`id` FROM `transactions` WHERE `transactions`.`user_id` = 1 AND `transactions`.`account_id` = 10 AND `transactions`.`id` IN (2, 3)",
            ),
            (
                "7",
                "INSERT INTO `transactions` (`user_id`, `id`, `account_id`) VALUES (1, 2, 10), (1, 3, 10)",
            ),
            (
                "7",
                "UPDATE `users` SET `updated_at` = NOW() WHERE `users`.`id` = 1",
            ),
            ("7", "COMMIT"),
            ("7", "BEGIN"),
            (
                "7",
                "INSERT INTO `seller_votes` (`seller`, `category`, `votes`) VALUES ('A', 'FOOD', 1) ON DUPLICATE KEY UPDATE `votes` = `votes` + 1",
            ),
            (
                "7",
                "INSERT INTO `user_emails` (`email_normalized`, `keyspace_id`) VALUES ('a@b.co', x'166b40b44aba4bd6')",
            ),
            ("7", "SELECT * FROM `sellers` WHERE `normalized_name` = 'B'"),
            ("7", "ROLLBACK"),
        ]);
        assert_eq!(tracker.transactions, 2);
        assert!(tracker.violations.is_empty(), "{:?}", tracker.violations);
    }

    #[test]
    fn transactions_are_cut_by_boundaries_not_by_connection() {
        // One pooled connection serves user 1, then user 2; another
        // connection interleaves with user 3.
        let tracker = replay(&[
            ("7", "BEGIN"),
            ("8", "BEGIN"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 1 AND `accounts`.`id` = 5",
            ),
            (
                "8",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 3 AND `accounts`.`id` = 6",
            ),
            ("7", "COMMIT"),
            ("7", "BEGIN"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 2 AND `accounts`.`id` = 7",
            ),
            ("8", "COMMIT"),
            ("7", "COMMIT"),
            // Outside a transaction, each statement stands alone.
            (
                "7",
                "SELECT * FROM `accounts` WHERE `accounts`.`user_id` = 1",
            ),
            (
                "7",
                "SELECT * FROM `accounts` WHERE `accounts`.`user_id` = 2",
            ),
            (
                "7",
                "UPDATE `users` SET `updated_at` = NOW() WHERE `users`.`id` = 1",
            ),
            (
                "7",
                "UPDATE `users` SET `updated_at` = NOW() WHERE `users`.`id` = 2",
            ),
        ]);
        assert_eq!(tracker.transactions, 3);
        assert_eq!(tracker.single_writes, 2);
        assert!(tracker.violations.is_empty(), "{:?}", tracker.violations);
    }

    #[test]
    fn autocommit_off_chains_and_ddl_delimit_transactions() {
        let tracker = replay(&[
            ("7", "SET autocommit=0"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 1 AND `accounts`.`id` = 5",
            ),
            ("7", "COMMIT"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 2 AND `accounts`.`id` = 6",
            ),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 3 AND `accounts`.`id` = 7",
            ),
            ("7", "SET autocommit=1"),
            ("7", "BEGIN"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 4 AND `accounts`.`id` = 8",
            ),
            ("7", "CREATE TABLE IF NOT EXISTS `x` (`id` bigint)"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 5 AND `accounts`.`id` = 9",
            ),
            ("7", "START TRANSACTION"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 6 AND `accounts`.`id` = 9",
            ),
            ("7", "COMMIT AND CHAIN"),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 7 AND `accounts`.`id` = 9",
            ),
            (
                "7",
                "DELETE FROM `accounts` WHERE `accounts`.`user_id` = 8 AND `accounts`.`id` = 9",
            ),
            // Never committed: still one transaction, checked at the end.
        ]);
        assert_eq!(tracker.transactions, 5);
        assert_eq!(tracker.single_writes, 1);
        let pairs: Vec<&[String]> = tracker.violations.iter().map(|v| &v.users[..]).collect();
        assert_eq!(
            pairs,
            [
                &["2".to_owned(), "3".to_owned()][..],
                &["7".to_owned(), "8".to_owned()][..]
            ]
        );
    }

    #[test]
    fn a_single_write_for_two_users_is_flagged() {
        let tracker = replay(&[(
            "9",
            "DELETE FROM `notifications` WHERE `notifications`.`user_id` IN (1, 2)",
        )]);
        assert_eq!(tracker.violations.len(), 1);
        assert!(!tracker.violations[0].explicit);
    }
}
