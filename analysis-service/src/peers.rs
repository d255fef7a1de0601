//! Calls to other services: the proto mapping of what analysis-service asks its peers, as
//! `api` is the mapping of what it is asked.

use crate::error::AnalysisError;
use aval_credit::Cpf;
use aval_proto::score::v1::{GetScoreRequest, score_service_client::ScoreServiceClient};
use aval_transport::client::MeshChannel;
use futures_util::future::join_all;
use std::collections::{BTreeMap, BTreeSet};
use tonic::{Code, Request, metadata::MetadataValue};

/// score-service, asked for partners' CPF scores.
#[derive(Clone)]
pub struct ScoreClient {
    client: ScoreServiceClient<MeshChannel>,
}

impl ScoreClient {
    pub fn new(channel: MeshChannel) -> Self {
        Self {
            client: ScoreServiceClient::new(channel),
        }
    }

    /// The 0..1000 score of each CPF, asked in parallel on the caller's token (`bearer`, the
    /// `authorization` value as received). A CPF score-service has no data for is `None`;
    /// score-service failing for any of them is [`AnalysisError::ScoresUnavailable`].
    pub async fn scores(
        &self,
        cpfs: BTreeSet<Cpf>,
        bearer: Option<&str>,
    ) -> Result<BTreeMap<Cpf, Option<u32>>, AnalysisError> {
        let lookups = cpfs.into_iter().map(|cpf| {
            let mut client = self.client.clone();
            let mut request = Request::new(GetScoreRequest {
                document: cpf.digits().to_owned(),
                ..GetScoreRequest::default()
            });
            if let Some(value) = bearer.and_then(|b| MetadataValue::try_from(b).ok()) {
                request.metadata_mut().insert("authorization", value);
            }
            async move {
                let score = match client.get_score(request).await {
                    Ok(answer) => Ok(u32::try_from(answer.into_inner().score).ok()),
                    Err(status) if status.code() == Code::NotFound => Ok(None),
                    Err(status) => {
                        tracing::warn!(cpf = %cpf, %status, "partner score unavailable");
                        Err(AnalysisError::ScoresUnavailable)
                    }
                };
                score.map(|s| (cpf, s))
            }
        });
        join_all(lookups).await.into_iter().collect()
    }
}
