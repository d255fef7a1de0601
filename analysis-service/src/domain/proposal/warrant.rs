use super::{Address, Cents, Invalid, Text, WarrantType};

/// Collateral offered for the credit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warrant {
    pub warrant_type: WarrantType,
    pub property_type: Option<Text>,
    #[serde(flatten)]
    pub appraisal: Appraisal,
    pub address: Option<Address>,
}

/// A collateral's appraisal: what it is worth, and what a forced sale would fetch, which can
/// never be more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "StoredAppraisal")]
pub struct Appraisal {
    estimated_value: Cents,
    forced_selling_value: Cents,
}

/// An appraisal as stored, read back through [`Appraisal::new`] so the two values are checked
/// against each other again.
#[derive(serde::Deserialize)]
struct StoredAppraisal {
    estimated_value: Cents,
    forced_selling_value: Cents,
}

impl TryFrom<StoredAppraisal> for Appraisal {
    /// The field's name and why: flattened, the appraisal has no path of its own.
    type Error = String;

    fn try_from(stored: StoredAppraisal) -> Result<Self, String> {
        Self::new(stored.estimated_value, stored.forced_selling_value)
            .map_err(|e| format!("forced_selling_value {e}"))
    }
}

impl Appraisal {
    /// Refuses a forced-sale value above the estimated value (the error is about the former).
    pub fn new(estimated_value: Cents, forced_selling_value: Cents) -> Result<Self, Invalid> {
        if forced_selling_value > estimated_value {
            return Err(Invalid::out_of_range(
                "must not be greater than estimated_value",
            ));
        }
        Ok(Self {
            estimated_value,
            forced_selling_value,
        })
    }

    pub fn estimated_value(self) -> Cents {
        self.estimated_value
    }

    /// What the lender can count on recovering: the basis of warrant coverage.
    pub fn forced_selling_value(self) -> Cents {
        self.forced_selling_value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forced_sale_never_fetches_more_than_the_estimate() {
        let cents = |v| Cents::new(v).unwrap_or_default();
        assert!(Appraisal::new(cents(100), cents(60)).is_ok());
        assert!(Appraisal::new(cents(100), cents(100)).is_ok());
        assert!(matches!(
            Appraisal::new(cents(100), cents(101)),
            Err(Invalid::OutOfRange(_))
        ));
    }
}
