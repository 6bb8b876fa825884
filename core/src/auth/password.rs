//! The password policy.

use secrecy::{ExposeSecret, SecretString};

use super::{Email, ValidationError};

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 128;

/// A new password that satisfies the policy: 10 to 128 characters (Unicode
/// scalar values, so a passphrase in any script counts fairly), and not the
/// account's own email address. Length is the rule NIST SP 800-63B asks
/// for; composition rules are deliberately absent.
#[derive(Debug)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: SecretString, email: &Email) -> Result<Self, ValidationError> {
        let chars = raw.expose_secret().chars().count();
        if chars < MIN_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at least {MIN_CHARS} characters long"),
            ));
        }
        if chars > MAX_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at most {MAX_CHARS} characters long"),
            ));
        }
        if super::email::normalize(raw.expose_secret()) == email.normalized() {
            return Err(ValidationError::new(
                "password",
                "must not be the same as the email address",
            ));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &SecretString {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("someone@example.com").unwrap()
    }

    fn parse(raw: &str) -> Result<Password, ValidationError> {
        Password::parse(SecretString::from(raw.to_owned()), &email())
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert!(parse(&"a".repeat(9)).is_err());
        assert!(parse(&"a".repeat(10)).is_ok());
        assert!(parse(&"a".repeat(128)).is_ok());
        assert!(parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn counts_characters_not_bytes() {
        // Ten characters, thirty bytes.
        assert!(parse("日本語のパスワードだ").is_ok());
        assert!(parse("日本語のパスワード").is_err());
    }

    #[test]
    fn the_email_is_not_a_password_in_any_case() {
        assert!(parse("someone@example.com").is_err());
        assert!(parse("SomeOne@Example.com").is_err());
    }
}
