#[tokio::main]
async fn main() -> Result<(), aval_mesh::app::StartError> {
    aval_mesh::app::run_main::<aval_billing_service::Application>().await
}
