//! Feature declarations: the named inputs a tenant's models may read. Declaring a feature runs
//! the same art. 7-A guard as publishing a model, on its name and its display name.

use super::protected::{self, ProtectedField};
use super::record::FeatureValue;
use aval_errors::{FieldCode, FieldPath, FieldViolation};
use std::collections::BTreeMap;

/// Longest feature name.
pub const MAX_FEATURE_NAME_CHARS: usize = 64;

/// What kind of value a feature holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureKind {
    Number,
    Text,
    Bool,
}

impl FeatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "a number",
            Self::Text => "text",
            Self::Bool => "a boolean",
        }
    }

    /// The kind's name in requests and files (`number`, `text`, `bool`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Text => "text",
            Self::Bool => "bool",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Number, Self::Text, Self::Bool]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// A value as this kind holds it. Untyped text (a CSV cell) is read as the kind: numbers
    /// in `1234.5` form, booleans as `true`/`false`/`1`/`0`; blank untyped text is missing.
    pub fn read(self, value: IncomingValue) -> Result<FeatureValue, String> {
        match (self, value) {
            (_, IncomingValue::Missing) => Ok(FeatureValue::Missing),
            (_, IncomingValue::Untyped(text)) if text.trim().is_empty() => {
                Ok(FeatureValue::Missing)
            }
            (Self::Number, IncomingValue::Number(n)) if n.is_finite() => {
                Ok(FeatureValue::Number(n))
            }
            (Self::Number, IncomingValue::Untyped(text)) => match text.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(FeatureValue::Number(n)),
                _ => Err(format!("`{text}` is not a number")),
            },
            (Self::Bool, IncomingValue::Bool(b)) => Ok(FeatureValue::Bool(b)),
            (Self::Bool, IncomingValue::Untyped(text)) => {
                match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => Ok(FeatureValue::Bool(true)),
                    "false" | "0" => Ok(FeatureValue::Bool(false)),
                    _ => Err(format!("`{text}` is not true or false")),
                }
            }
            (Self::Text, IncomingValue::Text(text) | IncomingValue::Untyped(text)) => {
                Ok(FeatureValue::Text(text))
            }
            (kind, other) => Err(format!(
                "expected {}, got {}",
                kind.as_str(),
                other.kind_name()
            )),
        }
    }
}

/// A feature value as a caller sent it, before it is read as the feature's declared kind.
#[derive(Clone, Debug, PartialEq)]
pub enum IncomingValue {
    Number(f64),
    Text(String),
    Bool(bool),
    /// Text whose kind is the feature's (a CSV cell).
    Untyped(String),
    Missing,
}

impl IncomingValue {
    fn kind_name(&self) -> &'static str {
        match self {
            Self::Number(n) if !n.is_finite() => "a number that is not finite",
            Self::Number(_) => "a number",
            Self::Text(_) | Self::Untyped(_) => "text",
            Self::Bool(_) => "a boolean",
            Self::Missing => "nothing",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureDeclaration {
    name: String,
    display_name: Option<String>,
    kind: FeatureKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FeatureError {
    #[error(
        "a feature name is 1 to {MAX_FEATURE_NAME_CHARS} letters, digits, `_`, `.` or `-`, starting with a letter"
    )]
    Name,
    #[error(transparent)]
    Protected(#[from] ProtectedField),
    #[error("the feature `{0}` is already declared")]
    Duplicate(String),
}

impl FeatureError {
    /// The error as the envelope's field violation.
    pub fn violation(&self) -> FieldViolation {
        let (field, code) = match self {
            Self::Name => ("name", FieldCode::InvalidFormat),
            Self::Protected(p) if p.location == "display_name" => {
                ("display_name", FieldCode::Invalid)
            }
            Self::Protected(_) => ("name", FieldCode::Invalid),
            Self::Duplicate(_) => ("name", FieldCode::Invalid),
        };
        FieldViolation::new(field, code, self.to_string())
    }
}

impl FeatureDeclaration {
    pub fn new(
        name: &str,
        display_name: Option<&str>,
        kind: FeatureKind,
    ) -> Result<Self, FeatureError> {
        let mut chars = name.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
            && name.len() <= MAX_FEATURE_NAME_CHARS;
        if !well_formed {
            return Err(FeatureError::Name);
        }
        protected::check("name", name)?;
        if let Some(display) = display_name {
            protected::check("display_name", display)?;
        }
        Ok(Self {
            name: name.to_owned(),
            display_name: display_name.map(str::to_owned),
            kind,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    pub fn kind(&self) -> FeatureKind {
        self.kind
    }
}

/// The features a tenant's models may read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeatureCatalog(BTreeMap<String, FeatureDeclaration>);

impl FeatureCatalog {
    /// Which of `declarations` a tenant whose own features are these would add: one already
    /// declared the same way is no change; a different kind or display name, a `platform`
    /// feature's name, or a name declared twice is refused (every refusal, by index).
    pub fn new_declarations(
        &self,
        platform: &FeatureCatalog,
        declarations: Vec<FeatureDeclaration>,
    ) -> Result<Vec<FeatureDeclaration>, Vec<FieldViolation>> {
        let mut violations = Vec::new();
        let mut new: Vec<FeatureDeclaration> = Vec::new();
        for (i, declaration) in declarations.into_iter().enumerate() {
            let field = FieldPath::field("features").index(i).key("name");
            let name = declaration.name();
            let refusal = if platform.get(name).is_some() {
                Some(format!("`{name}` is a platform feature"))
            } else if let Some(existing) = self.get(name) {
                (*existing != declaration).then(|| {
                    format!(
                        "`{name}` is already declared as {}; a declaration cannot change",
                        existing.kind().as_str()
                    )
                })
            } else if new.iter().any(|d| d.name() == name) {
                Some(format!("`{name}` is declared twice"))
            } else {
                new.push(declaration);
                None
            };
            if let Some(message) = refusal {
                violations.push(FieldViolation::at(&field, FieldCode::Invalid, message));
            }
        }
        if violations.is_empty() {
            Ok(new)
        } else {
            Err(violations)
        }
    }

    /// The platform's behavioural profile ([`super::record::Record::from_profile`]).
    pub fn platform() -> Self {
        let mut catalog = Self::default();
        for (name, display, kind) in [
            (
                "months_as_customer",
                "Tempo de relacionamento",
                FeatureKind::Number,
            ),
            (
                "on_time_payment_ratio",
                "Contas pagas em dia",
                FeatureKind::Number,
            ),
            (
                "late_payments_12m",
                "Atrasos nos últimos 12 meses",
                FeatureKind::Number,
            ),
            (
                "average_monthly_spend_cents",
                "Consumo mensal médio",
                FeatureKind::Number,
            ),
            (
                "active_lines",
                "Produtos e linhas ativos",
                FeatureKind::Number,
            ),
            ("has_bank_account", "Conta bancária", FeatureKind::Bool),
        ] {
            let declared = FeatureDeclaration::new(name, Some(display), kind)
                .map_err(|e| e.to_string())
                .and_then(|d| catalog.declare(d).map_err(|e| e.to_string()));
            debug_assert!(declared.is_ok(), "{declared:?}");
        }
        catalog
    }

    pub fn declare(&mut self, declaration: FeatureDeclaration) -> Result<(), FeatureError> {
        if self.0.contains_key(&declaration.name) {
            return Err(FeatureError::Duplicate(declaration.name));
        }
        self.0.insert(declaration.name.clone(), declaration);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&FeatureDeclaration> {
        self.0.get(name)
    }

    /// This catalog with `other`'s declarations added (`other` wins a name both declare).
    #[must_use]
    pub fn merged(mut self, other: &Self) -> Self {
        for declaration in other.iter() {
            self.0.insert(declaration.name.clone(), declaration.clone());
        }
        self
    }

    /// How the feature is called in plain words: its display name, else its name.
    pub fn label<'a>(&'a self, name: &'a str) -> &'a str {
        self.get(name)
            .and_then(FeatureDeclaration::display_name)
            .unwrap_or(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &FeatureDeclaration> {
        self.0.values()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_catalog_declares_the_profile() {
        let catalog = FeatureCatalog::platform();
        assert_eq!(catalog.iter().count(), 6);
        assert_eq!(
            catalog.get("has_bank_account").unwrap().kind(),
            FeatureKind::Bool
        );
    }

    #[test]
    fn declarations_are_guarded_like_models() {
        let err = FeatureDeclaration::new("client_gender", None, FeatureKind::Text).unwrap_err();
        assert!(
            matches!(&err, FeatureError::Protected(p) if p.location == "name"),
            "{err}"
        );
        assert!(err.to_string().contains("art. 7-A"), "{err}");
        let err =
            FeatureDeclaration::new("attr_7", Some("Raça/Cor"), FeatureKind::Text).unwrap_err();
        assert_eq!(err.violation().field, "display_name");
        assert_eq!(err.violation().code, FieldCode::Invalid);
        assert!(
            FeatureDeclaration::new(
                "originating_channel",
                Some("Canal de entrada"),
                FeatureKind::Text
            )
            .is_ok()
        );
    }

    #[test]
    fn values_are_read_as_the_declared_kind() {
        use IncomingValue as In;
        let untyped = |s: &str| In::Untyped(s.to_owned());
        assert_eq!(
            FeatureKind::Number.read(untyped(" 12.5 ")),
            Ok(FeatureValue::Number(12.5))
        );
        assert_eq!(
            FeatureKind::Number.read(untyped("")),
            Ok(FeatureValue::Missing)
        );
        assert!(FeatureKind::Number.read(untyped("12,5")).is_err());
        assert!(FeatureKind::Number.read(untyped("NaN")).is_err());
        assert!(FeatureKind::Number.read(In::Number(f64::INFINITY)).is_err());
        assert_eq!(
            FeatureKind::Number.read(In::Text("1".into())),
            Err("expected a number, got text".into())
        );
        assert_eq!(
            FeatureKind::Bool.read(untyped("TRUE")),
            Ok(FeatureValue::Bool(true))
        );
        assert_eq!(
            FeatureKind::Bool.read(untyped("0")),
            Ok(FeatureValue::Bool(false))
        );
        assert!(FeatureKind::Bool.read(untyped("sim")).is_err());
        assert!(FeatureKind::Bool.read(In::Number(1.0)).is_err());
        assert_eq!(
            FeatureKind::Text.read(untyped("prepaid")),
            Ok(FeatureValue::text("prepaid"))
        );
        assert_eq!(
            FeatureKind::Text.read(In::Missing),
            Ok(FeatureValue::Missing)
        );
        assert!(FeatureKind::Text.read(In::Bool(true)).is_err());
        for kind in [FeatureKind::Number, FeatureKind::Text, FeatureKind::Bool] {
            assert_eq!(FeatureKind::parse(kind.name()), Some(kind));
        }
    }

    #[test]
    fn names_are_identifiers_and_declared_once() {
        for bad in ["", "1abc", "a b", "é", &"a".repeat(65)] {
            assert_eq!(
                FeatureDeclaration::new(bad, None, FeatureKind::Number),
                Err(FeatureError::Name),
                "{bad}"
            );
        }
        let mut catalog = FeatureCatalog::platform();
        let again = FeatureDeclaration::new("active_lines", None, FeatureKind::Number).unwrap();
        assert_eq!(
            catalog.declare(again),
            Err(FeatureError::Duplicate("active_lines".into()))
        );
        let new =
            FeatureDeclaration::new("income.monthly-cents", None, FeatureKind::Number).unwrap();
        assert!(catalog.declare(new).is_ok());
    }
}
