//! Where the OFX body starts. Whatever precedes `<OFX>` is header: the
//! OFX 1 `OFXHEADER:100` key:value lines, the OFX 2 `<?xml …?>` and
//! `<?OFX …?>` instructions, or nothing but blank lines.

use crate::imports::formats::ParseError;

/// The body (from `<OFX>` on) and the 1-based line it starts on.
pub(super) fn body(text: &str) -> Result<(&str, u32), ParseError> {
    let start = text.match_indices('<').map(|(at, _)| at).find(|at| {
        let rest = &text.as_bytes()[at + 1..];
        rest.len() >= 4
            && rest[..3].eq_ignore_ascii_case(b"OFX")
            && (rest[3] == b'>' || rest[3].is_ascii_whitespace())
    });
    match start {
        Some(at) => {
            let breaks = text[..at].matches('\n').count();
            Ok((&text[at..], u32::try_from(breaks + 1).unwrap_or(u32::MAX)))
        }
        None if text.contains("OFXHEADER") => Err(ParseError::malformed(
            None,
            "an OFX header but no <OFX> element after it",
        )),
        None => Err(ParseError::UnknownFormat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_header_is_skipped() {
        assert_eq!(
            body("OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>").unwrap(),
            ("<OFX>", 4)
        );
        let xml = "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n<ofx>\n";
        assert_eq!(body(xml).unwrap(), ("<ofx>\n", 3));
        assert_eq!(body("\r\n\r\n<OFX>").unwrap(), ("<OFX>", 3));
    }

    #[test]
    fn no_body() {
        assert!(matches!(
            body("OFXHEADER:100\nDATA:OFXSGML\n"),
            Err(ParseError::Malformed { .. })
        ));
        assert_eq!(body("<OFXX>"), Err(ParseError::UnknownFormat));
    }
}
