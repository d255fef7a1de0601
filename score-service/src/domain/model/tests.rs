#![allow(clippy::unwrap_used)]

use super::feature::{FeatureDeclaration, FeatureKind};
use super::*;
use crate::domain::profile::ConsumerProfile;
use proptest::prelude::*;

const DEFAULT_JSON: &str = include_str!("../default_scorecard.json");

fn pmml(dictionary: &str, schema: &str, characteristics: &str) -> String {
    format!(
        r#"<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
  <DataDictionary>{dictionary}</DataDictionary>
  <Scorecard functionName="regression" initialScore="500" baselineScore="100">
    <MiningSchema>{schema}</MiningSchema>
    <Characteristics>{characteristics}</Characteristics>
  </Scorecard>
</PMML>"#
    )
}

fn lines_model() -> String {
    pmml(
        r#"<DataField name="active_lines" optype="continuous" dataType="integer"/>
           <DataField name="has_bank_account" optype="categorical" dataType="boolean"/>"#,
        r#"<MiningField name="active_lines"/><MiningField name="has_bank_account"/>"#,
        r#"<Characteristic reasonCode="FEW_LINES">
             <Attribute partialScore="0"><SimplePredicate field="active_lines" operator="lessThan" value="2"/></Attribute>
             <Attribute partialScore="150"><True/></Attribute>
           </Characteristic>
           <Characteristic reasonCode="NO_BANK_ACCOUNT">
             <Attribute partialScore="100"><SimplePredicate field="has_bank_account" operator="equal" value="true"/></Attribute>
             <Attribute partialScore="40"><True/></Attribute>
           </Characteristic>"#,
    )
}

#[test]
fn a_pmml_model_scores_the_platform_profile_into_the_products_answer() {
    let model = publish(
        ModelFormat::Pmml,
        &lines_model(),
        &FeatureCatalog::platform(),
    )
    .unwrap();
    assert_eq!(model.features(), ["active_lines", "has_bank_account"]);
    let answer = model
        .score(&Record::from_profile(&ConsumerProfile::sample(
            0.9, 0, 10, 100, 1, false,
        )))
        .unwrap();
    assert_eq!(answer.points, 540.0);
    assert_eq!(answer.score, 540);
    assert_eq!(answer.band, RiskBand::Medium);
    let codes: Vec<(&str, f64)> = answer
        .reasons
        .iter()
        .map(|r| (r.code.as_str(), r.points))
        .collect();
    assert_eq!(codes, [("FEW_LINES", 100.0), ("NO_BANK_ACCOUNT", 60.0)]);
    let best = model
        .score(&Record::from_profile(&ConsumerProfile::sample(
            0.9, 0, 10, 100, 3, true,
        )))
        .unwrap();
    assert_eq!(best.score, 750);
    assert!(best.reasons.is_empty());
    assert!(best.probability_of_default < answer.probability_of_default);
}

#[test]
fn models_may_read_only_declared_features_of_the_declared_kind() {
    let catalog = FeatureCatalog::platform();
    let unknown = lines_model().replace("active_lines", "salary");
    let err = publish(ModelFormat::Pmml, &unknown, &catalog).unwrap_err();
    assert_eq!(
        err,
        PublishError::UnknownFeature {
            feature: "salary".into(),
            location: "<MiningField \"salary\">".into()
        }
    );
    assert_eq!(err.violation().code, FieldCode::InvalidEnum);
    assert_eq!(err.violation().field, "document");
    let as_text = lines_model()
        .replace(r#"dataType="integer""#, r#"dataType="string""#)
        .replace(
            r#"operator="lessThan" value="2""#,
            r#"operator="equal" value="2""#,
        );
    let err = publish(ModelFormat::Pmml, &as_text, &catalog).unwrap_err();
    assert!(
        err.to_string()
            .contains("reads `active_lines` as text, but the feature is declared as a number"),
        "{err}"
    );
    let mut tenant = FeatureCatalog::platform();
    tenant
        .declare(FeatureDeclaration::new("salary", Some("Salário"), FeatureKind::Number).unwrap())
        .unwrap();
    assert!(publish(ModelFormat::Pmml, &unknown, &tenant).is_ok());
    let json = DEFAULT_JSON.replace("\"months_as_customer\"", "\"tenure\"");
    let err = publish(ModelFormat::AvalJson, &json, &catalog).unwrap_err();
    assert_eq!(
        err,
        PublishError::UnknownFeature {
            feature: "tenure".into(),
            location: "features[2].feature".into()
        }
    );
}

#[test]
fn protected_data_and_oversize_documents_are_refused_at_publish() {
    let catalog = FeatureCatalog::platform();
    let err = publish(
        ModelFormat::Pmml,
        &lines_model().replace("active_lines", "client_gender"),
        &catalog,
    )
    .unwrap_err();
    assert!(
        matches!(&err, PublishError::Protected(p) if p.location.contains("DataField \"client_gender\"")),
        "{err}"
    );
    assert_eq!(err.violation().code, FieldCode::Invalid);
    assert!(err.violation().message.contains("art. 7-A"));
    let err = publish(
        ModelFormat::AvalJson,
        &DEFAULT_JSON.replace("\"active_lines\"", "\"racaCor\""),
        &catalog,
    )
    .unwrap_err();
    assert!(
        matches!(&err, PublishError::Protected(p) if p.location == "features[4].feature"),
        "{err}"
    );
    let huge = " ".repeat(MAX_MODEL_BYTES + 1);
    for format in [ModelFormat::Pmml, ModelFormat::AvalJson] {
        let err = publish(format, &huge, &catalog).unwrap_err();
        assert!(matches!(err, PublishError::TooLarge { .. }));
        assert_eq!(err.violation().code, FieldCode::TooLong);
    }
    let err = publish(ModelFormat::Pmml, "<scorecard/>", &catalog).unwrap_err();
    assert_eq!(err.violation().code, FieldCode::InvalidFormat);
    let err = publish(ModelFormat::AvalJson, "{", &catalog).unwrap_err();
    assert_eq!(err.violation().code, FieldCode::InvalidJson);
}

#[test]
fn a_record_the_model_cannot_score_has_no_answer() {
    let model = publish(
        ModelFormat::Pmml,
        &lines_model(),
        &FeatureCatalog::platform(),
    )
    .unwrap();
    let record = Record::new().with("active_lines", FeatureValue::number(2.5));
    assert_eq!(
        model.score(&record),
        Err(Unscorable::InvalidValue {
            field: "active_lines".into()
        })
    );
}

fn platform() -> ScoreModel {
    publish(
        ModelFormat::AvalJson,
        DEFAULT_JSON,
        &FeatureCatalog::platform(),
    )
    .unwrap()
}

fn score_profile(profile: &ConsumerProfile) -> ModelScore {
    platform().score(&Record::from_profile(profile)).unwrap()
}

#[test]
fn the_best_profile_scores_high_with_no_reasons() {
    let result = score_profile(&ConsumerProfile::sample(0.99, 0, 120, 150_000, 3, true));
    assert_eq!(result.score, 940);
    assert_eq!(result.band, RiskBand::VeryLow);
    assert!(result.reasons.is_empty());
    assert!(result.probability_of_default < 0.02);
}

#[test]
fn the_worst_profile_scores_low_and_reasons_are_ordered_by_impact() {
    let result = score_profile(&ConsumerProfile::sample(0.3, 9, 2, 1_000, 0, false));
    assert_eq!(result.score, 220);
    assert_eq!(result.band, RiskBand::VeryHigh);
    let codes: Vec<&str> = result.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes[..4],
        [
            "LATE_PAYMENT_HISTORY",
            "RECENT_DELINQUENCY",
            "SHORT_RELATIONSHIP",
            "LOW_SPEND"
        ]
    );
    assert!(
        result
            .reasons
            .windows(2)
            .all(|w| w[0].points >= w[1].points)
    );
    assert!(result.reasons.iter().all(|r| r.description.is_some()));
}

#[test]
fn consumers_without_a_bank_account_are_scored_from_behaviour() {
    let result = score_profile(&ConsumerProfile::sample(0.97, 0, 80, 30_000, 2, false));
    assert_eq!(result.score, 870);
    assert_eq!(
        result.reasons.first().map(|r| r.code.as_str()),
        Some("NO_BANK_ACCOUNT")
    );
}

proptest! {
    #[test]
    fn scores_stay_in_range_and_paying_on_time_never_lowers_the_score(
        ratio in 0.0f64..=1.0, extra in 0.0f64..=1.0, late in 0u32..30, months in 0u32..400,
        spend in 0i64..10_000_000, lines in 0u32..10, bank: bool,
    ) {
        let base = score_profile(&ConsumerProfile::sample(ratio, late, months, spend, lines, bank));
        prop_assert!(base.score <= 1000);
        let better = score_profile(&ConsumerProfile::sample((ratio + extra).min(1.0), late, months, spend, lines, bank));
        prop_assert!(better.score >= base.score);
    }
}
