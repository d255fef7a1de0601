#![allow(clippy::unwrap_used, clippy::panic)]

use super::super::protected::ProtectedCategory;
use super::super::record::{FeatureValue, Record};
use super::*;
use crate::domain::band::RiskBand;

const DICTIONARY: &str = r#"
    <DataField name="department" optype="categorical" dataType="string">
      <Value value="marketing"/><Value value="engineering"/><Value value="business"/>
    </DataField>
    <DataField name="age" optype="continuous" dataType="integer"/>
    <DataField name="income" optype="continuous" dataType="double"/>
    <DataField name="overallScore" optype="continuous" dataType="double"/>"#;

const SCHEMA: &str = r#"
      <MiningField name="department" invalidValueTreatment="asMissing"/>
      <MiningField name="age"/>
      <MiningField name="income"/>
      <MiningField name="overallScore" usageType="predicted"/>"#;

/// The shape of the specification's own example: three characteristics, missing values
/// scored, reason codes below a per-characteristic baseline.
const CHARACTERISTICS: &str = r#"
      <Characteristic name="departmentScore" reasonCode="RC1" baselineScore="19">
        <Attribute partialScore="-9"><SimplePredicate field="department" operator="isMissing"/></Attribute>
        <Attribute partialScore="19"><SimplePredicate field="department" operator="equal" value="marketing"/></Attribute>
        <Attribute partialScore="3"><SimplePredicate field="department" operator="equal" value="engineering"/></Attribute>
        <Attribute partialScore="6"><SimplePredicate field="department" operator="equal" value="business"/></Attribute>
      </Characteristic>
      <Characteristic name="ageScore" reasonCode="RC2" baselineScore="18">
        <Attribute partialScore="-1"><SimplePredicate field="age" operator="isMissing"/></Attribute>
        <Attribute partialScore="-3"><SimplePredicate field="age" operator="lessOrEqual" value="18"/></Attribute>
        <Attribute partialScore="0"><CompoundPredicate booleanOperator="and">
          <SimplePredicate field="age" operator="greaterThan" value="18"/>
          <SimplePredicate field="age" operator="lessOrEqual" value="29"/></CompoundPredicate></Attribute>
        <Attribute partialScore="12"><CompoundPredicate booleanOperator="and">
          <SimplePredicate field="age" operator="greaterThan" value="29"/>
          <SimplePredicate field="age" operator="lessOrEqual" value="39"/></CompoundPredicate></Attribute>
        <Attribute partialScore="18"><SimplePredicate field="age" operator="greaterThan" value="39"/></Attribute>
      </Characteristic>
      <Characteristic name="incomeScore" reasonCode="RC3" baselineScore="10">
        <Attribute partialScore="3"><SimplePredicate field="income" operator="isMissing"/></Attribute>
        <Attribute partialScore="26"><SimplePredicate field="income" operator="lessOrEqual" value="1000"/></Attribute>
        <Attribute partialScore="5"><CompoundPredicate booleanOperator="and">
          <SimplePredicate field="income" operator="greaterThan" value="1000"/>
          <SimplePredicate field="income" operator="lessOrEqual" value="2500"/></CompoundPredicate></Attribute>
        <Attribute partialScore="-3"><SimplePredicate field="income" operator="greaterThan" value="2500"/></Attribute>
      </Characteristic>"#;

fn document(attributes: &str, dictionary: &str, schema: &str, characteristics: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header description="test"/>
  <DataDictionary>{dictionary}
  </DataDictionary>
  <Scorecard modelName="t" functionName="regression" {attributes}>
    <MiningSchema>{schema}
    </MiningSchema>
    <Characteristics>{characteristics}
    </Characteristics>
  </Scorecard>
</PMML>"#
    )
}

fn sample(attributes: &str) -> PmmlScorecard {
    parse(&document(attributes, DICTIONARY, SCHEMA, CHARACTERISTICS)).unwrap()
}

fn record(department: Option<&str>, age: Option<f64>, income: Option<f64>) -> Record {
    let mut record = Record::new();
    if let Some(d) = department {
        record.insert("department", FeatureValue::text(d));
    }
    if let Some(a) = age {
        record.insert("age", FeatureValue::number(a));
    }
    if let Some(i) = income {
        record.insert("income", FeatureValue::number(i));
    }
    record
}

fn codes(score: &PmmlScore) -> Vec<(&str, f64)> {
    score
        .ranked
        .iter()
        .map(|r| (r.code.as_str(), r.points))
        .collect()
}

#[test]
fn partial_scores_add_up_and_reasons_rank_below_the_baselines() {
    let model =
        sample(r#"initialScore="0" useReasonCodes="true" reasonCodeAlgorithm="pointsBelow""#);
    let score = model
        .evaluate(&record(Some("engineering"), Some(25.0), Some(1500.0)))
        .unwrap();
    assert_eq!(score.score, 3.0 + 0.0 + 5.0);
    assert_eq!(codes(&score), [("RC2", 18.0), ("RC1", 16.0), ("RC3", 5.0)]);
    // Missing values are scored by isMissing attributes.
    let score = model.evaluate(&record(None, None, None)).unwrap();
    assert_eq!(score.score, -9.0 - 1.0 + 3.0);
    assert_eq!(codes(&score), [("RC1", 28.0), ("RC2", 19.0), ("RC3", 7.0)]);
    // Points above the baseline rank last and are no reason.
    let score = model
        .evaluate(&record(Some("marketing"), Some(45.0), Some(500.0)))
        .unwrap();
    assert_eq!(codes(&score), [("RC1", 0.0), ("RC2", 0.0), ("RC3", -16.0)]);
    assert_eq!(score.reasons().count(), 0);
}

#[test]
fn the_initial_score_is_added_and_points_above_inverts_the_differences() {
    let model = sample(r#"initialScore="100.5" reasonCodeAlgorithm="pointsAbove""#);
    let score = model
        .evaluate(&record(Some("engineering"), Some(25.0), Some(1500.0)))
        .unwrap();
    assert_eq!(score.score, 108.5);
    assert_eq!(
        codes(&score),
        [("RC3", -5.0), ("RC1", -16.0), ("RC2", -18.0)]
    );
}

#[test]
fn without_reason_codes_there_are_none_and_no_baseline_is_needed() {
    let characteristics = r#"
      <Characteristic><Attribute partialScore="1"><True/></Attribute></Characteristic>"#;
    let model = parse(&document(
        r#"useReasonCodes="false""#,
        DICTIONARY,
        SCHEMA,
        characteristics,
    ))
    .unwrap();
    let score = model.evaluate(&Record::new()).unwrap();
    assert_eq!(score.score, 1.0);
    assert!(score.ranked.is_empty());
}

#[test]
fn the_first_matching_attribute_wins() {
    let characteristics = r#"
      <Characteristic reasonCode="A" baselineScore="0">
        <Attribute partialScore="1"><SimplePredicate field="age" operator="lessThan" value="50"/></Attribute>
        <Attribute partialScore="2"><SimplePredicate field="age" operator="lessThan" value="30"/></Attribute>
        <Attribute partialScore="3"><True/></Attribute>
      </Characteristic>"#;
    let model = parse(&document("", DICTIONARY, SCHEMA, characteristics)).unwrap();
    assert_eq!(
        model
            .evaluate(&record(None, Some(20.0), None))
            .unwrap()
            .score,
        1.0
    );
    assert_eq!(
        model
            .evaluate(&record(None, Some(60.0), None))
            .unwrap()
            .score,
        3.0
    );
    // A comparison with a missing age is UNKNOWN, never a match.
    assert_eq!(
        model.evaluate(&record(None, None, None)).unwrap().score,
        3.0
    );
}

#[test]
fn when_no_attribute_matches_there_is_no_score() {
    let model = sample("");
    let err = model
        .evaluate(&record(Some("engineering"), Some(25.0), Some(f64::NAN)))
        .unwrap();
    assert_eq!(err.score, 3.0 + 3.0);
    let characteristics = r#"
      <Characteristic name="ageOnly" reasonCode="A" baselineScore="0">
        <Attribute partialScore="1"><SimplePredicate field="age" operator="lessThan" value="50"/></Attribute>
      </Characteristic>"#;
    let model = parse(&document("", DICTIONARY, SCHEMA, characteristics)).unwrap();
    for age in [None, Some(50.0)] {
        assert_eq!(
            model.evaluate(&record(None, age, None)),
            Err(Unscorable::NoAttributeMatched {
                characteristic: "ageOnly".into()
            })
        );
    }
}

#[test]
fn baselines_and_reason_codes_resolve_from_the_nearest_element() {
    let characteristics = r#"
      <Characteristic reasonCode="CHAR" baselineScore="10">
        <Attribute partialScore="4" reasonCode="ATTR"><SimplePredicate field="age" operator="lessThan" value="30"/></Attribute>
        <Attribute partialScore="7"><True/></Attribute>
      </Characteristic>
      <Characteristic reasonCode="MODEL">
        <Attribute partialScore="1"><True/></Attribute>
      </Characteristic>"#;
    let model = parse(&document(
        r#"baselineScore="3""#,
        DICTIONARY,
        SCHEMA,
        characteristics,
    ))
    .unwrap();
    let young = model.evaluate(&record(None, Some(20.0), None)).unwrap();
    assert_eq!(codes(&young), [("ATTR", 6.0), ("MODEL", 2.0)]);
    let old = model.evaluate(&record(None, Some(40.0), None)).unwrap();
    assert_eq!(codes(&old), [("CHAR", 3.0), ("MODEL", 2.0)]);
    assert_eq!(model.reason_codes(), ["CHAR", "ATTR", "MODEL"]);
}

#[test]
fn differences_sum_per_code_and_ties_go_to_the_code_that_appears_first() {
    let characteristics = r#"
      <Characteristic reasonCode="Z"><Attribute partialScore="5"><True/></Attribute></Characteristic>
      <Characteristic reasonCode="M"><Attribute partialScore="2"><True/></Attribute></Characteristic>
      <Characteristic reasonCode="A"><Attribute partialScore="5"><True/></Attribute></Characteristic>
      <Characteristic reasonCode="M"><Attribute partialScore="8"><True/></Attribute></Characteristic>"#;
    let model = parse(&document(
        r#"baselineScore="10""#,
        DICTIONARY,
        SCHEMA,
        characteristics,
    ))
    .unwrap();
    let score = model.evaluate(&Record::new()).unwrap();
    // M: (10 − 2) + (10 − 8) = 10; Z and A tie at 5, Z first in the document.
    assert_eq!(codes(&score), [("M", 10.0), ("Z", 5.0), ("A", 5.0)]);
}

#[test]
fn every_predicate_kind_evaluates() {
    let characteristics = r#"
      <Characteristic reasonCode="SET" baselineScore="0">
        <Attribute partialScore="1"><SimpleSetPredicate field="department" booleanOperator="isIn">
          <Array type="string" n="2">marketing "business"</Array></SimpleSetPredicate></Attribute>
        <Attribute partialScore="2"><SimpleSetPredicate field="age" booleanOperator="isNotIn">
          <Array type="int">1 2 3</Array></SimpleSetPredicate></Attribute>
        <Attribute partialScore="3"><False/></Attribute>
        <Attribute partialScore="4"><CompoundPredicate booleanOperator="or">
          <SimplePredicate field="income" operator="isNotMissing"/>
          <SimplePredicate field="age" operator="equal" value="3"/></CompoundPredicate></Attribute>
        <Attribute partialScore="5"><CompoundPredicate booleanOperator="xor">
          <SimplePredicate field="age" operator="notEqual" value="2"/>
          <True/><True/></CompoundPredicate></Attribute>
        <Attribute partialScore="6"><CompoundPredicate booleanOperator="surrogate">
          <SimplePredicate field="income" operator="greaterOrEqual" value="0"/>
          <SimplePredicate field="age" operator="greaterThan" value="1"/></CompoundPredicate></Attribute>
        <Attribute partialScore="7"><True/></Attribute>
      </Characteristic>"#;
    let model = parse(&document("", DICTIONARY, SCHEMA, characteristics)).unwrap();
    let points = |d: Option<&str>, a: Option<f64>, i: Option<f64>| {
        model.evaluate(&record(d, a, i)).unwrap().score
    };
    assert_eq!(points(Some("business"), Some(2.0), None), 1.0);
    assert_eq!(points(Some("engineering"), Some(20.0), None), 2.0);
    assert_eq!(points(None, None, Some(1.0)), 4.0);
    // xor(notEqual 2 → FALSE, TRUE, TRUE) is FALSE, so on to the surrogate: income is
    // missing, so age > 1 decides.
    assert_eq!(points(None, Some(2.0), None), 6.0);
    // xor(UNKNOWN, …) is UNKNOWN; the surrogate's age > 1 is UNKNOWN too.
    assert_eq!(points(None, None, None), 7.0);
}

#[test]
fn arrays_split_on_whitespace_and_keep_quoted_values_whole() {
    assert_eq!(
        parse::array_tokens_for_tests(r#" a "b c"  "say \"hi\"" d"#).unwrap(),
        ["a", "b c", "say \"hi\"", "d"]
    );
    assert!(parse::array_tokens_for_tests(r#""open"#).is_err());
}

#[test]
fn mining_fields_treat_missing_and_invalid_values() {
    let dictionary = r#"
    <DataField name="grade" optype="categorical" dataType="string">
      <Value value="A"/><Value value="B"/><Value value="?" property="missing"/><Value value="X" property="invalid"/>
    </DataField>
    <DataField name="n" optype="continuous" dataType="integer"><Interval closure="closedClosed" leftMargin="0" rightMargin="10"/></DataField>
    <DataField name="m" optype="continuous" dataType="double"/>"#;
    let schema = r#"
      <MiningField name="grade" missingValueReplacement="B" invalidValueTreatment="asValue" invalidValueReplacement="A"/>
      <MiningField name="n" invalidValueTreatment="asMissing" missingValueReplacement="5"/>
      <MiningField name="m" missingValueTreatment="returnInvalid" outliers="asExtremeValues" lowValue="0" highValue="1"/>"#;
    let characteristics = r#"
      <Characteristic reasonCode="G" baselineScore="0">
        <Attribute partialScore="1"><SimplePredicate field="grade" operator="equal" value="A"/></Attribute>
        <Attribute partialScore="2"><SimplePredicate field="grade" operator="equal" value="B"/></Attribute>
      </Characteristic>
      <Characteristic reasonCode="N" baselineScore="0">
        <Attribute partialScore="10"><SimplePredicate field="n" operator="equal" value="5"/></Attribute>
        <Attribute partialScore="20"><True/></Attribute>
      </Characteristic>
      <Characteristic reasonCode="M" baselineScore="0">
        <Attribute partialScore="100"><SimplePredicate field="m" operator="equal" value="1"/></Attribute>
        <Attribute partialScore="200"><True/></Attribute>
      </Characteristic>"#;
    let model = parse(&document("", dictionary, schema, characteristics)).unwrap();
    let points = |grade: FeatureValue, n: FeatureValue, m: f64| {
        let record = Record::new()
            .with("grade", grade)
            .with("n", n)
            .with("m", FeatureValue::number(m));
        model.evaluate(&record).map(|s| s.score)
    };
    let text = FeatureValue::text;
    assert_eq!(
        points(text("A"), FeatureValue::number(3.0), 0.5),
        Ok(1.0 + 20.0 + 200.0)
    );
    // Missing (absent, or the declared missing value) is replaced by B.
    assert_eq!(
        points(FeatureValue::Missing, FeatureValue::number(3.0), 0.5),
        Ok(2.0 + 20.0 + 200.0)
    );
    assert_eq!(
        points(text("?"), FeatureValue::number(3.0), 0.5),
        Ok(2.0 + 20.0 + 200.0)
    );
    // Invalid (declared invalid, or not a valid value) is replaced by A.
    assert_eq!(
        points(text("X"), FeatureValue::number(3.0), 0.5),
        Ok(1.0 + 20.0 + 200.0)
    );
    assert_eq!(
        points(text("Q"), FeatureValue::number(3.0), 0.5),
        Ok(1.0 + 20.0 + 200.0)
    );
    // Outside the interval is invalid, treated as missing, replaced by 5.
    assert_eq!(
        points(text("A"), FeatureValue::number(11.0), 0.5),
        Ok(1.0 + 10.0 + 200.0)
    );
    assert_eq!(
        points(text("A"), FeatureValue::Missing, 0.5),
        Ok(1.0 + 10.0 + 200.0)
    );
    // Outliers are clipped to the extreme values.
    assert_eq!(
        points(text("A"), FeatureValue::number(3.0), 7.0),
        Ok(1.0 + 20.0 + 100.0)
    );
    // A missing m makes the whole result invalid.
    assert_eq!(
        points(text("A"), FeatureValue::number(3.0), f64::NAN),
        Err(Unscorable::MissingValue { field: "m".into() })
    );
}

#[test]
fn the_scale_comes_from_the_extension_or_is_the_platforms() {
    assert_eq!(sample("").scale, ModelScale::default());
    let extension = r#"
    <Extension extender="aval" name="aval:scale">
      <Scale basePoints="600" baseOdds="50" pointsToDoubleOdds="20"/>
      <Band risk="high" from="0" to="499"/>
      <Band risk="low" from="500" to="1000"/>
    </Extension>"#;
    let with = |attrs: &str, at_root: bool| {
        let doc = document(attrs, DICTIONARY, SCHEMA, CHARACTERISTICS);
        let doc = if at_root {
            doc.replacen(
                "<Header description=\"test\"/>",
                &format!("<Header/>{extension}"),
                1,
            )
        } else {
            doc.replacen("<MiningSchema>", &format!("{extension}<MiningSchema>"), 1)
        };
        parse(&doc)
    };
    for at_root in [false, true] {
        let scale = with("", at_root).unwrap().scale;
        assert_eq!(scale.scale.reference_score, 600.0);
        assert_eq!(scale.scale.reference_odds, 50.0);
        assert_eq!(scale.scale.pdo, 20.0);
        assert_eq!(scale.bands.band_of(499), RiskBand::High);
        assert_eq!(scale.bands.band_of(500), RiskBand::Low);
    }
    let broken = document("", DICTIONARY, SCHEMA, CHARACTERISTICS).replacen(
        "<MiningSchema>",
        r#"<Extension name="aval:scale"><Band risk="high" from="0" to="10"/></Extension><MiningSchema>"#,
        1,
    );
    let err = parse(&broken).unwrap_err();
    assert!(err.to_string().contains("end at 1000"), "{err}");
    assert!(
        err.to_string()
            .contains("<Extension \"aval:scale\"> (line 13)"),
        "{err}"
    );
}

fn refused(document: &str) -> String {
    parse(document).unwrap_err().to_string()
}

#[test]
fn documents_that_are_not_pmml_4_scorecards_are_refused_saying_why() {
    assert!(
        refused("<PMML version=\"4.4\"><DataDictionary>")
            .starts_with("the document is not well-formed XML (line 1)")
    );
    assert!(refused("not xml at all").contains("not well-formed XML"));
    assert_eq!(
        refused("<html/>"),
        "the document's root element is <html>, not <PMML>"
    );
    assert!(refused(r#"<PMML xmlns="urn:other" version="4.4"/>"#).contains("not <PMML>"));
    assert_eq!(
        refused(r#"<PMML xmlns="http://www.dmg.org/PMML-3_2" version="3.2"/>"#),
        "PMML version `3.2` is not supported: only PMML 4.x"
    );
    assert!(refused(r#"<PMML version="5.0"/>"#).contains("`5.0`"));
    assert!(refused("<PMML/>").contains("the attribute `version` is required"));
    let tree =
        r#"<PMML version="4.4"><DataDictionary/><TreeModel functionName="regression"/></PMML>"#;
    assert_eq!(
        refused(tree),
        "the document has no <Scorecard> model (it has TreeModel)"
    );
    let two = document("", DICTIONARY, SCHEMA, CHARACTERISTICS)
        .replace("</PMML>", "<TreeModel functionName=\"regression\"/></PMML>");
    assert!(
        refused(&two)
            .contains("<TreeModel> (line 47): a second model in one document is not supported"),
        "{}",
        refused(&two)
    );
    let dtd = "<!DOCTYPE PMML [<!ENTITY a \"b\">]><PMML version=\"4.4\"/>";
    assert!(refused(dtd).contains("not well-formed XML"));
    let huge = format!(
        "<PMML version=\"4.4\"><!-- {} --></PMML>",
        "x".repeat(MAX_PMML_BYTES)
    );
    assert!(matches!(parse(&huge), Err(PmmlError::TooLarge { .. })));
}

#[test]
fn unsupported_and_invalid_elements_are_named_with_their_line() {
    let cases = [
        (
            CHARACTERISTICS.replacen(
                r#"<SimplePredicate field="department" operator="isMissing"/>"#,
                r#"<SimpleRule/>"#,
                1,
            ),
            "<SimpleRule> (line 21): this predicate is not supported",
        ),
        (
            CHARACTERISTICS.replacen(r#"field="age""#, r#"field="salary""#, 1),
            "<SimplePredicate \"salary\"> (line 27): field `salary` is not declared in the DataDictionary",
        ),
        (
            CHARACTERISTICS.replacen(r#"field="age""#, r#"field="overallScore""#, 1),
            "field `overallScore` is not declared as an active MiningField",
        ),
        (
            CHARACTERISTICS.replacen(r#"value="marketing""#, r#"value="marketing" operator2="x""#, 1)
                .replacen(r#"operator="lessOrEqual" value="18""#, r#"operator="lessOrEqual" value="dezoito""#, 1),
            "<SimplePredicate \"age\"> (line 28): `dezoito` is not a integer value",
        ),
        (
            CHARACTERISTICS.replacen(r#"operator="equal" value="marketing""#, r#"operator="lessThan" value="marketing""#, 1),
            "`lessThan` on a string field is not supported",
        ),
        (
            CHARACTERISTICS.replacen(r#"operator="isMissing""#, r#"operator="isAbout""#, 1),
            "operator `isAbout` is not a PMML operator",
        ),
        (
            CHARACTERISTICS.replacen(r#"partialScore="-9""#, "", 1),
            "<Attribute> (line 21): the Attribute has no partialScore",
        ),
        (
            CHARACTERISTICS.replacen(r#"<Attribute partialScore="-9">"#, r#"<Attribute partialScore="-9"><ComplexPartialScore/>"#, 1),
            "ComplexPartialScore (an expression) is not supported",
        ),
        (
            CHARACTERISTICS.replacen(r#" reasonCode="RC1" baselineScore="19""#, r#" baselineScore="19""#, 1),
            "with useReasonCodes an Attribute needs a reasonCode",
        ),
        (
            CHARACTERISTICS.replacen(r#" baselineScore="19""#, "", 1),
            "<Characteristic \"departmentScore\"> (line 20): with useReasonCodes a Characteristic needs a baselineScore",
        ),
        (
            CHARACTERISTICS.replacen(
                r#"<SimplePredicate field="age" operator="greaterThan" value="39"/>"#,
                r#"<CompoundPredicate booleanOperator="and"><True/></CompoundPredicate>"#,
                1,
            ),
            "a CompoundPredicate has at least two predicates",
        ),
        (
            CHARACTERISTICS.replacen(
                r#"<SimplePredicate field="age" operator="greaterThan" value="39"/>"#,
                r#"<SimpleSetPredicate field="age" booleanOperator="isIn"><Array type="int" n="3">1 2</Array></SimpleSetPredicate>"#,
                1,
            ),
            "n=\"3\" but the Array has 2 values",
        ),
    ];
    for (characteristics, expected) in cases {
        let message = refused(&document("", DICTIONARY, SCHEMA, &characteristics));
        assert!(
            message.contains(expected),
            "{message}\n  expected: {expected}"
        );
    }
    let doc = document("", DICTIONARY, SCHEMA, CHARACTERISTICS);
    let cases = [
        (doc.replacen("<Characteristics>", "<Targets/><Characteristics>", 1), "<Targets> (line 19): Targets (they rescale the score) is not supported"),
        (doc.replacen("</DataDictionary>", "</DataDictionary><TransformationDictionary><DerivedField name=\"x\"/></TransformationDictionary>", 1), "<DerivedField \"x\"> (line 11): a derived field or function is not supported"),
        (doc.replacen(r#"dataType="integer""#, r#"dataType="date""#, 1), "dataType `date` is not supported"),
        (doc.replacen(r#"functionName="regression""#, r#"functionName="classification""#, 1), "functionName `classification`"),
        (doc.replacen(r#"name="age"/>"#, r#"name="wage"/>"#, 1), "<MiningField \"wage\"> (line 15): field `wage` is not declared in the DataDictionary"),
        (doc.replacen(r#"<MiningField name="income"/>"#, r#"<MiningField name="income" invalidValueTreatment="asValue"/>"#, 1), "asValue needs an invalidValueReplacement"),
        (doc.replacen(r#"<MiningField name="income"/>"#, r#"<MiningField name="income" outliers="asExtremeValues"/>"#, 1), "outlier treatment needs lowValue ≤ highValue"),
        (doc.replacen(r#"<Value value="marketing"/>"#, r#"<Interval closure="openOpen"/>"#, 1), "an Interval belongs to a continuous numeric field"),
        (doc.replacen(r#"useReasonCodes"#, "x", 1).replacen(r#"functionName="regression""#, r#"functionName="regression" reasonCodeAlgorithm="pointsAround""#, 1), "reasonCodeAlgorithm `pointsAround`"),
        (doc.replacen(r#"functionName="regression""#, r#"functionName="regression" initialScore="lots""#, 1), "`initialScore` must be a finite number, not `lots`"),
    ];
    for (doc, expected) in cases {
        let message = refused(&doc);
        assert!(
            message.contains(expected),
            "{message}\n  expected: {expected}"
        );
    }
}

#[test]
fn protected_data_is_refused_wherever_it_is_named_before_anything_else() {
    let doc = document("", DICTIONARY, SCHEMA, CHARACTERISTICS);
    let cases = [
        (doc.replace("\"department\"", "\"Sexo\""), "<DataField \"Sexo\"> (line 5)", ProtectedCategory::Sex),
        (
            doc.replacen(r#"name="income""#, r#"name="income" displayName="Renda por raça/cor""#, 1),
            "<DataField \"Renda por raça/cor\"> (line 9)",
            ProtectedCategory::SocialOrEthnicOrigin,
        ),
        (
            // Refused for art. 7-A even though derived fields are unsupported anyway.
            doc.replacen("</DataDictionary>", "</DataDictionary><TransformationDictionary><DerivedField name=\"religiao_declarada\"/></TransformationDictionary>", 1),
            "<DerivedField \"religiao_declarada\"> (line 11)",
            ProtectedCategory::Convictions,
        ),
        (
            doc.replacen(r#"name="departmentScore""#, r#"name="saude""#, 1),
            "<Characteristic \"saude\"> (line 20)",
            ProtectedCategory::Health,
        ),
    ];
    for (doc, location, category) in cases {
        match parse(&doc) {
            Err(PmmlError::Protected(p)) => {
                assert_eq!(p.location, location);
                assert_eq!(p.category, category);
            }
            other => panic!("{other:?}"),
        }
    }
}
