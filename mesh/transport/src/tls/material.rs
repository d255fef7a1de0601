//! One consistent set of TLS material (CA, certificate, key) and the rustls configurations
//! built from it.

use super::{Source, TlsError};
use rustls::{
    ClientConfig, RootCertStore, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    server::WebPkiClientVerifier,
};
use std::{path::Path, sync::Arc};

const H2: &[u8] = b"h2";

#[derive(Debug)]
pub(super) struct Material {
    /// SHA-256 over the three files: a reload that finds the same bytes changes nothing.
    pub(super) fingerprint: [u8; 32],
    /// The leaf's subject and end of validity, for logs.
    pub(super) summary: String,
    pub(super) server: Arc<ServerConfig>,
    pub(super) client: Arc<ClientConfig>,
}

impl Material {
    pub(super) fn read(source: &Source) -> Result<Self, TlsError> {
        let (ca, cert, key) = read_all(source)?;
        Self::build(source.public_alpn(), &ca, &cert, &key)
    }

    /// The material in `source`, unless it is the same as `current`'s (then `None`, cheaply).
    pub(super) fn read_if_changed(
        source: &Source,
        current: &Self,
    ) -> Result<Option<Self>, TlsError> {
        let (ca, cert, key) = read_all(source)?;
        if fingerprint(&[&ca, &cert, &key]) == current.fingerprint {
            return Ok(None);
        }
        Self::build(source.public_alpn(), &ca, &cert, &key).map(Some)
    }

    /// Mesh material (mutual TLS, HTTP/2), or public material with `public_alpn`.
    fn build(
        public_alpn: Option<&[Vec<u8>]>,
        ca: &[u8],
        cert: &[u8],
        key: &[u8],
    ) -> Result<Self, TlsError> {
        crate::install_crypto_provider();
        let fingerprint = fingerprint(&[ca, cert, key]);
        let ours = OwnCertificate::parse(cert, key)?;
        let summary = ours.summary.clone();
        let (server, client) = match public_alpn {
            None => ours.mesh_configs(ca)?,
            Some(alpn) => ours.public_configs(alpn)?,
        };
        Ok(Self {
            fingerprint,
            summary,
            server: Arc::new(server),
            client: Arc::new(client),
        })
    }

    /// Mesh material given as bytes.
    pub(super) fn from_pem(ca: &[u8], cert: &[u8], key: &[u8]) -> Result<Self, TlsError> {
        Self::build(None, ca, cert, key)
    }
}

/// A workload's certificate chain and private key, parsed.
struct OwnCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    /// The leaf's subject and end of validity, for logs.
    summary: String,
}

impl OwnCertificate {
    fn parse(cert: &[u8], key: &[u8]) -> Result<Self, TlsError> {
        let chain = CertificateDer::pem_slice_iter(cert)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid("certificate", &e))?;
        let leaf = chain
            .first()
            .ok_or_else(|| TlsError::Invalid("no certificate".to_owned()))?;
        let summary = summary(leaf);
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| invalid("private key", &e))?;
        Ok(Self {
            chain,
            key,
            summary,
        })
    }

    /// Mutual TLS: a client certificate from the mesh CA required; HTTP/2.
    fn mesh_configs(self, ca: &[u8]) -> Result<(ServerConfig, ClientConfig), TlsError> {
        let mut roots = RootCertStore::empty();
        for ca_cert in CertificateDer::pem_slice_iter(ca) {
            let ca_cert = ca_cert.map_err(|e| invalid("CA certificate", &e))?;
            roots
                .add(ca_cert)
                .map_err(|e| invalid("CA certificate", &e))?;
        }
        if roots.is_empty() {
            return Err(TlsError::Invalid("no CA certificate".to_owned()));
        }
        let roots = Arc::new(roots);
        let verifier = WebPkiClientVerifier::builder(roots.clone())
            .build()
            .map_err(|e| invalid("client verifier", &e))?;
        // Both builders check that the key belongs to the certificate.
        let mut server = ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(self.chain.clone(), self.key.clone_key())
            .map_err(|e| invalid("certificate and key", &e))?;
        server.alpn_protocols = vec![H2.to_vec()];
        let mut client = ClientConfig::builder()
            .with_root_certificates(roots)
            .with_client_auth_cert(self.chain, self.key)
            .map_err(|e| invalid("certificate and key", &e))?;
        client.alpn_protocols = vec![H2.to_vec()];
        Ok((server, client))
    }

    /// A server without client authentication, with the caller's ALPN; the client side is
    /// never used (it trusts nothing).
    fn public_configs(self, alpn: &[Vec<u8>]) -> Result<(ServerConfig, ClientConfig), TlsError> {
        let mut server = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(self.chain, self.key)
            .map_err(|e| invalid("certificate and key", &e))?;
        server.alpn_protocols = alpn.to_vec();
        let client = ClientConfig::builder()
            .with_root_certificates(RootCertStore::empty())
            .with_no_client_auth();
        Ok((server, client))
    }
}

fn invalid(what: &str, e: &dyn std::fmt::Display) -> TlsError {
    TlsError::Invalid(format!("{what}: {e}"))
}

/// The CA, certificate and key files' bytes.
type PemFiles = (Vec<u8>, Vec<u8>, Vec<u8>);

fn read_all(source: &Source) -> Result<PemFiles, TlsError> {
    match source {
        Source::Mesh(paths) => Ok((read(&paths.ca)?, read(&paths.cert)?, read(&paths.key)?)),
        Source::Public { cert, key, .. } => Ok((Vec::new(), read(cert)?, read(key)?)),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn fingerprint(parts: &[&[u8]]) -> [u8; 32] {
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        // Length-prefixed, so moving bytes from one file to the next changes the fingerprint.
        digest.update(&(part.len() as u64).to_be_bytes());
        digest.update(part);
    }
    let mut out = [0; 32];
    out.copy_from_slice(digest.finish().as_ref());
    out
}

/// `CN=… (until 2027-02-22T…)`, or what could be parsed of it.
fn summary(leaf: &CertificateDer<'_>) -> String {
    match x509_parser::parse_x509_certificate(leaf.as_ref()) {
        Ok((_, cert)) => format!(
            "{} (serial {}, until {})",
            cert.subject(),
            cert.raw_serial_as_string(),
            cert.validity().not_after
        ),
        Err(_) => "an unparsable certificate".to_owned(),
    }
}
