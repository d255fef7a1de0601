//! A service's allow-list checked over the wire, table-driven: for each RPC, every mesh
//! identity calls it with its own certificate and an empty message; the listed identities get
//! past the allow-list (whatever the handler then answers), every other one is refused with
//! `MESH_ACCESS_DENIED` before any handler runs. Every RPC of a service the table names must
//! have its row (read from the API's descriptors), so a new RPC cannot slip in unlisted.

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
    grpc.ready().await.map_err(|e| anyhow::anyhow!(e))?;
    let path = http::uri::PathAndQuery::from_str(rpc)?;
    let codec = tonic_prost::ProstCodec::<(), ()>::default();
    Ok(grpc
        .unary(tonic::Request::new(()), path, codec)
        .await
        .map(|_| ()))
}

/// Every RPC path (`/<package>.<Service>/<Method>`) of the services in Aval's API.
fn api_rpcs() -> anyhow::Result<Vec<String>> {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(aval_proto::FILE_DESCRIPTOR_SET)?;
    let mut rpcs = Vec::new();
    for file in set.file {
        let package = file.package.unwrap_or_default();
        for service in file.service {
            let name = format!("{package}.{}", service.name.unwrap_or_default());
            for method in service.method {
                rpcs.push(format!("/{name}/{}", method.name.unwrap_or_default()));
            }
        }
    }
    Ok(rpcs)
}

/// Fails unless every RPC of every service the rules name has a rule.
fn assert_complete(rules: &[Rule]) -> crate::TestResult {
    let service_of = |rpc: &str| rpc.rsplit_once('/').map(|(s, _)| s.to_owned());
    let services: Vec<String> = rules.iter().filter_map(|r| service_of(&r.rpc)).collect();
    for rpc in api_rpcs()? {
        if service_of(&rpc).is_some_and(|s| services.contains(&s)) {
            anyhow::ensure!(
                rules.iter().any(|r| r.rpc == rpc),
                "{rpc} has no row in the allow-list table: say who may call it"
            );
        }
    }
    Ok(())
}

/// Checks every rule for every identity in [`MeshIdentity::ALL`], and that the rules cover
/// every RPC of the services they name.
pub async fn assert_allow_list(service: &TestService, rules: &[Rule]) -> crate::TestResult {
    assert_complete(rules)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_missing_an_rpc_of_its_service_is_refused() {
        let billing = "aval.billing.v1.BillingService";
        let partial = [rule(billing, "Subscribe", &[MeshIdentity::OPERATOR])];
        let refused = assert_complete(&partial).err().map(|e| e.to_string());
        assert!(
            refused
                .as_deref()
                .is_some_and(|e| e.contains("GetUsageReport")),
            "{refused:?}"
        );
        let whole = [
            rule(billing, "Subscribe", &[MeshIdentity::OPERATOR]),
            rule(billing, "GetUsageReport", &[MeshIdentity::OPERATOR]),
        ];
        assert!(assert_complete(&whole).is_ok());
    }
}
