//! Operator work on a running mesh, as the `operator` mesh identity (mTLS client certificate).
//!
//! - `aval admin …` (the [`AdminArgs`] command group): score models, features, profile imports
//!   and answer replays, against score-service. Where it connects is resolved by [`connect`].
//! - [`MeshAdmin`]: tenants, clients, plans and profiles, used by `aval dev` to seed its demo
//!   data and by tests to set up tenants.

mod args;
pub mod connect;
mod features;
pub mod import;
mod mesh;
mod models;
mod profiles;
mod replay;
mod status;
mod table;

pub use args::{AdminArgs, AdminCommand, FeaturesCommand, ModelsCommand, ProfilesCommand};
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
    let score = args.connection.resolve()?;
    match args.command {
        AdminCommand::Models { command } => models::run(&score, command).await,
        AdminCommand::Features { command } => features::run(&score, command).await,
        AdminCommand::Profiles { command } => profiles::run(&score, command).await,
        AdminCommand::Replay { answer_id } => replay::run(&score, &answer_id).await,
    }
}
