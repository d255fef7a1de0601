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
            rule(score, "ScoreProposalPeople", &[Id::ANALYSIS]),
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

/// analysis-service scores a proposal's people in one call: on the partner's token, or,
/// deciding a proposal that waited for data (no token left), naming the tenant and client it
/// acts for with its own certificate. People without data are unscored, not errors; each
/// scored one is logged as a credit analysis for that tenant; no other certificate may call.
async fn a_proposals_people_are_scored_in_one_call(db: TestDatabase) -> TestResult {
    use aval_errors::FieldCode;
    use aval_proto::score::v1::{
        ConsumerProfile, ScoreProposalPeopleRequest, UpsertProfilesRequest,
    };
    use aval_score_service::store::access_log;
    use aval_transport::{behalf, status::field_violations};

    let service = TestService::spawn::<Application>(&db.url).await?;
    let known = "52998224725";
    let unknown = "11144477735";
    ScoreServiceClient::new(service.channel_as(Id::OPERATOR)?)
        .upsert_profiles(UpsertProfilesRequest {
            profiles: vec![ConsumerProfile {
                document: known.to_owned(),
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
    let named = |tenant: &str, documents: &[&str]| {
        let mut request = tonic::Request::new(ScoreProposalPeopleRequest {
            documents: documents.iter().map(|d| (*d).to_owned()).collect(),
            request_id: "req-1".to_owned(),
        });
        assert!(behalf::attach(&mut request, tenant, "lender-client"));
        request
    };
    let mut analysis = ScoreServiceClient::new(service.channel_as(Id::ANALYSIS)?);

    let people = analysis
        .score_proposal_people(named("lender", &[known, "111.444.777-35"]))
        .await?
        .into_inner()
        .people;
    assert_eq!(people.len(), 2);
    assert_eq!(people[0].document, known);
    assert!(
        people[0].score.is_some_and(|s| (0..=1000).contains(&s)),
        "{people:?}"
    );
    assert!(!people[0].answer_id.is_empty());
    assert_eq!(
        (people[1].document.as_str(), people[1].score),
        (unknown, None)
    );
    // The name decides whose data answers: another tenant has none on that CPF.
    let other = analysis
        .score_proposal_people(named("another-lender", &[known]))
        .await?
        .into_inner()
        .people;
    assert_eq!(other[0].score, None);

    let invalid = analysis
        .score_proposal_people(named("lender", &[known, "123", known]))
        .await
        .err()
        .map(|status| field_violations(&status))
        .unwrap_or_default();
    let fields: Vec<_> = invalid.iter().map(|v| (v.field.as_str(), v.code)).collect();
    assert_eq!(
        fields,
        [
            ("documents[1]", FieldCode::InvalidLength),
            ("documents[2]", FieldCode::Invalid)
        ],
        "{invalid:?}"
    );
    // Without a token, no other certificate may name a tenant (and none but analysis-service
    // may call at all).
    let from_gateway = ScoreServiceClient::new(service.channel_as(Id::GATEWAY)?)
        .score_proposal_people(named("lender", &[known]))
        .await;
    assert_eq!(
        from_gateway.err().map(|s| s.code()),
        Some(Code::PermissionDenied)
    );
    let unnamed = analysis
        .score_proposal_people(ScoreProposalPeopleRequest {
            documents: vec![known.to_owned()],
            request_id: String::new(),
        })
        .await;
    assert_eq!(unnamed.err().map(|s| s.code()), Some(Code::Unauthenticated));

    let conn = sea_orm::Database::connect(&db.url).await?;
    let consulted = access_log::consultations(
        &conn,
        &aval_credit::Cpf::parse(known)?,
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
db_test!(a_proposals_people_are_scored_in_one_call);
