//! `moneta import FILE --user EMAIL`: an operator imports a bank file for
//! a user, through the same service as `importTransactions`.

use std::sync::Arc;

use anyhow::{Context as _, bail};
use moneta_api::graphql::ids::{self, Kind};
use moneta_core::auth::Email;
use moneta_core::clock::{SharedClock, SystemClock};
use moneta_core::imports::{Format, ImportRequest, ParseOptions};
use moneta_platform::config::{ImportArgs, Settings};

use crate::Runtime;

/// Imports `args.file` and prints what the import did (or why it did
/// nothing).
pub async fn import(settings: Settings, args: &ImportArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let clock: SharedClock = Arc::new(SystemClock);
    let runtime = Runtime::build(settings, clock).await?;
    let email = Email::parse(&args.user).map_err(|e| anyhow::anyhow!("--user: {e}"))?;
    let Some(user) = runtime.services.auth.find_by_email(&email).await? else {
        bail!("no user with the email {}", args.user);
    };
    let account_id = match args.account.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .or_else(|| ids::decode_as(Kind::Account, raw))
                .with_context(|| format!("--account {raw:?} is not an account id"))?,
        ),
    };
    let request = ImportRequest {
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        account_id,
        options: ParseOptions {
            format: args.format.as_deref().map(format).transpose()?,
            csv: None,
        },
        currency: args
            .currency
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--currency: {e}"))?,
        skip_invalid_rows: args.skip_invalid_rows,
    };
    let report = match runtime.services.imports.import(user, request).await {
        Ok(report) => report,
        Err(error) => {
            let code = error.user_code().map_or("INTERNAL", |c| c.as_str());
            bail!("{code}: {error}");
        }
    };
    println!(
        "imported {} ({}): {} added, {} already there",
        args.file.display(),
        report.format.as_str(),
        report.added(),
        report.duplicates()
    );
    for a in &report.accounts {
        println!(
            "  account {} {:?} ({}{}): {} added, {} already there",
            ids::encode(Kind::Account, a.account_id).as_str(),
            a.display_name,
            a.currency,
            if a.created { ", new" } else { "" },
            a.added,
            a.duplicates
        );
    }
    for r in &report.rejected {
        println!("  skipped line {}: {}", r.line, r.reason);
    }
    for r in &report.repeated_ids {
        println!(
            "  bank id {:?} repeats on lines {:?}: kept apart by content",
            r.bank_id, r.lines
        );
    }
    Ok(())
}

fn format(raw: &str) -> anyhow::Result<Format> {
    Ok(match raw.to_ascii_lowercase().as_str() {
        "ofx" | "qfx" => Format::Ofx,
        "qif" => Format::Qif,
        "csv" => Format::Csv,
        "camt053" | "camt.053" | "camt" => Format::Camt053,
        other => bail!("--format {other:?}: one of ofx, qif, csv, camt053"),
    })
}
