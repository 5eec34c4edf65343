//! Name search: the segmenter that turns a subject's name into indexed search terms, and the
//! parser that turns what a visitor typed into a [`SearchQuery`].
//!
//! Neither SQLite nor PostgreSQL can find a two-character Chinese short name (腾讯) inside a
//! full name (深圳市腾讯计算机系统有限公司) with their stock tokenizers, so names are segmented
//! here, once, by one pure function that both backends share:
//!
//! - `words`: jieba words of every run of Chinese characters, and every run of Latin letters and
//!   digits (lower-cased). They serve ranking ("best term match").
//! - `pairs`: every pair of adjacent Chinese characters (a lone character stands for itself).
//!   They serve recall: any substring of two or more characters of a name has all its pairs in
//!   the name's pairs, so a query matches when all its pairs are present.
//!
//! The stored form is `"words | pairs"`, space-separated. Tokens are only Chinese characters or
//! only ASCII letters and digits, so SQLite FTS5 `unicode61` and PostgreSQL's `simple` text
//! search configuration split it into exactly the same tokens; `|` is a separator to both.
//!
//! Invariant: [`index_terms`] never returns an empty string (it always holds the `|`), so an
//! empty column means "not segmented yet".

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jieba_rs::Jieba;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// Shortest code prefix searched as a code.
pub const MIN_CODE_PREFIX: usize = 8;
/// Separates the words part from the pairs part of stored terms.
pub const SECTION_SEPARATOR: &str = "|";

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Whether `c` is a Chinese (Han) character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x323AF)
}

/// Full-width ASCII to half-width, ideographic space to space, ASCII lower-cased.
fn normalise(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// A run of searchable characters: all Chinese, or all ASCII letters and digits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Run {
    Han(Vec<char>),
    Latin(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut han: Vec<char> = Vec::new();
    let mut latin = String::new();
    for c in text.chars().map(normalise) {
        if is_han(c) {
            if !latin.is_empty() {
                out.push(Run::Latin(std::mem::take(&mut latin)));
            }
            han.push(c);
        } else if c.is_ascii_alphanumeric() {
            if !han.is_empty() {
                out.push(Run::Han(std::mem::take(&mut han)));
            }
            latin.push(c);
        } else {
            if !han.is_empty() {
                out.push(Run::Han(std::mem::take(&mut han)));
            }
            if !latin.is_empty() {
                out.push(Run::Latin(std::mem::take(&mut latin)));
            }
        }
    }
    if !han.is_empty() {
        out.push(Run::Han(han));
    }
    if !latin.is_empty() {
        out.push(Run::Latin(latin));
    }
    out
}

/// Jieba words of two or more characters in a run of Chinese characters. For a name being
/// indexed (`fine`), long words also give their dictionary sub-words (华为技术 → 华为, 技术).
fn han_words(run: &[char], fine: bool, into: &mut Vec<String>) {
    let text: String = run.iter().collect();
    let tokens = if fine {
        jieba().cut_for_search(&text, false)
    } else {
        jieba().cut(&text, false)
    };
    for token in tokens {
        if token.word.chars().count() >= 2 {
            into.push(token.word.to_owned());
        }
    }
}

fn han_pairs(run: &[char], into: &mut Vec<String>) {
    if run.len() == 1 {
        into.push(run[0].to_string());
    }
    for w in run.windows(2) {
        into.push(w.iter().collect());
    }
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// The search terms stored for a subject's name: `"words | pairs"`.
pub fn index_terms(name: &str) -> String {
    let mut words = Vec::new();
    let mut pairs = Vec::new();
    for run in runs(name) {
        match run {
            Run::Han(chars) => {
                han_words(&chars, true, &mut words);
                han_pairs(&chars, &mut pairs);
            }
            Run::Latin(word) => words.push(word),
        }
    }
    let mut out = dedup(words).join(" ");
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(SECTION_SEPARATOR);
    for p in dedup(pairs) {
        out.push(' ');
        out.push_str(&p);
    }
    out
}

/// One token a matching subject's terms must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Only Chinese characters, or only lower-case ASCII letters and digits.
    pub text: String,
    /// Matches any term that starts with `text` (a single Chinese character).
    pub prefix: bool,
}

/// What a visitor asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    /// A credit code or identity number, or a prefix of one (upper-cased).
    Code { code: String, exact: bool },
    /// Name search.
    Name {
        /// The query as typed (trimmed): a subject with exactly this name ranks first.
        exact_name: String,
        /// Every one of these must be among a subject's terms.
        tokens: Vec<Token>,
        /// The query's own words: the more of them are words of a name, the higher it ranks.
        words: Vec<String>,
    },
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is empty")]
    Empty,
    #[error("the query is {0} characters long; at most {MAX_QUERY_CHARS} are accepted")]
    TooLong(usize),
    #[error("the query contains a control character at position {0}")]
    Control(usize),
    #[error(
        "the query has no letters, digits or Chinese characters to search for; a code prefix needs at least {MIN_CODE_PREFIX} characters"
    )]
    NothingToSearch,
}

/// Whether `term` (already upper-cased) looks like a credit code or identity number, or a
/// prefix of at least [`MIN_CODE_PREFIX`] characters of one: characters 3 to 8 are the
/// division code, digits in both kinds of code.
fn code_like(term: &str) -> bool {
    let n = term.len();
    (MIN_CODE_PREFIX..=18).contains(&n)
        && term
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && term.as_bytes()[2..8].iter().all(u8::is_ascii_digit)
}

/// Parses a visitor's query.
pub fn parse_query(q: &str) -> Result<SearchQuery, QueryError> {
    if let Some(pos) = q.chars().position(char::is_control) {
        // Tabs and newlines from a pasted name are just spaces.
        if q.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(QueryError::Control(pos + 1));
        }
    }
    let trimmed = q.trim();
    if trimmed.is_empty() {
        return Err(QueryError::Empty);
    }
    let len = trimmed.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(len));
    }
    let normalised: String = trimmed.chars().map(normalise).collect();
    let terms: Vec<&str> = normalised.split_whitespace().collect();
    if let [term] = terms.as_slice() {
        let upper = term.to_ascii_uppercase();
        if code_like(&upper) {
            return Ok(SearchQuery::Code {
                exact: upper.len() == 18,
                code: upper,
            });
        }
    }
    let mut tokens = Vec::new();
    let mut words = Vec::new();
    for run in runs(&normalised) {
        match run {
            Run::Han(chars) if chars.len() == 1 => tokens.push(Token {
                text: chars[0].to_string(),
                prefix: true,
            }),
            Run::Han(chars) => {
                han_words(&chars, false, &mut words);
                let mut pairs = Vec::new();
                han_pairs(&chars, &mut pairs);
                tokens.extend(pairs.into_iter().map(|text| Token {
                    text,
                    prefix: false,
                }));
            }
            Run::Latin(word) => {
                words.push(word.clone());
                tokens.push(Token {
                    text: word,
                    prefix: false,
                });
            }
        }
    }
    if tokens.is_empty() {
        return Err(QueryError::NothingToSearch);
    }
    let mut seen = BTreeSet::new();
    tokens.retain(|t| seen.insert((t.text.clone(), t.prefix)));
    Ok(SearchQuery::Name {
        exact_name: trimmed.to_owned(),
        tokens,
        words: dedup(words),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn terms(name: &str) -> Vec<String> {
        index_terms(name)
            .split_whitespace()
            .filter(|t| *t != SECTION_SEPARATOR)
            .map(str::to_owned)
            .collect()
    }

    fn matches(name: &str, q: &str) -> bool {
        let terms = terms(name);
        match parse_query(q).unwrap() {
            SearchQuery::Name { tokens, .. } => tokens.iter().all(|t| {
                terms
                    .iter()
                    .any(|term| term == &t.text || (t.prefix && term.starts_with(&t.text)))
            }),
            SearchQuery::Code { .. } => false,
        }
    }

    #[test]
    fn a_two_character_short_name_finds_the_full_name() {
        let name = "深圳市腾讯计算机系统有限公司";
        let stored = index_terms(name);
        assert!(stored.contains(" | "), "{stored}");
        let words = stored.split(" | ").next().unwrap();
        assert!(words.split(' ').any(|w| w == "腾讯"), "{stored}");
        assert!(matches(name, "腾讯"));
        assert!(matches(name, "腾讯计算机"));
        assert!(matches(name, "深圳 腾讯"));
        assert!(!matches(name, "腾讯音乐"));
    }

    #[test]
    fn every_substring_of_two_or_more_characters_matches() {
        let name = "华为技术有限公司";
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 2..=chars.len() {
                let sub: String = chars[i..j].iter().collect();
                assert!(matches(name, &sub), "{sub}");
            }
        }
        assert!(matches(name, "华为 技术"));
        assert!(!matches(name, "华为 银行"));
    }

    #[test]
    fn latin_words_are_lower_cased_and_full_width_is_folded() {
        let name = "ＡＢＣ Trading (Shenzhen) Co., Ltd. 深圳ABC贸易有限公司";
        let t = terms(name);
        assert!(t.contains(&"abc".to_owned()), "{t:?}");
        assert!(t.contains(&"trading".to_owned()));
        assert!(matches(name, "Trading"));
        assert!(matches(name, "SHENZHEN abc"));
        assert!(!t.iter().any(|x| x.contains('(') || x.contains('.')));
    }

    #[test]
    fn stored_terms_are_never_empty() {
        assert_eq!(index_terms(""), "|");
        assert_eq!(index_terms("（）"), "|");
        assert_eq!(index_terms("王"), "| 王");
    }

    #[test]
    fn codes_and_prefixes_are_recognised() {
        assert_eq!(
            parse_query(" 91110000600037341l ").unwrap(),
            SearchQuery::Code {
                code: "91110000600037341L".into(),
                exact: true
            }
        );
        assert_eq!(
            parse_query("91110000").unwrap(),
            SearchQuery::Code {
                code: "91110000".into(),
                exact: false
            }
        );
        // Too short for a code prefix, and English words are not codes.
        assert!(matches!(
            parse_query("9111000").unwrap(),
            SearchQuery::Name { .. }
        ));
        assert!(matches!(
            parse_query("technologies").unwrap(),
            SearchQuery::Name { .. }
        ));
    }

    #[test]
    fn bad_queries_are_refused_with_a_reason() {
        assert_eq!(parse_query("   "), Err(QueryError::Empty));
        assert_eq!(
            parse_query(&"腾".repeat(101)),
            Err(QueryError::TooLong(101))
        );
        assert_eq!(parse_query("腾\u{0}讯"), Err(QueryError::Control(2)));
        assert_eq!(parse_query("（）!!"), Err(QueryError::NothingToSearch));
        assert!(parse_query("华为\t技术").is_ok());
    }

    #[test]
    fn a_single_character_is_a_prefix_token() {
        match parse_query("腾").unwrap() {
            SearchQuery::Name { tokens, .. } => {
                assert_eq!(
                    tokens,
                    vec![Token {
                        text: "腾".into(),
                        prefix: true
                    }]
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
