//! OFX markup as a flat run of tokens: start tags, end tags and text.
//! One tokenizer serves SGML (OFX 1.x, leaf tags left open) and XML
//! (OFX 2.x); which tags are leaves is decided later, by `tree`.

use crate::imports::formats::ParseError;
use crate::imports::formats::values::decode_entities;

/// One piece of OFX markup, with the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// `<NAME>`, the name upper-cased (OFX tags are case-insensitive).
    Open { name: String, line: u32 },
    /// `</NAME>`, the name upper-cased.
    Close { name: String, line: u32 },
    /// The text between two tags: entities decoded one level, CDATA taken
    /// verbatim; never only whitespace.
    Text { text: String, line: u32 },
}

/// Where the tokenizer is: the text still to read and its line.
struct Cursor<'a> {
    rest: &'a str,
    line: u32,
}

impl Cursor<'_> {
    /// Moves past `n` bytes, counting the line breaks in them.
    fn advance(&mut self, n: usize) {
        let breaks = self.rest[..n].matches('\n').count();
        self.line = self
            .line
            .saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
        self.rest = &self.rest[n..];
    }

    /// Skips a `<!--…-->` or `<?…?>` construct; its end must be there.
    fn skip_to(&mut self, end: &str, what: &str) -> Result<(), ParseError> {
        let at = self
            .rest
            .find(end)
            .ok_or_else(|| unterminated(self.line, what))?;
        self.advance(at + end.len());
        Ok(())
    }
}

/// Text read since the last tag, flushed as one token when a tag comes.
#[derive(Default)]
struct TextRun {
    text: String,
    line: Option<u32>,
}

impl TextRun {
    /// Adds text (already decoded, or CDATA) read at `line`.
    fn push(&mut self, text: &str, line: u32) {
        self.line.get_or_insert(line);
        self.text.push_str(text);
    }

    /// Emits the run as one token unless it is only whitespace.
    fn flush(&mut self, tokens: &mut Vec<Token>) {
        let run = std::mem::take(self);
        if let Some(line) = run.line
            && !run.text.trim().is_empty()
        {
            tokens.push(Token::Text {
                text: run.text,
                line,
            });
        }
    }
}

/// A construct whose end marker is missing: the file is cut off.
fn unterminated(line: u32, what: &str) -> ParseError {
    ParseError::malformed(Some(line), format!("{what} that never ends"))
}

/// Splits the OFX body (from `<OFX>` on, which starts at `first_line`)
/// into tokens. Comments and processing instructions are dropped.
pub(super) fn tokenize(body: &str, first_line: u32) -> Result<Vec<Token>, ParseError> {
    let mut cur = Cursor {
        rest: body,
        line: first_line,
    };
    let mut tokens = Vec::new();
    let mut run = TextRun::default();
    while !cur.rest.is_empty() {
        if let Some(inner) = cur.rest.strip_prefix("<![CDATA[") {
            let end = inner
                .find("]]>")
                .ok_or_else(|| unterminated(cur.line, "a CDATA section"))?;
            run.push(&inner[..end], cur.line);
            cur.advance("<![CDATA[".len() + end + "]]>".len());
        } else if cur.rest.starts_with("<!--") {
            cur.skip_to("-->", "a comment")?;
        } else if cur.rest.starts_with("<?") {
            cur.skip_to("?>", "a processing instruction")?;
        } else if let Some((len, close, name, empty)) = tag_at(cur.rest) {
            run.flush(&mut tokens);
            let line = cur.line;
            let name = name.to_ascii_uppercase();
            if close {
                tokens.push(Token::Close { name, line });
            } else {
                tokens.push(Token::Open {
                    name: name.clone(),
                    line,
                });
                if empty {
                    tokens.push(Token::Close { name, line });
                }
            }
            cur.advance(len);
        } else {
            // Text up to the next `<` (a `<` that starts no tag is text).
            let skip = usize::from(cur.rest.starts_with('<'));
            let end = cur.rest[skip..]
                .find('<')
                .map_or(cur.rest.len(), |i| i + skip);
            run.push(&decode_entities(&cur.rest[..end]), cur.line);
            cur.advance(end);
        }
    }
    run.flush(&mut tokens);
    Ok(tokens)
}

/// The tag at the start of `s`, if it is one: its length in bytes, whether
/// it is an end tag, its name, and whether it is self-closing (`<X/>`).
/// Anything after the name up to `>` (attributes, which OFX has none of)
/// is ignored.
fn tag_at(s: &str) -> Option<(usize, bool, &str, bool)> {
    let inner = s.strip_prefix('<')?;
    let (close, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':')))
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let after = &inner[name_len..];
    let end = after
        .find(['>', '<'])
        .filter(|i| after[*i..].starts_with('>'))?;
    let empty = !close && after[..end].trim_end().ends_with('/');
    let len = s.len() - after.len() + end + 1;
    Some((len, close, name, empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(name: &str, line: u32) -> Token {
        Token::Open {
            name: name.into(),
            line,
        }
    }

    fn close(name: &str, line: u32) -> Token {
        Token::Close {
            name: name.into(),
            line,
        }
    }

    fn text(text: &str, line: u32) -> Token {
        Token::Text {
            text: text.into(),
            line,
        }
    }

    #[test]
    fn tags_are_upper_cased_and_lines_counted() {
        let tokens = tokenize("<ofx>\n  <Code>0\n</OFX>", 3).unwrap();
        assert_eq!(
            tokens,
            vec![
                open("OFX", 3),
                open("CODE", 4),
                text("0\n", 4),
                close("OFX", 5)
            ]
        );
    }

    #[test]
    fn cdata_is_verbatim_and_entities_are_decoded_once() {
        let tokens =
            tokenize("<NAME><![CDATA[a &amp; <b> ]]></NAME><MEMO>x &amp;lt; y", 1).unwrap();
        assert_eq!(tokens[1], text("a &amp; <b> ", 1));
        assert_eq!(tokens[4], text("x &lt; y", 1));
    }

    #[test]
    fn a_stray_lt_is_text_and_self_closing_tags_open_and_close() {
        let tokens = tokenize("<MEMO>a < b<X/>", 1).unwrap();
        assert_eq!(
            tokens,
            vec![
                open("MEMO", 1),
                text("a < b", 1),
                open("X", 1),
                close("X", 1)
            ]
        );
    }

    #[test]
    fn comments_and_instructions_are_dropped_but_must_end() {
        let tokens = tokenize("<?xml version=\"1.0\"?><!-- hi --><OFX>", 1).unwrap();
        assert_eq!(tokens, vec![open("OFX", 1)]);
        assert!(matches!(
            tokenize("<OFX><![CDATA[cut", 1),
            Err(ParseError::Malformed { line: Some(1), .. })
        ));
    }
}
