use super::{Invalid, parsed};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// Longest free text accepted in any field (names, streets, categories…).
pub const MAX_TEXT_CHARS: usize = 255;
/// Longest proposal id: it is the idempotency key, stored and indexed.
pub const MAX_ID_CHARS: usize = 100;
/// RFC 5321's limit on a forward path.
const MAX_EMAIL_CHARS: usize = 254;

/// Free text: trimmed, non-empty, at most [`MAX_TEXT_CHARS`] characters, no control characters.
/// `Debug` shows only the length, because most of these fields hold personal data.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    /// Blank input is absent (`Ok(None)`): a partner leaving a field empty has said nothing.
    pub fn optional(input: &str) -> Result<Option<Self>, Invalid> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        if input.chars().count() > MAX_TEXT_CHARS {
            return Err(Invalid::TooLong {
                max: MAX_TEXT_CHARS,
            });
        }
        if input.chars().any(char::is_control) {
            return Err(Invalid::Format("text without control characters"));
        }
        Ok(Some(Self(input.to_owned())))
    }

    /// Like [`Text::optional`], but blank is [`Invalid::Required`].
    pub fn required(input: &str) -> Result<Self, Invalid> {
        Self::optional(input)?.ok_or(Invalid::Required)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Stored text is already trimmed, so it reads back unchanged; absent text is `null`, never
/// `""`, hence `required`.
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, |text: String| Self::required(&text))
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Text({} chars)", self.0.chars().count())
    }
}

/// The partner's proposal id, our idempotency key: 1 to [`MAX_ID_CHARS`] visible ASCII
/// characters (no blanks), so it is safe in URLs, logs and indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ProposalId(String);

impl ProposalId {
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        if input.is_empty() {
            return Err(Invalid::Required);
        }
        if input.chars().count() > MAX_ID_CHARS {
            return Err(Invalid::TooLong { max: MAX_ID_CHARS });
        }
        if !input.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Invalid::Format("visible ASCII characters, without spaces"));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ProposalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, |id: String| Self::parse(&id))
    }
}

impl fmt::Display for ProposalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, checked only for the shape `local@domain.tld`: the real test of an
/// address is a message reaching it, which is not this service's job.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Blank input is absent (`Ok(None)`).
    pub fn optional(input: &str) -> Result<Option<Self>, Invalid> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        if input.chars().count() > MAX_EMAIL_CHARS {
            return Err(Invalid::TooLong {
                max: MAX_EMAIL_CHARS,
            });
        }
        let Some((local, domain)) = input.split_once('@') else {
            return Err(Invalid::Email);
        };
        let well_formed = !local.is_empty()
            && !local.chars().any(|c| c.is_whitespace() || c.is_control())
            && domain_is_well_formed(domain);
        if well_formed {
            Ok(Some(Self(input.to_owned())))
        } else {
            Err(Invalid::Email)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An absent e-mail is stored as `null`, so a stored one is never blank.
impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parsed(deserializer, |email: String| {
            Self::optional(&email)?.ok_or(Invalid::Required)
        })
    }
}

/// Dot-separated labels of letters, digits and hyphens, at least two, the last (the TLD) of
/// two or more letters.
fn domain_is_well_formed(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

impl fmt::Debug for Email {
    /// `a***@qitech.com.br`: the domain only, personal part hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (local, domain) = self.0.split_once('@').unwrap_or(("", &self.0));
        let first = local.chars().next().unwrap_or('*');
        write!(f, "Email({first}***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_is_trimmed_bounded_and_blank_means_absent() {
        assert_eq!(Text::optional("  "), Ok(None));
        assert_eq!(
            Text::optional(" QI Tech ").map(|t| t.map(|t| t.as_str().to_owned())),
            Ok(Some("QI Tech".to_owned()))
        );
        assert_eq!(Text::required(""), Err(Invalid::Required));
        assert_eq!(
            Text::optional(&"a".repeat(256)),
            Err(Invalid::TooLong { max: 255 })
        );
        assert!(Text::optional(&"é".repeat(255)).is_ok());
        assert!(matches!(Text::optional("a\u{0}b"), Err(Invalid::Format(_))));
        let debug = Text::required("Anna Pinto").map(|t| format!("{t:?}"));
        assert_eq!(debug, Ok("Text(10 chars)".to_owned()));
    }

    #[test]
    fn proposal_ids_are_visible_ascii_up_to_100() {
        assert!(ProposalId::parse("12345678").is_ok());
        assert!(ProposalId::parse("2bb684f9-6c00-4993-bcd7-18b9eccd7c9d").is_ok());
        assert_eq!(ProposalId::parse(""), Err(Invalid::Required));
        assert!(matches!(ProposalId::parse("a b"), Err(Invalid::Format(_))));
        assert!(matches!(ProposalId::parse("ação"), Err(Invalid::Format(_))));
        assert_eq!(
            ProposalId::parse(&"x".repeat(101)),
            Err(Invalid::TooLong { max: 100 })
        );
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for good in [
            "suporte.caas@qitech.com.br",
            "a+b@x.io",
            " annapintoazevedo@sample.com ",
        ] {
            assert!(matches!(Email::optional(good), Ok(Some(_))), "{good}");
        }
        for bad in [
            "plain",
            "@qitech.com",
            "a@qitech",
            "a@@x.com",
            "a b@x.com",
            "a@x..com",
            "a@-x.com",
            "a@x.c",
            "a@x.c0m",
        ] {
            assert_eq!(Email::optional(bad), Err(Invalid::Email), "{bad}");
        }
        assert_eq!(Email::optional(""), Ok(None));
        let debug = Email::optional("suporte@qitech.com.br").map(|e| e.map(|e| format!("{e:?}")));
        assert_eq!(debug, Ok(Some("Email(s***@qitech.com.br)".to_owned())));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(input in ".{0,300}") {
            let _ = Text::optional(&input);
            let _ = ProposalId::parse(&input);
            let _ = Email::optional(&input);
        }

        #[test]
        fn accepted_text_round_trips_trimmed(input in "[ a-zA-Zà-ú0-9.,-]{0,300}") {
            if let Ok(Some(text)) = Text::optional(&input) {
                prop_assert_eq!(text.as_str(), input.trim());
                prop_assert!(text.as_str().chars().count() <= MAX_TEXT_CHARS);
            }
        }
    }
}
