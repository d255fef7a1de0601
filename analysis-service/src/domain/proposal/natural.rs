//! A natural person's (CPF) request for credit: QI Tech's "Natural Person" body, whose
//! applicant fields (name, CPF, birthdate, income…) sit at the top level beside the credit's.

use super::{
    AsOf, CreditType, Financial, Guarantor, Invalid, MAX_GUARANTORS, MAX_WARRANTS, NaturalPerson,
    ProposalId, RequestDate, Source, Text, Warrant,
    canonical::{at_most, checked, person_rules, read_stored},
};
use aval_credit::Cpf;
use aval_errors::{FieldPath, Violations};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use std::collections::BTreeSet;

/// The youngest a person may be to contract credit alone (Código Civil art. 5: full civil
/// capacity at 18).
pub const ADULT_AGE: u32 = 18;

/// A person's request for credit, valid in every field.
///
/// Serialized, it is QI's body in canonical form: the applicant's fields at the top level.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NaturalPersonProposal {
    /// The partner's id for this analysis, unique per partner: the idempotency key.
    pub id: ProposalId,
    pub registration_id: Option<Text>,
    /// When the person asked, in the partner's offset; the time of receipt when not given.
    pub credit_request_date: RequestDate,
    pub credit_type: CreditType,
    /// The person asking; their birthdate is required (see [`adult_by`]).
    #[serde(flatten)]
    pub applicant: NaturalPerson,
    pub guarantors: Vec<Guarantor>,
    pub financial: Financial,
    pub warrants: Vec<Warrant>,
    pub source: Option<Source>,
}

impl NaturalPersonProposal {
    /// The CPFs whose scores the policy weighs: the applicant's and each natural-person
    /// guarantor's, each once.
    pub fn scored_documents(&self) -> BTreeSet<Cpf> {
        std::iter::once(&self.applicant.document)
            .chain(self.guarantors.iter().filter_map(Guarantor::cpf))
            .cloned()
            .collect()
    }

    /// The guarantors' CPFs (the "partners" of a person's proposal), the applicant's left out.
    pub fn partner_documents(&self) -> BTreeSet<Cpf> {
        self.guarantors
            .iter()
            .filter_map(Guarantor::cpf)
            .filter(|cpf| **cpf != self.applicant.document)
            .cloned()
            .collect()
    }

    /// Reads a proposal back from its canonical JSON, checking every value again as when it
    /// was received, at `received_at` (see `LegalPersonProposal::from_canonical_json`).
    pub fn from_canonical_json(
        json: &serde_json::Value,
        received_at: DateTime<Utc>,
    ) -> Result<Self, serde_json::Error> {
        let stored: StoredNaturalPersonProposal = read_stored(json)?;
        let proposal = Self {
            id: stored.id,
            registration_id: stored.registration_id,
            credit_request_date: stored.credit_request_date.map_or(
                RequestDate::Receipt(received_at.fixed_offset()),
                RequestDate::Given,
            ),
            credit_type: stored.credit_type,
            applicant: stored.applicant,
            guarantors: stored.guarantors,
            financial: stored.financial,
            warrants: stored.warrants,
            source: stored.source,
        };
        let rules = proposal_rules(&proposal, AsOf::new(received_at));
        checked(rules, proposal)
    }
}

/// [`NaturalPersonProposal`] as its canonical JSON has it (`credit_request_date` `null` when
/// the partner gave none).
#[derive(serde::Deserialize)]
struct StoredNaturalPersonProposal {
    id: ProposalId,
    registration_id: Option<Text>,
    credit_request_date: Option<DateTime<FixedOffset>>,
    credit_type: CreditType,
    #[serde(flatten)]
    applicant: NaturalPerson,
    guarantors: Vec<Guarantor>,
    financial: Financial,
    warrants: Vec<Warrant>,
    source: Option<Source>,
}

/// What spans the proposal, checked again on a stored one: the request date, the
/// applicant's birthdate and age, list sizes.
fn proposal_rules(p: &NaturalPersonProposal, as_of: AsOf) -> Violations {
    let root = FieldPath::root();
    let mut v = Violations::default();
    if let RequestDate::Given(at) = p.credit_request_date {
        v.check(&root.key("credit_request_date"), as_of.past_instant(at));
    }
    person_rules(&mut v, &root, &p.applicant, as_of);
    v.check(
        &root.key("birthdate"),
        p.applicant
            .birthdate
            .ok_or(Invalid::Required)
            .and_then(|birthdate| adult_by(birthdate, p.credit_request_date.at())),
    );
    let guarantors = root.key("guarantors");
    at_most(&mut v, &guarantors, p.guarantors.len(), MAX_GUARANTORS);
    for (i, guarantor) in p.guarantors.iter().enumerate() {
        if let Guarantor::Natural(person) = guarantor {
            person_rules(&mut v, &guarantors.index(i), person, as_of);
        }
    }
    at_most(
        &mut v,
        &root.key("warrants"),
        p.warrants.len(),
        MAX_WARRANTS,
    );
    v
}

/// The applicant must have turned [`ADULT_AGE`] by the day they asked (in the partner's
/// offset): a minor cannot contract credit alone.
pub fn adult_by(birthdate: NaiveDate, request: DateTime<FixedOffset>) -> Result<(), Invalid> {
    if age_on(birthdate, request.date_naive()) >= ADULT_AGE {
        Ok(())
    } else {
        Err(Invalid::out_of_range(
            "the applicant must be 18 or older on credit_request_date",
        ))
    }
}

/// Whole years from `birthdate` to `day` (a birthday counts once its day is reached; one
/// born on 29 February turns a year older on 1 March in common years). Never negative.
pub fn age_on(birthdate: NaiveDate, day: NaiveDate) -> u32 {
    let years = day.year() - birthdate.year();
    let before_birthday = (day.month(), day.day()) < (birthdate.month(), birthdate.day());
    u32::try_from(if before_birthday { years - 1 } else { years }).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn at(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap_or_default()
    }

    #[test]
    fn age_counts_once_the_birthday_is_reached() {
        assert_eq!(age_on(date(1990, 1, 1), date(2021, 3, 31)), 31);
        assert_eq!(age_on(date(2008, 4, 1), date(2026, 3, 31)), 17);
        assert_eq!(age_on(date(2008, 4, 1), date(2026, 4, 1)), 18);
        assert_eq!(age_on(date(2008, 2, 29), date(2026, 2, 28)), 17);
        assert_eq!(age_on(date(2008, 2, 29), date(2026, 3, 1)), 18);
        assert_eq!(age_on(date(2030, 1, 1), date(2026, 1, 1)), 0);
    }

    #[test]
    fn a_minor_is_refused_on_the_day_they_asked_in_their_offset() {
        let birthdate = date(2008, 4, 1);
        assert!(adult_by(birthdate, at("2026-04-01T00:30:00-03:00")).is_ok());
        // 02:30 UTC on 1 April is still 31 March in Brasília.
        let refused = adult_by(birthdate, at("2026-03-31T23:30:00-03:00"));
        assert_eq!(
            refused.map_err(|e| e.code()),
            Err(aval_errors::FieldCode::OutOfRange)
        );
    }
}
