//! The `aval admin …` command line (clap): what each command takes.

use super::{
    connect::{ConnectionArgs, Service},
    features::FeatureSpec,
    import::FileFormat,
    models::{ModelFormatArg, ModelRef},
    output::OutputArgs,
};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `aval admin`: operator commands against the mesh's services.
#[derive(Args, Debug)]
pub struct AdminArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(subcommand)]
    pub command: AdminCommand,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Tenants: the partner organisations that clients, plans, models and data belong to.
    Tenants {
        #[command(subcommand)]
        command: TenantsCommand,
    },
    /// A tenant's OAuth2 clients (client credentials): create, rotate a secret.
    Clients {
        #[command(subcommand)]
        command: ClientsCommand,
    },
    /// A tenant's plan, which sets how many answers it may receive and until when.
    Plans {
        #[command(subcommand)]
        command: PlansCommand,
    },
    /// A tenant's score models: publish (a new version), list, retire.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// The features a tenant's profiles and models may use.
    Features {
        #[command(subcommand)]
        command: FeaturesCommand,
    },
    /// Consumer profiles: bulk imports from CSV or NDJSON.
    Profiles {
        #[command(subcommand)]
        command: ProfilesCommand,
    },
    /// A tenant's legal-person analyses: the manual-review queue, details, resolutions and
    /// history.
    Analyses {
        #[command(subcommand)]
        command: AnalysesCommand,
    },
    /// A tenant's analysis policies: publish a version, list them, activate one.
    Policies {
        #[command(subcommand)]
        command: PoliciesCommand,
    },
    /// Reports on a tenant's decisions (analyses) and scores.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Recomputes a delivered score answer from its stored inputs with its model version and
    /// says whether it comes out the same (exit 3 when it does not).
    Replay {
        /// The answer's id (`answer_id` in the score answer).
        answer_id: String,
    },
}

impl AdminCommand {
    /// The service the command calls.
    pub fn service(&self) -> Service {
        match self {
            Self::Tenants { .. } | Self::Clients { .. } => Service::Auth,
            Self::Plans { .. } => Service::Billing,
            Self::Models { .. }
            | Self::Features { .. }
            | Self::Profiles { .. }
            | Self::Replay { .. } => Service::Score,
            Self::Report {
                command: ReportCommand::Performance { product, .. },
            } => product.service(),
            Self::Analyses { .. } | Self::Policies { .. } => Service::Analysis,
        }
    }
}

/// What a report is about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportProduct {
    /// Legal-person analyses, per policy version and decision.
    #[default]
    Analysis,
    /// Consumer scores, per model version and risk band.
    Score,
}

impl ReportProduct {
    /// The service that keeps the product's outcomes.
    pub fn service(self) -> Service {
        match self {
            Self::Analysis => Service::Analysis,
            Self::Score => Service::Score,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// How the tenant's decisions performed, per policy version and decision (or, with
    /// `--product score`, its scores per model version and risk band): the count, the share
    /// with a final outcome (paid or defaulted), the default rate, KS and Gini.
    Performance {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_enum, default_value_t)]
        product: ReportProduct,
        /// Decisions created on or after this day (YYYY-MM-DD, Brasília time).
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Decisions created on or before this day.
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum PoliciesCommand {
    /// Publishes a policy document (its id and version inside). Publishing does not activate.
    Publish {
        #[arg(long)]
        tenant: String,
        /// The policy document (JSON).
        file: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Lists Aval's default and the tenant's versions, marking the active one.
    List {
        #[arg(long)]
        tenant: String,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Decides the tenant's most recent stored proposals again with a candidate and reports
    /// which decisions would change, from what to what, and why. Nothing is stored.
    DryRun {
        #[arg(long)]
        tenant: String,
        /// A policy document (JSON), not yet published.
        #[arg(long, conflicts_with_all = ["policy_id", "version"], required_unless_present = "policy_id")]
        file: Option<PathBuf>,
        /// A published version's id (with --version).
        #[arg(long = "id", requires = "version")]
        policy_id: Option<String>,
        #[arg(long)]
        version: Option<u32>,
        /// How many of the most recent analyses (1 to 5000).
        #[arg(long, default_value_t = 500)]
        last: u32,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Makes a published version decide the tenant's new proposals (decided ones keep theirs).
    Activate {
        #[arg(long)]
        tenant: String,
        /// The policy id (aval-default-lp for Aval's default).
        #[arg(long = "id")]
        policy_id: String,
        #[arg(long)]
        version: u32,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum AnalysesCommand {
    /// Lists a tenant's analyses, oldest first, a page at a time.
    List {
        #[arg(long)]
        tenant: String,
        /// Only this status (e.g. in_manual_analysis); repeat for more.
        #[arg(long = "status", value_name = "STATUS")]
        statuses: Vec<String>,
        /// Created on or after this day (YYYY-MM-DD, Brasília time).
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Created on or before this day (YYYY-MM-DD, Brasília time).
        #[arg(long, value_name = "DAY")]
        to: Option<String>,
        /// Only this company (CNPJ).
        #[arg(long)]
        document: Option<String>,
        /// 1 to 200 [default: 50].
        #[arg(long)]
        page_size: Option<i32>,
        /// The token printed after the previous page.
        #[arg(long)]
        page_token: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Shows one analysis with its decision trace and the partners' scores.
    Show {
        #[arg(long)]
        tenant: String,
        /// The analysis (proposal) id.
        id: String,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Resolves an analysis in manual analysis: approve, reprove or challenge.
    Resolve {
        #[arg(long)]
        tenant: String,
        /// The analysis (proposal) id.
        id: String,
        /// approve, reprove or challenge.
        #[arg(long)]
        action: String,
        /// The analyst's id.
        #[arg(long)]
        analyst: String,
        /// Why, for the record.
        #[arg(long)]
        note: String,
        /// approve only: the limit granted, in cents.
        #[arg(long, value_name = "CENTS")]
        credit_limit: Option<i64>,
        /// challenge only: proof_of_income, new_guarantor, additional_warrant,
        /// financial_statements or other.
        #[arg(long)]
        challenge: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Decides a stored analysis again with the policy version that decided it and says
    /// whether it comes out the same (exit 3 when it does not).
    Replay {
        #[arg(long)]
        tenant: String,
        /// The analysis (proposal) id.
        id: String,
    },
    /// Every step of an analysis: who, when and why.
    History {
        #[arg(long)]
        tenant: String,
        /// The analysis (proposal) id.
        id: String,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TenantsCommand {
    /// Creates a tenant; an id already taken is an error (ALREADY_EXISTS).
    Create {
        /// The tenant's id (letters, digits, `-`, `_`); generated when omitted.
        #[arg(long)]
        id: Option<String>,
        /// Its display name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// Creates an OAuth2 client of a tenant and prints its id and secret. The secret is shown
    /// this once: auth-service keeps only a hash of it.
    Create {
        /// The tenant the client belongs to (it must exist).
        #[arg(long)]
        tenant: String,
        /// The client's display name.
        #[arg(long)]
        name: String,
        /// A scope the client may ask for; repeat for more. One of score:read, score:write,
        /// score:review, analysis:write, analysis:read, analysis:review, usage:read,
        /// consumer:rights, consumer:reviews.
        #[arg(long = "scope", value_name = "SCOPE", required = true)]
        scopes: Vec<String>,
        /// The client's id (letters, digits, `-`, `_`); generated when omitted.
        #[arg(long)]
        client_id: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Gives a client a new secret, shown this once. The old secret stops working at once (no
    /// grace period); tokens already issued with it last until they expire.
    RotateSecret {
        #[arg(long)]
        client_id: String,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlansCommand {
    /// Puts a tenant on a plan from now for the plan's period, replacing its current one.
    Subscribe {
        /// The tenant (billing does not check that auth-service knows it: mind the spelling).
        #[arg(long)]
        tenant: String,
        /// The plan's id: `trial` (1,000 answers in 3 months), `pay_per_use` (5,000 in 6
        /// months), or any other plan in billing's plans table.
        #[arg(long = "plan", value_name = "PLAN_ID")]
        plan_id: String,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Publishes a model document (Aval JSON scorecard or PMML); the same id again makes the
    /// next version.
    Publish {
        #[arg(long)]
        tenant: String,
        /// The model document.
        file: PathBuf,
        /// The model's id (default: the document's own, JSON `id` or PMML `modelName`).
        #[arg(long)]
        id: Option<String>,
        /// Default: from the extension (`.json`; `.pmml`, `.xml`), else from the content.
        #[arg(long, value_enum)]
        format: Option<ModelFormatArg>,
    },
    /// Lists the tenant's model versions.
    List {
        #[arg(long)]
        tenant: String,
        /// Retired versions too.
        #[arg(long)]
        all: bool,
    },
    /// Retires every version of a model, or one (`ID@VERSION`); retired versions no longer
    /// score.
    Retire {
        #[arg(long)]
        tenant: String,
        /// `ID` or `ID@VERSION`.
        #[arg(value_name = "ID[@VERSION]")]
        model: ModelRef,
    },
}

#[derive(Subcommand, Debug)]
pub enum FeaturesCommand {
    /// Declares features (declaring one again, the same way, changes nothing).
    Declare {
        #[arg(long)]
        tenant: String,
        /// `NAME:KIND[:DISPLAY NAME]`, KIND one of number, text, bool.
        #[arg(value_name = "NAME:KIND[:DISPLAY NAME]", required = true)]
        features: Vec<FeatureSpec>,
    },
    /// Lists the platform's shared features and the tenant's own.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProfilesCommand {
    /// Streams consumer profiles from a file. Good rows load, bad ones are listed with their
    /// line; exits 3 when any row was rejected. Importing the same rows again changes nothing.
    Import {
        #[command(flatten)]
        owner: ProfileOwner,
        /// CSV with a header (`document,<feature>,…`; every cell is read as the feature's
        /// declared kind, an empty cell is missing) or NDJSON (one JSON object per line with a
        /// `document` key; numbers, strings, booleans, null for missing).
        file: PathBuf,
        /// Default: from the extension (`.csv`; `.ndjson`, `.jsonl`), else from the content.
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
        /// Rows per message sent to score-service.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        batch_rows: u32,
    },
}

/// Whose profiles: a tenant's, or the platform's shared ones.
#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct ProfileOwner {
    /// The tenant whose profiles these are.
    #[arg(long)]
    pub tenant: Option<String>,
    /// The platform's shared profiles, which every tenant may score from.
    #[arg(long)]
    pub shared: bool,
}

impl ProfileOwner {
    /// How summaries name the owner: `tenant acme`, `the shared profiles`.
    pub fn describe(&self) -> String {
        match &self.tenant {
            Some(tenant) if !self.shared => format!("tenant {tenant}"),
            _ => "the shared profiles".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::output::OutputFormat;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        admin: AdminArgs,
    }

    fn parse(args: &[&str]) -> Result<AdminArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("admin").chain(args.iter().copied())).map(|c| c.admin)
    }

    #[test]
    fn import_takes_a_tenant_or_shared_but_not_both_nor_neither() {
        assert!(parse(&["profiles", "import", "--tenant", "acme", "f.csv"]).is_ok());
        assert!(parse(&["profiles", "import", "--shared", "f.csv"]).is_ok());
        assert!(parse(&["profiles", "import", "f.csv"]).is_err());
        assert!(parse(&["profiles", "import", "--tenant", "a", "--shared", "f.csv"]).is_err());
    }

    #[test]
    fn connection_options_may_follow_the_subcommand() -> anyhow::Result<()> {
        let args = parse(&[
            "models",
            "list",
            "--tenant",
            "acme",
            "--score-url",
            "https://127.0.0.1:9",
        ])?;
        assert_eq!(
            args.connection.score_url.as_deref(),
            Some("https://127.0.0.1:9")
        );
        Ok(())
    }

    #[test]
    fn features_and_model_refs_are_checked_by_the_parser() {
        assert!(parse(&["features", "declare", "--tenant", "a", "income:number"]).is_ok());
        assert!(parse(&["features", "declare", "--tenant", "a", "income:money"]).is_err());
        assert!(parse(&["features", "declare", "--tenant", "a"]).is_err());
        assert!(parse(&["models", "retire", "--tenant", "a", "credit@2"]).is_ok());
        assert!(parse(&["models", "retire", "--tenant", "a", "credit@two"]).is_err());
    }

    #[test]
    fn onboarding_commands_take_their_fields_and_an_output_format() -> anyhow::Result<()> {
        let args = parse(&[
            "clients",
            "create",
            "--tenant",
            "acme",
            "--name",
            "backend",
            "--scope",
            "score:read",
            "--scope",
            "usage:read",
            "--output",
            "json",
        ])?;
        let AdminCommand::Clients {
            command: ClientsCommand::Create { scopes, output, .. },
        } = &args.command
        else {
            anyhow::bail!("not clients create: {args:?}");
        };
        assert_eq!(scopes, &["score:read", "usage:read"]);
        assert_eq!(output.format, OutputFormat::Json);
        assert_eq!(args.command.service(), Service::Auth);

        let args = parse(&["plans", "subscribe", "--tenant", "acme", "--plan", "trial"])?;
        let AdminCommand::Plans {
            command: PlansCommand::Subscribe {
                plan_id, output, ..
            },
        } = &args.command
        else {
            anyhow::bail!("not plans subscribe: {args:?}");
        };
        assert_eq!(plan_id, "trial");
        assert_eq!(output.format, OutputFormat::Table, "table by default");
        assert_eq!(args.command.service(), Service::Billing);

        assert!(
            parse(&["tenants", "create", "--name", "Acme"]).is_ok(),
            "the id is optional"
        );
        assert!(parse(&["clients", "create", "--tenant", "a", "--name", "b"]).is_err());
        assert!(parse(&["clients", "rotate-secret"]).is_err());
        assert!(parse(&["tenants", "create", "--name", "A", "--output", "yaml"]).is_err());
        Ok(())
    }

    #[test]
    fn owners_describe_themselves() {
        let tenant = ProfileOwner {
            tenant: Some("acme".into()),
            shared: false,
        };
        let shared = ProfileOwner {
            tenant: None,
            shared: true,
        };
        assert_eq!(tenant.describe(), "tenant acme");
        assert_eq!(shared.describe(), "the shared profiles");
    }
}
