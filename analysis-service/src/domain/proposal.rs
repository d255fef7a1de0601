//! Credit proposals, of a company or of a person, made of types that can only hold valid
//! values.
//!
//! `api::proposal` builds it from protobuf; nothing here knows protobuf. Each field's rules
//! live with its type (`Cep::parse`, `Appraisal::new`…); the few rules that span a whole
//! proposal (list sizes, dates relative to the request) are the constants and functions below.

mod canonical;
mod contact;
mod dates;
mod financial;
mod invalid;
mod money;
mod natural;
mod person;
mod source;
mod text;
mod vocabulary;
mod warrant;

pub use contact::{Address, Cep, Country, Phone, PhoneDigits, PostalCode, State};
pub use dates::{AsOf, RequestDate, calendar_date, constituted_by, offset_instant};
pub use financial::Financial;
pub use invalid::Invalid;
pub use money::{Cents, Installments, MAX_CENTS, MAX_INSTALLMENTS, Percent, PositiveCents};
pub use natural::{NaturalPersonProposal, adult_by};
pub use person::{Guarantor, NaturalPerson, ProtectedAttributes};
pub use source::Source;
pub use text::{Email, MAX_ID_CHARS, MAX_TEXT_CHARS, ProposalId, Text};
pub use vocabulary::{
    Channel, ConstitutionType, CreditType, Currency, InterestType, PhoneType, Uf, WarrantType,
};
pub use warrant::{Appraisal, Warrant};

use super::term::term;
use aval_credit::{Cnpj, Cpf};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
use std::collections::{BTreeMap, BTreeSet};

/// Most shareholders one proposal may list.
pub const MAX_SHAREHOLDERS: usize = 50;
/// Most guarantors one proposal may list.
pub const MAX_GUARANTORS: usize = 50;
/// Most warrants one proposal may list.
pub const MAX_WARRANTS: usize = 50;
/// Most phones one company or person may list.
pub const MAX_PHONES: usize = 10;
/// Most SCR parameters one proposal may carry.
pub const MAX_SCR_PARAMETERS: usize = 50;
/// Longest SCR parameter name.
pub const MAX_SCR_KEY_CHARS: usize = 100;

term! {
    /// Whose credit a proposal asks for: a company's (CNPJ) or a person's (CPF). Each kind has
    /// its body, its features and its policy.
    pub enum ProposalKind {
        LegalPerson => "legal_person",
        NaturalPerson => "natural_person",
    }
}

/// A credit proposal of either kind. Serialized, it is the kind's own canonical JSON (no tag:
/// a company's serializes exactly as before persons existed, so its fingerprints hold).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Proposal {
    LegalPerson(LegalPersonProposal),
    NaturalPerson(NaturalPersonProposal),
}

impl Proposal {
    pub fn kind(&self) -> ProposalKind {
        match self {
            Self::LegalPerson(_) => ProposalKind::LegalPerson,
            Self::NaturalPerson(_) => ProposalKind::NaturalPerson,
        }
    }

    pub fn id(&self) -> &ProposalId {
        match self {
            Self::LegalPerson(p) => &p.id,
            Self::NaturalPerson(p) => &p.id,
        }
    }

    pub fn financial(&self) -> &Financial {
        match self {
            Self::LegalPerson(p) => &p.financial,
            Self::NaturalPerson(p) => &p.financial,
        }
    }

    pub fn warrants(&self) -> &[Warrant] {
        match self {
            Self::LegalPerson(p) => &p.warrants,
            Self::NaturalPerson(p) => &p.warrants,
        }
    }

    /// The monthly income the credit is weighed against: a company's revenue, a person's
    /// income (zero when the partner did not say).
    pub fn monthly_income(&self) -> Cents {
        match self {
            Self::LegalPerson(p) => p.monthly_revenue,
            Self::NaturalPerson(p) => p.applicant.monthly_income,
        }
    }

    /// Every CPF whose score the engine looks up before deciding: a company's partners, or
    /// a person and their guarantors.
    pub fn scored_documents(&self) -> BTreeSet<Cpf> {
        match self {
            Self::LegalPerson(p) => p.partner_documents(),
            Self::NaturalPerson(p) => p.scored_documents(),
        }
    }

    /// The partners whose scores the partner features weigh: a company's shareholders and
    /// natural-person guarantors, a person's natural-person guarantors.
    pub fn partner_documents(&self) -> BTreeSet<Cpf> {
        match self {
            Self::LegalPerson(p) => p.partner_documents(),
            Self::NaturalPerson(p) => p.partner_documents(),
        }
    }

    /// What a forced sale of every warrant would fetch, in cents.
    pub fn forced_selling_total(&self) -> i64 {
        // Each value is at most MAX_CENTS and there are at most MAX_WARRANTS: no overflow,
        // but saturate anyway rather than trust a caller-built proposal.
        self.warrants().iter().fold(0i64, |sum, w| {
            sum.saturating_add(w.appraisal.forced_selling_value().get())
        })
    }

    /// Reads a proposal of `kind` back from its canonical JSON, checking every value again as
    /// of `received_at` (see [`LegalPersonProposal::from_canonical_json`]).
    pub fn from_canonical_json(
        kind: ProposalKind,
        json: &serde_json::Value,
        received_at: DateTime<Utc>,
    ) -> Result<Self, serde_json::Error> {
        match kind {
            ProposalKind::LegalPerson => {
                LegalPersonProposal::from_canonical_json(json, received_at).map(Self::LegalPerson)
            }
            ProposalKind::NaturalPerson => {
                NaturalPersonProposal::from_canonical_json(json, received_at)
                    .map(Self::NaturalPerson)
            }
        }
    }
}

/// A legal person's (CNPJ) request for credit, valid in every field.
///
/// Serialized, it is the proposal as received in canonical form (documents as digits,
/// vocabulary in its canonical spelling, text trimmed, names as in QI Tech's body): what
/// analysis-service stores for audit and what a retry's fingerprint is compared on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LegalPersonProposal {
    /// The partner's id for this analysis, unique per partner: the idempotency key.
    pub id: ProposalId,
    /// The partner's id for the client, shared by analyses of the same client.
    pub registration_id: Option<Text>,
    /// When the company asked, in the partner's offset; the time of receipt when not given.
    pub credit_request_date: RequestDate,
    pub credit_type: CreditType,
    pub legal_name: Text,
    pub trading_name: Option<Text>,
    #[serde(rename = "document_number", serialize_with = "serialize_cnpj")]
    pub document: Cnpj,
    pub constitution_date: NaiveDate,
    pub constitution_type: Option<ConstitutionType>,
    pub email: Option<Email>,
    /// Gross monthly revenue; zero when the partner did not say.
    pub monthly_revenue: Cents,
    pub client_category: Option<Text>,
    pub client_since: Option<NaiveDate>,
    pub address: Option<Address>,
    pub phones: Vec<Phone>,
    pub shareholders: Vec<NaturalPerson>,
    pub guarantors: Vec<Guarantor>,
    pub financial: Financial,
    pub warrants: Vec<Warrant>,
    pub source: Option<Source>,
    /// Opaque parameters for querying the Central Bank's SCR, passed through as given.
    pub scr_parameters: BTreeMap<String, String>,
}

impl LegalPersonProposal {
    /// The CPFs whose credit scores the policy weighs: every shareholder and every
    /// natural-person guarantor, each once. The caller looks these up before deciding.
    pub fn partner_documents(&self) -> BTreeSet<Cpf> {
        let shareholders = self.shareholders.iter().map(|p| &p.document);
        let guarantors = self.guarantors.iter().filter_map(Guarantor::cpf);
        shareholders.chain(guarantors).cloned().collect()
    }
}

/// One SCR parameter: a name of 1 to [`MAX_SCR_KEY_CHARS`] visible ASCII characters and a
/// value of free text. The value may be empty (blank is a legitimate SCR answer).
pub fn scr_parameter(key: &str, value: &str) -> Result<(), Invalid> {
    if key.is_empty() {
        return Err(Invalid::Required);
    }
    if key.chars().count() > MAX_SCR_KEY_CHARS {
        return Err(Invalid::TooLong {
            max: MAX_SCR_KEY_CHARS,
        });
    }
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Invalid::Format("a name of visible ASCII characters"));
    }
    Text::optional(value).map(|_| ())
}

/// A CPF in storage: its 11 digits (its `Display` masks it, for logs).
fn serialize_cpf<S: Serializer>(cpf: &Cpf, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(cpf.digits())
}

/// A CNPJ in storage: its 14 canonical characters (its `Display` masks it, for logs).
fn serialize_cnpj<S: Serializer>(cnpj: &Cnpj, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(cnpj.canonical())
}

/// A CPF read back from storage, checked again (a stored row is not trusted more than a body).
fn deserialize_cpf<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Cpf, D::Error> {
    parsed(deserializer, |digits: String| {
        Cpf::parse(&digits).map_err(Invalid::Cpf)
    })
}

/// A CNPJ read back from storage, checked again.
fn deserialize_cnpj<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Cnpj, D::Error> {
    parsed(deserializer, |canonical: String| {
        Cnpj::parse(&canonical).map_err(Invalid::Cnpj)
    })
}

/// Reads an `I` and passes it through `parse`, the rule the value passed when received: every
/// type here deserializes through its constructor, never around it.
fn parsed<'de, D, I, T>(
    deserializer: D,
    parse: impl FnOnce(I) -> Result<T, Invalid>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    I: Deserialize<'de>,
{
    parse(I::deserialize(deserializer)?).map_err(D::Error::custom)
}
