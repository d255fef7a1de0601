//! The `aval dev` binary run as a user runs it: started in a directory, ready once it prints
//! its banner (after dev.env is written and every service is SERVING), stopped with SIGTERM.

use std::{collections::BTreeMap, path::Path, process::Stdio, time::Duration};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// The line `aval dev` prints once the mesh is ready.
const READY_BANNER: &str = "Aval is running";
/// Bounds a failure, never a success: the banner comes as soon as the mesh is ready.
const LIMIT: Duration = Duration::from_secs(60);

/// Starts `aval dev <args>` in `dir` and returns once it says it is ready.
pub async fn start_aval_dev(dir: &Path, args: &[&str]) -> anyhow::Result<Child> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aval"))
        .current_dir(dir)
        .arg("dev")
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("AVAL_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let banner = async {
        while let Some(line) = lines.next_line().await? {
            if line.contains(READY_BANNER) {
                return anyhow::Ok(());
            }
        }
        anyhow::bail!("aval dev exited before it was ready")
    };
    tokio::time::timeout(LIMIT, banner)
        .await
        .map_err(|_| anyhow::anyhow!("aval dev not ready after {LIMIT:?}"))??;
    // Keep reading its output so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(child)
}

/// Sends SIGTERM and waits for `aval dev` to exit.
pub async fn stop_with_sigterm(child: &mut Child) -> anyhow::Result<std::process::ExitStatus> {
    let pid = child
        .id()
        .ok_or_else(|| anyhow::anyhow!("aval dev already exited"))?;
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await?;
    anyhow::ensure!(killed.success(), "kill -TERM {pid} failed");
    tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .map_err(|_| anyhow::anyhow!("aval dev did not stop within 20 s of SIGTERM"))?
        .map_err(Into::into)
}

/// The variables of a `dev.env`, read with the parser `aval admin` uses.
#[allow(dead_code)] // each test binary compiles this module; not all of them read dev.env
pub fn read_env_file(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)?;
    Ok(aval::admin::connect::EnvFile::parse(path, &text)?.values)
}
