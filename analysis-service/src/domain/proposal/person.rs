use super::{Address, Cents, Email, Phone, Text};
use aval_credit::{Cnpj, Cpf};
use chrono::NaiveDate;

/// A person who owns part of the company or guarantees the credit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NaturalPerson {
    pub name: Text,
    #[serde(
        rename = "document_number",
        serialize_with = "super::serialize_cpf",
        deserialize_with = "super::deserialize_cpf"
    )]
    pub document: Cpf,
    pub birthdate: Option<NaiveDate>,
    pub email: Option<Email>,
    pub monthly_income: Cents,
    pub declared_assets: Cents,
    pub occupation: Option<Text>,
    pub address: Option<Address>,
    pub phones: Vec<Phone>,
    /// Kept apart so no policy reads them by accident; see [`ProtectedAttributes`].
    #[serde(flatten)]
    pub protected: ProtectedAttributes,
}

/// Attributes partners send (QI Tech's body has them) that a credit decision may never read:
/// Lei 12.414/2011 art. 7-A forbids scoring on sex, social or ethnic origin and anything
/// unrelated to credit risk. They are stored for the record only; `features` never sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProtectedAttributes {
    pub gender: Option<Text>,
    pub nationality: Option<Text>,
    pub mother_name: Option<Text>,
    pub father_name: Option<Text>,
}

/// Who guarantees the credit: a person or a company.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Guarantor {
    /// Boxed: a person is ten times the size of a company reference.
    #[serde(rename = "natural_person")]
    Natural(Box<NaturalPerson>),
    #[serde(rename = "legal_person")]
    Legal {
        legal_name: Text,
        #[serde(
            rename = "document_number",
            serialize_with = "super::serialize_cnpj",
            deserialize_with = "super::deserialize_cnpj"
        )]
        document: Cnpj,
    },
}

impl Guarantor {
    /// The guarantor's CPF, if a person.
    pub fn cpf(&self) -> Option<&Cpf> {
        match self {
            Self::Natural(person) => Some(&person.document),
            Self::Legal { .. } => None,
        }
    }
}
