//! A consumer's behavioural data: what the default scorecard reads. Nothing about origin,
//! health, sex or beliefs is kept (Lei 12.414 art. 7-A).

use aval_credit::Cpf;

#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerProfile {
    pub cpf: Cpf,
    pub months_as_customer: u32,
    /// Share of bills paid on time, 0..=1.
    pub on_time_payment_ratio: f64,
    pub late_payments_12m: u32,
    pub average_monthly_spend_cents: i64,
    pub active_lines: u32,
    /// Consumers without a bank account are scored from the other behaviour.
    pub has_bank_account: bool,
}

#[cfg(test)]
impl ConsumerProfile {
    /// A profile with these behaviours, for tests: on-time ratio, late payments in 12 months,
    /// months as a customer, average spend (cents), active lines, bank account.
    pub fn sample(ratio: f64, late: u32, months: u32, spend: i64, lines: u32, bank: bool) -> Self {
        Self {
            // A valid CPF: the literal always parses.
            #[allow(clippy::unwrap_used)]
            cpf: Cpf::parse("261.026.462-31").unwrap(),
            months_as_customer: months,
            on_time_payment_ratio: ratio,
            late_payments_12m: late,
            average_monthly_spend_cents: spend,
            active_lines: lines,
            has_bank_account: bank,
        }
    }
}
