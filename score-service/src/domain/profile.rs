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
