//! The features: the only view of a proposal a policy ever gets.
//!
//! Lei 12.414/2011 art. 7-A forbids deciding credit on anything unrelated to credit risk (sex,
//! social or ethnic origin, health, beliefs…). Rather than trust each policy to look away,
//! policies never see the proposal: they see these named numbers, none of which is derived
//! from a protected attribute, and a policy that even names one is refused when loaded.

use super::proposal::{Currency, Proposal, ProposalKind};
use super::term::term;
use aval_credit::Cpf;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

term! {
    /// A number about the proposal that a policy may read. Flags are 0 or 1. Each applies to
    /// one kind of proposal or both ([`Feature::applies_to`]).
    pub enum Feature {
        /// The lowest known 0..1000 score among the partners (a company's shareholders and
        /// natural-person guarantors; a person's natural-person guarantors); missing when
        /// none is known.
        LowestPartnerScore => "lowest_partner_score",
        /// How many of those partners the platform has no score for.
        UnknownPartners => "unknown_partners",
        /// How many of them it has a score for.
        ScoredPartners => "scored_partners",
        /// Whole months from constitution to the credit request.
        CompanyAgeMonths => "company_age_months",
        /// Gross monthly revenue, in cents.
        MonthlyRevenue => "monthly_revenue",
        /// The amount asked over the monthly revenue; missing without revenue.
        Leverage => "leverage",
        NumberOfInstallments => "number_of_installments",
        /// What a forced sale of the warrants fetches over the amount asked.
        WarrantCoverage => "warrant_coverage",
        /// 1 when the amount is not in reais (revenue and income are), so leverage and
        /// commitment compare unlike units.
        ForeignCurrency => "foreign_currency",
        /// A person's own 0..1000 score; missing when the platform has none.
        ApplicantScore => "applicant_score",
        /// 1 when the platform has a score for the person, 0 when not (a condition on a
        /// missing `applicant_score` never holds: this is how a policy says what no data means).
        ApplicantScored => "applicant_scored",
        /// A person's declared monthly income, in cents.
        MonthlyIncome => "monthly_income",
        /// A person's declared assets, in cents.
        DeclaredAssets => "declared_assets",
        /// One installment (the amount over the number of installments, before interest)
        /// over the monthly income; missing without income.
        InstallmentToIncome => "installment_to_income",
    }
}

impl Feature {
    /// Whether proposals of `kind` have this feature: a policy for `kind` may read only
    /// these.
    pub fn applies_to(self, kind: ProposalKind) -> bool {
        match self {
            Self::LowestPartnerScore
            | Self::UnknownPartners
            | Self::ScoredPartners
            | Self::NumberOfInstallments
            | Self::WarrantCoverage
            | Self::ForeignCurrency => true,
            Self::CompanyAgeMonths | Self::MonthlyRevenue | Self::Leverage => {
                kind == ProposalKind::LegalPerson
            }
            Self::ApplicantScore
            | Self::ApplicantScored
            | Self::MonthlyIncome
            | Self::DeclaredAssets
            | Self::InstallmentToIncome => kind == ProposalKind::NaturalPerson,
        }
    }
}

/// Names no policy may reference (art. 7-A and LGPD's sensitive data), compared with each
/// dotted segment of a referenced name, so `shareholders.gender` is caught too. It lists the
/// proposal's protected attributes and the law's categories, whether or not a feature exists.
pub const PROTECTED_ATTRIBUTES: &[&str] = &[
    "gender",
    "sex",
    "sexual_orientation",
    "nationality",
    "mother_name",
    "father_name",
    "race",
    "color",
    "ethnicity",
    "ethnic_origin",
    "social_origin",
    "religion",
    "political_opinion",
    "philosophical_belief",
    "health",
    "disability",
    "genetic_data",
    "biometric_data",
];

/// Whether a feature name a policy references is a protected attribute.
pub fn is_protected(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|segment| PROTECTED_ATTRIBUTES.contains(&segment))
}

/// Every feature's value for one proposal; `None` is "no data" (never a made-up zero).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FeatureValues(BTreeMap<Feature, Option<f64>>);

impl FeatureValues {
    /// Computes every feature of the proposal's kind. `scores` maps a CPF (a partner's, a
    /// person's own) to its 0..1000 score (`None`: the platform has no data); a CPF missing
    /// from the map is unknown too.
    pub fn extract(proposal: &Proposal, scores: &BTreeMap<Cpf, Option<u32>>) -> Self {
        let score_of = |cpf: &Cpf| scores.get(cpf).copied().flatten().map(|s| s.min(1000));
        let partners: Vec<Option<u32>> =
            proposal.partner_documents().iter().map(score_of).collect();
        let known: Vec<u32> = partners.iter().flatten().copied().collect();
        let financial = proposal.financial();
        let amount = financial.amount.get() as f64;
        let income = proposal.monthly_income().get() as f64;
        let installments = f64::from(financial.number_of_installments.get());
        let value = |feature: Feature| match (feature, proposal) {
            (Feature::LowestPartnerScore, _) => known.iter().min().map(|s| f64::from(*s)),
            (Feature::UnknownPartners, _) => Some((partners.len() - known.len()) as f64),
            (Feature::ScoredPartners, _) => Some(known.len() as f64),
            (Feature::CompanyAgeMonths, Proposal::LegalPerson(p)) => Some(f64::from(whole_months(
                p.constitution_date,
                p.credit_request_date.at().date_naive(),
            ))),
            (Feature::MonthlyRevenue | Feature::MonthlyIncome, _) => Some(income),
            (Feature::Leverage, _) => (income > 0.0).then(|| amount / income),
            (Feature::NumberOfInstallments, _) => Some(installments),
            (Feature::WarrantCoverage, _) => Some(proposal.forced_selling_total() as f64 / amount),
            (Feature::ForeignCurrency, _) => Some(if financial.currency == Currency::Brl {
                0.0
            } else {
                1.0
            }),
            (Feature::ApplicantScore, Proposal::NaturalPerson(p)) => {
                score_of(&p.applicant.document).map(f64::from)
            }
            (Feature::ApplicantScored, Proposal::NaturalPerson(p)) => {
                Some(if score_of(&p.applicant.document).is_some() {
                    1.0
                } else {
                    0.0
                })
            }
            (Feature::DeclaredAssets, Proposal::NaturalPerson(p)) => {
                Some(p.applicant.declared_assets.get() as f64)
            }
            (Feature::InstallmentToIncome, _) => {
                (income > 0.0).then(|| amount / installments / income)
            }
            (Feature::CompanyAgeMonths, _)
            | (Feature::ApplicantScore | Feature::ApplicantScored | Feature::DeclaredAssets, _) => {
                None
            }
        };
        let kind = proposal.kind();
        Self(
            Feature::ALL
                .iter()
                .filter(|f| f.applies_to(kind))
                .map(|f| (*f, value(*f)))
                .collect(),
        )
    }

    /// The value of one feature; `None` when missing or not kept.
    pub fn get(&self, feature: Feature) -> Option<f64> {
        self.0.get(&feature).copied().flatten()
    }

    /// Only the given features: what a policy declared it reads, and nothing else.
    pub fn only(&self, features: &[Feature]) -> Self {
        Self(
            self.0
                .iter()
                .filter(|(f, _)| features.contains(f))
                .map(|(f, v)| (*f, *v))
                .collect(),
        )
    }

    /// Every kept feature and its value.
    pub fn as_map(&self) -> &BTreeMap<Feature, Option<f64>> {
        &self.0
    }
}

impl FromIterator<(Feature, Option<f64>)> for FeatureValues {
    fn from_iter<I: IntoIterator<Item = (Feature, Option<f64>)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// Whole months from `start` to `end` (a month counts once its day is reached), never
/// negative. Rounding down errs on the side of a younger, riskier company.
pub fn whole_months(start: NaiveDate, end: NaiveDate) -> u32 {
    let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
    let months = if end.day() < start.day() {
        months - 1
    } else {
        months
    };
    u32::try_from(months).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn months_count_once_the_day_is_reached() {
        assert_eq!(whole_months(date(2019, 11, 11), date(2021, 3, 31)), 16);
        assert_eq!(whole_months(date(2019, 11, 11), date(2019, 12, 10)), 0);
        assert_eq!(whole_months(date(2019, 11, 11), date(2019, 12, 11)), 1);
        assert_eq!(whole_months(date(2020, 1, 31), date(2020, 2, 29)), 0);
        assert_eq!(whole_months(date(2021, 1, 1), date(2020, 1, 1)), 0);
    }

    #[test]
    fn no_feature_is_a_protected_attribute() {
        for feature in Feature::ALL {
            assert!(!is_protected(feature.as_str()), "{feature}");
        }
        for name in [
            "gender",
            "GENDER",
            "shareholders.gender",
            "guarantors[0].mother_name",
        ] {
            assert!(is_protected(name), "{name}");
        }
        assert!(!is_protected("leverage"));
    }

    proptest! {
        #[test]
        fn months_grow_with_the_end_date(
            start in 0i64..40_000, gap in 0i64..20_000, more in 0i64..400,
        ) {
            let epoch = date(1900, 1, 1);
            let day = |n: i64| epoch + chrono::Duration::days(n);
            let (a, b, c) = (day(start), day(start + gap), day(start + gap + more));
            prop_assert!(whole_months(a, b) <= whole_months(a, c));
            prop_assert!(i64::from(whole_months(a, b)) <= gap / 28 + 1);
        }
    }
}
