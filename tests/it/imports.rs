//! Bank files in, as a client sends them (a GraphQL multipart request):
//! every public export in `shared/fixtures/bank-files` imports as its
//! `MANIFEST.tsv` says — count, exact sum, one account per account in the
//! file, its currency — and importing it again adds nothing. Bad files
//! are refused with a clear code and store nothing; identical purchases
//! stay two; other currencies stay out of spending until they are home.

use std::path::PathBuf;

use chrono::{Datelike as _, Utc};
use moneta_entities::transactions;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QuerySelect as _};
use serde_json::{Value, json};

use crate::harness::TestApp;
use crate::harness::app::{self, Options};
use crate::harness::cluster::Cluster;
use crate::harness::fixtures::row_id;
use crate::harness::process::Process;

const IMPORT: &str = "mutation($input: ImportTransactionsInput!) { importTransactions(input: $input) { import { id format added duplicates accounts { accountId created currency added duplicates account { id institution displayName currency } } rejectedRows { line reason } repeatedBankIds { bankId lines } } userErrors { code message field } } }";

/// The fixtures sit in the shared folder beside the repository.
fn fixtures() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared/fixtures/bank-files"))
        .find(|p| p.join("MANIFEST.tsv").is_file())
        .unwrap_or_else(|| {
            panic!(
                "shared/fixtures/bank-files not found above {}",
                here.display()
            )
        })
}

/// A manifest row of a file that must import: name, transactions, sum in
/// cents (outflows negative, as the manifest writes it), and how many
/// statements name an account with a currency.
struct Expected {
    file: String,
    transactions: u64,
    sum_cents: i64,
}

fn importable() -> Vec<Expected> {
    let text = std::fs::read_to_string(fixtures().join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            let transactions = c.get(7)?.parse::<u64>().ok()?;
            let sum: rust_decimal::Decimal = c.get(8)?.parse().ok()?;
            let cents = (sum * rust_decimal::Decimal::ONE_HUNDRED).trunc();
            Some(Expected {
                file: c[0].to_owned(),
                transactions,
                sum_cents: i64::try_from(cents).unwrap(),
            })
        })
        .collect()
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(file)).unwrap()
}

/// A server with room for many imports and accounts.
async fn roomy() -> TestApp {
    TestApp::spawn_with(Options {
        tweak: Some(Box::new(|s| {
            s.edge.cost_drain_per_sec = 1_000_000;
            s.edge.max_accounts_per_user = 500;
        })),
        ..Options::default()
    })
    .await
}

async fn import(app: &TestApp, token: &str, file: &str, bytes: Vec<u8>, input: Value) -> Value {
    let mut variables = json!({ "input": input });
    variables["input"]["file"] = Value::Null;
    let (status, body) = app
        .upload(Some(token), IMPORT, variables, file, bytes)
        .await;
    assert_eq!(status, 200, "{file}: {body}");
    assert!(body["errors"].is_null(), "{file}: {body}");
    body["data"]["importTransactions"].clone()
}

/// The count and sum (Moneta's sign: spending positive) of what the
/// accounts hold.
async fn held(app: &TestApp, user: i64, accounts: &[i64]) -> (u64, i64) {
    let db = app.db.connect().await;
    let amounts: Vec<i64> = transactions::Entity::find()
        .select_only()
        .column(transactions::Column::AmountCents)
        .filter(transactions::Column::UserId.eq(user))
        .filter(transactions::Column::AccountId.is_in(accounts.iter().copied()))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    (amounts.len() as u64, amounts.iter().sum())
}

fn account_ids(import: &Value) -> Vec<i64> {
    import["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| row_id(a["accountId"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn every_bank_file_imports_as_its_manifest_says_and_again_adds_nothing() {
    let app = roomy().await;
    let files = importable();
    assert!(
        files.len() >= 25,
        "the manifest lists {} importable files",
        files.len()
    );
    // Two users, so neither meets the hourly import limit.
    let mut users = Vec::new();
    for _ in 0..2 {
        let (token, _, id) = app.signed_up().await;
        users.push((token, row_id(&id)));
    }
    for (n, expected) in files.iter().enumerate() {
        let (token, user) = &users[n % 2];
        let file = &expected.file;
        let first = import(&app, token, file, read(file), json!({})).await;
        assert_eq!(first["userErrors"], json!([]), "{file}: {first}");
        let done = &first["import"];
        assert_eq!(done["added"], expected.transactions, "{file}: {done}");
        assert_eq!(done["duplicates"], 0, "{file}: {done}");
        for account in done["accounts"].as_array().unwrap() {
            assert_eq!(
                account["account"]["institution"], "file",
                "{file}: {account}"
            );
            assert_eq!(
                account["account"]["currency"], account["currency"],
                "{file}"
            );
        }
        let accounts = account_ids(done);
        // Exactly what the file says, in Moneta's sign.
        let (count, sum) = held(&app, *user, &accounts).await;
        assert_eq!(count, expected.transactions, "{file}: stored");
        assert_eq!(sum, -expected.sum_cents, "{file}: stored sum");

        let again = import(&app, token, file, read(file), json!({})).await;
        let again = &again["import"];
        assert_eq!(again["added"], 0, "{file}: re-import added: {again}");
        assert_eq!(
            again["duplicates"], expected.transactions,
            "{file}: {again}"
        );
        assert_eq!(account_ids(again), accounts, "{file}: the same accounts");
        assert_eq!(held(&app, *user, &accounts).await, (count, sum), "{file}");
    }
}

#[tokio::test]
async fn accounts_and_currencies_come_from_the_file() {
    let app = roomy().await;
    let (token, _, _) = app.signed_up().await;
    // Three statements of two banks in one OFX: three accounts, in GBP.
    let multi = import(
        &app,
        &token,
        "multi.ofx",
        read("asgrim__ofx-multiple-accounts-xml.ofx"),
        json!({}),
    )
    .await;
    let accounts = multi["import"]["accounts"].as_array().unwrap().clone();
    assert_eq!(accounts.len(), 3, "{multi}");
    assert!(
        accounts
            .iter()
            .all(|a| a["currency"] == "GBP" && a["created"] == true),
        "{multi}"
    );
    // CAMT: two IBANs, in EUR; the same IBAN twice (two statements) is one.
    let camt = import(
        &app,
        &token,
        "a.xml",
        read("camt053rs__example-camt053-a.xml"),
        json!({}),
    )
    .await;
    assert_eq!(
        camt["import"]["accounts"].as_array().unwrap().len(),
        2,
        "{camt}"
    );
    let same = import(
        &app,
        &token,
        "b.xml",
        read("genkgo__camt053.v2.multi.statement.xml"),
        json!({}),
    )
    .await;
    assert_eq!(
        same["import"]["accounts"].as_array().unwrap().len(),
        1,
        "{same}"
    );
    assert_eq!(same["import"]["accounts"][0]["currency"], "EUR", "{same}");
    // A QIF says no currency: the one asked for, else the home currency.
    let qif = import(
        &app,
        &token,
        "c.qif",
        read("csv2ofx__ubs-ch-fr.qif"),
        json!({ "currency": "chf" }),
    )
    .await;
    assert_eq!(qif["import"]["accounts"][0]["currency"], "CHF", "{qif}");
    let plain = import(
        &app,
        &token,
        "d.qif",
        read("quiffen__test_category_override.qif"),
        json!({}),
    )
    .await;
    assert_eq!(plain["import"]["accounts"][0]["currency"], "USD", "{plain}");
    // Into a chosen account, a file in another currency is refused.
    let into = plain["import"]["accounts"][0]["accountId"].clone();
    let mismatch = import(
        &app,
        &token,
        "e.ofx",
        read("asgrim__ofxdata-credit-card.ofx"),
        json!({ "accountId": into }),
    )
    .await;
    assert_eq!(
        mismatch["userErrors"][0]["code"], "CURRENCY_MISMATCH",
        "{mismatch}"
    );
    assert_eq!(mismatch["import"], Value::Null);
    // Another user's account is no account at all.
    let (other, _, _) = app.signed_up().await;
    let (status, body) = app
        .upload(
            Some(&other),
            IMPORT,
            json!({ "input": { "file": null, "accountId": into } }),
            "f.qif",
            read("quiffen__test_category_override.qif"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );
}

/// The user's accounts and transactions, as the API lists them.
async fn nothing_stored(app: &TestApp, token: &str) {
    let body = app
        .graphql_as(
            token,
            "{ accounts { id } transactions(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["accounts"], json!([]), "{body}");
    assert_eq!(body["data"]["transactions"]["edges"], json!([]), "{body}");
}

#[tokio::test]
async fn bad_files_are_refused_with_a_code_and_store_nothing() {
    let app = roomy().await;
    let (token, _, _) = app.signed_up().await;
    let cmfr = read("asgrim__ofxdata-cmfr.ofx");
    let empty_list = String::from_utf8(read("asgrim__ofxdata-xml.ofx"))
        .unwrap()
        .split("<STMTTRN>")
        .next()
        .map(|head| format!("{head}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"))
        .unwrap();
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "picture.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".to_vec(),
            "UNKNOWN_FILE_FORMAT",
            "OFX",
        ),
        (
            "notes.txt",
            b"Dear bank, please send my statement.\n".to_vec(),
            "UNKNOWN_FILE_FORMAT",
            "CSV",
        ),
        (
            "cut.ofx",
            cmfr[..cmfr.len() / 2].to_vec(),
            "MALFORMED_FILE",
            "cut off",
        ),
        (
            "amount.ofx",
            read("ofxparse__fail_nice-decimal_error.ofx"),
            "INVALID_ROWS",
            "$120",
        ),
        (
            "date.csv",
            b"Date,Payee,Amount\n2024-01-05,Grocer,-10.00\n2024-02-31,Cinema,-12.00\n".to_vec(),
            "INVALID_ROWS",
            "line 3",
        ),
        (
            "error.ofx",
            read("ofxparse__error_message.ofx"),
            "EMPTY_FILE",
            "General Server Error",
        ),
        (
            "nostmt.xml",
            read("genkgo__camt053.v2.wrong.xml"),
            "EMPTY_FILE",
            "statement",
        ),
        (
            "empty.ofx",
            empty_list.into_bytes(),
            "EMPTY_FILE",
            "no transactions",
        ),
        ("zero.csv", Vec::new(), "UNKNOWN_FILE_FORMAT", ""),
    ];
    for (file, bytes, code, says) in cases {
        let refused = import(&app, &token, file, bytes, json!({})).await;
        assert_eq!(refused["import"], Value::Null, "{file}: {refused}");
        assert_eq!(refused["userErrors"][0]["code"], code, "{file}: {refused}");
        let message = refused["userErrors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(says),
            "{file}: {message:?} should say {says:?}"
        );
        nothing_stored(&app, &token).await;
    }
    // Over the size limit (100 MB): refused before it is read.
    let huge = vec![b'a'; 100 * 1024 * 1024 + 70 * 1024];
    let (status, body) = app
        .upload(
            Some(&token),
            IMPORT,
            json!({ "input": { "file": null } }),
            "huge.csv",
            huge,
        )
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FILE_TOO_LARGE",
        "{body}"
    );
    nothing_stored(&app, &token).await;
    // An upload without Authorization is refused as such.
    let (status, _) = app
        .upload(
            None,
            IMPORT,
            json!({ "input": { "file": null } }),
            "a.csv",
            b"x".to_vec(),
        )
        .await;
    assert_eq!(status, 401);
    // The server is still up.
    assert_eq!(
        app.graphql("{ __typename }", json!({})).await["data"]["__typename"],
        "Query"
    );
}

#[tokio::test]
async fn unreadable_rows_can_be_skipped_and_are_listed() {
    let app = roomy().await;
    let (token, _, _) = app.signed_up().await;
    let file = b"Date,Payee,Amount\n2024-01-05,Grocer,-10.00\n2024-02-31,Cinema,-12.00\n2024-01-07,Pay,100\n".to_vec();
    let done = import(
        &app,
        &token,
        "rows.csv",
        file,
        json!({ "skipInvalidRows": true }),
    )
    .await;
    assert_eq!(done["import"]["added"], 2, "{done}");
    let rejected = &done["import"]["rejectedRows"];
    assert_eq!(rejected.as_array().unwrap().len(), 1, "{done}");
    assert_eq!(rejected[0]["line"], 3, "{done}");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("2024-02-31"),
        "{done}"
    );
}

#[tokio::test]
async fn identical_purchases_stay_two_and_overlapping_files_add_only_what_is_new() {
    let app = roomy().await;
    let (token, _, user) = app.signed_up().await;
    let user = row_id(&user);
    let week = "Date,Payee,Amount\n2024-03-01,Blue Bottle,-4.50\n2024-03-01,Blue Bottle,-4.50\n2024-03-02,Grocer,-20.00\n";
    let first = import(
        &app,
        &token,
        "week.csv",
        week.as_bytes().to_vec(),
        json!({}),
    )
    .await;
    assert_eq!(
        first["import"]["added"], 3,
        "two identical coffees are two: {first}"
    );
    let account = first["import"]["accounts"][0]["accountId"].clone();
    // The same rows in a new file (another name), into the same account.
    let again = import(
        &app,
        &token,
        "copy.csv",
        week.as_bytes().to_vec(),
        json!({ "accountId": account }),
    )
    .await;
    assert_eq!(
        (
            again["import"]["added"].clone(),
            again["import"]["duplicates"].clone()
        ),
        (json!(0), json!(3)),
        "{again}"
    );
    // A later export overlaps: the two coffees again, and a new day.
    let later = format!("{week}2024-03-03,Cinema,-12.00\n2024-03-03,Cinema,-12.00\n");
    let more = import(
        &app,
        &token,
        "later.csv",
        later.into_bytes(),
        json!({ "accountId": account }),
    )
    .await;
    assert_eq!(
        (
            more["import"]["added"].clone(),
            more["import"]["duplicates"].clone()
        ),
        (json!(2), json!(3)),
        "{more}"
    );
    let (count, sum) = held(&app, user, &[row_id(account.as_str().unwrap())]).await;
    assert_eq!((count, sum), (5, 450 + 450 + 2000 + 1200 + 1200));
    // A file whose bank ids repeat keeps every row, and says so.
    let ids = "Transaction Date,Transaction Time,Time Zone,Transaction ID,Description,Credit Amount,Debit Amount,Currency,Transfer Amount,Transfer Amount Currency,Status,Running Balance,Additional Description,Store Name,Source,Target,Reference ID\n03/01/2024,10:00:00,UTC,T1,Coffee,,4.50,USD,,,Completed,,,,,,\n03/01/2024,11:00:00,UTC,T1,Lunch,,12.00,USD,,,Completed,,,,,,\n";
    let repeated = import(&app, &token, "ids.csv", ids.as_bytes().to_vec(), json!({})).await;
    assert_eq!(repeated["import"]["added"], 2, "{repeated}");
    assert_eq!(
        repeated["import"]["repeatedBankIds"][0]["bankId"], "T1",
        "{repeated}"
    );
    assert_eq!(
        repeated["import"]["repeatedBankIds"][0]["lines"],
        json!([2, 3]),
        "{repeated}"
    );
}

/// This month's spending per category, as the API reports it.
async fn spent(app: &TestApp, token: &str, month: &str) -> Value {
    let body = app
        .graphql_as(
            token,
            "query($m: Month!) { budget(month: $m) { homeCurrency categories { category spent } leftOut { currency spent transactions } } }",
            json!({ "m": month }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["budget"].clone()
}

fn category_spent(budget: &Value, category: &str) -> String {
    budget["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == category)
        .map(|c| c["spent"].to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn imported_spending_counts_in_the_home_currency_only() {
    let app = roomy().await;
    let (token, _, _) = app.signed_up().await;
    let today = Utc::now().date_naive();
    let month = format!("{:04}-{:02}", today.year(), today.month());
    let day = format!("{month}-01");
    let before = spent(&app, &token, &month).await;
    assert_eq!(before["homeCurrency"], "USD");
    // Dictionary sellers, so the categories are known.
    let usd = format!("Date,Payee,Amount\n{day},STARBUCKS STORE 123,-7.25\n");
    let done = import(&app, &token, "usd.csv", usd.into_bytes(), json!({})).await;
    assert_eq!(done["import"]["added"], 1, "{done}");
    let after = spent(&app, &token, &month).await;
    let food = category_spent(&after, "FOOD");
    assert_ne!(
        food,
        category_spent(&before, "FOOD"),
        "imported spending counts: {after}"
    );
    // Euros are kept, listed apart, not counted.
    let eur = format!("Date,Payee,Amount\n{day},STARBUCKS STORE 9,-30.00\n");
    let euros = import(
        &app,
        &token,
        "eur.csv",
        eur.into_bytes(),
        json!({ "currency": "EUR" }),
    )
    .await;
    assert_eq!(euros["import"]["accounts"][0]["currency"], "EUR", "{euros}");
    let mixed = spent(&app, &token, &month).await;
    assert_eq!(
        category_spent(&mixed, "FOOD"),
        food,
        "euros are not dollars: {mixed}"
    );
    assert_eq!(
        mixed["leftOut"],
        json!([{ "currency": "EUR", "spent": "30.00", "transactions": 1 }]),
        "{mixed}"
    );
    // Home in euros: the other way round.
    let set = app
        .graphql_as(&token, "mutation { setHomeCurrency(input: { currency: \"eur\" }) { homeCurrency userErrors { code } } }", json!({}))
        .await;
    assert_eq!(
        set["data"]["setHomeCurrency"]["homeCurrency"], "EUR",
        "{set}"
    );
    let home = spent(&app, &token, &month).await;
    assert_eq!(home["homeCurrency"], "EUR");
    assert_eq!(category_spent(&home, "FOOD"), "\"30.00\"", "{home}");
    assert_eq!(
        home["leftOut"],
        json!([{ "currency": "USD", "spent": "7.25", "transactions": 1 }]),
        "{home}"
    );
    let bad = app
        .graphql_as(&token, "mutation { setHomeCurrency(input: { currency: \"euro\" }) { homeCurrency userErrors { code field } } }", json!({}))
        .await;
    assert_eq!(
        bad["data"]["setHomeCurrency"]["userErrors"][0]["code"], "INVALID",
        "{bad}"
    );
}

/// Long enough for a cold debug binary on a loaded machine.
const RUN: std::time::Duration = std::time::Duration::from_secs(180);

#[tokio::test]
async fn an_operator_imports_a_file_with_moneta_import() {
    let Some(cluster) = Cluster::start("imports_cli").await else {
        return;
    };
    let email = format!("cli-{}@example.com", uuid::Uuid::new_v4().simple());
    let registered = cluster
        .client
        .graphql(
            None,
            app::REGISTER,
            json!({ "input": { "email": email, "password": app::PASSWORD } }),
        )
        .await;
    let token = registered["data"]["register"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = fixtures().join("yofi__SampleData-2022-Full-Month02.ofx");
    let file = file.to_str().unwrap();
    let import = |args: &[&str]| {
        let mut all = vec!["import", file];
        all.extend_from_slice(args);
        Process::spawn(cluster.shared.moneta(&all, &[]))
    };
    let mut first = import(&["--user", &email]);
    assert!(
        first.wait_exit(RUN),
        "the import failed:\n{}",
        first.output()
    );
    assert!(
        first.output().contains("73 added, 0 already there"),
        "{}",
        first.output()
    );
    // The API sees them, in a file account.
    let body = cluster
        .client
        .graphql(Some(&token), "{ accounts { id institution currency } transactions(first: 100) { edges { node { id } } } }", json!({}))
        .await;
    assert_eq!(body["data"]["accounts"][0]["institution"], "file", "{body}");
    assert_eq!(
        body["data"]["transactions"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        73,
        "{body}"
    );
    let account = body["data"]["accounts"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut again = import(&["--user", &email, "--account", &account]);
    assert!(again.wait_exit(RUN), "{}", again.output());
    assert!(
        again.output().contains("0 added, 73 already there"),
        "{}",
        again.output()
    );
    // A user who does not exist, a file that is not one: non-zero, and why.
    let mut nobody = import(&["--user", "nobody@example.com"]);
    assert!(!nobody.wait_exit(RUN), "{}", nobody.output());
    assert!(
        nobody.output().contains("no user with the email"),
        "{}",
        nobody.output()
    );
    let picture = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(picture.path(), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let mut bad = Process::spawn(cluster.shared.moneta(
        &["import", picture.path().to_str().unwrap(), "--user", &email],
        &[],
    ));
    assert!(!bad.wait_exit(RUN), "{}", bad.output());
    assert!(
        bad.output().contains("UNKNOWN_FILE_FORMAT"),
        "{}",
        bad.output()
    );
}

/// The user's stored transactions (count, sum), their monthly totals'
/// sum, and the follow-up records not yet settled.
async fn books(cluster: &Cluster, user: i64) -> (u64, i64, i64, u64) {
    use moneta_entities::{monthly_spending, spending_changes};
    use sea_orm::PaginatorTrait as _;
    let db = cluster.shared.db.connect().await;
    let amounts: Vec<i64> = transactions::Entity::find()
        .select_only()
        .column(transactions::Column::AmountCents)
        .filter(transactions::Column::UserId.eq(user))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    let totals: Vec<i64> = monthly_spending::Entity::find()
        .select_only()
        .column(monthly_spending::Column::AmountCents)
        .filter(monthly_spending::Column::UserId.eq(user))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    let unsettled = spending_changes::Entity::find()
        .filter(spending_changes::Column::UserId.eq(user))
        .count(&db)
        .await
        .unwrap();
    (
        amounts.len() as u64,
        amounts.iter().sum(),
        totals.iter().sum(),
        unsettled,
    )
}

#[tokio::test]
async fn an_import_killed_between_statements_finishes_when_run_again() {
    let Some(cluster) = Cluster::start("imports_crash").await else {
        return;
    };
    let token = cluster.client.signed_up().await;
    let user = cluster.client.users()[0];
    let me = cluster
        .client
        .graphql(Some(&token), "{ me { email } }", json!({}))
        .await;
    let email = me["data"]["me"]["email"].as_str().unwrap().to_owned();
    // Three statements (0, 2 and 1 transactions), in the home currency.
    let text = String::from_utf8(read("asgrim__ofx-multiple-accounts-xml.ofx")).unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text.replace("<CURDEF>GBP", "<CURDEF>USD")).unwrap();
    let path = file.path().to_str().unwrap();
    // Killed right after the second statement's commit: before the
    // follow-up, the third statement and the import's record.
    let mut doomed = Process::spawn(cluster.shared.moneta(
        &["import", path, "--user", &email],
        &[("FAILPOINTS", "import.statement.committed=1*off->return")],
    ));
    assert!(!doomed.wait_exit(RUN), "{}", doomed.output());
    assert!(
        doomed.output().contains("crash point reached"),
        "{}",
        doomed.output()
    );
    let (stored, _, _, unsettled) = books(&cluster, user).await;
    assert_eq!(stored, 2, "the committed statement stands");
    assert!(unsettled > 0, "and its follow-up is owed");
    // Run again: the rest, nothing twice, everything settled.
    let mut again = Process::spawn(
        cluster
            .shared
            .moneta(&["import", path, "--user", &email], &[]),
    );
    assert!(again.wait_exit(RUN), "{}", again.output());
    assert!(
        again.output().contains("1 added, 2 already there"),
        "{}",
        again.output()
    );
    let (stored, sum, totals, unsettled) = books(&cluster, user).await;
    assert_eq!((stored, unsettled), (3, 0));
    assert_eq!(sum, -51_472, "the file's 514.72 in, in Moneta's sign");
    assert_eq!(
        totals, sum,
        "the monthly totals count every transaction once"
    );
}

#[tokio::test]
async fn a_layout_no_preset_knows_imports_with_an_explicit_mapping() {
    let app = roomy().await;
    let (token, _, user) = app.signed_up().await;
    let user = row_id(&user);
    // No header, day-first dates, decimal comma, money out as positive.
    let file = "02.03.2024;Bäckerei Kraus;4,50;K-1\n03.03.2024;Gehalt;-2.500,00;K-2\n"
        .as_bytes()
        .to_vec();
    let mapping = json!({
        "date": "1", "description": "2", "amount": "3", "id": "4",
        "dateOrder": "DAY_MONTH_YEAR", "negate": true, "decimalComma": true
    });
    let mapped = import(
        &app,
        &token,
        "konto.csv",
        file,
        json!({ "csvMapping": mapping, "currency": "USD", "format": "CSV" }),
    )
    .await;
    assert_eq!(mapped["userErrors"], json!([]), "{mapped}");
    assert_eq!(mapped["import"]["added"], 2, "{mapped}");
    let accounts = account_ids(&mapped["import"]);
    assert_eq!(held(&app, user, &accounts).await, (2, 450 - 250_000));
}
