//! What a policy document must satisfy to be loaded. Run on every load, so a bad policy is
//! refused when it is published, never discovered while deciding.

use super::PolicyError;
use super::document::{Characteristic, Conditions, DecisionTable, Document, Reason, Rule};
use crate::domain::features::{Feature, is_protected};
use serde_json::Value;

/// Refuses any reference to a protected attribute (Lei 12.414 art. 7-A) anywhere a feature
/// is named: each `features[i]` and each `feature` key. Done on the raw JSON, before typing,
/// so the error names the attribute and the law rather than "unknown variant".
pub(super) fn no_protected_features(value: &Value, path: &str) -> Result<(), PolicyError> {
    let forbidden = |field: String, name: &str| PolicyError::ForbiddenFeature {
        field,
        feature: name.to_owned(),
    };
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = join(path, key);
                match (key.as_str(), child) {
                    ("feature", Value::String(name)) if is_protected(name) => {
                        return Err(forbidden(child_path, name));
                    }
                    ("features", Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            if let Value::String(name) = item
                                && is_protected(name)
                            {
                                return Err(forbidden(format!("{child_path}[{i}]"), name));
                            }
                        }
                    }
                    _ => {}
                }
                no_protected_features(child, &child_path)?;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                no_protected_features(item, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Refuses a document that is well-typed but not a usable policy.
pub(super) fn document(doc: &Document) -> Result<(), PolicyError> {
    let id_ok =
        !doc.id.is_empty() && doc.id.len() <= 100 && doc.id.chars().all(|c| c.is_ascii_graphic());
    if !id_ok {
        return Err(invalid("id", "must be 1 to 100 visible ASCII characters"));
    }
    // Versions are stored as SQL integers.
    if doc.version == 0 || i32::try_from(doc.version).is_err() {
        return Err(invalid("version", "must be from 1 to 2147483647"));
    }
    for (i, feature) in doc.features.iter().enumerate() {
        if doc.features[..i].contains(feature) {
            return Err(invalid(format!("features[{i}]"), "is declared twice"));
        }
        if !feature.applies_to(doc.kind) {
            return Err(invalid(
                format!("features[{i}]"),
                format!("`{feature}` is not a feature of {} proposals", doc.kind),
            ));
        }
    }
    match (&doc.decision_table, &doc.approved) {
        (Some(table), None) if doc.reprove_when.is_empty() && doc.review_when.is_empty() => {
            decision_table(doc, table)?;
        }
        (Some(_), _) => {
            return Err(invalid(
                "decision_table",
                "replaces approved, reprove_when and review_when: give one or the other",
            ));
        }
        (None, Some(approved)) => {
            reason("approved", approved)?;
            rules(doc, "reprove_when", &doc.reprove_when)?;
            rules(doc, "review_when", &doc.review_when)?;
        }
        (None, None) => {
            return Err(invalid(
                "approved",
                "is required (the reason when no rule fires), unless a decision_table is given",
            ));
        }
    }
    scorecard(doc)?;
    let limit = &doc.credit_limit;
    for (field, value) in [
        ("credit_limit.revenue_multiple", limit.revenue_multiple),
        (
            "credit_limit.warrant_advance_rate",
            limit.warrant_advance_rate,
        ),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(invalid(field, "must be a number of 0 or more"));
        }
    }
    Ok(())
}

fn rules(doc: &Document, list: &str, rules: &[Rule]) -> Result<(), PolicyError> {
    for (i, rule) in rules.iter().enumerate() {
        let path = format!("{list}[{i}]");
        reason(&format!("{path}.reason"), &rule.reason)?;
        declared(doc, &format!("{path}.when.feature"), rule.when.feature)?;
        if let Some(unless) = &rule.unless {
            declared(doc, &format!("{path}.unless.feature"), unless.feature)?;
        }
    }
    Ok(())
}

fn decision_table(doc: &Document, table: &DecisionTable) -> Result<(), PolicyError> {
    for (i, rule) in table.rules.iter().enumerate() {
        let path = format!("decision_table.rules[{i}]");
        reason(&format!("{path}.reason"), &rule.reason)?;
        for (part, conditions) in [("when", Some(&rule.when)), ("unless", rule.unless.as_ref())] {
            let Some(conditions) = conditions else {
                continue;
            };
            if conditions.each().is_empty() {
                return Err(invalid(
                    format!("{path}.{part}"),
                    "must have at least one condition",
                ));
            }
            for (j, condition) in conditions.each().iter().enumerate() {
                let field = match conditions {
                    Conditions::One(_) => format!("{path}.{part}.feature"),
                    Conditions::All(_) => format!("{path}.{part}[{j}].feature"),
                };
                declared(doc, &field, condition.feature)?;
            }
        }
    }
    reason("decision_table.default.reason", &table.default.reason)
}

fn scorecard(doc: &Document) -> Result<(), PolicyError> {
    let scale = &doc.scorecard.scale;
    let scale_ok = [scale.pdo, scale.reference_odds]
        .iter()
        .all(|v| v.is_finite() && *v > 0.0)
        && scale.reference_score.is_finite();
    if !scale_ok {
        return Err(invalid(
            "scorecard.scale",
            "pdo and reference_odds must be positive, reference_score finite",
        ));
    }
    let characteristics = &doc.scorecard.characteristics;
    for (i, characteristic) in characteristics.iter().enumerate() {
        let path = format!("scorecard.characteristics[{i}]");
        declared(doc, &format!("{path}.feature"), characteristic.feature)?;
        if characteristics[..i]
            .iter()
            .any(|c| c.feature == characteristic.feature)
        {
            return Err(invalid(
                format!("{path}.feature"),
                "has two characteristics",
            ));
        }
        bins(&path, characteristic)?;
    }
    Ok(())
}

/// Bounds ascending, only the last bin open, and a reason wherever points fall short of the
/// best, so every point lost can be explained to the company (Lei 12.414 art. 5, IV).
fn bins(path: &str, characteristic: &Characteristic) -> Result<(), PolicyError> {
    let bins = &characteristic.bins;
    if bins.is_empty() {
        return Err(invalid(
            format!("{path}.bins"),
            "must have at least one bin",
        ));
    }
    let mut previous = f64::NEG_INFINITY;
    for (i, bin) in bins.iter().enumerate() {
        let last = i + 1 == bins.len();
        match (bin.below, last) {
            (Some(below), false) if below.is_finite() && below > previous => previous = below,
            (None, true) => {}
            (_, true) => {
                return Err(invalid(
                    format!("{path}.bins[{i}]"),
                    "the last bin must have no `below`",
                ));
            }
            _ => {
                return Err(invalid(
                    format!("{path}.bins[{i}].below"),
                    "must be given and greater than the previous bin's",
                ));
            }
        }
    }
    let best = characteristic.best_points();
    let awards = bins
        .iter()
        .enumerate()
        .map(|(i, bin)| (format!("{path}.bins[{i}]"), bin.points, bin.reason.as_ref()))
        .chain([(
            format!("{path}.missing"),
            characteristic.missing.points,
            characteristic.missing.reason.as_ref(),
        )]);
    for (field, points, reason_given) in awards {
        match reason_given {
            Some(given) => reason(&format!("{field}.reason"), given)?,
            None if points < best => {
                return Err(invalid(
                    format!("{field}.reason"),
                    "is required: these points fall short of the best bin",
                ));
            }
            None => {}
        }
    }
    Ok(())
}

fn declared(doc: &Document, field: &str, feature: Feature) -> Result<(), PolicyError> {
    if doc.features.contains(&feature) {
        Ok(())
    } else {
        Err(PolicyError::UndeclaredFeature {
            field: field.to_owned(),
            feature,
        })
    }
}

/// Codes are stable API values: snake_case, starting with a letter, at most 64 characters.
fn reason(field: &str, reason: &Reason) -> Result<(), PolicyError> {
    let code = &reason.code;
    let code_ok = code.len() <= 64
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !code_ok {
        return Err(invalid(
            format!("{field}.code"),
            "must be snake_case, at most 64 characters",
        ));
    }
    if reason.description.trim().is_empty() {
        return Err(invalid(format!("{field}.description"), "is required"));
    }
    Ok(())
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}
