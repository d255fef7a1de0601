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
    // read their answers again, report their credit's outcome, read how they performed and
    // serve their consumers' rights; only operators load data, publish models and replay.
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
            rule(
                score,
                "ReportScoreOutcome",
                &[Id::GATEWAY, Id::INTERNAL, Id::OPERATOR],
            ),
            rule(
                score,
                "GetPerformanceReport",
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

    // A lender's service with a certificate of its own (`aval certs --client reports-job`) is
    // allowed what internal clients are: scores (with a token), not operator work.
    let reports = service.channel_as_internal_client("reports-job")?;
    let scored = ScoreServiceClient::new(reports.clone())
        .get_score(GetScoreRequest::default())
        .await;
    assert_eq!(scored.err().map(|s| s.code()), Some(Code::Unauthenticated));
    let replay = ScoreServiceClient::new(reports)
        .replay_answer(aval_proto::score::v1::ReplayAnswerRequest::default())
        .await;
    assert_eq!(replay.err().map(|s| s.code()), Some(Code::PermissionDenied));

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

/// `score-service migrate` brings the schema up to date and exits (what a Kubernetes Job or init
/// container runs before new pods serve); other arguments are refused with a usage message.
async fn the_binary_migrates_and_exits_when_asked(db: TestDatabase) -> TestResult {
    use aval_score_service::store::Migrator;
    use sea_orm_migration::MigratorTrait;

    let data_dir = tempfile::tempdir()?;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_score-service"))
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env("AVAL_DATA_DIR", data_dir.path())
            .env_remove("AVAL_LISTEN")
            .output()
    };
    let migrated = run(&["migrate"])?;
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let conn = aval_database::connect(&db.url).await?;
    assert!(Migrator::get_pending_migrations(&conn).await?.is_empty());
    assert!(!Migrator::get_applied_migrations(&conn).await?.is_empty());

    let refused = run(&["migrate", "--now"])?;
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("`migrate`"));
    Ok(())
}
db_test!(the_binary_migrates_and_exits_when_asked);

/// analysis-service deciding a proposal that waited for data has no partner's token: with its
/// own certificate it names the tenant and client it acts for, and is answered from that
/// tenant's data, logged as a credit analysis for that client. No other certificate may name
/// them.
async fn analysis_service_names_the_tenant_it_acts_for(db: TestDatabase) -> TestResult {
    use aval_proto::score::v1::{ConsumerProfile, UpsertProfilesRequest};
    use aval_score_service::store::access_log;
    use aval_transport::behalf;

    let service = TestService::spawn::<Application>(&db.url).await?;
    let cpf = "52998224725";
    ScoreServiceClient::new(service.channel_as(Id::OPERATOR)?)
        .upsert_profiles(UpsertProfilesRequest {
            profiles: vec![ConsumerProfile {
                document: cpf.to_owned(),
                months_as_customer: 36,
                on_time_payment_ratio: 0.97,
                active_lines: 2,
                has_bank_account: true,
                ..ConsumerProfile::default()
            }],
            shared: false,
            tenant_id: "lender".to_owned(),
        })
        .await?;
    let named = |tenant: &str| {
        let mut request = tonic::Request::new(GetScoreRequest {
            document: cpf.to_owned(),
            ..GetScoreRequest::default()
        });
        assert!(behalf::attach(&mut request, tenant, "lender-client"));
        request
    };

    let answer = ScoreServiceClient::new(service.channel_as(Id::ANALYSIS)?)
        .get_score(named("lender"))
        .await?
        .into_inner();
    assert!((0..=1000).contains(&answer.score), "{answer:?}");
    // Another tenant has no data on that CPF: the name decides whose data answers.
    let other = ScoreServiceClient::new(service.channel_as(Id::ANALYSIS)?)
        .get_score(named("another-lender"))
        .await;
    assert_eq!(other.err().map(|s| s.code()), Some(Code::NotFound));
    // The gateway forwards partners' tokens: it may not name a tenant.
    let from_gateway = ScoreServiceClient::new(service.channel_as(Id::GATEWAY)?)
        .get_score(named("lender"))
        .await;
    assert_eq!(
        from_gateway.err().map(|s| s.code()),
        Some(Code::Unauthenticated)
    );

    let conn = sea_orm::Database::connect(&db.url).await?;
    let consulted = access_log::consultations(
        &conn,
        &aval_credit::Cpf::parse(cpf)?,
        chrono::Utc::now() - chrono::Duration::minutes(5),
        10,
    )
    .await?;
    let lender: Vec<_> = consulted
        .iter()
        .filter(|c| c.tenant_id == "lender")
        .map(|c| c.purpose.as_str())
        .collect();
    assert_eq!(lender, ["credit_analysis"], "{consulted:?}");
    service.stop().await
}
db_test!(analysis_service_names_the_tenant_it_acts_for);
