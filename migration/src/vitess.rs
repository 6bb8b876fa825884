//! Tables placed by keyspace on Vitess. vtgate sends a `CREATE TABLE` to
//! the connection's keyspace, or to where the routing rules
//! (`vitess/routing_rules.json`) send the table: that places the global
//! tables. A reference table is the exception: the sharded keyspace
//! declares its copies under the same name, so the migrations' `CREATE
//! TABLE` makes the copies, and nothing makes their source in the global
//! keyspace. [`create_reference_sources`] does, from the copy's own
//! definition, so that source and copies cannot differ.

use sea_orm_migration::prelude::DbErr;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

/// The reference tables of the sharded keyspace (`"type": "reference"` in
/// `vitess/vschema/moneta.json`), each sourced from the table of the same
/// name in the global keyspace.
pub const REFERENCE_TABLES: [&str; 1] = ["sellers"];

/// Creates, in `global_keyspace`, the source of each reference table that
/// is not there yet, as the connection's keyspace defines its copy.
/// Run after the migrations; idempotent.
pub async fn create_reference_sources<C: ConnectionTrait>(
    db: &C,
    global_keyspace: &str,
) -> Result<(), DbErr> {
    for table in REFERENCE_TABLES {
        let show = Statement::from_string(DbBackend::MySql, format!("SHOW CREATE TABLE `{table}`"));
        let definition: String = db
            .query_one_raw(show)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("SHOW CREATE TABLE `{table}`")))?
            .try_get_by_index(1)?;
        let create = source_definition(&definition, table, global_keyspace).ok_or_else(|| {
            DbErr::Custom(format!(
                "SHOW CREATE TABLE `{table}` did not start with CREATE TABLE `{table}`"
            ))
        })?;
        db.execute_unprepared(&create).await?;
    }
    Ok(())
}

/// `CREATE TABLE `t` (…)` as `CREATE TABLE IF NOT EXISTS `ks`.`t` (…)`.
fn source_definition(definition: &str, table: &str, keyspace: &str) -> Option<String> {
    let body = definition.strip_prefix(&format!("CREATE TABLE `{table}`"))?;
    Some(format!(
        "CREATE TABLE IF NOT EXISTS `{keyspace}`.`{table}`{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_the_copy_qualified_by_the_global_keyspace() {
        let copy = "CREATE TABLE `sellers` (\n  `normalized_name` varchar(128) NOT NULL,\n  \
                    PRIMARY KEY (`normalized_name`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        assert_eq!(
            source_definition(copy, "sellers", "moneta_global").as_deref(),
            Some(
                "CREATE TABLE IF NOT EXISTS `moneta_global`.`sellers` (\n  \
                 `normalized_name` varchar(128) NOT NULL,\n  \
                 PRIMARY KEY (`normalized_name`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
            )
        );
        // Another table's definition, or a view's, is refused.
        assert_eq!(source_definition(copy, "seller_votes", "g"), None);
        assert_eq!(
            source_definition("CREATE VIEW `sellers` AS SELECT 1", "sellers", "g"),
            None
        );
    }
}
