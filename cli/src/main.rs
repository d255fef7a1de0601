//! `aval`: run the whole mesh on a laptop, make mesh certificates, or administer a running mesh.

use aval::{
    admin::{self, AdminArgs},
    dev::{self, DevOptions},
};
use aval_transport::{settings::Env, shutdown};
use clap::{Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

#[derive(Parser)]
#[command(name = "aval", version, about = "Aval credit-decision platform")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the whole mesh on loopback: four services and the gateway, mTLS between them.
    Dev {
        /// Certificates, databases and dev.env go here.
        #[arg(long, env = "AVAL_DATA_DIR", default_value = ".aval")]
        data_dir: PathBuf,
        /// The gateway's REST address.
        #[arg(long, env = "AVAL_GATEWAY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// auth, score, analysis and billing listen on this port and the next three
        /// (0: free ports).
        #[arg(long, env = "AVAL_DEV_GRPC_PORT_BASE", default_value_t = 50051)]
        grpc_port_base: u16,
        /// A PostgreSQL URL for every service instead of SQLite files.
        #[arg(long, env = "DATABASE_URL")]
        database_url: Option<String>,
        /// How long score and analysis may reuse billing's quota answer (0: ask every time).
        #[arg(long, env = "AVAL_QUOTA_CACHE_TTL_MS", default_value_t = 2000)]
        quota_cache_ttl_ms: u64,
    },
    /// Generate a mesh CA and a certificate for every service, the gateway and operators.
    Certs {
        /// Output directory: the CA certificate and every workload's certificate and key.
        #[arg(long, default_value = ".aval/certs")]
        out: PathBuf,
        /// Where the CA's private key goes, apart from the workload material (never mount it
        /// into the cluster).
        #[arg(long, default_value = ".aval/ca")]
        ca_dir: PathBuf,
        /// Kubernetes namespace whose service names go into the certificates.
        #[arg(long, default_value = aval_certs::DEFAULT_NAMESPACE)]
        namespace: String,
        /// Instead of a new mesh: issue one of your own services a client certificate of its
        /// own (`internal-client/<NAME>`, allowed what internal clients are) from the CA in
        /// `--ca-dir`, into `--out`.
        #[arg(long, value_name = "NAME")]
        client: Option<String>,
    },
    /// Operator work on a running mesh, as the `operator` mesh identity: tenants, clients,
    /// plans, score models, features, profile imports, answer replays, the analysts' queue,
    /// analysis policies and performance reports. Connects with the
    /// settings `aval dev` writes to dev.env (flags and environment variables override them).
    /// Exits 1 on an error and 3 when the command ran but not cleanly (an import rejected rows,
    /// a replay differs).
    Admin(Box<AdminArgs>),
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Dev {
            data_dir,
            listen,
            grpc_port_base,
            database_url,
            quota_cache_ttl_ms,
        } => {
            let telemetry = aval_transport::settings::telemetry_from_env(&Env::process())?;
            let _guard = aval_telemetry::init("aval-dev", &telemetry)?;
            let mut mesh = dev::start(DevOptions {
                data_dir,
                gateway_listen: listen,
                grpc_port_base,
                database_url,
                telemetry,
                quota_cache_ttl: Duration::from_millis(quota_cache_ttl_ms),
            })
            .await?;
            let stop = mesh.shutdown_token();
            tokio::spawn(async move {
                shutdown::signal().await;
                stop.cancel();
            });
            let ready = async {
                mesh.wait_ready().await?;
                mesh.seed_demo().await?;
                anyhow::Ok(())
            };
            if let Err(e) = ready.await {
                mesh.shutdown_token().cancel();
                let _ = mesh.join().await;
                return Err(e);
            }
            let env_file = mesh.write_env_file()?;
            print_banner(&mesh, &env_file);
            mesh.join().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Certs {
            out,
            ca_dir,
            client: Some(name),
            ..
        } => {
            let paths = aval_certs::issue_internal_client(&ca_dir, &out, &name)?;
            println!(
                "issued internal-client/{name} (valid {} days): {} and {}",
                aval_certs::LEAF_VALIDITY.whole_days(),
                paths.cert.display(),
                paths.key.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Certs {
            out,
            ca_dir,
            namespace,
            client: None,
        } => {
            aval_transport::install_crypto_provider();
            aval_certs::generate_mesh_certs(&out, &ca_dir, &namespace)?;
            println!(
                "wrote the mesh certificates (valid {} days) to {} and the CA key to {} (keep it off the cluster)",
                aval_certs::LEAF_VALIDITY.whole_days(),
                out.display(),
                ca_dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(args) => match admin::run(*args).await {
            Ok(outcome) => Ok(ExitCode::from(outcome.exit_code())),
            // The message is meant for a person: no `Error: ` debug dump.
            Err(e) => {
                eprintln!("error: {e:#}");
                Ok(ExitCode::FAILURE)
            }
        },
    }
}

fn print_banner(mesh: &dev::DevMesh, env_file: &std::path::Path) {
    let gateway = mesh.gateway_url();
    println!();
    println!("Aval is running. Ctrl-C stops it.");
    println!();
    println!("  gateway (REST)    {gateway}");
    for (identity, addr) in &mesh.services {
        println!("  {identity:<17} https://{addr} (gRPC, mTLS)");
    }
    println!();
    println!("  certificates      {}", mesh.cert_dir.display());
    println!("  environment       {}", env_file.display());
    if let Some(demo) = &mesh.demo {
        println!();
        println!("  demo tenant       {}", demo.credentials.tenant_id);
        println!("  demo client id    {}", demo.credentials.client_id);
        println!("  demo secret       {}", demo.credentials.client_secret);
        for consumer in aval::demo::CONSUMERS.iter().take(5) {
            println!(
                "  demo CPF {:<9} {}",
                consumer.level.to_lowercase(),
                consumer.cpf
            );
        }
    }
    println!();
    println!("Try (see the README for more):");
    println!("  source {}", env_file.display());
    println!(
        "  TOKEN=$(curl -s -X POST $AVAL_GATEWAY_URL/oauth2/v1/token -u \"$AVAL_DEMO_CLIENT_ID:$AVAL_DEMO_CLIENT_SECRET\" -d grant_type=client_credentials | jq -r .access_token)"
    );
    println!(
        "  curl -s -X POST $AVAL_GATEWAY_URL/customers/v1/customscores -H \"Authorization: Bearer $TOKEN\" -H \"X-CustomerID: $AVAL_DEMO_CUSTOMER_ID\" -H \"document: $AVAL_DEMO_CPF_LOW\" -H \"score: $AVAL_DEMO_MODEL\""
    );
    println!();
}
