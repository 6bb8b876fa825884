//! CSV bank exports: delimiter and header found from the text, columns
//! from an explicit mapping, a known bank's preset, or generic detection.

mod generic;
mod layout;
mod presets;
mod read;
mod rows;
mod table;

pub(super) use read::parse;
pub(super) use table::{looks_like_date, sniff_delimiter};
