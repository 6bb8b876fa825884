//! A validated email address.

use std::fmt;

use super::ValidationError;

/// RFC 5321 caps a forward path at 254 octets.
const MAX_LEN: usize = 254;

/// An email address as the user typed it (trimmed), known to be valid.
/// Uniqueness is decided on [`Email::normalized`]: the whole address in
/// lower case, so `Ann@Example.com` and `ann@example.com` are one account.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    normalized: String,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let display = raw.trim();
        let invalid = || ValidationError::new("email", "is not a valid email address");
        if display.is_empty()
            || display.len() > MAX_LEN
            || crate::text::refuse_control(raw).is_err()
        {
            return Err(invalid());
        }
        let parsed: email_address::EmailAddress = display.parse().map_err(|_| invalid())?;
        // Quoted local parts and IP-literal domains are legal but are never
        // a real person's bank-app login; refuse them. Require a dotted domain.
        let domain = parsed.domain();
        if display.contains('"') || domain.starts_with('[') || !domain.contains('.') {
            return Err(invalid());
        }
        Ok(Self {
            display: display.to_owned(),
            normalized: normalize(display),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data: keep it out of debug output and logs.
        f.write_str("Email(<redacted>)")
    }
}

/// The form two spellings of one address share (`Ann@Example.com ` and
/// `ann@example.com`): what accounts are unique on and throttles count by.
pub fn normalize(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_normalizes_case() {
        let email = Email::parse("  Ann.Lee+bank@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ann.Lee+bank@Example.COM");
        assert_eq!(email.normalized(), "ann.lee+bank@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for raw in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "ann@",
            "ann@@example.com",
            "ann@localhost",
            "ann@[127.0.0.1]",
            "\"ann\"@example.com",
            "ann lee@example.com",
            "ann\0@example.com",
            "ann@example.com\0",
            "ann@exam\u{85}ple.com",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} should be rejected");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn debug_output_hides_the_address() {
        let email = Email::parse("ann@example.com").unwrap();
        assert!(!format!("{email:?}").contains("ann"));
    }
}
