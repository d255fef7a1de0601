//! A delivered number kept bit for bit in JSON storage (`#[serde(with = "exact")]`).
//!
//! JSON numbers do not round-trip through every reader: the database hands a JSON column back
//! as a parsed document, and serde_json's default float parser may land one unit in the last
//! place away (0.025641025641025654 read back as …657). A number a partner was given must
//! replay exactly, so it is written as its shortest decimal text, which Rust's `f64` parser
//! reads back to the same bits. Reading also accepts a plain number, as older records hold.

use serde::{Deserializer, Serializer, de};
use std::fmt;

pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    struct ExactVisitor;

    impl de::Visitor<'_> for ExactVisitor {
        type Value = f64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number, or a number's decimal text")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<f64, E> {
            text.parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
            Ok(value)
        }

        #[allow(clippy::cast_precision_loss)]
        fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
            Ok(value as f64)
        }

        #[allow(clippy::cast_precision_loss)]
        fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
            Ok(value as f64)
        }
    }

    deserializer.deserialize_any(ExactVisitor)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Kept {
        #[serde(with = "super")]
        value: f64,
    }

    /// Through a `serde_json::Value`, as a JSON column is read back.
    fn round_trip(value: f64) -> Option<f64> {
        let stored = serde_json::to_string(&Kept { value }).ok()?;
        let column: serde_json::Value = serde_json::from_str(&stored).ok()?;
        serde_json::from_value::<Kept>(column).ok().map(|k| k.value)
    }

    #[test]
    fn a_delivered_probability_replays_bit_for_bit() {
        let delivered = 0.025_641_025_641_025_654_f64;
        assert_eq!(
            round_trip(delivered).map(f64::to_bits),
            Some(delivered.to_bits())
        );
    }

    #[test]
    fn older_records_hold_plain_numbers() {
        let old: Result<Kept, _> = serde_json::from_str(r#"{"value": 12.5}"#);
        assert_eq!(old.ok(), Some(Kept { value: 12.5 }));
        let whole: Result<Kept, _> = serde_json::from_str(r#"{"value": 3}"#);
        assert_eq!(whole.ok(), Some(Kept { value: 3.0 }));
        assert!(serde_json::from_str::<Kept>(r#"{"value": "lots"}"#).is_err());
    }

    proptest! {
        #[test]
        fn every_finite_number_round_trips(value in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            prop_assert_eq!(round_trip(value).map(f64::to_bits), Some(value.to_bits()));
        }
    }
}
