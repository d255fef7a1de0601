use super::{Invalid, parsed};
use serde::{Deserialize, Deserializer};

/// Largest amount of money accepted anywhere: R$ 10 trillion. Far above any real proposal,
/// and low enough that summing 50 of them cannot overflow an `i64`.
pub const MAX_CENTS: i64 = 1_000_000_000_000_000;
/// Longest term accepted: 40 years of monthly installments.
pub const MAX_INSTALLMENTS: u16 = 480;

fn within_max(cents: i64) -> Result<i64, Invalid> {
    if cents > MAX_CENTS {
        Err(Invalid::out_of_range(format!(
            "must be at most {MAX_CENTS} (cents)"
        )))
    } else {
        Ok(cents)
    }
}

/// A non-negative amount of integer cents (revenue, income, appraised values).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Self = Self(0);

    pub fn new(cents: i64) -> Result<Self, Invalid> {
        if cents < 0 {
            return Err(Invalid::out_of_range("must not be negative (cents)"));
        }
        within_max(cents).map(Self)
    }

    /// An amount the partner may leave out (revenue, income, appraised values): none given
    /// counts as zero, nothing declared.
    pub fn absent_as_zero(cents: Option<i64>) -> Result<Self, Invalid> {
        cents.map_or(Ok(Self::ZERO), Self::new)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, Self::new)
    }
}

/// A strictly positive amount of integer cents: what a credit proposal asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PositiveCents(i64);

impl PositiveCents {
    pub fn new(cents: i64) -> Result<Self, Invalid> {
        if cents <= 0 {
            return Err(Invalid::out_of_range("must be greater than zero (cents)"));
        }
        within_max(cents).map(Self)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for PositiveCents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, Self::new)
    }
}

/// The number of installments, 1 to [`MAX_INSTALLMENTS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Installments(u16);

impl Installments {
    pub fn new(count: i32) -> Result<Self, Invalid> {
        u16::try_from(count)
            .ok()
            .filter(|n| (1..=MAX_INSTALLMENTS).contains(n))
            .map(Self)
            .ok_or_else(|| {
                Invalid::out_of_range(format!("must be between 1 and {MAX_INSTALLMENTS}"))
            })
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

/// Read as an `i32`, as received, so an out-of-range count gets the range error.
impl<'de> Deserialize<'de> for Installments {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, Self::new)
    }
}

/// A finite, non-negative percentage (`2.32` means 2.32 %).
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd, serde::Serialize)]
#[serde(transparent)]
pub struct Percent(f64);

impl Percent {
    /// A rate the partner may leave out: none given counts as zero.
    pub fn absent_as_zero(value: Option<f64>) -> Result<Self, Invalid> {
        value.map_or(Ok(Self::default()), Self::new)
    }

    pub fn new(value: f64) -> Result<Self, Invalid> {
        if value.is_finite() && value >= 0.0 {
            Ok(Self(value))
        } else {
            Err(Invalid::out_of_range(
                "must be a number greater than or equal to 0",
            ))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_and_terms_have_their_ranges() {
        assert_eq!(Cents::new(0).map(Cents::get), Ok(0));
        assert_eq!(Cents::absent_as_zero(None), Ok(Cents::ZERO));
        assert!(Cents::absent_as_zero(Some(-1)).is_err());
        assert_eq!(Percent::absent_as_zero(None).map(Percent::get), Ok(0.0));
        assert!(Cents::new(-1).is_err());
        assert!(Cents::new(MAX_CENTS + 1).is_err());
        assert!(PositiveCents::new(0).is_err());
        assert_eq!(
            PositiveCents::new(100_000).map(PositiveCents::get),
            Ok(100_000)
        );
        assert!(Installments::new(0).is_err());
        assert!(Installments::new(-4).is_err());
        assert!(Installments::new(481).is_err());
        assert_eq!(Installments::new(480).map(Installments::get), Ok(480));
        assert!(Percent::new(f64::NAN).is_err());
        assert!(Percent::new(-0.01).is_err());
        assert!(Percent::new(f64::INFINITY).is_err());
        assert_eq!(Percent::new(2.32).map(Percent::get), Ok(2.32));
    }

    proptest! {
        #[test]
        fn cents_accept_exactly_their_range(cents in any::<i64>()) {
            prop_assert_eq!(Cents::new(cents).is_ok(), (0..=MAX_CENTS).contains(&cents));
            prop_assert_eq!(PositiveCents::new(cents).is_ok(), (1..=MAX_CENTS).contains(&cents));
        }

        #[test]
        fn installments_accept_exactly_1_to_480(count in any::<i32>()) {
            prop_assert_eq!(Installments::new(count).is_ok(), (1..=480).contains(&count));
        }
    }
}
