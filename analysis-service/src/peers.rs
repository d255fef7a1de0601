//! Calls to other services: the proto mapping of what analysis-service asks its peers, as
//! `api` is the mapping of what it is asked.

use crate::error::AnalysisError;
use aval_credit::Cpf;
use aval_proto::score::v1::{ScoreProposalPeopleRequest, score_service_client::ScoreServiceClient};
use aval_transport::{behalf, client::MeshChannel};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::Duration,
};
use tonic::{Code, Request, metadata::MetadataValue};

/// How long a proposal's partners' scores may take, all of them: past it, a new proposal waits
/// for them rather than holding the partner's request open.
pub const SCORES_DEADLINE: Duration = Duration::from_secs(3);

/// For whom score-service is asked.
#[derive(Clone, Copy, Debug)]
pub enum OnBehalf<'a> {
    /// The partner on the line: its `authorization` value, forwarded as received.
    Token(Option<&'a str>),
    /// The partner gone (a proposal that waited for data): the tenant and the client that
    /// submitted it, named beside analysis-service's own certificate.
    Named {
        tenant_id: &'a str,
        client_id: &'a str,
    },
}

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

    /// The 0..1000 score of each CPF, asked in one call `on_behalf` of the partner. A person
    /// score-service has no (or not enough) data on is `None`. score-service failing in a way
    /// that may pass, or not answering within [`SCORES_DEADLINE`], is
    /// [`AnalysisError::ScoresUnavailable`]; refusing outright (a token or identity it will not
    /// take: Aval's own mistake) is [`AnalysisError::ScoresRefused`].
    pub async fn scores(
        &self,
        cpfs: BTreeSet<Cpf>,
        on_behalf: &OnBehalf<'_>,
    ) -> Result<BTreeMap<Cpf, Option<u32>>, AnalysisError> {
        if cpfs.is_empty() {
            return Ok(BTreeMap::new());
        }
        let mut request = Request::new(ScoreProposalPeopleRequest {
            documents: cpfs.iter().map(|cpf| cpf.digits().to_owned()).collect(),
            request_id: String::new(),
        });
        match *on_behalf {
            OnBehalf::Token(bearer) => {
                if let Some(value) = bearer.and_then(|b| MetadataValue::try_from(b).ok()) {
                    request.metadata_mut().insert("authorization", value);
                }
            }
            OnBehalf::Named {
                tenant_id,
                client_id,
            } => {
                behalf::attach(&mut request, tenant_id, client_id);
            }
        }
        let mut client = self.client.clone();
        let asked = client.score_proposal_people(request);
        let people = match tokio::time::timeout(SCORES_DEADLINE, asked).await {
            Ok(Ok(answer)) => answer.into_inner().people,
            Ok(Err(status)) if is_transient(&status) => {
                tracing::warn!(people = cpfs.len(), %status, "partner scores unavailable");
                return Err(AnalysisError::ScoresUnavailable);
            }
            Ok(Err(status)) => {
                tracing::error!(%status, "score-service refused the partner scores");
                return Err(AnalysisError::ScoresRefused(status.code().to_string()));
            }
            Err(_) => {
                tracing::warn!(deadline = ?SCORES_DEADLINE, "partner scores too slow");
                return Err(AnalysisError::ScoresUnavailable);
            }
        };
        let mut scores: BTreeMap<Cpf, Option<u32>> = people
            .into_iter()
            .filter_map(|person| {
                let cpf = Cpf::parse(&person.document).ok()?;
                Some((cpf, person.score.and_then(|s| u32::try_from(s).ok())))
            })
            .collect();
        // Every person asked is in the answer, scored or not.
        scores.retain(|cpf, _| cpfs.contains(cpf));
        for cpf in cpfs {
            scores.entry(cpf).or_insert(None);
        }
        Ok(scores)
    }
}

/// Whether a failed lookup may succeed later: score-service down, overloaded, slow or failing.
/// Anything else is a refusal that asking again would not change.
fn is_transient(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Cancelled
            | Code::Internal
            | Code::Unknown
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_errors::ErrorCode;
    use aval_transport::status::status;

    #[test]
    fn only_failures_that_may_pass_make_a_proposal_wait() {
        let cases = [
            (tonic::Status::unavailable("down"), true),
            (tonic::Status::deadline_exceeded("slow"), true),
            (status(ErrorCode::Internal, "db"), true),
            (status(ErrorCode::Unauthenticated, "no token"), false),
            (status(ErrorCode::PermissionDenied, "scope"), false),
            (status(ErrorCode::InvalidArgument, "cpf"), false),
        ];
        for (status, transient) in cases {
            assert_eq!(is_transient(&status), transient, "{status:?}");
        }
    }
}
