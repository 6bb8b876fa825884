//! A small element tree of an XML text (local names, text, attributes,
//! start line), enough to walk a CAMT message by path. Refuses text that
//! is not well-formed or is cut off, saying on which line.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::imports::formats::ParseError;
use crate::imports::formats::values::decode_entities;

/// One element: its local name (namespace prefix dropped), the line its
/// start tag is on, its own text and its children in order.
#[derive(Debug, Default)]
pub(super) struct Element {
    pub name: String,
    pub line: u32,
    pub text: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at `path` below this one (first match at each step).
    pub fn find(&self, path: &[&str]) -> Option<&Element> {
        path.iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// The trimmed text at `path`; `None` when absent or empty.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        let text = self.find(path)?.text.trim();
        (!text.is_empty()).then_some(text)
    }

    /// The value of the attribute `name` (local name).
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Byte offsets of line starts, to turn positions into 1-based lines.
struct Lines(Vec<usize>);

impl Lines {
    /// The line starts of `text`.
    fn new(text: &str) -> Self {
        Self(text.match_indices('\n').map(|(at, _)| at).collect())
    }

    /// The 1-based line of a byte position.
    fn line(&self, position: u64) -> u32 {
        let position = usize::try_from(position).unwrap_or(usize::MAX);
        u32::try_from(self.0.partition_point(|nl| *nl < position) + 1).unwrap_or(u32::MAX)
    }
}

/// The root element of `text`.
pub(super) fn parse(text: &str) -> Result<Element, ParseError> {
    let lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            ParseError::malformed(
                Some(lines.line(reader.error_position())),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let text_error = |e: quick_xml::encoding::EncodingError| {
            ParseError::malformed(Some(lines.line(at)), format!("unreadable XML text: {e}"))
        };
        match event {
            Event::Start(start) => stack.push(element(&start, lines.line(at))?),
            Event::Empty(start) => attach(
                &mut stack,
                &mut root,
                element(&start, lines.line(at))?,
                &lines,
                at,
            )?,
            Event::End(_) => {
                let closed = stack.pop().ok_or_else(|| {
                    ParseError::malformed(Some(lines.line(at)), "unexpected end tag")
                })?;
                attach(&mut stack, &mut root, closed, &lines, at)?;
            }
            Event::Text(t) => push_text(
                &mut stack,
                &t.xml10_content().map_err(text_error)?,
                &lines,
                at,
            )?,
            Event::CData(c) => push_text(&mut stack, &c.decode().map_err(text_error)?, &lines, at)?,
            Event::GeneralRef(r) => {
                let entity = decode_entities(&format!("&{};", r.decode().map_err(text_error)?));
                push_text(&mut stack, &entity, &lines, at)?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        let message = format!(
            "the XML ends inside <{}> (opened on line {}): cut off",
            open.name, open.line
        );
        return Err(ParseError::malformed(
            Some(lines.line(text.len() as u64)),
            message,
        ));
    }
    root.ok_or_else(|| ParseError::malformed(None, "no XML element in the text"))
}

/// A start tag as an element with its attributes.
fn element(start: &BytesStart, line: u32) -> Result<Element, ParseError> {
    let local = |name: &[u8]| String::from_utf8_lossy(name).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute
            .map_err(|e| ParseError::malformed(Some(line), format!("bad XML attribute: {e}")))?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| ParseError::malformed(Some(line), format!("bad XML attribute: {e}")))?;
        attributes.push((
            local(attribute.key.local_name().as_ref()),
            value.into_owned(),
        ));
    }
    Ok(Element {
        name: local(start.local_name().as_ref()),
        line,
        attributes,
        ..Element::default()
    })
}

/// A finished element goes to its parent, or becomes the root.
fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
    lines: &Lines,
    at: u64,
) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => {
            return Err(ParseError::malformed(
                Some(lines.line(at)),
                "a second root element",
            ));
        }
    }
    Ok(())
}

/// Text belongs to the open element; outside the root only whitespace.
fn push_text(stack: &mut [Element], text: &str, lines: &Lines, at: u64) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(open) => open.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => {
            return Err(ParseError::malformed(
                Some(lines.line(at)),
                "text outside the root element",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_keep_local_names_text_and_lines() {
        let root = parse("<?xml version=\"1.0\"?>\n<n:a xmlns:n=\"x\">\n <n:b Ccy=\"EUR\">1 &amp; 2</n:b>\n <c/>\n</n:a>").unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.line, 2);
        let b = root.child("b").unwrap();
        assert_eq!(
            (b.text.as_str(), b.line, b.attribute("Ccy")),
            ("1 & 2", 3, Some("EUR"))
        );
        assert_eq!(root.child("c").map(|c| c.line), Some(4));
    }

    #[test]
    fn broken_xml_is_malformed_with_a_line() {
        assert!(matches!(
            parse("<a>\n<b></c>\n</a>"),
            Err(ParseError::Malformed { line: Some(2), .. })
        ));
        assert!(matches!(
            parse("<a>\n<b>text"),
            Err(ParseError::Malformed { line: Some(2), .. })
        ));
        assert!(matches!(parse("hello"), Err(ParseError::Malformed { .. })));
    }
}
