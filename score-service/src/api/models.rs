//! gRPC surface of tenants' models and features (operators only; the allow-list says so).

use crate::{
    app::models::{ModelsApp, PublishRequest, Published},
    domain::{
        model::{
            ModelFormat,
            feature::{FeatureCatalog, FeatureDeclaration, FeatureKind},
        },
        registry::ModelVersion,
    },
    error::ScoreError,
};
use aval_errors::{FieldCode, FieldPath, FieldViolation, Violations};
use aval_proto::score::v1::{
    DeclareFeaturesRequest, DeclareFeaturesResponse, FeatureDeclaration as PbFeature,
    FeatureKind as PbFeatureKind, ListFeaturesRequest, ListFeaturesResponse, ListModelsRequest,
    ListModelsResponse, ModelFormat as PbModelFormat, PublishModelRequest, RetireModelRequest,
    RetireModelResponse, ScoreModelVersion,
    score_model_service_server::{ScoreModelService, ScoreModelServiceServer},
};
use aval_transport::time::to_timestamp;
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub const SERVICE: &str = "aval.score.v1.ScoreModelService";

pub struct ModelsApi {
    app: Arc<ModelsApp>,
}

impl ModelsApi {
    pub fn new(app: Arc<ModelsApp>) -> Self {
        Self { app }
    }

    pub fn into_server(self) -> ScoreModelServiceServer<Self> {
        ScoreModelServiceServer::new(self)
    }
}

fn format_to_pb(format: ModelFormat) -> PbModelFormat {
    match format {
        ModelFormat::AvalJson => PbModelFormat::AvalJson,
        ModelFormat::Pmml => PbModelFormat::Pmml,
    }
}

fn kind_to_pb(kind: FeatureKind) -> PbFeatureKind {
    match kind {
        FeatureKind::Number => PbFeatureKind::Number,
        FeatureKind::Text => PbFeatureKind::Text,
        FeatureKind::Bool => PbFeatureKind::Bool,
    }
}

impl From<ModelVersion> for ScoreModelVersion {
    fn from(v: ModelVersion) -> Self {
        Self {
            tenant_id: v.tenant_id,
            model_id: v.model_id,
            version: v.version,
            format: format_to_pb(v.format).into(),
            features: v.features,
            published_at: Some(to_timestamp(v.published_at)),
            retired_at: v.retired_at.map(to_timestamp),
            declared_features: Vec::new(),
        }
    }
}

impl From<Published> for ScoreModelVersion {
    fn from(published: Published) -> Self {
        Self {
            declared_features: published.declared,
            ..published.version.into()
        }
    }
}

fn features_to_pb(catalog: &FeatureCatalog) -> Vec<PbFeature> {
    catalog
        .iter()
        .map(|f| PbFeature {
            name: f.name().to_owned(),
            display_name: f.display_name().map(str::to_owned),
            kind: kind_to_pb(f.kind()).into(),
        })
        .collect()
}

impl TryFrom<PublishModelRequest> for PublishRequest {
    type Error = ScoreError;

    fn try_from(request: PublishModelRequest) -> Result<Self, ScoreError> {
        let format = match request.format() {
            PbModelFormat::AvalJson => ModelFormat::AvalJson,
            PbModelFormat::Pmml => ModelFormat::Pmml,
            PbModelFormat::Unspecified => {
                return Err(ScoreError::InvalidRequest(vec![FieldViolation::new(
                    "format",
                    FieldCode::InvalidEnum,
                    "one of MODEL_FORMAT_AVAL_JSON, MODEL_FORMAT_PMML",
                )]));
            }
        };
        Ok(Self {
            tenant_id: request.tenant_id,
            format,
            document: request.document,
            model_id: request.model_id.filter(|id| !id.trim().is_empty()),
        })
    }
}

/// Each declaration of a request, every problem named by its index.
fn declarations_from_pb(features: Vec<PbFeature>) -> Result<Vec<FeatureDeclaration>, ScoreError> {
    let mut violations = Violations::default();
    let mut declarations = Vec::new();
    for (i, feature) in features.into_iter().enumerate() {
        let at = FieldPath::field("features").index(i);
        let kind = match feature.kind() {
            PbFeatureKind::Number => FeatureKind::Number,
            PbFeatureKind::Text => FeatureKind::Text,
            PbFeatureKind::Bool => FeatureKind::Bool,
            PbFeatureKind::Unspecified => {
                violations.push(FieldViolation::at(
                    &at.key("kind"),
                    FieldCode::InvalidEnum,
                    "one of FEATURE_KIND_NUMBER, FEATURE_KIND_TEXT, FEATURE_KIND_BOOL",
                ));
                continue;
            }
        };
        match FeatureDeclaration::new(&feature.name, feature.display_name.as_deref(), kind) {
            Ok(declaration) => declarations.push(declaration),
            Err(e) => {
                let v = e.violation();
                violations.push(FieldViolation::at(&at.key(&v.field), v.code, v.message));
            }
        }
    }
    violations
        .finish(Some(declarations))
        .map_err(ScoreError::InvalidRequest)
}

#[tonic::async_trait]
impl ScoreModelService for ModelsApi {
    async fn publish_model(
        &self,
        request: Request<PublishModelRequest>,
    ) -> Result<Response<ScoreModelVersion>, Status> {
        let request = PublishRequest::try_from(request.into_inner())?;
        let published = self.app.publish(request).await?;
        Ok(Response::new(published.into()))
    }

    async fn list_models(
        &self,
        request: Request<ListModelsRequest>,
    ) -> Result<Response<ListModelsResponse>, Status> {
        let request = request.into_inner();
        let versions = self
            .app
            .list(&request.tenant_id, request.include_retired)
            .await?;
        Ok(Response::new(ListModelsResponse {
            versions: versions.into_iter().map(Into::into).collect(),
        }))
    }

    async fn retire_model(
        &self,
        request: Request<RetireModelRequest>,
    ) -> Result<Response<RetireModelResponse>, Status> {
        let request = request.into_inner();
        let retired = self
            .app
            .retire(&request.tenant_id, &request.model_id, request.version)
            .await?;
        Ok(Response::new(RetireModelResponse {
            retired: retired.into_iter().map(Into::into).collect(),
        }))
    }

    async fn declare_features(
        &self,
        request: Request<DeclareFeaturesRequest>,
    ) -> Result<Response<DeclareFeaturesResponse>, Status> {
        let request = request.into_inner();
        let declarations = declarations_from_pb(request.features)?;
        let declared = self.app.declare(&request.tenant_id, declarations).await?;
        Ok(Response::new(DeclareFeaturesResponse {
            declared: i32::try_from(declared).unwrap_or(i32::MAX),
        }))
    }

    async fn list_features(
        &self,
        request: Request<ListFeaturesRequest>,
    ) -> Result<Response<ListFeaturesResponse>, Status> {
        let (platform, tenant) = self.app.features(&request.get_ref().tenant_id).await?;
        Ok(Response::new(ListFeaturesResponse {
            platform: features_to_pb(&platform),
            tenant: features_to_pb(&tenant),
        }))
    }
}
