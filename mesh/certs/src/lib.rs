//! Mesh certificates: one CA, and per workload a certificate usable as TLS server and client,
//! with SANs that work on loopback and as Kubernetes service names. Only the `aval` command
//! and tests link this (and rcgen): services read certificates, they never make them.
//!
//! Workload certificates live 90 days (what cert-manager issues by default, renewed at two
//! thirds), the CA ten years; the CA's key is written apart from the workload material, so the
//! certificate directory can be mounted into pods without it.

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
/// How long a workload certificate is valid.
pub const LEAF_VALIDITY: time::Duration = time::Duration::days(90);
/// How long the CA is valid.
pub const CA_VALIDITY: time::Duration = time::Duration::days(3650);
/// `aval dev` issues new certificates when one would expire within this.
pub const RENEW_BEFORE: time::Duration = time::Duration::days(7);
/// The CA key's file name (in its own directory).
pub const CA_KEY_FILE: &str = "ca-key.pem";

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Name(String),
}

/// Valid from an hour ago (clocks drift) for `validity`.
fn validity(params: &mut CertificateParams, validity: time::Duration) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + validity;
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
        validity(&mut params, CA_VALIDITY);
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

    /// The CA `aval certs` wrote to `ca_dir` (`ca.pem` and the key), to issue more
    /// certificates with.
    pub fn load(ca_dir: &Path) -> Result<Self, CertError> {
        let read = |name: &str| {
            let path = ca_dir.join(name);
            fs::read_to_string(&path).map_err(|source| CertError::Read { path, source })
        };
        let (cert_pem, key_pem) = (read("ca.pem")?, read(CA_KEY_FILE)?);
        let key = KeyPair::from_pem(&key_pem)?;
        Ok(Self {
            issuer: Issuer::from_ca_cert_pem(&cert_pem, key)?,
            cert_pem,
            key_pem,
        })
    }

    /// Issues a client-only certificate for the internal client `name`
    /// (`spiffe://aval/internal-client/<name>`): one of a lender's own services with an
    /// identity of its own, allowed what `internal-client` is.
    pub fn issue_internal_client(&self, name: &str) -> Result<IssuedCert, CertError> {
        let identity = MeshIdentity::internal_client(name).ok_or_else(|| {
            CertError::Name(format!(
                "`{name}`: a client name is 1 to 63 lower-case letters, digits or `-`"
            ))
        })?;
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name(identity.name());
        validity(&mut params, LEAF_VALIDITY);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.subject_alt_names = vec![SanType::URI(identity.spiffe_uri().try_into()?)];
        self.sign(params)
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
        validity(&mut params, LEAF_VALIDITY);
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
        self.sign(params)
    }

    /// A new key and its certificate, as `params` say, signed by this CA.
    fn sign(&self, params: CertificateParams) -> Result<IssuedCert, CertError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(IssuedCert {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// Writes `ca.pem` into `dir` (what workloads trust) and the CA key into `key_dir`, apart
    /// (owner-only): only whoever issues certificates needs it.
    pub fn write(&self, dir: &Path, key_dir: &Path) -> Result<(), CertError> {
        create_dir(key_dir)?;
        write(&dir.join("ca.pem"), &self.cert_pem, false)?;
        write(&key_dir.join("ca.pem"), &self.cert_pem, false)?;
        write(&key_dir.join(CA_KEY_FILE), &self.key_pem, true)
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

fn create_dir(dir: &Path) -> Result<(), CertError> {
    fs::create_dir_all(dir).map_err(|source| CertError::Write {
        path: dir.to_owned(),
        source,
    })
}

/// Generates a CA and a certificate for every mesh identity into `dir`, and the CA's key into
/// `ca_key_dir`.
pub fn generate_mesh_certs(
    dir: &Path,
    ca_key_dir: &Path,
    namespace: &str,
) -> Result<(), CertError> {
    install(
        &MeshCa::generate("Aval mesh CA")?,
        dir,
        ca_key_dir,
        namespace,
    )
}

/// Writes `ca` (its key into `ca_key_dir`) and a certificate for every mesh identity into
/// `dir`.
fn install(ca: &MeshCa, dir: &Path, ca_key_dir: &Path, namespace: &str) -> Result<(), CertError> {
    create_dir(dir)?;
    ca.write(dir, ca_key_dir)?;
    for name in MeshIdentity::ALL {
        reissue_with(ca, dir, name, namespace)?;
    }
    Ok(())
}

/// Issues `identity` a new certificate and key from the CA kept in `ca_key_dir`, into `dir`
/// (what cert-manager's renewal does to a mounted Secret: the CA stays, the leaf changes).
pub fn reissue(
    dir: &Path,
    ca_key_dir: &Path,
    identity: &str,
    namespace: &str,
) -> Result<CertPaths, CertError> {
    reissue_with(&MeshCa::load(ca_key_dir)?, dir, identity, namespace)
}

fn reissue_with(
    ca: &MeshCa,
    dir: &Path,
    identity: &str,
    namespace: &str,
) -> Result<CertPaths, CertError> {
    let identity = MeshIdentity::new(identity);
    let issued = ca.issue(&identity, &dns_names_for(&identity, namespace))?;
    let paths = CertPaths::in_dir(dir, identity.name());
    write_issued(&paths, &issued)?;
    Ok(paths)
}

/// Makes sure `dir` holds a complete set of mesh certificates valid for at least
/// [`RENEW_BEFORE`] more. Leaves about to expire are issued again from the kept CA (so
/// certificates issued with `--client` stay valid); a new CA is made only when there is none
/// usable. Returns whether anything was written.
pub fn ensure_mesh_certs(
    dir: &Path,
    ca_key_dir: &Path,
    namespace: &str,
) -> Result<bool, CertError> {
    // Older versions kept the CA key among the workload files: it does not belong there.
    if ca_key_dir != dir {
        let stray = dir.join(CA_KEY_FILE);
        if stray.exists() {
            fs::remove_file(&stray).map_err(|source| CertError::Write {
                path: stray.clone(),
                source,
            })?;
        }
    }
    let renew_after = time::OffsetDateTime::now_utc() + RENEW_BEFORE;
    let fresh = |path: &Path| expires(path).is_some_and(|not_after| not_after > renew_after);
    let complete = fresh(&dir.join("ca.pem"))
        && MeshIdentity::ALL.iter().all(|name| {
            let paths = CertPaths::in_dir(dir, name);
            fresh(&paths.cert) && paths.key.exists()
        });
    if complete {
        return Ok(false);
    }
    match MeshCa::load(ca_key_dir) {
        Ok(ca) if fresh(&ca_key_dir.join("ca.pem")) => install(&ca, dir, ca_key_dir, namespace)?,
        _ => generate_mesh_certs(dir, ca_key_dir, namespace)?,
    }
    Ok(true)
}

/// Issues the internal client `name` a certificate from the CA in `ca_dir` and writes it to
/// `out` as `internal-client-<name>.pem` and `internal-client-<name>-key.pem`; returns their
/// paths (with the CA certificate's).
pub fn issue_internal_client(
    ca_dir: &Path,
    out: &Path,
    name: &str,
) -> Result<CertPaths, CertError> {
    let ca = MeshCa::load(ca_dir)?;
    let issued = ca.issue_internal_client(name)?;
    create_dir(out)?;
    let file = format!("{}-{name}", MeshIdentity::INTERNAL);
    let paths = CertPaths::in_dir(out, &file);
    write(&paths.ca, &ca.cert_pem, false)?;
    write_issued(&paths, &issued)?;
    Ok(paths)
}

/// When the PEM certificate at `path` expires; `None` when it is missing or unreadable.
pub fn expires(path: &Path) -> Option<time::OffsetDateTime> {
    let pem = fs::read(path).ok()?;
    let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).ok()?;
    let cert = pem.parse_x509().ok()?;
    Some(cert.validity().not_after.to_datetime())
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Aval");
    dn.push(DnType::CommonName, common_name);
    dn
}

/// The certificate, and the key readable by its owner only.
fn write_issued(paths: &CertPaths, issued: &IssuedCert) -> Result<(), CertError> {
    write(&paths.cert, &issued.cert_pem, false)?;
    write(&paths.key, &issued.key_pem, true)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn workload_certificates_live_90_days_and_the_ca_key_is_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, ca) = (dir.path().join("certs"), dir.path().join("ca"));
        generate_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap();
        assert!(
            !certs.join(CA_KEY_FILE).exists(),
            "no CA key among workload files"
        );
        assert!(ca.join(CA_KEY_FILE).exists());
        let now = time::OffsetDateTime::now_utc();
        let leaf = expires(&CertPaths::in_dir(&certs, MeshIdentity::SCORE).cert).unwrap();
        let days = (leaf - now).whole_days();
        assert!((89..=90).contains(&days), "{days}");
        let ca_days = (expires(&certs.join("ca.pem")).unwrap() - now).whole_days();
        assert!(ca_days > 3000, "{ca_days}");
    }

    #[test]
    fn renewal_keeps_the_ca_so_certificates_issued_before_stay_valid() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, ca) = (dir.path().join("certs"), dir.path().join("ca"));
        generate_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap();
        let ca_before = fs::read(certs.join("ca.pem")).unwrap();
        let score = CertPaths::in_dir(&certs, MeshIdentity::SCORE);
        let leaf_before = fs::read(&score.cert).unwrap();
        // A leaf gone missing (or expiring) makes the set incomplete: renewed from the same CA.
        fs::remove_file(CertPaths::in_dir(&certs, MeshIdentity::AUTH).cert).unwrap();
        fs::write(certs.join(CA_KEY_FILE), "old layout").unwrap();
        assert!(ensure_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap());
        assert_eq!(fs::read(certs.join("ca.pem")).unwrap(), ca_before);
        assert_ne!(fs::read(&score.cert).unwrap(), leaf_before);
        assert!(
            !certs.join(CA_KEY_FILE).exists(),
            "the stray CA key is removed"
        );
        assert!(!ensure_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap());
        // One identity alone, as a renewal of its Secret.
        let again = reissue(&certs, &ca, MeshIdentity::SCORE, DEFAULT_NAMESPACE).unwrap();
        assert_eq!(again, score);
        assert_eq!(fs::read(certs.join("ca.pem")).unwrap(), ca_before);
    }

    #[test]
    fn a_named_internal_client_gets_a_client_certificate_from_the_kept_ca() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, ca) = (dir.path().join("certs"), dir.path().join("ca"));
        generate_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap();
        let out = dir.path().join("reports");
        let paths = issue_internal_client(&ca, &out, "reports-job").unwrap();
        let pem = fs::read(&paths.cert).unwrap();
        let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).unwrap();
        let identity = MeshIdentity::from_certificate_der(&pem.contents).unwrap();
        assert_eq!(identity.name(), "internal-client/reports-job");
        assert_eq!(identity.role(), MeshIdentity::INTERNAL);
        // Issued by the mesh CA: the same issuer name as the services' certificates.
        let cert = pem.parse_x509().unwrap();
        let service = fs::read(CertPaths::in_dir(&certs, MeshIdentity::SCORE).cert).unwrap();
        let (_, service) = x509_parser::pem::parse_x509_pem(&service).unwrap();
        assert_eq!(cert.issuer(), service.parse_x509().unwrap().issuer());
        assert!(matches!(
            issue_internal_client(&ca, &out, "Bad Name"),
            Err(CertError::Name(_))
        ));
        assert!(matches!(
            issue_internal_client(&dir.path().join("nowhere"), &out, "x"),
            Err(CertError::Read { .. })
        ));
    }

    #[test]
    fn dev_certificates_are_issued_again_before_they_expire() {
        let dir = tempfile::tempdir().unwrap();
        let (certs, ca) = (dir.path().join("certs"), dir.path().join("ca"));
        assert!(ensure_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap());
        assert!(
            !ensure_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap(),
            "still fresh"
        );
        // A workload certificate about to expire: the whole set is issued again.
        let mesh_ca = MeshCa::generate("short-lived").unwrap();
        let mut params = CertificateParams::default();
        validity(&mut params, time::Duration::days(2));
        let key = KeyPair::generate().unwrap();
        let expiring = params.signed_by(&key, &mesh_ca.issuer).unwrap();
        let paths = CertPaths::in_dir(&certs, MeshIdentity::BILLING);
        fs::write(&paths.cert, expiring.pem()).unwrap();
        assert!(ensure_mesh_certs(&certs, &ca, DEFAULT_NAMESPACE).unwrap());
        let days = (expires(&paths.cert).unwrap() - time::OffsetDateTime::now_utc()).whole_days();
        assert!(days >= 89, "{days}");
    }
}
