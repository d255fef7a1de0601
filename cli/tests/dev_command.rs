//! The `aval dev` binary as a user runs it: starts, reports ready through dev.env and /readyz,
//! and stops cleanly on SIGTERM.

mod support;

use support::read_env_file;

#[tokio::test]
async fn aval_dev_starts_the_mesh_and_stops_on_sigterm() -> anyhow::Result<()> {
    let data_dir = tempfile::tempdir()?;
    let data_dir_arg = data_dir.path().display().to_string();
    let mut child = support::start_aval_dev(
        data_dir.path(),
        &[
            "--listen",
            "127.0.0.1:0",
            "--grpc-port-base",
            "0",
            "--data-dir",
            &data_dir_arg,
        ],
    )
    .await?;

    // dev.env is there once everything is SERVING, before the banner.
    let env_file = data_dir.path().join("dev.env");
    let env =
        read_env_file(&env_file).map_err(|e| anyhow::anyhow!("no dev.env when ready: {e}"))?;
    for key in [
        "AVAL_GATEWAY_URL",
        "AVAL_AUTH_URL",
        "AVAL_SCORE_URL",
        "AVAL_ANALYSIS_URL",
        "AVAL_BILLING_URL",
        "AVAL_CA_CERT",
        "AVAL_CLIENT_CERT",
        "AVAL_CLIENT_KEY",
        "AVAL_OPERATOR_CERT",
        "AVAL_OPERATOR_KEY",
        "AVAL_DEMO_CLIENT_ID",
        "AVAL_DEMO_CLIENT_SECRET",
        "AVAL_DEMO_CUSTOMER_ID",
        "AVAL_DEMO_MODEL",
        "AVAL_DEMO_CPF_VERY_LOW",
        "AVAL_DEMO_CPF_LOW",
        "AVAL_DEMO_CPF_MEDIUM",
        "AVAL_DEMO_CPF_HIGH",
        "AVAL_DEMO_CPF_VERY_HIGH",
    ] {
        assert!(env.contains_key(key), "dev.env lacks {key}: {env:?}");
    }
    assert!(std::path::Path::new(&env["AVAL_CA_CERT"]).exists());
    assert!(
        data_dir.path().join("data/score-service.db").exists(),
        "each service has its SQLite file"
    );

    let ready = reqwest::get(format!("{}/readyz", env["AVAL_GATEWAY_URL"])).await?;
    assert_eq!(ready.status(), 200);

    let status = support::stop_with_sigterm(&mut child).await?;
    assert!(status.success(), "aval dev exited with {status}");
    assert!(!env_file.exists(), "dev.env is removed when the mesh stops");
    Ok(())
}
