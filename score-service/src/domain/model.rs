//! Score models tenants publish: a document, either Aval's JSON scorecard or a PMML 4.x
//! `Scorecard`, checked when it is published (size, shape, Lei 12.414 art. 7-A, features the
//! tenant declared) and then scoring [`Record`]s into the product's answer: the model's points,
//! the 0..1000 score, its probability of default, its risk band and the ranked reasons.
//!
//! - [`record`]: the values a model reads;
//! - [`feature`]: the features a tenant declares, guarded like models;
//! - [`protected`]: the art. 7-A guard;
//! - [`scale`]: points to probability of default, and the band table;
//! - [`json`], [`pmml`]: the two document formats.

pub mod feature;
pub mod json;
pub mod pmml;
pub mod protected;
pub mod record;
pub mod scale;

use super::band::RiskBand;
use aval_errors::{FieldCode, FieldViolation};
use feature::{FeatureCatalog, FeatureDeclaration, FeatureKind};
use json::{JsonModelError, JsonScorecard};
pub use pmml::Unscorable;
use pmml::{DataType, PmmlError, PmmlScorecard};
use protected::ProtectedField;
pub use record::{FeatureValue, Record};
use scale::ModelScale;

/// The largest model document accepted, in bytes, whatever its format.
pub const MAX_MODEL_BYTES: usize = pmml::MAX_PMML_BYTES;

/// The field a publish request carries the document in, as errors name it.
const DOCUMENT_FIELD: &str = "document";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelFormat {
    /// Aval's JSON scorecard ([`json`]).
    AvalJson,
    /// A PMML 4.x document with one `Scorecard` ([`pmml`]).
    Pmml,
}

impl ModelFormat {
    /// The format's name where it is stored and listed (`aval_json`, `pmml`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AvalJson => "aval_json",
            Self::Pmml => "pmml",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::AvalJson, Self::Pmml]
            .into_iter()
            .find(|f| f.as_str() == name)
    }
}

/// A published model, ready to score.
#[derive(Clone, Debug)]
pub struct ScoreModel {
    kind: ModelKind,
    /// The features it reads, in order: known once parsed, asked on every score.
    features: Vec<String>,
}

#[derive(Clone, Debug)]
enum ModelKind {
    Json(JsonScorecard),
    Pmml(PmmlScorecard),
}

/// One reason behind a score: a reason code and the points it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    pub code: String,
    /// The model's words for it (JSON scorecards carry one; PMML has none).
    pub description: Option<String>,
    pub points: f64,
}

/// A record's answer under a model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelScore {
    /// The model's own points, as it computes them (a PMML engine's predicted value).
    pub points: f64,
    /// The points rounded and clamped to 0..=1000.
    pub score: u32,
    pub probability_of_default: f64,
    pub band: RiskBand,
    /// Reason codes that cost points, largest cost first, ties in the model's order.
    pub reasons: Vec<Reason>,
    /// What raised the score, largest first (the consumer's disclosure says what helped, even
    /// for a top score).
    pub strengths: Vec<Strength>,
}

/// One thing that raised a score: a reason code, the feature behind it when the model says
/// which (JSON scorecards do; PMML reason codes name no field), and the points it earned.
#[derive(Clone, Debug, PartialEq)]
pub struct Strength {
    pub code: String,
    pub feature: Option<String>,
    pub points: f64,
}

/// Why a model is refused when it is published.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    #[error("the model is {size} bytes; at most {limit} are accepted")]
    TooLarge { size: usize, limit: usize },
    #[error(transparent)]
    Protected(ProtectedField),
    #[error(transparent)]
    Pmml(PmmlError),
    #[error(transparent)]
    Json(JsonModelError),
    #[error("{location} reads `{feature}`, which is not a declared feature")]
    UnknownFeature { feature: String, location: String },
    #[error("the document declares `{feature}`, which cannot be a feature: {reason}")]
    Feature { feature: String, reason: String },
    #[error("{location} reads `{feature}` as {read}, but the feature is declared as {declared}")]
    FeatureKind {
        feature: String,
        location: String,
        read: &'static str,
        declared: &'static str,
    },
}

impl From<PmmlError> for PublishError {
    fn from(error: PmmlError) -> Self {
        match error {
            PmmlError::Protected(p) => Self::Protected(p),
            PmmlError::TooLarge { size, limit } => Self::TooLarge { size, limit },
            other => Self::Pmml(other),
        }
    }
}

impl From<JsonModelError> for PublishError {
    fn from(error: JsonModelError) -> Self {
        match error {
            JsonModelError::Protected(p) => Self::Protected(p),
            other => Self::Json(other),
        }
    }
}

impl PublishError {
    /// The error as the envelope's field violation: the document field, a stable code, and
    /// a message that names where in the document.
    pub fn violation(&self) -> FieldViolation {
        let code = match self {
            Self::TooLarge { .. } => FieldCode::TooLong,
            Self::Json(JsonModelError::Parse { .. }) => FieldCode::InvalidJson,
            Self::Pmml(PmmlError::NotXml { .. } | PmmlError::NotPmml { .. }) => {
                FieldCode::InvalidFormat
            }
            Self::UnknownFeature { .. } => FieldCode::InvalidEnum,
            _ => FieldCode::Invalid,
        };
        FieldViolation::new(DOCUMENT_FIELD, code, self.to_string())
    }
}

/// A model checked for publication, with the features its document declares that the tenant's
/// catalog did not yet have.
#[derive(Clone, Debug)]
pub struct Publication {
    pub model: ScoreModel,
    pub new_features: Vec<FeatureDeclaration>,
}

/// Checks a model document and makes it a model: the size limit, the format's own rules, the
/// art. 7-A guard (inside each format, on every name the document gives), and that it reads
/// only features the tenant declared, as the kind they are declared.
pub fn publish(
    format: ModelFormat,
    document: &str,
    catalog: &FeatureCatalog,
) -> Result<ScoreModel, PublishError> {
    let model = parse(format, document)?;
    model.check_reads(catalog)?;
    Ok(model)
}

/// [`publish`], where a PMML document's DataDictionary also declares the fields the catalog
/// does not have yet (as its data types say; the art. 7-A guard runs on them too). A JSON
/// scorecard declares nothing: it reads declared features only.
pub fn publish_declaring(
    format: ModelFormat,
    document: &str,
    catalog: &FeatureCatalog,
) -> Result<Publication, PublishError> {
    let model = parse(format, document)?;
    let mut new_features = Vec::new();
    let mut extended = catalog.clone();
    if let ModelKind::Pmml(pmml) = &model.kind {
        for (name, data_type) in pmml.fields_read() {
            if catalog.get(name).is_some() {
                continue;
            }
            let declaration =
                FeatureDeclaration::new(name, None, kind_of(data_type)).map_err(|e| {
                    PublishError::Feature {
                        feature: name.to_owned(),
                        reason: e.to_string(),
                    }
                })?;
            if extended.declare(declaration.clone()).is_ok() {
                new_features.push(declaration);
            }
        }
    }
    model.check_reads(&extended)?;
    Ok(Publication {
        model,
        new_features,
    })
}

/// A stored model document as a model again (its checks passed when it was published).
pub fn load(format: ModelFormat, document: &str) -> Result<ScoreModel, PublishError> {
    parse(format, document)
}

fn parse(format: ModelFormat, document: &str) -> Result<ScoreModel, PublishError> {
    if document.len() > MAX_MODEL_BYTES {
        return Err(PublishError::TooLarge {
            size: document.len(),
            limit: MAX_MODEL_BYTES,
        });
    }
    let kind = match format {
        ModelFormat::AvalJson => ModelKind::Json(JsonScorecard::parse(document)?),
        ModelFormat::Pmml => ModelKind::Pmml(pmml::parse(document)?),
    };
    let mut model = ScoreModel {
        kind,
        features: Vec::new(),
    };
    model.features = model
        .reads()
        .into_iter()
        .map(|(_, feature, _)| feature)
        .collect();
    Ok(model)
}

/// The feature kind a PMML data type holds.
fn kind_of(data_type: DataType) -> FeatureKind {
    match data_type {
        DataType::String => FeatureKind::Text,
        DataType::Boolean => FeatureKind::Bool,
        DataType::Integer | DataType::Float | DataType::Double => FeatureKind::Number,
    }
}

impl ScoreModel {
    /// Every feature the model reads is declared, as a kind that fits how it is read.
    fn check_reads(&self, catalog: &FeatureCatalog) -> Result<(), PublishError> {
        for (location, feature, read) in self.reads() {
            let Some(declared) = catalog.get(&feature) else {
                return Err(PublishError::UnknownFeature { feature, location });
            };
            if !read.contains(&declared.kind()) {
                return Err(PublishError::FeatureKind {
                    feature,
                    location,
                    read: read.first().map_or("", |k| k.as_str()),
                    declared: declared.kind().as_str(),
                });
            }
        }
        Ok(())
    }

    /// The id the document gives itself (a JSON scorecard's `id`, a PMML `modelName`).
    pub fn declared_id(&self) -> Option<&str> {
        match &self.kind {
            ModelKind::Json(model) => Some(&model.id),
            ModelKind::Pmml(model) => model.model_name.as_deref(),
        }
    }

    /// Scores a record: the model's points, scaled by the model's scale and bands.
    pub fn score(&self, record: &Record) -> Result<ModelScore, Unscorable> {
        let (points, reasons, strengths) = match &self.kind {
            ModelKind::Json(model) => {
                let score = model.evaluate(record)?;
                let strengths = score
                    .strengths
                    .into_iter()
                    .map(|(r, feature)| Strength {
                        code: r.code,
                        feature: Some(feature),
                        points: r.points,
                    })
                    .collect();
                let reasons = score
                    .ranked
                    .into_iter()
                    .filter(|(r, _)| r.points > 0.0)
                    .map(|(r, description)| Reason {
                        code: r.code,
                        description: Some(description),
                        points: r.points,
                    })
                    .collect();
                (score.points, reasons, strengths)
            }
            ModelKind::Pmml(model) => {
                let score = model.evaluate(record)?;
                let reasons = score
                    .reasons()
                    .map(|r| Reason {
                        code: r.code.clone(),
                        description: None,
                        points: r.points,
                    })
                    .collect();
                // A code whose Attributes scored above their baselines raised the score:
                // largest gain first, ties in the ranking's (document) order.
                let mut strengths: Vec<Strength> = score
                    .ranked
                    .iter()
                    .filter(|r| r.points < 0.0)
                    .map(|r| Strength {
                        code: r.code.clone(),
                        feature: None,
                        points: -r.points,
                    })
                    .collect();
                strengths.sort_by(|a, b| b.points.total_cmp(&a.points));
                (score.score, reasons, strengths)
            }
        };
        let scaled = self.scale().apply(points);
        Ok(ModelScore {
            points,
            score: scaled.score,
            probability_of_default: scaled.probability_of_default,
            band: scaled.band,
            reasons,
            strengths,
        })
    }

    pub fn scale(&self) -> &ModelScale {
        match &self.kind {
            ModelKind::Json(model) => &model.scale,
            ModelKind::Pmml(model) => &model.scale,
        }
    }

    /// The features the model reads.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// Each feature the model reads: where, which, and the kinds of value that fit it.
    fn reads(&self) -> Vec<(String, String, &'static [FeatureKind])> {
        const NUMERIC: &[FeatureKind] = &[FeatureKind::Number, FeatureKind::Bool];
        match &self.kind {
            ModelKind::Json(model) => model
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("features[{i}].feature"), f.feature.clone(), NUMERIC))
                .collect(),
            ModelKind::Pmml(model) => model
                .fields_read()
                .map(|(name, data_type)| {
                    let kinds: &'static [FeatureKind] = match kind_of(data_type) {
                        FeatureKind::Text => &[FeatureKind::Text],
                        FeatureKind::Bool => &[FeatureKind::Bool],
                        FeatureKind::Number => &[FeatureKind::Number],
                    };
                    (format!("<MiningField \"{name}\">"), name.to_owned(), kinds)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
