//! Operator work on a running mesh, as the `operator` mesh identity (mTLS client certificate).
//!
//! - `aval admin …` (the [`AdminArgs`] command group): tenants and clients (auth-service), plans
//!   (billing-service), score models, features, profile imports and answer replays
//!   (score-service). Where it connects is resolved by [`connect`], for the one service each
//!   command calls.
//! - [`MeshAdmin`]: tenants, clients, plans and profiles, used by `aval dev` to seed its demo
//!   data and by tests to set up tenants.

mod analyses;
mod args;
mod clients;
pub mod connect;
mod features;
pub mod import;
mod mesh;
mod models;
mod output;
mod plans;
mod policies;
mod profiles;
mod replay;
mod report;
mod status;
mod table;
mod tenants;

pub use args::{
    AdminArgs, AdminCommand, ClientsCommand, FeaturesCommand, ModelsCommand, PlansCommand,
    ProfilesCommand, TenantsCommand,
};
pub use mesh::{ALL_SCOPES, ClientCredentials, MeshAdmin};

/// How an admin command ended, when it did not fail outright.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything asked for was done.
    Done,
    /// The command ran to its end but not everything was clean: an import rejected rows, or a
    /// replayed answer differs from the delivered one.
    NotClean,
}

impl Outcome {
    /// `aval admin` exits 0 when done, 1 on an error, 2 on a usage error (clap's) and 3 when the
    /// command ran but was not clean, so scripts can tell "some rows were rejected" from "nothing
    /// happened".
    pub const NOT_CLEAN_EXIT_CODE: u8 = 3;

    pub fn exit_code(self) -> u8 {
        match self {
            Self::Done => 0,
            Self::NotClean => Self::NOT_CLEAN_EXIT_CODE,
        }
    }
}

/// Runs one `aval admin …` command.
pub async fn run(args: AdminArgs) -> anyhow::Result<Outcome> {
    aval_transport::install_crypto_provider();
    let to = args.connection.resolve(args.command.service())?;
    match args.command {
        AdminCommand::Tenants { command } => tenants::run(&to, command).await,
        AdminCommand::Clients { command } => clients::run(&to, command).await,
        AdminCommand::Plans { command } => plans::run(&to, command).await,
        AdminCommand::Models { command } => models::run(&to, command).await,
        AdminCommand::Features { command } => features::run(&to, command).await,
        AdminCommand::Profiles { command } => profiles::run(&to, command).await,
        AdminCommand::Analyses { command } => analyses::run(&to, command).await,
        AdminCommand::Policies { command } => policies::run(&to, command).await,
        AdminCommand::Report { command } => report::run(&to, command).await,
        AdminCommand::Replay { answer_id } => replay::run(&to, &answer_id).await,
    }
}
