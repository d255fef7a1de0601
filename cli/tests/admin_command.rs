//! `aval admin` as an operator runs it against a fresh `aval dev`: it finds the mesh through the
//! dev.env that `aval dev` wrote (or through flags alone), and
//! - onboards a partner: creates a tenant and a client whose secret obtains a token at the
//!   gateway, subscribes the tenant to a plan (its answers are refused before, delivered after)
//!   and rotates the secret (the old one stops working), in tables and JSON, with clear errors
//!   for a taken tenant id, an unknown tenant, plan or client;
//! - declares features, publishes PMML and JSON models, imports a CSV whose bad rows are named
//!   by line while the good ones load (and score), replays an answer, and lists and retires
//!   models;
//! - works a tenant's manual-review queue: lists what waits for a person, opens it, resolves
//!   it once (a second resolution names the status it is in) and reads its history.

mod support;

use serde_json::Value;
use std::{collections::BTreeMap, path::Path, process::Output};
use support::read_env_file;

/// The operator's settings come from dev.env only: none from this process's environment.
const CONNECTION_VARS: [&str; 8] = [
    "AVAL_DATA_DIR",
    "AVAL_AUTH_URL",
    "AVAL_BILLING_URL",
    "AVAL_SCORE_URL",
    "AVAL_ANALYSIS_URL",
    "AVAL_CA_CERT",
    "AVAL_OPERATOR_CERT",
    "AVAL_OPERATOR_KEY",
];

/// Runs `aval admin <args>` in `dir` (whose `.aval/dev.env` `aval dev` wrote).
async fn admin(dir: &Path, args: &[&str]) -> anyhow::Result<Output> {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_aval"));
    command.current_dir(dir).arg("admin").args(args);
    for var in CONNECTION_VARS {
        command.env_remove(var);
    }
    Ok(command.output().await?)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `aval admin <args>` must succeed; its stdout.
async fn ok(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = admin(dir, args).await?;
    anyhow::ensure!(
        output.status.success(),
        "aval admin {args:?} failed ({}):\n{}{}",
        output.status,
        stdout(&output),
        stderr(&output)
    );
    Ok(stdout(&output))
}

/// `aval admin <args>` must fail with exit status 1 and say nothing on stdout; its stderr.
async fn fails(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = admin(dir, args).await?;
    anyhow::ensure!(
        output.status.code() == Some(1) && output.stdout.is_empty(),
        "aval admin {args:?} should fail with 1 and no output ({}):\n{}{}",
        output.status,
        stdout(&output),
        stderr(&output)
    );
    Ok(stderr(&output))
}

/// The one JSON object `aval admin <args> --output json` prints, and its stderr.
async fn json(dir: &Path, args: &[&str]) -> anyhow::Result<(Value, String)> {
    let args: Vec<&str> = args.iter().copied().chain(["--output", "json"]).collect();
    let output = admin(dir, &args).await?;
    let out = stdout(&output);
    anyhow::ensure!(
        output.status.success(),
        "aval admin {args:?} failed ({}):\n{out}{}",
        output.status,
        stderr(&output)
    );
    // `from_str` refuses anything after the value: exactly one object, on one line.
    let value: Value = serde_json::from_str(&out)
        .map_err(|e| anyhow::anyhow!("not one JSON value ({e}):\n{out}"))?;
    anyhow::ensure!(value.is_object() && out.lines().count() == 1, "{out}");
    Ok((value, stderr(&output)))
}

/// A token from the gateway for `client_id` and `secret` (OAuth2 client credentials): the
/// HTTP status and the JSON body.
async fn token(
    env: &BTreeMap<String, String>,
    client_id: &str,
    secret: &str,
) -> anyhow::Result<(u16, Value)> {
    let answer = reqwest::Client::new()
        .post(format!("{}/oauth2/v1/token", env["AVAL_GATEWAY_URL"]))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?;
    let status = answer.status().as_u16();
    Ok((status, answer.json().await?))
}

/// Scores `cpf` with `model` through the gateway as the demo client; the JSON answer.
async fn score(
    env: &BTreeMap<String, String>,
    cpf: &str,
    model: &str,
) -> anyhow::Result<(u16, Value)> {
    let (_, token) = token(
        env,
        &env["AVAL_DEMO_CLIENT_ID"],
        &env["AVAL_DEMO_CLIENT_SECRET"],
    )
    .await?;
    score_as(
        env,
        token["access_token"].as_str().unwrap_or_default(),
        cpf,
        model,
    )
    .await
}

/// Scores `cpf` with `model` through the gateway with `token`; the JSON answer.
async fn score_as(
    env: &BTreeMap<String, String>,
    token: &str,
    cpf: &str,
    model: &str,
) -> anyhow::Result<(u16, Value)> {
    let http = reqwest::Client::new();
    let gateway = &env["AVAL_GATEWAY_URL"];
    let answer = http
        .post(format!("{gateway}/customers/v1/customscores"))
        .bearer_auth(token)
        .header("X-CustomerID", "admin-test")
        .header("document", cpf)
        .header("score", model)
        .send()
        .await?;
    let status = answer.status().as_u16();
    Ok((status, answer.json().await?))
}

#[tokio::test]
async fn an_operator_manages_models_features_and_profiles_with_aval_admin() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let pmml = repo.join("score-service/tests/pmml/credit_points_below.pmml");
    let json = repo.join("score-service/src/domain/default_scorecard.json");
    let (pmml, json) = (pmml.display().to_string(), json.display().to_string());

    // Without a mesh, every missing setting is named with how to give it.
    let nothing = admin(d, &["models", "list", "--tenant", "demo"]).await?;
    assert_eq!(nothing.status.code(), Some(1));
    let err = stderr(&nothing);
    for hint in ["--score-url", "AVAL_OPERATOR_KEY", "start `aval dev`"] {
        assert!(err.contains(hint), "{err}");
    }

    let mut dev =
        support::start_aval_dev(d, &["--listen", "127.0.0.1:0", "--grpc-port-base", "0"]).await?;
    let env = read_env_file(&d.join(".aval/dev.env"))?;

    // Features, then models: the PMML's DataDictionary declares `channel`.
    let declared = ok(
        d,
        &[
            "features",
            "declare",
            "--tenant",
            "demo",
            "income:number:Renda mensal",
            "region:text",
            "owns_home:bool",
        ],
    )
    .await?;
    assert_eq!(declared.trim(), "declared 3 new features for tenant demo");
    let published = ok(d, &["models", "publish", "--tenant", "demo", &pmml]).await?;
    assert!(
        published.starts_with("published credit_points_below version 1 for tenant demo (reads: ")
            && published.contains("declared: channel)"),
        "{published}"
    );
    for version in ["1", "2"] {
        let published = ok(
            d,
            &[
                "models",
                "publish",
                "--tenant",
                "demo",
                "--id",
                "credit-v1",
                &json,
            ],
        )
        .await?;
        assert!(
            published.starts_with(&format!(
                "published credit-v1 version {version} for tenant demo"
            )),
            "{published}"
        );
    }
    let features = ok(d, &["features", "list", "--tenant", "demo"]).await?;
    assert!(
        features
            .lines()
            .any(|l| l.starts_with("tenant") && l.contains("income") && l.contains("Renda mensal")),
        "{features}"
    );

    // Consumers the demo data does not know: nothing to score them from yet.
    let (fresh, other) = ("418.273.645-13", "73590128488");
    let (status, _) = score(&env, fresh, "credit_points_below").await?;
    assert_eq!(status, 404, "{fresh} has no data before the import");

    // A CSV with one bad row: the error names its line, the good rows load, exit 3.
    let csv = d.join("profiles.csv");
    std::fs::write(
        &csv,
        format!(
            "document,months_as_customer,on_time_payment_ratio,late_payments_12m,\
             has_bank_account,channel,income,region\n\
             {fresh},30,0.97,0,true,app,1200.50,SP\n\
             12345678900,12,0.5,1,false,web,800,RJ\n\
             {other},3,0.7,2,true,loja,,\"Belo Horizonte, MG\"\n"
        ),
    )?;
    let csv = csv.display().to_string();
    let import = admin(d, &["profiles", "import", "--tenant", "demo", &csv]).await?;
    let out = stdout(&import);
    assert_eq!(import.status.code(), Some(3), "{out}{}", stderr(&import));
    assert!(
        out.lines()
            .any(|l| l.starts_with("line 3: document: INVALID_CHECK_DIGITS")),
        "{out}"
    );
    assert!(
        out.contains("imported 2 of 3 rows into tenant demo (1 rejected) in "),
        "{out}"
    );

    // The imported consumer scores with the tenant's PMML model; the answer replays the same.
    let (status, answer) = score(&env, fresh, "credit_points_below").await?;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["model"]["id"], "credit_points_below");
    let answer_id = answer["answer_id"].as_str().unwrap_or_default();
    let replay = ok(d, &["replay", answer_id]).await?;
    assert!(
        replay.starts_with(&format!(
            "identical: answer {answer_id} of tenant demo: score "
        )),
        "{replay}"
    );

    // Listing and retiring.
    let list = ok(d, &["models", "list", "--tenant", "demo"]).await?;
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let has = |rows: &[Vec<&str>], id: &str, version: &str| {
        rows.iter()
            .any(|r| r.first() == Some(&id) && r.get(1) == Some(&version))
    };
    assert!(has(&rows, "credit_points_below", "1"), "{list}");
    assert!(
        has(&rows, "credit-v1", "1") && has(&rows, "credit-v1", "2"),
        "{list}"
    );
    let retired = ok(d, &["models", "retire", "--tenant", "demo", "credit-v1@1"]).await?;
    assert_eq!(
        retired.trim(),
        "retired credit-v1 version 1 for tenant demo"
    );
    let list = ok(d, &["models", "list", "--tenant", "demo"]).await?;
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        !has(&rows, "credit-v1", "1") && has(&rows, "credit-v1", "2"),
        "{list}"
    );
    let all = ok(d, &["models", "list", "--tenant", "demo", "--all"]).await?;
    assert!(
        all.lines()
            .any(|l| l.starts_with("credit-v1") && l.matches(" UTC").count() == 2),
        "a retired version shows when it was retired:\n{all}"
    );
    let gone = admin(d, &["models", "retire", "--tenant", "demo", "nope"]).await?;
    assert_eq!(gone.status.code(), Some(1));
    assert!(
        stderr(&gone).contains("MODEL_NOT_FOUND"),
        "{}",
        stderr(&gone)
    );

    let status = support::stop_with_sigterm(&mut dev).await?;
    assert!(status.success(), "aval dev exited with {status}");
    Ok(())
}

#[tokio::test]
async fn an_operator_onboards_a_partner_with_aval_admin() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();

    // Without a mesh, each command asks for the address of the one service it calls.
    let err = fails(d, &["tenants", "create", "--name", "Partner"]).await?;
    assert!(
        err.contains("cannot connect to auth-service as the operator")
            && err.contains("pass --auth-url, set AVAL_AUTH_URL, or start `aval dev`"),
        "{err}"
    );
    assert!(!err.contains("--score-url"), "{err}");
    let err = fails(
        d,
        &["plans", "subscribe", "--tenant", "p", "--plan", "trial"],
    )
    .await?;
    assert!(
        err.contains("pass --billing-url, set AVAL_BILLING_URL"),
        "{err}"
    );

    // Quota answers are not reused, so the plan counts from the very next answer.
    let mut dev = support::start_aval_dev(
        d,
        &[
            "--listen",
            "127.0.0.1:0",
            "--grpc-port-base",
            "0",
            "--quota-cache-ttl-ms",
            "0",
        ],
    )
    .await?;
    let env = read_env_file(&d.join(".aval/dev.env"))?;

    // A tenant, as a table; the same id again is refused and nothing is printed on stdout.
    let created = ok(
        d,
        &[
            "tenants",
            "create",
            "--id",
            "partner",
            "--name",
            "Partner Bank",
        ],
    )
    .await?;
    let lines: Vec<&str> = created.lines().collect();
    assert_eq!(lines.len(), 2, "{created}");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["TENANT", "NAME", "CREATED"]
    );
    assert!(
        lines[1].starts_with("partner  Partner Bank  20") && lines[1].ends_with(" UTC"),
        "{created}"
    );
    let err = fails(
        d,
        &["tenants", "create", "--id", "partner", "--name", "Again"],
    )
    .await?;
    assert_eq!(
        err.trim(),
        "error: creating tenant partner failed: ALREADY_EXISTS: tenant already exists"
    );

    // Flags alone, no dev.env (as through a port-forward): a tenant with a generated id.
    let empty = d.join("empty.env");
    std::fs::write(&empty, "")?;
    let empty = empty.display().to_string();
    let (other, _) = json(
        d,
        &[
            "tenants",
            "create",
            "--name",
            "Other Bank",
            "--env-file",
            &empty,
            "--auth-url",
            &env["AVAL_AUTH_URL"],
            "--ca-cert",
            &env["AVAL_CA_CERT"],
            "--operator-cert",
            &env["AVAL_OPERATOR_CERT"],
            "--operator-key",
            &env["AVAL_OPERATOR_KEY"],
        ],
    )
    .await?;
    assert!(
        other["tenant_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{other}"
    );
    assert_eq!(other["name"], "Other Bank");
    let created_at = other["created_at"].as_str().unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
        "{other}"
    );

    // A client of an unknown tenant: refused.
    let err = fails(
        d,
        &[
            "clients",
            "create",
            "--tenant",
            "nope",
            "--name",
            "x",
            "--scope",
            "score:read",
        ],
    )
    .await?;
    assert_eq!(
        err.trim(),
        "error: creating a client of tenant nope failed: NOT_FOUND: tenant not found"
    );

    // A client: its secret comes once, with a warning on stderr, and obtains a token.
    let (client, warning) = json(
        d,
        &[
            "clients",
            "create",
            "--tenant",
            "partner",
            "--name",
            "Partner backend",
            "--scope",
            "score:read",
            "--scope",
            "usage:read",
        ],
    )
    .await?;
    assert_eq!(client["tenant_id"], "partner");
    assert_eq!(client["name"], "Partner backend");
    assert_eq!(
        client["scopes"],
        serde_json::json!(["score:read", "usage:read"])
    );
    let client_id = client["client_id"].as_str().unwrap_or_default().to_owned();
    let secret = client["client_secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!client_id.is_empty() && !secret.is_empty(), "{client}");
    assert!(warning.contains("shown only this once"), "{warning}");
    assert!(!warning.contains(&secret), "the secret is on stdout only");
    let (status, body) = token(&env, &client_id, &secret).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "score:read usage:read");
    let access = body["access_token"].as_str().unwrap_or_default().to_owned();

    // No plan yet: the partner's answers are refused.
    let (cpf, model) = (&env["AVAL_DEMO_CPF_LOW"], &env["AVAL_DEMO_MODEL"]);
    let (status, body) = score_as(&env, &access, cpf, model).await?;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "QUOTA_EXCEEDED");

    // A plan, as a table, then another as JSON (replacing it); an unknown plan is refused.
    let subscribed = ok(
        d,
        &[
            "plans",
            "subscribe",
            "--tenant",
            "partner",
            "--plan",
            "trial",
        ],
    )
    .await?;
    let row = subscribed.lines().nth(1).unwrap_or_default();
    assert!(
        row.starts_with("partner  trial  20") && row.ends_with(" UTC  1000"),
        "{subscribed}"
    );
    let (plan, _) = json(
        d,
        &[
            "plans",
            "subscribe",
            "--tenant",
            "partner",
            "--plan",
            "pay_per_use",
        ],
    )
    .await?;
    assert_eq!(plan["tenant_id"], "partner");
    assert_eq!(plan["plan_id"], "pay_per_use");
    assert_eq!(plan["answer_limit"], 5000);
    let at =
        |key: &str| chrono::DateTime::parse_from_rfc3339(plan[key].as_str().unwrap_or_default());
    assert!(at("ends_at")? > at("starts_at")?, "{plan}");
    let err = fails(
        d,
        &[
            "plans",
            "subscribe",
            "--tenant",
            "partner",
            "--plan",
            "gold",
        ],
    )
    .await?;
    assert_eq!(
        err.trim(),
        "error: subscribing tenant partner to plan gold failed: NOT_FOUND: plan not found"
    );

    // On a plan, the same call is answered.
    let (status, body) = score_as(&env, &access, cpf, model).await?;
    assert_eq!(status, 200, "{body}");

    // A new secret: it obtains tokens, the old one no longer does.
    let (rotated, warning) =
        json(d, &["clients", "rotate-secret", "--client-id", &client_id]).await?;
    assert_eq!(rotated["client_id"], client_id.as_str());
    let new_secret = rotated["client_secret"].as_str().unwrap_or_default();
    assert!(!new_secret.is_empty() && new_secret != secret, "{rotated}");
    assert!(warning.contains("shown only this once"), "{warning}");
    assert_eq!(token(&env, &client_id, new_secret).await?.0, 200);
    assert_eq!(token(&env, &client_id, &secret).await?.0, 401);
    let err = fails(d, &["clients", "rotate-secret", "--client-id", "nope"]).await?;
    assert!(err.contains("NOT_FOUND: client not found"), "{err}");

    let status = support::stop_with_sigterm(&mut dev).await?;
    assert!(status.success(), "aval dev exited with {status}");
    Ok(())
}

#[tokio::test]
async fn an_operator_works_the_review_queue_with_aval_admin() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let d = dir.path();
    let mut dev =
        support::start_aval_dev(d, &["--listen", "127.0.0.1:0", "--grpc-port-base", "0"]).await?;
    let env = read_env_file(&d.join(".aval/dev.env"))?;

    // The demo lender submits a proposal with a partner the platform cannot score.
    let text = include_str!("../../docs/examples/legal_person_proposal.json");
    let mut proposal: Value = serde_json::from_str(text)?;
    proposal["id"] = Value::from("queue-1");
    proposal["shareholders"][0]["document_number"] =
        Value::from(env["AVAL_DEMO_CPF_UNKNOWN"].as_str());
    let (_, access) = token(
        &env,
        &env["AVAL_DEMO_CLIENT_ID"],
        &env["AVAL_DEMO_CLIENT_SECRET"],
    )
    .await?;
    let sent: Value = reqwest::Client::new()
        .post(format!(
            "{}/credit_analysis/legal_person",
            env["AVAL_GATEWAY_URL"]
        ))
        .bearer_auth(access["access_token"].as_str().unwrap_or_default())
        .json(&proposal)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(sent["analysis_status"], "in_manual_analysis", "{sent}");

    let (queue, _) = json(
        d,
        &[
            "analyses",
            "list",
            "--tenant",
            "demo",
            "--status",
            "in_manual_analysis",
        ],
    )
    .await?;
    assert_eq!(queue["analyses"][0]["id"], "queue-1", "{queue}");
    assert_eq!(queue["analyses"][0]["document_number"], "35472523000115");
    let shown = ok(d, &["analyses", "show", "--tenant", "demo", "queue-1"]).await?;
    assert!(shown.contains("unknown_partner"), "{shown}");
    assert!(shown.contains("aval-default-lp v1"), "{shown}");

    let resolve = [
        "analyses",
        "resolve",
        "--tenant",
        "demo",
        "queue-1",
        "--action",
        "reprove",
        "--analyst",
        "ops.carla",
        "--note",
        "Partner unknown to every bureau",
    ];
    let (resolved, _) = json(d, &resolve).await?;
    assert_eq!(
        resolved["analysis_status"], "manually_reproved",
        "{resolved}"
    );
    assert_eq!(resolved["credit_limit_cents"], 0);
    let err = fails(d, &resolve).await?;
    assert!(
        err.contains("INVALID_TRANSITION") && err.contains("manually_reproved"),
        "{err}"
    );
    let err = fails(
        d,
        &[
            "analyses",
            "list",
            "--tenant",
            "demo",
            "--from",
            "yesterday",
        ],
    )
    .await?;
    assert!(err.contains("YYYY-MM-DD"), "{err}");

    let history = ok(d, &["analyses", "history", "--tenant", "demo", "queue-1"]).await?;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 3, "{history}");
    assert!(
        lines[1].contains("decided") && lines[1].contains("engine"),
        "{history}"
    );
    assert!(
        lines[2].contains("reviewed")
            && lines[2].contains("analyst ops.carla (via operator operator)"),
        "{history}"
    );

    // The decision comes out the same when replayed with the version that made it.
    let replay = ok(d, &["analyses", "replay", "--tenant", "demo", "queue-1"]).await?;
    assert!(
        replay.starts_with(
            "identical: analysis queue-1 of tenant demo, policy aval-default-lp v1: \
             in_manual_analysis as delivered, in_manual_analysis replayed"
        ),
        "{replay}"
    );

    // A stricter policy: published, dry-run against the stored proposals, then activated.
    let policy = d.join("strict.json");
    std::fs::write(
        &policy,
        serde_json::json!({
            "id": "strict-lp", "version": 1, "features": ["leverage"],
            "decision_table": {
                "hit_policy": "first",
                "rules": [{"when": {"feature": "leverage", "op": "gt", "value": 0},
                           "outcome": "reprove",
                           "reason": {"code": "any_leverage", "description": "Any amount"}}],
                "default": {"outcome": "approve", "reason": {"code": "ok", "description": "Fine"}}
            },
            "scorecard": {"base_points": 500, "characteristics": []},
            "credit_limit": {"revenue_multiple": 1, "warrant_advance_rate": 0}
        })
        .to_string(),
    )?;
    let policy = policy.display().to_string();
    let output = admin(d, &["policies", "publish", "--tenant", "demo", &policy]).await?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("strict-lp"), "{}", stdout(&output));
    assert!(
        stderr(&output)
            .contains("aval admin policies activate --tenant demo --id strict-lp --version 1"),
        "{}",
        stderr(&output)
    );
    let report = ok(
        d,
        &[
            "policies",
            "dry-run",
            "--tenant",
            "demo",
            "--id",
            "strict-lp",
            "--version",
            "1",
        ],
    )
    .await?;
    assert!(report.contains("1 would change"), "{report}");
    assert!(
        report.contains("queue-1") && report.contains("automatically_reproved"),
        "{report}"
    );
    ok(
        d,
        &[
            "policies",
            "activate",
            "--tenant",
            "demo",
            "--id",
            "strict-lp",
            "--version",
            "1",
        ],
    )
    .await?;
    let (listed, _) = json(d, &["policies", "list", "--tenant", "demo"]).await?;
    // Aval's defaults (a company's, a person's), then the tenant's: a company's policy
    // leaves the persons' default active.
    assert_eq!(listed["policies"][2]["policy_id"], "strict-lp", "{listed}");
    assert_eq!(listed["policies"][2]["kind"], "legal_person", "{listed}");
    assert_eq!(listed["policies"][2]["active"], "yes", "{listed}");
    assert_eq!(listed["policies"][0]["active"], "no", "{listed}");
    assert_eq!(listed["policies"][1]["kind"], "natural_person", "{listed}");
    assert_eq!(listed["policies"][1]["active"], "yes", "{listed}");

    let status = support::stop_with_sigterm(&mut dev).await?;
    assert!(status.success(), "aval dev exited with {status}");
    Ok(())
}
