//! `aval admin models publish | list | retire`: a tenant's score models.

use super::{Outcome, args::ModelsCommand, connect::ServiceConnection, status::rpc_error, table};
use anyhow::Context;
use aval_proto::score::v1::{
    ListModelsRequest, ModelFormat, PublishModelRequest, RetireModelRequest, ScoreModelVersion,
    score_model_service_client::ScoreModelServiceClient,
};
use std::{path::Path, str::FromStr};

/// A model document's format, as the command line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelFormatArg {
    /// Aval's JSON scorecard.
    Json,
    /// PMML 4.x with one Scorecard.
    Pmml,
}

impl ModelFormatArg {
    /// From the extension (`.json`; `.pmml`, `.xml`), else from the content: a document that
    /// starts with `<` is PMML, anything else is taken for JSON.
    pub fn detect(path: &Path, text: &str) -> Self {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => Self::Json,
            Some("pmml" | "xml") => Self::Pmml,
            _ if text.trim_start().starts_with('<') => Self::Pmml,
            _ => Self::Json,
        }
    }

    fn proto(self) -> ModelFormat {
        match self {
            Self::Json => ModelFormat::AvalJson,
            Self::Pmml => ModelFormat::Pmml,
        }
    }
}

fn format_name(format: i32) -> &'static str {
    match ModelFormat::try_from(format) {
        Ok(ModelFormat::AvalJson) => "json",
        Ok(ModelFormat::Pmml) => "pmml",
        _ => "?",
    }
}

/// `ID` or `ID@VERSION`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRef {
    pub id: String,
    pub version: Option<i32>,
}

impl FromStr for ModelRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, version) = match s.rsplit_once('@') {
            Some((id, version)) => {
                let version = version
                    .parse::<i32>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| {
                        format!("`{version}` is not a version number (ID@VERSION, e.g. credit@2)")
                    })?;
                (id, Some(version))
            }
            None => (s, None),
        };
        if id.trim().is_empty() {
            return Err("the model id is empty (ID or ID@VERSION)".to_owned());
        }
        Ok(Self {
            id: id.to_owned(),
            version,
        })
    }
}

pub async fn run(score: &ServiceConnection, command: ModelsCommand) -> anyhow::Result<Outcome> {
    let mut client = ScoreModelServiceClient::new(score.channel()?);
    match command {
        ModelsCommand::Publish {
            tenant,
            file,
            id,
            format,
        } => {
            let document = read_document(&file)?;
            let format = format.unwrap_or_else(|| ModelFormatArg::detect(&file, &document));
            let published = client
                .publish_model(PublishModelRequest {
                    tenant_id: tenant,
                    format: format.proto().into(),
                    document,
                    model_id: id,
                })
                .await
                .map_err(|s| rpc_error("publishing the model", score, &s))?
                .into_inner();
            println!("{}", published_line(&published));
        }
        ModelsCommand::List { tenant, all } => {
            let versions = client
                .list_models(ListModelsRequest {
                    tenant_id: tenant.clone(),
                    include_retired: all,
                })
                .await
                .map_err(|s| rpc_error("listing models", score, &s))?
                .into_inner()
                .versions;
            if versions.is_empty() {
                let hint = if all {
                    ""
                } else {
                    " (--all shows retired ones)"
                };
                println!("no models for tenant {tenant}{hint}");
            } else {
                println!("{}", list_table(&versions));
            }
        }
        ModelsCommand::Retire { tenant, model } => {
            let retired = client
                .retire_model(RetireModelRequest {
                    tenant_id: tenant.clone(),
                    model_id: model.id.clone(),
                    version: model.version,
                })
                .await
                .map_err(|s| rpc_error("retiring the model", score, &s))?
                .into_inner()
                .retired;
            if retired.is_empty() {
                println!(
                    "nothing to retire: {} has no active version for tenant {tenant}",
                    model.id
                );
            }
            for version in &retired {
                println!(
                    "retired {} version {} for tenant {}",
                    version.model_id, version.version, version.tenant_id
                );
            }
        }
    }
    Ok(Outcome::Done)
}

/// The document as UTF-8 text, without a byte-order mark.
fn read_document(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned())
}

fn names(list: &[String]) -> String {
    if list.is_empty() {
        "nothing".to_owned()
    } else {
        list.join(", ")
    }
}

/// `published credit-v1 version 2 for tenant acme (reads: a, b; declared: a)`.
fn published_line(v: &ScoreModelVersion) -> String {
    let declared = if v.declared_features.is_empty() {
        String::new()
    } else {
        format!("; declared: {}", v.declared_features.join(", "))
    };
    format!(
        "published {} version {} for tenant {} (reads: {}{declared})",
        v.model_id,
        v.version,
        v.tenant_id,
        names(&v.features)
    )
}

fn list_table(versions: &[ScoreModelVersion]) -> String {
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            vec![
                v.model_id.clone(),
                v.version.to_string(),
                format_name(v.format).to_owned(),
                table::timestamp(v.published_at.as_ref()),
                table::timestamp(v.retired_at.as_ref()),
                if v.features.is_empty() {
                    table::NONE.to_owned()
                } else {
                    v.features.join(", ")
                },
            ]
        })
        .collect();
    table::render(
        &[
            "ID",
            "VERSION",
            "FORMAT",
            "PUBLISHED",
            "RETIRED",
            "FEATURES",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_extension_then_the_content() {
        let detect = |name: &str, text: &str| ModelFormatArg::detect(Path::new(name), text);
        assert_eq!(detect("m.json", "<PMML/>"), ModelFormatArg::Json);
        assert_eq!(detect("m.PMML", "{}"), ModelFormatArg::Pmml);
        assert_eq!(detect("m.xml", "{}"), ModelFormatArg::Pmml);
        assert_eq!(
            detect("model", "\n  <?xml version=\"1.0\"?>"),
            ModelFormatArg::Pmml
        );
        assert_eq!(detect("model.txt", "{\"id\": 1}"), ModelFormatArg::Json);
    }

    #[test]
    fn model_refs_take_an_optional_positive_version() {
        assert_eq!(
            "credit-v1".parse(),
            Ok(ModelRef {
                id: "credit-v1".into(),
                version: None
            })
        );
        assert_eq!(
            "credit-v1@2".parse(),
            Ok(ModelRef {
                id: "credit-v1".into(),
                version: Some(2)
            })
        );
        for bad in ["credit@", "credit@0", "credit@-1", "credit@two", "@3", ""] {
            assert!(bad.parse::<ModelRef>().is_err(), "{bad}");
        }
    }

    fn version(features: &[&str], declared: &[&str]) -> ScoreModelVersion {
        ScoreModelVersion {
            tenant_id: "acme".into(),
            model_id: "credit-v1".into(),
            version: 2,
            format: ModelFormat::Pmml.into(),
            features: features.iter().map(|s| (*s).to_owned()).collect(),
            published_at: Some(prost_types::Timestamp {
                seconds: 1_795_000_000,
                nanos: 0,
            }),
            retired_at: None,
            declared_features: declared.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn a_publication_says_what_the_model_reads_and_declared() {
        assert_eq!(
            published_line(&version(&["a", "b"], &["a"])),
            "published credit-v1 version 2 for tenant acme (reads: a, b; declared: a)"
        );
        assert_eq!(
            published_line(&version(&["a"], &[])),
            "published credit-v1 version 2 for tenant acme (reads: a)"
        );
    }

    #[test]
    fn the_list_is_a_table() {
        let table = list_table(&[version(&["a", "b"], &[])]);
        let mut lines = table.lines();
        assert_eq!(
            lines
                .next()
                .map(|l| l.split_whitespace().collect::<Vec<_>>()),
            Some(vec![
                "ID",
                "VERSION",
                "FORMAT",
                "PUBLISHED",
                "RETIRED",
                "FEATURES"
            ])
        );
        let row = lines.next().unwrap_or_default();
        assert!(row.starts_with("credit-v1  2        pmml    2026-11-18 11:06:40 UTC  -"));
        assert!(row.ends_with("a, b"));
    }
}
