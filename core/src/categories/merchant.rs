//! The merchant a transaction was with, as people name it.

use super::SellerDictionary;

/// The merchant's name: a rule's display name, else the dictionary's,
/// else the normalized seller in title case (`BLUE BOTTLE` → `Blue
/// Bottle`, `H&M` stays). Empty when the bank printed nothing usable.
pub fn merchant_name(
    display_name: Option<&str>,
    seller_key: &str,
    dictionary: &SellerDictionary,
) -> String {
    if let Some(name) = display_name.filter(|n| !n.trim().is_empty()) {
        return name.to_owned();
    }
    if let Some(found) = dictionary.lookup(seller_key) {
        return found.entry.display_name.to_string();
    }
    title_case(seller_key)
}

/// `WORD WORD` → `Word Word`; a token with a digit or `&` stays as it is
/// (`7ELEVEN`, `H&M`), a two-letter token too (`CVS` is three: `Cvs`
/// reads worse than the bank's, so tokens of up to three letters stay).
fn title_case(key: &str) -> String {
    key.split(' ')
        .filter(|t| !t.is_empty())
        .map(|token| {
            let plain = token.chars().all(|c| c.is_ascii_alphabetic());
            if !plain || token.len() <= 3 {
                return token.to_owned();
            }
            let mut out = String::with_capacity(token.len());
            let mut chars = token.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
            }
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categories::{Category, SellerRow, normalize};

    fn dictionary() -> SellerDictionary {
        SellerDictionary::from_rows(vec![SellerRow {
            key: "BLUE BOTTLE".to_owned(),
            display_name: "Blue Bottle Coffee".to_owned(),
            category: Category::Food,
        }])
    }

    #[test]
    fn the_dictionary_names_a_seller_it_knows() {
        let key = normalize("SQ *BLUE BOTTLE 0423 OAKLAND CA");
        assert_eq!(
            merchant_name(None, &key, &dictionary()),
            "Blue Bottle Coffee"
        );
    }

    #[test]
    fn an_unknown_seller_is_its_cleaned_key_in_title_case() {
        let key = normalize("TST* JOES PIZZA 0231 BROOKLYN NY");
        assert_eq!(merchant_name(None, &key, &dictionary()), "Joes Pizza");
        assert_eq!(
            merchant_name(None, "7ELEVEN H&M", &dictionary()),
            "7ELEVEN H&M"
        );
        assert_eq!(merchant_name(None, "", &dictionary()), "");
    }

    #[test]
    fn a_rule_s_display_name_wins() {
        assert_eq!(
            merchant_name(Some("Coffee place"), "BLUE BOTTLE", &dictionary()),
            "Coffee place"
        );
        assert_eq!(
            merchant_name(Some("  "), "BLUE BOTTLE", &dictionary()),
            "Blue Bottle Coffee"
        );
    }
}
