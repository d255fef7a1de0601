//! `aval admin tenants create`: the partner organisations that clients, plans, models and data
//! belong to, in auth-service.

use super::{
    Outcome, args::TenantsCommand, connect::ServiceConnection, output::Record, status::rpc_error,
};
use aval_proto::auth::v1::{CreateTenantRequest, Tenant, auth_service_client::AuthServiceClient};

pub async fn run(auth: &ServiceConnection, command: TenantsCommand) -> anyhow::Result<Outcome> {
    let TenantsCommand::Create { id, name, output } = command;
    let what = id.as_ref().map_or_else(
        || "creating the tenant".to_owned(),
        |id| format!("creating tenant {id}"),
    );
    let tenant = AuthServiceClient::new(auth.channel()?)
        .create_tenant(CreateTenantRequest {
            name,
            id: id.unwrap_or_default(),
        })
        .await
        .map_err(|s| rpc_error(&what, auth, &s))?
        .into_inner();
    println!("{}", record(&tenant).render(output.format));
    Ok(Outcome::Done)
}

fn record(tenant: &Tenant) -> Record {
    Record::default()
        .text("tenant_id", "TENANT", &tenant.id)
        .text("name", "NAME", &tenant.name)
        .time("created_at", "CREATED", tenant.created_at.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::output::OutputFormat;

    #[test]
    fn a_tenant_shows_its_id_name_and_creation() {
        let tenant = Tenant {
            id: "acme".into(),
            name: "Acme Bank".into(),
            created_at: Some(prost_types::Timestamp {
                seconds: 1_795_000_000,
                nanos: 0,
            }),
        };
        assert_eq!(
            record(&tenant).render(OutputFormat::Table),
            "TENANT  NAME       CREATED\nacme    Acme Bank  2026-11-18 11:06:40 UTC"
        );
        assert_eq!(
            record(&tenant).render(OutputFormat::Json),
            r#"{"tenant_id":"acme","name":"Acme Bank","created_at":"2026-11-18T11:06:40Z"}"#
        );
    }
}
