//! MySQL/MariaDB server errors known by their number, the stable part of
//! an error (vtgate passes the tablet's number on): how a migration that
//! is run again recognises its own earlier work, without reading the
//! error's text.

use std::ops::Deref as _;

use sea_orm_migration::prelude::DbErr;
use sea_orm_migration::sea_orm::sqlx::mysql::MySqlDatabaseError;
use sea_orm_migration::sea_orm::{RuntimeErr, sqlx};

/// `ER_BAD_FIELD_ERROR`: "Unknown column".
pub const UNKNOWN_COLUMN: u16 = 1054;
/// `ER_DUP_KEYNAME`: "Duplicate key name", an index that already exists.
pub const DUPLICATE_KEY_NAME: u16 = 1061;
/// `ER_CANT_DROP_FIELD_OR_KEY`: a column or index that is not there.
pub const CANT_DROP_FIELD_OR_KEY: u16 = 1091;

/// Whether `err` is the MySQL server error `number`.
pub fn is(err: &DbErr, number: u16) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(err)) | DbErr::Query(RuntimeErr::SqlxError(err))) = err
    else {
        return false;
    };
    let sqlx::Error::Database(err) = err.deref() else {
        return false;
    };
    err.try_downcast_ref::<MySqlDatabaseError>()
        .is_some_and(|err| err.number() == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_that_is_not_from_the_server_has_no_number() {
        let custom = DbErr::Custom("Duplicate key name 'ix'".to_owned());
        assert!(!is(&custom, DUPLICATE_KEY_NAME));
        let unknown = DbErr::Query(RuntimeErr::Internal("Unknown column".to_owned()));
        assert!(!is(&unknown, UNKNOWN_COLUMN));
    }
}
