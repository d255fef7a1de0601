//! `aval admin features declare | list`: the features a tenant's profiles and models may use.

use super::{Outcome, args::FeaturesCommand, connect::ServiceConnection, status::rpc_error, table};
use aval_proto::score::v1::{
    DeclareFeaturesRequest, FeatureDeclaration, FeatureKind, ListFeaturesRequest,
    score_model_service_client::ScoreModelServiceClient,
};
use std::str::FromStr;

/// `NAME:KIND[:DISPLAY NAME]` from the command line.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureSpec(pub FeatureDeclaration);

const KINDS: &str = "number, text or bool";

impl FromStr for FeatureSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, ':');
        let name = parts.next().unwrap_or_default().trim();
        let kind = parts.next().map(str::trim);
        let display_name = parts
            .next()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned);
        if name.is_empty() {
            return Err(format!(
                "`{s}`: the feature name is empty (NAME:KIND[:DISPLAY NAME])"
            ));
        }
        let kind = match kind.map(str::to_ascii_lowercase).as_deref() {
            Some("number") => FeatureKind::Number,
            Some("text") => FeatureKind::Text,
            Some("bool") => FeatureKind::Bool,
            Some(other) => return Err(format!("`{s}`: unknown kind `{other}` ({KINDS})")),
            None => return Err(format!("`{s}`: no kind (NAME:KIND, KIND {KINDS})")),
        };
        Ok(Self(FeatureDeclaration {
            name: name.to_owned(),
            display_name,
            kind: kind.into(),
        }))
    }
}

fn kind_name(kind: i32) -> &'static str {
    match FeatureKind::try_from(kind) {
        Ok(FeatureKind::Number) => "number",
        Ok(FeatureKind::Text) => "text",
        Ok(FeatureKind::Bool) => "bool",
        _ => "?",
    }
}

pub async fn run(score: &ServiceConnection, command: FeaturesCommand) -> anyhow::Result<Outcome> {
    let mut client = ScoreModelServiceClient::new(score.channel()?);
    match command {
        FeaturesCommand::Declare { tenant, features } => {
            let given = features.len();
            let declared = client
                .declare_features(DeclareFeaturesRequest {
                    tenant_id: tenant.clone(),
                    features: features.into_iter().map(|f| f.0).collect(),
                })
                .await
                .map_err(|s| rpc_error("declaring features", score, &s))?
                .into_inner()
                .declared;
            println!("{}", declared_line(&tenant, given, declared));
        }
        FeaturesCommand::List { tenant } => {
            let answer = client
                .list_features(ListFeaturesRequest {
                    tenant_id: tenant.clone(),
                })
                .await
                .map_err(|s| rpc_error("listing features", score, &s))?
                .into_inner();
            println!("{}", list_table(&answer.platform, &answer.tenant));
        }
    }
    Ok(Outcome::Done)
}

fn declared_line(tenant: &str, given: usize, declared: i32) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let new = usize::try_from(declared).unwrap_or(0);
    let mut line = format!(
        "declared {new} new feature{} for tenant {tenant}",
        plural(new)
    );
    if new < given {
        let already = given - new;
        line.push_str(&format!(" ({already} already declared the same way)"));
    }
    line
}

fn list_table(platform: &[FeatureDeclaration], tenant: &[FeatureDeclaration]) -> String {
    let row = |scope: &str, f: &FeatureDeclaration| {
        vec![
            scope.to_owned(),
            f.name.clone(),
            kind_name(f.kind).to_owned(),
            f.display_name
                .clone()
                .unwrap_or_else(|| table::NONE.to_owned()),
        ]
    };
    let rows: Vec<Vec<String>> = platform
        .iter()
        .map(|f| row("platform", f))
        .chain(tenant.iter().map(|f| row("tenant", f)))
        .collect();
    table::render(&["SCOPE", "NAME", "KIND", "DISPLAY NAME"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> Result<FeatureDeclaration, String> {
        s.parse::<FeatureSpec>().map(|f| f.0)
    }

    #[test]
    fn features_are_name_kind_and_an_optional_display_name() {
        assert_eq!(
            spec("income:number"),
            Ok(FeatureDeclaration {
                name: "income".into(),
                display_name: None,
                kind: FeatureKind::Number.into(),
            })
        );
        assert_eq!(
            spec("region:TEXT:Região: estado"),
            Ok(FeatureDeclaration {
                name: "region".into(),
                display_name: Some("Região: estado".into()),
                kind: FeatureKind::Text.into(),
            }),
            "the display name may hold colons"
        );
        assert_eq!(
            spec("owns_car:bool").map(|f| f.kind),
            Ok(FeatureKind::Bool.into())
        );
    }

    #[test]
    fn bad_features_say_why() {
        assert!(spec("income").is_err_and(|e| e.contains("no kind")));
        assert!(spec("income:money").is_err_and(|e| e.contains("unknown kind `money`")));
        assert!(spec(":number").is_err_and(|e| e.contains("name is empty")));
    }

    #[test]
    fn declaring_says_how_many_were_new() {
        assert_eq!(
            declared_line("acme", 3, 2),
            "declared 2 new features for tenant acme (1 already declared the same way)"
        );
        assert_eq!(
            declared_line("acme", 1, 1),
            "declared 1 new feature for tenant acme"
        );
    }

    #[test]
    fn the_list_shows_platform_features_first() {
        let f = |name: &str, kind: FeatureKind| FeatureDeclaration {
            name: name.into(),
            display_name: None,
            kind: kind.into(),
        };
        let table = list_table(
            &[f("months_as_customer", FeatureKind::Number)],
            &[f("region", FeatureKind::Text)],
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("platform  months_as_customer  number"));
        assert!(lines[2].starts_with("tenant    region              text"));
    }
}
