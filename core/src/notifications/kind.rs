//! The kinds of notification, as stored.

use crate::error::InternalError;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    BudgetApproaching,
    BudgetExceeded,
    SyncCompleted,
    SyncFailed,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::BudgetApproaching,
        Self::BudgetExceeded,
        Self::SyncCompleted,
        Self::SyncFailed,
    ];

    /// The stored `kind`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BudgetApproaching => "BUDGET_APPROACHING",
            Self::BudgetExceeded => "BUDGET_EXCEEDED",
            Self::SyncCompleted => "SYNC_COMPLETED",
            Self::SyncFailed => "SYNC_FAILED",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, InternalError> {
        Ok(match s {
            "BUDGET_APPROACHING" => Self::BudgetApproaching,
            "BUDGET_EXCEEDED" => Self::BudgetExceeded,
            "SYNC_COMPLETED" => Self::SyncCompleted,
            "SYNC_FAILED" => Self::SyncFailed,
            other => {
                return Err(InternalError::Corrupt(format!(
                    "notification kind {other:?}"
                )));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_what_it_stores() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()).ok(), Some(kind));
        }
    }
}
