//! Text that users give and Moneta stores: no control characters.
//!
//! A NUL, an escape sequence or a C1 control in a stored string breaks
//! whoever reads it next (C strings, terminals, CSV exports, log viewers),
//! and no bank login, email or name needs one. Every service that stores a
//! user's string checks it with [`refuse_control`] before anything else.

/// A string held a control character (Unicode category Cc: U+0000–U+001F,
/// U+007F–U+009F — tab and newline included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must not contain control characters")]
pub struct ControlCharacter;

/// `Ok` when `text` has no control character.
pub fn refuse_control(text: &str) -> Result<(), ControlCharacter> {
    if text.chars().any(char::is_control) {
        Err(ControlCharacter)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_passes_and_every_control_character_is_refused() {
        for ok in ["user_good", "Zoë Ñandú 東京", "a b", "", "emoji 💸"] {
            assert_eq!(refuse_control(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "user\0good",
            "tab\there",
            "line\nbreak",
            "cr\r",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
            "c1\u{9f}",
        ] {
            assert_eq!(refuse_control(bad), Err(ControlCharacter), "{bad:?}");
        }
    }
}
