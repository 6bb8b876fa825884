//! QIF text as records grouped by section. A `!` header starts a section;
//! a record is the field lines (a one-letter code, then the value) up to
//! `^`. Only transaction sections are kept, each with the account the
//! last `!Account` record named; lists (`!Type:Cat`, `!Type:Class`,
//! `!Type:Memorized`, …) and investment sections are skipped.

use crate::imports::model::RejectedRow;

/// One record: the line of its first field and its fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Record {
    pub line: u32,
    pub fields: Vec<(char, String)>,
}

impl Record {
    /// The first non-empty value of that field, trimmed.
    pub fn get(&self, code: char) -> Option<&str> {
        self.fields
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }
}

/// The transactions of one account (or of the file before any
/// `!Account`), in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Block {
    pub account: Option<String>,
    pub records: Vec<Record>,
}

/// What the lines under the current header are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before any header.
    Start,
    /// `!Type:Bank`, `CCard`, `Cash`, `Oth A`, `Oth L`.
    Transactions,
    /// `!Account`: records naming accounts.
    Account,
    /// Any other list, and investments.
    Skipped,
}

/// The transaction blocks of a QIF file, and the records that cannot
/// belong to one.
#[derive(Debug)]
pub(super) struct Reading {
    pub blocks: Vec<Block>,
    pub rejected: Vec<RejectedRow>,
}

/// The reading state: the current section and account, and the record
/// being collected.
struct Reader {
    section: Section,
    account: Option<String>,
    record: Record,
    reading: Reading,
}

/// Reads the sections and records of a QIF file.
pub(super) fn read(text: &str) -> Reading {
    let mut reader = Reader {
        section: Section::Start,
        account: None,
        record: Record::default(),
        reading: Reading {
            blocks: Vec::new(),
            rejected: Vec::new(),
        },
    };
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if trimmed.starts_with('!') {
            reader.header(trimmed);
        } else if trimmed.starts_with('^') {
            reader.end_record();
        } else if let Some(code) = trimmed.chars().next() {
            if reader.record.fields.is_empty() {
                reader.record.line = line;
            }
            let value = raw.trim_start()[code.len_utf8()..].to_owned();
            reader.record.fields.push((code, value));
        }
    }
    reader.unended("the file ends inside this record (no closing '^')");
    reader.reading
}

impl Reader {
    /// A `!` line: `!Account`, a `!Type:` section, or an option to ignore.
    fn header(&mut self, header: &str) {
        self.unended("a new section starts inside this record (no closing '^')");
        let header = header.to_ascii_lowercase();
        if header.starts_with("!option:") || header.starts_with("!clear:") {
            return;
        }
        let kind = header
            .strip_prefix("!type:")
            .map(|k| k.split_whitespace().collect::<Vec<_>>().join(" "));
        self.section = match kind.as_deref() {
            _ if header == "!account" => Section::Account,
            Some("bank" | "ccard" | "cash" | "oth a" | "oth l") => Section::Transactions,
            _ => Section::Skipped,
        };
        let blocks = &mut self.reading.blocks;
        if self.section == Section::Transactions
            && blocks.last().is_none_or(|b| b.account != self.account)
        {
            blocks.push(Block {
                account: self.account.clone(),
                records: Vec::new(),
            });
        }
    }

    /// `^`: the record is complete.
    fn end_record(&mut self) {
        let record = std::mem::take(&mut self.record);
        if record.fields.is_empty() {
            return;
        }
        match self.section {
            Section::Transactions => {
                if let Some(block) = self.reading.blocks.last_mut() {
                    block.records.push(record);
                }
            }
            Section::Account => self.account = record.get('N').map(str::to_owned),
            Section::Skipped => {}
            Section::Start => self.reading.rejected.push(RejectedRow {
                line: record.line,
                reason: "a record before any !Type: header".to_owned(),
            }),
        }
    }

    /// A record not closed by `^` may be cut short: it is refused rather
    /// than read with a partial amount or payee.
    fn unended(&mut self, reason: &str) {
        let record = std::mem::take(&mut self.record);
        let counts = matches!(self.section, Section::Transactions | Section::Start);
        if counts && !record.fields.is_empty() {
            self.reading.rejected.push(RejectedRow {
                line: record.line,
                reason: reason.to_owned(),
            });
        }
    }
}
