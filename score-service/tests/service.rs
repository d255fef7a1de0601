//! score-service on a free port with its real certificate and a real database.

use aval_proto::score::v1::{GetScoreRequest, score_service_client::ScoreServiceClient};
use aval_score_service::Application;
use aval_testkit::{
    TestDatabase, TestResult, TestService,
    access::{assert_allow_list, rule},
    db_test,
};
use aval_transport::identity::MeshIdentity as Id;
use tonic::Code;

async fn enforces_its_allow_list_and_wants_a_token(db: TestDatabase) -> TestResult {
    let service = TestService::spawn::<Application>(&db.url).await?;
    // Partners (through the gateway), analysis-service and operators read scores; partners
    // read their answers again and serve their consumers' rights; only operators load data,
    // publish models and replay.
    let score = "aval.score.v1.ScoreService";
    let models = "aval.score.v1.ScoreModelService";
    let operator = &[Id::OPERATOR];
    let rights = "aval.score.v1.ConsumerRightsService";
    let partners = &[Id::GATEWAY, Id::INTERNAL];
    assert_allow_list(
        &service,
        &[
            rule(
                score,
                "GetScore",
                &[Id::GATEWAY, Id::ANALYSIS, Id::INTERNAL, Id::OPERATOR],
            ),
            rule(
                score,
                "GetAnswer",
                &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
            ),
            rule(score, "UpsertProfiles", operator),
            rule(score, "ReplayAnswer", operator),
            rule(models, "PublishModel", operator),
            rule(models, "ListModels", operator),
            rule(models, "RetireModel", operator),
            rule(models, "DeclareFeatures", operator),
            rule(models, "ListFeatures", operator),
            rule("aval.score.v1.ProfileService", "ImportProfiles", operator),
            rule(rights, "Disclose", partners),
            rule(rights, "CreateReviewRequest", partners),
            rule(rights, "GetReviewRequest", partners),
            rule(rights, "ListReviewRequests", partners),
            rule(rights, "AnswerReviewRequest", partners),
        ],
    )
    .await?;

    // The mesh certificate alone is not enough: scores need a partner's token.
    let anonymous = ScoreServiceClient::new(service.channel_as(Id::ANALYSIS)?)
        .get_score(GetScoreRequest::default())
        .await;
    assert_eq!(
        anonymous.err().map(|s| s.code()),
        Some(Code::Unauthenticated)
    );
    service.stop().await
}
db_test!(enforces_its_allow_list_and_wants_a_token);
