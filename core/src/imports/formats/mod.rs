//! Reading bank files: bytes → text (`decode`) → format (`detect`) → one
//! parser per format → [`ParsedFile`]. Pure: no database, no clock.

mod camt;
mod csv;
mod decode;
mod detect;
mod error;
mod ofx;
mod qif;
mod values;

#[cfg(test)]
mod manifest_tests;

pub use error::ParseError;

use crate::imports::model::{Format, ParseOptions, ParsedFile};

/// Reads a bank file. A file that is readable but has records that are
/// not comes back with them in `rejected`; one that is not a bank file,
/// or is cut off, is an error.
pub fn parse(bytes: &[u8], options: &ParseOptions) -> Result<ParsedFile, ParseError> {
    let text = decode::decode(bytes);
    let format = match options.format {
        Some(format) => format,
        None => detect::detect(&text).ok_or(ParseError::UnknownFormat)?,
    };
    match format {
        Format::Ofx => ofx::parse(&text),
        Format::Qif => qif::parse(&text),
        Format::Csv => csv::parse(&text, options.csv.as_ref()),
        Format::Camt053 => camt::parse(&text),
    }
}
