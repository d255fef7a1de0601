#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use serde_json::{Value, json};

fn default_json() -> Value {
    serde_json::from_str(DEFAULT_POLICY_JSON).unwrap()
}

/// The default policy with one change.
fn load_with(pointer: &str, value: Value) -> Result<Policy, PolicyError> {
    let mut doc = default_json();
    *doc.pointer_mut(pointer).unwrap() = value;
    Policy::from_json(&doc.to_string())
}

fn features(values: &[(Feature, Option<f64>)]) -> FeatureValues {
    values.iter().copied().collect()
}

/// A proposal every default rule lets through; tests change one feature at a time.
fn healthy() -> Vec<(Feature, Option<f64>)> {
    vec![
        (Feature::LowestPartnerScore, Some(800.0)),
        (Feature::UnknownPartners, Some(0.0)),
        (Feature::ScoredPartners, Some(2.0)),
        (Feature::CompanyAgeMonths, Some(72.0)),
        (Feature::MonthlyRevenue, Some(50_000_000.0)),
        (Feature::Leverage, Some(0.5)),
        (Feature::NumberOfInstallments, Some(12.0)),
        (Feature::WarrantCoverage, Some(0.0)),
        (Feature::ForeignCurrency, Some(0.0)),
    ]
}

fn with(feature: Feature, value: Option<f64>) -> FeatureValues {
    let mut values = healthy();
    for (f, v) in &mut values {
        if *f == feature {
            *v = value;
        }
    }
    features(&values)
}

#[test]
fn the_default_policies_load_and_name_themselves() {
    for (kind, id) in [
        (ProposalKind::LegalPerson, DEFAULT_POLICY_ID),
        (
            ProposalKind::NaturalPerson,
            DEFAULT_NATURAL_PERSON_POLICY_ID,
        ),
    ] {
        let policy = Policy::default_for(kind).unwrap();
        assert_eq!(policy.id(), id);
        assert_eq!(policy.version(), 1);
        assert_eq!(policy.kind(), kind);
        assert!(
            policy.features().iter().all(|f| f.applies_to(kind)),
            "{kind}"
        );
    }
    let company_features = Feature::ALL
        .iter()
        .filter(|f| f.applies_to(ProposalKind::LegalPerson))
        .count();
    assert_eq!(
        Policy::default_policy().unwrap().features().len(),
        company_features
    );
    assert_eq!(
        Policy::default_policy(),
        Policy::default_for(ProposalKind::LegalPerson)
    );
}

#[test]
fn a_policy_reads_only_features_of_its_kind() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&Policy::default_policy().unwrap()).unwrap())
            .unwrap();
    doc["kind"] = "natural_person".into();
    let refused = Policy::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(refused.code(), "INVALID_POLICY");
    assert!(refused.field().starts_with("features["), "{refused}");
    assert!(refused.to_string().contains("natural_person"), "{refused}");
}

#[test]
fn a_policy_serialises_back_to_an_equal_policy() {
    let policy = Policy::default_policy().unwrap();
    let json = serde_json::to_string(&policy).unwrap();
    assert_eq!(Policy::from_json(&json), Ok(policy));
}

#[test]
fn a_protected_attribute_is_refused_wherever_it_is_named() {
    let mut doc = default_json();
    doc["features"]
        .as_array_mut()
        .unwrap()
        .push(json!("gender"));
    let refused = Policy::from_json(&doc.to_string());
    assert_eq!(
        refused,
        Err(PolicyError::ForbiddenFeature {
            field: "features[9]".into(),
            feature: "gender".into(),
        })
    );
    let error = refused.unwrap_err();
    assert_eq!(error.code(), "FORBIDDEN_FEATURE");
    assert!(error.to_string().contains("art. 7-A"), "{error}");

    let cases = [
        (
            "/reprove_when/0/when/feature",
            "nationality",
            "reprove_when[0].when.feature",
        ),
        (
            "/review_when/4/unless/feature",
            "mother_name",
            "review_when[4].unless.feature",
        ),
        (
            "/scorecard/characteristics/2/feature",
            "shareholders.father_name",
            "scorecard.characteristics[2].feature",
        ),
        ("/features/0", "Sex", "features[0]"),
    ];
    for (pointer, name, field) in cases {
        let error = load_with(pointer, json!(name)).unwrap_err();
        assert_eq!(error.code(), "FORBIDDEN_FEATURE", "{name}");
        assert_eq!(error.field(), field, "{name}");
    }
}

#[test]
fn a_feature_must_be_declared_before_it_is_read() {
    let mut doc = default_json();
    doc["features"] = json!(["lowest_partner_score", "unknown_partners"]);
    let error = Policy::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(
        error,
        PolicyError::UndeclaredFeature {
            field: "reprove_when[1].when.feature".into(),
            feature: Feature::Leverage,
        }
    );
}

#[test]
fn unknown_names_and_fields_are_refused_with_their_path() {
    let error = load_with("/review_when/0/when/feature", json!("zodiac_sign")).unwrap_err();
    assert_eq!(error.code(), "MALFORMED_POLICY");
    assert_eq!(error.field(), "review_when[0].when.feature");

    let error = load_with("/review_when/0/when/op", json!("between")).unwrap_err();
    assert_eq!(error.field(), "review_when[0].when.op");

    let mut doc = default_json();
    doc["credit_limit"]["revenue_multple"] = json!(3);
    let error = Policy::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(error.field(), "credit_limit.revenue_multple");

    let error = Policy::from_json("{not json").unwrap_err();
    assert_eq!((error.code(), error.field()), ("MALFORMED_POLICY", ""));
}

#[test]
fn unusable_documents_are_refused() {
    let bins = "/scorecard/characteristics/0/bins";
    let cases = [
        ("/id", json!(""), "id"),
        ("/version", json!(0), "version"),
        ("/features/1", json!("lowest_partner_score"), "features[1]"),
        ("/approved/code", json!("Policy Approved"), "approved.code"),
        (
            "/reprove_when/0/reason/description",
            json!(" "),
            "reprove_when[0].reason.description",
        ),
        (
            "/scorecard/characteristics/0/bins/1/below",
            json!(300),
            "scorecard.characteristics[0].bins[1].below",
        ),
        (
            "/scorecard/characteristics/0/bins/4",
            json!({"below": 900, "points": 280}),
            "scorecard.characteristics[0].bins[4]",
        ),
        (
            "/scorecard/characteristics/0/bins/3",
            json!({"below": 719, "points": 220}),
            "scorecard.characteristics[0].bins[3].reason",
        ),
        (
            "/scorecard/characteristics/1/feature",
            json!("lowest_partner_score"),
            "scorecard.characteristics[1].feature",
        ),
        ("/scorecard/scale/pdo", json!(0), "scorecard.scale"),
        (
            "/credit_limit/revenue_multiple",
            json!(-1),
            "credit_limit.revenue_multiple",
        ),
    ];
    for (pointer, value, field) in cases {
        let error = load_with(pointer, value).unwrap_err();
        assert_eq!(error.code(), "INVALID_POLICY", "{pointer}: {error}");
        assert_eq!(error.field(), field, "{pointer}");
    }
    let error = load_with(bins, json!([])).unwrap_err();
    assert_eq!(error.field(), "scorecard.characteristics[0].bins");
}

#[test]
fn rules_reprove_first_then_review_else_approve() {
    let policy = Policy::default_policy().unwrap();
    let verdict = policy.evaluate(&features(&healthy()));
    assert_eq!(verdict.outcome, Outcome::Approve);
    assert_eq!(verdict.reason, "policy_approved");
    assert!(verdict.rules_fired.is_empty());

    let cases = [
        (
            Feature::LowestPartnerScore,
            Some(374.0),
            Outcome::Reprove,
            "low_partner_score",
        ),
        (
            Feature::LowestPartnerScore,
            Some(375.0),
            Outcome::Review,
            "moderate_partner_score",
        ),
        (
            Feature::LowestPartnerScore,
            Some(526.0),
            Outcome::Approve,
            "policy_approved",
        ),
        (
            Feature::Leverage,
            Some(12.5),
            Outcome::Reprove,
            "high_leverage",
        ),
        (
            Feature::Leverage,
            Some(12.0),
            Outcome::Review,
            "elevated_leverage",
        ),
        (
            Feature::Leverage,
            Some(4.0),
            Outcome::Approve,
            "policy_approved",
        ),
        (
            Feature::CompanyAgeMonths,
            Some(5.0),
            Outcome::Reprove,
            "young_company",
        ),
        (
            Feature::CompanyAgeMonths,
            Some(6.0),
            Outcome::Approve,
            "policy_approved",
        ),
        (
            Feature::UnknownPartners,
            Some(1.0),
            Outcome::Review,
            "unknown_partner",
        ),
        (
            Feature::ScoredPartners,
            Some(0.0),
            Outcome::Review,
            "no_partner_data",
        ),
        (
            Feature::MonthlyRevenue,
            Some(0.0),
            Outcome::Review,
            "no_revenue",
        ),
        (
            Feature::NumberOfInstallments,
            Some(61.0),
            Outcome::Review,
            "very_long_term",
        ),
        (
            Feature::NumberOfInstallments,
            Some(60.0),
            Outcome::Approve,
            "policy_approved",
        ),
        (
            Feature::ForeignCurrency,
            Some(1.0),
            Outcome::Review,
            "foreign_currency",
        ),
    ];
    for (feature, value, outcome, reason) in cases {
        let verdict = policy.evaluate(&with(feature, value));
        assert_eq!(
            (verdict.outcome, verdict.reason.as_str()),
            (outcome, reason),
            "{feature} = {value:?}"
        );
    }
}

#[test]
fn full_warrant_coverage_waives_elevated_leverage_only() {
    let policy = Policy::default_policy().unwrap();
    let mut values = healthy();
    values[5].1 = Some(6.0); // leverage
    values[7].1 = Some(1.0); // warrant coverage
    assert_eq!(
        policy.evaluate(&features(&values)).outcome,
        Outcome::Approve
    );
    values[5].1 = Some(13.0);
    assert_eq!(
        policy.evaluate(&features(&values)).outcome,
        Outcome::Reprove
    );
}

#[test]
fn missing_data_satisfies_no_condition_and_every_fired_rule_is_listed() {
    let policy = Policy::default_policy().unwrap();
    // No score known for anyone: not reproved on a score nobody has, but sent to a person.
    let mut values = healthy();
    values[0].1 = None;
    values[1].1 = Some(2.0);
    values[2].1 = Some(0.0);
    let verdict = policy.evaluate(&features(&values));
    assert_eq!(verdict.outcome, Outcome::Review);
    assert_eq!(verdict.reason, "unknown_partner");
    assert_eq!(verdict.rules_fired, ["unknown_partner", "no_partner_data"]);

    // A known bad score reproves even while another partner is unknown.
    values[0].1 = Some(300.0);
    values[2].1 = Some(1.0);
    let verdict = policy.evaluate(&features(&values));
    assert_eq!(verdict.outcome, Outcome::Reprove);
    assert_eq!(
        verdict.rules_fired,
        [
            "low_partner_score",
            "unknown_partner",
            "moderate_partner_score"
        ]
    );
}

#[test]
fn the_scorecard_sums_points_and_explains_every_point_lost() {
    let policy = Policy::default_policy().unwrap();
    let best = features(&[
        (Feature::LowestPartnerScore, Some(900.0)),
        (Feature::UnknownPartners, Some(0.0)),
        (Feature::CompanyAgeMonths, Some(100.0)),
        (Feature::Leverage, Some(0.1)),
        (Feature::NumberOfInstallments, Some(6.0)),
        (Feature::WarrantCoverage, Some(2.0)),
    ]);
    let scored = policy.score(&best);
    assert_eq!(scored.score, 920);
    assert!(scored.reasons.is_empty());

    let scored = policy.score(&with(Feature::Leverage, None));
    // 920 - 160 (no revenue) - 80 (no warrant)
    assert_eq!(scored.score, 680);
    let codes: Vec<(&str, f64)> = scored
        .reasons
        .iter()
        .map(|r| (r.code.as_str(), r.impact))
        .collect();
    assert_eq!(
        codes,
        [("no_revenue", 160.0), ("low_warrant_coverage", 80.0)]
    );
    let scale = aval_credit::ScoreScale::default();
    assert_eq!(
        scored.probability_of_default,
        scale.probability_of_default(680)
    );
}

#[test]
fn the_credit_limit_is_the_amount_capped_by_revenue_and_warrants() {
    let policy = Policy::default_policy().unwrap();
    assert_eq!(policy.credit_limit(100_000, 50_000_000, 0), 100_000);
    assert_eq!(policy.credit_limit(1_000_000, 100_000, 0), 400_000);
    assert_eq!(policy.credit_limit(1_000_000, 100_000, 250_000), 650_000);
    assert_eq!(policy.credit_limit(1_000_000, 0, 0), 0);
}

/// The default policy with its lists replaced by `table`.
fn with_table(table: Value) -> Result<Policy, PolicyError> {
    let mut doc = default_json();
    let object = doc.as_object_mut().unwrap();
    for list in ["approved", "reprove_when", "review_when"] {
        object.remove(list);
    }
    object.insert("decision_table".into(), table);
    Policy::from_json(&doc.to_string())
}

fn rule(feature: &str, op: &str, value: f64, outcome: &str, code: &str) -> Value {
    json!({
        "when": {"feature": feature, "op": op, "value": value},
        "outcome": outcome,
        "reason": {"code": code, "description": code},
    })
}

fn table(hit_policy: &str, rules: Vec<Value>) -> Value {
    json!({
        "hit_policy": hit_policy,
        "rules": rules,
        "default": {"outcome": "approve", "reason": {"code": "fine", "description": "Nothing fired"}},
    })
}

#[test]
fn a_first_hit_table_lets_its_first_firing_row_decide_alone() {
    let rows = vec![
        // A strong guarantee settles it before any doubt is raised.
        rule("warrant_coverage", "ge", 2.0, "approve", "fully_secured"),
        rule("leverage", "gt", 12.0, "reprove", "high_leverage"),
        rule("unknown_partners", "gt", 0.0, "review", "unknown_partner"),
    ];
    let policy = with_table(table("first", rows)).unwrap();
    let secured = with(Feature::WarrantCoverage, Some(3.0));
    let mut secured_and_leveraged: Vec<_> = secured.as_map().clone().into_iter().collect();
    for (f, v) in &mut secured_and_leveraged {
        if *f == Feature::Leverage {
            *v = Some(20.0);
        }
    }
    let verdict = policy.evaluate(&secured_and_leveraged.into_iter().collect());
    assert_eq!(verdict.outcome, Outcome::Approve);
    assert_eq!(verdict.reason, "fully_secured");
    assert_eq!(verdict.rules_fired, ["fully_secured"]);

    let verdict = policy.evaluate(&with(Feature::Leverage, Some(20.0)));
    assert_eq!(
        (verdict.outcome, verdict.reason.as_str()),
        (Outcome::Reprove, "high_leverage")
    );
    let verdict = policy.evaluate(&features(&healthy()));
    assert_eq!(
        (verdict.outcome, verdict.reason.as_str()),
        (Outcome::Approve, "fine")
    );
    assert!(verdict.rules_fired.is_empty());
}

#[test]
fn a_collect_table_lets_the_most_severe_outcome_decide_and_lists_every_row() {
    let rows = vec![
        rule("unknown_partners", "gt", 0.0, "review", "unknown_partner"),
        rule("warrant_coverage", "ge", 2.0, "approve", "fully_secured"),
        rule("leverage", "gt", 12.0, "reprove", "high_leverage"),
        rule("company_age_months", "lt", 6.0, "reprove", "young_company"),
    ];
    let policy = with_table(table("collect", rows)).unwrap();
    let values: FeatureValues = healthy()
        .into_iter()
        .map(|(f, v)| match f {
            Feature::UnknownPartners => (f, Some(1.0)),
            Feature::WarrantCoverage => (f, Some(3.0)),
            Feature::Leverage => (f, Some(20.0)),
            Feature::CompanyAgeMonths => (f, Some(2.0)),
            _ => (f, v),
        })
        .collect();
    let verdict = policy.evaluate(&values);
    assert_eq!(verdict.outcome, Outcome::Reprove);
    assert_eq!(verdict.reason, "high_leverage", "the first reprove row");
    assert_eq!(
        verdict.rules_fired,
        [
            "high_leverage",
            "young_company",
            "unknown_partner",
            "fully_secured"
        ]
    );
}

#[test]
fn the_lists_and_the_collect_table_they_mean_decide_alike() {
    let lists = Policy::default_policy().unwrap();
    let doc = default_json();
    let as_rows = |list: &str, outcome: &str| -> Vec<Value> {
        doc[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut row = r.clone();
                row["outcome"] = json!(outcome);
                row
            })
            .collect()
    };
    let mut rows = as_rows("reprove_when", "reprove");
    rows.extend(as_rows("review_when", "review"));
    let mut table_doc = table("collect", rows);
    table_doc["default"]["reason"] = doc["approved"].clone();
    let table = with_table(table_doc).unwrap();
    for feature in Feature::ALL {
        for value in [
            None,
            Some(0.0),
            Some(1.0),
            Some(5.0),
            Some(400.0),
            Some(600.0),
        ] {
            let values = with(*feature, value);
            assert_eq!(
                table.evaluate(&values),
                lists.evaluate(&values),
                "{feature}={value:?}"
            );
        }
    }
}

#[test]
fn a_table_is_checked_like_the_lists() {
    let mut with_lists = default_json();
    with_lists["decision_table"] = table("first", vec![]);
    let error = Policy::from_json(&with_lists.to_string()).unwrap_err();
    assert_eq!(error.field(), "decision_table");

    let mut neither = default_json();
    neither.as_object_mut().unwrap().remove("approved");
    let error = Policy::from_json(&neither.to_string()).unwrap_err();
    assert_eq!(error.field(), "approved");

    let error = with_table(table(
        "first",
        vec![rule("gender", "eq", 1.0, "reprove", "x")],
    ))
    .unwrap_err();
    assert_eq!(error.code(), "FORBIDDEN_FEATURE");
    assert_eq!(error.field(), "decision_table.rules[0].when.feature");

    let mut all_of = rule("leverage", "gt", 4.0, "review", "leveraged");
    all_of["when"] = json!([
        {"feature": "leverage", "op": "gt", "value": 4},
        {"feature": "mother_name", "op": "eq", "value": 1}
    ]);
    let error = with_table(table("collect", vec![all_of.clone()])).unwrap_err();
    assert_eq!(error.code(), "FORBIDDEN_FEATURE");
    assert_eq!(error.field(), "decision_table.rules[0].when[1].feature");

    all_of["when"] = json!([]);
    let error = with_table(table("collect", vec![all_of])).unwrap_err();
    assert_eq!(error.field(), "decision_table.rules[0].when");

    let mut doc = default_json();
    for list in ["approved", "reprove_when", "review_when"] {
        doc.as_object_mut().unwrap().remove(list);
    }
    doc["features"] = json!(["leverage"]);
    doc["scorecard"]["characteristics"] = json!([]);
    doc["decision_table"] = table(
        "first",
        vec![rule("unknown_partners", "gt", 0.0, "review", "unknown")],
    );
    let error = Policy::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(error.code(), "UNDECLARED_FEATURE");
    assert_eq!(error.field(), "decision_table.rules[0].when.feature");

    let mut any = table("first", vec![]);
    any["hit_policy"] = json!("any");
    let error = with_table(any).unwrap_err();
    assert_eq!(error.field(), "decision_table.hit_policy");

    let mut bad_code = table("first", vec![]);
    bad_code["default"]["reason"]["code"] = json!("Not Snake");
    let error = with_table(bad_code).unwrap_err();
    assert_eq!(error.field(), "decision_table.default.reason.code");
}

#[test]
fn a_table_policy_serialises_back_to_an_equal_policy() {
    let policy = with_table(table(
        "first",
        vec![rule("leverage", "gt", 12.0, "reprove", "high_leverage")],
    ))
    .unwrap();
    let json = serde_json::to_string(&policy).unwrap();
    assert!(
        json.contains("decision_table") && !json.contains("reprove_when"),
        "{json}"
    );
    assert_eq!(Policy::from_json(&json), Ok(policy));
}
