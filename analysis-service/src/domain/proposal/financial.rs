use super::{Currency, Installments, InterestType, Percent, PositiveCents};

/// The credit asked for.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Financial {
    pub amount: PositiveCents,
    pub currency: Currency,
    pub interest_type: InterestType,
    /// The fixed part of the yearly rate, in percent.
    pub annual_interest_rate: Percent,
    /// The share of the CDI charged (the floating part), in percent.
    pub cdi_percentage: Percent,
    pub number_of_installments: Installments,
}
