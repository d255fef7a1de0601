//! Aval's own JSON scorecard, as a tenant publishes it: the shape of the platform's default
//! model (`default_scorecard.json`), with features named by the tenant's catalog instead of a
//! closed list, and an optional `scale` and `bands` (the platform's when absent).
//!
//! score = base_points + Σ points of each feature's bin (the first bin whose `below` the value
//! is under; the last bin has no bound). A feature's reason costs its best bin's points minus
//! the points it got; costs are summed per reason code and ranked, ties in document order.

use super::pmml::{RankedReason, Unscorable};
use super::protected::{self, ProtectedField};
use super::record::{FeatureValue, Record};
use super::scale::{BandRange, BandTable, ModelScale};
use aval_credit::ScoreScale;
use serde::Deserialize;

/// Values below `below` fall in this bin; the last bin has no bound.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bin {
    pub below: Option<f64>,
    pub points: i32,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JsonFeature {
    pub feature: String,
    pub reason_code: String,
    pub reason: String,
    pub bins: Vec<Bin>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Document {
    id: String,
    version: i32,
    base_points: i32,
    #[serde(default)]
    scale: Option<ScoreScale>,
    #[serde(default)]
    bands: Option<Vec<BandRange>>,
    features: Vec<JsonFeature>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JsonScorecard {
    pub id: String,
    pub version: i32,
    pub base_points: i32,
    pub features: Vec<JsonFeature>,
    pub scale: ModelScale,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsonModelError {
    #[error("the model is not an Aval JSON scorecard (line {line}, column {column}): {message}")]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("the model has no features")]
    NoFeatures,
    #[error("features[{index}] (`{feature}`): bins must rise and end with one unbounded bin")]
    Bins { index: usize, feature: String },
    #[error(transparent)]
    Protected(#[from] ProtectedField),
    #[error("scale: {0}")]
    Scale(String),
    #[error("bands: {0}")]
    Bands(String),
}

/// One record's points and ranked reasons (with their descriptions) under a JSON scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonScore {
    pub points: f64,
    pub ranked: Vec<(RankedReason, String)>,
    /// What raised the score: per reason code, the points its features earned above their
    /// worst bin, with the first such feature's name; largest first, ties in document order.
    pub strengths: Vec<(RankedReason, String)>,
}

impl JsonScorecard {
    pub fn parse(json: &str) -> Result<Self, JsonModelError> {
        let document: Document = serde_json::from_str(json).map_err(|e| JsonModelError::Parse {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if document.features.is_empty() {
            return Err(JsonModelError::NoFeatures);
        }
        for (index, feature) in document.features.iter().enumerate() {
            protected::check(format!("features[{index}].feature"), &feature.feature)?;
            if !bins_rise(&feature.bins) {
                return Err(JsonModelError::Bins {
                    index,
                    feature: feature.feature.clone(),
                });
            }
        }
        let bands = match document.bands {
            Some(rows) => BandTable::new(rows).map_err(JsonModelError::Bands)?,
            None => BandTable::platform(),
        };
        let scale = ModelScale::new(document.scale.unwrap_or_default(), bands)
            .map_err(JsonModelError::Scale)?;
        Ok(Self {
            id: document.id,
            version: document.version,
            base_points: document.base_points,
            features: document.features,
            scale,
        })
    }

    pub fn evaluate(&self, record: &Record) -> Result<JsonScore, Unscorable> {
        let mut total = i64::from(self.base_points);
        let mut costs: Vec<(String, i64, String)> = Vec::new();
        let mut gains: Vec<(String, i64, String)> = Vec::new();
        for feature in &self.features {
            let value = number(&feature.feature, record.get(&feature.feature))?;
            let bin = feature
                .bins
                .iter()
                .find(|b| b.below.is_none_or(|below| value < below));
            let points = bin.map_or(0, |b| b.points);
            let best = feature.bins.iter().map(|b| b.points).max().unwrap_or(0);
            let worst = feature.bins.iter().map(|b| b.points).min().unwrap_or(0);
            total += i64::from(points);
            let gain = i64::from(points) - i64::from(worst);
            match gains
                .iter_mut()
                .find(|(code, _, _)| *code == feature.reason_code)
            {
                Some((_, sum, _)) => *sum += gain,
                None => gains.push((feature.reason_code.clone(), gain, feature.feature.clone())),
            }
            let cost = i64::from(best) - i64::from(points);
            match costs
                .iter_mut()
                .find(|(code, _, _)| *code == feature.reason_code)
            {
                Some((_, sum, _)) => *sum += cost,
                None => costs.push((feature.reason_code.clone(), cost, feature.reason.clone())),
            }
        }
        // Stable: ties keep the model's order.
        costs.sort_by_key(|c| std::cmp::Reverse(c.1));
        gains.retain(|g| g.1 > 0);
        gains.sort_by_key(|g| std::cmp::Reverse(g.1));
        #[allow(clippy::cast_precision_loss)]
        let strengths = gains
            .into_iter()
            .map(|(code, points, feature)| {
                (
                    RankedReason {
                        code,
                        points: points as f64,
                    },
                    feature,
                )
            })
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let ranked = costs
            .into_iter()
            .map(|(code, points, reason)| {
                (
                    RankedReason {
                        code,
                        points: points as f64,
                    },
                    reason,
                )
            })
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let points = total as f64;
        Ok(JsonScore {
            points,
            ranked,
            strengths,
        })
    }
}

fn bins_rise(bins: &[Bin]) -> bool {
    let Some((last, bounded)) = bins.split_last() else {
        return false;
    };
    last.below.is_none()
        && bounded.iter().all(|b| b.below.is_some_and(f64::is_finite))
        && bounded.windows(2).all(|w| w[0].below < w[1].below)
}

/// A JSON scorecard reads numbers; a boolean counts as 0 or 1, numeric text as its number.
fn number(feature: &str, value: &FeatureValue) -> Result<f64, Unscorable> {
    match value {
        FeatureValue::Number(n) if !n.is_nan() => Ok(*n),
        FeatureValue::Bool(b) => Ok(f64::from(u8::from(*b))),
        FeatureValue::Text(s) => s.trim().parse().map_err(|_| Unscorable::InvalidValue {
            field: feature.to_owned(),
        }),
        FeatureValue::Number(_) | FeatureValue::Missing => Err(Unscorable::MissingValue {
            field: feature.to_owned(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DEFAULT: &str = include_str!("../default_scorecard.json");

    #[test]
    fn the_platform_default_model_parses_as_a_tenant_model() {
        let model = JsonScorecard::parse(DEFAULT).unwrap();
        assert_eq!(model.id, "aval-default");
        assert_eq!(model.features.len(), 6);
        assert_eq!(model.scale, ModelScale::default());
    }

    #[test]
    fn broken_models_are_refused_naming_where() {
        let model = |features: &str| {
            format!(r#"{{"id":"x","version":1,"base_points":0,"features":[{features}]}}"#)
        };
        let err = JsonScorecard::parse(&model(r#"{"feature":"a","reason_code":"A","reason":"a","bins":[{"points":0},{"below":2,"points":1}]}"#)).unwrap_err();
        assert_eq!(
            err,
            JsonModelError::Bins {
                index: 0,
                feature: "a".into()
            }
        );
        let err = JsonScorecard::parse(&model(
            r#"{"feature":"racaCor","reason_code":"A","reason":"a","bins":[{"points":0}]}"#,
        ))
        .unwrap_err();
        assert!(
            matches!(&err, JsonModelError::Protected(p) if p.location == "features[0].feature"),
            "{err}"
        );
        assert_eq!(
            JsonScorecard::parse(&model("")).unwrap_err(),
            JsonModelError::NoFeatures
        );
        let err = JsonScorecard::parse(
            r#"{"id":"x","version":1,"base_points":0,"features":[],"extra":1}"#,
        )
        .unwrap_err();
        assert!(
            matches!(err, JsonModelError::Parse { line: 1, .. }),
            "{err}"
        );
        let err = JsonScorecard::parse(r#"{"id":"x","version":1,"base_points":0,"bands":[],"features":[{"feature":"a","reason_code":"A","reason":"a","bins":[{"points":0}]}]}"#).unwrap_err();
        assert!(matches!(err, JsonModelError::Bands(_)), "{err}");
    }

    #[test]
    fn missing_or_non_numeric_features_cannot_be_scored() {
        let model = JsonScorecard::parse(DEFAULT).unwrap();
        let err = model.evaluate(&Record::new()).unwrap_err();
        assert!(matches!(err, Unscorable::MissingValue { .. }), "{err}");
        let record = Record::new().with("on_time_payment_ratio", FeatureValue::text("alto"));
        let err = model.evaluate(&record).unwrap_err();
        assert_eq!(
            err,
            Unscorable::InvalidValue {
                field: "on_time_payment_ratio".into()
            }
        );
    }
}
