//! `aval-bench`: measure the mesh against baselines in the same run.
//!
//! `aval-bench run` starts each server under test as a child process (`aval-bench serve …`),
//! drives it closed-loop to saturation and open-loop at half that rate, checks that the
//! delivered answers it counted are what billing counted, and prints a Markdown table.

use anyhow::Context;
use aval_bench::{
    cpu,
    load::{self, Scenario},
    report::{Report, Row, WrkCheck},
    scenarios::{self, Delivered},
    serve::{self, Ready},
};
use aval_mesh::{
    certs::CertPaths,
    client::{PeerAddress, connect_lazy},
    identity::MeshIdentity,
    tls::MeshTls,
};
use aval_proto::{
    billing::v1::{GetUsageReportRequest, Product, billing_service_client::BillingServiceClient},
    score::v1::score_service_client::ScoreServiceClient,
    testing::v1::echo_client::EchoClient,
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
    /// Comma-separated: token, score-rest, score-grpc, analysis-rest, usage-ingest.
    #[arg(
        long,
        default_value = "token,score-rest,score-grpc,analysis-rest,usage-ingest"
    )]
    scenarios: String,
    /// Also run the mesh scenarios on PostgreSQL (a server URL; a fresh database is created).
    #[arg(long, env = "AVAL_BENCH_POSTGRES_URL")]
    postgres_url: Option<String>,
    /// Skip the baselines (bare echo, bare axum).
    #[arg(long)]
    no_baselines: bool,
    /// Skip the open-loop (50 % load) measurements.
    #[arg(long)]
    no_open_loop: bool,
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
        let rate = saturation.throughput() / 2.0;
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
    billing: &BillingServiceClient<aval_mesh::client::MeshChannel>,
    tenant: &str,
    product: Product,
    expected: u64,
) -> anyhow::Result<u64> {
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let mut last = u64::MAX;
    let mut unchanged = 0;
    for _ in 0..240 {
        let report = billing
            .clone()
            .get_usage_report(GetUsageReportRequest {
                tenant_id: tenant.to_owned(),
                from: today.clone(),
                to: today.clone(),
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

async fn mesh_scenarios(
    args: &RunArgs,
    database: &str,
    database_url: Option<String>,
    rows: &mut Vec<Row>,
) -> anyhow::Result<Option<f64>> {
    let dir = tempfile::tempdir()?;
    let mut serve_args = vec![
        "mesh".to_owned(),
        "--data-dir".to_owned(),
        dir.path().display().to_string(),
    ];
    if let Some(url) = database_url {
        serve_args.extend(["--database-url".to_owned(), url]);
    }
    let mesh = Server::spawn(&serve_args, Some(dir))?;
    let ready = mesh.ready.clone();
    let gateway = ready.gateway.clone().context("no gateway")?;
    let cert_dir = ready.cert_dir.clone().context("no cert dir")?;
    let tenant = ready.tenant_id.clone().context("no tenant")?;
    let client_id = ready.client_id.clone().context("no client")?;
    let client_secret = ready.client_secret.clone().context("no secret")?;
    let http = http_client(args.concurrency)?;
    let operator = MeshTls::load(&CertPaths::in_dir(&cert_dir, MeshIdentity::OPERATOR))?;
    // usage-ingest plays score-service, the identity allowed to report usage.
    let as_score = MeshTls::load(&CertPaths::in_dir(&cert_dir, MeshIdentity::SCORE))?;
    let billing_peer = PeerAddress::new(
        format!("https://{}", ready.billing.clone().context("no billing")?),
        MeshIdentity::BILLING,
    );
    let billing_operator = BillingServiceClient::new(connect_lazy(&billing_peer, &operator)?);

    let token: serde_json::Value = http
        .post(format!("{gateway}/oauth2/v1/token"))
        .basic_auth(&client_id, Some(&client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("no token")?
        .to_owned();
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let wanted: Vec<&str> = args.scenarios.split(',').map(str::trim).collect();
    let scores_delivered: Delivered = Arc::default();
    let analyses_delivered: Delivered = Arc::default();
    let mut score_rows = Vec::new();
    let mut grpc_p50 = None;
    let mut rest_p50 = None;

    if wanted.contains(&"token") {
        let delivered: Delivered = Arc::default();
        let scenario = scenarios::Token {
            http: http.clone(),
            url: format!("{gateway}/oauth2/v1/token"),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            delivered,
        };
        rows.push(row(
            "token",
            database,
            measure(args, scenario, Some(&mesh)).await,
        ));
    }
    if wanted.contains(&"score-rest") {
        let scenario = scenarios::ScoreRest {
            http: http.clone(),
            url: format!("{gateway}/customers/v1/customscores"),
            token: token.clone(),
            cpf: aval::demo::CONSUMERS[1].cpf.to_owned(),
            delivered: scores_delivered.clone(),
        };
        let r = row(
            "score-rest",
            database,
            measure(args, scenario, Some(&mesh)).await,
        );
        rest_p50 = Some(r.saturation.p50_ms);
        score_rows.push(rows.len());
        rows.push(r);
    }
    if wanted.contains(&"score-grpc") {
        let score_peer = PeerAddress::new(
            format!("https://{}", ready.score.clone().context("no score")?),
            MeshIdentity::SCORE,
        );
        let scenario = scenarios::ScoreGrpc {
            client: ScoreServiceClient::new(connect_lazy(&score_peer, &operator)?),
            bearer: format!("Bearer {token}").parse()?,
            cpf: aval::demo::CONSUMERS[1].cpf.to_owned(),
            delivered: scores_delivered.clone(),
        };
        let r = row(
            "score-grpc",
            database,
            measure(args, scenario, Some(&mesh)).await,
        );
        grpc_p50 = Some(r.saturation.p50_ms);
        score_rows.push(rows.len());
        rows.push(r);
    }
    if wanted.contains(&"analysis-rest") {
        let proposal: serde_json::Value = serde_json::from_str(include_str!(
            "../../docs/examples/legal_person_proposal.json"
        ))?;
        let scenario = scenarios::AnalysisRest {
            http: http.clone(),
            url: format!("{gateway}/credit_analysis/legal_person"),
            token: token.clone(),
            proposal,
            run_id: run_id.clone(),
            next_id: Default::default(),
            delivered: analyses_delivered.clone(),
        };
        let mut r = row(
            "analysis-rest",
            database,
            measure(args, scenario, Some(&mesh)).await,
        );
        let client = analyses_delivered.load(Ordering::Relaxed);
        r.client_count = Some(client);
        r.server_count = Some(
            billed(
                &billing_operator,
                &tenant,
                Product::LegalPersonAnalysis,
                client,
            )
            .await?,
        );
        rows.push(r);
    }
    if wanted.contains(&"usage-ingest") {
        let delivered: Delivered = Arc::default();
        let ingest_tenant = format!("bench-ingest-{run_id}");
        let scenario = scenarios::UsageIngest {
            client: BillingServiceClient::new(connect_lazy(&billing_peer, &as_score)?),
            tenant_id: ingest_tenant.clone(),
            batch: 100,
            run_id: run_id.clone(),
            next_batch: Default::default(),
            delivered: delivered.clone(),
        };
        let mut r = row(
            "usage-ingest (events/s)",
            database,
            measure(args, scenario, Some(&mesh)).await,
        );
        let client = delivered.load(Ordering::Relaxed);
        r.client_count = Some(client);
        r.server_count = Some(
            billed(
                &billing_operator,
                &ingest_tenant,
                Product::ConsumerScore,
                client,
            )
            .await?,
        );
        rows.push(r);
    }
    if !score_rows.is_empty() {
        let client = scores_delivered.load(Ordering::Relaxed);
        let server = billed(&billing_operator, &tenant, Product::ConsumerScore, client).await?;
        for i in score_rows {
            rows[i].client_count = Some(client);
            rows[i].server_count = Some(server);
        }
    }
    let wrk_rate = if args.wrk {
        run_wrk(args, &gateway, &token)
    } else {
        None
    };
    mesh.stop();
    if let (Some(rest), Some(grpc)) = (rest_p50, grpc_p50) {
        rows.push(Row {
            scenario: "__rest_vs_grpc".into(),
            ..row(
                "",
                database,
                Measured {
                    summary: load::Summary {
                        ok: 0,
                        errors: Default::default(),
                        throughput: rest / grpc,
                        p50_ms: 0.0,
                        p90_ms: 0.0,
                        p99_ms: 0.0,
                        p999_ms: 0.0,
                        max_ms: 0.0,
                    },
                    p99_half: None,
                    cpu_ms_per_call: None,
                },
            )
        });
    }
    Ok(wrk_rate)
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
    let mut wrk = None;
    if let Some(rate) = mesh_scenarios(&args, "sqlite", None, &mut rows).await? {
        wrk = Some(rate);
    }
    if let Some(server) = &args.postgres_url {
        let name = format!("aval_bench_{}", uuid::Uuid::new_v4().simple());
        let url = aval_mesh::db::create_database(server, &name).await?;
        mesh_scenarios(
            &RunArgs {
                wrk: false,
                ..args.clone()
            },
            "postgres",
            Some(url),
            &mut rows,
        )
        .await?;
    }

    let rest_vs_grpc: Vec<(String, f64)> = rows
        .iter()
        .filter(|r| r.scenario == "__rest_vs_grpc")
        .map(|r| (r.database.clone(), r.saturation.throughput))
        .collect();
    rows.retain(|r| r.scenario != "__rest_vs_grpc");
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
                aval_mesh::install_crypto_provider();
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
