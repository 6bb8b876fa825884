//! Categorizer benchmark: categorizations per second and dictionary memory
//! at 50,000 sellers, beside the floor — a plain `HashMap` lookup of the
//! same (already normalized) keys, measured in the same run.
//!
//! The rules stage (a user's standing rules, [`RULES`] of them, tested
//! after the dictionary on the merchant, seller, amount and account) is
//! measured on the same strings and its cost per transaction printed.
//!
//! `cargo bench -p moneta-core --bench categorizer`

use std::alloc::System;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use moneta_core::categories::{
    Categorizer, Category, SellerDictionary, SellerRow, dictionary, merchant_name, normalize,
};
use moneta_core::money::Money;
use moneta_core::rules::{Actions, Condition, Direction, Facts, Rule, RuleSet, RuleSpec};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SELLERS: usize = 50_000;
const LOOKUPS: usize = 500_000;
/// Rules of the benchmark's user: more than most people keep.
const RULES: usize = 25;

/// `RULES` rules over `keys`: contains / equals on merchant and seller,
/// amount ranges, directions; about one transaction in a few dozen
/// matches one (every rule needs both of its conditions).
fn rules(keys: &[String]) -> RuleSet {
    let rules = (0..RULES)
        .map(|i| {
            let key = &keys[(i * 7919) % keys.len()];
            let first = key.split(' ').next().unwrap_or("X").to_owned();
            let condition = match i % 4 {
                0 => Condition::MerchantContains {
                    value: first.to_lowercase(),
                },
                1 => Condition::SellerEquals { value: key.clone() },
                2 => Condition::SellerContains { value: first },
                _ => Condition::AmountBetween {
                    min: Some(Money::from_cents(99_000)),
                    max: None,
                },
            };
            Rule {
                id: i as i64,
                position: i as i32,
                spec: RuleSpec {
                    name: format!("rule {i}"),
                    enabled: true,
                    match_all: true,
                    conditions: vec![
                        condition,
                        Condition::Direction {
                            direction: Direction::Outflow,
                        },
                    ],
                    actions: Actions {
                        category: Some(Category::Entertainment),
                        ..Actions::default()
                    },
                },
            }
        })
        .collect();
    RuleSet::new(rules)
}

/// A deterministic pseudo-random stream (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn word(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'A' + (self.next() % 26) as u8))
            .collect()
    }
}

fn live_bytes(region: &Region<'_, System>) -> isize {
    let change = region.change();
    change.bytes_allocated as isize - change.bytes_deallocated as isize + change.bytes_reallocated
}

/// The shipped dictionary grown to `SELLERS` rows with made-up sellers.
fn sellers(rng: &mut Rng) -> Vec<SellerRow> {
    let mut rows = dictionary::parse_csv(dictionary::SHIPPED_CSV).unwrap_or_default();
    while rows.len() < SELLERS {
        let n = 1 + (rng.next() % 3) as usize;
        let key = (0..n)
            .map(|_| {
                let len = 4 + (rng.next() % 7) as usize;
                rng.word(len)
            })
            .collect::<Vec<_>>()
            .join(" ");
        let key = normalize(&key);
        rows.push(SellerRow {
            display_name: key.clone(),
            key,
            category: Category::SPENDING[(rng.next() % 10) as usize],
        });
    }
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    rows.dedup_by(|a, b| a.key == b.key);
    rows
}

/// Statement-shaped raw strings over `keys`.
fn raw_strings(rng: &mut Rng, keys: &[String]) -> Vec<String> {
    let decorations = ["", "SQ *", "TST* ", "POS DEBIT ", "PAYPAL *"];
    (0..LOOKUPS)
        .map(|i| {
            let key = &keys[(rng.next() as usize) % keys.len()];
            let prefix = decorations[i % decorations.len()];
            format!("{prefix}{key} #{} HOUSTON TX", rng.next() % 100_000)
        })
        .collect()
}

/// The same categorizations, then the user's rules on each: seconds and
/// how many a rule matched.
fn time_rules(categorizer: &Categorizer, raws: &[String], keys: &[String]) -> (f64, usize) {
    let ruleset = rules(keys);
    let started = Instant::now();
    let mut ruled = 0usize;
    for (i, raw) in raws.iter().enumerate() {
        let (key, found) = categorizer.classify(black_box(raw));
        let name = found.map_or_else(
            || merchant_name(None, &key, categorizer.dictionary()),
            |m| m.entry.display_name.to_string(),
        );
        let facts = Facts {
            merchant: &name,
            seller_key: &key,
            amount: Money::from_cents((i as i64 % 100_000) - 5_000),
            account_id: 1,
        };
        if black_box(ruleset.first_match(&facts)).is_some() {
            ruled += 1;
        }
    }
    (started.elapsed().as_secs_f64(), ruled)
}

fn main() {
    let mut rng = Rng(0x5eed_cafe);
    let rows = sellers(&mut rng);
    let keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();

    // Memory: the dictionary vs. a bare map of the same keys. The rows are
    // made inside the region, so what remains live is what the dictionary
    // owns (the rows' vector is consumed and freed).
    let region = Region::new(GLOBAL);
    let dictionary = SellerDictionary::from_rows(rows.to_vec());
    let dictionary_bytes = live_bytes(&region);
    drop(rows);
    let region = Region::new(GLOBAL);
    let floor_map: HashMap<String, Category> =
        keys.iter().map(|k| (k.clone(), Category::Food)).collect();
    let floor_bytes = live_bytes(&region);

    let raws = raw_strings(&mut rng, &keys);
    let normalized: Vec<String> = raws.iter().map(|r| normalize(r)).collect();

    let categorizer = Categorizer::new(Arc::new(dictionary));
    let started = Instant::now();
    let mut hits = 0usize;
    for raw in &raws {
        if black_box(categorizer.classify(black_box(raw))).1.is_some() {
            hits += 1;
        }
    }
    let categorize_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut floor_hits = 0usize;
    for key in &normalized {
        if black_box(floor_map.get(black_box(key.as_str()))).is_some() {
            floor_hits += 1;
        }
    }
    let floor_secs = started.elapsed().as_secs_f64();

    let (rules_secs, ruled) = time_rules(&categorizer, &raws, &keys);

    let mib = |b: isize| b as f64 / (1024.0 * 1024.0);
    let rate = |secs: f64| LOOKUPS as f64 / secs;
    println!("sellers in dictionary:            {}", keys.len());
    println!(
        "dictionary memory:                {:>8.2} MiB ({:.0} bytes/seller)",
        mib(dictionary_bytes),
        dictionary_bytes as f64 / keys.len() as f64
    );
    println!(
        "floor: HashMap<String, Category>: {:>8.2} MiB ({:.0} bytes/seller)",
        mib(floor_bytes),
        floor_bytes as f64 / keys.len() as f64
    );
    println!(
        "categorize (normalize + lookup):  {:>12.0} /s  ({hits} of {LOOKUPS} found)",
        rate(categorize_secs)
    );
    println!(
        "floor: HashMap lookup of the key: {:>12.0} /s  ({floor_hits} of {LOOKUPS} found)",
        rate(floor_secs)
    );
    println!(
        "categorize / floor:               {:>12.3}",
        rate(categorize_secs) / rate(floor_secs)
    );
    println!(
        "categorize + {RULES} rules:            {:>12.0} /s  ({ruled} of {LOOKUPS} ruled)",
        rate(rules_secs)
    );
    println!(
        "rules stage cost:                 {:>12.0} ns/transaction ({:.2}x categorize alone)",
        (rules_secs - categorize_secs).max(0.0) * 1e9 / LOOKUPS as f64,
        rules_secs / categorize_secs
    );
}
