//! `aval admin clients create | rotate-secret`: a tenant's OAuth2 clients (client credentials)
//! in auth-service. A secret is printed once, on stdout, and a warning on stderr says so:
//! auth-service keeps only a keyed hash of it.

use super::{
    Outcome, args::ClientsCommand, connect::ServiceConnection, output::Record, status::rpc_error,
};
use aval_proto::auth::v1::{
    CreateClientRequest, CreateClientResponse, RotateClientSecretRequest,
    auth_service_client::AuthServiceClient,
};

pub async fn run(auth: &ServiceConnection, command: ClientsCommand) -> anyhow::Result<Outcome> {
    let mut client = AuthServiceClient::new(auth.channel()?);
    match command {
        ClientsCommand::Create {
            tenant,
            name,
            scopes,
            client_id,
            output,
        } => {
            let what = format!("creating a client of tenant {tenant}");
            let created = client
                .create_client(CreateClientRequest {
                    tenant_id: tenant.clone(),
                    name: name.clone(),
                    scopes: scopes.clone(),
                    client_id: client_id.unwrap_or_default(),
                })
                .await
                .map_err(|s| rpc_error(&what, auth, &s))?
                .into_inner();
            let record = Record::default()
                .text("tenant_id", "TENANT", &tenant)
                .text("name", "NAME", &name)
                .list("scopes", "SCOPES", &scopes);
            println!("{}", with_secret(record, &created).render(output.format));
            eprintln!("{}", created_warning(&created.client_id));
        }
        ClientsCommand::RotateSecret { client_id, output } => {
            let what = format!("rotating the secret of client {client_id}");
            let rotated = client
                .rotate_client_secret(RotateClientSecretRequest { client_id })
                .await
                .map_err(|s| rpc_error(&what, auth, &s))?
                .into_inner();
            println!(
                "{}",
                with_secret(Record::default(), &rotated).render(output.format)
            );
            eprintln!("{ROTATED_WARNING}");
        }
    }
    Ok(Outcome::Done)
}

/// The client's id and secret, the secret last (it is the long one).
fn with_secret(record: Record, credentials: &CreateClientResponse) -> Record {
    Record::default()
        .text("client_id", "CLIENT ID", &credentials.client_id)
        .extend(record)
        .text("client_secret", "CLIENT SECRET", &credentials.client_secret)
}

fn created_warning(client_id: &str) -> String {
    format!(
        "warning: the client secret is shown only this once (auth-service keeps only a hash of \
         it): store it now. A lost secret is replaced, not recovered: aval admin clients \
         rotate-secret --client-id {client_id}"
    )
}

const ROTATED_WARNING: &str = "warning: the new client secret is shown only this once \
     (auth-service keeps only a hash of it): store it now. The old secret no longer obtains \
     tokens; tokens already issued with it last until they expire.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::output::OutputFormat;

    fn credentials() -> CreateClientResponse {
        CreateClientResponse {
            client_id: "acme-backend".into(),
            client_secret: "cs_secret".into(),
        }
    }

    #[test]
    fn a_new_client_shows_its_id_tenant_scopes_and_secret() {
        let record = Record::default()
            .text("tenant_id", "TENANT", "acme")
            .text("name", "NAME", "backend")
            .list("scopes", "SCOPES", &["score:read".to_owned()]);
        let record = with_secret(record, &credentials());
        assert_eq!(
            record.render(OutputFormat::Table),
            "CLIENT ID     TENANT  NAME     SCOPES      CLIENT SECRET\n\
             acme-backend  acme    backend  score:read  cs_secret"
        );
        assert_eq!(
            record.render(OutputFormat::Json),
            r#"{"client_id":"acme-backend","tenant_id":"acme","name":"backend","scopes":["score:read"],"client_secret":"cs_secret"}"#
        );
    }

    #[test]
    fn a_rotated_secret_shows_the_client_and_its_secret() {
        assert_eq!(
            with_secret(Record::default(), &credentials()).render(OutputFormat::Json),
            r#"{"client_id":"acme-backend","client_secret":"cs_secret"}"#
        );
    }

    #[test]
    fn the_warning_says_how_to_replace_a_lost_secret() {
        let warning = created_warning("acme-backend");
        assert!(warning.contains("only this once"));
        assert!(warning.ends_with("aval admin clients rotate-secret --client-id acme-backend"));
    }
}
