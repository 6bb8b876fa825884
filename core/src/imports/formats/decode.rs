//! Bytes → text. Bank files come in UTF-8, UTF-16 and legacy single-byte
//! encodings, and their headers do not always tell the truth, so the
//! evidence is weighed in order: a byte-order mark, the NUL pattern of
//! UTF-16, the file's own declaration, and finally whether the bytes are
//! valid UTF-8. Never fails: undecodable bytes become U+FFFD.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many leading bytes are looked at for the UTF-16 NUL pattern.
const UTF16_SAMPLE: usize = 64;
/// How many leading bytes are scanned for an encoding declaration.
const HEADER_SAMPLE: usize = 1024;

/// What the file says about its own encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    /// UTF-8, ASCII or "none": believed only if the bytes are valid UTF-8.
    Unicode,
    /// A legacy single-byte encoding, taken at its word.
    Legacy(&'static Encoding),
}

/// The text of a bank file, BOM stripped.
pub(super) fn decode(bytes: &[u8]) -> String {
    let (encoding, body) = choose(bytes);
    let (text, _had_errors) = encoding.decode_without_bom_handling(body);
    text.into_owned()
}

/// The encoding to read `bytes` with, and the bytes after any BOM.
fn choose(bytes: &[u8]) -> (&'static Encoding, &[u8]) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return (encoding, bytes.get(bom..).unwrap_or_default());
    }
    if let Some(encoding) = utf16_by_nuls(bytes) {
        return (encoding, bytes);
    }
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    let encoding = match declared(bytes) {
        Some(Declared::Legacy(encoding)) => encoding,
        Some(Declared::Unicode) | None if valid_utf8 => UTF_8,
        Some(Declared::Unicode) | None => WINDOWS_1252,
    };
    (encoding, bytes)
}

/// UTF-16 without a BOM: ASCII text leaves a NUL in every other byte.
fn utf16_by_nuls(bytes: &[u8]) -> Option<&'static Encoding> {
    let len = bytes.len().min(UTF16_SAMPLE) & !1;
    let sample = bytes.get(..len)?;
    if sample.len() < 4 {
        return None;
    }
    let even_nul = sample.iter().step_by(2).all(|b| *b == 0);
    let odd_nul = sample.iter().skip(1).step_by(2).all(|b| *b == 0);
    match (even_nul, odd_nul) {
        (false, true) => Some(UTF_16LE),
        (true, false) => Some(UTF_16BE),
        _ => None,
    }
}

/// The declaration in an OFX 1 header or an XML declaration, read from
/// the first bytes as ASCII (anything else becomes `?`).
fn declared(bytes: &[u8]) -> Option<Declared> {
    let head: String = bytes
        .iter()
        .take(HEADER_SAMPLE)
        .map(|b| if b.is_ascii() { char::from(*b) } else { '?' })
        .collect();
    let upper = head.to_ascii_uppercase();
    if upper.contains("OFXHEADER")
        && let Some(declared) = ofx1_declaration(&upper)
    {
        return Some(declared);
    }
    xml_declaration(&upper)
}

/// `ENCODING:` and `CHARSET:` lines of an OFX 1 (SGML) header.
fn ofx1_declaration(upper: &str) -> Option<Declared> {
    let value = |key: &str| {
        upper
            .lines()
            .find_map(|line| line.trim().strip_prefix(key).map(|v| v.trim().to_owned()))
    };
    let encoding = value("ENCODING:")?;
    if encoding != "USASCII" {
        // UTF-8 (and the old spelling UNICODE): believed if the bytes agree.
        return Some(Declared::Unicode);
    }
    let charset = value("CHARSET:").unwrap_or_default();
    let legacy = match charset.as_str() {
        "" | "NONE" => None,
        "1252" => Some(WINDOWS_1252),
        other => Encoding::for_label(other.as_bytes())
            .or_else(|| Encoding::for_label(format!("windows-{other}").as_bytes())),
    };
    Some(legacy.map_or(Declared::Unicode, Declared::Legacy))
}

/// `<?xml … encoding="…"?>` at the start of the text.
fn xml_declaration(upper: &str) -> Option<Declared> {
    let decl = upper.trim_start().strip_prefix("<?XML")?;
    let decl = &decl[..decl.find("?>")?];
    let after = decl[decl.find("ENCODING")? + "ENCODING".len()..].trim_start();
    let after = after.strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let label = &after[1..];
    let label = &label[..label.find(quote)?];
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    let ascii = matches!(label.trim(), "US-ASCII" | "ASCII");
    Some(
        if ascii || encoding == UTF_8 || encoding == UTF_16LE || encoding == UTF_16BE {
            // A UTF-16 label on ASCII-compatible bytes cannot be true.
            Declared::Unicode
        } else {
            Declared::Legacy(encoding)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn a_utf8_bom_is_stripped() {
        assert_eq!(decode(b"\xEF\xBB\xBFCaf\xC3\xA9"), "Café");
    }

    #[test]
    fn utf16_boms_choose_the_byte_order() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16("Date,Payee é", false));
        assert_eq!(decode(&le), "Date,Payee é");
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16("Date,Payee €", true));
        assert_eq!(decode(&be), "Date,Payee €");
    }

    #[test]
    fn utf16_without_a_bom_is_found_by_its_nuls() {
        assert_eq!(
            decode(&utf16("Date,Amount\n2024-01-02,5", false)),
            "Date,Amount\n2024-01-02,5"
        );
        assert_eq!(
            decode(&utf16("Date,Amount\n2024-01-02,5", true)),
            "Date,Amount\n2024-01-02,5"
        );
    }

    #[test]
    fn undeclared_non_utf8_bytes_are_windows_1252() {
        assert_eq!(decode(b"Caf\xE9 \x80uro"), "Café €uro");
        assert_eq!(decode("Café €".as_bytes()), "Café €");
    }

    #[test]
    fn a_utf8_declaration_over_latin1_bytes_is_not_believed() {
        let ofx = b"OFXHEADER:100\nENCODING:UTF-8\nCHARSET:NONE\n\n<OFX><NAME>Caf\xE9</OFX>";
        assert!(decode(ofx).contains("<NAME>Café<"));
        let xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>M\xFCller</a>";
        assert!(decode(xml).contains("Müller"));
    }

    #[test]
    fn ofx1_charsets_are_honoured() {
        let cp1252 = b"OFXHEADER:100\nENCODING:USASCII\nCHARSET:1252\n\n<NAME>\x80\xE9";
        assert!(decode(cp1252).ends_with("<NAME>€é"));
        let latin1 = b"OFXHEADER:100\nENCODING:USASCII\nCHARSET:ISO-8859-1\n\n<NAME>\xE9";
        assert!(decode(latin1).ends_with("<NAME>é"));
        let none_utf8 = "OFXHEADER:100\nENCODING:USASCII\nCHARSET:NONE\n\n<NAME>é";
        assert!(decode(none_utf8.as_bytes()).ends_with("<NAME>é"));
        let none_legacy = b"OFXHEADER:100\nENCODING:USASCII\nCHARSET:NONE\n\n<NAME>\xE9";
        assert!(decode(none_legacy).ends_with("<NAME>é"));
    }

    #[test]
    fn an_xml_declaration_of_a_legacy_encoding_is_honoured() {
        let xml = b"<?xml version='1.0' encoding='ISO-8859-15'?><a>\xA4</a>";
        assert!(decode(xml).contains("<a>€</a>"));
    }
}
