//! A service acting for a partner who is no longer on the line: analysis-service deciding a
//! proposal that waited for data has no token to forward, so it calls with its own
//! certificate and names the tenant and client it acts for. Only the identity the callee
//! trusts for that (its allow-list already admits it) may name them; a token, when present,
//! always wins.

use crate::{authz::Caller, bearer::Principal};
use tonic::{Request, metadata::MetadataValue};

/// The tenant a service acts for.
pub const TENANT: &str = "x-aval-on-behalf-of-tenant";
/// The partner's client that asked in the first place.
pub const CLIENT: &str = "x-aval-on-behalf-of-client";

/// Names on `request` the tenant and client its caller acts for. `false` when either is not a
/// valid metadata value (nothing is attached then).
pub fn attach<T>(request: &mut Request<T>, tenant_id: &str, client_id: &str) -> bool {
    let (Ok(tenant), Ok(client)) = (
        MetadataValue::try_from(tenant_id),
        MetadataValue::try_from(client_id),
    ) else {
        return false;
    };
    request.metadata_mut().insert(TENANT, tenant);
    request.metadata_mut().insert(CLIENT, client);
    true
}

/// Whom `request` acts for: the token's principal when it carries one; else, when its caller's
/// certificate is `trusted`, the tenant and client it names (a principal without scopes).
/// `None` otherwise: the caller needs a token.
pub fn principal<T>(request: &Request<T>, trusted: &str) -> Option<Principal> {
    if let Some(principal) = request.extensions().get::<Principal>() {
        return Some(principal.clone());
    }
    let caller = request.extensions().get::<Caller>()?;
    if caller.0.name() != trusted {
        return None;
    }
    let named = |key: &str| {
        request
            .metadata()
            .get(key)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Some(Principal {
        tenant_id: named(TENANT)?,
        client_id: named(CLIENT)?,
        scopes: Vec::new(),
        token_id: String::new(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::identity::MeshIdentity;

    fn from(identity: &str, tenant: &str, client: &str) -> Request<()> {
        let mut request = Request::new(());
        assert!(attach(&mut request, tenant, client));
        request
            .extensions_mut()
            .insert(Caller(MeshIdentity::new(identity)));
        request
    }

    #[test]
    fn only_the_trusted_certificate_names_whom_it_acts_for() {
        let trusted = from(MeshIdentity::ANALYSIS, "lender", "lender-client");
        let principal = principal(&trusted, MeshIdentity::ANALYSIS).unwrap();
        assert_eq!(principal.tenant_id, "lender");
        assert_eq!(principal.client_id, "lender-client");
        assert!(principal.scopes.is_empty(), "no scope is implied");

        let gateway = from(MeshIdentity::GATEWAY, "lender", "lender-client");
        assert_eq!(principal_of(&gateway), None, "the gateway forwards tokens");
        let unnamed = from(MeshIdentity::ANALYSIS, " ", "lender-client");
        assert_eq!(principal_of(&unnamed), None);
        let mut bare = Request::new(());
        bare.extensions_mut()
            .insert(Caller(MeshIdentity::new(MeshIdentity::ANALYSIS)));
        assert_eq!(principal_of(&bare), None);
    }

    #[test]
    fn a_token_wins_over_named_metadata() {
        let mut request = from(MeshIdentity::ANALYSIS, "other", "other-client");
        let token = Principal {
            tenant_id: "lender".to_owned(),
            client_id: "lender-client".to_owned(),
            scopes: vec!["analysis:write".to_owned()],
            token_id: "jti".to_owned(),
        };
        request.extensions_mut().insert(token.clone());
        assert_eq!(principal_of(&request), Some(token));
    }

    #[test]
    fn invalid_metadata_is_not_attached() {
        let mut request = Request::new(());
        assert!(!attach(&mut request, "line\nbreak", "client"));
        assert!(request.metadata().get(TENANT).is_none());
    }

    fn principal_of(request: &Request<()>) -> Option<Principal> {
        principal(request, MeshIdentity::ANALYSIS)
    }
}
