//! `user_emails` becomes the backing table of a Vitess
//! `consistent_lookup_unique` vindex owned by `users`
//! (vitess/README.md, "The email lookup vindex"): vtgate writes it as
//! `INSERT INTO user_emails (email_normalized, keyspace_id) VALUES (…)`
//! and routes reads by the keyspace id it stores. So:
//!
//! - `keyspace_id VARBINARY(8) NOT NULL` (the vindex's `to` column) replaces
//!   `user_id`; existing rows get the keyspace id of their user id;
//! - `created_at` gets a default (vtgate's insert names only `from`/`to`);
//! - `email_normalized` stays the primary key (`from`).
//!
//! The keyspace id is Vitess's `hash` of the user id, which SQL cannot
//! compute (DES): existing rows are filled from Rust, 500 at a time. `down`
//! restores `user_id` from the keyspace id (`hash` is reversible).
//!
//! Every step checks the table's current shape first (on MySQL by
//! selecting the column from the table itself, which vtgate routes to the
//! table's keyspace, unlike `information_schema`), so a run interrupted
//! half-way (MySQL DDL is not transactional) finishes when run again.
//!
//! On MySQL/MariaDB (and Vitess) the table is altered in place; SQLite
//! cannot change a column's nullability or default, so there the table is
//! rebuilt under a temporary name and renamed.

use des::TdesEde3;
use des::cipher::{Block, BlockCipherDecrypt as _, BlockCipherEncrypt as _, Key, KeyInit as _};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, QueryResult};

use crate::mysql_error;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows filled per statement.
const CHUNK: u64 = 500;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        if sqlite {
            finish_rebuild(manager).await?;
        }
        if !has_column(manager, UserEmails::UserId).await? {
            return Ok(()); // Already done.
        }
        if !has_column(manager, UserEmails::KeyspaceId).await? {
            if sqlite {
                db.execute(
                    &Table::alter()
                        .table(UserEmails::Table)
                        .add_column(ColumnDef::new(UserEmails::KeyspaceId).var_binary(8).null())
                        .to_owned(),
                )
                .await?;
            } else {
                db.execute_unprepared(
                    "ALTER TABLE `user_emails` ADD COLUMN `keyspace_id` VARBINARY(8) NULL AFTER `email_normalized`",
                )
                .await?;
            }
        }
        fill(db, UserEmails::UserId, UserEmails::KeyspaceId).await?;
        if sqlite {
            rebuild(manager, Shape::Lookup).await
        } else {
            db.execute_unprepared(
                "ALTER TABLE `user_emails` \
                 MODIFY `keyspace_id` VARBINARY(8) NOT NULL, \
                 MODIFY `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \
                 DROP COLUMN `user_id`",
            )
            .await?;
            Ok(())
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        if sqlite {
            finish_rebuild(manager).await?;
        }
        if !manager.has_table("user_emails").await?
            || !has_column(manager, UserEmails::KeyspaceId).await?
        {
            return Ok(());
        }
        if !has_column(manager, UserEmails::UserId).await? {
            if sqlite {
                db.execute(
                    &Table::alter()
                        .table(UserEmails::Table)
                        .add_column(ColumnDef::new(UserEmails::UserId).big_integer().null())
                        .to_owned(),
                )
                .await?;
            } else {
                db.execute_unprepared(
                    "ALTER TABLE `user_emails` ADD COLUMN `user_id` BIGINT NULL AFTER `email_normalized`",
                )
                .await?;
            }
        }
        fill(db, UserEmails::KeyspaceId, UserEmails::UserId).await?;
        if sqlite {
            rebuild(manager, Shape::UserId).await
        } else {
            db.execute_unprepared(
                "ALTER TABLE `user_emails` \
                 MODIFY `user_id` BIGINT NOT NULL, \
                 MODIFY `created_at` DATETIME(6) NOT NULL, \
                 DROP COLUMN `keyspace_id`",
            )
            .await?;
            Ok(())
        }
    }
}

/// Vitess's `hash` vindex: DES-EDE3 with an all-zero key over the
/// big-endian id. (A copy frozen with this migration; the application's is
/// `moneta_core::auth::keyspace_id`.)
fn keyspace_id(user_id: i64) -> [u8; 8] {
    let mut block = Block::<TdesEde3>::from(user_id.cast_unsigned().to_be_bytes());
    cipher().encrypt_block(&mut block);
    block.into()
}

/// The user id a keyspace id was computed from.
fn user_id(keyspace_id: &[u8]) -> Option<i64> {
    let bytes: [u8; 8] = keyspace_id.try_into().ok()?;
    let mut block = Block::<TdesEde3>::from(bytes);
    cipher().decrypt_block(&mut block);
    Some(u64::from_be_bytes(block.into()).cast_signed())
}

fn cipher() -> TdesEde3 {
    TdesEde3::new(&Key::<TdesEde3>::default())
}

/// Whether `user_emails` has `column`. On MySQL asked of the table itself
/// (through vtgate, `information_schema` describes the copy on a shard of
/// the connection's keyspace, not the table in `moneta_global`); SQLite
/// reads an unknown double-quoted name as a string, so there it is asked
/// of the catalog.
async fn has_column(manager: &SchemaManager<'_>, column: UserEmails) -> Result<bool, DbErr> {
    if manager.get_database_backend() == DbBackend::Sqlite {
        return manager.has_column("user_emails", column.to_string()).await;
    }
    let probe = Query::select()
        .column(column)
        .from(UserEmails::Table)
        .and_where(Expr::val(1).eq(0))
        .to_owned();
    match manager.get_connection().query_all(&probe).await {
        Ok(_) => Ok(true),
        Err(err) if mysql_error::is(&err, mysql_error::UNKNOWN_COLUMN) => Ok(false),
        Err(err) => Err(err),
    }
}

/// Sets `to` from `from` (user id → keyspace id, or back) on every row
/// where `to` is still NULL, `CHUNK` rows a statement, in primary-key order.
async fn fill<C: ConnectionTrait>(db: &C, from: UserEmails, to: UserEmails) -> Result<(), DbErr> {
    let mut after: Option<String> = None;
    loop {
        let mut select = Query::select()
            .column(UserEmails::EmailNormalized)
            .column(from)
            .from(UserEmails::Table)
            .and_where(Expr::col(to).is_null())
            .order_by(UserEmails::EmailNormalized, Order::Asc)
            .limit(CHUNK)
            .to_owned();
        if let Some(after) = &after {
            select.and_where(Expr::col(UserEmails::EmailNormalized).gt(after.clone()));
        }
        let rows = db.query_all(&select).await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(last.try_get("", "email_normalized")?);
        let mut case = CaseStatement::new();
        let mut emails = Vec::with_capacity(rows.len());
        for row in &rows {
            let email: String = row.try_get("", "email_normalized")?;
            let value = converted(row, from)?;
            case = case.case(
                Expr::col(UserEmails::EmailNormalized).eq(email.clone()),
                value,
            );
            emails.push(email);
        }
        let update = Query::update()
            .table(UserEmails::Table)
            .value(to, case)
            .and_where(Expr::col(UserEmails::EmailNormalized).is_in(emails))
            .and_where(Expr::col(to).is_null())
            .to_owned();
        db.execute(&update).await?;
    }
}

/// The value of the other column for `row`'s `from`.
fn converted(row: &QueryResult, from: UserEmails) -> Result<Expr, DbErr> {
    Ok(match from {
        UserEmails::UserId => {
            let user_id: i64 = row.try_get("", "user_id")?;
            Expr::val(keyspace_id(user_id).to_vec())
        }
        _ => {
            let keyspace_id: Vec<u8> = row.try_get("", "keyspace_id")?;
            let user_id = user_id(&keyspace_id).ok_or_else(|| {
                DbErr::Migration(format!(
                    "user_emails: a keyspace id of {} bytes, not 8",
                    keyspace_id.len()
                ))
            })?;
            Expr::val(user_id)
        }
    })
}

/// The final shapes of `user_emails` on SQLite.
#[derive(Clone, Copy)]
enum Shape {
    /// After `up`: `email_normalized`, `keyspace_id`, `created_at` with a default.
    Lookup,
    /// After `down`: the first migration's `email_normalized`, `user_id`, `created_at`.
    UserId,
}

/// SQLite: copies `user_emails` (filled) into `user_emails_next` of the
/// final `shape`, drops the old table and renames the new one.
async fn rebuild(manager: &SchemaManager<'_>, shape: Shape) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let mut table = Table::create()
        .table(UserEmails::Next)
        .if_not_exists()
        .col(
            ColumnDef::new(UserEmails::EmailNormalized)
                .string_len(254)
                .not_null(),
        )
        .to_owned();
    let kept = match shape {
        Shape::Lookup => {
            table
                .col(
                    ColumnDef::new(UserEmails::KeyspaceId)
                        .var_binary(8)
                        .not_null(),
                )
                .col(
                    ColumnDef::new(UserEmails::CreatedAt)
                        .custom(Alias::new("DATETIME(6)"))
                        .not_null()
                        .default(Expr::current_timestamp()),
                );
            UserEmails::KeyspaceId
        }
        Shape::UserId => {
            table
                .col(ColumnDef::new(UserEmails::UserId).big_integer().not_null())
                .col(
                    ColumnDef::new(UserEmails::CreatedAt)
                        .custom(Alias::new("DATETIME(6)"))
                        .not_null(),
                );
            UserEmails::UserId
        }
    };
    table.primary_key(Index::create().col(UserEmails::EmailNormalized));
    db.execute(&table).await?;
    // A run interrupted after a partial copy starts the copy over.
    db.execute(&Query::delete().from_table(UserEmails::Next).to_owned())
        .await?;
    let columns = [UserEmails::EmailNormalized, kept, UserEmails::CreatedAt];
    db.execute(
        &Query::insert()
            .into_table(UserEmails::Next)
            .columns(columns)
            .select_from(
                Query::select()
                    .columns(columns)
                    .from(UserEmails::Table)
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned(),
    )
    .await?;
    manager
        .drop_table(Table::drop().table(UserEmails::Table).to_owned())
        .await?;
    finish_rebuild(manager).await
}

/// SQLite: the last step of [`rebuild`], also finishing a run that was
/// interrupted between dropping the old table and renaming the new one.
async fn finish_rebuild(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.has_table("user_emails_next").await? && !manager.has_table("user_emails").await? {
        manager
            .rename_table(
                Table::rename()
                    .table(UserEmails::Next, UserEmails::Table)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum UserEmails {
    Table,
    #[sea_orm(iden = "user_emails_next")]
    Next,
    EmailNormalized,
    UserId,
    KeyspaceId,
    CreatedAt,
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::sea_orm::{Database, DatabaseConnection, Statement};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Vitess's vectors (go/vt/vtgate/vindexes/hash_test.go), and back.
    #[test]
    fn keyspace_ids_are_the_vitess_hash_and_reverse() {
        for (id, expected) in [
            (1, "166b40b44aba4bd6"),
            (2, "06e7ea22ce92708f"),
            (6, "f098480ac4c4be71"),
        ] {
            assert_eq!(hex(&keyspace_id(id)), expected);
        }
        for id in [0, 1, 120_038_332_997_988_352, i64::MAX, -1] {
            assert_eq!(user_id(&keyspace_id(id)), Some(id));
        }
        assert_eq!(user_id(&[1, 2, 3]), None);
    }

    async fn first_migration_with_rows() -> Result<DatabaseConnection, DbErr> {
        let db = Database::connect("sqlite::memory:").await?;
        let manager = SchemaManager::new(&db);
        crate::m20261128_000001_create_schema::Migration
            .up(&manager)
            .await?;
        // More rows than one chunk.
        for i in 0..(CHUNK as i64 + 7) {
            db.execute_unprepared(&format!(
                "INSERT INTO user_emails (email_normalized, user_id, created_at) \
                 VALUES ('u{i}@example.com', {}, '2026-11-20T15:00:00.123456+00:00')",
                1_000 + i
            ))
            .await?;
        }
        Ok(db)
    }

    async fn rows(db: &DatabaseConnection, column: &str) -> Result<Vec<(String, String)>, DbErr> {
        let sql = format!(
            "SELECT email_normalized, {column}, created_at FROM user_emails ORDER BY email_normalized"
        );
        let rows = db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await?;
        rows.iter()
            .map(|r| {
                let email: String = r.try_get_by_index(0)?;
                let value = match column {
                    "keyspace_id" => hex(&r.try_get_by_index::<Vec<u8>>(1)?),
                    _ => r.try_get_by_index::<i64>(1)?.to_string(),
                };
                let created: String = r.try_get_by_index(2)?;
                Ok((email, format!("{value} {created}")))
            })
            .collect()
    }

    #[tokio::test]
    async fn existing_claims_get_their_keyspace_id_and_come_back_on_down() -> Result<(), DbErr> {
        let db = first_migration_with_rows().await?;
        let manager = SchemaManager::new(&db);
        let before = rows(&db, "user_id").await?;

        Migration.up(&manager).await?;
        Migration.up(&manager).await?; // a no-op
        assert!(!manager.has_table("user_emails_next").await?);
        assert!(!manager.has_column("user_emails", "user_id").await?);
        let after = rows(&db, "keyspace_id").await?;
        assert_eq!(after.len(), before.len());
        for (email, value) in &after {
            let (_, old) = before
                .iter()
                .find(|(e, _)| e == email)
                .ok_or_else(|| DbErr::Custom(email.clone()))?;
            let (old_id, old_created) = old.split_once(' ').unwrap_or_default();
            let id: i64 = old_id.parse().unwrap_or_default();
            assert_eq!(
                value,
                &format!("{} {old_created}", hex(&keyspace_id(id))),
                "{email}"
            );
        }
        // vtgate's insert names only the vindex columns.
        db.execute_unprepared(
            "INSERT INTO user_emails (email_normalized, keyspace_id) VALUES ('vt@example.com', x'166b40b44aba4bd6')",
        )
        .await?;
        db.execute_unprepared("DELETE FROM user_emails WHERE email_normalized = 'vt@example.com'")
            .await?;

        Migration.down(&manager).await?;
        Migration.down(&manager).await?; // a no-op
        assert!(!manager.has_column("user_emails", "keyspace_id").await?);
        assert_eq!(rows(&db, "user_id").await?, before);
        Ok(())
    }

    #[tokio::test]
    async fn an_interrupted_sqlite_rebuild_finishes_on_the_next_run() -> Result<(), DbErr> {
        let db = first_migration_with_rows().await?;
        let manager = SchemaManager::new(&db);
        let before = rows(&db, "user_id").await?;
        // Interrupted after the copy, before the rename.
        Migration.up(&manager).await?;
        db.execute_unprepared("ALTER TABLE user_emails RENAME TO user_emails_next")
            .await?;
        Migration.up(&manager).await?;
        assert!(manager.has_table("user_emails").await?);
        assert!(!manager.has_table("user_emails_next").await?);
        assert_eq!(rows(&db, "keyspace_id").await?.len(), before.len());
        Ok(())
    }
}
