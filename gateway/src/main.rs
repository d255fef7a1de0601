//! The gateway binary: settings from the environment, telemetry, serve until SIGTERM/Ctrl-C.

use aval_gateway::{Gateway, GatewaySettings};
use aval_transport::{settings::Env, shutdown};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    aval_transport::install_crypto_provider();
    let settings = GatewaySettings::from_env(&Env::process())?;
    let _telemetry = aval_telemetry::init("gateway", &settings.telemetry)?;
    let gateway = Gateway::build(settings).await?;
    tracing::info!(addr = %gateway.local_addr(), "gateway serving REST");
    gateway
        .run_until_stopped(shutdown::token_cancelled_on_signal())
        .await?;
    Ok(())
}
