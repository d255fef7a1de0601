//! Proto proposal -> validated domain proposal (a company's or a person's), with JSON-path
//! field violations.
//!
//! Every violation is collected (a partner fixes a body in one round trip, not one per
//! field). Paths are the JSON paths partners send (`shareholders[0].document_number`); a
//! guarantor's path leaves out the protobuf `oneof` (`guarantors[1].document_number`), as
//! QI Tech's body has no such wrapper. The rules of each value live with its domain type;
//! what is decided here is only what the contract leaves open:
//!
//! - required: `id`, `credit_type`, `legal_name`, `document_number`, `constitution_date` and
//!   `financial` with `amount`, `currency`, `interest_type`, `number_of_installments`; a
//!   shareholder's or natural-person guarantor's `name` and `document_number`; a legal-person
//!   guarantor's `legal_name` and `document_number`; a phone's `number`; a warrant's
//!   `warrant_type`; `source.channel` when `source` is given. Absent or blank text of a
//!   required field is `REQUIRED`; of an optional one, absent. Everything else is optional;
//! - a person's proposal requires `id`, `credit_type`, `financial` (as above) and the
//!   applicant's `name`, `document_number` (CPF) and `birthdate`: 18 or older on the
//!   `credit_request_date` (a minor cannot contract credit alone);
//! - `credit_request_date`, when absent, is the time of validation (the time of receipt);
//! - a `Date` the calendar does not have (`2019-02-30`) is `INVALID_DATE`. The format of the
//!   text a partner wrote (`11/02/2021`) is the JSON edge's to report: no text reaches here.

use crate::domain::proposal::{
    Address, Appraisal, AsOf, Cents, Channel, ConstitutionType, Country, CreditType, Currency,
    Email, Financial, Guarantor, Installments, InterestType, Invalid, LegalPersonProposal,
    MAX_GUARANTORS, MAX_PHONES, MAX_SCR_PARAMETERS, MAX_SHAREHOLDERS, MAX_WARRANTS, NaturalPerson,
    NaturalPersonProposal, Percent, Phone, PhoneDigits, PhoneType, PositiveCents, PostalCode,
    ProposalId, ProtectedAttributes, RequestDate, Source, State, Text, Warrant, WarrantType,
    adult_by, calendar_date, constituted_by, offset_instant, scr_parameter,
};
use aval_credit::{Cnpj, Cpf};
use aval_errors::{FieldPath, FieldViolation, Violations};
use aval_proto::analysis::v1 as pb;
use aval_proto::common::v1 as common;
use aval_transport::time::from_timestamp;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

impl TryFrom<pb::LegalPersonProposal> for LegalPersonProposal {
    type Error = Vec<FieldViolation>;

    /// Validates against the current time; see [`validate`] to pin it.
    fn try_from(proposal: pb::LegalPersonProposal) -> Result<Self, Self::Error> {
        validate(proposal, Utc::now())
    }
}

/// Validates a proposal as of `now` (dates after it are refused), returning every violation.
pub fn validate(
    p: pb::LegalPersonProposal,
    now: DateTime<Utc>,
) -> Result<LegalPersonProposal, Vec<FieldViolation>> {
    let as_of = AsOf::new(now);
    let root = FieldPath::root();
    let mut v = Violations::default();

    let Head {
        id,
        registration_id,
        credit_request_date,
        credit_type,
    } = head(
        &mut v,
        as_of,
        (
            &p.id,
            &p.registration_id,
            p.credit_request_date.as_ref(),
            &p.credit_type,
        ),
    );
    let legal_name = v.check(&root.key("legal_name"), Text::required(text(&p.legal_name)));
    let trading_name = v.text(&root.key("trading_name"), &p.trading_name);
    let document = v.check(&root.key("document_number"), cnpj(text(&p.document_number)));
    let constitution_date = v.check(
        &root.key("constitution_date"),
        past_date(as_of, p.constitution_date.as_ref()).and_then(|d| d.ok_or(Invalid::Required)),
    );
    let constitution_type = v
        .check(
            &root.key("constitution_type"),
            optional(&p.constitution_type, ConstitutionType::parse),
        )
        .flatten();
    let email = v
        .check(&root.key("email"), Email::optional(text(&p.email)))
        .flatten();
    let monthly_revenue = v.check(
        &root.key("monthly_revenue"),
        Cents::absent_as_zero(p.monthly_revenue),
    );
    let client_category = v.text(&root.key("client_category"), &p.client_category);
    let client_since = v
        .check(
            &root.key("client_since"),
            past_date(as_of, p.client_since.as_ref()),
        )
        .flatten();
    let address = p
        .address
        .and_then(|a| address(&mut v, &root.key("address"), a));
    let phones = list(&mut v, &root.key("phones"), p.phones, MAX_PHONES, phone);
    let shareholders = list(
        &mut v,
        &root.key("shareholders"),
        p.shareholders,
        MAX_SHAREHOLDERS,
        |v, path, person| natural_person(v, as_of, path, person),
    );
    let Credit {
        guarantors,
        financial,
        warrants,
        source,
    } = credit(
        &mut v,
        as_of,
        (p.guarantors, p.financial, p.warrants, p.source),
    );
    if p.scr_parameters.len() > MAX_SCR_PARAMETERS {
        v.refuse(
            &root.key("scr_parameters"),
            &Invalid::TooMany {
                max: MAX_SCR_PARAMETERS,
            },
        );
    } else {
        for (key, value) in &p.scr_parameters {
            v.check(
                &root.key("scr_parameters").key(key),
                scr_parameter(key, value),
            );
        }
    }
    if let (Some(constitution), Some(request)) = (constitution_date, credit_request_date) {
        v.check(
            &root.key("constitution_date"),
            constituted_by(constitution, request.at()),
        );
    }

    let (
        Some(id),
        Some(credit_request_date),
        Some(credit_type),
        Some(legal_name),
        Some(document),
        Some(constitution_date),
        Some(monthly_revenue),
        Some(financial),
    ) = (
        id,
        credit_request_date,
        credit_type,
        legal_name,
        document,
        constitution_date,
        monthly_revenue,
        financial,
    )
    else {
        return Err(v.into_vec());
    };
    // A value refused anywhere left a hole (a `None` or a shorter list): never build then.
    if !v.is_empty() {
        return Err(v.into_vec());
    }
    Ok(LegalPersonProposal {
        id,
        registration_id,
        credit_request_date,
        credit_type,
        legal_name,
        trading_name,
        document,
        constitution_date,
        constitution_type,
        email,
        monthly_revenue,
        client_category,
        client_since,
        address,
        phones,
        shareholders,
        guarantors,
        financial,
        warrants,
        source,
        scr_parameters: p.scr_parameters,
    })
}

/// Validates a person's proposal as of `now` (dates after it are refused), returning every
/// violation. The applicant's fields are named without a prefix, as in QI's body.
pub fn validate_natural_person(
    p: pb::NaturalPersonProposal,
    now: DateTime<Utc>,
) -> Result<NaturalPersonProposal, Vec<FieldViolation>> {
    let as_of = AsOf::new(now);
    let root = FieldPath::root();
    let mut v = Violations::default();

    let Head {
        id,
        registration_id,
        credit_request_date,
        credit_type,
    } = head(
        &mut v,
        as_of,
        (
            &p.id,
            &p.registration_id,
            p.credit_request_date.as_ref(),
            &p.credit_type,
        ),
    );
    let applicant_pb = p.applicant.unwrap_or_default();
    let birthdate_given = applicant_pb.birthdate.is_some();
    let applicant = natural_person(&mut v, as_of, &root, applicant_pb);
    let birthdate = root.key("birthdate");
    if !birthdate_given {
        v.refuse(&birthdate, &Invalid::Required);
    } else if let (Some(Some(born)), Some(request)) =
        (applicant.as_ref().map(|a| a.birthdate), credit_request_date)
    {
        v.check(&birthdate, adult_by(born, request.at()));
    }
    let Credit {
        guarantors,
        financial,
        warrants,
        source,
    } = credit(
        &mut v,
        as_of,
        (p.guarantors, p.financial, p.warrants, p.source),
    );

    let (Some(id), Some(credit_request_date), Some(credit_type), Some(applicant), Some(financial)) =
        (id, credit_request_date, credit_type, applicant, financial)
    else {
        return Err(v.into_vec());
    };
    if !v.is_empty() {
        return Err(v.into_vec());
    }
    Ok(NaturalPersonProposal {
        id,
        registration_id,
        credit_request_date,
        credit_type,
        applicant,
        guarantors,
        financial,
        warrants,
        source,
    })
}

/// What both kinds of proposal open with: the partner's ids, when and what was asked.
struct Head {
    id: Option<ProposalId>,
    registration_id: Option<Text>,
    credit_request_date: Option<RequestDate>,
    credit_type: Option<CreditType>,
}

/// `id` (required), `registration_id`, `credit_request_date` (the time of receipt when
/// absent) and `credit_type` (required), at the top level.
fn head(
    v: &mut Violations,
    as_of: AsOf,
    (id, registration_id, credit_request_date, credit_type): (
        &Option<String>,
        &Option<String>,
        Option<&common::OffsetDateTime>,
        &Option<String>,
    ),
) -> Head {
    let root = FieldPath::root();
    Head {
        id: v.check(&root.key("id"), ProposalId::parse(text(id))),
        registration_id: v.text(&root.key("registration_id"), registration_id),
        credit_request_date: request_date(v, as_of, credit_request_date),
        credit_type: v.check(
            &root.key("credit_type"),
            CreditType::parse(text(credit_type)),
        ),
    }
}

/// What both kinds of proposal say of the credit itself.
struct Credit {
    guarantors: Vec<Guarantor>,
    financial: Option<Financial>,
    warrants: Vec<Warrant>,
    source: Option<Source>,
}

/// `guarantors`, `financial` (required), `warrants` and `source`, at the top level.
fn credit(
    v: &mut Violations,
    as_of: AsOf,
    (guarantors, financial_pb, warrants, source_pb): (
        Vec<pb::Guarantor>,
        Option<pb::Financial>,
        Vec<pb::Warrant>,
        Option<pb::Source>,
    ),
) -> Credit {
    let root = FieldPath::root();
    Credit {
        guarantors: list(
            v,
            &root.key("guarantors"),
            guarantors,
            MAX_GUARANTORS,
            |v, path, guarantor_pb| guarantor(v, as_of, path, guarantor_pb),
        ),
        financial: match financial_pb {
            Some(f) => financial(v, &root.key("financial"), f),
            None => v.check(&root.key("financial"), Err(Invalid::Required)),
        },
        warrants: list(v, &root.key("warrants"), warrants, MAX_WARRANTS, warrant),
        source: source_pb.and_then(|s| source(v, &root.key("source"), s)),
    }
}

/// `credit_request_date`: the partner's instant, not in the future; the time of receipt when
/// absent.
fn request_date(
    v: &mut Violations,
    as_of: AsOf,
    given: Option<&common::OffsetDateTime>,
) -> Option<RequestDate> {
    v.check(
        &FieldPath::root().key("credit_request_date"),
        given
            .map(|d| instant(d).and_then(|i| as_of.past_instant(i)))
            .transpose()
            .map(|d| {
                d.map_or(
                    RequestDate::Receipt(as_of.now().fixed_offset()),
                    RequestDate::Given,
                )
            }),
    )
}

/// Optional free text, read into the violations found so far (each converter returns `None`
/// only after recording why).
trait ReadText {
    fn text(&mut self, field: &FieldPath, input: &Option<String>) -> Option<Text>;
}

impl ReadText for Violations {
    fn text(&mut self, field: &FieldPath, input: &Option<String>) -> Option<Text> {
        self.check(field, Text::optional(text(input))).flatten()
    }
}

/// Absent text reads as blank: the domain's rules treat the two alike (blank optional text is
/// absent, blank required text is `REQUIRED`).
fn text(input: &Option<String>) -> &str {
    input.as_deref().unwrap_or_default()
}

/// Absent or blank input is absent; anything else must parse.
fn optional<T>(
    input: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, Invalid> {
    match text(input).trim() {
        "" => Ok(None),
        _ => parse(text(input)).map(Some),
    }
}

/// A day of the calendar, not in the future; `None` when absent.
pub(crate) fn past_date(
    as_of: AsOf,
    date: Option<&common::Date>,
) -> Result<Option<NaiveDate>, Invalid> {
    date.map(|d| calendar_date(d.year, d.month, d.day).and_then(|d| as_of.past_date(d)))
        .transpose()
}

/// The instant with the sender's offset.
fn instant(at: &common::OffsetDateTime) -> Result<DateTime<FixedOffset>, Invalid> {
    let utc = at.instant.as_ref().ok_or(Invalid::Required)?.normalized();
    let utc = from_timestamp(&utc).ok_or(Invalid::out_of_range(
        "must be an instant between the years 1 and 9999",
    ))?;
    offset_instant(utc, at.utc_offset_seconds)
}

/// A whole number the contract requires: absent is `REQUIRED`.
fn required_number<N, T>(
    input: Option<N>,
    parse: impl FnOnce(N) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    input.map_or(Err(Invalid::Required), parse)
}

fn cpf(input: &str) -> Result<Cpf, Invalid> {
    if input.trim().is_empty() {
        return Err(Invalid::Required);
    }
    Cpf::parse(input).map_err(Invalid::Cpf)
}

pub(crate) fn cnpj(input: &str) -> Result<Cnpj, Invalid> {
    if input.trim().is_empty() {
        return Err(Invalid::Required);
    }
    Cnpj::parse(input).map_err(Invalid::Cnpj)
}

/// Converts each item at `path[i]`; more than `max` items is one `TOO_MANY` and no further
/// work (a hostile body should not buy thousands of checks).
fn list<T, U>(
    v: &mut Violations,
    path: &FieldPath,
    items: Vec<T>,
    max: usize,
    mut convert: impl FnMut(&mut Violations, &FieldPath, T) -> Option<U>,
) -> Vec<U> {
    if items.len() > max {
        v.refuse(path, &Invalid::TooMany { max });
        return Vec::new();
    }
    let mut converted = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        if let Some(item) = convert(v, &path.index(i), item) {
            converted.push(item);
        }
    }
    converted
}

fn natural_person(
    v: &mut Violations,
    as_of: AsOf,
    path: &FieldPath,
    p: pb::NaturalPerson,
) -> Option<NaturalPerson> {
    let name = v.check(&path.key("name"), Text::required(text(&p.name)));
    let document = v.check(&path.key("document_number"), cpf(text(&p.document_number)));
    let birthdate = v
        .check(
            &path.key("birthdate"),
            past_date(as_of, p.birthdate.as_ref()),
        )
        .flatten();
    let email = v
        .check(&path.key("email"), Email::optional(text(&p.email)))
        .flatten();
    let monthly_income = v.check(
        &path.key("monthly_income"),
        Cents::absent_as_zero(p.monthly_income),
    );
    let declared_assets = v.check(
        &path.key("declared_assets"),
        Cents::absent_as_zero(p.declared_assets),
    );
    let occupation = v.text(&path.key("occupation"), &p.occupation);
    let address = p.address.and_then(|a| address(v, &path.key("address"), a));
    let phones = list(v, &path.key("phones"), p.phones, MAX_PHONES, phone);
    let protected = ProtectedAttributes {
        gender: v.text(&path.key("gender"), &p.gender),
        nationality: v.text(&path.key("nationality"), &p.nationality),
        mother_name: v.text(&path.key("mother_name"), &p.mother_name),
        father_name: v.text(&path.key("father_name"), &p.father_name),
    };
    Some(NaturalPerson {
        name: name?,
        document: document?,
        birthdate,
        email,
        monthly_income: monthly_income?,
        declared_assets: declared_assets?,
        occupation,
        address,
        phones,
        protected,
    })
}

fn guarantor(
    v: &mut Violations,
    as_of: AsOf,
    path: &FieldPath,
    g: pb::Guarantor,
) -> Option<Guarantor> {
    use pb::guarantor::Person;
    match g.person {
        Some(Person::NaturalPerson(person)) => {
            natural_person(v, as_of, path, person).map(|p| Guarantor::Natural(Box::new(p)))
        }
        Some(Person::LegalPerson(company)) => {
            let legal_name = v.check(
                &path.key("legal_name"),
                Text::required(text(&company.legal_name)),
            );
            let document = v.check(
                &path.key("document_number"),
                cnpj(text(&company.document_number)),
            );
            Some(Guarantor::Legal {
                legal_name: legal_name?,
                document: document?,
            })
        }
        None => {
            v.push(FieldViolation::at(
                path,
                Invalid::Required.code(),
                "must be either a natural_person or a legal_person",
            ));
            None
        }
    }
}

fn address(v: &mut Violations, path: &FieldPath, a: common::Address) -> Option<Address> {
    let country = v.check(&path.key("country"), Country::parse(text(&a.country)));
    let street = v.text(&path.key("street"), &a.street);
    let number = v.text(&path.key("number"), &a.number);
    let complement = v.text(&path.key("complement"), &a.complement);
    let neighborhood = v.text(&path.key("neighborhood"), &a.neighborhood);
    let city = v.text(&path.key("city"), &a.city);
    // The UF and CEP rules depend on the country: unknowable when the country is invalid.
    let country = country?;
    let state = v
        .check(&path.key("uf"), State::parse(&country, text(&a.uf)))
        .flatten();
    let postal_code = v
        .check(
            &path.key("postal_code"),
            PostalCode::parse(&country, text(&a.postal_code)),
        )
        .flatten();
    Some(Address {
        country,
        street,
        number,
        complement,
        neighborhood,
        city,
        state,
        postal_code,
    })
}

fn phone(v: &mut Violations, path: &FieldPath, p: common::Phone) -> Option<Phone> {
    let international_dial_code = v
        .check(
            &path.key("international_dial_code"),
            PhoneDigits::dial_code(text(&p.international_dial_code)),
        )
        .flatten();
    let area_code = v
        .check(
            &path.key("area_code"),
            PhoneDigits::area_code(text(&p.area_code)),
        )
        .flatten();
    let number = v.check(&path.key("number"), PhoneDigits::number(text(&p.number)));
    let phone_type = v
        .check(&path.key("type"), optional(&p.r#type, PhoneType::parse))
        .flatten();
    Some(Phone {
        international_dial_code,
        area_code,
        number: number?,
        phone_type,
    })
}

fn financial(v: &mut Violations, path: &FieldPath, f: pb::Financial) -> Option<Financial> {
    let amount = v.check(
        &path.key("amount"),
        required_number(f.amount, PositiveCents::new),
    );
    let currency = v.check(&path.key("currency"), Currency::parse(text(&f.currency)));
    let interest_type = v.check(
        &path.key("interest_type"),
        InterestType::parse(text(&f.interest_type)),
    );
    let annual_interest_rate = v.check(
        &path.key("annual_interest_rate"),
        Percent::absent_as_zero(f.annual_interest_rate),
    );
    let cdi_percentage = v.check(
        &path.key("cdi_percentage"),
        Percent::absent_as_zero(f.cdi_percentage),
    );
    let number_of_installments = v.check(
        &path.key("number_of_installments"),
        required_number(f.number_of_installments, Installments::new),
    );
    Some(Financial {
        amount: amount?,
        currency: currency?,
        interest_type: interest_type?,
        annual_interest_rate: annual_interest_rate?,
        cdi_percentage: cdi_percentage?,
        number_of_installments: number_of_installments?,
    })
}

fn warrant(v: &mut Violations, path: &FieldPath, w: pb::Warrant) -> Option<Warrant> {
    let warrant_type = v.check(
        &path.key("warrant_type"),
        WarrantType::parse(text(&w.warrant_type)),
    );
    let property_type = v.text(&path.key("property_type"), &w.property_type);
    let estimated = v.check(
        &path.key("estimated_value"),
        Cents::absent_as_zero(w.estimated_value),
    );
    let forced_path = path.key("forced_selling_value");
    let forced = v.check(&forced_path, Cents::absent_as_zero(w.forced_selling_value));
    let address = w.address.and_then(|a| address(v, &path.key("address"), a));
    let appraisal = v.check(&forced_path, Appraisal::new(estimated?, forced?));
    Some(Warrant {
        warrant_type: warrant_type?,
        property_type,
        appraisal: appraisal?,
        address,
    })
}

fn source(v: &mut Violations, path: &FieldPath, s: pb::Source) -> Option<Source> {
    let channel = v.check(&path.key("channel"), Channel::parse(text(&s.channel)));
    let ip = v
        .check(&path.key("ip"), Source::parse_ip(text(&s.ip)))
        .flatten();
    let session_id = v.text(&path.key("session_id"), &s.session_id);
    Some(Source {
        channel: channel?,
        ip,
        session_id,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::analysis::Fingerprint;
    use crate::domain::decision::{AnalysisStatus, tests::decide};
    use crate::domain::policy::Policy;
    use crate::domain::proposal::Uf;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Text as a proto `optional string` holds it.
    fn s(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    fn day(year: i32, month: i32, day: i32) -> Option<common::Date> {
        Some(common::Date { year, month, day })
    }

    /// An RFC 3339 date-time as the gateway sends it: the instant and the partner's offset.
    fn at(rfc3339: &str) -> Option<common::OffsetDateTime> {
        let parsed = DateTime::parse_from_rfc3339(rfc3339).unwrap();
        Some(common::OffsetDateTime {
            instant: Some(aval_transport::time::to_timestamp(
                parsed.with_timezone(&Utc),
            )),
            utc_offset_seconds: parsed.offset().local_minus_utc(),
        })
    }

    fn addr(street: &str, uf: &str, postal_code: &str) -> common::Address {
        common::Address {
            country: s("BRA"),
            street: s(street),
            number: s("100"),
            complement: None,
            neighborhood: s("Centro"),
            city: s("São Paulo"),
            uf: s(uf),
            postal_code: s(postal_code),
        }
    }

    fn phone_pb(number: &str, kind: &str) -> common::Phone {
        common::Phone {
            international_dial_code: s("55"),
            area_code: s("11"),
            number: s(number),
            r#type: s(kind),
        }
    }

    fn person(name: &str, cpf: &str, birthdate: Option<common::Date>) -> pb::NaturalPerson {
        pb::NaturalPerson {
            name: s(name),
            document_number: s(cpf),
            birthdate,
            email: s("annapintoazevedo@sample.com"),
            nationality: s("BRA"),
            mother_name: s("Beatrice Rodrigues Pinto"),
            father_name: s("Luís Azevedo"),
            monthly_income: Some(800_000),
            declared_assets: Some(18_600_000),
            occupation: s("law"),
            gender: s("female"),
            address: Some(addr("Rua Derviche Djouki", "SP", "02463-080")),
            phones: vec![phone_pb("55988644", "mobile")],
        }
    }

    /// The legal-person body of the QI Tech seed, field for field.
    fn qi_example() -> pb::LegalPersonProposal {
        let guarantor = pb::Guarantor {
            person: Some(pb::guarantor::Person::NaturalPerson(person(
                "Melissa Lima Melo",
                "677.498.846-61",
                day(1960, 11, 21),
            ))),
        };
        pb::LegalPersonProposal {
            id: s("12345678"),
            registration_id: None,
            credit_request_date: at("2021-03-31T10:30:00-03:00"),
            credit_type: s("student_loan"),
            legal_name: s("QI Tech Tecnologia LTDA"),
            trading_name: s("QI Tech"),
            document_number: s("35.472.523/0001-15"),
            constitution_date: day(2019, 11, 11),
            constitution_type: s("llc"),
            email: s("suporte.caas@qitech.com.br"),
            monthly_revenue: Some(50_000_000),
            client_category: s("Premium User"),
            client_since: day(2021, 2, 11),
            address: Some(addr("Av. Brigadeiro Faria Lima", "SP", "01452-905")),
            phones: vec![phone_pb("32234611", "residential")],
            shareholders: vec![person(
                "Anna Pinto Azevedo",
                "261.026.462-31",
                day(1972, 8, 22),
            )],
            guarantors: vec![guarantor],
            financial: Some(pb::Financial {
                amount: Some(100_000),
                currency: s("BRL"),
                interest_type: s("cdi_plus"),
                annual_interest_rate: Some(2.32),
                cdi_percentage: Some(100.0),
                number_of_installments: Some(4),
            }),
            warrants: vec![pb::Warrant {
                warrant_type: s("real_estate"),
                address: Some(addr("Rua Curitiba", "SP", "04005-030")),
                property_type: s("house"),
                estimated_value: Some(100_000_000),
                forced_selling_value: Some(60_000_000),
            }],
            source: Some(pb::Source {
                channel: s("website"),
                ip: s("132.23.161.75"),
                session_id: s("2bb684f9-6c00-4993-bcd7-18b9eccd7c9d"),
            }),
            scr_parameters: BTreeMap::new(),
        }
    }

    /// `(field, code)` of each violation, for order-free comparison.
    fn codes<P>(result: Result<P, Vec<FieldViolation>>) -> Vec<(String, String)> {
        let mut codes: Vec<_> = result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.field, v.code.as_str().to_owned()))
            .collect();
        codes.sort();
        codes
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_owned(), code.to_owned())
    }

    #[test]
    fn the_qi_tech_example_validates_into_canonical_values() {
        let proposal = validate(qi_example(), now()).unwrap();
        assert_eq!(proposal.id.as_str(), "12345678");
        assert_eq!(proposal.document.canonical(), "35472523000115");
        assert_eq!(proposal.credit_type, CreditType::StudentLoan);
        assert_eq!(proposal.constitution_type, Some(ConstitutionType::Llc));
        assert_eq!(
            proposal.credit_request_date.at().offset().local_minus_utc(),
            -3 * 3600
        );
        assert_eq!(proposal.monthly_revenue.get(), 50_000_000);
        assert_eq!(proposal.financial.amount.get(), 100_000);
        assert_eq!(proposal.financial.number_of_installments.get(), 4);
        assert_eq!(proposal.financial.currency, Currency::Brl);
        assert_eq!(proposal.shareholders[0].document.digits(), "26102646231");
        assert_eq!(
            proposal.guarantors[0].cpf().map(Cpf::digits),
            Some("67749884661")
        );
        let appraisal = proposal.warrants[0].appraisal;
        assert_eq!(appraisal.estimated_value().get(), 100_000_000);
        assert_eq!(appraisal.forced_selling_value().get(), 60_000_000);
        let address = proposal.address.as_ref().unwrap();
        assert_eq!(address.state, Some(State::Uf(Uf::Sp)));
        assert!(
            matches!(&address.postal_code, Some(PostalCode::Cep(cep)) if cep.digits() == "01452905")
        );
        assert_eq!(
            proposal.source.as_ref().map(|s| s.channel),
            Some(Channel::Website)
        );
        assert_eq!(proposal.partner_documents().len(), 2);
        // Protected attributes are kept, apart, for the record.
        let protected = &proposal.shareholders[0].protected;
        assert_eq!(protected.gender.as_ref().map(Text::as_str), Some("female"));
    }

    /// QI Tech's natural-person example: the applicant's fields at the top level of its body.
    fn qi_person_example() -> pb::NaturalPersonProposal {
        let mut applicant = person("Victor Silva Barbosa", "199.208.915-92", day(1990, 1, 1));
        applicant.monthly_income = Some(30_000);
        applicant.declared_assets = Some(7_500_000);
        applicant.occupation = s("pedagogy");
        let company = qi_example();
        pb::NaturalPersonProposal {
            id: s("12345678"),
            registration_id: s("444"),
            credit_request_date: at("2021-03-31T10:30:00-03:00"),
            credit_type: s("student_loan"),
            applicant: Some(applicant),
            guarantors: company.guarantors,
            financial: company.financial,
            warrants: company.warrants,
            source: company.source,
        }
    }

    #[test]
    fn the_qi_natural_person_example_validates() {
        let proposal = validate_natural_person(qi_person_example(), now()).unwrap();
        assert_eq!(proposal.id.as_str(), "12345678");
        assert_eq!(proposal.applicant.document.digits(), "19920891592");
        assert_eq!(proposal.applicant.monthly_income.get(), 30_000);
        assert_eq!(proposal.financial.amount.get(), 100_000);
        assert_eq!(
            proposal.scored_documents().len(),
            2,
            "the applicant and the guarantor"
        );
        assert_eq!(proposal.partner_documents().len(), 1);
    }

    #[test]
    fn a_persons_proposal_names_each_bad_field_without_a_prefix() {
        let empty = validate_natural_person(pb::NaturalPersonProposal::default(), now());
        assert_eq!(
            codes(empty),
            [
                pair("birthdate", "REQUIRED"),
                pair("credit_type", "REQUIRED"),
                pair("document_number", "REQUIRED"),
                pair("financial", "REQUIRED"),
                pair("id", "REQUIRED"),
                pair("name", "REQUIRED"),
            ]
        );

        let mut p = qi_person_example();
        let applicant = p.applicant.as_mut().unwrap();
        applicant.document_number = s("199.208.915-93");
        applicant.monthly_income = Some(-1);
        if let Some(pb::guarantor::Person::NaturalPerson(g)) = &mut p.guarantors[0].person {
            g.document_number = s("111.111.111-11");
        }
        assert_eq!(
            codes(validate_natural_person(p, now())),
            [
                pair("document_number", "INVALID_CPF"),
                pair("guarantors[0].document_number", "INVALID_CPF"),
                pair("monthly_income", "OUT_OF_RANGE"),
            ]
        );
    }

    #[test]
    fn a_minor_cannot_ask_for_credit() {
        // 18 on 31 March 2021, in the partner's offset: of age.
        let mut p = qi_person_example();
        p.applicant.as_mut().unwrap().birthdate = day(2003, 3, 31);
        assert!(validate_natural_person(p.clone(), now()).is_ok());
        // One day short.
        p.applicant.as_mut().unwrap().birthdate = day(2003, 4, 1);
        assert_eq!(
            codes(validate_natural_person(p.clone(), now())),
            [pair("birthdate", "OUT_OF_RANGE")]
        );
        // A birthdate in the future is that, not also a minor.
        p.applicant.as_mut().unwrap().birthdate = day(2030, 1, 1);
        assert_eq!(codes(validate_natural_person(p, now())).len(), 1);
    }

    #[test]
    fn try_from_validates_against_the_clock() {
        assert!(LegalPersonProposal::try_from(qi_example()).is_ok());
    }

    #[test]
    fn the_qi_tech_example_is_approved_by_the_default_policy() {
        let proposal = validate(qi_example(), now()).unwrap();
        let scores = proposal
            .partner_documents()
            .into_iter()
            .zip([Some(800), Some(700)])
            .collect();
        let decision = decide(&Policy::default_policy().unwrap(), &proposal, &scores);
        assert_eq!(decision.status, AnalysisStatus::AutomaticallyApproved);
        assert_eq!(decision.reason, "policy_approved");
    }

    #[test]
    fn an_empty_body_lists_every_required_field() {
        let result = validate(pb::LegalPersonProposal::default(), now());
        assert_eq!(
            codes(result),
            vec![
                pair("constitution_date", "REQUIRED"),
                pair("credit_type", "REQUIRED"),
                pair("document_number", "REQUIRED"),
                pair("financial", "REQUIRED"),
                pair("id", "REQUIRED"),
                pair("legal_name", "REQUIRED"),
            ]
        );
    }

    #[test]
    fn every_violation_is_collected_with_its_json_path() {
        let mut p = qi_example();
        p.document_number = s("35.472.523/0001-16");
        p.financial.as_mut().unwrap().amount = None;
        p.shareholders[0].document_number = s("261.026.462-32");
        p.guarantors.push(pb::Guarantor {
            person: Some(pb::guarantor::Person::NaturalPerson(person(
                "Melissa",
                "111.111.111-11",
                day(1960, 11, 21),
            ))),
        });
        p.warrants[0].forced_selling_value = Some(100_000_001);
        p.address.as_mut().unwrap().postal_code = s("1452-905");
        p.phones[0].number = s(" ");
        p.source.as_mut().unwrap().channel = s("fax");
        let result = validate(p, now());
        let violations = result.clone().err().unwrap();
        assert_eq!(
            codes(result),
            vec![
                pair("address.postal_code", "INVALID_FORMAT"),
                pair("document_number", "INVALID_CNPJ"),
                pair("financial.amount", "REQUIRED"),
                pair("guarantors[1].document_number", "INVALID_CPF"),
                pair("phones[0].number", "REQUIRED"),
                pair("shareholders[0].document_number", "INVALID_CPF"),
                pair("source.channel", "INVALID_ENUM"),
                pair("warrants[0].forced_selling_value", "OUT_OF_RANGE"),
            ]
        );
        let message = |field: &str| {
            violations
                .iter()
                .find(|v| v.field == field)
                .map(|v| v.message.clone())
                .unwrap_or_default()
        };
        assert_eq!(message("source.channel"), "must be one of: website, app");
        assert_eq!(
            message("document_number"),
            "is not a valid CNPJ: check digits do not match"
        );
        assert_eq!(
            message("guarantors[1].document_number"),
            "is not a valid CPF: all digits are the same"
        );
    }

    #[test]
    fn enums_are_case_insensitive_and_stored_canonical() {
        let mut p = qi_example();
        p.constitution_type = s("LLC");
        p.credit_type = s("Credit_Card_Limit");
        p.source.as_mut().unwrap().channel = s("APP");
        let f = p.financial.as_mut().unwrap();
        f.currency = s("brl");
        f.interest_type = s("PRE_FIXED");
        p.address.as_mut().unwrap().uf = s("sp");
        let proposal = validate(p, now()).unwrap();
        assert_eq!(proposal.constitution_type.map(|c| c.as_str()), Some("llc"));
        assert_eq!(proposal.credit_type, CreditType::CreditCardLimit);
        assert_eq!(proposal.financial.currency.as_str(), "BRL");
        assert_eq!(proposal.financial.interest_type, InterestType::PreFixed);
        assert_eq!(proposal.source.map(|s| s.channel), Some(Channel::App));

        let mut p = qi_example();
        p.constitution_type = s("sa");
        let violations = validate(p, now()).err().unwrap();
        assert_eq!(violations[0].code.as_str(), "INVALID_ENUM");
        assert_eq!(violations[0].message, "must be one of: llc, corp");
    }

    #[test]
    fn dates_must_exist_and_not_be_in_the_future() {
        let mut p = qi_example();
        p.credit_request_date = at("2026-06-01T00:00:00-03:00");
        p.constitution_date = day(2026, 5, 3);
        p.client_since = day(2021, 2, 30);
        p.shareholders[0].birthdate = day(2030, 1, 1);
        p.guarantors = vec![pb::Guarantor {
            person: Some(pb::guarantor::Person::NaturalPerson(person(
                "Melissa Lima Melo",
                "677.498.846-61",
                day(1799, 12, 31),
            ))),
        }];
        let result = validate(p, now());
        let violations = result.clone().err().unwrap();
        assert_eq!(
            codes(result),
            vec![
                pair("client_since", "INVALID_DATE"),
                pair("constitution_date", "DATE_IN_FUTURE"),
                pair("credit_request_date", "DATE_IN_FUTURE"),
                pair("guarantors[0].birthdate", "OUT_OF_RANGE"),
                pair("shareholders[0].birthdate", "DATE_IN_FUTURE"),
            ]
        );
        assert!(violations.iter().any(|v| v.field == "client_since"
            && v.message == "must be a calendar date (a month 1 to 12, a day of that month)"));

        // What gRPC callers can send that JSON never does: an instant-less or absurd offset.
        let mut p = qi_example();
        p.credit_request_date = Some(common::OffsetDateTime {
            instant: None,
            utc_offset_seconds: 0,
        });
        p.constitution_date = day(2019, 0, 11);
        assert_eq!(
            codes(validate(p, now())),
            vec![
                pair("constitution_date", "INVALID_DATE"),
                pair("credit_request_date", "REQUIRED"),
            ]
        );
        let mut p = qi_example();
        if let Some(at) = p.credit_request_date.as_mut() {
            at.utc_offset_seconds = 90_000;
        }
        assert_eq!(
            codes(validate(p, now())),
            vec![pair("credit_request_date", "INVALID_DATE")]
        );
    }

    #[test]
    fn a_company_cannot_ask_before_it_exists() {
        let mut p = qi_example();
        p.constitution_date = day(2021, 4, 1);
        assert_eq!(
            codes(validate(p, now())),
            vec![pair("constitution_date", "OUT_OF_RANGE")]
        );
    }

    #[test]
    fn a_missing_request_date_is_the_time_of_receipt() {
        let mut p = qi_example();
        p.credit_request_date = None;
        let proposal = validate(p, now()).unwrap();
        assert_eq!(
            proposal.credit_request_date,
            RequestDate::Receipt(now().fixed_offset())
        );
        assert_eq!(proposal.credit_request_date.at(), now().fixed_offset());
    }

    #[test]
    fn a_proposal_fingerprints_the_same_whenever_it_is_received() {
        let fingerprint = |p: pb::LegalPersonProposal, at: DateTime<Utc>| {
            Fingerprint::of(&validate(p, at).unwrap()).unwrap()
        };
        let later = now() + chrono::Duration::hours(1);
        assert_eq!(
            fingerprint(qi_example(), now()),
            fingerprint(qi_example(), later)
        );
        // Without a request date the time of receipt stands in, but is not the proposal's.
        let mut undated = qi_example();
        undated.credit_request_date = None;
        assert_eq!(
            fingerprint(undated.clone(), now()),
            fingerprint(undated, later)
        );
        // Spellings the domain normalises are the same proposal.
        let mut respelled = qi_example();
        respelled.credit_type = s("STUDENT_LOAN");
        respelled.document_number = s("35472523000115");
        assert_eq!(
            fingerprint(respelled, now()),
            fingerprint(qi_example(), now())
        );
        // Any other change is another proposal.
        let mut changed = qi_example();
        changed.financial.as_mut().unwrap().amount = Some(200_000);
        assert_ne!(
            fingerprint(changed, now()),
            fingerprint(qi_example(), now())
        );
    }

    #[test]
    fn lists_and_strings_are_bounded() {
        let mut p = qi_example();
        p.shareholders = vec![p.shareholders[0].clone(); 51];
        p.phones = vec![p.phones[0].clone(); 11];
        p.legal_name = Some("x".repeat(256));
        p.id = Some("9".repeat(101));
        p.scr_parameters = (0..51).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        assert_eq!(
            codes(validate(p, now())),
            vec![
                pair("id", "TOO_LONG"),
                pair("legal_name", "TOO_LONG"),
                pair("phones", "TOO_MANY"),
                pair("scr_parameters", "TOO_MANY"),
                pair("shareholders", "TOO_MANY"),
            ]
        );
    }

    #[test]
    fn numbers_have_their_ranges() {
        let mut p = qi_example();
        p.monthly_revenue = Some(-1);
        p.shareholders[0].monthly_income = Some(-5);
        let f = p.financial.as_mut().unwrap();
        f.amount = Some(-100);
        f.number_of_installments = Some(481);
        f.annual_interest_rate = Some(-0.5);
        f.cdi_percentage = Some(f64::NAN);
        p.warrants[0].estimated_value = Some(-1);
        assert_eq!(
            codes(validate(p, now())),
            vec![
                pair("financial.amount", "OUT_OF_RANGE"),
                pair("financial.annual_interest_rate", "OUT_OF_RANGE"),
                pair("financial.cdi_percentage", "OUT_OF_RANGE"),
                pair("financial.number_of_installments", "OUT_OF_RANGE"),
                pair("monthly_revenue", "OUT_OF_RANGE"),
                pair("shareholders[0].monthly_income", "OUT_OF_RANGE"),
                pair("warrants[0].estimated_value", "OUT_OF_RANGE"),
            ]
        );

        // Zero is a value, not a missing one: asking for nothing is out of range.
        let mut p = qi_example();
        let f = p.financial.as_mut().unwrap();
        f.amount = Some(0);
        f.number_of_installments = Some(0);
        assert_eq!(
            codes(validate(p, now())),
            vec![
                pair("financial.amount", "OUT_OF_RANGE"),
                pair("financial.number_of_installments", "OUT_OF_RANGE"),
            ]
        );
        // Amounts a partner may leave out count as nothing declared.
        let mut p = qi_example();
        p.monthly_revenue = None;
        p.warrants[0].estimated_value = None;
        p.warrants[0].forced_selling_value = None;
        let f = p.financial.as_mut().unwrap();
        f.annual_interest_rate = None;
        f.number_of_installments = None;
        assert_eq!(
            codes(validate(p.clone(), now())),
            vec![pair("financial.number_of_installments", "REQUIRED")]
        );
        p.financial.as_mut().unwrap().number_of_installments = Some(4);
        let proposal = validate(p, now()).unwrap();
        assert_eq!(proposal.monthly_revenue, Cents::ZERO);
        assert_eq!(proposal.financial.annual_interest_rate.get(), 0.0);
        assert_eq!(
            proposal.warrants[0].appraisal.estimated_value(),
            Cents::ZERO
        );
    }

    #[test]
    fn guarantors_are_a_person_or_a_company() {
        let mut p = qi_example();
        p.guarantors.push(pb::Guarantor {
            person: Some(pb::guarantor::Person::LegalPerson(
                pb::LegalPersonGuarantor {
                    legal_name: s("Garantidora S.A."),
                    // The Receita Federal's alphanumeric example.
                    document_number: s("12.ABC.345/01DE-35"),
                },
            )),
        });
        let proposal = validate(p.clone(), now()).unwrap();
        assert!(
            matches!(&proposal.guarantors[1], Guarantor::Legal { document, .. } if document.canonical() == "12ABC34501DE35")
        );
        // A company guarantor has no CPF score to look up.
        assert_eq!(proposal.partner_documents().len(), 2);

        p.guarantors.push(pb::Guarantor { person: None });
        p.guarantors.push(pb::Guarantor {
            person: Some(pb::guarantor::Person::LegalPerson(
                pb::LegalPersonGuarantor::default(),
            )),
        });
        assert_eq!(
            codes(validate(p, now())),
            vec![
                pair("guarantors[2]", "REQUIRED"),
                pair("guarantors[3].document_number", "REQUIRED"),
                pair("guarantors[3].legal_name", "REQUIRED"),
            ]
        );
    }

    #[test]
    fn contacts_are_checked() {
        let mut p = qi_example();
        p.email = s("suporte.caas@qitech");
        p.address.as_mut().unwrap().uf = s("XX");
        p.shareholders[0].phones[0].r#type = s("pager");
        p.source.as_mut().unwrap().ip = s("localhost");
        p.warrants[0].address.as_mut().unwrap().country = s("Brasil");
        assert_eq!(
            codes(validate(p, now())),
            vec![
                pair("address.uf", "INVALID_ENUM"),
                pair("email", "INVALID_EMAIL"),
                pair("shareholders[0].phones[0].type", "INVALID_ENUM"),
                pair("source.ip", "INVALID_FORMAT"),
                pair("warrants[0].address.country", "INVALID_FORMAT"),
            ]
        );

        // Outside Brazil, UF and postal code are free text.
        let mut p = qi_example();
        let address = p.address.as_mut().unwrap();
        address.country = s("usa");
        address.uf = s("California");
        address.postal_code = s("94105");
        assert!(validate(p, now()).is_ok());
    }

    #[test]
    fn only_real_estate_warrants_are_accepted() {
        let mut p = qi_example();
        p.warrants[0].warrant_type = s("vehicle");
        let violations = validate(p, now()).err().unwrap();
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].field, "warrants[0].warrant_type");
        assert_eq!(violations[0].message, "must be one of: real_estate");
    }

    proptest! {
        #[test]
        fn validation_never_panics_on_arbitrary_values(
            text in ".{0,40}",
            number in any::<i64>(),
            count in any::<i32>(),
            seconds in any::<i64>(),
            nanos in any::<i32>(),
        ) {
            let mut p = qi_example();
            p.id = Some(text.clone());
            p.document_number = Some(text.clone());
            p.constitution_date = day(count, count, count);
            p.credit_request_date = Some(common::OffsetDateTime {
                instant: Some(prost_types::Timestamp { seconds, nanos }),
                utc_offset_seconds: count,
            });
            p.shareholders[0].document_number = Some(text.clone());
            p.address.as_mut().unwrap().postal_code = Some(text.clone());
            p.phones[0].number = Some(text.clone());
            p.monthly_revenue = Some(number);
            p.warrants[0].forced_selling_value = Some(number);
            let f = p.financial.as_mut().unwrap();
            f.amount = Some(number);
            f.number_of_installments = Some(count);
            f.currency = Some(text);
            let _ = validate(p, now());
        }
    }
}
