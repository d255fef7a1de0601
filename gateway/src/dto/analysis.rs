//! The QI Tech-compatible legal-person proposal and analysis JSON.
//!
//! * [`parse_proposal`] reads the body of `POST /credit_analysis/legal_person` (the QI Tech
//!   CaaS "Legal Person" object) into a [`LegalPersonProposal`]. It is lenient about
//!   presence and strict about types: a missing (or `null`) field is absent in the proto
//!   (`optional`), so that the analysis service, which owns every rule of the proposal,
//!   reports it with the rest; a value of the wrong type (a string where cents are
//!   expected, an array where an object is expected) is refused here with its JSON path.
//!   Unknown fields are ignored.
//! * Dates are text in JSON and typed in the proto, so their format is the one thing about
//!   values this edge judges: a date that is not `YYYY-MM-DD`, or a date-time that is not
//!   RFC 3339, is a [`ReadProposal::format_violations`] entry at its JSON path (code
//!   `INVALID_DATE`) and left out of the proto. The route reports them together with what the
//!   service finds in the rest, in one answer. Whether a date is too old or in the future is
//!   the service's rule.
//! * [`AnalysisBody`] is the answer of the analysis routes: QI's `{id, analysis_status,
//!   reason}` plus Aval's score, probability of default, recommendation, credit limit and
//!   justification. The route handler adds the `meta` object.

use super::{
    days::{format_day, parse_day},
    names::enum_name,
};
use aval_errors::{FieldCode, FieldPath, FieldViolation};
use aval_proto::analysis::v1::{
    AnalysisStatus, CreditAnalysis, Financial, Guarantor, LegalPersonGuarantor,
    LegalPersonProposal, NaturalPerson, NaturalPersonProposal, Source, Warrant, guarantor::Person,
};
use aval_proto::common::v1::{Address, Date, Money, OffsetDateTime, Phone, Reason};
use aval_transport::time::{rfc3339, to_timestamp};
use chrono::{DateTime, Utc};
use serde::de::{self, Deserializer, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize};
use serde_path_to_error::Segment;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// The [`JsonError::field`] of an error about the body as a whole.
pub use crate::extract::BODY_FIELD;

/// Currency of a credit limit whose protobuf `Money` carries none.
const DEFAULT_CURRENCY: &str = "BRL";

/// Why a request body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// JSON path of the offending value, e.g. `financial.amount` or
    /// `shareholders[0].monthly_income`; [`BODY_FIELD`] when the body as a whole is at fault.
    pub field: String,
    /// What is wrong, for people, e.g. `invalid type: string "lots", expected an integer
    /// amount in cents`.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for JsonError {}

impl JsonError {
    fn from_path_error(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = json_path(error.path());
        let inner = error.into_inner();
        if !inner.is_data() {
            // Not JSON at all (syntax, truncated body): the path is only where the parser
            // stopped, the line and column say more.
            return Self::body(&inner);
        }
        // Well-formed JSON with a value of the wrong type: the path names the value, the
        // line and column would only be noise.
        let message = inner.to_string();
        let position = format!(" at line {} column {}", inner.line(), inner.column());
        let message = message
            .strip_suffix(&position)
            .map_or_else(|| message.clone(), str::to_owned);
        let field = if path.is_root() {
            BODY_FIELD.to_owned()
        } else {
            path.into()
        };
        Self { field, message }
    }

    fn body(error: &serde_json::Error) -> Self {
        Self {
            field: BODY_FIELD.to_owned(),
            message: error.to_string(),
        }
    }
}

/// The JSON path serde stopped at, e.g. `shareholders[0].address.postal_code`.
fn json_path(path: &serde_path_to_error::Path) -> FieldPath {
    let mut out = FieldPath::root();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_index(*index),
            Segment::Map { key: name } | Segment::Enum { variant: name } => out.push_key(name),
            Segment::Unknown => out.push_key("?"),
        }
    }
    out
}

/// What a proposal body says, as the proto carries it (`P`: a company's or a person's).
#[derive(Clone, Debug, PartialEq)]
pub struct ReadProposal<P = LegalPersonProposal> {
    pub proposal: P,
    /// Every date of the body not written as the contract says, at its JSON path; each such
    /// value is absent from `proposal`.
    pub format_violations: Vec<FieldViolation>,
}

/// Reads a QI Tech legal-person proposal body into its protobuf message.
///
/// Missing and `null` fields are absent; blank dates too (the service decides whether the
/// field is required). `scr_parameters` values are kept as strings (numbers as written,
/// booleans as `true`/`false`, anything else as its JSON text). A guarantor is a legal person
/// when it has a `legal_name` or a 14-character (CNPJ) `document_number`, a natural person
/// otherwise.
///
/// # Errors
///
/// [`JsonError`] with the path of the first value of the wrong type, or with field
/// [`BODY_FIELD`] when the body is not a single JSON object.
pub fn parse_proposal(body: &[u8]) -> Result<ReadProposal, JsonError> {
    parse_body(body, ProposalJson::into_proto)
}

/// Reads a QI Tech natural-person proposal body (the applicant's fields at its top level,
/// beside the credit's) into its protobuf message, as [`parse_proposal`] reads a company's.
///
/// # Errors
///
/// As [`parse_proposal`].
pub fn parse_natural_person_proposal(
    body: &[u8],
) -> Result<ReadProposal<NaturalPersonProposal>, JsonError> {
    parse_body(body, NaturalPersonProposalJson::into_proto)
}

/// Whether a body is a person's proposal: its `document_number` is a CPF (11 digits once its
/// punctuation is gone), not a CNPJ. A body without one is read as a company's.
pub fn is_natural_person_body(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Document {
        document_number: Option<serde_json::Value>,
    }
    serde_json::from_slice::<Document>(body)
        .ok()
        .and_then(|d| d.document_number)
        .and_then(|n| n.as_str().map(is_cpf_shaped))
        .unwrap_or(false)
}

fn parse_body<J: de::DeserializeOwned, P>(
    body: &[u8],
    into_proto: impl FnOnce(J, &mut Dates) -> P,
) -> Result<ReadProposal<P>, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let Object(json): Object<J> =
        serde_path_to_error::deserialize(&mut deserializer).map_err(JsonError::from_path_error)?;
    deserializer.end().map_err(|e| JsonError::body(&e))?;
    let mut dates = Dates::default();
    let proposal = into_proto(json, &mut dates);
    Ok(ReadProposal {
        proposal,
        format_violations: dates.violations,
    })
}

// ---------------------------------------------------------------------------------------------
// Request: serde mirror of the QI JSON
// ---------------------------------------------------------------------------------------------

/// A JSON object deserialized into `T`. Serde's derived structs would also accept an array
/// of their fields in order; a partner's body never means that, so it is refused.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        deserializer
            .deserialize_map(ObjectVisitor(PhantomData))
            .map(Object)
    }
}

/// An amount of money in integer cents (`50000000` is R$ 500.000,00).
#[derive(Clone, Copy)]
struct Cents(i64);

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CentsVisitor;

        impl Visitor<'_> for CentsVisitor {
            type Value = i64;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer amount in cents")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
                Ok(v)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
        }

        deserializer.deserialize_i64(CentsVisitor).map(Cents)
    }
}

/// A whole count that fits an `int32` (number of installments).
#[derive(Clone, Copy)]
struct Count(i32);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;

        impl Visitor<'_> for CountVisitor {
            type Value = i32;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
                i32::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
                i32::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
            }
        }

        deserializer.deserialize_i32(CountVisitor).map(Count)
    }
}

/// Any JSON number (rates and percentages: `2.32`, `100`).
#[derive(Clone, Copy)]
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;

        impl Visitor<'_> for NumberVisitor {
            type Value = f64;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
        }

        deserializer.deserialize_f64(NumberVisitor).map(Number)
    }
}

/// The QI "Legal Person" object, field for field.
#[derive(Deserialize)]
struct ProposalJson {
    id: Option<String>,
    registration_id: Option<String>,
    credit_request_date: Option<String>,
    credit_type: Option<String>,
    legal_name: Option<String>,
    trading_name: Option<String>,
    document_number: Option<String>,
    constitution_date: Option<String>,
    constitution_type: Option<String>,
    email: Option<String>,
    monthly_revenue: Option<Cents>,
    client_category: Option<String>,
    client_since: Option<String>,
    address: Option<Object<AddressJson>>,
    phones: Option<Vec<Object<PhoneJson>>>,
    shareholders: Option<Vec<Object<PersonJson>>>,
    guarantors: Option<Vec<Object<PersonJson>>>,
    financial: Option<Object<FinancialJson>>,
    warrants: Option<Vec<Object<WarrantJson>>>,
    source: Option<Object<SourceJson>>,
    scr_parameters: Option<BTreeMap<String, serde_json::Value>>,
}

/// QI's "Natural Person" object, field for field: the applicant's own fields (those of
/// [`PersonJson`]) at the top level, beside the credit's.
#[derive(Deserialize)]
struct NaturalPersonProposalJson {
    id: Option<String>,
    registration_id: Option<String>,
    credit_request_date: Option<String>,
    credit_type: Option<String>,
    name: Option<String>,
    document_number: Option<String>,
    birthdate: Option<String>,
    email: Option<String>,
    nationality: Option<String>,
    mother_name: Option<String>,
    father_name: Option<String>,
    monthly_income: Option<Cents>,
    declared_assets: Option<Cents>,
    occupation: Option<String>,
    gender: Option<String>,
    address: Option<Object<AddressJson>>,
    phones: Option<Vec<Object<PhoneJson>>>,
    guarantors: Option<Vec<Object<PersonJson>>>,
    financial: Option<Object<FinancialJson>>,
    warrants: Option<Vec<Object<WarrantJson>>>,
    source: Option<Object<SourceJson>>,
}

/// QI's Address.
#[derive(Deserialize)]
struct AddressJson {
    country: Option<String>,
    street: Option<String>,
    number: Option<String>,
    complement: Option<String>,
    neighborhood: Option<String>,
    city: Option<String>,
    uf: Option<String>,
    postal_code: Option<String>,
}

/// QI's Phone.
#[derive(Deserialize)]
struct PhoneJson {
    international_dial_code: Option<String>,
    area_code: Option<String>,
    number: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// QI's NaturalPerson, plus the `legal_name` that marks a legal-person guarantor (QI's
/// guarantors are flat "Person" objects, either kind). Ignored on shareholders, like any
/// other field a natural person does not have.
#[derive(Deserialize)]
struct PersonJson {
    name: Option<String>,
    document_number: Option<String>,
    birthdate: Option<String>,
    email: Option<String>,
    nationality: Option<String>,
    mother_name: Option<String>,
    father_name: Option<String>,
    monthly_income: Option<Cents>,
    declared_assets: Option<Cents>,
    occupation: Option<String>,
    gender: Option<String>,
    address: Option<Object<AddressJson>>,
    phones: Option<Vec<Object<PhoneJson>>>,
    legal_name: Option<String>,
}

/// QI's `financial` object.
#[derive(Deserialize)]
struct FinancialJson {
    amount: Option<Cents>,
    currency: Option<String>,
    interest_type: Option<String>,
    annual_interest_rate: Option<Number>,
    cdi_percentage: Option<Number>,
    number_of_installments: Option<Count>,
}

/// QI's Warrant (real guarantee).
#[derive(Deserialize)]
struct WarrantJson {
    warrant_type: Option<String>,
    address: Option<Object<AddressJson>>,
    property_type: Option<String>,
    estimated_value: Option<Cents>,
    forced_selling_value: Option<Cents>,
}

/// QI's Source (sales channel).
#[derive(Deserialize)]
struct SourceJson {
    channel: Option<String>,
    ip: Option<String>,
    session_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Request: mapping to protobuf
// ---------------------------------------------------------------------------------------------

/// The dates of a body, read into the proto's types; what cannot be read is recorded.
#[derive(Default)]
struct Dates {
    violations: Vec<FieldViolation>,
}

impl Dates {
    /// Message for a date that is not `YYYY-MM-DD`.
    const DATE: &str = "must be a date as YYYY-MM-DD";
    /// Message for a date-time that is not RFC 3339.
    const DATE_TIME: &str = "must be a date-time in RFC 3339, such as 2021-03-31T10:30:00-03:00";

    /// A `YYYY-MM-DD` day; absent when missing or blank, or (recorded) when unreadable.
    fn date(&mut self, path: FieldPath, input: Option<String>) -> Option<Date> {
        self.read(path, input, parse_day, Self::DATE)
    }

    /// An RFC 3339 date-time with its offset; absent when missing or blank, or (recorded) when
    /// unreadable.
    fn date_time(&mut self, path: FieldPath, input: Option<String>) -> Option<OffsetDateTime> {
        self.read(path, input, parse_date_time, Self::DATE_TIME)
    }

    fn read<T>(
        &mut self,
        path: FieldPath,
        input: Option<String>,
        parse: impl FnOnce(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        let input = input?;
        let input = input.trim();
        if input.is_empty() {
            return None;
        }
        let value = parse(input);
        if value.is_none() {
            self.violations
                .push(FieldViolation::at(&path, FieldCode::InvalidDate, message));
        }
        value
    }
}

/// An RFC 3339 date-time, with the offset it was written in.
fn parse_date_time(input: &str) -> Option<OffsetDateTime> {
    let at = DateTime::parse_from_rfc3339(input).ok()?;
    Some(OffsetDateTime {
        instant: Some(to_timestamp(at.with_timezone(&Utc))),
        utc_offset_seconds: at.offset().local_minus_utc(),
    })
}

fn messages<J, P: From<J>>(items: Option<Vec<Object<J>>>) -> Vec<P> {
    items
        .unwrap_or_default()
        .into_iter()
        .map(|Object(item)| P::from(item))
        .collect()
}

fn message<J, P: From<J>>(item: Option<Object<J>>) -> Option<P> {
    item.map(|Object(item)| P::from(item))
}

/// People of a list (`shareholders`, `guarantors`), each read at `path[i]`.
fn people<P>(
    items: Option<Vec<Object<PersonJson>>>,
    path: &FieldPath,
    dates: &mut Dates,
    read: impl Fn(PersonJson, FieldPath, &mut Dates) -> P,
) -> Vec<P> {
    items
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, Object(item))| read(item, path.index(i), dates))
        .collect()
}

/// An `scr_parameters` value as a string: strings as they are, numbers as written (`1`,
/// `2.5`), booleans as `true`/`false`, anything else (`null`, objects, arrays) as its JSON.
fn scr_value(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A CNPJ has 14 characters once its punctuation is gone (a CPF has 11).
fn is_cnpj_shaped(document: &str) -> bool {
    unpunctuated_len(document) == 14
}

/// A CPF has 11 digits once its punctuation is gone.
fn is_cpf_shaped(document: &str) -> bool {
    unpunctuated_len(document) == 11
}

fn unpunctuated_len(document: &str) -> usize {
    document
        .chars()
        .filter(|c| !matches!(c, '.' | '/' | '-' | ' '))
        .count()
}

impl NaturalPersonProposalJson {
    fn into_proto(self, dates: &mut Dates) -> NaturalPersonProposal {
        let root = FieldPath::root();
        let applicant = PersonJson {
            name: self.name,
            document_number: self.document_number,
            birthdate: self.birthdate,
            email: self.email,
            nationality: self.nationality,
            mother_name: self.mother_name,
            father_name: self.father_name,
            monthly_income: self.monthly_income,
            declared_assets: self.declared_assets,
            occupation: self.occupation,
            gender: self.gender,
            address: self.address,
            phones: self.phones,
            legal_name: None,
        };
        NaturalPersonProposal {
            id: self.id,
            registration_id: self.registration_id,
            credit_request_date: dates
                .date_time(root.key("credit_request_date"), self.credit_request_date),
            credit_type: self.credit_type,
            applicant: Some(applicant.into_natural_person(root.clone(), dates)),
            guarantors: people(
                self.guarantors,
                &root.key("guarantors"),
                dates,
                PersonJson::into_guarantor,
            ),
            financial: message(self.financial),
            warrants: messages(self.warrants),
            source: message(self.source),
        }
    }
}

impl ProposalJson {
    fn into_proto(self, dates: &mut Dates) -> LegalPersonProposal {
        let root = FieldPath::root();
        LegalPersonProposal {
            id: self.id,
            registration_id: self.registration_id,
            credit_request_date: dates
                .date_time(root.key("credit_request_date"), self.credit_request_date),
            credit_type: self.credit_type,
            legal_name: self.legal_name,
            trading_name: self.trading_name,
            document_number: self.document_number,
            constitution_date: dates.date(root.key("constitution_date"), self.constitution_date),
            constitution_type: self.constitution_type,
            email: self.email,
            monthly_revenue: self.monthly_revenue.map(|c| c.0),
            client_category: self.client_category,
            client_since: dates.date(root.key("client_since"), self.client_since),
            address: message(self.address),
            phones: messages(self.phones),
            shareholders: people(
                self.shareholders,
                &root.key("shareholders"),
                dates,
                PersonJson::into_natural_person,
            ),
            guarantors: people(
                self.guarantors,
                &root.key("guarantors"),
                dates,
                PersonJson::into_guarantor,
            ),
            financial: message(self.financial),
            warrants: messages(self.warrants),
            source: message(self.source),
            scr_parameters: self
                .scr_parameters
                .unwrap_or_default()
                .into_iter()
                .map(|(key, value)| (key, scr_value(value)))
                .collect(),
        }
    }
}

impl From<AddressJson> for Address {
    fn from(json: AddressJson) -> Self {
        Self {
            country: json.country,
            street: json.street,
            number: json.number,
            complement: json.complement,
            neighborhood: json.neighborhood,
            city: json.city,
            uf: json.uf,
            postal_code: json.postal_code,
        }
    }
}

impl From<PhoneJson> for Phone {
    fn from(json: PhoneJson) -> Self {
        Self {
            international_dial_code: json.international_dial_code,
            area_code: json.area_code,
            number: json.number,
            r#type: json.kind,
        }
    }
}

impl PersonJson {
    /// A shareholder, or a natural-person guarantor, at `path`.
    fn into_natural_person(self, path: FieldPath, dates: &mut Dates) -> NaturalPerson {
        NaturalPerson {
            birthdate: dates.date(path.key("birthdate"), self.birthdate),
            name: self.name,
            document_number: self.document_number,
            email: self.email,
            nationality: self.nationality,
            mother_name: self.mother_name,
            father_name: self.father_name,
            monthly_income: self.monthly_income.map(|c| c.0),
            declared_assets: self.declared_assets.map(|c| c.0),
            occupation: self.occupation,
            gender: self.gender,
            address: message(self.address),
            phones: messages(self.phones),
        }
    }

    /// A guarantor at `path`: QI's guarantors are flat "Person" objects, either kind.
    fn into_guarantor(self, path: FieldPath, dates: &mut Dates) -> Guarantor {
        let has_legal_name = self
            .legal_name
            .as_deref()
            .is_some_and(|name| !name.trim().is_empty());
        let person =
            if has_legal_name || self.document_number.as_deref().is_some_and(is_cnpj_shaped) {
                Person::LegalPerson(LegalPersonGuarantor {
                    legal_name: self.legal_name,
                    document_number: self.document_number,
                })
            } else {
                Person::NaturalPerson(self.into_natural_person(path, dates))
            };
        Guarantor {
            person: Some(person),
        }
    }
}

impl From<FinancialJson> for Financial {
    fn from(json: FinancialJson) -> Self {
        Self {
            amount: json.amount.map(|c| c.0),
            currency: json.currency,
            interest_type: json.interest_type,
            annual_interest_rate: json.annual_interest_rate.map(|n| n.0),
            cdi_percentage: json.cdi_percentage.map(|n| n.0),
            number_of_installments: json.number_of_installments.map(|c| c.0),
        }
    }
}

impl From<WarrantJson> for Warrant {
    fn from(json: WarrantJson) -> Self {
        Self {
            warrant_type: json.warrant_type,
            address: message(json.address),
            property_type: json.property_type,
            estimated_value: json.estimated_value.map(|c| c.0),
            forced_selling_value: json.forced_selling_value.map(|c| c.0),
        }
    }
}

impl From<SourceJson> for Source {
    fn from(json: SourceJson) -> Self {
        Self {
            channel: json.channel,
            ip: json.ip,
            session_id: json.session_id,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Response
// ---------------------------------------------------------------------------------------------

/// The answer of the analysis routes: QI Tech's `{"id", "analysis_status", "reason"}`
/// followed by Aval's own fields. `credit_limit`, `created_at` and `updated_at` are left out
/// when the analysis has none. A company's analysis carries `company_score`, a person's
/// `score`. A proposal not decided yet (`waiting_for_data`, `pending`) has neither score nor
/// `probability_of_default`: its `reason` says why it waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisBody {
    /// The proposal's id, as the partner sent it.
    pub id: String,
    /// QI's status name (`automatically_approved`, …): the proto name, see
    /// [`enum_name`]. A status the service never set, or one this gateway does not know yet,
    /// is `unspecified`: not QI's `pending`, which promises a decision is coming.
    pub analysis_status: String,
    /// The code of the rule that decided, QI's `reason`.
    pub reason: String,
    /// `legal_person` or `natural_person`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// A company's score (a legal-person analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_score: Option<i32>,
    /// A person's score (a natural-person analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i32>,
    /// Estimated probability of default, 0 to 1 (absent until decided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability_of_default: Option<f64>,
    /// `approve`, `refuse`, `request_guarantees`, or `unspecified` when the service gave
    /// none (as before a decision); see [`enum_name`].
    pub recommendation: String,
    /// The credit Aval would grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<MoneyBody>,
    /// The reasons behind the decision, most important first as the service ranked them.
    pub justification: Vec<ReasonBody>,
    /// When the analysis was created, RFC 3339 in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the analysis last changed, RFC 3339 in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// An analyst's resolution, once there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewBody>,
    /// What the lender last reported of the credit (`created`, `disbursed`, `paid`,
    /// `defaulted`), QI's `credit_proposal_status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_proposal_status: Option<String>,
    /// The day of that report, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_date: Option<String>,
}

/// An analyst's resolution of an analysis in manual analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewBody {
    /// `approve`, `reprove` or `challenge`.
    pub action: String,
    pub analyst_id: String,
    pub note: String,
    /// RFC 3339 in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    /// What a challenge asks the borrower for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
}

/// An amount of money: `{"amount": 5000000, "currency": "BRL"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyBody {
    /// Integer cents.
    pub amount: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// One reason behind a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonBody {
    /// Stable machine-readable code.
    pub code: String,
    /// Text for people.
    pub description: String,
    /// Weight of this reason in the decision; larger is more important.
    pub impact: f64,
}

/// The `kind` of a person's analysis.
pub const NATURAL_PERSON: &str = "natural_person";

/// Prefix of the proto names of `AnalysisStatus` values.
const STATUS_PREFIX: &str = "ANALYSIS_STATUS_";

/// QI's name of a status (`in_manual_analysis`); see [`enum_name`].
pub fn status_name(status: aval_proto::analysis::v1::AnalysisStatus) -> String {
    enum_name(status.as_str_name(), STATUS_PREFIX)
}
/// Prefix of the proto names of `Recommendation` values.
const RECOMMENDATION_PREFIX: &str = "RECOMMENDATION_";

impl From<Money> for MoneyBody {
    fn from(money: Money) -> Self {
        Self {
            amount: money.cents,
            currency: if money.currency.is_empty() {
                DEFAULT_CURRENCY.to_owned()
            } else {
                money.currency
            },
        }
    }
}

impl From<Reason> for ReasonBody {
    fn from(reason: Reason) -> Self {
        Self {
            code: reason.code,
            description: reason.description,
            impact: reason.impact,
        }
    }
}

impl From<CreditAnalysis> for AnalysisBody {
    fn from(analysis: CreditAnalysis) -> Self {
        let decided = !matches!(
            analysis.analysis_status(),
            AnalysisStatus::WaitingForData | AnalysisStatus::Pending
        );
        let score = decided.then_some(analysis.score);
        Self {
            analysis_status: status_name(analysis.analysis_status()),
            recommendation: enum_name(
                analysis.recommendation().as_str_name(),
                RECOMMENDATION_PREFIX,
            ),
            created_at: analysis.created_at.as_ref().and_then(rfc3339),
            updated_at: analysis.updated_at.as_ref().and_then(rfc3339),
            id: analysis.id,
            reason: analysis.reason,
            company_score: score.filter(|_| analysis.kind != NATURAL_PERSON),
            score: score.filter(|_| analysis.kind == NATURAL_PERSON),
            kind: analysis.kind,
            probability_of_default: decided.then_some(analysis.probability_of_default),
            credit_limit: analysis.credit_limit.map(MoneyBody::from),
            justification: analysis
                .justification
                .into_iter()
                .map(ReasonBody::from)
                .collect(),
            review: analysis.review.map(|r| ReviewBody {
                resolved_at: r.resolved_at.as_ref().and_then(rfc3339),
                action: r.action,
                analyst_id: r.analyst_id,
                note: r.note,
                challenge: r.challenge,
            }),
            credit_proposal_status: analysis.credit_proposal_status,
            event_date: analysis.credit_event_date.as_ref().map(format_day),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use aval_proto::analysis::v1::{AnalysisStatus, Recommendation};
    use serde_json::json;

    /// The QI Tech example body, verbatim but for `scr_parameters`, which the seed elides.
    const QI_EXAMPLE: &str = r#"{
"id": "12345678",
"credit_request_date": "2021-03-31T10:30:00-03:00",
"credit_type": "student_loan",
"legal_name": "QI Tech Tecnologia LTDA",
"trading_name": "QI Tech",
"document_number": "35.472.523/0001-15",
"constitution_date": "2019-11-11",
"constitution_type": "llc",
"email": "suporte.caas@qitech.com.br",
"monthly_revenue": 50000000,
"client_category": "Premium User",
"client_since": "2021-02-11",
"address": {
"country": "BRA",
"street": "Av. Brigadeiro Faria Lima",
"number": "2391",
"neighborhood": "Jardim Paulistano",
"city": "São Paulo",
"uf": "SP",
"postal_code": "01452-905"
},
"phones": [
{
"international_dial_code": "55",
"area_code": "11",
"number": "32234611",
"type": "residential"
}
],
"shareholders": [
{
"name": "Anna Pinto Azevedo",
"document_number": "261.026.462-31",
"birthdate": "1972-08-22",
"email": "annapintoazevedo@sample.com",
"nationality": "BRA",
"mother_name": "Beatrice Rodrigues Pinto",
"father_name": "Luís Azevedo",
"monthly_income": 800000,
"declared_assets": 18600000,
"occupation": "law",
"gender": "female",
"address": {
"country": "BRA",
"street": "Rua Derviche Djouki",
"number": "598",
"complement": "Ap 857",
"neighborhood": "Chora Menino",
"city": "São Paulo",
"uf": "SP",
"postal_code": "02463-080"
},
"phones": [
{
"international_dial_code": "55",
"area_code": "11",
"number": "55988644",
"type": "mobile"
}
]
}
],
"guarantors": [
{
"name": "Melissa Lima Melo",
"document_number": "677.498.846-61",
"birthdate": "1960-11-21",
"email": "exemplo2@sample.com",
"nationality": "BRA",
"mother_name": "Raíssa Lima",
"father_name": "Ronaldo Melo",
"monthly_income": 800000,
"declared_assets": 18600000,
"occupation": "law",
"gender": "female",
"address": {
"country": "BRA",
"street": "Rua Castro Alves",
"number": "100",
"complement": "Ap 202",
"neighborhood": "Parque Estrela Dalva I",
"city": "Luziânia",
"uf": "GO",
"postal_code": "72804-050"
},
"phones": [
{
"international_dial_code": "55",
"area_code": "11",
"number": "21158745",
"type": "residential"
}
]
}
],
"financial": {
"amount": 100000,
"currency": "BRL",
"interest_type": "cdi_plus",
"annual_interest_rate": 2.32,
"cdi_percentage": 100,
"number_of_installments": 4
},
"warrants": [
{
"warrant_type": "real_estate",
"address": {
"country": "BRA",
"street": "Rua Curitiba",
"number": "150",
"complement": "Bl 3 apt 122",
"neighborhood": "Paraíso",
"city": "São Paulo",
"uf": "SP",
"postal_code": "04005-030"
},
"property_type": "house",
"estimated_value": 100000000,
"forced_selling_value": 60000000
}
],
"source": {
"channel": "website",
"ip": "132.23.161.75",
"session_id": "2bb684f9-6c00-4993-bcd7-18b9eccd7c9d"
},
"scr_parameters" : {}
}"#;

    /// The proposal of a body whose dates are all readable.
    fn parse(body: &serde_json::Value) -> Result<LegalPersonProposal, JsonError> {
        let read = parse_proposal(body.to_string().as_bytes())?;
        assert_eq!(read.format_violations, []);
        Ok(read.proposal)
    }

    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn error(body: &serde_json::Value) -> JsonError {
        parse(body).expect_err("the body must be refused")
    }

    fn natural(guarantor: &Guarantor) -> &NaturalPerson {
        match &guarantor.person {
            Some(Person::NaturalPerson(person)) => person,
            other => panic!("expected a natural person, got {other:?}"),
        }
    }

    fn legal(guarantor: &Guarantor) -> &LegalPersonGuarantor {
        match &guarantor.person {
            Some(Person::LegalPerson(person)) => person,
            other => panic!("expected a legal person, got {other:?}"),
        }
    }

    #[test]
    fn the_qi_example_parses_into_the_right_fields() {
        let read = parse_proposal(QI_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(read.format_violations, []);
        let p = read.proposal;
        assert_eq!(p.id, s("12345678"));
        assert_eq!(p.registration_id, None);
        assert_eq!(
            p.credit_request_date,
            Some(OffsetDateTime {
                instant: Some(prost_types::Timestamp {
                    seconds: 1_617_197_400,
                    nanos: 0,
                }),
                utc_offset_seconds: -3 * 3600,
            })
        );
        assert_eq!(p.credit_type, s("student_loan"));
        assert_eq!(p.legal_name, s("QI Tech Tecnologia LTDA"));
        assert_eq!(p.trading_name, s("QI Tech"));
        assert_eq!(p.document_number, s("35.472.523/0001-15"));
        assert_eq!(
            p.constitution_date,
            Some(Date {
                year: 2019,
                month: 11,
                day: 11
            })
        );
        assert_eq!(p.constitution_type, s("llc"));
        assert_eq!(p.monthly_revenue, Some(50_000_000));
        assert_eq!(
            p.client_since,
            Some(Date {
                year: 2021,
                month: 2,
                day: 11
            })
        );

        let address = p.address.as_ref().unwrap();
        assert_eq!(address.city, s("São Paulo"));
        assert_eq!(address.postal_code, s("01452-905"));
        assert_eq!(address.complement, None);
        assert_eq!(p.phones.len(), 1);
        assert_eq!(p.phones[0].r#type, s("residential"));
        assert_eq!(p.phones[0].number, s("32234611"));

        assert_eq!(p.shareholders.len(), 1);
        let anna = &p.shareholders[0];
        assert_eq!(anna.document_number, s("261.026.462-31"));
        assert_eq!(
            anna.birthdate,
            Some(Date {
                year: 1972,
                month: 8,
                day: 22
            })
        );
        assert_eq!(anna.father_name, s("Luís Azevedo"));
        assert_eq!(anna.monthly_income, Some(800_000));
        assert_eq!(anna.declared_assets, Some(18_600_000));
        assert_eq!(anna.address.as_ref().unwrap().complement, s("Ap 857"));
        assert_eq!(anna.phones[0].r#type, s("mobile"));

        assert_eq!(p.guarantors.len(), 1);
        let melissa = natural(&p.guarantors[0]);
        assert_eq!(melissa.document_number, s("677.498.846-61"));
        assert_eq!(melissa.name, s("Melissa Lima Melo"));
        assert_eq!(melissa.address.as_ref().unwrap().city, s("Luziânia"));

        let financial = p.financial.as_ref().unwrap();
        assert_eq!(financial.amount, Some(100_000));
        assert_eq!(financial.currency, s("BRL"));
        assert_eq!(financial.interest_type, s("cdi_plus"));
        assert_eq!(financial.annual_interest_rate, Some(2.32));
        assert_eq!(financial.cdi_percentage, Some(100.0));
        assert_eq!(financial.number_of_installments, Some(4));

        assert_eq!(p.warrants.len(), 1);
        assert_eq!(p.warrants[0].warrant_type, s("real_estate"));
        assert_eq!(p.warrants[0].estimated_value, Some(100_000_000));
        assert_eq!(p.warrants[0].forced_selling_value, Some(60_000_000));
        assert_eq!(
            p.warrants[0].address.as_ref().unwrap().postal_code,
            s("04005-030")
        );

        let source = p.source.as_ref().unwrap();
        assert_eq!(source.channel, s("website"));
        assert_eq!(source.ip, s("132.23.161.75"));
        assert!(p.scr_parameters.is_empty());
    }

    #[test]
    fn unreadable_dates_are_all_named_and_left_out() {
        let read = parse_proposal(
            json!({
                "credit_request_date": "2021-03-31",
                "constitution_date": "2019-02-30",
                "client_since": "11/02/2021",
                "shareholders": [{"birthdate": "1972-8-22"}],
                "guarantors": [{}, {"name": "Melissa", "birthdate": "1960-11-21T00:00:00"}],
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let found: Vec<(&str, FieldCode, &str)> = read
            .format_violations
            .iter()
            .map(|v| (v.field.as_str(), v.code, v.message.as_str()))
            .collect();
        let date = "must be a date as YYYY-MM-DD";
        assert_eq!(
            found,
            [
                (
                    "credit_request_date",
                    FieldCode::InvalidDate,
                    "must be a date-time in RFC 3339, such as 2021-03-31T10:30:00-03:00"
                ),
                ("constitution_date", FieldCode::InvalidDate, date),
                ("client_since", FieldCode::InvalidDate, date),
                ("shareholders[0].birthdate", FieldCode::InvalidDate, date),
                ("guarantors[1].birthdate", FieldCode::InvalidDate, date),
            ]
        );
        let p = read.proposal;
        assert_eq!(p.credit_request_date, None);
        assert_eq!(p.constitution_date, None);
        assert_eq!(p.client_since, None);
        assert_eq!(p.shareholders[0].birthdate, None);
        assert_eq!(natural(&p.guarantors[1]).name, s("Melissa"));
    }

    #[test]
    fn dates_keep_their_offset_and_blank_is_absent() {
        let p = parse(&json!({
            "credit_request_date": " 2021-03-31T13:30:00Z ",
            "constitution_date": "",
            "client_since": "1799-12-31",
        }))
        .unwrap();
        let at = p.credit_request_date.unwrap();
        assert_eq!(at.utc_offset_seconds, 0);
        assert_eq!(at.instant.map(|t| t.seconds), Some(1_617_197_400));
        assert_eq!(p.constitution_date, None);
        // Too old is the service's rule; the format is fine.
        assert_eq!(
            p.client_since,
            Some(Date {
                year: 1799,
                month: 12,
                day: 31
            })
        );
        let p = parse(&json!({"credit_request_date": "2021-03-31T10:30:00.250+05:30"})).unwrap();
        let at = p.credit_request_date.unwrap();
        assert_eq!(at.utc_offset_seconds, 5 * 3600 + 1800);
        assert_eq!(at.instant.map(|t| t.nanos), Some(250_000_000));
    }

    #[test]
    fn a_type_error_reports_its_json_path() {
        let e = error(&json!({"financial": {"amount": "lots"}}));
        assert_eq!(e.field, "financial.amount");
        assert!(e.message.contains("lots"), "{}", e.message);
        assert!(
            e.message.contains("integer amount in cents"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("line"), "{}", e.message);

        let e = error(&json!({"shareholders": [{"monthly_income": "8000"}]}));
        assert_eq!(e.field, "shareholders[0].monthly_income");

        let e = error(&json!({"guarantors": [{}, {"address": {"postal_code": 72804050}}]}));
        assert_eq!(e.field, "guarantors[1].address.postal_code");

        let e = error(&json!({"phones": [{"number": "1"}, {"type": false}]}));
        assert_eq!(e.field, "phones[1].type");

        let e = error(&json!({"warrants": [{"forced_selling_value": 600.5}]}));
        assert_eq!(e.field, "warrants[0].forced_selling_value");

        let e = error(&json!({"financial": {"number_of_installments": 3_000_000_000_u64}}));
        assert_eq!(e.field, "financial.number_of_installments");

        let e = error(&json!({"financial": {"annual_interest_rate": "2.32"}}));
        assert_eq!(e.field, "financial.annual_interest_rate");
        assert!(e.message.contains("expected a number"), "{}", e.message);

        let e = error(&json!({"monthly_revenue": 18_446_744_073_709_551_615_u64}));
        assert_eq!(e.field, "monthly_revenue");

        let e = error(&json!({"document_number": 35_472_523_000_115_u64}));
        assert_eq!(e.field, "document_number");

        let e = error(&json!({"scr_parameters": "yes"}));
        assert_eq!(e.field, "scr_parameters");
    }

    #[test]
    fn arrays_are_not_objects() {
        let e = error(&json!({"address": ["BRA", "Rua", "1", "", "Centro", "Rio", "RJ", "1"]}));
        assert_eq!(e.field, "address");
        assert!(
            e.message.contains("expected a JSON object"),
            "{}",
            e.message
        );

        let e = error(&json!({"shareholders": {"name": "Anna"}}));
        assert_eq!(e.field, "shareholders");

        let e = error(&json!({"shareholders": [null]}));
        assert_eq!(e.field, "shareholders[0]");
    }

    #[test]
    fn a_body_that_is_not_one_object_is_a_body_error() {
        for body in [
            "",
            "   ",
            "not json",
            "{\"id\": \"1\"",
            "{\"id\": \"1\",}",
            "[]",
            "\"proposal\"",
            "null",
            "{} {}",
            "{}x",
        ] {
            let e = parse_proposal(body.as_bytes()).expect_err(body);
            assert_eq!(e.field, BODY_FIELD, "{body:?}: {e}");
            assert!(!e.message.is_empty());
        }
        let e = parse_proposal(b"[]").unwrap_err();
        assert_eq!(e.message, "invalid type: sequence, expected a JSON object");
    }

    #[test]
    fn missing_and_null_fields_are_absent() {
        assert_eq!(parse(&json!({})).unwrap(), LegalPersonProposal::default());
        assert_eq!(
            parse_proposal(b" {}\n").unwrap().proposal,
            LegalPersonProposal::default()
        );

        let p = parse(&json!({
            "id": null,
            "monthly_revenue": null,
            "address": null,
            "shareholders": null,
            "scr_parameters": null,
            "financial": {},
            "warrants": [{}],
            "guarantors": [{}],
        }))
        .unwrap();
        assert_eq!(p.id, None);
        assert_eq!(p.monthly_revenue, None);
        assert_eq!(p.address, None);
        assert!(p.shareholders.is_empty());
        assert!(p.scr_parameters.is_empty());
        assert_eq!(p.financial, Some(Financial::default()));
        assert_eq!(p.warrants, vec![Warrant::default()]);
        assert_eq!(natural(&p.guarantors[0]), &NaturalPerson::default());
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let p = parse(&json!({
            "id": "1",
            "partner_extra": {"deeply": ["nested", 1]},
            "financial": {"amount": 5, "grace_period": 30},
        }))
        .unwrap();
        assert_eq!(p.id, s("1"));
        assert_eq!(p.financial.unwrap().amount, Some(5));
    }

    #[test]
    fn a_legal_person_guarantor_is_recognised() {
        let p = parse(&json!({"guarantors": [
            {"legal_name": "Garantidora S.A.", "document_number": "11.222.333/0001-81"},
            {"document_number": "11.222.333/0001-81"},
            {"document_number": "11222333000181", "name": "ignored"},
            {"legal_name": "Sem CNPJ"},
            {"legal_name": "  ", "document_number": "677.498.846-61"},
            {"name": "Melissa", "document_number": "677.498.846-61", "monthly_income": 1},
        ]}))
        .unwrap();
        let first = legal(&p.guarantors[0]);
        assert_eq!(first.legal_name, s("Garantidora S.A."));
        assert_eq!(first.document_number, s("11.222.333/0001-81"));
        assert_eq!(legal(&p.guarantors[1]).legal_name, None);
        assert_eq!(legal(&p.guarantors[2]).document_number, s("11222333000181"));
        assert_eq!(legal(&p.guarantors[3]).legal_name, s("Sem CNPJ"));
        assert_eq!(
            natural(&p.guarantors[4]).document_number,
            s("677.498.846-61")
        );
        let melissa = natural(&p.guarantors[5]);
        assert_eq!(melissa.name, s("Melissa"));
        assert_eq!(melissa.monthly_income, Some(1));
    }

    #[test]
    fn scr_parameters_become_strings() {
        let p = parse_proposal(
            br#"{"scr_parameters": {
                "a": "text", "b": 1, "c": 2.5, "d": true, "e": null,
                "f": {"x": 1}, "g": [1, "2"], "h": -7
            }}"#,
        )
        .unwrap()
        .proposal;
        let expected: BTreeMap<String, String> = [
            ("a", "text"),
            ("b", "1"),
            ("c", "2.5"),
            ("d", "true"),
            ("e", "null"),
            ("f", r#"{"x":1}"#),
            ("g", r#"[1,"2"]"#),
            ("h", "-7"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(p.scr_parameters, expected);
    }

    #[test]
    fn negative_and_large_amounts_are_kept_for_the_service_to_judge() {
        let p = parse(&json!({
            "monthly_revenue": -1,
            "financial": {"amount": i64::MAX, "number_of_installments": -3},
        }))
        .unwrap();
        assert_eq!(p.monthly_revenue, Some(-1));
        let financial = p.financial.unwrap();
        assert_eq!(financial.amount, Some(i64::MAX));
        assert_eq!(financial.number_of_installments, Some(-3));

        // Zero is a value, not a missing one.
        let p = parse(&json!({"financial": {"amount": 0}})).unwrap();
        assert_eq!(p.financial.unwrap().amount, Some(0));
    }

    fn analysis() -> CreditAnalysis {
        let mut analysis = CreditAnalysis {
            id: "12345678".to_owned(),
            reason: "rule_decision_enum".to_owned(),
            score: 712,
            kind: "legal_person".to_owned(),
            probability_of_default: 0.034,
            credit_limit: Some(Money {
                cents: 5_000_000,
                currency: "BRL".to_owned(),
            }),
            justification: vec![Reason {
                code: "revenue_low".to_owned(),
                description: "Faturamento abaixo do esperado".to_owned(),
                impact: 12.5,
            }],
            created_at: Some(prost_types::Timestamp {
                seconds: 1_617_197_400,
                nanos: 0,
            }),
            updated_at: Some(prost_types::Timestamp {
                seconds: 1_617_197_401,
                nanos: 500_000_000,
            }),
            ..CreditAnalysis::default()
        };
        analysis.set_analysis_status(AnalysisStatus::AutomaticallyApproved);
        analysis.set_recommendation(Recommendation::Approve);
        analysis
    }

    #[test]
    fn the_answer_is_qi_compatible_with_avals_fields() {
        let body = serde_json::to_value(AnalysisBody::from(analysis())).unwrap();
        assert_eq!(
            body,
            json!({
                "id": "12345678",
                "analysis_status": "automatically_approved",
                "reason": "rule_decision_enum",
                "kind": "legal_person",
                "company_score": 712,
                "probability_of_default": 0.034,
                "recommendation": "approve",
                "credit_limit": {"amount": 5_000_000, "currency": "BRL"},
                "justification": [{
                    "code": "revenue_low",
                    "description": "Faturamento abaixo do esperado",
                    "impact": 12.5,
                }],
                "created_at": "2021-03-31T13:30:00Z",
                "updated_at": "2021-03-31T13:30:01.500Z",
            })
        );

        // A person's analysis names the person's score `score`.
        let mut person = analysis();
        person.kind = NATURAL_PERSON.to_owned();
        let body = serde_json::to_value(AnalysisBody::from(person)).unwrap();
        assert_eq!(body["kind"], "natural_person");
        assert_eq!(body["score"], 712);
        assert!(body.get("company_score").is_none(), "{body}");
    }

    #[test]
    fn a_proposal_waiting_for_data_has_no_score_yet() {
        let mut waiting = CreditAnalysis {
            id: "12345678".to_owned(),
            reason: "partner_scores_unavailable".to_owned(),
            kind: "legal_person".to_owned(),
            ..CreditAnalysis::default()
        };
        for status in [AnalysisStatus::WaitingForData, AnalysisStatus::Pending] {
            waiting.set_analysis_status(status);
            let body = serde_json::to_value(AnalysisBody::from(waiting.clone())).unwrap();
            assert_eq!(
                body,
                json!({
                    "id": "12345678",
                    "analysis_status": status_name(status),
                    "reason": "partner_scores_unavailable",
                    "kind": "legal_person",
                    "recommendation": "unspecified",
                    "justification": [],
                })
            );
        }
    }

    #[test]
    fn absent_parts_of_the_answer_are_left_out() {
        let body = serde_json::to_value(AnalysisBody::from(CreditAnalysis {
            id: "1".to_owned(),
            ..CreditAnalysis::default()
        }))
        .unwrap();
        assert_eq!(
            body,
            json!({
                "id": "1",
                "analysis_status": "unspecified",
                "reason": "",
                "company_score": 0,
                "probability_of_default": 0.0,
                "recommendation": "unspecified",
                "justification": [],
            })
        );

        let mut analysis = analysis();
        analysis.credit_limit = Some(Money {
            cents: 1,
            currency: String::new(),
        });
        analysis.analysis_status = 999;
        let body = AnalysisBody::from(analysis);
        assert_eq!(body.credit_limit.unwrap().currency, "BRL");
        assert_eq!(body.analysis_status, "unspecified");
    }

    #[test]
    fn every_status_has_its_qi_name() {
        let names = [
            (AnalysisStatus::Pending, "pending"),
            (AnalysisStatus::WaitingForData, "waiting_for_data"),
            (
                AnalysisStatus::AutomaticallyApproved,
                "automatically_approved",
            ),
            (
                AnalysisStatus::AutomaticallyReproved,
                "automatically_reproved",
            ),
            (
                AnalysisStatus::AutomaticallyChallenged,
                "automatically_challenged",
            ),
            (AnalysisStatus::InManualAnalysis, "in_manual_analysis"),
            (AnalysisStatus::ManuallyApproved, "manually_approved"),
            (AnalysisStatus::ManuallyReproved, "manually_reproved"),
            (AnalysisStatus::ManuallyChallenged, "manually_challenged"),
            (AnalysisStatus::Unspecified, "unspecified"),
        ];
        for (status, name) in names {
            let mut analysis = analysis();
            analysis.set_analysis_status(status);
            assert_eq!(AnalysisBody::from(analysis).analysis_status, name);
        }
        for (recommendation, name) in [
            (Recommendation::Approve, "approve"),
            (Recommendation::Refuse, "refuse"),
            (Recommendation::RequestGuarantees, "request_guarantees"),
            (Recommendation::Unspecified, "unspecified"),
        ] {
            let mut analysis = analysis();
            analysis.set_recommendation(recommendation);
            assert_eq!(AnalysisBody::from(analysis).recommendation, name);
        }
    }
}
