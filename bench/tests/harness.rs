//! The harness itself: a short run against a freshly started mesh completes, every scenario
//! answers without error, the answers the harness counted are the ones billing counted, and
//! every profile the import scenarios sent was loaded.
//! (No timing is asserted: speed is reported, not tested.)

use serde_json::Value;
use std::process::Command;

#[test]
fn a_short_run_completes_without_errors_and_counts_match_the_server() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let json = dir.path().join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_aval-bench"))
        .args([
            "run",
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--concurrency",
            "4",
            "--profiles",
            "2000",
            "--check",
            "--json",
        ])
        .arg(&json)
        .env_remove("AVAL_BENCH_POSTGRES_URL")
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "aval-bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("| scenario |"),
        "the report table is printed:\n{stdout}"
    );

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json)?)?;
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = rows.iter().filter_map(|r| r["scenario"].as_str()).collect();
    for expected in [
        "echo-grpc",
        "echo-grpc-mtls",
        "axum-hello",
        "token",
        "score-rest",
        "score-grpc",
        "analysis-rest",
        "usage-ingest (events/s)",
        "upsert-profiles (profiles/s)",
        "profile-import (profiles/s)",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for row in &rows {
        let name = row["scenario"].as_str().unwrap_or_default();
        assert!(
            row["saturation"]["ok"].as_u64().unwrap_or(0) > 0,
            "{name} delivered nothing"
        );
        assert_eq!(
            row["saturation"]["errors"],
            serde_json::json!({}),
            "{name} had errors"
        );
        if !row["client_count"].is_null() {
            assert_eq!(
                row["client_count"], row["server_count"],
                "{name}: harness and billing disagree"
            );
        }
    }
    // Every metered scenario was checked against billing.
    for metered in [
        "score-rest",
        "score-grpc",
        "analysis-rest",
        "usage-ingest (events/s)",
    ] {
        let row = rows.iter().find(|r| r["scenario"] == metered);
        assert!(
            row.is_some_and(|r| r["server_count"].as_u64().unwrap_or(0) > 0),
            "{metered} was not counted by billing"
        );
    }
    Ok(())
}
