//! The README's curl lines work as written: `aval dev` runs in a fresh directory, and the
//! README's "Calling the APIs" block runs in bash against it, exactly as a user pastes it.
//! Needs bash, curl, jq and base64 (scripts/test installs the missing ones on CI).

mod support;

use std::{path::Path, process::Command};

const README: &str = include_str!("../../README.md");

/// The first ```sh block after the "Calling the APIs" heading.
fn api_block() -> anyhow::Result<&'static str> {
    let section = README
        .split_once("## Calling the APIs")
        .map(|(_, rest)| rest)
        .ok_or_else(|| anyhow::anyhow!("no 'Calling the APIs' section"))?;
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("\n```"))
        .map(|(block, _)| block)
        .ok_or_else(|| anyhow::anyhow!("no sh block in the section"))?;
    Ok(block)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    Ok(())
}

#[tokio::test]
async fn the_readme_curl_commands_work_as_written() -> anyhow::Result<()> {
    for tool in ["bash", "curl", "jq", "base64"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()?;
        anyhow::ensure!(
            found.status.success(),
            "this test needs `{tool}` (scripts/test installs it)"
        );
    }
    let dir = tempfile::tempdir()?;
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    copy_dir(
        &repo.join("docs/examples"),
        &dir.path().join("docs/examples"),
    )?;

    let mut dev = support::start_aval_dev(
        dir.path(),
        &["--listen", "127.0.0.1:0", "--grpc-port-base", "0"],
    )
    .await?;

    let script = format!("set -euo pipefail\n{}", api_block()?);
    let output = tokio::process::Command::new("bash")
        .current_dir(dir.path())
        .env("AVAL_BIN", env!("CARGO_BIN_EXE_aval"))
        .args(["-c", &script])
        .output()
        .await?;
    support::stop_with_sigterm(&mut dev).await?;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "README block failed:\n{stdout}\n{stderr}"
    );
    assert!(
        !stdout.contains("\"error\""),
        "an API answered an error:\n{stdout}"
    );
    assert!(
        stdout.contains("\"band\": \"low\""),
        "the LOW demo CPF was scored:\n{stdout}"
    );
    assert!(
        stdout.contains("\"band\": \"high\""),
        "the HIGH demo CPF was scored:\n{stdout}"
    );
    assert!(
        stdout.contains("\"analysis_status\": \"automatically_approved\""),
        "the QI example was decided:\n{stdout}"
    );
    assert!(
        stdout.contains("day,product,answers"),
        "the CSV report came:\n{stdout}"
    );
    assert!(
        stdout.contains("\"raised_by\"") && stdout.contains("\"consultations\""),
        "the disclosure came:\n{stdout}"
    );
    assert!(
        stdout.contains("\"outcome\": \"upheld\""),
        "the review request was answered:\n{stdout}"
    );
    // The tenant's PMML model scored the imported consumer as pypmml does: 690 points, the
    // costliest reason first.
    assert!(
        stdout.contains("published telco_behaviour version 1"),
        "the model was published:\n{stdout}"
    );
    assert!(
        stdout.contains("\"id\": \"telco_behaviour\"") && stdout.contains("\"score\": 690"),
        "the imported consumer was scored with the tenant's model:\n{stdout}"
    );
    assert!(
        stdout.contains("\"code\": \"FEW_RECHARGES\""),
        "its reasons came:\n{stdout}"
    );
    // The analysts' desk: sent to a person, queued, approved, disbursed, in the history.
    assert!(
        stdout.contains("\"analysis_status\": \"in_manual_analysis\"")
            && stdout.contains("\"review-me\"")
            && stdout.contains("\"analysis_status\": \"manually_approved\"")
            && stdout.contains("\"credit_proposal_status\": \"disbursed\""),
        "the proposal went through the analysts' desk:\n{stdout}"
    );
    assert!(
        stdout
            .contains(r#""kind":"reviewed","from":"in_manual_analysis","to":"manually_approved""#),
        "the history shows the analyst's step:\n{stdout}"
    );
    assert!(
        stdout.contains("\"policy_id\": \"aval-default-lp\""),
        "the performance report came:\n{stdout}"
    );
    Ok(())
}
