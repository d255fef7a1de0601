//! A consumer's data: the platform's behavioural profile (what the default model reads), and
//! the rows of declared features tenants load. Nothing about origin, health, sex or beliefs
//! is kept (Lei 12.414 art. 7-A): features are declared through the same guard as models.

use super::model::{
    Record,
    feature::{FeatureCatalog, IncomingValue},
};
use aval_credit::Cpf;
use aval_errors::FieldCode;

/// The field a row's CPF is in, as row errors name it.
pub const DOCUMENT_FIELD: &str = "document";

/// One row of a profile import, as the caller sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct IncomingRow {
    /// Where the row is in the caller's file (1-based).
    pub line: u64,
    pub document: String,
    pub values: Vec<(String, IncomingValue)>,
}

/// What is wrong with one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    /// `document`, or the feature's name.
    pub field: String,
    pub code: FieldCode,
    pub reason: String,
}

impl IncomingRow {
    /// The row as a CPF and a record of the catalog's features, read as their declared kinds;
    /// every problem in the row is reported.
    pub fn read(self, catalog: &FeatureCatalog) -> Result<(Cpf, Record), Vec<RowError>> {
        let line = self.line;
        let error = |field: &str, code, reason: String| RowError {
            line,
            field: field.to_owned(),
            code,
            reason,
        };
        let mut errors = Vec::new();
        let cpf = Cpf::parse(&self.document)
            .map_err(|e| errors.push(error(DOCUMENT_FIELD, e.code(), e.to_string())))
            .ok();
        let mut record = Record::new();
        for (name, value) in self.values {
            let Some(declared) = catalog.get(&name) else {
                errors.push(error(
                    &name,
                    FieldCode::InvalidEnum,
                    format!("`{name}` is not a declared feature"),
                ));
                continue;
            };
            match declared.kind().read(value) {
                Ok(value) => record.insert(name, value),
                Err(reason) => errors.push(error(&name, FieldCode::Invalid, reason)),
            }
        }
        match cpf {
            Some(cpf) if errors.is_empty() => Ok((cpf, record)),
            _ => Err(errors),
        }
    }
}

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

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::model::FeatureValue;

    fn row(document: &str, values: &[(&str, IncomingValue)]) -> IncomingRow {
        IncomingRow {
            line: 7,
            document: document.into(),
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }

    #[test]
    fn a_good_row_reads_as_the_declared_kinds() {
        let catalog = FeatureCatalog::platform();
        let (cpf, record) = row(
            "529.982.247-25",
            &[
                ("active_lines", IncomingValue::Untyped("3".into())),
                ("has_bank_account", IncomingValue::Bool(true)),
            ],
        )
        .read(&catalog)
        .expect("valid");
        assert_eq!(cpf.digits(), "52998224725");
        assert_eq!(record.get("active_lines"), &FeatureValue::Number(3.0));
        assert_eq!(record.get("has_bank_account"), &FeatureValue::Bool(true));
    }

    #[test]
    fn every_problem_of_a_row_is_named_with_its_line() {
        let errors = row(
            "123",
            &[
                ("active_lines", IncomingValue::Text("three".into())),
                ("gender", IncomingValue::Text("f".into())),
            ],
        )
        .read(&FeatureCatalog::platform())
        .expect_err("invalid");
        let fields: Vec<(&str, FieldCode)> =
            errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("document", FieldCode::InvalidLength),
                ("active_lines", FieldCode::Invalid),
                ("gender", FieldCode::InvalidEnum)
            ]
        );
        assert!(errors.iter().all(|e| e.line == 7));
    }
}
