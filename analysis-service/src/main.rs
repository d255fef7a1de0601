#[tokio::main]
async fn main() -> Result<(), aval_transport::host::StartError> {
    aval_transport::host::run_main::<aval_analysis_service::Application>().await
}
