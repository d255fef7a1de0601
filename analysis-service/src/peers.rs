//! Calls to other services: the proto mapping of what analysis-service asks its peers, as
//! `api` is the mapping of what it is asked.

use crate::error::AnalysisError;
use aval_credit::Cpf;
use aval_errors::ErrorCode;
use aval_proto::score::v1::{GetScoreRequest, score_service_client::ScoreServiceClient};
use aval_transport::{behalf, client::MeshChannel, status::error_code};
use futures_util::future::join_all;
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

    /// The 0..1000 score of each CPF, asked in parallel `on_behalf` of the partner. A CPF
    /// score-service has no (or not enough) data for is `None`; score-service failing for any
    /// of them in a way that may pass, or not answering them all within [`SCORES_DEADLINE`],
    /// is [`AnalysisError::ScoresUnavailable`]; refusing one outright (a token or identity it
    /// will not take: Aval's own mistake) is [`AnalysisError::ScoresRefused`].
    pub async fn scores(
        &self,
        cpfs: BTreeSet<Cpf>,
        on_behalf: &OnBehalf<'_>,
    ) -> Result<BTreeMap<Cpf, Option<u32>>, AnalysisError> {
        let lookups = cpfs.into_iter().map(|cpf| {
            let mut client = self.client.clone();
            let mut request = Request::new(GetScoreRequest {
                document: cpf.digits().to_owned(),
                ..GetScoreRequest::default()
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
            async move {
                let score = match client.get_score(request).await {
                    Ok(answer) => Ok(u32::try_from(answer.into_inner().score).ok()),
                    Err(status) => match lookup_failure(&status) {
                        LookupFailure::NoScore => Ok(None),
                        LookupFailure::Transient => {
                            tracing::warn!(cpf = %cpf, %status, "partner score unavailable");
                            Err(AnalysisError::ScoresUnavailable)
                        }
                        LookupFailure::Refused => {
                            let refusal = "score-service refused a partner score";
                            tracing::error!(cpf = %cpf, %status, "{refusal}");
                            Err(AnalysisError::ScoresRefused(status.code().to_string()))
                        }
                    },
                };
                score.map(|s| (cpf, s))
            }
        });
        match tokio::time::timeout(SCORES_DEADLINE, join_all(lookups)).await {
            Ok(scores) => scores.into_iter().collect(),
            Err(_) => {
                tracing::warn!(deadline = ?SCORES_DEADLINE, "partner scores too slow");
                Err(AnalysisError::ScoresUnavailable)
            }
        }
    }
}

/// What a failed score lookup means for the analysis.
#[derive(Debug, PartialEq, Eq)]
enum LookupFailure {
    /// No data on the CPF, or not what the model reads: a person without a score.
    NoScore,
    /// score-service is down, overloaded or slow: worth asking again later.
    Transient,
    /// score-service will not answer this caller: asking again changes nothing.
    Refused,
}

fn lookup_failure(status: &tonic::Status) -> LookupFailure {
    match error_code(status) {
        ErrorCode::CpfNotFound | ErrorCode::InsufficientData | ErrorCode::NotFound => {
            LookupFailure::NoScore
        }
        _ => match status.code() {
            Code::Unavailable
            | Code::DeadlineExceeded
            | Code::ResourceExhausted
            | Code::Aborted
            | Code::Cancelled
            | Code::Internal
            | Code::Unknown => LookupFailure::Transient,
            _ => LookupFailure::Refused,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_transport::status::status;

    #[test]
    fn only_failures_that_may_pass_make_a_proposal_wait() {
        let cases = [
            (
                status(ErrorCode::CpfNotFound, "no data"),
                LookupFailure::NoScore,
            ),
            (
                status(ErrorCode::InsufficientData, "thin"),
                LookupFailure::NoScore,
            ),
            (tonic::Status::unavailable("down"), LookupFailure::Transient),
            (
                tonic::Status::deadline_exceeded("slow"),
                LookupFailure::Transient,
            ),
            (status(ErrorCode::Internal, "db"), LookupFailure::Transient),
            (
                status(ErrorCode::Unauthenticated, "no token"),
                LookupFailure::Refused,
            ),
            (
                status(ErrorCode::PermissionDenied, "scope"),
                LookupFailure::Refused,
            ),
            (
                status(ErrorCode::InvalidDocument, "cpf"),
                LookupFailure::Refused,
            ),
        ];
        for (status, expected) in cases {
            assert_eq!(lookup_failure(&status), expected, "{status:?}");
        }
    }
}
