//! In-process fakes of the four upstreams. Each records what it received (metadata and
//! message) and answers what the test programmed: a canned message or a status.

use aval_proto::{
    analysis::v1::{
        AnalysisDetails, AnalysisHistory, AnswerChallengeRequest, CreditAnalysis,
        GetAnalysisRequest, GetPerformanceReportRequest, ListAnalysesRequest, ListAnalysesResponse,
        PerformanceReport, ReplayAnalysisResponse, ReportCreditOutcomeRequest,
        ResolveAnalysisRequest, SubmitLegalPersonAnalysisRequest,
        SubmitNaturalPersonAnalysisRequest, analysis_service_server::AnalysisService,
    },
    auth::v1::{
        CreateApiKeyRequest, CreateApiKeyResponse, CreateClientRequest, CreateClientResponse,
        CreateTenantRequest, ExchangeApiKeyRequest, IssueTokenRequest, IssueTokenResponse,
        RotateClientSecretRequest, Tenant, auth_service_server::AuthService,
    },
    billing::v1::{
        GetUsageReportRequest, GetUsageReportResponse, SubscribeRequest, Subscription,
        billing_service_server::BillingService,
    },
    score::v1::{
        GetAnswerRequest, GetScoreRequest, GetScoreResponse, ReplayAnswerRequest,
        ReplayAnswerResponse, ReportScoreOutcomeRequest, RiskBand, ScoreOutcome,
        UpsertProfilesRequest, UpsertProfilesResponse, score_service_server::ScoreService,
    },
};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tonic::{Request, Response, Status, metadata::MetadataMap};

/// What one upstream call carried.
#[derive(Clone, Debug)]
pub struct Received<T> {
    pub metadata: MetadataMap,
    pub message: T,
}

impl<T> Received<T> {
    /// A metadata value as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.metadata.get(name)?.to_str().ok()
    }
}

/// One fake RPC: the calls it received and the answer it gives to the next ones.
pub struct Fake<Req, Resp> {
    received: Mutex<Vec<Received<Req>>>,
    answer: Mutex<Result<Resp, Status>>,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A test that panicked while holding the lock has failed already; its data is still fine.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<Req: Clone, Resp: Clone> Fake<Req, Resp> {
    fn answering(answer: Resp) -> Arc<Self> {
        Arc::new(Self {
            received: Mutex::new(Vec::new()),
            answer: Mutex::new(Ok(answer)),
        })
    }

    /// Answers the next calls with `answer`.
    pub fn answers(&self, answer: Resp) {
        *locked(&self.answer) = Ok(answer);
    }

    /// Fails the next calls with `status`.
    pub fn fails_with(&self, status: Status) {
        *locked(&self.answer) = Err(status);
    }

    /// Every call received so far, oldest first.
    pub fn received(&self) -> Vec<Received<Req>> {
        locked(&self.received).clone()
    }

    /// The messages of every call received so far, oldest first.
    pub fn messages(&self) -> Vec<Req> {
        self.received()
            .into_iter()
            .map(|call| call.message)
            .collect()
    }

    /// The only call received so far; an error when there were none or several.
    pub fn single_call(&self) -> anyhow::Result<Received<Req>> {
        match self.received().as_slice() {
            [call] => Ok(call.clone()),
            calls => anyhow::bail!("expected one upstream call, got {}", calls.len()),
        }
    }

    fn call(&self, request: Request<Req>) -> Result<Response<Resp>, Status> {
        let (metadata, _, message) = request.into_parts();
        locked(&self.received).push(Received { metadata, message });
        locked(&self.answer).clone().map(Response::new)
    }
}

pub type FakeRpc<Req, Resp> = Arc<Fake<Req, Resp>>;

/// The RPCs the gateway calls, each faked.
#[derive(Clone)]
pub struct Fakes {
    pub auth: FakeRpc<IssueTokenRequest, IssueTokenResponse>,
    pub score: FakeRpc<GetScoreRequest, GetScoreResponse>,
    pub billing: FakeRpc<GetUsageReportRequest, GetUsageReportResponse>,
    pub analysis: FakeRpc<GetAnalysisRequest, CreditAnalysis>,
}

impl Fakes {
    /// Fakes that answer with [`canned`] messages until told otherwise.
    pub fn new() -> Self {
        Self {
            auth: Fake::answering(canned::token()),
            score: Fake::answering(canned::score()),
            billing: Fake::answering(GetUsageReportResponse::default()),
            analysis: Fake::answering(CreditAnalysis {
                id: "12345678".to_owned(),
                ..CreditAnalysis::default()
            }),
        }
    }

    /// How many calls reached any upstream.
    pub fn calls(&self) -> usize {
        self.auth.received().len()
            + self.score.received().len()
            + self.billing.received().len()
            + self.analysis.received().len()
    }
}

/// Answers the fakes give unless a test programs another.
pub mod canned {
    use super::*;
    use aval_proto::common::v1::Reason;

    pub fn token() -> IssueTokenResponse {
        IssueTokenResponse {
            access_token: "eyJhbGciOiJFZERTQSJ9.canned.token".to_owned(),
            token_type: "Bearer".to_owned(),
            expires_in: 900,
            scope: "scores:read usage:read".to_owned(),
        }
    }

    pub fn score() -> GetScoreResponse {
        GetScoreResponse {
            score: 680,
            probability_of_default: 0.0734,
            band: RiskBand::Low.into(),
            reasons: vec![
                Reason {
                    code: "LATE_PAYMENTS".to_owned(),
                    description: "late payments in the last 12 months".to_owned(),
                    impact: 42.5,
                },
                Reason {
                    code: "SHORT_HISTORY".to_owned(),
                    description: "customer for less than a year".to_owned(),
                    impact: 12.0,
                },
            ],
            model_id: "claro-default".to_owned(),
            model_version: 3,
            scored_at: None,
            answer_id: "0197a6f2-6c1e-7d3a-9b1e-2f1c4b5a6d7e".to_owned(),
        }
    }
}

/// Answers an RPC the gateway never calls.
fn not_faked<T>() -> Result<Response<T>, Status> {
    Err(Status::unimplemented("not faked"))
}

pub struct FakeAuth(pub Fakes);
pub struct FakeScore(pub Fakes);
pub struct FakeBilling(pub Fakes);
pub struct FakeAnalysis(pub Fakes);

#[tonic::async_trait]
impl AuthService for FakeAuth {
    async fn issue_token(
        &self,
        request: Request<IssueTokenRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        self.0.auth.call(request)
    }
    async fn exchange_api_key(
        &self,
        _: Request<ExchangeApiKeyRequest>,
    ) -> Result<Response<IssueTokenResponse>, Status> {
        not_faked()
    }
    async fn create_tenant(
        &self,
        _: Request<CreateTenantRequest>,
    ) -> Result<Response<Tenant>, Status> {
        not_faked()
    }
    async fn create_client(
        &self,
        _: Request<CreateClientRequest>,
    ) -> Result<Response<CreateClientResponse>, Status> {
        not_faked()
    }
    async fn create_api_key(
        &self,
        _: Request<CreateApiKeyRequest>,
    ) -> Result<Response<CreateApiKeyResponse>, Status> {
        not_faked()
    }
    async fn rotate_client_secret(
        &self,
        _: Request<RotateClientSecretRequest>,
    ) -> Result<Response<CreateClientResponse>, Status> {
        not_faked()
    }
}

#[tonic::async_trait]
impl ScoreService for FakeScore {
    async fn get_score(
        &self,
        request: Request<GetScoreRequest>,
    ) -> Result<Response<GetScoreResponse>, Status> {
        self.0.score.call(request)
    }
    async fn upsert_profiles(
        &self,
        _: Request<UpsertProfilesRequest>,
    ) -> Result<Response<UpsertProfilesResponse>, Status> {
        not_faked()
    }
    async fn get_answer(
        &self,
        _: Request<GetAnswerRequest>,
    ) -> Result<Response<GetScoreResponse>, Status> {
        not_faked()
    }
    async fn replay_answer(
        &self,
        _: Request<ReplayAnswerRequest>,
    ) -> Result<Response<ReplayAnswerResponse>, Status> {
        not_faked()
    }
    // Outcomes and the report are tested against the real service (tests/mesh).
    async fn report_score_outcome(
        &self,
        _: Request<ReportScoreOutcomeRequest>,
    ) -> Result<Response<ScoreOutcome>, Status> {
        not_faked()
    }
    async fn get_performance_report(
        &self,
        _: Request<aval_proto::score::v1::GetPerformanceReportRequest>,
    ) -> Result<Response<aval_proto::score::v1::PerformanceReport>, Status> {
        not_faked()
    }
    // analysis-service's call, never the gateway's.
    async fn score_proposal_people(
        &self,
        _: Request<aval_proto::score::v1::ScoreProposalPeopleRequest>,
    ) -> Result<Response<aval_proto::score::v1::ScoreProposalPeopleResponse>, Status> {
        not_faked()
    }
}

#[tonic::async_trait]
impl BillingService for FakeBilling {
    async fn get_usage_report(
        &self,
        request: Request<GetUsageReportRequest>,
    ) -> Result<Response<GetUsageReportResponse>, Status> {
        self.0.billing.call(request)
    }
    async fn subscribe(
        &self,
        _: Request<SubscribeRequest>,
    ) -> Result<Response<Subscription>, Status> {
        not_faked()
    }
}

#[tonic::async_trait]
impl AnalysisService for FakeAnalysis {
    // The proposal's contract is being rewritten; its route is left to its own tests.
    async fn submit_legal_person_analysis(
        &self,
        _: Request<SubmitLegalPersonAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        not_faked()
    }
    // Tested against the real service (tests/mesh).
    async fn submit_natural_person_analysis(
        &self,
        _: Request<SubmitNaturalPersonAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        not_faked()
    }
    async fn get_analysis(
        &self,
        request: Request<GetAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        self.0.analysis.call(request)
    }
    // The lifecycle's routes are tested against the real service (tests/mesh).
    async fn list_analyses(
        &self,
        _: Request<ListAnalysesRequest>,
    ) -> Result<Response<ListAnalysesResponse>, Status> {
        not_faked()
    }
    async fn get_analysis_details(
        &self,
        _: Request<GetAnalysisRequest>,
    ) -> Result<Response<AnalysisDetails>, Status> {
        not_faked()
    }
    async fn resolve_analysis(
        &self,
        _: Request<ResolveAnalysisRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        not_faked()
    }
    async fn answer_challenge(
        &self,
        _: Request<AnswerChallengeRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        not_faked()
    }
    async fn report_credit_outcome(
        &self,
        _: Request<ReportCreditOutcomeRequest>,
    ) -> Result<Response<CreditAnalysis>, Status> {
        not_faked()
    }
    async fn get_analysis_history(
        &self,
        _: Request<GetAnalysisRequest>,
    ) -> Result<Response<AnalysisHistory>, Status> {
        not_faked()
    }
    async fn replay_analysis(
        &self,
        _: Request<GetAnalysisRequest>,
    ) -> Result<Response<ReplayAnalysisResponse>, Status> {
        not_faked()
    }
    async fn get_performance_report(
        &self,
        _: Request<GetPerformanceReportRequest>,
    ) -> Result<Response<PerformanceReport>, Status> {
        not_faked()
    }
}
