//! Mesh certificates: one CA, and per workload a certificate usable as TLS server and client,
//! with SANs that work on loopback and as Kubernetes service names. Only the `aval` command
//! and tests link this (and rcgen): services read certificates, they never make them.

use aval_transport::{identity::MeshIdentity, secret_file, tls::CertPaths};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use std::{
    fs,
    net::{IpAddr, Ipv4Addr, Ipv6Addr},
    path::{Path, PathBuf},
};

/// The Kubernetes namespace the manifests deploy to; its service names go into the SANs.
pub const DEFAULT_NAMESPACE: &str = "aval";

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A certificate authority able to issue mesh certificates.
pub struct MeshCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    key_pem: String,
}

/// A PEM certificate and its PEM private key.
#[derive(Clone, Debug)]
pub struct IssuedCert {
    pub cert_pem: String,
    pub key_pem: String,
}

impl MeshCa {
    /// A new self-signed CA named `common_name`.
    pub fn generate(common_name: &str) -> Result<Self, CertError> {
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.distinguished_name = distinguished_name(common_name);
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        let key_pem = key.serialize_pem();
        Ok(Self {
            cert_pem: cert.pem(),
            key_pem,
            issuer: Issuer::new(params, key),
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// Issues a certificate for `identity` with the given DNS names and the loopback
    /// addresses, valid for both TLS server and client authentication.
    pub fn issue(
        &self,
        identity: &MeshIdentity,
        dns_names: &[String],
    ) -> Result<IssuedCert, CertError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(identity.name());
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let mut sans = vec![SanType::URI(identity.spiffe_uri().try_into()?)];
        for dns in dns_names {
            sans.push(SanType::DnsName(dns.clone().try_into()?));
        }
        sans.push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        sans.push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        params.subject_alt_names = sans;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// Writes `ca.pem` and `ca-key.pem` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), CertError> {
        write(&dir.join("ca.pem"), &self.cert_pem, false)?;
        write(&dir.join("ca-key.pem"), &self.key_pem, true)
    }
}

/// The DNS names a workload answers to: `localhost`, and its Kubernetes service names.
pub fn dns_names_for(identity: &MeshIdentity, namespace: &str) -> Vec<String> {
    let name = identity.name();
    vec![
        "localhost".to_owned(),
        name.to_owned(),
        format!("{name}.{namespace}"),
        format!("{name}.{namespace}.svc"),
        format!("{name}.{namespace}.svc.cluster.local"),
    ]
}

/// Generates a CA and a certificate for every mesh identity into `dir`.
pub fn generate_mesh_certs(dir: &Path, namespace: &str) -> Result<(), CertError> {
    fs::create_dir_all(dir).map_err(|source| CertError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let ca = MeshCa::generate("Aval mesh CA")?;
    ca.write(dir)?;
    for name in MeshIdentity::ALL {
        let identity = MeshIdentity::new(name);
        let issued = ca.issue(&identity, &dns_names_for(&identity, namespace))?;
        let paths = CertPaths::in_dir(dir, name);
        write(&paths.cert, &issued.cert_pem, false)?;
        write(&paths.key, &issued.key_pem, true)?;
    }
    Ok(())
}

/// Generates the mesh certificates unless `dir` already holds a complete set.
/// Returns whether new certificates were written.
pub fn ensure_mesh_certs(dir: &Path, namespace: &str) -> Result<bool, CertError> {
    let complete = dir.join("ca.pem").exists()
        && MeshIdentity::ALL.iter().all(|name| {
            let paths = CertPaths::in_dir(dir, name);
            paths.cert.exists() && paths.key.exists()
        });
    if complete {
        return Ok(false);
    }
    generate_mesh_certs(dir, namespace)?;
    Ok(true)
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Aval");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn write(path: &Path, contents: &str, private: bool) -> Result<(), CertError> {
    let written = if private {
        secret_file::write_private(path, contents.as_bytes())
    } else {
        fs::write(path, contents)
    };
    written.map_err(|source| CertError::Write {
        path: path.to_owned(),
        source,
    })
}
