//! gRPC surface of bulk profile imports (operators only; the allow-list says so).

use crate::{
    app::profiles::{ImportSummary, ProfilesApp},
    domain::{ProfileOwner, model::feature::IncomingValue, profile::IncomingRow},
};
use aval_proto::score::v1::{
    ImportProfilesRequest, ImportProfilesResponse, ProfileRow, RowError as PbRowError,
    feature_value::Value,
    profile_service_server::{ProfileService, ProfileServiceServer},
};
use std::sync::Arc;
use tonic::{Request, Response, Status, Streaming};

pub const SERVICE: &str = "aval.score.v1.ProfileService";

pub struct ProfilesApi {
    app: Arc<ProfilesApp>,
}

impl ProfilesApi {
    pub fn new(app: Arc<ProfilesApp>) -> Self {
        Self { app }
    }

    pub fn into_server(self) -> ProfileServiceServer<Self> {
        ProfileServiceServer::new(self)
    }
}

fn row_from_pb(row: ProfileRow) -> IncomingRow {
    IncomingRow {
        line: row.line,
        document: row.document,
        values: row
            .features
            .into_iter()
            .map(|(name, value)| {
                let value = match value.value {
                    Some(Value::Number(n)) => IncomingValue::Number(n),
                    Some(Value::Text(s)) => IncomingValue::Text(s),
                    Some(Value::Flag(b)) => IncomingValue::Bool(b),
                    Some(Value::Raw(s)) => IncomingValue::Untyped(s),
                    None => IncomingValue::Missing,
                };
                (name, value)
            })
            .collect(),
    }
}

impl From<ImportSummary> for ImportProfilesResponse {
    fn from(summary: ImportSummary) -> Self {
        Self {
            received: summary.received,
            loaded: summary.loaded,
            rejected: summary.rejected,
            errors: summary
                .errors
                .into_iter()
                .map(|e| PbRowError {
                    line: e.line,
                    field: e.field,
                    code: e.code.as_str().to_owned(),
                    reason: e.reason,
                })
                .collect(),
        }
    }
}

#[tonic::async_trait]
impl ProfileService for ProfilesApi {
    async fn import_profiles(
        &self,
        request: Request<Streaming<ImportProfilesRequest>>,
    ) -> Result<Response<ImportProfilesResponse>, Status> {
        let mut stream = request.into_inner();
        let Some(first) = stream.message().await? else {
            return Ok(Response::new(ImportSummary::default().into()));
        };
        let owner = if first.shared {
            ProfileOwner::Shared
        } else {
            ProfileOwner::Tenant(first.tenant_id.clone())
        };
        let mut import = self.app.start_import(owner).await?;
        import.check_columns(&first.columns)?;
        let mut message = Some(first);
        while let Some(batch) = message {
            import
                .load(batch.rows.into_iter().map(row_from_pb).collect())
                .await?;
            message = stream.message().await?;
        }
        let summary = import.finish();
        tracing::info!(
            received = summary.received,
            loaded = summary.loaded,
            rejected = summary.rejected,
            "profiles imported"
        );
        Ok(Response::new(summary.into()))
    }
}
