//! Who is calling: the mesh identity carried in a certificate's URI SAN,
//! `spiffe://aval/<name>`.

use std::fmt;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// The trust domain of every Aval certificate.
pub const TRUST_DOMAIN: &str = "aval";

/// A mesh workload name, e.g. `gateway` or `score-service`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MeshIdentity(String);

impl MeshIdentity {
    pub const AUTH: &str = "auth-service";
    pub const SCORE: &str = "score-service";
    pub const ANALYSIS: &str = "analysis-service";
    pub const BILLING: &str = "billing-service";
    pub const GATEWAY: &str = "gateway";
    /// Operators' tools: administration (tenants, clients, plans, profiles). Keep it out of
    /// applications.
    pub const OPERATOR: &str = "operator";
    /// A lender's own services calling the mesh directly over gRPC: the partner APIs only,
    /// always with a partner's bearer token.
    pub const INTERNAL: &str = "internal-client";

    /// Every identity `aval certs` issues a certificate for.
    pub const ALL: [&str; 7] = [
        Self::AUTH,
        Self::SCORE,
        Self::ANALYSIS,
        Self::BILLING,
        Self::GATEWAY,
        Self::OPERATOR,
        Self::INTERNAL,
    ];

    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// The URI SAN that carries this identity in a certificate.
    pub fn spiffe_uri(&self) -> String {
        format!("spiffe://{TRUST_DOMAIN}/{}", self.0)
    }

    /// Reads the identity from a DER certificate's URI SANs; `None` when the certificate
    /// cannot be parsed or carries no `spiffe://aval/…` URI.
    pub fn from_certificate_der(der: &[u8]) -> Option<Self> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let san = cert.subject_alternative_name().ok()??;
        let prefix = format!("spiffe://{TRUST_DOMAIN}/");
        san.value.general_names.iter().find_map(|name| match name {
            GeneralName::URI(uri) => uri
                .strip_prefix(&prefix)
                .filter(|rest| !rest.is_empty() && !rest.contains('/'))
                .map(Self::new),
            _ => None,
        })
    }
}

impl fmt::Display for MeshIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
