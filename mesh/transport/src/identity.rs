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

    /// A named internal client, `internal-client/<name>`: one of a lender's own services with a
    /// certificate of its own (`aval certs --client NAME`), allowed what
    /// [`MeshIdentity::INTERNAL`] is, and named apart in logs. `None` unless `name` is 1 to 63
    /// lower-case letters, digits or `-`.
    pub fn internal_client(name: &str) -> Option<Self> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        valid.then(|| Self(format!("{}/{name}", Self::INTERNAL)))
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// The name allow-lists know this identity by: a named internal client is
    /// [`MeshIdentity::INTERNAL`]; every other identity is its own name.
    pub fn role(&self) -> &str {
        match self.0.split_once('/') {
            Some((Self::INTERNAL, _)) => Self::INTERNAL,
            _ => &self.0,
        }
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
            GeneralName::URI(uri) => {
                let rest = uri.strip_prefix(&prefix)?;
                match rest.split_once('/') {
                    None if !rest.is_empty() => Some(Self::new(rest)),
                    Some((Self::INTERNAL, name)) => Self::internal_client(name),
                    _ => None,
                }
            }
            _ => None,
        })
    }
}

impl fmt::Display for MeshIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_internal_clients_have_the_internal_role() {
        let reports = MeshIdentity::internal_client("reports-job").map(|i| i.0);
        assert_eq!(reports.as_deref(), Some("internal-client/reports-job"));
        let reports = MeshIdentity::new("internal-client/reports-job");
        assert_eq!(reports.role(), MeshIdentity::INTERNAL);
        assert_eq!(MeshIdentity::new(MeshIdentity::GATEWAY).role(), "gateway");
        // Only internal clients can be named, and only with simple names.
        assert_eq!(MeshIdentity::new("operator/x").role(), "operator/x");
        for bad in ["", "Reports", "a/b", "a_b", &"a".repeat(64)] {
            assert!(MeshIdentity::internal_client(bad).is_none(), "{bad}");
        }
    }
}
