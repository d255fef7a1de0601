//! `aval admin` as an operator runs it against a fresh `aval dev`: it finds the mesh through the
//! dev.env that `aval dev` wrote, declares features, publishes PMML and JSON models, imports a
//! CSV whose bad rows are named by line while the good ones load (and score), replays an
//! answer, and lists and retires models.

mod support;

use std::{collections::HashMap, path::Path, process::Output};

/// The operator's settings come from dev.env only: none from this process's environment.
const CONNECTION_VARS: [&str; 5] = [
    "AVAL_DATA_DIR",
    "AVAL_SCORE_URL",
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

fn read_env_file(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// Scores `cpf` with `model` through the gateway as the demo client; the JSON answer.
async fn score(
    env: &HashMap<String, String>,
    cpf: &str,
    model: &str,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let http = reqwest::Client::new();
    let gateway = &env["AVAL_GATEWAY_URL"];
    let token: serde_json::Value = http
        .post(format!("{gateway}/oauth2/v1/token"))
        .basic_auth(
            &env["AVAL_DEMO_CLIENT_ID"],
            Some(&env["AVAL_DEMO_CLIENT_SECRET"]),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"].as_str().unwrap_or_default();
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
