//! OFX tokens as a tree of elements. SGML leaves need no end tag: an
//! element whose first content is text is a leaf, closed by the next tag;
//! an end tag closes the nearest open element of its name and every
//! element opened inside it. An element the file never closes (the file
//! is cut off), or an aggregate Moneta reads that is left unclosed inside
//! another, makes it malformed.

use super::tokens::Token;
use crate::imports::formats::ParseError;
use crate::imports::formats::values::clean_text;

/// Deeper nesting than any OFX file has: refused, so that hostile input
/// cannot exhaust the stack.
const MAX_DEPTH: usize = 256;

/// Aggregates whose end tag the spec requires and whose structure Moneta
/// reads: closing one implicitly would silently move its contents.
const AGGREGATES: &[&str] = &[
    "OFX",
    "STMTTRNRS",
    "CCSTMTTRNRS",
    "STMTRS",
    "CCSTMTRS",
    "BANKACCTFROM",
    "CCACCTFROM",
    "BANKTRANLIST",
    "STMTTRN",
];

/// One OFX element: an aggregate (children) or a leaf (text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Element {
    /// Upper case.
    pub name: String,
    /// 1-based line of its start tag.
    pub line: u32,
    /// A leaf's value, cleaned (trimmed, whitespace collapsed).
    pub text: Option<String>,
    pub children: Vec<Element>,
}

impl Element {
    /// An open element, before its content is known.
    fn new(name: String, line: u32) -> Self {
        Self {
            name,
            line,
            text: None,
            children: Vec::new(),
        }
    }

    /// The first child of that name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child of that name, when it is not empty.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.child(name)
            .and_then(|c| c.text.as_deref())
            .filter(|t| !t.is_empty())
    }

    /// Every element of one of `names` at or below this one, in file order
    /// (not looking inside a match).
    pub fn find_all<'a>(&'a self, names: &[&str], out: &mut Vec<&'a Element>) {
        if names.contains(&self.name.as_str()) {
            out.push(self);
            return;
        }
        for child in &self.children {
            child.find_all(names, out);
        }
    }
}

/// Builds the tree; the returned element is a nameless document holding
/// `<OFX>`. `last_line` is the file's last line, for a cut-off file.
pub(super) fn build(tokens: Vec<Token>, last_line: u32) -> Result<Element, ParseError> {
    let mut stack = vec![Element::new(String::new(), 0)];
    for token in tokens {
        match token {
            Token::Open { name, line } => {
                close_leaf(&mut stack)?;
                if stack.len() > MAX_DEPTH {
                    return Err(ParseError::malformed(
                        Some(line),
                        "elements nested too deep",
                    ));
                }
                stack.push(Element::new(name, line));
            }
            Token::Text { text, .. } => {
                if let [_, .., top] = stack.as_mut_slice()
                    && top.children.is_empty()
                    && top.text.is_none()
                {
                    top.text = Some(clean_text(&text));
                }
            }
            Token::Close { name, line } => close(&mut stack, &name, line)?,
        }
    }
    close_leaf(&mut stack)?;
    if let [_, .., open] = stack.as_slice() {
        let message = format!(
            "the file ends inside <{}> (opened at line {})",
            open.name, open.line
        );
        return Err(ParseError::malformed(Some(last_line), message));
    }
    stack
        .pop()
        .ok_or_else(|| ParseError::malformed(None, "empty element stack"))
}

/// A start tag (or the end of the file) closes an open leaf.
fn close_leaf(stack: &mut Vec<Element>) -> Result<(), ParseError> {
    if stack.len() > 1 && stack.last().is_some_and(|top| top.text.is_some()) {
        implicit_close(stack)?;
    }
    Ok(())
}

/// `</NAME>`: closes the nearest open `NAME` and what is open inside it.
fn close(stack: &mut Vec<Element>, name: &str, line: u32) -> Result<(), ParseError> {
    let Some(at) = stack
        .iter()
        .rposition(|e| e.name == name)
        .filter(|at| *at > 0)
    else {
        return Err(ParseError::malformed(
            Some(line),
            format!("</{name}> closes nothing that is open"),
        ));
    };
    while stack.len() > at + 1 {
        implicit_close(stack)?;
    }
    if let Some(element) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(element);
    }
    Ok(())
}

/// Closes the top element without its end tag. With text it is a leaf;
/// without text it was an empty SGML leaf (`<NAME><MEMO>x`), so what
/// seemed to be its children are its following siblings.
fn implicit_close(stack: &mut Vec<Element>) -> Result<(), ParseError> {
    let Some(mut element) = stack.pop() else {
        return Ok(());
    };
    if AGGREGATES.contains(&element.name.as_str()) {
        let message = format!("<{}> is not closed by </{}>", element.name, element.name);
        return Err(ParseError::malformed(Some(element.line), message));
    }
    let Some(parent) = stack.last_mut() else {
        return Ok(());
    };
    let siblings = std::mem::take(&mut element.children);
    parent.children.push(element);
    parent.children.extend(siblings);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn tree(body: &str) -> Result<Element, ParseError> {
        build(tokenize(body, 1)?, body.lines().count() as u32)
    }

    #[test]
    fn unclosed_leaves_on_one_line() {
        let root =
            tree("<OFX><STATUS><CODE>0<SEVERITY>INFO<MESSAGE>OK</STATUS><DTSERVER>2009</OFX>")
                .unwrap();
        let ofx = root.child("OFX").unwrap();
        let status = ofx.child("STATUS").unwrap();
        assert_eq!(status.value("CODE"), Some("0"));
        assert_eq!(status.value("SEVERITY"), Some("INFO"));
        assert_eq!(status.value("MESSAGE"), Some("OK"));
        assert_eq!(ofx.value("DTSERVER"), Some("2009"));
    }

    #[test]
    fn closed_leaves_and_cdata_are_trimmed() {
        let root = tree("<OFX>\n<NAME><![CDATA[ ALDI  STORE  ]]></NAME>\n<MEMO>a\tb </MEMO></OFX>")
            .unwrap();
        let ofx = root.child("OFX").unwrap();
        assert_eq!(ofx.value("NAME"), Some("ALDI STORE"));
        assert_eq!(ofx.value("MEMO"), Some("a b"));
    }

    #[test]
    fn an_empty_sgml_leaf_does_not_swallow_its_siblings() {
        let root = tree("<OFX><T><NAME><MEMO>m<TRNAMT>1</T></OFX>").unwrap();
        let t = root.child("OFX").unwrap().child("T").unwrap();
        let names: Vec<&str> = t.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["NAME", "MEMO", "TRNAMT"]);
        assert_eq!(t.value("NAME"), None);
        assert_eq!(t.value("TRNAMT"), Some("1"));
    }

    #[test]
    fn a_file_cut_off_or_unbalanced_is_malformed() {
        let cut = tree("<OFX>\n<STMTTRN>\n<TRNAMT>1");
        assert!(
            matches!(&cut, Err(ParseError::Malformed { line: Some(3), message }) if message.contains("<STMTTRN> (opened at line 2)")),
            "{cut:?}"
        );
        assert!(matches!(
            tree("<OFX></STMTRS></OFX>"),
            Err(ParseError::Malformed { line: Some(1), .. })
        ));
        let unclosed = tree("<OFX>\n<BANKTRANLIST>\n<STMTTRN><TRNAMT>1\n</BANKTRANLIST></OFX>");
        assert!(
            matches!(unclosed, Err(ParseError::Malformed { line: Some(3), .. })),
            "{unclosed:?}"
        );
        let deep = "<A>".repeat(MAX_DEPTH + 1);
        assert!(matches!(tree(&deep), Err(ParseError::Malformed { .. })));
    }
}
