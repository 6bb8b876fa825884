/// Why a file cannot be read at all (a single bad record is a
/// [`super::super::RejectedRow`] instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not OFX, QFX, QIF, CSV or CAMT.053 (or not the declared format).
    #[error("not a bank file Moneta can read (OFX, QFX, QIF, CSV or CAMT.053)")]
    UnknownFormat,
    /// The text is not the format it claims: cut off, unbalanced, not
    /// well-formed XML, a CSV without the columns it needs.
    #[error("the file is damaged or cut off{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Malformed { line: Option<u32>, message: String },
    /// Well formed, but holds no statement: an OFX server error response
    /// (its `STATUS` message), a CAMT message without `Stmt`.
    #[error("the file holds no statement: {message}")]
    NoStatement { message: String },
}

impl ParseError {
    pub(crate) fn malformed(line: Option<u32>, message: impl Into<String>) -> Self {
        Self::Malformed {
            line,
            message: message.into(),
        }
    }
}
