use super::{DocumentError, check_digit, unmask};
use std::fmt;

/// A valid CPF, kept as its 11 canonical digits. `Display` and `Debug` mask it
/// (`***.456.789-**`); [`Cpf::digits`] is for storage and comparison only.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cpf(String);

impl Cpf {
    /// Accepts `000.000.000-00` or 11 bare digits.
    pub fn parse(input: &str) -> Result<Self, DocumentError> {
        let raw = unmask(input.trim());
        let digits: Vec<u32> = raw
            .chars()
            .map(|c| c.to_digit(10).ok_or(DocumentError::Character))
            .collect::<Result<_, _>>()?;
        if digits.len() != 11 {
            return Err(DocumentError::Length {
                expected: 11,
                found: digits.len(),
            });
        }
        if digits.iter().all(|d| *d == digits[0]) {
            return Err(DocumentError::Repeated);
        }
        let first = check_digit(&digits[..9], &[10, 9, 8, 7, 6, 5, 4, 3, 2]);
        let second = check_digit(&digits[..10], &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
        if digits[9] != first || digits[10] != second {
            return Err(DocumentError::CheckDigits);
        }
        Ok(Self(raw))
    }

    /// The 11 canonical digits. Never log this.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The CPF with its check digits computed from the first nine digits (for demo and test
    /// data).
    pub fn from_base(base: [u32; 9]) -> Result<Self, DocumentError> {
        let mut digits = base.to_vec();
        digits.push(check_digit(&digits, &[10, 9, 8, 7, 6, 5, 4, 3, 2]));
        digits.push(check_digit(&digits, &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2]));
        let text: String = digits.iter().map(u32::to_string).collect();
        Self::parse(&text)
    }

    /// The CPF whose first nine digits are the last nine of `n` (for demo and test data);
    /// an error for a base whose digits are all equal, which is no CPF.
    pub fn from_number(n: u64) -> Result<Self, DocumentError> {
        let mut base = [0u32; 9];
        let mut rest = n;
        for digit in base.iter_mut().rev() {
            *digit = u32::try_from(rest % 10).unwrap_or(0);
            rest /= 10;
        }
        Self::from_base(base)
    }
}

impl fmt::Display for Cpf {
    /// `***.456.789-**`: enough to tell two documents apart in a log, not enough to use one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "***.{}.{}-**", &self.0[3..6], &self.0[6..9])
    }
}

impl fmt::Debug for Cpf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpf({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_number_gives_the_cpf_with_those_nine_digits() {
        assert_eq!(
            Cpf::from_number(529_982_247).map(|c| c.digits().to_owned()),
            Ok("52998224725".to_owned())
        );
        assert!(Cpf::from_number(111_111_111).is_err());
    }

    #[test]
    fn accepts_masked_and_bare_valid_cpfs() {
        for input in ["261.026.462-31", "26102646231", " 677.498.846-61 "] {
            assert!(Cpf::parse(input).is_ok(), "{input}");
        }
        assert_eq!(
            Cpf::parse("261.026.462-31").map(|c| c.digits().to_owned()),
            Ok("26102646231".to_owned())
        );
    }

    #[test]
    fn refuses_bad_cpfs_with_the_reason() {
        assert_eq!(
            Cpf::parse("261.026.462-32"),
            Err(DocumentError::CheckDigits)
        );
        assert_eq!(Cpf::parse("111.111.111-11"), Err(DocumentError::Repeated));
        assert_eq!(
            Cpf::parse("2610264623"),
            Err(DocumentError::Length {
                expected: 11,
                found: 10
            })
        );
        assert_eq!(Cpf::parse("261.026.46a-31"), Err(DocumentError::Character));
        assert!(Cpf::parse("").is_err());
    }

    #[test]
    fn display_and_debug_mask_the_number() {
        let cpf = Cpf::parse("261.026.462-31").map_err(|e| e.to_string());
        let cpf = cpf.as_ref().map(|c| (c.to_string(), format!("{c:?}")));
        assert_eq!(
            cpf,
            Ok((
                "***.026.462-**".to_owned(),
                "Cpf(***.026.462-**)".to_owned()
            ))
        );
    }

    proptest! {
        #[test]
        fn every_computed_cpf_parses_and_any_changed_check_digit_fails(
            base in proptest::array::uniform9(0u32..10),
            delta in 1u32..10,
        ) {
            prop_assume!(base.iter().any(|d| *d != base[0]));
            let cpf = Cpf::from_base(base);
            prop_assume!(cpf.is_ok());
            let Ok(cpf) = cpf else { return Ok(()) };
            prop_assert_eq!(Cpf::parse(cpf.digits()), Ok(cpf.clone()));
            let mut tampered: Vec<u32> = cpf.digits().chars().filter_map(|c| c.to_digit(10)).collect();
            tampered[10] = (tampered[10] + delta) % 10;
            let tampered: String = tampered.iter().map(u32::to_string).collect();
            prop_assert!(Cpf::parse(&tampered).is_err());
        }

        #[test]
        fn parse_never_panics(input in ".{0,20}") {
            let _ = Cpf::parse(&input);
        }
    }
}
