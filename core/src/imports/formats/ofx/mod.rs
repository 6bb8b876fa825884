//! OFX 1.x (SGML), OFX 2.x (XML) and QFX: header skipped, body tokenized
//! and built into a tree, then one [`Statement`] per `STMTRS`/`CCSTMTRS`.
//!
//! [`Statement`]: crate::imports::model::Statement

mod date;
mod header;
mod statement;
mod status;
mod tokens;
mod transaction;
mod tree;

#[cfg(test)]
mod tests;

use crate::imports::formats::ParseError;
use crate::imports::model::{Format, ParsedFile};

/// Reads decoded OFX text. A file without statements is an error (with
/// the server's status message when it sent one), as is one cut off.
pub(super) fn parse(text: &str) -> Result<ParsedFile, ParseError> {
    let (body, first_line) = header::body(text)?;
    let tokens = tokens::tokenize(body, first_line)?;
    let last_line = u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX);
    let root = tree::build(tokens, last_line)?;
    let (statements, rejected) = statement::read_all(&root);
    if statements.is_empty() {
        return Err(status::no_statement(&root));
    }
    Ok(ParsedFile {
        format: Format::Ofx,
        statements,
        rejected,
    })
}
