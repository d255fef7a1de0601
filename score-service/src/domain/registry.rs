//! A tenant's published models: ids, immutable versions, retirement, and the platform's
//! default model every tenant scores with when it names none.

use super::model::{ModelFormat, ScoreModel};
use aval_errors::{FieldCode, FieldViolation};
use chrono::{DateTime, Utc};

/// The platform's default model: what a request that names no model is scored with.
pub const PLATFORM_MODEL_ID: &str = "aval-default";
pub const PLATFORM_MODEL_VERSION: i32 = 1;
/// Longest model id.
pub const MAX_MODEL_ID_CHARS: usize = 64;
/// Ids a tenant cannot publish under: the default model's and its aliases.
const RESERVED_IDS: [&str; 2] = [PLATFORM_MODEL_ID, "default"];

/// The platform's default model, built from the JSON scorecard shipped with the service.
pub fn platform_model() -> Result<ScoreModel, String> {
    super::model::publish(
        ModelFormat::AvalJson,
        include_str!("default_scorecard.json"),
        &super::model::feature::FeatureCatalog::platform(),
    )
    .map_err(|e| e.to_string())
}

/// One published version of a tenant's model, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelVersion {
    pub tenant_id: String,
    pub model_id: String,
    pub version: i32,
    pub format: ModelFormat,
    /// The features it reads.
    pub features: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// A model id a tenant may publish under: 1 to 64 letters, digits, `_`, `.` or `-`, starting
/// with a letter or digit, and not one the platform reserves.
pub fn check_model_id(id: &str) -> Result<(), FieldViolation> {
    let mut chars = id.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && id.len() <= MAX_MODEL_ID_CHARS;
    if !well_formed {
        return Err(FieldViolation::new(
            "model_id",
            FieldCode::InvalidFormat,
            format!(
                "a model id is 1 to {MAX_MODEL_ID_CHARS} letters, digits, `_`, `.` or `-`, starting with a letter or digit (`@` separates a version)"
            ),
        ));
    }
    if RESERVED_IDS.contains(&id) {
        return Err(FieldViolation::new(
            "model_id",
            FieldCode::Invalid,
            format!("`{id}` is the platform's default model; choose another id"),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn model_ids_are_identifiers_and_the_default_is_reserved() {
        assert!(check_model_id("credit-v2.1_a").is_ok());
        assert!(check_model_id("2025-model").is_ok());
        for bad in ["", "-x", "a@1", "a b", "modelo-é", &"m".repeat(65)] {
            assert_eq!(
                check_model_id(bad).map_err(|v| v.code),
                Err(FieldCode::InvalidFormat),
                "{bad}"
            );
        }
        for reserved in ["aval-default", "default"] {
            assert_eq!(
                check_model_id(reserved).map_err(|v| v.code),
                Err(FieldCode::Invalid)
            );
        }
    }

    #[test]
    fn the_platform_model_reads_the_shared_profile() {
        let model = platform_model().expect("ships valid");
        assert_eq!(model.declared_id(), Some(PLATFORM_MODEL_ID));
        assert_eq!(model.features().len(), 6);
    }
}
