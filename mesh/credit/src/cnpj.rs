use super::{DocumentError, check_digit, unmask};
use std::fmt;

const FIRST_WEIGHTS: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const SECOND_WEIGHTS: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/// A valid CNPJ, kept as its 14 canonical characters. Since July 2026 the first 12 may be
/// letters (A–Z) as well as digits, each valued ASCII − 48; the two check digits stay numeric.
/// Lowercase input is accepted and upper-cased. `Display`/`Debug` mask it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cnpj(String);

impl Cnpj {
    /// Accepts `00.000.000/0000-00` or 14 bare characters.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let raw = unmask(input.trim()).to_ascii_uppercase();
        let chars: Vec<char> = raw.chars().collect();
        if chars.len() != 14 {
            return Err(DocumentError::Length {
                expected: 14,
                found: chars.len(),
            });
        }
        let mut values = Vec::with_capacity(14);
        for (i, c) in chars.iter().enumerate() {
            let allowed = if i < 12 {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            } else {
                c.is_ascii_digit()
            };
            if !allowed {
                return Err(DocumentError::Character);
            }
            values.push(u32::from(*c) - 48);
        }
        if chars.iter().all(|c| *c == chars[0]) {
            return Err(DocumentError::Repeated);
        }
        let first = check_digit(&values[..12], &FIRST_WEIGHTS);
        let second = check_digit(&values[..13], &SECOND_WEIGHTS);
        if values[12] != first || values[13] != second {
            return Err(DocumentError::CheckDigits);
        }
        Ok(Self(raw))
    }

    /// The 14 canonical characters. Never log this.
    pub fn canonical(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cnpj {
    /// `**.472.523/****-**`: the middle of the root only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "**.{}.{}/****-**", &self.0[2..5], &self.0[5..8])
    }
}

impl fmt::Debug for Cnpj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cnpj({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_masked_and_bare_valid_cnpjs() {
        assert!(Cnpj::parse("35.472.523/0001-15").is_ok());
        assert!(Cnpj::parse("35472523000115").is_ok());
        // The Receita Federal's published alphanumeric example.
        assert!(Cnpj::parse("12.ABC.345/01DE-35").is_ok());
        assert!(Cnpj::parse("12abc34501de35").is_ok());
    }

    #[test]
    fn refuses_bad_cnpjs_with_the_reason() {
        assert_eq!(
            Cnpj::parse("35.472.523/0001-16"),
            Err(DocumentError::CheckDigits)
        );
        assert_eq!(
            Cnpj::parse("00.000.000/0000-00"),
            Err(DocumentError::Repeated)
        );
        assert_eq!(
            Cnpj::parse("35.472.523/0001-1"),
            Err(DocumentError::Length {
                expected: 14,
                found: 13
            })
        );
        assert_eq!(
            Cnpj::parse("35.472.523/0001-1A"),
            Err(DocumentError::Character)
        );
        assert_eq!(
            Cnpj::parse("35.472.523/0001-1*"),
            Err(DocumentError::Character)
        );
    }

    #[test]
    fn display_masks_the_number() {
        let shown = Cnpj::parse("35.472.523/0001-15").map(|c| c.to_string());
        assert_eq!(shown, Ok("**.472.523/****-**".to_owned()));
    }

    proptest! {
        #[test]
        fn every_computed_cnpj_parses_and_a_changed_check_digit_fails(
            base in proptest::collection::vec(prop_oneof![0u32..10, 17u32..43], 12),
            delta in 1u32..10,
        ) {
            let mut values = base.clone();
            values.push(check_digit(&values, &FIRST_WEIGHTS));
            values.push(check_digit(&values, &SECOND_WEIGHTS));
            let text: String = values.iter().filter_map(|v| char::from_u32(v + 48)).collect();
            prop_assume!(text.chars().any(|c| !text.starts_with(c)));
            prop_assert!(Cnpj::parse(&text).is_ok(), "{}", text);
            let mut tampered = values;
            tampered[13] = (tampered[13] + delta) % 10;
            let tampered: String = tampered.iter().filter_map(|v| char::from_u32(v + 48)).collect();
            prop_assert!(Cnpj::parse(&tampered).is_err());
        }

        #[test]
        fn parse_never_panics(input in ".{0,24}") {
            let _ = Cnpj::parse(&input);
        }
    }
}
