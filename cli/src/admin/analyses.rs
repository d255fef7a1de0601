//! `aval admin analyses list|show|resolve|history`: the operator's view of a tenant's
//! analysts' desk, through analysis-service with the operator's certificate (which names the
//! tenant; partners' analysts use the REST routes with the `analysis:review` scope).

use super::{
    Outcome,
    args::AnalysesCommand,
    connect::ServiceConnection,
    output::{OutputFormat, Record, render_rows},
    status::rpc_error,
    table,
};
use anyhow::Context;
use aval_proto::analysis::v1::{
    AnalysisDetails, AnalysisHistory, AnalysisStatus, CreditAnalysis, GetAnalysisRequest,
    ListAnalysesRequest, ListAnalysesResponse, ReplayAnalysisResponse, ResolveAnalysisRequest,
    analysis_service_client::AnalysisServiceClient,
};
use aval_proto::common::v1::Date;
use serde_json::Value;

pub async fn run(
    analysis: &ServiceConnection,
    command: AnalysesCommand,
) -> anyhow::Result<Outcome> {
    let mut client = AnalysisServiceClient::new(analysis.channel()?);
    match command {
        AnalysesCommand::List {
            tenant,
            statuses,
            from,
            to,
            document,
            page_size,
            page_token,
            output,
        } => {
            let request = ListAnalysesRequest {
                tenant_id: tenant.clone(),
                statuses,
                created_from: from.as_deref().map(day).transpose()?,
                created_to: to.as_deref().map(day).transpose()?,
                document_number: document,
                page_size,
                page_token,
            };
            let page = client
                .list_analyses(request)
                .await
                .map_err(|s| {
                    rpc_error(&format!("listing tenant {tenant}'s analyses"), analysis, &s)
                })?
                .into_inner();
            println!("{}", list(&page, output.format));
            if !page.next_page_token.is_empty() && output.format == OutputFormat::Table {
                eprintln!("more: --page-token {}", page.next_page_token);
            }
        }
        AnalysesCommand::Show { tenant, id, output } => {
            let details = client
                .get_analysis_details(GetAnalysisRequest {
                    id: id.clone(),
                    tenant_id: tenant,
                })
                .await
                .map_err(|s| rpc_error(&format!("reading analysis {id}"), analysis, &s))?
                .into_inner();
            println!("{}", show(&details).render(output.format));
        }
        AnalysesCommand::Resolve {
            tenant,
            id,
            action,
            analyst,
            note,
            credit_limit,
            challenge,
            output,
        } => {
            let resolved = client
                .resolve_analysis(ResolveAnalysisRequest {
                    tenant_id: tenant,
                    id: id.clone(),
                    action: action.clone(),
                    analyst_id: analyst,
                    note,
                    credit_limit_cents: credit_limit,
                    challenge,
                })
                .await
                .map_err(|s| {
                    rpc_error(&format!("resolving analysis {id} ({action})"), analysis, &s)
                })?
                .into_inner();
            println!("{}", summary(&resolved).render(output.format));
        }
        AnalysesCommand::Replay { tenant, id } => {
            let replay = client
                .replay_analysis(GetAnalysisRequest {
                    id: id.clone(),
                    tenant_id: tenant.clone(),
                })
                .await
                .map_err(|s| rpc_error(&format!("replaying analysis {id}"), analysis, &s))?
                .into_inner();
            println!("{}", replayed(&tenant, &replay));
            if !replay.identical {
                return Ok(Outcome::NotClean);
            }
        }
        AnalysesCommand::History { tenant, id, output } => {
            let history = client
                .get_analysis_history(GetAnalysisRequest {
                    id: id.clone(),
                    tenant_id: tenant,
                })
                .await
                .map_err(|s| rpc_error(&format!("reading analysis {id}'s history"), analysis, &s))?
                .into_inner();
            println!("{}", steps(&history, output.format));
        }
    }
    Ok(Outcome::Done)
}

/// `identical: analysis X of tenant T, policy P vN: status` or `differs: …` with each
/// differing field.
fn replayed(tenant: &str, replay: &ReplayAnalysisResponse) -> String {
    let verdict = if replay.identical {
        "identical"
    } else {
        "differs"
    };
    let mut text = format!(
        "{verdict}: analysis {} of tenant {tenant}, policy {} v{}: {} as delivered, {} replayed",
        replay.id,
        replay.policy_id,
        replay.policy_version,
        status_name(replay.delivered_status),
        status_name(replay.replayed_status),
    );
    for difference in &replay.differences {
        text.push_str(&format!("\n  {difference}"));
    }
    text
}

/// A `YYYY-MM-DD` day given on the command line.
pub(super) fn day(text: &str) -> anyhow::Result<Date> {
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .with_context(|| format!("`{text}` is not a day as YYYY-MM-DD"))?;
    Ok(aval_transport::time::to_date(day))
}

/// A status as its snake_case name (`in_manual_analysis`).
pub(super) fn status_name(status: i32) -> String {
    AnalysisStatus::try_from(status)
        .map(|s| {
            s.as_str_name()
                .trim_start_matches("ANALYSIS_STATUS_")
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|_| "unspecified".to_owned())
}

/// One analysis as a row: id, status, reason, limit, created.
fn summary(analysis: &CreditAnalysis) -> Record {
    Record::default()
        .text("id", "ID", &analysis.id)
        .text(
            "analysis_status",
            "STATUS",
            &status_name(analysis.analysis_status),
        )
        .text("reason", "REASON", &analysis.reason)
        // None before the engine decided (a proposal waiting for data).
        .maybe_number(
            "credit_limit_cents",
            "LIMIT (CENTS)",
            analysis.credit_limit.as_ref().map(|m| m.cents),
        )
        .time("created_at", "CREATED", analysis.created_at.as_ref())
}

fn list(page: &ListAnalysesResponse, format: OutputFormat) -> String {
    let records: Vec<Record> = page
        .analyses
        .iter()
        .map(|s| {
            summary(&s.analysis.clone().unwrap_or_default()).text(
                "document_number",
                "CNPJ",
                &s.document_number,
            )
        })
        .collect();
    let rows = render_rows(&records, format);
    match format {
        OutputFormat::Json => {
            let next = Some(page.next_page_token.as_str())
                .filter(|t| !t.is_empty())
                .map_or(Value::Null, Value::from);
            format!("{{\"analyses\":{rows},\"next_page_token\":{next}}}")
        }
        OutputFormat::Table if records.is_empty() => "no analyses".to_owned(),
        OutputFormat::Table => rows,
    }
}

fn show(details: &AnalysisDetails) -> Record {
    let analysis = details.analysis.clone().unwrap_or_default();
    let scores: Vec<String> = details
        .partner_scores
        .iter()
        .map(|p| {
            format!(
                "{}={}",
                p.document_number,
                p.score
                    .map_or_else(|| table::NONE.to_owned(), |s| s.to_string())
            )
        })
        .collect();
    summary(&analysis)
        .text(
            "decided_status",
            "DECIDED",
            &status_name(details.decided_status),
        )
        .list("rules_fired", "RULES FIRED", &details.rules_fired)
        .list("partner_scores", "PARTNER SCORES", &scores)
        .text(
            "policy",
            "POLICY",
            &if details.policy_id.is_empty() {
                table::NONE.to_owned()
            } else {
                format!("{} v{}", details.policy_id, details.policy_version)
            },
        )
}

fn steps(history: &AnalysisHistory, format: OutputFormat) -> String {
    let rows: Vec<Vec<String>> = history
        .events
        .iter()
        .map(|e| {
            vec![
                e.sequence.to_string(),
                e.kind.clone(),
                e.from.clone().unwrap_or_else(|| table::NONE.to_owned()),
                e.to.clone(),
                match (&e.via_type, &e.via_id) {
                    (Some(kind), Some(id)) => {
                        format!("{} {} (via {kind} {id})", e.actor_type, e.actor_id)
                    }
                    _ if e.actor_id.is_empty() => e.actor_type.clone(),
                    _ => format!("{} {}", e.actor_type, e.actor_id),
                },
                e.note.clone().unwrap_or_default().replace('\n', " "),
                table::timestamp(e.occurred_at.as_ref()),
            ]
        })
        .collect();
    match format {
        OutputFormat::Table => {
            table::render(&["SEQ", "KIND", "FROM", "TO", "ACTOR", "NOTE", "AT"], &rows)
        }
        OutputFormat::Json => {
            let events: Vec<Value> = history
                .events
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "sequence": e.sequence,
                        "kind": e.kind,
                        "field": e.field,
                        "from": e.from,
                        "to": e.to,
                        "actor": {"type": e.actor_type, "id": e.actor_id},
                        "via": e.via_type.as_ref().map(|kind| serde_json::json!({"type": kind, "id": e.via_id})),
                        "note": e.note,
                        "challenge": e.challenge,
                        "occurred_at": e.occurred_at.as_ref().and_then(aval_transport::time::rfc3339),
                    })
                })
                .collect();
            serde_json::json!({"id": history.id, "events": events}).to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aval_proto::analysis::v1::{AnalysisEvent, AnalysisSummary};

    fn analysis(id: &str, status: AnalysisStatus) -> CreditAnalysis {
        CreditAnalysis {
            id: id.to_owned(),
            analysis_status: status.into(),
            reason: "unknown_partner".to_owned(),
            created_at: Some(prost_types::Timestamp {
                seconds: 1_795_000_000,
                nanos: 0,
            }),
            ..CreditAnalysis::default()
        }
    }

    #[test]
    fn a_page_lists_one_header_and_a_row_per_analysis() {
        let page = ListAnalysesResponse {
            analyses: vec![
                AnalysisSummary {
                    analysis: Some(analysis("a-1", AnalysisStatus::InManualAnalysis)),
                    document_number: "35472523000115".to_owned(),
                },
                AnalysisSummary {
                    analysis: Some(analysis("a-2", AnalysisStatus::ManuallyApproved)),
                    document_number: "35472523000115".to_owned(),
                },
            ],
            next_page_token: "tok".to_owned(),
        };
        let text = list(&page, OutputFormat::Table);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("ID"), "{text}");
        assert!(lines[1].contains("in_manual_analysis"), "{text}");
        assert!(lines[2].contains("manually_approved"), "{text}");
        let json: Value =
            serde_json::from_str(&list(&page, OutputFormat::Json)).unwrap_or_default();
        assert_eq!(json["analyses"][1]["id"], "a-2");
        assert_eq!(json["analyses"][0]["document_number"], "35472523000115");
        assert_eq!(json["next_page_token"], "tok");
    }

    #[test]
    fn an_undecided_analysis_shows_no_limit_and_no_policy() {
        let mut decided = analysis("a-1", AnalysisStatus::AutomaticallyApproved);
        decided.credit_limit = Some(aval_proto::common::v1::Money {
            cents: 0,
            currency: "BRL".to_owned(),
        });
        let waiting = AnalysisDetails {
            analysis: Some(analysis("a-2", AnalysisStatus::WaitingForData)),
            ..AnalysisDetails::default()
        };
        let json = |record: Record| -> Value {
            serde_json::from_str(&record.render(OutputFormat::Json)).unwrap_or_default()
        };
        assert_eq!(
            json(summary(&decided))["credit_limit_cents"],
            0,
            "a limit of zero is shown"
        );
        let shown = json(show(&waiting));
        assert_eq!(shown["analysis_status"], "waiting_for_data");
        assert_eq!(shown["credit_limit_cents"], Value::Null);
        assert_eq!(shown["policy"], "-");
    }

    #[test]
    fn a_history_shows_who_did_what() {
        let history = AnalysisHistory {
            id: "a-1".to_owned(),
            events: vec![
                AnalysisEvent {
                    sequence: 1,
                    kind: "decided".to_owned(),
                    to: "in_manual_analysis".to_owned(),
                    actor_type: "engine".to_owned(),
                    ..AnalysisEvent::default()
                },
                AnalysisEvent {
                    sequence: 2,
                    kind: "reviewed".to_owned(),
                    from: Some("in_manual_analysis".to_owned()),
                    to: "manually_approved".to_owned(),
                    actor_type: "analyst".to_owned(),
                    actor_id: "ana".to_owned(),
                    note: Some("good\\nguarantor".to_owned()),
                    ..AnalysisEvent::default()
                },
            ],
        };
        let text = steps(&history, OutputFormat::Table);
        assert!(text.contains("analyst ana"), "{text}");
        assert!(
            text.lines().nth(1).is_some_and(|l| l.contains("engine")),
            "{text}"
        );
    }
}
