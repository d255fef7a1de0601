//! The benchmark report: one row per scenario, with its baseline and ratio, as a Markdown
//! table for people and JSON for tools.

use crate::load::Summary;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub scenario: String,
    pub database: String,
    /// Closed loop at saturation.
    pub saturation: Summary,
    /// Open loop at a fraction (default half) of the saturation rate: the latency that matters.
    pub p99_at_half_load_ms: Option<f64>,
    pub baseline: Option<String>,
    /// Throughput as a fraction of the baseline's.
    pub ratio_to_baseline: Option<f64>,
    /// Mesh CPU time per successful call, in milliseconds.
    pub cpu_ms_per_call: Option<f64>,
    /// Delivered answers the client counted / the server (billing) counted.
    pub client_count: Option<u64>,
    pub server_count: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub machine: String,
    pub duration_secs: f64,
    pub concurrency: usize,
    /// The open loop's rate as a fraction of the closed loop's maximum.
    pub open_loop_load: f64,
    pub rows: Vec<Row>,
    /// score-rest p50 / score-grpc p50: the cost of the REST translation.
    pub rest_vs_grpc_p50: Vec<(String, f64)>,
    /// echo-mtls throughput / echo-plaintext throughput.
    pub mtls_vs_plaintext: Option<f64>,
    pub wrk: Option<WrkCheck>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WrkCheck {
    pub scenario: String,
    pub wrk_requests_per_sec: f64,
    pub harness_requests_per_sec: f64,
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"))
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "Machine: {}. Closed loop: {} connections/workers, {:.0} s per scenario; open loop at {:.0} % of the measured maximum.\n\n",
            self.machine,
            self.concurrency,
            self.duration_secs,
            self.open_loop_load * 100.0
        );
        out.push_str("| scenario | db | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 ms open loop | baseline | ratio | mesh CPU ms/req | errors | client/server count |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|\n");
        for row in &self.rows {
            let s = &row.saturation;
            let errors = if s.errors.is_empty() {
                "0".to_owned()
            } else {
                s.errors
                    .iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let counts = match (row.client_count, row.server_count) {
                (Some(c), Some(s)) => format!("{c}/{s}"),
                _ => "–".to_owned(),
            };
            out.push_str(&format!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} |\n",
                row.scenario,
                row.database,
                s.throughput,
                s.p50_ms,
                s.p90_ms,
                s.p99_ms,
                s.p999_ms,
                s.max_ms,
                opt(row.p99_at_half_load_ms, 2),
                row.baseline.as_deref().unwrap_or("–"),
                opt(row.ratio_to_baseline, 2),
                opt(row.cpu_ms_per_call, 3),
                errors,
                counts,
            ));
        }
        out.push('\n');
        for (db, ratio) in &self.rest_vs_grpc_p50 {
            out.push_str(&format!(
                "- score-rest p50 / score-grpc p50 ({db}): {ratio:.2}×\n"
            ));
        }
        if let Some(ratio) = self.mtls_vs_plaintext {
            out.push_str(&format!(
                "- echo over mTLS / plaintext throughput: {:.0} %\n",
                ratio * 100.0
            ));
        }
        if let Some(wrk) = &self.wrk {
            out.push_str(&format!(
                "- cross-check with wrk on {}: wrk {:.0} req/s, this harness {:.0} req/s ({:+.0} %)\n",
                wrk.scenario,
                wrk.wrk_requests_per_sec,
                wrk.harness_requests_per_sec,
                (wrk.wrk_requests_per_sec / wrk.harness_requests_per_sec - 1.0) * 100.0
            ));
        }
        out
    }
}
