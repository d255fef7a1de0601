use super::{Invalid, PhoneType, Text, Uf, parsed};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// A postal address. Brazilian ones (country `BRA`, the default) have their UF checked against
/// the 27 units and their CEP against 8 digits; foreign ones keep those fields as free text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "StoredAddress")]
pub struct Address {
    pub country: Country,
    pub street: Option<Text>,
    pub number: Option<Text>,
    pub complement: Option<Text>,
    pub neighborhood: Option<Text>,
    pub city: Option<Text>,
    #[serde(rename = "uf")]
    pub state: Option<State>,
    pub postal_code: Option<PostalCode>,
}

/// An address as stored, its UF and postal code still text: which type they are depends on
/// the country, as on receipt. (Read on their own, untagged, a foreign region `SP` would come
/// back as São Paulo's UF and a foreign 8-digit postal code as a CEP.)
#[derive(serde::Deserialize)]
struct StoredAddress {
    country: Country,
    street: Option<Text>,
    number: Option<Text>,
    complement: Option<Text>,
    neighborhood: Option<Text>,
    city: Option<Text>,
    uf: Option<String>,
    postal_code: Option<String>,
}

impl TryFrom<StoredAddress> for Address {
    /// The field's name and why: the error has no path of its own below the address.
    type Error = String;

    fn try_from(stored: StoredAddress) -> Result<Self, String> {
        let country = stored.country;
        let uf = stored.uf.unwrap_or_default();
        let state = State::parse(&country, &uf).map_err(|e| format!("uf {e}"))?;
        let postal_code = stored.postal_code.unwrap_or_default();
        let postal_code =
            PostalCode::parse(&country, &postal_code).map_err(|e| format!("postal_code {e}"))?;
        Ok(Self {
            country,
            street: stored.street,
            number: stored.number,
            complement: stored.complement,
            neighborhood: stored.neighborhood,
            city: stored.city,
            state,
            postal_code,
        })
    }
}

/// An ISO 3166-1 alpha-3 country code, upper case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Country(String);

impl Country {
    /// Blank means Brazil: the partners of a Brazilian credit platform mostly leave it out.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(Self::brazil());
        }
        if input.len() == 3 && input.chars().all(|c| c.is_ascii_alphabetic()) {
            Ok(Self(input.to_ascii_uppercase()))
        } else {
            Err(Invalid::Format(
                "an ISO 3166-1 alpha-3 country code, such as BRA",
            ))
        }
    }

    pub fn brazil() -> Self {
        Self("BRA".to_owned())
    }

    pub fn is_brazil(&self) -> bool {
        self.0 == "BRA"
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, |code: String| Self::parse(&code))
    }
}

/// The state of an address: a Brazilian UF, or a foreign region as given.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum State {
    Uf(Uf),
    Foreign(Text),
}

impl State {
    /// Blank input is absent.
    pub fn parse(country: &Country, input: &str) -> Result<Option<Self>, Invalid> {
        if input.trim().is_empty() {
            return Ok(None);
        }
        if country.is_brazil() {
            Uf::parse(input).map(|uf| Some(Self::Uf(uf)))
        } else {
            Text::optional(input).map(|text| text.map(Self::Foreign))
        }
    }
}

/// A postal code: a Brazilian CEP, or a foreign code as given.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum PostalCode {
    Cep(Cep),
    Foreign(Text),
}

impl PostalCode {
    /// Blank input is absent.
    pub fn parse(country: &Country, input: &str) -> Result<Option<Self>, Invalid> {
        if input.trim().is_empty() {
            return Ok(None);
        }
        if country.is_brazil() {
            Cep::parse(input).map(|cep| Some(Self::Cep(cep)))
        } else {
            Text::optional(input).map(|text| text.map(Self::Foreign))
        }
    }
}

/// A Brazilian CEP, kept as its 8 digits; accepted as `01452-905` or `01452905`.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Cep(String);

impl Cep {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let input = input.trim();
        let digits = match input.split_once('-') {
            Some((head, tail)) if head.len() == 5 && tail.len() == 3 => format!("{head}{tail}"),
            Some(_) => String::new(),
            None => input.to_owned(),
        };
        if digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(Invalid::Format(
                "a CEP of 8 digits, as 01452-905 or 01452905",
            ))
        }
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..5], &self.0[5..])
    }
}

impl fmt::Debug for Cep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cep({self})")
    }
}

/// A phone number in parts. Digits only are kept: the usual separators (` `, `-`, `.`, `(`,
/// `)`) and a leading `+` on the dial code are dropped.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Phone {
    /// 1 to 3 digits (`55` for Brazil).
    #[serde(deserialize_with = "PhoneDigits::read_dial_code")]
    pub international_dial_code: Option<PhoneDigits>,
    /// 1 to 4 digits (Brazil's DDD has 2).
    #[serde(deserialize_with = "PhoneDigits::read_area_code")]
    pub area_code: Option<PhoneDigits>,
    /// 4 to 15 digits (E.164's longest number).
    #[serde(deserialize_with = "PhoneDigits::read_number")]
    pub number: PhoneDigits,
    #[serde(rename = "type")]
    pub phone_type: Option<PhoneType>,
}

/// Digits of one part of a phone number.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneDigits(String);

impl PhoneDigits {
    /// The international dial code; blank is absent.
    pub fn dial_code(input: &str) -> Result<Option<Self>, Invalid> {
        let input = input.trim();
        Self::optional(
            input.strip_prefix('+').unwrap_or(input),
            1..=3,
            "1 to 3 digits",
        )
    }

    /// The area code; blank is absent.
    pub fn area_code(input: &str) -> Result<Option<Self>, Invalid> {
        Self::optional(input, 1..=4, "1 to 4 digits")
    }

    /// The subscriber number; required.
    pub fn number(input: &str) -> Result<Self, Invalid> {
        Self::optional(input, 4..=15, "4 to 15 digits")?.ok_or(Invalid::Required)
    }

    fn optional(
        input: &str,
        length: std::ops::RangeInclusive<usize>,
        expected: &'static str,
    ) -> Result<Option<Self>, Invalid> {
        let kept: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
            .collect();
        if kept.is_empty() {
            return Ok(None);
        }
        if length.contains(&kept.len()) && kept.chars().all(|c| c.is_ascii_digit()) {
            Ok(Some(Self(kept)))
        } else {
            Err(Invalid::Format(expected))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    // Read back from storage by each part's own rule (no `Deserialize`: the length allowed
    // depends on the part). `null` reads as blank, which is absent.
    fn read_dial_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        parsed(d, |code: Option<String>| {
            Self::dial_code(code.as_deref().unwrap_or_default())
        })
    }

    fn read_area_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
        parsed(d, |code: Option<String>| {
            Self::area_code(code.as_deref().unwrap_or_default())
        })
    }

    fn read_number<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, |number: String| Self::number(&number))
    }
}

impl fmt::Debug for PhoneDigits {
    /// Only the last two digits: phone numbers are personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = self.0.get(self.0.len().saturating_sub(2)..).unwrap_or("");
        write!(f, "PhoneDigits(**{tail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_defaults_to_brazil_and_is_upper_cased() {
        assert_eq!(Country::parse(""), Ok(Country::brazil()));
        assert_eq!(Country::parse("bra").map(|c| c.is_brazil()), Ok(true));
        assert_eq!(
            Country::parse("usa").map(|c| c.as_str().to_owned()),
            Ok("USA".to_owned())
        );
        assert!(Country::parse("BR").is_err());
    }

    #[test]
    fn uf_is_checked_only_in_brazil() {
        let brazil = Country::brazil();
        assert_eq!(State::parse(&brazil, "sp"), Ok(Some(State::Uf(Uf::Sp))));
        assert!(matches!(
            State::parse(&brazil, "XX"),
            Err(Invalid::Enum { .. })
        ));
        let usa = Country::parse("USA").unwrap_or_else(|_| Country::brazil());
        assert!(matches!(
            State::parse(&usa, "California"),
            Ok(Some(State::Foreign(_)))
        ));
        assert_eq!(State::parse(&brazil, " "), Ok(None));
    }

    #[test]
    fn cep_has_8_digits_with_or_without_dash() {
        assert_eq!(
            Cep::parse("01452-905").map(|c| c.to_string()),
            Ok("01452-905".to_owned())
        );
        assert_eq!(
            Cep::parse("01452905").map(|c| c.digits().to_owned()),
            Ok("01452905".to_owned())
        );
        for bad in [
            "0145-2905",
            "1452-905",
            "01452-9050",
            "0145290a",
            "01452_905",
        ] {
            assert!(Cep::parse(bad).is_err(), "{bad}");
        }
        let usa = Country::parse("USA").unwrap_or_else(|_| Country::brazil());
        assert!(matches!(
            PostalCode::parse(&usa, "SW1A 1AA"),
            Ok(Some(PostalCode::Foreign(_)))
        ));
    }

    #[test]
    fn phone_parts_keep_digits_only() {
        assert_eq!(
            PhoneDigits::dial_code("+55").map(|d| d.map(|d| d.as_str().to_owned())),
            Ok(Some("55".to_owned()))
        );
        assert_eq!(
            PhoneDigits::number("3223-4611").map(|d| d.as_str().to_owned()),
            Ok("32234611".to_owned())
        );
        assert_eq!(PhoneDigits::number(""), Err(Invalid::Required));
        assert!(PhoneDigits::number("123").is_err());
        assert!(PhoneDigits::number("3223x4611").is_err());
        assert!(PhoneDigits::area_code("11111").is_err());
        let debug = PhoneDigits::number("32234611").map(|d| format!("{d:?}"));
        assert_eq!(debug, Ok("PhoneDigits(**11)".to_owned()));
    }
}
