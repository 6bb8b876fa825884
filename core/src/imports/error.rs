use super::formats::ParseError;
use super::model::RejectedRow;
use crate::error::{DomainError, ErrorCode, InternalError, UserError, UserErrorCode};

/// Why an import stored nothing. Every case leaves the user's data as it
/// was.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is larger than the {limit_mb} MB an import may be")]
    TooLarge { limit_mb: u64 },
    #[error(transparent)]
    Unreadable(#[from] ParseError),
    /// Records that could not be read; nothing is imported unless the
    /// caller asks to skip them.
    #[error("{} row(s) could not be read: {}", rejected.len(), summary(rejected))]
    InvalidRows { rejected: Vec<RejectedRow> },
    /// Readable, but no transaction in it.
    #[error("the file holds no transactions{}", if rejected.is_empty() { String::new() } else { format!(" that can be read: {}", summary(rejected)) })]
    Empty { rejected: Vec<RejectedRow> },
    /// No such account for this user (another user's counts as none).
    #[error("account not found")]
    AccountNotFound,
    /// Files go into accounts Moneta keeps from files; a linked account
    /// gets its transactions from its bank.
    #[error("a linked account gets its transactions from its bank; import into a file account")]
    NotAFileAccount,
    #[error(
        "the file holds {0} accounts; import it without choosing an account, one account is kept per account in the file"
    )]
    SeveralAccounts(usize),
    #[error("the file's amounts are in {file}, the account's in {account}")]
    CurrencyMismatch { file: String, account: String },
    #[error("{0}")]
    Invalid(String),
    #[error("too many accounts")]
    TooManyAccounts,
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// The first few rejected rows, for a message.
fn summary(rejected: &[RejectedRow]) -> String {
    let mut shown: Vec<String> = rejected
        .iter()
        .take(3)
        .map(|r| format!("line {}: {}", r.line, r.reason))
        .collect();
    if rejected.len() > 3 {
        shown.push(format!("and {} more", rejected.len() - 3));
    }
    shown.join("; ")
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl ImportError {
    /// The stable code of this failure (`userErrors[].code`).
    pub fn user_code(&self) -> Option<UserErrorCode> {
        Some(match self {
            Self::TooLarge { .. } => UserErrorCode::FileTooLarge,
            Self::Unreadable(ParseError::UnknownFormat) => UserErrorCode::UnknownFileFormat,
            Self::Unreadable(ParseError::Malformed { .. }) => UserErrorCode::MalformedFile,
            Self::Unreadable(ParseError::NoStatement { .. }) | Self::Empty { .. } => {
                UserErrorCode::EmptyFile
            }
            Self::InvalidRows { .. } => UserErrorCode::InvalidRows,
            Self::CurrencyMismatch { .. } => UserErrorCode::CurrencyMismatch,
            Self::NotAFileAccount | Self::SeveralAccounts(_) | Self::Invalid(_) => {
                UserErrorCode::Invalid
            }
            Self::TooManyAccounts => UserErrorCode::TooManyAccounts,
            Self::AccountNotFound | Self::Internal(_) => return None,
        })
    }
}

impl DomainError for ImportError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::AccountNotFound => ErrorCode::NotFound,
            Self::Internal(_) => ErrorCode::Internal,
            _ => ErrorCode::BadUserInput,
        }
    }

    fn user_error(&self) -> Option<UserError> {
        let field = match self {
            Self::NotAFileAccount | Self::SeveralAccounts(_) | Self::CurrencyMismatch { .. } => {
                "accountId"
            }
            _ => "file",
        };
        self.user_code()
            .map(|code| UserError::new(code, self.to_string()).at(&["input", field]))
    }
}
