//! What a model reads: one record of named feature values.

use crate::domain::profile::ConsumerProfile;
use std::collections::BTreeMap;

/// One input value. A number that is not a number (NaN) is missing, as PMML treats it.
#[derive(Clone, Debug, PartialEq)]
pub enum FeatureValue {
    Number(f64),
    Text(String),
    Bool(bool),
    Missing,
}

impl FeatureValue {
    pub fn number(value: f64) -> Self {
        if value.is_nan() {
            Self::Missing
        } else {
            Self::Number(value)
        }
    }

    pub fn text(value: impl Into<String>) -> Self {
        Self::Text(value.into())
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing) || matches!(self, Self::Number(n) if n.is_nan())
    }

    /// The value of a JSON scalar; `null` is missing, arrays and objects are not values.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Null => Some(Self::Missing),
            serde_json::Value::Bool(b) => Some(Self::Bool(*b)),
            serde_json::Value::Number(n) => n.as_f64().map(Self::number),
            serde_json::Value::String(s) => Some(Self::Text(s.clone())),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => None,
        }
    }
}

/// Feature name → value. A feature the record does not carry is missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record(BTreeMap<String, FeatureValue>);

static MISSING: FeatureValue = FeatureValue::Missing;

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn with(mut self, feature: impl Into<String>, value: FeatureValue) -> Self {
        self.insert(feature, value);
        self
    }

    pub fn insert(&mut self, feature: impl Into<String>, value: FeatureValue) {
        self.0.insert(feature.into(), value);
    }

    pub fn get(&self, feature: &str) -> &FeatureValue {
        self.0.get(feature).unwrap_or(&MISSING)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &FeatureValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A record from a JSON object of scalars; the error names the first key that is not one.
    pub fn from_json(object: &serde_json::Map<String, serde_json::Value>) -> Result<Self, String> {
        object
            .iter()
            .map(|(key, value)| {
                FeatureValue::from_json(value)
                    .map(|v| (key.clone(), v))
                    .ok_or_else(|| key.clone())
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map(Self)
    }

    /// The record as a JSON object (missing values as `null`), ordered by feature name.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.iter()
            .map(|(feature, value)| {
                let value = match value {
                    FeatureValue::Number(n) => serde_json::Number::from_f64(*n)
                        .map_or(serde_json::Value::Null, serde_json::Value::Number),
                    FeatureValue::Text(s) => serde_json::Value::String(s.clone()),
                    FeatureValue::Bool(b) => serde_json::Value::Bool(*b),
                    FeatureValue::Missing => serde_json::Value::Null,
                };
                (feature.to_owned(), value)
            })
            .collect()
    }

    /// Only the named features (a model's inputs), each as this record has it, missing or not.
    pub fn only<'a>(&self, features: impl IntoIterator<Item = &'a str>) -> Self {
        Self(
            features
                .into_iter()
                .map(|f| (f.to_owned(), self.get(f).clone()))
                .collect(),
        )
    }

    /// `other`'s values replace this record's, feature by feature.
    pub fn overlay(&mut self, other: Self) {
        self.0.extend(other.0);
    }

    /// The platform's behavioural profile as the features its catalog declares
    /// ([`super::feature::FeatureCatalog::platform`]).
    #[allow(clippy::cast_precision_loss)]
    pub fn from_profile(profile: &ConsumerProfile) -> Self {
        Self::new()
            .with(
                "months_as_customer",
                FeatureValue::number(f64::from(profile.months_as_customer)),
            )
            .with(
                "on_time_payment_ratio",
                FeatureValue::number(profile.on_time_payment_ratio),
            )
            .with(
                "late_payments_12m",
                FeatureValue::number(f64::from(profile.late_payments_12m)),
            )
            .with(
                "average_monthly_spend_cents",
                FeatureValue::number(profile.average_monthly_spend_cents as f64),
            )
            .with(
                "active_lines",
                FeatureValue::number(f64::from(profile.active_lines)),
            )
            .with(
                "has_bank_account",
                FeatureValue::Bool(profile.has_bank_account),
            )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn absent_null_and_nan_are_all_missing() {
        let record = Record::new().with("nan", FeatureValue::number(f64::NAN));
        assert!(record.get("absent").is_missing());
        assert!(record.get("nan").is_missing());
        let json = serde_json::json!({"a": null, "b": 1.5, "c": "x", "d": true});
        let record = Record::from_json(json.as_object().unwrap()).unwrap();
        assert!(record.get("a").is_missing());
        assert_eq!(record.get("b"), &FeatureValue::Number(1.5));
        assert_eq!(record.get("c"), &FeatureValue::text("x"));
        assert_eq!(record.get("d"), &FeatureValue::Bool(true));
    }

    #[test]
    fn records_round_trip_through_json_exactly() {
        let record = Record::new()
            .with("pd", FeatureValue::number(0.025_641_025_641_025_654))
            .with("plan", FeatureValue::text("pós-pago"))
            .with("bank", FeatureValue::Bool(false))
            .with("gone", FeatureValue::Missing);
        let text = serde_json::Value::Object(record.to_json()).to_string();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            Record::from_json(back.as_object().unwrap()).unwrap(),
            record
        );
    }

    #[test]
    fn overlays_replace_feature_by_feature_and_only_keeps_the_inputs() {
        let mut shared = Record::new()
            .with("a", FeatureValue::number(1.0))
            .with("b", FeatureValue::number(2.0));
        shared.overlay(
            Record::new()
                .with("b", FeatureValue::Missing)
                .with("c", FeatureValue::Bool(true)),
        );
        assert_eq!(shared.get("a"), &FeatureValue::Number(1.0));
        assert!(shared.get("b").is_missing());
        let inputs = shared.only(["a", "z"]);
        assert_eq!(inputs.iter().count(), 2);
        assert!(inputs.get("z").is_missing());
    }

    #[test]
    fn nested_json_is_not_a_value_and_the_error_names_the_key() {
        let json = serde_json::json!({"ok": 1, "bad": [1, 2]});
        assert_eq!(
            Record::from_json(json.as_object().unwrap()),
            Err("bad".to_owned())
        );
    }
}
