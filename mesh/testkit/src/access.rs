//! A service's allow-list checked over the wire, table-driven: for each RPC, every mesh
//! identity calls it with its own certificate and an empty message; the listed identities get
//! past the allow-list (whatever the handler then answers), every other one is refused with
//! `MESH_ACCESS_DENIED` before any handler runs.

use crate::TestService;
use aval_errors::ErrorCode;
use aval_transport::{identity::MeshIdentity, status::error_code};
use std::str::FromStr;

/// One row of an allow-list table: the RPC's path and who may call it.
pub struct Rule {
    pub rpc: String,
    pub allowed: &'static [&'static str],
}

/// `/<service>/<method>` may be called by `allowed`.
pub fn rule(service: &str, method: &str, allowed: &'static [&'static str]) -> Rule {
    Rule {
        rpc: format!("/{service}/{method}"),
        allowed,
    }
}

/// Calls `rpc` on `service` as `identity` with an empty message.
async fn call_as(
    service: &TestService,
    identity: &str,
    rpc: &str,
) -> anyhow::Result<Result<(), tonic::Status>> {
    let mut grpc = tonic::client::Grpc::new(service.channel_as(identity)?);
    grpc.ready().await?;
    let path = http::uri::PathAndQuery::from_str(rpc)?;
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    Ok(grpc
        .unary(tonic::Request::new(()), path, codec)
        .await
        .map(|_| ()))
}

/// Checks every rule for every identity in [`MeshIdentity::ALL`].
pub async fn assert_allow_list(service: &TestService, rules: &[Rule]) -> crate::TestResult {
    for rule in rules {
        for identity in MeshIdentity::ALL {
            let answer = call_as(service, identity, &rule.rpc).await?;
            let refused =
                matches!(&answer, Err(status) if error_code(status) == ErrorCode::MeshAccessDenied);
            if rule.allowed.contains(&identity) {
                anyhow::ensure!(
                    !refused,
                    "`{identity}` must be allowed to call {}: {answer:?}",
                    rule.rpc
                );
            } else {
                anyhow::ensure!(
                    refused,
                    "`{identity}` must be refused {}: {answer:?}",
                    rule.rpc
                );
                if let Err(status) = &answer {
                    anyhow::ensure!(status.code() == tonic::Code::PermissionDenied, "{status:?}");
                }
            }
        }
    }
    Ok(())
}
