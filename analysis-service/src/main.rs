#[tokio::main]
async fn main() -> Result<(), aval_mesh::app::StartError> {
    aval_mesh::app::run_main::<aval_analysis_service::Application>().await
}
