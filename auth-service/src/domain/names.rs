//! The names operators give: tenant and client ids, display names.

use aval_errors::FieldCode;

/// Longest operator-chosen id.
const MAX_ID_CHARS: usize = 64;
/// Longest display name.
const MAX_NAME_CHARS: usize = 255;

/// Why a name was refused: the field code and the rule, for the caller's field violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    pub code: FieldCode,
    pub rule: &'static str,
}

/// An operator-chosen id (tenant, client): 1 to 64 letters, digits, `-` or `_`, so it is safe
/// in URLs, logs and file names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Id(String);

impl Id {
    pub fn parse(input: &str) -> Result<Self, Refused> {
        let ok = !input.is_empty()
            && input.len() <= MAX_ID_CHARS
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(input.to_owned()))
        } else {
            Err(Refused {
                code: FieldCode::InvalidFormat,
                rule: "1 to 64 letters, digits, `-` or `_`",
            })
        }
    }

    /// A random tenant id, for an operator who chose none.
    pub fn generated_tenant() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// A random client id (`cl_…`), for an operator who chose none.
    pub fn generated_client() -> Self {
        Self(format!("cl_{}", uuid::Uuid::new_v4().simple()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: trimmed, 1 to 255 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, Refused> {
        let name = input.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(Refused {
                code: FieldCode::Required,
                rule: "1 to 255 characters",
            });
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_url_safe_and_bounded() {
        assert!(Id::parse("acme-credito_1").is_ok());
        assert!(Id::parse("").is_err());
        assert!(Id::parse("a b").is_err());
        assert!(Id::parse("café").is_err());
        assert!(Id::parse(&"x".repeat(64)).is_ok());
        assert!(Id::parse(&"x".repeat(65)).is_err());
        assert!(Id::generated_client().as_str().starts_with("cl_"));
        assert!(Id::parse(Id::generated_tenant().as_str()).is_ok());
    }

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(
            DisplayName::parse("  Acme Crédito ").map(|n| n.as_str().to_owned()),
            Ok("Acme Crédito".to_owned())
        );
        assert_eq!(
            DisplayName::parse("   ").map_err(|r| r.code),
            Err(FieldCode::Required)
        );
        assert!(DisplayName::parse(&"é".repeat(255)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(256)).is_err());
    }
}
