//! What the sandbox's customers spend on: seller templates printed the way
//! banks print them, over keys of the shipped seller dictionary
//! (`core/data/sellers.csv`), with realistic amounts; monthly bills, rent
//! and payroll; and a shared pool of local businesses the dictionary does
//! not know.
//!
//! Placeholders in a pattern:
//! - `{N3}` … `{N13}`: a store or account number, fixed per login and
//!   seller (the login's own branch);
//! - `{REF}`: a 6-character reference, fresh per transaction;
//! - `{CITY}`: the login's home city and state;
//! - `{DOW}` / `{HR}`: the weekday and an hour of the transaction;
//! - `{EMP}`: the login's employer (payroll only).

use crate::categories::Category;

/// How a seller's transactions behave beyond their amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Nothing special.
    Plain,
    /// A sit-down restaurant: usually posts with a tip added.
    Restaurant,
    /// A shop: now and then a refund (a negative amount).
    Shop,
}

/// An everyday seller.
#[derive(Debug)]
pub(super) struct Template {
    pub pattern: &'static str,
    pub category: Category,
    pub min_cents: i64,
    pub max_cents: i64,
    /// Relative frequency (before the login's own preferences).
    pub weight: u32,
    pub kind: Kind,
}

const fn t(
    pattern: &'static str,
    category: Category,
    min_cents: i64,
    max_cents: i64,
    weight: u32,
    kind: Kind,
) -> Template {
    Template {
        pattern,
        category,
        min_cents,
        max_cents,
        weight,
        kind,
    }
}

use Category::{
    Entertainment, Food, Gas, Health, Housing, PersonalCare, Shopping, Transportation, Travel,
    Utilities,
};
use Kind::{Plain, Restaurant, Shop};

/// Everyday spending at sellers the dictionary knows.
pub(super) const EVERYDAY: &[Template] = &[
    // FOOD: groceries
    t("WHOLEFDS MKT {N5} {CITY}", Food, 1_800, 16_000, 50, Plain),
    t("TRADER JOE'S #{N3} {CITY}", Food, 1_500, 12_000, 50, Plain),
    t("KROGER #{N3}", Food, 2_000, 18_000, 40, Plain),
    t("SAFEWAY {N4}", Food, 1_500, 15_000, 30, Plain),
    t("H-E-B #{N3}", Food, 2_000, 17_000, 30, Plain),
    t("ALDI {N5}", Food, 1_500, 9_000, 20, Plain),
    t("INSTACART*{REF}", Food, 3_500, 16_000, 15, Plain),
    // FOOD: coffee
    t("SQ *BLUE BOTTLE COFFEE", Food, 350, 700, 40, Plain),
    t("STARBUCKS STORE {N5} {CITY}", Food, 350, 800, 60, Plain),
    t("DUNKIN #{N6}", Food, 250, 1_200, 30, Plain),
    // FOOD: quick service and delivery
    t("CHIPOTLE {N4}", Food, 900, 1_800, 40, Plain),
    t("MCDONALD'S F{N4}", Food, 450, 1_400, 30, Plain),
    t("TACO BELL #{N6}", Food, 500, 1_500, 20, Plain),
    t("PANERA BREAD #{N6}", Food, 800, 1_900, 20, Plain),
    t("SWEETGREEN {CITY}", Food, 1_100, 1_900, 20, Plain),
    t("SHAKE SHACK {N4}", Food, 1_200, 3_000, 15, Plain),
    t("DD *DOORDASH {REF}", Food, 1_800, 5_500, 20, Plain),
    t("UBER *EATS", Food, 1_500, 4_800, 20, Plain),
    // FOOD: sit-down restaurants (tipped)
    t("OLIVE GARDEN {N4}", Food, 2_500, 8_500, 30, Restaurant),
    t(
        "THE CHEESECAKE FACTORY #{N4}",
        Food,
        3_000,
        11_000,
        20,
        Restaurant,
    ),
    t(
        "OUTBACK STEAKHOUSE {N4}",
        Food,
        3_500,
        12_000,
        20,
        Restaurant,
    ),
    t("APPLEBEE'S {N7}", Food, 2_500, 7_000, 20, Restaurant),
    t(
        "BUFFALO WILD WINGS {N4}",
        Food,
        2_500,
        7_500,
        20,
        Restaurant,
    ),
    // GAS
    t("EXXONMOBIL {N4} {CITY}", Gas, 2_500, 7_500, 30, Plain),
    t("SHELL OIL {N11}", Gas, 2_500, 7_500, 30, Plain),
    t("CHEVRON {N7} {CITY}", Gas, 2_500, 8_000, 20, Plain),
    t("7-ELEVEN {N5}", Gas, 300, 4_500, 20, Plain),
    t("WAWA {N4}", Gas, 300, 5_500, 10, Plain),
    t("BP#{N7} {CITY}", Gas, 2_500, 7_000, 10, Plain),
    t("COSTCO GAS #{N4}", Gas, 3_000, 8_000, 10, Plain),
    t("CIRCLE K {N5}", Gas, 300, 6_000, 10, Plain),
    // SHOPPING
    t("AMZN Mktp US*{REF}", Shopping, 700, 12_000, 60, Shop),
    t("TARGET T-{N4}", Shopping, 800, 15_000, 40, Shop),
    t("WAL-MART #{N4}", Shopping, 1_000, 14_000, 30, Shop),
    t("COSTCO WHSE #{N4}", Shopping, 4_000, 30_000, 15, Shop),
    t("THE HOME DEPOT #{N4}", Shopping, 1_200, 25_000, 15, Shop),
    t("LOWE'S #{N4}", Shopping, 1_200, 20_000, 10, Shop),
    t("BEST BUY {N5}", Shopping, 1_500, 45_000, 8, Shop),
    t("TJ MAXX #{N4}", Shopping, 1_500, 9_000, 10, Shop),
    t("CHEWY.COM", Shopping, 2_000, 9_000, 8, Shop),
    t("ETSY.COM*{REF}", Shopping, 1_200, 6_000, 8, Shop),
    t("DOLLAR TREE {N5}", Shopping, 300, 3_500, 10, Plain),
    // TRANSPORTATION
    t(
        "UBER *TRIP HELP.UBER.COM",
        Transportation,
        800,
        4_500,
        35,
        Plain,
    ),
    t(
        "LYFT   *RIDE {DOW} {HR}",
        Transportation,
        800,
        4_000,
        20,
        Plain,
    ),
    t(
        "PARKMOBILE 877-727-5758 GA",
        Transportation,
        200,
        1_800,
        15,
        Plain,
    ),
    t("MTA*NYCT PAYGO", Transportation, 290, 580, 10, Plain),
    t("CLIPPER CARD {REF}", Transportation, 2_000, 5_000, 5, Plain),
    t("CITI BIKE {REF}", Transportation, 450, 1_800, 5, Plain),
    t("ZIPCAR {N9}", Transportation, 1_500, 12_000, 4, Plain),
    // HEALTH
    t("CVS/PHARMACY #{N5}", Health, 400, 6_000, 25, Plain),
    t("WALGREENS #{N4} {CITY}", Health, 400, 5_500, 20, Plain),
    t("QUEST DIAGNOSTICS {N6}", Health, 2_000, 25_000, 3, Plain),
    t("ONE MEDICAL {N4}", Health, 2_500, 20_000, 3, Plain),
    // ENTERTAINMENT
    t("AMC THEATRES {N4}", Entertainment, 1_200, 4_500, 8, Plain),
    t(
        "STEAM PURCHASE 425-889-9642 WA",
        Entertainment,
        500,
        6_000,
        6,
        Plain,
    ),
    t(
        "TICKETMASTER *{REF}",
        Entertainment,
        4_000,
        25_000,
        3,
        Plain,
    ),
    t(
        "APPLE.COM/BILL 866-712-7753 CA",
        Entertainment,
        99,
        1_999,
        10,
        Plain,
    ),
    // TRAVEL (rare, large)
    t("DELTA AIR {N13}", Travel, 12_000, 65_000, 1, Plain),
    t("SOUTHWEST AIR {N13}", Travel, 9_000, 45_000, 1, Plain),
    t("MARRIOTT HOTELS {N5}", Travel, 12_000, 60_000, 1, Plain),
    t("AIRBNB * HM{REF}", Travel, 15_000, 90_000, 1, Plain),
    t("EXPEDIA {N10}", Travel, 8_000, 50_000, 1, Plain),
    // PERSONAL_CARE
    t("GREAT CLIPS #{N4}", PersonalCare, 1_800, 3_500, 4, Plain),
    t("SUPERCUTS {N4}", PersonalCare, 1_800, 3_800, 4, Plain),
    t("SEPHORA.COM", PersonalCare, 1_500, 12_000, 6, Shop),
    t("ULTA BEAUTY #{N3}", PersonalCare, 1_200, 8_000, 6, Shop),
    t("MASSAGE ENVY {N4}", PersonalCare, 6_000, 12_000, 2, Plain),
    // HOUSING (everyday; rent and insurance are bills)
    t("U-HAUL #{N6}", Housing, 2_000, 20_000, 1, Plain),
    t("TERMINIX {N7}", Housing, 5_000, 15_000, 1, Plain),
];

/// A monthly bill.
#[derive(Debug)]
pub(super) struct Bill {
    pub pattern: &'static str,
    /// What the dictionary should say (checked by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub category: Category,
    pub min_cents: i64,
    pub max_cents: i64,
    /// The amount changes every month (utilities) rather than staying put.
    pub varies: bool,
}

const fn b(
    pattern: &'static str,
    category: Category,
    min_cents: i64,
    max_cents: i64,
    varies: bool,
) -> Bill {
    Bill {
        pattern,
        category,
        min_cents,
        max_cents,
        varies,
    }
}

/// Each login has one of each of these…
pub(super) const PHONE: &[Bill] = &[
    b("AT&T*BILL PAYMENT", Utilities, 6_500, 12_000, false),
    b("VERIZON WRLS P{N4}-01", Utilities, 7_000, 14_000, false),
    b("T-MOBILE AUTO PAY", Utilities, 5_000, 11_000, false),
];
pub(super) const INTERNET: &[Bill] = &[
    b(
        "COMCAST CABLE COMM 800-COMCAST",
        Utilities,
        6_000,
        11_000,
        false,
    ),
    b("SPECTRUM 855-707-7328", Utilities, 5_000, 9_500, false),
    b("XFINITY {N10}", Utilities, 5_500, 10_000, false),
];
pub(super) const POWER: &[Bill] = &[
    b("PG&E WEBRECURRING", Utilities, 4_000, 18_000, true),
    b("DUKE ENERGY PAYMENT", Utilities, 4_000, 16_000, true),
    b("CON ED OF NY INTELL CK", Utilities, 4_500, 17_000, true),
];
/// … two of these…
pub(super) const STREAMING: &[Bill] = &[
    b("NETFLIX.COM", Entertainment, 1_549, 1_549, false),
    b("PAYPAL *SPOTIFY", Entertainment, 1_199, 1_199, false),
    b(
        "RECURRING PAYMENT HULU 877-8244858 CA",
        Entertainment,
        1_799,
        1_799,
        false,
    ),
    b(
        "DISNEYPLUS 888-905-7888 CA",
        Entertainment,
        1_399,
        1_399,
        false,
    ),
];
/// … and each of these with even odds.
pub(super) const OPTIONAL: &[Bill] = &[
    b("PLANET FITNESS #{N3}", Health, 1_000, 2_499, false),
    b("GEICO *AUTO", Transportation, 9_000, 19_000, false),
    b("LEMONADE INSURANCE", Housing, 1_000, 3_500, false),
];

/// Rent, paid on the 1st (one landlord per login).
pub(super) const RENT: &[&str] = &[
    "GREYSTAR RENT PMT {N7}",
    "AVALONBAY COMMUNITIES",
    "CAMDEN PROPERTY TRUST ACH",
    "EQUITY RESIDENTIAL RENT {N6}",
    "BILT RENT {REF}",
    "ZILLOW RENT PMT {N6}",
];
pub(super) const RENT_MIN_DOLLARS: i64 = 900;
pub(super) const RENT_MAX_DOLLARS: i64 = 2_800;

/// Payroll, twice a month (one employer and one format per login).
pub(super) const PAYROLL: &[&str] = &[
    "ACH DEPOSIT {EMP} PAYROLL",
    "DIRECT DEP {EMP} PPD ID: {N9}",
    "PAYROLL DEPOSIT {EMP}",
];
pub(super) const EMPLOYERS: &[&str] = &[
    "ACME CORP",
    "GLOBEX CORP",
    "INITECH",
    "UMBRELLA CORP",
    "HOOLI",
    "STARK INDUSTRIES",
    "WAYNE ENTERPRISES",
    "VANDELAY INDUSTRIES",
    "WONKA INDUSTRIES",
    "PIED PIPER",
    "SOYLENT CORP",
    "CYBERDYNE SYSTEMS",
];
pub(super) const PAYCHECK_MIN_CENTS: i64 = 200_000;
pub(super) const PAYCHECK_MAX_CENTS: i64 = 600_000;

pub(super) const CITIES: &[&str] = &[
    "HOUSTON TX",
    "AUSTIN TX",
    "SAN JOSE CA",
    "SEATTLE WA",
    "CHICAGO IL",
    "BROOKLYN NY",
    "DENVER CO",
    "ATLANTA GA",
    "PORTLAND OR",
    "BOSTON MA",
    "PHOENIX AZ",
    "MIAMI FL",
];

/// A local business the seller dictionary does not know.
#[derive(Debug)]
pub(super) struct Local {
    /// Printed exactly so for every login, so all users share the key.
    pub seller: &'static str,
    pub min_cents: i64,
    pub max_cents: i64,
    pub kind: Kind,
}

const fn l(seller: &'static str, min_cents: i64, max_cents: i64, kind: Kind) -> Local {
    Local {
        seller,
        min_cents,
        max_cents,
        kind,
    }
}

/// The shared pool, in four "neighborhoods" of ten: a login shops mostly
/// in its own neighborhood and sometimes anywhere, so every entry is seen
/// by many logins.
pub(super) const LOCALS: &[Local] = &[
    // Neighborhood 0
    l("SQ *NONNAS CORNER BAKERY", 350, 2_400, Plain),
    l("TST* LUCKYS TACO TRUCK 0042", 900, 2_800, Plain),
    l("BROOKSIDE HARDWARE #12", 600, 9_000, Shop),
    l("SQ *MAPLE & OAK COFFEE", 350, 900, Plain),
    l("FERNWOOD DRY CLEANERS", 1_200, 4_500, Plain),
    l("TST* THE RUSTY SPOON 1187", 2_800, 9_500, Restaurant),
    l("PINECREST VETERINARY CLINIC", 6_000, 35_000, Plain),
    l("SQ *GOLDEN LOTUS NAILS", 2_500, 6_500, Plain),
    l("HARBORVIEW BARBERSHOP", 2_000, 4_500, Plain),
    l("KOWALSKI FAMILY PHARMACY", 500, 4_000, Plain),
    // Neighborhood 1
    l("TST* EL JEFES TAQUERIA 0091", 1_000, 3_500, Restaurant),
    l("SQ *SUNRISE DONUTS", 300, 1_500, Plain),
    l("RIVERBEND BIKE SHOP", 1_500, 25_000, Shop),
    l("SQ *THE HIVE YOGA STUDIO", 1_800, 2_500, Plain),
    l("BLUE HERON BOOKSHOP", 1_200, 6_000, Shop),
    l("TST* MAMA LINS DUMPLING 0310", 1_400, 4_500, Restaurant),
    l("CEDAR STREET MARKET", 800, 7_500, Plain),
    l("OAKRIDGE AUTO REPAIR", 8_000, 65_000, Plain),
    l("SQ *ZIGGYS PET SUPPLY", 1_200, 7_000, Shop),
    l("LAKESIDE LAUNDROMAT", 400, 2_500, Plain),
    // Neighborhood 2
    l("HILLTOP PIZZERIA 0415", 1_500, 4_500, Restaurant),
    l("SQ *BEAN THERE CAFE", 350, 1_100, Plain),
    l("GREENLEAF FLORIST", 2_500, 9_000, Plain),
    l("SQ *WILLOW SPA & NAILS", 3_000, 12_000, Plain),
    l("TST* SMOKEY JOES BBQ 0077", 1_800, 6_500, Restaurant),
    l("CORNERSTONE TAVERN", 2_000, 8_000, Restaurant),
    l("SQ *PAPER MOON CRAFTS", 800, 5_500, Shop),
    l("MILLBROOK CINEMA 8", 1_100, 4_000, Plain),
    l("SQ *ROOTS JUICE BAR", 600, 1_400, Plain),
    l("STONEBRIDGE GARAGE PARKING", 800, 3_500, Plain),
    // Neighborhood 3
    l("TST* BIG SKY DINER 0520", 1_400, 4_800, Restaurant),
    l("SQ *HAPPY PAWS GROOMING", 4_000, 11_000, Plain),
    l("ELMWOOD PHOTO & FRAME", 1_500, 12_000, Shop),
    l("SQ *KAIS POKE BOWL", 1_200, 2_600, Plain),
    l("BAYSIDE SEAFOOD SHACK", 2_000, 7_500, Restaurant),
    l("SQ *NORTHSIDE CYCLE STUDIO", 2_200, 3_500, Plain),
    l("QUARRY HILL MINI GOLF", 1_000, 4_500, Plain),
    l("SQ *TINY TOWN TOYS", 1_000, 8_000, Shop),
    l("WESTGATE SHOE REPAIR", 1_200, 4_500, Plain),
    l("TST* SAKURA RAMEN HOUSE 0233", 1_500, 4_200, Restaurant),
];

/// Entries per neighborhood in [`LOCALS`].
pub(super) const NEIGHBORHOOD: usize = 10;
