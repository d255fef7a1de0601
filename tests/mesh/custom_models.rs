//! Score Customizado end to end: a tenant's PMML scorecard is published, its profiles are
//! imported, and the Claro route scores every row exactly as a PMML engine nobody here wrote
//! (pypmml) does; answers are kept, given again byte for byte and replayed; models are
//! versioned and retired; another tenant sees none of it.

use crate::helpers::{TestMesh, spawn_mesh};
use aval_credit::Cpf;
use aval_proto::score::v1::{
    FeatureValue, ImportProfilesRequest, ImportProfilesResponse, ListModelsRequest, ModelFormat,
    ProfileRow, PublishModelRequest, ReplayAnswerRequest, RetireModelRequest, ScoreModelVersion,
    feature_value::Value, profile_service_client::ProfileServiceClient,
    score_model_service_client::ScoreModelServiceClient, score_service_client::ScoreServiceClient,
};
use aval_testkit::{TestDatabase, TestResult, db_test};
use aval_transport::identity::MeshIdentity;
use serde_json::{Value as Json, json};
use std::path::PathBuf;

const MODEL: &str = "credit_points_below";

fn pmml_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../score-service/tests/pmml")
}

fn models(
    mesh: &TestMesh,
) -> anyhow::Result<ScoreModelServiceClient<aval_transport::client::MeshChannel>> {
    Ok(ScoreModelServiceClient::new(
        mesh.operator_channel(MeshIdentity::SCORE)?,
    ))
}

async fn publish(
    mesh: &TestMesh,
    tenant: &str,
    document: &str,
) -> Result<ScoreModelVersion, tonic::Status> {
    models(mesh)
        .map_err(|e| tonic::Status::internal(e.to_string()))?
        .publish_model(PublishModelRequest {
            tenant_id: tenant.into(),
            format: ModelFormat::Pmml.into(),
            document: document.into(),
            model_id: None,
        })
        .await
        .map(tonic::Response::into_inner)
}

/// A CSV-like row: every cell untyped text, as `aval admin profiles import` sends a CSV.
fn row(line: u64, document: &str, cells: &[(&str, &str)]) -> ProfileRow {
    ProfileRow {
        line,
        document: document.into(),
        features: cells
            .iter()
            .map(|(k, v)| {
                (
                    (*k).to_owned(),
                    FeatureValue {
                        value: Some(Value::Raw((*v).to_owned())),
                    },
                )
            })
            .collect(),
    }
}

async fn import(
    mesh: &TestMesh,
    tenant: &str,
    columns: &[&str],
    rows: Vec<ProfileRow>,
) -> anyhow::Result<ImportProfilesResponse> {
    // Two messages, as a streaming client sends batches.
    let (first, second) = rows.split_at(rows.len() / 2);
    let messages = vec![
        ImportProfilesRequest {
            tenant_id: tenant.into(),
            shared: false,
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: first.to_vec(),
        },
        ImportProfilesRequest {
            rows: second.to_vec(),
            ..ImportProfilesRequest::default()
        },
    ];
    Ok(
        ProfileServiceClient::new(mesh.operator_channel(MeshIdentity::SCORE)?)
            .import_profiles(tokio_stream::iter(messages))
            .await?
            .into_inner(),
    )
}

/// Deterministic valid CPFs none of the demo consumers has.
fn cpfs(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let seed = 700_000_000 + u64::try_from(i).unwrap_or(0) * 7_919;
            Cpf::from_number(seed)
                .map(|c| c.digits().to_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// The rows' features as pypmml reads them: numbers, text, booleans; empty cells missing.
fn pypmml_record(cells: &[(&str, &str)]) -> Json {
    let mut record = serde_json::Map::new();
    for (name, value) in cells {
        let value = match (*name, *value) {
            (_, "") => Json::Null,
            ("channel", v) => json!(v),
            ("has_bank_account", v) => json!(v == "true"),
            (_, v) => v.parse::<f64>().map_or(Json::Null, |n| json!(n)),
        };
        record.insert((*name).to_owned(), value);
    }
    Json::Object(record)
}

/// pypmml's answers for `records` under `model` (it must be installed: scripts/test does).
fn pypmml(model: &str, records: &[Json]) -> anyhow::Result<Vec<Json>> {
    aval_testkit::pypmml::score(&pmml_dir().join(model), records)
}

async fn claro(
    mesh: &TestMesh,
    token: &str,
    cpf: &str,
    model: &str,
) -> anyhow::Result<(u16, Json)> {
    let response = mesh.score_with(token, cpf, model).await?;
    Ok((response.status().as_u16(), response.json().await?))
}

const COLUMNS: [&str; 5] = [
    "months_as_customer",
    "on_time_payment_ratio",
    "channel",
    "has_bank_account",
    "late_payments_12m",
];

/// Rows that cover the model's branches: boundaries, missing values, invalid values, an
/// outlier, and a missing bank account (no Attribute matches: no score).
fn cells(i: usize) -> Vec<(&'static str, &'static str)> {
    const MONTHS: [&str; 8] = ["0", "5", "6", "23", "24", "36", "", "120"];
    const RATIO: [&str; 6] = ["0.3", "0.95", "1", "", "0.5", "1.5"];
    const CHANNEL: [&str; 5] = ["app", "loja", "web", "?", "fax"];
    const BANK: [&str; 4] = ["true", "false", "true", ""];
    const LATE: [&str; 6] = ["0", "1", "3", "12", "40", ""];
    vec![
        ("months_as_customer", MONTHS[i % MONTHS.len()]),
        ("on_time_payment_ratio", RATIO[i % RATIO.len()]),
        ("channel", CHANNEL[i % CHANNEL.len()]),
        ("has_bank_account", BANK[i % BANK.len()]),
        ("late_payments_12m", LATE[(i / 2) % LATE.len()]),
    ]
}

async fn a_published_pmml_model_scores_imported_rows_as_a_pmml_engine_does(
    db: TestDatabase,
) -> TestResult {
    let mesh = spawn_mesh(&db).await?;
    let acme = mesh.full_tenant("acme").await?;
    let rival = mesh.full_tenant("rival").await?;
    let acme_token = mesh.token(&acme).await?;
    let rival_token = mesh.token(&rival).await?;
    let document = std::fs::read_to_string(pmml_dir().join(format!("{MODEL}.pmml")))?;

    // Publishing declares the fields the tenant had not declared (`channel`), by their types.
    let v1 = publish(&mesh, "acme", &document).await?;
    assert_eq!((v1.model_id.as_str(), v1.version), (MODEL, 1));
    assert_eq!(v1.declared_features, ["channel"]);

    // A model reading gender is refused, naming the field and the rule; nothing is stored.
    let gender = document.replace("\"channel\"", "\"gender\"");
    let Err(refused) = publish(&mesh, "acme", &gender).await else {
        anyhow::bail!("a model reading gender was published");
    };
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    let violations = aval_transport::status::field_violations(&refused);
    assert!(
        violations
            .iter()
            .any(|v| v.message.contains("gender") && v.message.contains("7-A")),
        "{violations:?}"
    );

    // Import: good rows load, bad rows are named by line and field, duplicates refused.
    let documents = cpfs(40);
    let mut rows: Vec<ProfileRow> = documents
        .iter()
        .enumerate()
        .map(|(i, cpf)| row(u64::try_from(i).unwrap_or(0) + 2, cpf, &cells(i)))
        .collect();
    rows.push(row(42, &documents[3], &cells(3)));
    rows.push(row(43, "123.456.789-00", &cells(0)));
    rows.push(row(44, &cpfs(41)[40], &[("late_payments_12m", "many")]));
    let summary = import(&mesh, "acme", &COLUMNS, rows.clone()).await?;
    // The same file again is the same import: nothing changes (the scores below prove it).
    let again = import(&mesh, "acme", &COLUMNS, rows).await?;
    assert_eq!(again, summary);
    assert_eq!(
        (summary.received, summary.loaded, summary.rejected),
        (43, 40, 3)
    );
    let named: Vec<(u64, &str, &str)> = summary
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            (42, "document", "INVALID"),
            (43, "document", "INVALID_CHECK_DIGITS"),
            (44, "late_payments_12m", "INVALID")
        ]
    );
    // An undeclared column is refused before anything loads.
    let unknown = import(
        &mesh,
        "acme",
        &["income"],
        vec![row(2, &documents[0], &[("income", "1")])],
    )
    .await;
    assert!(unknown.is_err(), "{unknown:?}");

    // Every row: the Claro route answers what pypmml computes (score, ranked reasons), or no
    // score where pypmml has none.
    let records: Vec<Json> = (0..documents.len())
        .map(|i| pypmml_record(&cells(i)))
        .collect();
    let expected = pypmml(&format!("{MODEL}.pmml"), &records)?;
    let mut answers = Vec::new();
    for (i, cpf) in documents.iter().enumerate() {
        let (status, body) = claro(&mesh, &acme_token, cpf, MODEL).await?;
        match expected[i].get("score").and_then(Json::as_str) {
            Some(points) => {
                let points: f64 = points.parse()?;
                assert_eq!(status, 200, "row {i}: {body}");
                assert_eq!(
                    body["score"].as_i64(),
                    points
                        .round()
                        .clamp(0.0, 1000.0)
                        .to_string()
                        .parse::<i64>()
                        .ok(),
                    "row {i}: {body}"
                );
                let codes: Vec<&str> = body["reasons"]
                    .as_array()
                    .map(|r| r.iter().filter_map(|r| r["code"].as_str()).collect())
                    .unwrap_or_default();
                let engine: Vec<&str> = expected[i]["reasons"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                assert_eq!(codes, engine, "row {i}");
                assert_eq!(body["model"], json!({"id": MODEL, "version": 1}));
                answers.push(body);
            }
            None => {
                assert_eq!(status, 422, "row {i} has no score in PMML: {body}");
                assert_eq!(body["error"]["code"], "INSUFFICIENT_DATA");
            }
        }
    }
    assert!(answers.len() >= 20, "most rows score: {}", answers.len());

    // The answer again: every field as first delivered; another tenant cannot read it.
    for answer in &answers {
        let id = answer["answer_id"].as_str().unwrap_or_default();
        let again: Json = mesh
            .http
            .get(mesh.url(&format!("/v1/scores/{id}")))
            .bearer_auth(&acme_token)
            .send()
            .await?
            .json()
            .await?;
        let without_meta = |body: &Json| {
            let mut body = body.clone();
            body.as_object_mut().map(|o| o.remove("meta"));
            body.to_string()
        };
        assert_eq!(without_meta(&again), without_meta(answer));
        let theirs = mesh
            .http
            .get(mesh.url(&format!("/v1/scores/{id}")))
            .bearer_auth(&rival_token)
            .send()
            .await?;
        assert_eq!(theirs.status(), 404);
    }

    // Another tenant neither scores with acme's model nor reads acme's data.
    let (status, body) = claro(&mesh, &rival_token, &documents[0], MODEL).await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("MODEL_NOT_FOUND"))
    );
    let (status, body) = claro(&mesh, &rival_token, &documents[0], "default").await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("CPF_NOT_FOUND"))
    );
    let listed = models(&mesh)?
        .list_models(ListModelsRequest {
            tenant_id: "rival".into(),
            include_retired: true,
        })
        .await?
        .into_inner();
    assert!(listed.versions.is_empty());

    // A new version becomes the active one; `@1` still names the first; every answer
    // (acme's and the demo tenant's) replays identically.
    let v2 = publish(
        &mesh,
        "acme",
        &document.replace("initialScore=\"312.5\"", "initialScore=\"350\""),
    )
    .await?;
    assert_eq!(v2.version, 2);
    let scored = &answers[0];
    let cpf_of_first = documents
        .iter()
        .enumerate()
        .find(|(i, _)| expected[*i].get("score").is_some())
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let (_, now) = claro(&mesh, &acme_token, &cpf_of_first, MODEL).await?;
    assert_eq!(now["model"]["version"], 2);
    let (_, pinned) = claro(&mesh, &acme_token, &cpf_of_first, &format!("{MODEL}@1")).await?;
    assert_eq!(pinned["score"], scored["score"]);
    let demo_token = mesh.token(mesh.demo()?).await?;
    let mut replayable: Vec<String> = answers
        .iter()
        .filter_map(|a| a["answer_id"].as_str().map(str::to_owned))
        .collect();
    for consumer in aval::demo::CONSUMERS.iter() {
        let response = mesh.score(&demo_token, consumer.cpf).await?;
        let body: Json = response.json().await?;
        replayable.extend(body["answer_id"].as_str().map(str::to_owned));
    }
    let mut score = ScoreServiceClient::new(mesh.operator_channel(MeshIdentity::SCORE)?);
    for answer_id in &replayable {
        let replay = score
            .replay_answer(ReplayAnswerRequest {
                answer_id: answer_id.clone(),
            })
            .await?
            .into_inner();
        assert!(replay.identical, "{answer_id}: {:?}", replay.differences);
    }

    // Retiring version 2 makes version 1 active again; retiring the id leaves nothing.
    models(&mesh)?
        .retire_model(RetireModelRequest {
            tenant_id: "acme".into(),
            model_id: MODEL.into(),
            version: Some(2),
        })
        .await?;
    let (_, back) = claro(&mesh, &acme_token, &cpf_of_first, MODEL).await?;
    assert_eq!(back["model"]["version"], 1);
    let (status, _) = claro(&mesh, &acme_token, &cpf_of_first, &format!("{MODEL}@2")).await?;
    assert_eq!(status, 404);
    models(&mesh)?
        .retire_model(RetireModelRequest {
            tenant_id: "acme".into(),
            model_id: MODEL.into(),
            version: None,
        })
        .await?;
    let (status, body) = claro(&mesh, &acme_token, &cpf_of_first, MODEL).await?;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("MODEL_NOT_FOUND"))
    );
    // Retired versions still replay: the audit names them.
    let replay = score
        .replay_answer(ReplayAnswerRequest {
            answer_id: replayable[0].clone(),
        })
        .await?
        .into_inner();
    assert!(replay.identical);
    mesh.stop().await
}
db_test!(a_published_pmml_model_scores_imported_rows_as_a_pmml_engine_does);
