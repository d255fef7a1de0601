//! A delivered score, as the partner got it and as its audit record keeps it: stored as JSON
//! whose numbers read back to the same bits, so the answer can be given again byte for byte.

use super::band::RiskBand;
use super::model::{ModelScore, Record};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One delivered score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreAnswer {
    /// Identifies this answer (its usage event, access-log entry and audit record).
    pub answer_id: String,
    pub score: u32,
    pub probability_of_default: f64,
    pub band: RiskBand,
    pub reasons: Vec<AnswerReason>,
    pub model_id: String,
    pub model_version: i32,
    pub scored_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerReason {
    pub code: String,
    pub description: String,
    /// Points the reason cost.
    pub impact: f64,
}

impl ScoreAnswer {
    /// The answer a model's score makes. A reason without words of its own (PMML reason
    /// codes) is described by its code.
    pub fn new(
        answer_id: String,
        model_id: &str,
        model_version: i32,
        scored: ModelScore,
        scored_at: DateTime<Utc>,
    ) -> Self {
        Self {
            answer_id,
            score: scored.score,
            probability_of_default: scored.probability_of_default,
            band: scored.band,
            reasons: scored
                .reasons
                .into_iter()
                .map(|r| AnswerReason {
                    description: r.description.unwrap_or_else(|| r.code.clone()),
                    code: r.code,
                    impact: r.points,
                })
                .collect(),
            model_id: model_id.to_owned(),
            model_version,
            scored_at,
        }
    }

    /// Each field where `replayed` differs from this answer, as `field: this -> replayed`
    /// (ids and times are the answer's identity, not its result, and are not compared).
    pub fn differences(&self, replayed: &Self) -> Vec<String> {
        let mut differences = Vec::new();
        let mut compare = |field: &str, delivered: String, again: String| {
            if delivered != again {
                differences.push(format!("{field}: {delivered} -> {again}"));
            }
        };
        compare("score", self.score.to_string(), replayed.score.to_string());
        // Bits, not a tolerance: a replay must be exact.
        compare(
            "probability_of_default",
            format!("{:?}", self.probability_of_default),
            format!("{:?}", replayed.probability_of_default),
        );
        compare(
            "band",
            self.band.as_str().to_owned(),
            replayed.band.as_str().to_owned(),
        );
        let reasons = |answer: &Self| {
            answer
                .reasons
                .iter()
                .map(|r| format!("{} ({:?})", r.code, r.impact))
                .collect::<Vec<_>>()
                .join(", ")
        };
        compare("reasons", reasons(self), reasons(replayed));
        differences
    }
}

/// What the audit keeps of a delivered answer: the model, the exact inputs it read and their
/// hash, and the answer as delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditRecord {
    pub tenant_id: String,
    pub inputs: Record,
    pub answer: ScoreAnswer,
}

impl AuditRecord {
    /// The inputs as stored: a JSON object ordered by feature name.
    pub fn inputs_json(&self) -> String {
        serde_json::Value::Object(self.inputs.to_json()).to_string()
    }

    /// SHA-256 of [`Self::inputs_json`], hex: proves the inputs were not changed since.
    pub fn inputs_hash(&self) -> String {
        hash_inputs(&self.inputs_json())
    }
}

/// SHA-256 of stored inputs (as [`AuditRecord::inputs_json`] writes them), hex.
pub fn hash_inputs(inputs_json: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, inputs_json.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::model::FeatureValue;

    fn answer() -> ScoreAnswer {
        ScoreAnswer {
            answer_id: "a1".into(),
            score: 512,
            probability_of_default: 0.025_641_025_641_025_654,
            band: RiskBand::High,
            reasons: vec![AnswerReason {
                code: "LATE".into(),
                description: "Atrasos".into(),
                impact: 40.0,
            }],
            model_id: "credit".into(),
            model_version: 2,
            scored_at: Utc::now(),
        }
    }

    #[test]
    fn answers_read_back_bit_for_bit() {
        let answer = answer();
        let json = serde_json::to_string(&answer).unwrap();
        let back: ScoreAnswer = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back.probability_of_default.to_bits(),
            answer.probability_of_default.to_bits()
        );
        assert_eq!(back, answer);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn a_replay_names_every_field_that_moved() {
        let delivered = answer();
        assert!(delivered.differences(&delivered.clone()).is_empty());
        let mut replayed = delivered.clone();
        replayed.probability_of_default = 0.025_641_025_641_025_657;
        replayed.reasons.clear();
        let differences = delivered.differences(&replayed);
        assert_eq!(differences.len(), 2, "{differences:?}");
        assert!(differences[0].starts_with("probability_of_default: 0.025641025641025654 -> "));
    }

    #[test]
    fn the_inputs_hash_is_of_their_canonical_json() {
        let record = AuditRecord {
            tenant_id: "t".into(),
            inputs: Record::new()
                .with("b", FeatureValue::Bool(true))
                .with("a", FeatureValue::number(1.5)),
            answer: answer(),
        };
        assert_eq!(record.inputs_json(), r#"{"a":1.5,"b":true}"#);
        assert_eq!(record.inputs_hash().len(), 64);
        let other = AuditRecord {
            inputs: Record::new().with("a", FeatureValue::number(1.25)),
            ..record.clone()
        };
        assert_ne!(other.inputs_hash(), record.inputs_hash());
    }
}
