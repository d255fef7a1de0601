//! pypmml (PMML4S, on Java): the PMML engine nobody here wrote, which tests hold Aval's
//! scorecards against. Never skipped: a missing engine is a failure that says how to install it.

use serde::Serialize;
use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// How to get the engine, for failure messages.
pub const INSTALL: &str = "the PMML tests score with pypmml, which needs Python 3 and \
    Java: run scripts/test (it installs both, pypmml in a venv under target/), or \
    `apt-get install -y python3-venv default-jre-headless`, \
    `python3 -m venv /abs/venv && /abs/venv/bin/pip install pypmml` and set \
    AVAL_PYPMML_PYTHON=/abs/venv/bin/python3";

/// The Python with pypmml: `AVAL_PYPMML_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("AVAL_PYPMML_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../score-service/tests/pmml/score_with_pypmml.py")
}

/// pypmml's answer for each of `records` (feature name → value) under the PMML file `model`,
/// as `score_with_pypmml.py` prints them.
pub fn score<R: Serialize>(model: &Path, records: &[R]) -> anyhow::Result<Vec<serde_json::Value>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("records.json");
    std::fs::write(&path, serde_json::to_vec(records)?)?;
    let out = Command::new(python())
        .arg(script())
        .arg(model)
        .arg(&path)
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run `{}` ({e}): {INSTALL}", python()))?;
    anyhow::ensure!(
        out.status.success(),
        "pypmml failed on {}: {}\n{INSTALL}",
        model.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)?;
    anyhow::ensure!(
        answers.len() == records.len(),
        "pypmml answered {} of {} records",
        answers.len(),
        records.len()
    );
    Ok(answers)
}
