//! Fields: the DataDictionary's types and valid/invalid/missing values, and the MiningField's
//! treatment of missing, invalid and outlying inputs (PMML 4.4 DataDictionary, MiningSchema).
//!
//! Where PMML4S (pypmml) reads these differently, Aval follows the specification:
//! - an integer field given 2.5 has an invalid value (PMML4S truncates it to 2);
//! - an invalid categorical value kept `asIs` is compared as it is, so `notEqual` is TRUE and
//!   `isMissing` FALSE (PMML4S encodes it as missing);
//! - `float` fields are compared as doubles, like `double` ones.

use super::super::record::FeatureValue;
use super::evaluate::Unscorable;

/// A DataField's `dataType`, of those a scorecard can compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    String,
    Integer,
    Float,
    Double,
    Boolean,
}

impl DataType {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "string" => Some(Self::String),
            "integer" => Some(Self::Integer),
            "float" => Some(Self::Float),
            "double" => Some(Self::Double),
            "boolean" => Some(Self::Boolean),
            _ => None,
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Float | Self::Double)
    }

    /// A literal of the document (a predicate's value, a replacement) as this type.
    pub fn literal(self, text: &str) -> Option<Literal> {
        match self {
            Self::String => Some(Literal::Text(text.to_owned())),
            Self::Integer => parse_number(text)
                .filter(|n| n.fract() == 0.0)
                .map(Literal::Number),
            Self::Float | Self::Double => parse_number(text).map(Literal::Number),
            Self::Boolean => parse_bool(text).map(Literal::Bool),
        }
    }

    /// An input value as this type: `None` when it cannot be one (an invalid value).
    /// Numbers may come as numeric text; an integer must be whole; booleans may come as
    /// `true`/`false` (any case) or 1/0.
    fn convert(self, value: &FeatureValue) -> Option<Literal> {
        match (self, value) {
            (Self::String, FeatureValue::Text(s)) => Some(Literal::Text(s.clone())),
            (Self::Integer, FeatureValue::Number(n)) => {
                (n.fract() == 0.0).then_some(Literal::Number(*n))
            }
            (Self::Float | Self::Double, FeatureValue::Number(n)) => Some(Literal::Number(*n)),
            (t, FeatureValue::Text(s)) if t.is_numeric() => t.literal(s),
            (Self::Boolean, FeatureValue::Bool(b)) => Some(Literal::Bool(*b)),
            (Self::Boolean, FeatureValue::Text(s)) => parse_bool(s).map(Literal::Bool),
            (Self::Boolean, FeatureValue::Number(n)) if *n == 0.0 || *n == 1.0 => {
                Some(Literal::Bool(*n == 1.0))
            }
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Float => "float",
            Self::Double => "double",
            Self::Boolean => "boolean",
        }
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    match text {
        "INF" | "Infinity" => Some(f64::INFINITY),
        "-INF" | "-Infinity" => Some(f64::NEG_INFINITY),
        _ => text.parse::<f64>().ok().filter(|n| !n.is_nan()),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// A value of a field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
    Bool(bool),
}

impl Literal {
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// `Interval closure`: which ends belong to the interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub left: Option<f64>,
    pub right: Option<f64>,
    pub left_closed: bool,
    pub right_closed: bool,
}

impl Interval {
    fn contains(&self, x: f64) -> bool {
        let above = self
            .left
            .is_none_or(|l| if self.left_closed { x >= l } else { x > l });
        let below = self
            .right
            .is_none_or(|r| if self.right_closed { x <= r } else { x < r });
        above && below
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidTreatment {
    /// The whole result is invalid (the default).
    ReturnInvalid,
    /// The value is used as it is.
    AsIs,
    /// The value is treated as missing (and missing value replacement applies).
    AsMissing,
    /// The value is replaced by `invalidValueReplacement`.
    AsValue,
}

/// The MiningField's `outliers` treatment (its values keep PMML's names).
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(clippy::enum_variant_names)]
pub enum Outliers {
    AsIs,
    /// Values below `low` or above `high` are missing.
    AsMissingValues {
        low: f64,
        high: f64,
    },
    /// Values below `low` become `low`, above `high` become `high`.
    AsExtremeValues {
        low: f64,
        high: f64,
    },
}

/// An active MiningField with what its DataField declares: what the model reads, and how.
#[derive(Clone, Debug)]
pub struct InputField {
    pub name: String,
    pub data_type: DataType,
    pub valid: Vec<Literal>,
    pub invalid: Vec<Literal>,
    pub missing: Vec<Literal>,
    pub intervals: Vec<Interval>,
    pub missing_replacement: Option<Literal>,
    /// `missingValueTreatment="returnInvalid"`: a missing input makes the result invalid.
    pub missing_is_invalid: bool,
    pub invalid_treatment: InvalidTreatment,
    pub invalid_replacement: Option<Literal>,
    pub outliers: Outliers,
}

impl InputField {
    /// The value the predicates see (`None` = missing), or why the record cannot be scored.
    /// The order is the MiningSchema's: a missing value (or an outlier or invalid value to be
    /// treated as missing) is replaced or stays missing; an invalid value is treated; a valid
    /// one is clipped when outliers are extreme values.
    pub fn prepare(&self, raw: &FeatureValue) -> Result<Option<Literal>, Unscorable> {
        let converted = if raw.is_missing() {
            None
        } else {
            Some(self.data_type.convert(raw))
        };
        let declared_missing = matches!(&converted, Some(Some(v)) if self.missing.contains(v));
        let value = match converted {
            None => None,
            Some(_) if declared_missing => None,
            Some(v) => Some(v),
        };
        let invalid = match &value {
            Some(Some(v)) => !self.is_valid(v),
            Some(None) => true,
            None => false,
        };
        let outlier_missing = match (&self.outliers, &value) {
            (Outliers::AsMissingValues { low, high }, Some(Some(Literal::Number(x)))) => {
                !invalid && (x < low || x > high)
            }
            _ => false,
        };
        let missing = value.is_none()
            || outlier_missing
            || (invalid && self.invalid_treatment == InvalidTreatment::AsMissing);
        if missing {
            if self.missing_is_invalid {
                return Err(Unscorable::MissingValue {
                    field: self.name.clone(),
                });
            }
            return Ok(self.missing_replacement.clone());
        }
        let Some(value) = value else { return Ok(None) };
        if invalid {
            return match self.invalid_treatment {
                InvalidTreatment::ReturnInvalid => Err(Unscorable::InvalidValue {
                    field: self.name.clone(),
                }),
                InvalidTreatment::AsValue => Ok(self.invalid_replacement.clone()),
                // A value that is not even of the field's type has nothing to compare.
                InvalidTreatment::AsIs | InvalidTreatment::AsMissing => Ok(value),
            };
        }
        Ok(value.map(|v| match (self.outliers, v) {
            (Outliers::AsExtremeValues { low, high }, Literal::Number(x)) => {
                Literal::Number(x.clamp(low, high))
            }
            (_, v) => v,
        }))
    }

    /// Valid: not declared invalid, and among the declared valid values (when there are any),
    /// else inside one of the intervals (when there are any).
    fn is_valid(&self, value: &Literal) -> bool {
        if self.invalid.contains(value) {
            return false;
        }
        if !self.valid.is_empty() {
            return self.valid.contains(value);
        }
        match value {
            Literal::Number(x) if !self.intervals.is_empty() => {
                self.intervals.iter().any(|i| i.contains(*x))
            }
            _ => true,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn field(data_type: DataType) -> InputField {
        InputField {
            name: "f".into(),
            data_type,
            valid: vec![],
            invalid: vec![],
            missing: vec![],
            intervals: vec![],
            missing_replacement: None,
            missing_is_invalid: false,
            invalid_treatment: InvalidTreatment::ReturnInvalid,
            invalid_replacement: None,
            outliers: Outliers::AsIs,
        }
    }

    fn num(x: f64) -> FeatureValue {
        FeatureValue::Number(x)
    }

    #[test]
    fn inputs_convert_to_the_field_type_or_are_invalid() {
        let int = field(DataType::Integer);
        assert_eq!(int.prepare(&num(3.0)), Ok(Some(Literal::Number(3.0))));
        assert_eq!(
            int.prepare(&FeatureValue::text(" 42 ")),
            Ok(Some(Literal::Number(42.0)))
        );
        assert!(int.prepare(&num(2.5)).is_err());
        assert!(int.prepare(&FeatureValue::text("x")).is_err());
        assert!(int.prepare(&FeatureValue::Bool(true)).is_err());
        let text = field(DataType::String);
        assert_eq!(
            text.prepare(&FeatureValue::text("a")),
            Ok(Some(Literal::Text("a".into())))
        );
        assert!(text.prepare(&num(1.0)).is_err());
        let flag = field(DataType::Boolean);
        assert_eq!(
            flag.prepare(&FeatureValue::text("TRUE")),
            Ok(Some(Literal::Bool(true)))
        );
        assert_eq!(flag.prepare(&num(0.0)), Ok(Some(Literal::Bool(false))));
        assert!(flag.prepare(&num(2.0)).is_err());
        assert_eq!(
            field(DataType::Double).prepare(&FeatureValue::Missing),
            Ok(None)
        );
        assert_eq!(field(DataType::Double).prepare(&num(f64::NAN)), Ok(None));
    }

    #[test]
    fn missing_values_are_replaced_or_make_the_result_invalid() {
        let mut f = field(DataType::Double);
        f.missing = vec![Literal::Number(-1.0)];
        f.missing_replacement = Some(Literal::Number(7.0));
        assert_eq!(
            f.prepare(&FeatureValue::Missing),
            Ok(Some(Literal::Number(7.0)))
        );
        assert_eq!(f.prepare(&num(-1.0)), Ok(Some(Literal::Number(7.0))));
        assert_eq!(f.prepare(&num(3.0)), Ok(Some(Literal::Number(3.0))));
        f.missing_is_invalid = true;
        assert_eq!(
            f.prepare(&FeatureValue::Missing),
            Err(Unscorable::MissingValue { field: "f".into() })
        );
    }

    #[test]
    fn invalid_values_follow_the_treatment() {
        let mut f = field(DataType::String);
        f.valid = vec![Literal::Text("a".into()), Literal::Text("b".into())];
        let other = FeatureValue::text("z");
        assert_eq!(
            f.prepare(&other),
            Err(Unscorable::InvalidValue { field: "f".into() })
        );
        f.invalid_treatment = InvalidTreatment::AsIs;
        assert_eq!(f.prepare(&other), Ok(Some(Literal::Text("z".into()))));
        f.invalid_treatment = InvalidTreatment::AsMissing;
        assert_eq!(f.prepare(&other), Ok(None));
        f.missing_replacement = Some(Literal::Text("a".into()));
        assert_eq!(f.prepare(&other), Ok(Some(Literal::Text("a".into()))));
        f.invalid_treatment = InvalidTreatment::AsValue;
        f.invalid_replacement = Some(Literal::Text("b".into()));
        assert_eq!(f.prepare(&other), Ok(Some(Literal::Text("b".into()))));
        assert_eq!(
            f.prepare(&FeatureValue::text("a")),
            Ok(Some(Literal::Text("a".into())))
        );
        f.invalid = vec![Literal::Text("a".into())];
        assert_eq!(
            f.prepare(&FeatureValue::text("a")),
            Ok(Some(Literal::Text("b".into())))
        );
    }

    #[test]
    fn intervals_bound_valid_numbers_and_outliers_are_treated() {
        let mut f = field(DataType::Double);
        f.intervals = vec![Interval {
            left: Some(0.0),
            right: Some(10.0),
            left_closed: true,
            right_closed: false,
        }];
        assert!(f.prepare(&num(0.0)).is_ok());
        assert!(f.prepare(&num(10.0)).is_err());
        f.invalid_treatment = InvalidTreatment::AsIs;
        assert_eq!(f.prepare(&num(10.0)), Ok(Some(Literal::Number(10.0))));
        let mut f = field(DataType::Double);
        f.outliers = Outliers::AsExtremeValues {
            low: 1.0,
            high: 5.0,
        };
        assert_eq!(f.prepare(&num(9.0)), Ok(Some(Literal::Number(5.0))));
        assert_eq!(f.prepare(&num(-9.0)), Ok(Some(Literal::Number(1.0))));
        f.outliers = Outliers::AsMissingValues {
            low: 1.0,
            high: 5.0,
        };
        f.missing_replacement = Some(Literal::Number(3.0));
        assert_eq!(f.prepare(&num(9.0)), Ok(Some(Literal::Number(3.0))));
        assert_eq!(f.prepare(&num(4.0)), Ok(Some(Literal::Number(4.0))));
    }
}
