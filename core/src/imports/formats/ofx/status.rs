//! Why a response holds no statement: an OFX server answers a failed
//! request with a `STATUS` (`CODE`, `SEVERITY`, `MESSAGE`) and nothing
//! else, and the person importing it should read that message.

use super::tree::Element;
use crate::imports::formats::ParseError;

/// The error for a tree without statements: the first failing `STATUS`
/// (severity `ERROR` or a non-zero code) when there is one.
pub(super) fn no_statement(root: &Element) -> ParseError {
    let mut statuses = Vec::new();
    root.find_all(&["STATUS"], &mut statuses);
    let failed = statuses.into_iter().find(|s| {
        s.value("SEVERITY")
            .is_some_and(|v| v.eq_ignore_ascii_case("ERROR"))
            || s.value("CODE")
                .is_some_and(|c| !c.trim_start_matches('0').is_empty())
    });
    let message = match failed {
        Some(status) => {
            let code = status.value("CODE").unwrap_or("none");
            match status.value("MESSAGE") {
                Some(text) => {
                    format!("the bank answered with an error: {text} (status code {code})")
                }
                None => format!("the bank answered with an error (status code {code})"),
            }
        }
        None => "no bank or credit-card statement (STMTRS or CCSTMTRS) in the OFX file".to_owned(),
    };
    ParseError::NoStatement { message }
}
