//! Personal data is minimised (SPEC invariant): whatever text an identity number is typed into,
//! and however it is typed, the masked text never holds it whole.

use proptest::prelude::*;
use rand::SeedableRng;
use xinyong_domain::code::{CitizenId, DivisionCode};
use xinyong_domain::mask::mask_identity_numbers;

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0xFF10 + (c as u32 - '0' as u32)).unwrap(),
            'X' => '\u{FF38}',
            c => c,
        })
        .collect()
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32('0' as u32 + (c as u32 - 0xFF10)).unwrap(),
            '\u{FF38}' | '\u{FF58}' | 'x' => 'X',
            c => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn an_identity_number_never_survives_masking(
        seed in any::<u64>(),
        before in "[a-zA-Z0-9当事人：（）, ]{0,6}",
        after in "[a-zA-Z0-9号之）, ]{0,6}",
        wide in any::<bool>(),
        lower in any::<bool>(),
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let div = DivisionCode::parse("440305").unwrap();
        let id = CitizenId::generate(&mut rng, &div, 1930..=2010).as_str().to_owned();
        let mut typed = if wide { fullwidth(&id) } else { id.clone() };
        if lower {
            typed = typed.replace('X', "x");
        }
        let text = format!("{before}{typed}{after}");
        let masked = mask_identity_numbers(&text);
        prop_assert!(!ascii(&masked).contains(&id), "{text} -> {masked}");
        // The birth date, the part that identifies, is gone.
        prop_assert!(!ascii(&masked).contains(&id[6..14]), "{text} -> {masked}");
    }
}
