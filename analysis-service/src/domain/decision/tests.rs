#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::domain::proposal::{
    Appraisal, Cents, CreditType, Financial, Guarantor, Installments, InterestType,
    LegalPersonProposal, NaturalPerson, NaturalPersonProposal, Percent, PositiveCents, ProposalId,
    ProposalKind, ProtectedAttributes, RequestDate, Text, Warrant, WarrantType,
};
use aval_credit::{Cnpj, ScoreScale};
use chrono::{DateTime, NaiveDate};
use proptest::prelude::*;

/// Decides a company's proposal (the fixtures here are companies').
pub(crate) fn decide(
    policy: &Policy,
    proposal: &LegalPersonProposal,
    scores: &BTreeMap<Cpf, Option<u32>>,
) -> Decision {
    super::decide(policy, &Proposal::LegalPerson(proposal.clone()), scores)
}

const SHAREHOLDER: &str = "261.026.462-31";
const GUARANTOR: &str = "677.498.846-61";

fn cpf(text: &str) -> Cpf {
    Cpf::parse(text).unwrap()
}

fn person(name: &str, document: &str) -> NaturalPerson {
    NaturalPerson {
        name: Text::required(name).unwrap(),
        document: cpf(document),
        birthdate: NaiveDate::from_ymd_opt(1972, 8, 22),
        email: None,
        monthly_income: Cents::new(800_000).unwrap(),
        declared_assets: Cents::new(18_600_000).unwrap(),
        occupation: Text::optional("law").unwrap(),
        address: None,
        phones: Vec::new(),
        protected: ProtectedAttributes {
            gender: Text::optional("female").unwrap(),
            nationality: Text::optional("BRA").unwrap(),
            mother_name: Text::optional("Beatrice Rodrigues Pinto").unwrap(),
            father_name: Text::optional("Luís Azevedo").unwrap(),
        },
    }
}

/// The QI Tech seed's proposal, as the domain holds it.
pub(crate) fn qi_proposal() -> LegalPersonProposal {
    LegalPersonProposal {
        id: ProposalId::parse("12345678").unwrap(),
        registration_id: None,
        credit_request_date: RequestDate::Given(
            DateTime::parse_from_rfc3339("2021-03-31T10:30:00-03:00").unwrap(),
        ),
        credit_type: CreditType::StudentLoan,
        legal_name: Text::required("QI Tech Tecnologia LTDA").unwrap(),
        trading_name: Text::optional("QI Tech").unwrap(),
        document: Cnpj::parse("35.472.523/0001-15").unwrap(),
        constitution_date: NaiveDate::from_ymd_opt(2019, 11, 11).unwrap(),
        constitution_type: None,
        email: None,
        monthly_revenue: Cents::new(50_000_000).unwrap(),
        client_category: None,
        client_since: None,
        address: None,
        phones: Vec::new(),
        shareholders: vec![person("Anna Pinto Azevedo", SHAREHOLDER)],
        guarantors: vec![Guarantor::Natural(Box::new(person(
            "Melissa Lima Melo",
            GUARANTOR,
        )))],
        financial: Financial {
            amount: PositiveCents::new(100_000).unwrap(),
            currency: Currency::Brl,
            interest_type: InterestType::CdiPlus,
            annual_interest_rate: Percent::new(2.32).unwrap(),
            cdi_percentage: Percent::new(100.0).unwrap(),
            number_of_installments: Installments::new(4).unwrap(),
        },
        warrants: vec![warrant(100_000_000, 60_000_000)],
        source: None,
        scr_parameters: BTreeMap::new(),
    }
}

fn warrant(estimated: i64, forced: i64) -> Warrant {
    Warrant {
        warrant_type: WarrantType::RealEstate,
        property_type: Text::optional("house").unwrap(),
        appraisal: Appraisal::new(Cents::new(estimated).unwrap(), Cents::new(forced).unwrap())
            .unwrap(),
        address: None,
    }
}

/// Scores of the QI proposal's shareholder and guarantor.
pub(crate) fn scores(
    shareholder: Option<u32>,
    guarantor: Option<u32>,
) -> BTreeMap<Cpf, Option<u32>> {
    BTreeMap::from([(cpf(SHAREHOLDER), shareholder), (cpf(GUARANTOR), guarantor)])
}

pub(crate) fn policy() -> Policy {
    Policy::default_policy().unwrap()
}

#[test]
fn the_qi_example_with_scores_800_and_700_is_approved() {
    let decision = decide(&policy(), &qi_proposal(), &scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyApproved);
    assert_eq!(decision.status.as_str(), "automatically_approved");
    assert_eq!(decision.reason, "policy_approved");
    assert_eq!(decision.recommendation, Recommendation::Approve);
    assert_eq!(decision.credit_limit_cents, 100_000);
    assert_eq!(decision.currency, Currency::Brl);
    // 120 base + 220 (lowest partner 700) + 60 (all known) + 60 (16 months old)
    // + 160 (leverage 0.002) + 80 (4 installments) + 80 (coverage 600x).
    assert_eq!(decision.score, 780);
    let pd = ScoreScale::default().probability_of_default(780);
    assert_eq!(decision.probability_of_default, pd);
    assert!((pd - 1.0 / 39.0).abs() < 1e-9);
    let reasons: Vec<(&str, f64)> = decision
        .justification
        .iter()
        .map(|j| (j.code.as_str(), j.impact))
        .collect();
    assert_eq!(
        reasons,
        [("young_company", 80.0), ("good_partner_score", 60.0)]
    );
    assert_eq!(decision.features[&Feature::CompanyAgeMonths], Some(16.0));
    assert_eq!(decision.features[&Feature::Leverage], Some(0.002));
    assert_eq!(decision.features[&Feature::WarrantCoverage], Some(600.0));
    assert_eq!(
        (decision.policy_id.as_str(), decision.policy_version),
        ("aval-default-lp", 1)
    );
}

#[test]
fn a_partner_in_the_very_high_risk_band_reproves() {
    let decision = decide(&policy(), &qi_proposal(), &scores(Some(800), Some(300)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyReproved);
    assert_eq!(decision.reason, "low_partner_score");
    assert_eq!(decision.recommendation, Recommendation::Refuse);
    assert_eq!(decision.credit_limit_cents, 0);
    assert_eq!(decision.justification[0].code, "low_partner_score");
}

#[test]
fn a_young_or_overleveraged_company_is_reproved() {
    let mut young = qi_proposal();
    young.constitution_date = NaiveDate::from_ymd_opt(2020, 10, 1).unwrap();
    let decision = decide(&policy(), &young, &scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyReproved);
    assert_eq!(decision.reason, "young_company");

    let mut leveraged = qi_proposal();
    leveraged.monthly_revenue = Cents::new(5_000).unwrap();
    leveraged.warrants.clear();
    let decision = decide(&policy(), &leveraged, &scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyReproved);
    assert_eq!(decision.reason, "high_leverage");
}

#[test]
fn what_the_policy_cannot_judge_goes_to_a_person() {
    let in_review = |proposal: &LegalPersonProposal, scores: &BTreeMap<Cpf, Option<u32>>| {
        let decision = decide(&policy(), proposal, scores);
        assert_eq!(
            decision.status,
            AnalysisStatus::InManualAnalysis,
            "{}",
            decision.reason
        );
        assert_eq!(decision.recommendation, Recommendation::RequestGuarantees);
        decision.reason
    };
    let qi = qi_proposal();
    assert_eq!(in_review(&qi, &scores(Some(800), None)), "unknown_partner");
    // A partner the caller did not look up at all is unknown too.
    assert_eq!(
        in_review(&qi, &BTreeMap::from([(cpf(SHAREHOLDER), Some(800))])),
        "unknown_partner"
    );
    assert_eq!(
        in_review(&qi, &scores(Some(800), Some(450))),
        "moderate_partner_score"
    );

    let mut alone = qi_proposal();
    alone.shareholders.clear();
    alone.guarantors.clear();
    assert_eq!(in_review(&alone, &BTreeMap::new()), "no_partner_data");

    let mut no_revenue = qi_proposal();
    no_revenue.monthly_revenue = Cents::ZERO;
    assert_eq!(
        in_review(&no_revenue, &scores(Some(800), Some(700))),
        "no_revenue"
    );

    let mut long = qi_proposal();
    long.financial.number_of_installments = Installments::new(72).unwrap();
    assert_eq!(
        in_review(&long, &scores(Some(800), Some(700))),
        "very_long_term"
    );

    let mut dollars = qi_proposal();
    dollars.financial.currency = Currency::Usd;
    assert_eq!(
        in_review(&dollars, &scores(Some(800), Some(700))),
        "foreign_currency"
    );
}

#[test]
fn full_warrant_coverage_turns_elevated_leverage_into_approval() {
    let mut proposal = qi_proposal();
    proposal.financial.amount = PositiveCents::new(300_000_000).unwrap(); // 6 months of revenue
    proposal.warrants = vec![warrant(100_000_000, 50_000_000)];
    let decision = decide(&policy(), &proposal, &scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::InManualAnalysis);
    assert_eq!(decision.reason, "elevated_leverage");
    // Suggested: 4 months of revenue plus the forced-sale value, below the amount asked.
    assert_eq!(decision.credit_limit_cents, 200_000_000 + 50_000_000);

    proposal.warrants = vec![warrant(500_000_000, 300_000_000)];
    let decision = decide(&policy(), &proposal, &scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyApproved);
    assert_eq!(decision.credit_limit_cents, 300_000_000);
}

#[test]
fn justification_is_ordered_by_impact_then_code() {
    let mut proposal = qi_proposal();
    proposal.financial.number_of_installments = Installments::new(48).unwrap();
    proposal.warrants.clear();
    let decision = decide(&policy(), &proposal, &scores(Some(600), Some(700)));
    let reasons: Vec<(&str, f64)> = decision
        .justification
        .iter()
        .map(|j| (j.code.as_str(), j.impact))
        .collect();
    assert_eq!(
        reasons,
        [
            ("fair_partner_score", 120.0),
            ("low_warrant_coverage", 80.0),
            ("young_company", 80.0),
            ("long_term", 40.0),
        ]
    );
    assert!(
        decision
            .justification
            .windows(2)
            .all(|w| w[0].impact >= w[1].impact)
    );
}

#[test]
fn deciding_is_deterministic_and_survives_a_json_round_trip() {
    let proposal = qi_proposal();
    let scores = scores(Some(640), None);
    let first = decide(&policy(), &proposal, &scores);
    let second = decide(&policy(), &proposal, &scores);
    assert_eq!(first, second);
    let stored = serde_json::to_string(&first).unwrap();
    let replayed: Decision = serde_json::from_str(&stored).unwrap();
    assert_eq!(replayed, first);
    let json: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(json["status"], "in_manual_analysis");
    assert_eq!(json["recommendation"], "request_guarantees");
    assert_eq!(json["currency"], "BRL");
    assert_eq!(json["features"]["unknown_partners"], 1.0);
}

#[test]
fn statuses_have_the_qi_tech_names() {
    let names: Vec<&str> = AnalysisStatus::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        names,
        [
            "pending",
            "waiting_for_data",
            "automatically_approved",
            "automatically_reproved",
            "automatically_challenged",
            "in_manual_analysis",
            "manually_approved",
            "manually_reproved",
            "manually_challenged",
        ]
    );
    assert_eq!(
        AnalysisStatus::parse("IN_MANUAL_ANALYSIS"),
        Ok(AnalysisStatus::InManualAnalysis)
    );
}

proptest! {
    /// Art. 7-A: changing a protected attribute never changes a decision.
    #[test]
    fn protected_attributes_never_change_the_decision(
        gender in "[a-z]{0,10}",
        nationality in "[A-Z]{0,3}",
        parent in "[A-Za-z ]{0,20}",
        shareholder in proptest::option::of(0u32..=1000),
        guarantor in proptest::option::of(0u32..=1000),
    ) {
        let scores = scores(shareholder, guarantor);
        let baseline = decide(&policy(), &qi_proposal(), &scores);
        let mut changed = qi_proposal();
        for person in changed.shareholders.iter_mut().chain(
            changed.guarantors.iter_mut().filter_map(|g| match g {
                Guarantor::Natural(p) => Some(&mut **p),
                Guarantor::Legal { .. } => None,
            }),
        ) {
            person.protected = ProtectedAttributes {
                gender: Text::optional(&gender).unwrap(),
                nationality: Text::optional(&nationality).unwrap(),
                mother_name: Text::optional(&parent).unwrap(),
                father_name: None,
            };
        }
        prop_assert_eq!(decide(&policy(), &changed, &scores), baseline);
    }

    #[test]
    fn scores_stay_on_the_scale_and_reproved_means_no_credit(
        shareholder in proptest::option::of(0u32..=5000),
        revenue in 0i64..1_000_000_000,
        amount in 1i64..1_000_000_000,
        installments in 1i32..=480,
    ) {
        let mut proposal = qi_proposal();
        proposal.monthly_revenue = Cents::new(revenue).unwrap();
        proposal.financial.amount = PositiveCents::new(amount).unwrap();
        proposal.financial.number_of_installments = Installments::new(installments).unwrap();
        let decision = decide(&policy(), &proposal, &scores(shareholder, Some(700)));
        prop_assert!(decision.score <= 1000);
        prop_assert!((0.0..=1.0).contains(&decision.probability_of_default));
        prop_assert!((0..=amount).contains(&decision.credit_limit_cents));
        if decision.status == AnalysisStatus::AutomaticallyReproved {
            prop_assert_eq!(decision.credit_limit_cents, 0);
        }
        if decision.status == AnalysisStatus::AutomaticallyApproved {
            prop_assert_eq!(decision.credit_limit_cents, amount);
        }
    }
}

#[test]
fn a_replay_names_each_field_that_differs() {
    let delivered = decide(&policy(), &qi_proposal(), &scores(Some(800), Some(700)));
    assert!(delivered.differences(&delivered.clone()).is_empty());
    let replayed = decide(&policy(), &qi_proposal(), &scores(Some(800), Some(450)));
    let differences = delivered.differences(&replayed);
    assert!(
        differences
            .iter()
            .any(|d| d == "status: automatically_approved → in_manual_analysis"),
        "{differences:?}"
    );
    assert!(
        differences
            .iter()
            .any(|d| d.starts_with("company_score: 780 → "))
    );
    assert!(
        differences
            .iter()
            .any(|d| d.starts_with("rules_fired:  → "))
    );
    let mut nudged = delivered.clone();
    nudged.probability_of_default = f64::from_bits(delivered.probability_of_default.to_bits() + 1);
    assert_eq!(delivered.differences(&nudged).len(), 1, "bit for bit");
}

// --- A person's proposal -----------------------------------------------------------------

const APPLICANT: &str = "199.208.915-92";

/// QI Tech's natural-person example, as the domain holds it: R$ 300/month of income asking
/// R$ 1,000 in 4 installments, a person guarantor, no warrants.
pub(crate) fn person_proposal() -> NaturalPersonProposal {
    let mut applicant = person("Victor Silva Barbosa", APPLICANT);
    applicant.birthdate = NaiveDate::from_ymd_opt(1990, 1, 1);
    applicant.monthly_income = Cents::new(30_000).unwrap();
    let mut proposal = NaturalPersonProposal {
        id: ProposalId::parse("np-12345678").unwrap(),
        registration_id: Text::optional("444").unwrap(),
        credit_request_date: RequestDate::Given(
            DateTime::parse_from_rfc3339("2021-03-31T10:30:00-03:00").unwrap(),
        ),
        credit_type: CreditType::StudentLoan,
        applicant,
        guarantors: vec![Guarantor::Natural(Box::new(person(
            "Melissa Lima Melo",
            GUARANTOR,
        )))],
        financial: qi_proposal().financial,
        warrants: Vec::new(),
        source: None,
    };
    proposal.financial.amount = PositiveCents::new(100_000).unwrap();
    proposal
}

fn person_scores(applicant: Option<u32>, guarantor: Option<u32>) -> BTreeMap<Cpf, Option<u32>> {
    BTreeMap::from([(cpf(APPLICANT), applicant), (cpf(GUARANTOR), guarantor)])
}

fn decide_person(
    proposal: &NaturalPersonProposal,
    scores: &BTreeMap<Cpf, Option<u32>>,
) -> Decision {
    let policy = Policy::default_for(ProposalKind::NaturalPerson).unwrap();
    super::decide(&policy, &Proposal::NaturalPerson(proposal.clone()), scores)
}

#[test]
fn a_person_is_decided_by_their_own_score_and_income() {
    // One installment of R$ 250 on R$ 300 of income: over half of it.
    let decision = decide_person(&person_proposal(), &person_scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyReproved);
    assert_eq!(decision.reason, "installment_over_half_income");
    assert_eq!(
        decision.features[&Feature::InstallmentToIncome],
        Some(250.0 / 300.0)
    );
    assert_eq!(decision.policy_id, "aval-default-np");
    assert_eq!(decision.credit_limit_cents, 0);

    // R$ 3,000 of income: R$ 250 is 8 % of it, approved up to the amount asked.
    let mut affordable = person_proposal();
    affordable.applicant.monthly_income = Cents::new(300_000).unwrap();
    let decision = decide_person(&affordable, &person_scores(Some(800), Some(700)));
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyApproved);
    assert_eq!(decision.features[&Feature::ApplicantScore], Some(800.0));
    assert_eq!(decision.features[&Feature::MonthlyIncome], Some(300_000.0));
    assert_eq!(decision.credit_limit_cents, 100_000);
    // The person's own score is kept beside the guarantor's, for the analyst.
    let kept: Vec<(&str, Option<u32>)> = decision
        .partner_scores
        .iter()
        .map(|p| (p.document_number.as_str(), p.score))
        .collect();
    assert_eq!(
        kept,
        [("19920891592", Some(800)), ("67749884661", Some(700))]
    );
    // No company feature is read, nor could be.
    assert!(!decision.features.contains_key(&Feature::CompanyAgeMonths));

    // The applicant in the very-high-risk band is reproved whatever the income.
    let decision = decide_person(&affordable, &person_scores(Some(300), Some(700)));
    assert_eq!(decision.reason, "low_applicant_score");

    // No score for the applicant: a person looks at it.
    let decision = decide_person(&affordable, &person_scores(None, Some(700)));
    assert_eq!(decision.status, AnalysisStatus::InManualAnalysis);
    assert_eq!(decision.reason, "no_applicant_data");
    assert_eq!(decision.features[&Feature::ApplicantScored], Some(0.0));

    // An unknown guarantor sends it to a person too.
    let decision = decide_person(&affordable, &person_scores(Some(800), None));
    assert_eq!(decision.reason, "unknown_partner");
}

#[test]
fn a_persons_limit_is_a_multiple_of_income_plus_warrants() {
    let mut proposal = person_proposal();
    proposal.applicant.monthly_income = Cents::new(1_000_000).unwrap();
    proposal.financial.amount = PositiveCents::new(5_000_000).unwrap();
    proposal.financial.number_of_installments = Installments::new(48).unwrap();
    let decision = decide_person(&proposal, &person_scores(Some(800), Some(700)));
    // R$ 50,000 asked; 3 months of R$ 10,000 income is R$ 30,000.
    assert_eq!(decision.status, AnalysisStatus::AutomaticallyApproved);
    assert_eq!(decision.credit_limit_cents, 3_000_000);
    proposal.warrants = vec![warrant(3_000_000, 1_500_000)];
    let decision = decide_person(&proposal, &person_scores(Some(800), Some(700)));
    assert_eq!(decision.credit_limit_cents, 4_500_000);
}

#[test]
fn a_persons_protected_attributes_never_change_the_decision() {
    let baseline = decide_person(&person_proposal(), &person_scores(Some(600), Some(700)));
    let mut changed = person_proposal();
    changed.applicant.protected = ProtectedAttributes::default();
    changed.applicant.birthdate = NaiveDate::from_ymd_opt(1950, 6, 1);
    assert_eq!(
        decide_person(&changed, &person_scores(Some(600), Some(700))),
        baseline
    );
}

#[test]
fn a_persons_proposal_reads_back_exactly_and_a_minor_is_refused() {
    let received_at: chrono::DateTime<chrono::Utc> = "2021-04-01T12:00:00Z".parse().unwrap();
    let mut proposal = person_proposal();
    let json = serde_json::to_value(&proposal).unwrap();
    // QI's body: the applicant's fields at the top level.
    assert_eq!(json["document_number"], "19920891592");
    assert_eq!(json["birthdate"], "1990-01-01");
    assert_eq!(json["gender"], "female");
    let kind = ProposalKind::NaturalPerson;
    assert_eq!(
        Proposal::from_canonical_json(kind, &json, received_at).unwrap(),
        Proposal::NaturalPerson(proposal.clone())
    );
    proposal.credit_request_date = RequestDate::Receipt(received_at.fixed_offset());
    let undated = serde_json::to_value(&proposal).unwrap();
    assert_eq!(
        Proposal::from_canonical_json(kind, &undated, received_at).unwrap(),
        Proposal::NaturalPerson(proposal)
    );

    let mut minor = json.clone();
    minor["birthdate"] = "2005-01-01".into();
    let refused = Proposal::from_canonical_json(kind, &minor, received_at).unwrap_err();
    assert!(refused.to_string().contains("birthdate"), "{refused}");
    // A company's JSON is not a person's.
    let company = serde_json::to_value(qi_proposal()).unwrap();
    assert!(Proposal::from_canonical_json(kind, &company, received_at).is_err());
}
