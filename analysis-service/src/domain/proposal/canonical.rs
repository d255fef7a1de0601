//! A proposal read back from its canonical JSON (a policy dry run re-decides stored proposals
//! with a candidate policy, a replay with the stored policy version). Nothing stored is
//! trusted more than a partner's body: each value goes through its type's constructor (their
//! `Deserialize` impls), and the rules that span the proposal are checked again here, as of
//! the time it was received.

use super::{
    Address, AsOf, Cents, ConstitutionType, CreditType, Email, Financial, Guarantor, Invalid,
    LegalPersonProposal, MAX_GUARANTORS, MAX_PHONES, MAX_SCR_PARAMETERS, MAX_SHAREHOLDERS,
    MAX_WARRANTS, NaturalPerson, Phone, ProposalId, RequestDate, Source, Text, Warrant,
    constituted_by, scr_parameter,
};
use aval_credit::Cnpj;
use aval_errors::{FieldPath, Violations};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::de::Error as _;
use std::collections::BTreeMap;

/// [`LegalPersonProposal`] as its canonical JSON has it: field for field the same, but for
/// `credit_request_date`, `null` when the partner gave none. The time of receipt that then
/// stands in is not in the JSON (see `RequestDate`'s `Serialize`), which is why `LegalPersonProposal`
/// has no `Deserialize` of its own: the caller supplies that time.
#[derive(serde::Deserialize)]
struct StoredProposal {
    id: ProposalId,
    registration_id: Option<Text>,
    credit_request_date: Option<DateTime<FixedOffset>>,
    credit_type: CreditType,
    legal_name: Text,
    trading_name: Option<Text>,
    #[serde(
        rename = "document_number",
        deserialize_with = "super::deserialize_cnpj"
    )]
    document: Cnpj,
    constitution_date: NaiveDate,
    constitution_type: Option<ConstitutionType>,
    email: Option<Email>,
    monthly_revenue: Cents,
    client_category: Option<Text>,
    client_since: Option<NaiveDate>,
    address: Option<Address>,
    phones: Vec<Phone>,
    shareholders: Vec<NaturalPerson>,
    guarantors: Vec<Guarantor>,
    financial: Financial,
    warrants: Vec<Warrant>,
    source: Option<Source>,
    scr_parameters: BTreeMap<String, String>,
}

impl LegalPersonProposal {
    /// Reads a proposal back from its canonical JSON (what `serde_json::to_value(&proposal)`
    /// wrote), checking every value again as when it was received, at `received_at`.
    ///
    /// `received_at` is the time of receipt, which the JSON leaves out: an undated proposal
    /// (`credit_request_date: null`) reads back as `RequestDate::Receipt(received_at)`, and the
    /// dates are checked as of then. For a stored analysis, pass its `created_at` (taken just
    /// after the proposal was validated, so anything valid then is valid at it).
    pub fn from_canonical_json(
        json: &serde_json::Value,
        received_at: DateTime<Utc>,
    ) -> Result<LegalPersonProposal, serde_json::Error> {
        let stored: StoredProposal = read_stored(json)?;
        let proposal = LegalPersonProposal {
            id: stored.id,
            registration_id: stored.registration_id,
            credit_request_date: stored.credit_request_date.map_or(
                RequestDate::Receipt(received_at.fixed_offset()),
                RequestDate::Given,
            ),
            credit_type: stored.credit_type,
            legal_name: stored.legal_name,
            trading_name: stored.trading_name,
            document: stored.document,
            constitution_date: stored.constitution_date,
            constitution_type: stored.constitution_type,
            email: stored.email,
            monthly_revenue: stored.monthly_revenue,
            client_category: stored.client_category,
            client_since: stored.client_since,
            address: stored.address,
            phones: stored.phones,
            shareholders: stored.shareholders,
            guarantors: stored.guarantors,
            financial: stored.financial,
            warrants: stored.warrants,
            source: stored.source,
            scr_parameters: stored.scr_parameters,
        };
        let rules = proposal_rules(&proposal, AsOf::new(received_at));
        checked(rules, proposal)
    }
}

/// A stored proposal read back through `serde_path_to_error`, its errors naming the field as a
/// refused body's do (`shareholders[0].document_number: …`).
pub(super) fn read_stored<T: serde::de::DeserializeOwned>(
    json: &serde_json::Value,
) -> Result<T, serde_json::Error> {
    serde_path_to_error::deserialize(json)
        .map_err(|e| serde_json::Error::custom(format!("{}: {}", e.path(), e.inner())))
}

/// `proposal` once the rules that span it found nothing, else every violation in one error.
pub(super) fn checked<T>(rules: Violations, proposal: T) -> Result<T, serde_json::Error> {
    rules.finish(Some(proposal)).map_err(|violations| {
        let reasons: Vec<String> = violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.message))
            .collect();
        serde_json::Error::custom(reasons.join("; "))
    })
}

/// What `api::proposal::validate` checks beyond each value's own type: list sizes, dates
/// against the time of receipt and each other, SCR parameters.
fn proposal_rules(p: &LegalPersonProposal, as_of: AsOf) -> Violations {
    let root = FieldPath::root();
    let mut v = Violations::default();
    if let RequestDate::Given(at) = p.credit_request_date {
        v.check(&root.key("credit_request_date"), as_of.past_instant(at));
    }
    let constitution = root.key("constitution_date");
    v.check(&constitution, as_of.past_date(p.constitution_date));
    v.check(
        &constitution,
        constituted_by(p.constitution_date, p.credit_request_date.at()),
    );
    if let Some(since) = p.client_since {
        v.check(&root.key("client_since"), as_of.past_date(since));
    }
    at_most(&mut v, &root.key("phones"), p.phones.len(), MAX_PHONES);
    let shareholders = root.key("shareholders");
    at_most(
        &mut v,
        &shareholders,
        p.shareholders.len(),
        MAX_SHAREHOLDERS,
    );
    for (i, person) in p.shareholders.iter().enumerate() {
        person_rules(&mut v, &shareholders.index(i), person, as_of);
    }
    let guarantors = root.key("guarantors");
    at_most(&mut v, &guarantors, p.guarantors.len(), MAX_GUARANTORS);
    for (i, guarantor) in p.guarantors.iter().enumerate() {
        if let Guarantor::Natural(person) = guarantor {
            let path = guarantors.index(i).key("natural_person");
            person_rules(&mut v, &path, person, as_of);
        }
    }
    at_most(
        &mut v,
        &root.key("warrants"),
        p.warrants.len(),
        MAX_WARRANTS,
    );
    let scr = root.key("scr_parameters");
    at_most(&mut v, &scr, p.scr_parameters.len(), MAX_SCR_PARAMETERS);
    for (key, value) in &p.scr_parameters {
        v.check(&scr.key(key), scr_parameter(key, value));
    }
    v
}

pub(super) fn person_rules(
    v: &mut Violations,
    path: &FieldPath,
    person: &NaturalPerson,
    as_of: AsOf,
) {
    if let Some(birthdate) = person.birthdate {
        v.check(&path.key("birthdate"), as_of.past_date(birthdate));
    }
    at_most(v, &path.key("phones"), person.phones.len(), MAX_PHONES);
}

pub(super) fn at_most(v: &mut Violations, path: &FieldPath, len: usize, max: usize) {
    if len > max {
        v.refuse(path, &Invalid::TooMany { max });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::domain::decision::tests::qi_proposal;
    use crate::domain::proposal::{
        Appraisal, Cep, Channel, Country, Currency, Installments, InterestType, MAX_CENTS,
        MAX_INSTALLMENTS, Percent, PhoneDigits, PhoneType, PositiveCents, PostalCode,
        ProtectedAttributes, State, Uf, WarrantType,
    };
    use aval_credit::Cpf;
    use chrono::Days;
    use proptest::prelude::*;
    use serde_json::{Value, json};
    use std::net::IpAddr;

    /// When the proposals here were received (an analysis' `created_at` has microseconds).
    fn received_at() -> DateTime<Utc> {
        "2026-05-01T12:00:00.123456Z".parse().unwrap()
    }

    fn read(json: &Value) -> Result<LegalPersonProposal, serde_json::Error> {
        LegalPersonProposal::from_canonical_json(json, received_at())
    }

    /// `p` read back from its canonical JSON, as a `Value` and through text (as the database
    /// returns it).
    fn read_back(p: &LegalPersonProposal) -> [LegalPersonProposal; 2] {
        let json = serde_json::to_value(p).unwrap();
        let text: Value = serde_json::from_str(&serde_json::to_string(&json).unwrap()).unwrap();
        [read(&json).unwrap(), read(&text).unwrap()]
    }

    fn text(s: &str) -> Text {
        Text::required(s).unwrap()
    }

    fn cnpj(s: &str) -> Cnpj {
        Cnpj::parse(s).unwrap()
    }

    fn cents(c: i64) -> Cents {
        Cents::new(c).unwrap()
    }

    fn brazilian_address() -> Address {
        Address {
            country: Country::brazil(),
            street: Some(text("Av. Brigadeiro Faria Lima")),
            number: Some(text("3477")),
            complement: None,
            neighborhood: Some(text("Itaim Bibi")),
            city: Some(text("São Paulo")),
            state: Some(State::Uf(Uf::Sp)),
            postal_code: Some(PostalCode::Cep(Cep::parse("04538-133").unwrap())),
        }
    }

    fn phone(number: &str, kind: Option<PhoneType>) -> Phone {
        Phone {
            international_dial_code: PhoneDigits::dial_code("+55").unwrap(),
            area_code: PhoneDigits::area_code("11").unwrap(),
            number: PhoneDigits::number(number).unwrap(),
            phone_type: kind,
        }
    }

    /// Every `Option` absent, in the proposal and in one item of each list.
    fn bare() -> LegalPersonProposal {
        let mut p = qi_proposal();
        p.registration_id = None;
        p.credit_request_date = RequestDate::Receipt(received_at().fixed_offset());
        p.trading_name = None;
        p.address = None;
        p.source = None;
        p.phones = vec![Phone {
            international_dial_code: None,
            area_code: None,
            number: PhoneDigits::number("32234611").unwrap(),
            phone_type: None,
        }];
        p.shareholders = vec![NaturalPerson {
            name: text("Anna Pinto Azevedo"),
            document: Cpf::parse("261.026.462-31").unwrap(),
            birthdate: None,
            email: None,
            monthly_income: Cents::ZERO,
            declared_assets: Cents::ZERO,
            occupation: None,
            address: None,
            phones: Vec::new(),
            protected: ProtectedAttributes::default(),
        }];
        p.guarantors.clear();
        p.warrants = vec![Warrant {
            warrant_type: WarrantType::RealEstate,
            property_type: None,
            appraisal: Appraisal::new(Cents::ZERO, Cents::ZERO).unwrap(),
            address: None,
        }];
        p
    }

    /// Everything given: guarantors of both kinds, a foreign address, several phones and
    /// warrants, SCR parameters.
    fn full() -> LegalPersonProposal {
        let mut p = qi_proposal();
        p.registration_id = Some(text("client-42"));
        // Nepal's offset and nanoseconds: both must survive.
        p.credit_request_date = RequestDate::Given(
            DateTime::parse_from_rfc3339("2026-04-30T09:15:30.123456789+05:45").unwrap(),
        );
        p.constitution_type = Some(ConstitutionType::Corp);
        p.email = Email::optional("suporte.caas@qitech.com.br").unwrap();
        p.client_category = Some(text("gold"));
        p.client_since = NaiveDate::from_ymd_opt(2020, 2, 29);
        // A foreign region spelled like a UF and a postal code shaped like a CEP stay foreign.
        let usa = Country::parse("usa").unwrap();
        p.address = Some(Address {
            country: usa.clone(),
            street: Some(text("1 Main St")),
            number: None,
            complement: Some(text("Suite 5")),
            neighborhood: None,
            city: Some(text("Springfield")),
            state: State::parse(&usa, "SP").unwrap(),
            postal_code: PostalCode::parse(&usa, "01452905").unwrap(),
        });
        p.phones = vec![
            phone("3223-4611", Some(PhoneType::Commercial)),
            phone("99999-0000", Some(PhoneType::Mobile)),
            phone("123456789012345", None),
        ];
        let mut shareholder = p.shareholders[0].clone();
        shareholder.email = Email::optional("anna@sample.com").unwrap();
        shareholder.address = Some(brazilian_address());
        shareholder.phones = vec![phone("32234611", Some(PhoneType::Residential))];
        p.shareholders.push(shareholder);
        p.guarantors.push(Guarantor::Legal {
            legal_name: text("ACME Participações S.A."),
            document: cnpj("12.ABC.345/01DE-35"),
        });
        let mut warrant = p.warrants[0].clone();
        warrant.address = Some(brazilian_address());
        warrant.appraisal = Appraisal::new(cents(MAX_CENTS), cents(1)).unwrap();
        p.warrants.push(warrant);
        p.warrants.push(p.warrants[0].clone());
        p.financial.currency = Currency::Usd;
        p.financial.interest_type = InterestType::PreFixed;
        p.financial.annual_interest_rate = Percent::new(0.1 + 0.2).unwrap();
        p.financial.number_of_installments = Installments::new(480).unwrap();
        p.source = Some(Source {
            channel: Channel::App,
            ip: Some("2001:db8::1".parse().unwrap()),
            session_id: Some(text("s-1")),
        });
        // Values pass through as given: blank and untrimmed ones too.
        p.scr_parameters = BTreeMap::from([
            ("blank".to_owned(), String::new()),
            ("modalidade".to_owned(), " 0202 ".to_owned()),
        ]);
        p
    }

    #[test]
    fn the_qi_example_reads_back_exactly() {
        let qi = qi_proposal();
        assert_eq!(read_back(&qi), [qi.clone(), qi]);
    }

    #[test]
    fn proposals_with_nothing_or_everything_optional_read_back_exactly() {
        for p in [bare(), full()] {
            assert_eq!(read_back(&p), [p.clone(), p]);
        }
        let mut alone = bare();
        alone.phones.clear();
        alone.shareholders.clear();
        alone.warrants.clear();
        assert_eq!(read_back(&alone), [alone.clone(), alone]);
    }

    #[test]
    fn an_undated_proposal_reads_back_dated_at_its_receipt() {
        let json = serde_json::to_value(bare()).unwrap();
        assert_eq!(json["credit_request_date"], Value::Null);
        let later = received_at() + chrono::Duration::days(1);
        let p = LegalPersonProposal::from_canonical_json(&json, later).unwrap();
        assert_eq!(
            p.credit_request_date,
            RequestDate::Receipt(later.fixed_offset())
        );
    }

    /// The QI example's JSON with `change` applied, read back.
    fn tampered(change: impl FnOnce(&mut Value)) -> String {
        let mut json = serde_json::to_value(qi_proposal()).unwrap();
        change(&mut json);
        read(&json).map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn tampered_values_are_refused_naming_the_field() {
        let refusals = [
            (
                tampered(|j| j["document_number"] = json!("35472523000116")),
                "document_number: is not a valid CNPJ: check digits do not match",
            ),
            (
                tampered(|j| j["shareholders"][0]["document_number"] = json!("26102646232")),
                "shareholders[0].document_number: is not a valid CPF",
            ),
            (
                tampered(|j| j["credit_type"] = json!("mortgage")),
                "credit_type: unknown variant `mortgage`",
            ),
            (
                tampered(|j| j["financial"]["amount"] = json!(-1)),
                "financial.amount: must be greater than zero",
            ),
            (
                tampered(|j| j["monthly_revenue"] = json!(-1)),
                "monthly_revenue: must not be negative",
            ),
            (
                tampered(|j| j["legal_name"] = json!("a".repeat(256))),
                "legal_name: must have at most 255 characters",
            ),
            (
                tampered(|j| j["trading_name"] = json!("")),
                "trading_name: is required",
            ),
            (
                tampered(|j| j["financial"]["number_of_installments"] = json!(481)),
                "financial.number_of_installments: must be between 1 and 480",
            ),
            (
                tampered(|j| j["financial"]["cdi_percentage"] = json!(-0.5)),
                "financial.cdi_percentage: must be a number greater than or equal to 0",
            ),
            (
                tampered(|j| j["warrants"][0]["forced_selling_value"] = json!(100_000_001)),
                "forced_selling_value must not be greater than estimated_value",
            ),
            (
                tampered(|j| {
                    j["address"] = json!({"country": "BRA", "street": null, "number": null,
                        "complement": null, "neighborhood": null, "city": null,
                        "uf": "XX", "postal_code": null})
                }),
                "address: uf must be one of: AC",
            ),
            (
                tampered(|j| j["guarantors"][0] = json!({"partner": {}})),
                "guarantors[0]: unknown variant `partner`",
            ),
            (
                tampered(|j| j["shareholders"][0]["birthdate"] = json!("2026-05-03")),
                "shareholders[0].birthdate: must not be in the future",
            ),
            (
                tampered(|j| {
                    j["guarantors"][0]["natural_person"]["birthdate"] = json!("2026-05-03")
                }),
                "guarantors[0].natural_person.birthdate: must not be in the future",
            ),
            (
                tampered(|j| j["credit_request_date"] = json!("2026-05-01T12:06:00Z")),
                "credit_request_date: must not be in the future",
            ),
            (
                tampered(|j| j["constitution_date"] = json!("2021-04-01")),
                "constitution_date: must not be after credit_request_date",
            ),
            (
                tampered(|j| {
                    j["phones"] = json!(vec![
                        json!({"international_dial_code": null,
                    "area_code": null, "number": "32234611", "type": null});
                        11
                    ])
                }),
                "phones: must have at most 10 items",
            ),
            (
                tampered(|j| j["scr_parameters"] = json!({"a key": "x"})),
                "scr_parameters.a key: must be a name of visible ASCII characters",
            ),
        ];
        for (refusal, expected) in refusals {
            assert!(refusal.contains(expected), "{refusal:?} lacks {expected:?}");
        }
    }

    fn any_text() -> impl Strategy<Value = Text> {
        "\\PC{1,60}".prop_filter_map("blank", |s| Text::optional(&s).ok().flatten())
    }

    fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
        proptest::option::of(s)
    }

    fn any_cnpj() -> impl Strategy<Value = Cnpj> {
        prop::sample::select(&["35472523000115", "11222333000181", "12ABC34501DE35"][..])
            .prop_map(cnpj)
    }

    /// A day from 1800 up to `days` later (82 000 days is mid-2024).
    fn day(days: u64) -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
        (0..days).prop_map(move |d| first + Days::new(d))
    }

    fn any_cents() -> impl Strategy<Value = Cents> {
        (0..=MAX_CENTS).prop_map(cents)
    }

    fn any_percent() -> impl Strategy<Value = Percent> {
        prop::num::f64::ANY.prop_filter_map("not a percent", |f| Percent::new(f).ok())
    }

    /// Given since 2000 in any whole-minute offset, or not given. Whole minutes only: chrono
    /// writes an offset rounded to the minute, so one with seconds (which gRPC lets a partner
    /// send) is stored 30 s off at worst and does not read back exactly.
    fn request_date() -> impl Strategy<Value = RequestDate> {
        let given = (
            946_684_800..received_at().timestamp(),
            0..1_000_000_000u32,
            -1439..1440,
        )
            .prop_map(|(secs, nanos, minutes)| {
                let utc = DateTime::from_timestamp(secs, nanos).unwrap();
                let offset = FixedOffset::east_opt(minutes * 60).unwrap();
                RequestDate::Given(utc.with_timezone(&offset))
            });
        prop_oneof![
            Just(RequestDate::Receipt(received_at().fixed_offset())),
            given
        ]
    }

    fn address() -> impl Strategy<Value = Address> {
        let texts = || {
            (
                opt(any_text()),
                opt(any_text()),
                opt(any_text()),
                opt(any_text()),
                opt(any_text()),
            )
        };
        let brazilian = (texts(), opt(prop::sample::select(Uf::ALL)), opt("[0-9]{8}"))
            .prop_map(|(texts, uf, cep)| (Country::brazil(), texts, uf.map(State::Uf), cep));
        // Foreign regions and codes that look Brazilian are the ones most easily misread.
        let foreign = (
            prop::sample::select(&["usa", "PRT", "Arg"][..]),
            texts(),
            opt(prop_oneof![Just("SP".to_owned()), "\\PC{1,20}"]),
            opt(prop_oneof![Just("01452905".to_owned()), "\\PC{1,20}"]),
        )
            .prop_map(|(country, texts, state, postal)| {
                let country = Country::parse(country).unwrap();
                let state = State::parse(&country, &state.unwrap_or_default()).unwrap();
                (country, texts, state, postal)
            });
        prop_oneof![brazilian, foreign].prop_map(|(country, texts, state, postal)| {
            let (street, number, complement, neighborhood, city) = texts;
            let postal = postal.unwrap_or_default();
            Address {
                postal_code: PostalCode::parse(&country, &postal).unwrap(),
                country,
                street,
                number,
                complement,
                neighborhood,
                city,
                state,
            }
        })
    }

    fn any_phone() -> impl Strategy<Value = Phone> {
        (
            opt("[0-9]{1,3}"),
            opt("[0-9]{1,4}"),
            "[0-9]{4,15}",
            opt(prop::sample::select(PhoneType::ALL)),
        )
            .prop_map(|(dial, area, number, phone_type)| Phone {
                international_dial_code: PhoneDigits::dial_code(&dial.unwrap_or_default()).unwrap(),
                area_code: PhoneDigits::area_code(&area.unwrap_or_default()).unwrap(),
                number: PhoneDigits::number(&number).unwrap(),
                phone_type,
            })
    }

    fn any_email() -> impl Strategy<Value = Email> {
        "[a-z0-9._+-]{1,10}@[a-z0-9]{1,10}\\.(com|com\\.br|io)"
            .prop_map(|e| Email::optional(&e).unwrap().unwrap())
    }

    fn person() -> impl Strategy<Value = NaturalPerson> {
        (
            any_text(),
            (1..1_000_000_000u64).prop_filter_map("repeated digits", |n| Cpf::from_number(n).ok()),
            opt(day(82_000)),
            opt(any_email()),
            any_cents(),
            any_cents(),
            opt(any_text()),
            opt(address()),
            prop::collection::vec(any_phone(), 0..3),
            (
                opt(any_text()),
                opt(any_text()),
                opt(any_text()),
                opt(any_text()),
            ),
        )
            .prop_map(
                |(
                    name,
                    document,
                    birthdate,
                    email,
                    income,
                    assets,
                    occupation,
                    address,
                    phones,
                    protected,
                )| {
                    let (gender, nationality, mother_name, father_name) = protected;
                    NaturalPerson {
                        name,
                        document,
                        birthdate,
                        email,
                        monthly_income: income,
                        declared_assets: assets,
                        occupation,
                        address,
                        phones,
                        protected: ProtectedAttributes {
                            gender,
                            nationality,
                            mother_name,
                            father_name,
                        },
                    }
                },
            )
    }

    fn guarantor() -> impl Strategy<Value = Guarantor> {
        prop_oneof![
            person().prop_map(|p| Guarantor::Natural(Box::new(p))),
            (any_text(), any_cnpj()).prop_map(|(legal_name, document)| Guarantor::Legal {
                legal_name,
                document
            }),
        ]
    }

    fn warrant() -> impl Strategy<Value = Warrant> {
        (
            opt(any_text()),
            (0..=MAX_CENTS).prop_flat_map(|estimated| (Just(estimated), 0..=estimated)),
            opt(address()),
        )
            .prop_map(|(property_type, (estimated, forced), address)| Warrant {
                warrant_type: WarrantType::RealEstate,
                property_type,
                appraisal: Appraisal::new(cents(estimated), cents(forced)).unwrap(),
                address,
            })
    }

    fn financial() -> impl Strategy<Value = Financial> {
        (
            1..=MAX_CENTS,
            prop::sample::select(Currency::ALL),
            prop::sample::select(InterestType::ALL),
            any_percent(),
            any_percent(),
            1..=i32::from(MAX_INSTALLMENTS),
        )
            .prop_map(
                |(amount, currency, interest_type, rate, cdi, installments)| Financial {
                    amount: PositiveCents::new(amount).unwrap(),
                    currency,
                    interest_type,
                    annual_interest_rate: rate,
                    cdi_percentage: cdi,
                    number_of_installments: Installments::new(installments).unwrap(),
                },
            )
    }

    fn source() -> impl Strategy<Value = Source> {
        (
            prop::sample::select(Channel::ALL),
            opt(any::<IpAddr>()),
            opt(any_text()),
        )
            .prop_map(|(channel, ip, session_id)| Source {
                channel,
                ip,
                session_id,
            })
    }

    fn proposal() -> impl Strategy<Value = LegalPersonProposal> {
        let company = (
            "[!-~]{1,100}".prop_map(|id| ProposalId::parse(&id).unwrap()),
            opt(any_text()),
            request_date(),
            prop::sample::select(CreditType::ALL),
            any_text(),
            opt(any_text()),
            any_cnpj(),
            // Up to late 1999: before any request date drawn.
            day(73_000),
            opt(prop::sample::select(ConstitutionType::ALL)),
            opt(any_email()),
            any_cents(),
            opt(any_text()),
        );
        let rest = (
            opt(day(82_000)),
            opt(address()),
            prop::collection::vec(any_phone(), 0..4),
            prop::collection::vec(person(), 0..3),
            prop::collection::vec(guarantor(), 0..3),
            financial(),
            prop::collection::vec(warrant(), 0..4),
            opt(source()),
            prop::collection::btree_map("[!-~]{1,20}", "[ a-zA-Z0-9]{0,20}", 0..4),
        );
        (company, rest).prop_map(|(company, rest)| {
            let (
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
            ) = company;
            let (
                client_since,
                address,
                phones,
                shareholders,
                guarantors,
                financial,
                warrants,
                source,
                scr_parameters,
            ) = rest;
            LegalPersonProposal {
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
                scr_parameters,
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_valid_proposal_reads_back_exactly(p in proposal()) {
            let [from_value, from_text] = read_back(&p);
            prop_assert_eq!(&from_value, &p);
            prop_assert_eq!(&from_text, &p);
        }
    }
}
