//! `aval-bench`: measure the mesh against baselines in the same run.
//!
//! `aval-bench run` starts each server under test as a child process (`aval-bench serve …`),
//! drives it closed-loop to saturation and open-loop at half that rate, checks that the
//! delivered answers it counted are what billing counted, and prints a Markdown table.

use anyhow::Context;
use aval_bench::{
    cpu, import,
    load::{self, Scenario},
    report::{Report, Row, WrkCheck},
    scenarios::{self, Delivered},
    serve::{self, Ready},
};
use aval_proto::{
    billing::v1::{GetUsageReportRequest, billing_service_client::BillingServiceClient},
    score::v1::{
        profile_service_client::ProfileServiceClient,
        score_model_service_client::ScoreModelServiceClient,
        score_service_client::ScoreServiceClient,
    },
    usage::v1::{Product, usage_client::UsageClient},
};
use aval_testkit::TestDatabase;
use aval_testkit::echo::EchoClient;
use aval_transport::{
    client::{MeshChannel, PeerAddress, connect_lazy},
    identity::MeshIdentity,
    tls::{CertPaths, MeshTls},
};
use clap::{Parser, Subcommand};
use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, atomic::Ordering},
    time::Duration,
};

#[derive(Parser)]
#[command(
    name = "aval-bench",
    about = "Load generator and benchmark harness for the Aval mesh"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the scenarios and baselines, print the report.
    Run(RunArgs),
    /// (internal) Serve one thing under test in this process.
    #[command(hide = true)]
    Serve {
        #[command(subcommand)]
        what: ServeWhat,
    },
}

#[derive(Subcommand)]
enum ServeWhat {
    Mesh {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        database_url: Option<String>,
    },
    Echo {
        #[arg(long)]
        tls_cert_dir: Option<PathBuf>,
    },
    Hello,
}

#[derive(clap::Args, Clone)]
struct RunArgs {
    /// Seconds per measurement (closed loop and open loop each).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of warm-up before each closed-loop measurement (not counted in latency).
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Concurrent workers (closed loop) and HTTP connections.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Comma-separated: token, score-rest, score-grpc, analysis-rest, usage-ingest,
    /// profile-import.
    #[arg(
        long,
        default_value = "token,score-rest,score-grpc,analysis-rest,usage-ingest,profile-import"
    )]
    scenarios: String,
    /// Profiles profile-import streams in one import (and its baseline upserts).
    #[arg(long, default_value_t = 100_000)]
    profiles: usize,
    /// Also run the mesh scenarios on PostgreSQL (a server URL; a fresh database is created).
    #[arg(long, env = "AVAL_BENCH_POSTGRES_URL")]
    postgres_url: Option<String>,
    /// Skip the baselines (bare echo, bare axum).
    #[arg(long)]
    no_baselines: bool,
    /// Skip the open-loop measurements.
    #[arg(long)]
    no_open_loop: bool,
    /// The open loop's rate, as a fraction of the closed loop's measured maximum.
    #[arg(long, default_value_t = 0.5)]
    open_loop_load: f64,
    /// Cross-check score-rest with wrk when it is installed.
    #[arg(long)]
    wrk: bool,
    /// Write the report as JSON here too.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit non-zero on any error or on a client/server count mismatch.
    #[arg(long)]
    check: bool,
}

/// A server under test, in a child process.
struct Server {
    child: Child,
    ready: Ready,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    fn spawn(args: &[String], dir: Option<tempfile::TempDir>) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let ready: Ready = serde_json::from_str(line.trim())
            .with_context(|| format!("server did not start: {line:?}"))?;
        Ok(Self {
            child,
            ready,
            _dir: dir,
        })
    }

    fn cpu(&self) -> Option<Duration> {
        cpu::process_cpu_time(self.child.id())
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server left behind by an error (a `?` between spawning and stopping it) dies with its
/// handle instead of outliving the run.
impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

struct Measured {
    summary: load::Summary,
    p99_half: Option<f64>,
    cpu_ms_per_call: Option<f64>,
}

async fn measure<S: Scenario>(args: &RunArgs, scenario: S, server: Option<&Server>) -> Measured {
    let scenario = Arc::new(scenario);
    let duration = Duration::from_secs_f64(args.duration);
    let cpu_before = server.and_then(Server::cpu);
    let warmup = Duration::from_secs_f64(args.warmup);
    let saturation = load::closed_loop(scenario.clone(), args.concurrency, warmup, duration).await;
    let cpu_after = server.and_then(Server::cpu);
    let cpu_ms_per_call = match (cpu_before, cpu_after) {
        // The warm-up second's calls are not counted but did cost CPU: a slight overestimate.
        (Some(b), Some(a)) if saturation.ok > 0 => {
            Some((a - b).as_secs_f64() * 1000.0 / saturation.ok as f64)
        }
        _ => None,
    };
    let p99_half = if args.no_open_loop || saturation.ok == 0 {
        None
    } else {
        let rate = saturation.throughput() * args.open_loop_load;
        let open = load::open_loop(scenario.clone(), rate, duration, 10_000).await;
        Some(open.percentile_ms(0.99))
    };
    Measured {
        summary: saturation.summary(scenario.items_per_call()),
        p99_half,
        cpu_ms_per_call,
    }
}

fn row(name: &str, database: &str, m: Measured) -> Row {
    Row {
        scenario: name.to_owned(),
        database: database.to_owned(),
        saturation: m.summary,
        p99_at_half_load_ms: m.p99_half,
        baseline: None,
        ratio_to_baseline: None,
        cpu_ms_per_call: m.cpu_ms_per_call,
        client_count: None,
        server_count: None,
    }
}

fn http_client(concurrency: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()?)
}

async fn baselines(args: &RunArgs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let plain = Server::spawn(&["echo".into()], None)?;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", plain.ready.addr))?
        .connect_lazy();
    let m = measure(
        args,
        scenarios::Echo {
            client: EchoClient::new(channel),
        },
        Some(&plain),
    )
    .await;
    rows.push(row("echo-grpc", "–", m));
    plain.stop();

    let dir = tempfile::tempdir()?;
    let tls = Server::spawn(
        &[
            "echo".into(),
            "--tls-cert-dir".into(),
            dir.path().display().to_string(),
        ],
        None,
    )?;
    let client_tls = MeshTls::load(&CertPaths::in_dir(dir.path(), MeshIdentity::GATEWAY))?;
    let channel = connect_lazy(
        &PeerAddress::new(format!("https://{}", tls.ready.addr), MeshIdentity::SCORE),
        &client_tls,
    )?;
    let m = measure(
        args,
        scenarios::Echo {
            client: EchoClient::new(channel),
        },
        Some(&tls),
    )
    .await;
    rows.push(row("echo-grpc-mtls", "–", m));
    tls.stop();

    let hello = Server::spawn(&["hello".into()], None)?;
    let scenario = scenarios::Hello {
        http: http_client(args.concurrency)?,
        url: format!("{}/hello", hello.ready.addr),
    };
    let m = measure(args, scenario, Some(&hello)).await;
    rows.push(row("axum-hello", "–", m));
    hello.stop();
    Ok(())
}

/// Answers billed to `tenant` for `product`: polls until billing's count reaches `expected`, or
/// has not moved for 5 s (the outbox ships continuously, so a stalled count is final).
async fn billed(
    billing: &BillingServiceClient<MeshChannel>,
    tenant: &str,
    product: Product,
    expected: u64,
) -> anyhow::Result<u64> {
    let mut last = u64::MAX;
    let mut unchanged = 0;
    for _ in 0..240 {
        let report = billing
            .clone()
            // The mesh is fresh: this month so far (billing's default) holds all of it.
            .get_usage_report(GetUsageReportRequest {
                tenant_id: tenant.to_owned(),
                from: None,
                to: None,
            })
            .await?
            .into_inner();
        let count: i64 = report
            .rows
            .iter()
            .filter(|r| r.product == i32::from(product))
            .map(|r| r.answers)
            .sum();
        let count = u64::try_from(count).unwrap_or(0);
        unchanged = if count == last { unchanged + 1 } else { 0 };
        if count == expected || unchanged >= 10 {
            return Ok(count);
        }
        last = count;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(last)
}

/// A freshly started mesh and what the scenarios need to call it.
struct MeshUnderTest {
    server: Server,
    gateway: String,
    tenant: String,
    client_id: String,
    client_secret: String,
    token: String,
    http: reqwest::Client,
    /// TLS material of the internal client (partner APIs over gRPC).
    internal: MeshTls,
    /// TLS material of score-service: usage-ingest reports usage as score-service does.
    as_score: MeshTls,
    /// TLS material of the operator: profile-import loads profiles as `aval admin` does.
    operator: MeshTls,
    score_peer: PeerAddress,
    billing_peer: PeerAddress,
    billing_operator: BillingServiceClient<MeshChannel>,
    /// Dropped after `server` (fields drop in order): the mesh stops before its database goes.
    _database: Option<TestDatabase>,
}

/// Starts a fresh mesh on SQLite, or on a fresh database of the PostgreSQL server `postgres`.
async fn start_mesh(args: &RunArgs, postgres: Option<&str>) -> anyhow::Result<MeshUnderTest> {
    let dir = tempfile::tempdir()?;
    let mut serve_args = vec![
        "mesh".to_owned(),
        "--data-dir".to_owned(),
        dir.path().display().to_string(),
    ];
    let database = match postgres {
        Some(server) => Some(TestDatabase::postgres_on(server, "aval_bench").await?),
        None => None,
    };
    if let Some(database) = &database {
        serve_args.extend(["--database-url".to_owned(), database.url.clone()]);
    }
    let server = Server::spawn(&serve_args, Some(dir))?;
    let ready = server.ready.clone();
    let gateway = ready.gateway.clone().context("no gateway")?;
    let cert_dir = ready.cert_dir.clone().context("no cert dir")?;
    let client_id = ready.client_id.clone().context("no client")?;
    let client_secret = ready.client_secret.clone().context("no secret")?;
    let http = http_client(args.concurrency)?;
    let operator = MeshTls::load(&CertPaths::in_dir(&cert_dir, MeshIdentity::OPERATOR))?;
    let peer = |addr: Option<String>, identity: &str| -> anyhow::Result<PeerAddress> {
        let addr = addr.with_context(|| format!("no {identity} address"))?;
        Ok(PeerAddress::new(format!("https://{addr}"), identity))
    };
    let billing_peer = peer(ready.billing.clone(), MeshIdentity::BILLING)?;
    let token: serde_json::Value = http
        .post(format!("{gateway}/oauth2/v1/token"))
        .basic_auth(&client_id, Some(&client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    Ok(MeshUnderTest {
        gateway,
        tenant: ready.tenant_id.clone().context("no tenant")?,
        client_id,
        client_secret,
        token: token["access_token"]
            .as_str()
            .context("no token")?
            .to_owned(),
        http,
        internal: MeshTls::load(&CertPaths::in_dir(&cert_dir, MeshIdentity::INTERNAL))?,
        as_score: MeshTls::load(&CertPaths::in_dir(&cert_dir, MeshIdentity::SCORE))?,
        score_peer: peer(ready.score.clone(), MeshIdentity::SCORE)?,
        billing_operator: BillingServiceClient::new(connect_lazy(&billing_peer, &operator)?),
        operator,
        billing_peer,
        server,
        _database: database,
    })
}

/// Runs one mesh scenario against a freshly started mesh, and checks the answers it delivered
/// against billing's own count.
async fn mesh_scenario(
    args: &RunArgs,
    name: &str,
    database: &str,
    postgres: Option<&str>,
) -> anyhow::Result<Row> {
    let mesh = start_mesh(args, postgres).await?;
    let delivered: Delivered = Arc::default();
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let ingest_tenant = format!("bench-ingest-{run_id}");
    let (measured, billed_as) = match name {
        "token" => {
            let scenario = scenarios::Token {
                http: mesh.http.clone(),
                url: format!("{}/oauth2/v1/token", mesh.gateway),
                client_id: mesh.client_id.clone(),
                client_secret: mesh.client_secret.clone(),
                delivered: delivered.clone(),
            };
            (measure(args, scenario, Some(&mesh.server)).await, None)
        }
        "score-rest" => {
            let scenario = scenarios::ScoreRest {
                http: mesh.http.clone(),
                url: format!("{}/customers/v1/customscores", mesh.gateway),
                token: mesh.token.clone(),
                cpf: aval::demo::CONSUMERS[1].cpf.to_owned(),
                delivered: delivered.clone(),
            };
            let m = measure(args, scenario, Some(&mesh.server)).await;
            (m, Some((mesh.tenant.clone(), Product::ConsumerScore)))
        }
        "score-grpc" => {
            let scenario = scenarios::ScoreGrpc {
                client: ScoreServiceClient::new(connect_lazy(&mesh.score_peer, &mesh.internal)?),
                bearer: format!("Bearer {}", mesh.token).parse()?,
                cpf: aval::demo::CONSUMERS[1].cpf.to_owned(),
                delivered: delivered.clone(),
            };
            let m = measure(args, scenario, Some(&mesh.server)).await;
            (m, Some((mesh.tenant.clone(), Product::ConsumerScore)))
        }
        "analysis-rest" => {
            let proposal: serde_json::Value = serde_json::from_str(include_str!(
                "../../docs/examples/legal_person_proposal.json"
            ))?;
            let scenario = scenarios::AnalysisRest {
                http: mesh.http.clone(),
                url: format!("{}/credit_analysis/legal_person", mesh.gateway),
                token: mesh.token.clone(),
                proposal,
                run_id: run_id.clone(),
                next_id: Default::default(),
                delivered: delivered.clone(),
            };
            let m = measure(args, scenario, Some(&mesh.server)).await;
            (m, Some((mesh.tenant.clone(), Product::LegalPersonAnalysis)))
        }
        "usage-ingest" => {
            let scenario = scenarios::UsageIngest {
                client: UsageClient::new(connect_lazy(&mesh.billing_peer, &mesh.as_score)?),
                tenant_id: ingest_tenant.clone(),
                batch: 100,
                run_id: run_id.clone(),
                next_batch: Default::default(),
                delivered: delivered.clone(),
            };
            let m = measure(args, scenario, Some(&mesh.server)).await;
            (m, Some((ingest_tenant, Product::ConsumerScore)))
        }
        other => anyhow::bail!("unknown scenario `{other}`"),
    };
    let label = if name == "usage-ingest" {
        "usage-ingest (events/s)"
    } else {
        name
    };
    let mut r = row(label, database, measured);
    if let Some((tenant, product)) = billed_as {
        let client = delivered.load(Ordering::Relaxed);
        r.client_count = Some(client);
        r.server_count = Some(billed(&mesh.billing_operator, &tenant, product, client).await?);
    }
    mesh.server.stop();
    Ok(r)
}

/// `profile-import` on a fresh mesh: the baseline (unary upserts) first, then one streamed
/// import of as many profiles; each row's client/server count is profiles sent / loaded.
async fn profile_import(
    args: &RunArgs,
    database: &str,
    postgres: Option<&str>,
) -> anyhow::Result<[Row; 2]> {
    const IMPORT: &str = "profile-import (profiles/s)";
    const BASELINE: &str = "upsert-profiles (profiles/s)";
    let mesh = start_mesh(args, postgres).await?;
    let channel = connect_lazy(&mesh.score_peer, &mesh.operator)?;
    let mut models = ScoreModelServiceClient::new(channel.clone());
    import::declare_features(&mut models, &mesh.tenant)
        .await
        .context("declaring the bench's features")?;
    // Generated before the clock starts, on consumers apart from each other.
    let profiles = import::consumer_profiles(50_000_000, args.profiles);
    let rows = import::profile_rows(0, args.profiles);

    let row = |name: &str, load: &import::Load, cpu: Option<(Duration, Duration)>| Row {
        scenario: name.to_owned(),
        database: database.to_owned(),
        saturation: load.summary(),
        p99_at_half_load_ms: None,
        baseline: None,
        ratio_to_baseline: None,
        cpu_ms_per_call: cpu
            .filter(|_| load.loaded > 0)
            .map(|(b, a)| (a - b).as_secs_f64() * 1000.0 / load.loaded as f64),
        client_count: Some(load.sent),
        server_count: Some(load.loaded),
    };
    let before = mesh.server.cpu();
    let upserted = import::upsert(
        &mut ScoreServiceClient::new(channel),
        &mesh.tenant,
        profiles,
    )
    .await;
    let baseline = row(BASELINE, &upserted, before.zip(mesh.server.cpu()));

    let mut client = ProfileServiceClient::new(aval_transport::client::connect_for_streams(
        &mesh.score_peer,
        &mesh.operator,
    )?);
    let before = mesh.server.cpu();
    let imported = import::import(&mut client, &mesh.tenant, rows).await;
    let mut measured = row(IMPORT, &imported, before.zip(mesh.server.cpu()));
    if baseline.saturation.throughput > 0.0 {
        measured.baseline = Some(BASELINE.to_owned());
        measured.ratio_to_baseline =
            Some(measured.saturation.throughput / baseline.saturation.throughput);
    }
    mesh.server.stop();
    Ok([baseline, measured])
}

/// Every requested mesh scenario on one database; `score-rest` p50 / `score-grpc` p50.
async fn mesh_scenarios(
    args: &RunArgs,
    database: &str,
    postgres: Option<&str>,
    rows: &mut Vec<Row>,
) -> anyhow::Result<Option<f64>> {
    let wanted: Vec<&str> = args.scenarios.split(',').map(str::trim).collect();
    let start = rows.len();
    for name in [
        "token",
        "score-rest",
        "score-grpc",
        "analysis-rest",
        "usage-ingest",
    ] {
        if wanted.contains(&name) {
            rows.push(mesh_scenario(args, name, database, postgres).await?);
        }
    }
    if wanted.contains(&"profile-import") {
        rows.extend(profile_import(args, database, postgres).await?);
    }
    let p50 = |name: &str| {
        rows[start..]
            .iter()
            .find(|r| r.scenario == name)
            .map(|r| r.saturation.p50_ms)
    };
    Ok(p50("score-rest")
        .zip(p50("score-grpc"))
        .map(|(rest, grpc)| rest / grpc))
}

/// `wrk`'s requests/s on score-rest against a fresh mesh, when wrk is installed.
async fn wrk_check(args: &RunArgs) -> anyhow::Result<Option<f64>> {
    let mesh = start_mesh(args, None).await?;
    let rate = run_wrk(args, &mesh.gateway, &mesh.token);
    mesh.server.stop();
    Ok(rate)
}

/// Requests/s that wrk measures on score-rest (HTTP/1.1 keep-alive), if wrk is installed.
fn run_wrk(args: &RunArgs, gateway: &str, token: &str) -> Option<f64> {
    let script = tempfile::NamedTempFile::new().ok()?;
    let lua = format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Authorization\"] = \"Bearer {token}\"\nwrk.headers[\"document\"] = \"{}\"\nwrk.headers[\"score\"] = \"aval-default\"\n",
        aval::demo::CONSUMERS[1].cpf
    );
    std::fs::write(script.path(), lua).ok()?;
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{}", args.concurrency),
            &format!("-d{}s", args.duration.max(1.0) as u64),
            "-s",
            &script.path().display().to_string(),
            &format!("{gateway}/customers/v1/customscores"),
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn baseline_for(scenario: &str) -> Option<&'static str> {
    match scenario {
        "score-grpc" | "usage-ingest (events/s)" => Some("echo-grpc-mtls"),
        "token" | "score-rest" | "analysis-rest" => Some("axum-hello"),
        "echo-grpc-mtls" => Some("echo-grpc"),
        _ => None,
    }
}

async fn run(args: RunArgs) -> anyhow::Result<bool> {
    let mut rows = Vec::new();
    if !args.no_baselines {
        baselines(&args, &mut rows).await?;
    }
    let mut rest_vs_grpc = Vec::new();
    if let Some(ratio) = mesh_scenarios(&args, "sqlite", None, &mut rows).await? {
        rest_vs_grpc.push(("sqlite".to_owned(), ratio));
    }
    if let Some(server) = &args.postgres_url
        && let Some(ratio) = mesh_scenarios(&args, "postgres", Some(server), &mut rows).await?
    {
        rest_vs_grpc.push(("postgres".to_owned(), ratio));
    }
    let wrk = if args.wrk {
        wrk_check(&args).await?
    } else {
        None
    };

    let throughput_of = |name: &str, rows: &[Row]| {
        rows.iter()
            .find(|r| r.scenario == name)
            .map(|r| r.saturation.throughput)
    };
    let snapshot = rows.clone();
    for r in &mut rows {
        if let Some(base) = baseline_for(&r.scenario)
            && let Some(base_tp) = throughput_of(base, &snapshot)
            && base_tp > 0.0
        {
            // usage-ingest counts events; its baseline counts calls: compare calls.
            let calls = if r.scenario.starts_with("usage-ingest") {
                r.saturation.throughput / 100.0
            } else {
                r.saturation.throughput
            };
            r.baseline = Some(base.to_owned());
            r.ratio_to_baseline = Some(calls / base_tp);
        }
    }
    let mtls_vs_plaintext = match (
        throughput_of("echo-grpc-mtls", &rows),
        throughput_of("echo-grpc", &rows),
    ) {
        (Some(tls), Some(plain)) if plain > 0.0 => Some(tls / plain),
        _ => None,
    };
    let wrk = wrk.and_then(|rate| {
        rows.iter()
            .find(|r| r.scenario == "score-rest" && r.database == "sqlite")
            .map(|r| WrkCheck {
                scenario: "score-rest (sqlite)".to_owned(),
                wrk_requests_per_sec: rate,
                harness_requests_per_sec: r.saturation.throughput,
            })
    });
    let report = Report {
        machine: cpu::machine(),
        duration_secs: args.duration,
        concurrency: args.concurrency,
        open_loop_load: args.open_loop_load,
        rows,
        rest_vs_grpc_p50: rest_vs_grpc,
        mtls_vs_plaintext,
        wrk,
    };
    println!("{}", report.markdown());
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    }
    let clean = report
        .rows
        .iter()
        .all(|r| r.saturation.errors.is_empty() && r.client_count == r.server_count);
    Ok(clean || !args.check)
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Cmd::Run(args) => {
                aval_transport::install_crypto_provider();
                if !run(args).await? {
                    anyhow::bail!("errors or count mismatches (see the table)");
                }
                Ok(())
            }
            Cmd::Serve { what } => match what {
                ServeWhat::Mesh {
                    data_dir,
                    database_url,
                } => serve::mesh(data_dir, database_url).await,
                ServeWhat::Echo { tls_cert_dir } => serve::echo(tls_cert_dir).await,
                ServeWhat::Hello => serve::hello().await,
            },
        }
    })
}
