//! `profile-import`: bulk loads of consumer profiles into score-service, as the operator.
//!
//! The measured load: `N` generated profiles (valid CPFs, a declared feature set of numbers,
//! text and a flag, every cell raw as a CSV import sends it) streamed through one
//! `ImportProfiles` call in messages of 1,000 rows, exactly as `aval admin profiles import` does.
//! The baseline, on the same mesh in the same run: the same number of profiles through the unary
//! `UpsertProfiles` (the default scorecard's fixed profile), 1,000 a call, one call at a time.
//! Profiles are generated before the clock starts, so the figures are the server's.

use crate::{
    load::{RunResult, Summary},
    scenarios::grpc_label,
};
use aval_credit::Cpf;
use aval_proto::score::v1::{
    ConsumerProfile, DeclareFeaturesRequest, FeatureDeclaration, FeatureKind, FeatureValue,
    ImportProfilesRequest, ImportProfilesResponse, ProfileRow, UpsertProfilesRequest,
    feature_value::Value, profile_service_client::ProfileServiceClient,
    score_model_service_client::ScoreModelServiceClient, score_service_client::ScoreServiceClient,
};
use aval_transport::client::MeshChannel;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio_stream::StreamExt;

/// Rows per `ImportProfiles` message and profiles per `UpsertProfiles` call.
pub const BATCH: usize = 1_000;

/// The tenant's features the generated profiles fill.
pub fn features() -> Vec<FeatureDeclaration> {
    let feature = |name: &str, kind: FeatureKind| FeatureDeclaration {
        name: name.to_owned(),
        display_name: None,
        kind: kind.into(),
    };
    vec![
        feature("bench_monthly_income", FeatureKind::Number),
        feature("bench_months_employed", FeatureKind::Number),
        feature("bench_region", FeatureKind::Text),
        feature("bench_owns_home", FeatureKind::Bool),
    ]
}

/// The `i`-th of a run's valid CPFs (distinct for distinct `i` below 10⁸; `offset` keeps runs
/// and the baseline apart).
fn cpf(offset: u64, i: u64) -> Option<Cpf> {
    // A base whose nine digits are all equal (111111111…) is no CPF: skipped.
    Cpf::from_number(100_000_000 + offset + i).ok()
}

/// `n` valid CPFs from `offset` on.
fn cpfs(offset: u64, n: usize) -> impl Iterator<Item = Cpf> {
    (0..).filter_map(move |i| cpf(offset, i)).take(n)
}

const REGIONS: [&str; 5] = ["SP", "RJ", "MG", "RS", "BA"];

/// `n` profile rows as a CSV import sends them (raw cells), lines numbered from 2.
pub fn profile_rows(offset: u64, n: usize) -> Vec<ProfileRow> {
    let raw = |text: String| FeatureValue {
        value: Some(Value::Raw(text)),
    };
    cpfs(offset, n)
        .enumerate()
        .map(|(i, cpf)| {
            let i = i as u64;
            let features = [
                (
                    "bench_monthly_income",
                    format!("{}.{:02}", 1_200 + (i * 7_919) % 40_000, i % 100),
                ),
                ("bench_months_employed", (i % 360).to_string()),
                ("bench_region", REGIONS[(i % 5) as usize].to_owned()),
                (
                    "bench_owns_home",
                    if i.is_multiple_of(3) { "true" } else { "false" }.to_owned(),
                ),
            ]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), raw(value)))
            .collect();
            ProfileRow {
                line: i + 2,
                document: cpf.digits().to_owned(),
                features,
            }
        })
        .collect()
}

/// `n` default-scorecard profiles for the baseline.
pub fn consumer_profiles(offset: u64, n: usize) -> Vec<ConsumerProfile> {
    cpfs(offset, n)
        .enumerate()
        .map(|(i, cpf)| {
            let i = i as i64;
            ConsumerProfile {
                document: cpf.digits().to_owned(),
                months_as_customer: i32::try_from(i % 240).unwrap_or(0),
                on_time_payment_ratio: (i % 100) as f64 / 100.0,
                late_payments_12m: i32::try_from(i % 7).unwrap_or(0),
                average_monthly_spend_cents: 5_000 + (i * 7_919) % 200_000,
                active_lines: i32::try_from(i % 6).unwrap_or(0),
                has_bank_account: i % 4 != 0,
            }
        })
        .collect()
}

/// Declares the bench's features for `tenant`.
pub async fn declare_features(
    models: &mut ScoreModelServiceClient<MeshChannel>,
    tenant: &str,
) -> Result<(), tonic::Status> {
    models
        .declare_features(DeclareFeaturesRequest {
            tenant_id: tenant.to_owned(),
            features: features(),
        })
        .await?;
    Ok(())
}

/// What one load measured.
pub struct Load {
    pub sent: u64,
    /// Profiles the server says it loaded.
    pub loaded: u64,
    pub elapsed: Duration,
    /// Time per `BATCH` profiles: each upsert call's latency; for the stream, the time between
    /// the transport taking one message and the next (paced by the server once flow control's
    /// window is full).
    pub per_batch: Vec<Duration>,
    /// Rows rejected (by reason) or the call's failure.
    pub errors: BTreeMap<String, u64>,
}

impl Load {
    /// Profiles loaded per second, and the time per batch as the report's latency columns.
    pub fn summary(&self) -> Summary {
        let mut run = RunResult::new();
        run.ok = self.loaded;
        run.errors = self.errors.clone();
        run.elapsed = self.elapsed;
        for d in &self.per_batch {
            run.record_latency(*d);
        }
        run.summary(1)
    }
}

/// Streams `rows` into `tenant` through one `ImportProfiles` call.
pub async fn import(
    client: &mut ProfileServiceClient<MeshChannel>,
    tenant: &str,
    rows: Vec<ProfileRow>,
) -> Load {
    let sent = rows.len() as u64;
    let columns: Vec<String> = features().into_iter().map(|f| f.name).collect();
    let mut messages = Vec::with_capacity(rows.len() / BATCH + 1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() || messages.is_empty() {
        messages.push(ImportProfilesRequest {
            rows: rows.by_ref().take(BATCH).collect(),
            ..ImportProfilesRequest::default()
        });
    }
    if let Some(first) = messages.first_mut() {
        first.tenant_id = tenant.to_owned();
        first.columns = columns;
    }
    let pulled = Arc::new(Mutex::new(Vec::with_capacity(messages.len())));
    let record = pulled.clone();
    let stream = tokio_stream::iter(messages).map(move |message| {
        if let Ok(mut pulled) = record.lock() {
            pulled.push(Instant::now());
        }
        message
    });
    let started = Instant::now();
    let answer = client
        .import_profiles(stream)
        .await
        .map(tonic::Response::into_inner);
    let elapsed = started.elapsed();
    let per_batch = pulled
        .lock()
        .map(|pulled| {
            std::iter::once(started)
                .chain(pulled.iter().copied())
                .zip(pulled.iter().copied())
                .map(|(before, at)| at.saturating_duration_since(before))
                .collect()
        })
        .unwrap_or_default();
    match answer {
        Ok(ImportProfilesResponse { loaded, errors, .. }) => {
            let mut by_code = BTreeMap::<String, u64>::new();
            for error in errors {
                *by_code.entry(format!("row:{}", error.code)).or_default() += 1;
            }
            Load {
                sent,
                loaded,
                elapsed,
                per_batch,
                errors: by_code,
            }
        }
        Err(status) => Load {
            sent,
            loaded: 0,
            elapsed,
            per_batch,
            errors: BTreeMap::from([(grpc_label(&status), 1)]),
        },
    }
}

/// Upserts `profiles` into `tenant`, `BATCH` a call, one call at a time.
pub async fn upsert(
    client: &mut ScoreServiceClient<MeshChannel>,
    tenant: &str,
    profiles: Vec<ConsumerProfile>,
) -> Load {
    let sent = profiles.len() as u64;
    let batches: Vec<Vec<ConsumerProfile>> = profiles.chunks(BATCH).map(<[_]>::to_vec).collect();
    let started = Instant::now();
    let mut loaded = 0;
    let mut errors = BTreeMap::new();
    let mut per_batch = Vec::with_capacity(batches.len());
    for batch in batches {
        let call = Instant::now();
        let answer = client
            .upsert_profiles(UpsertProfilesRequest {
                profiles: batch,
                shared: false,
                tenant_id: tenant.to_owned(),
            })
            .await;
        per_batch.push(call.elapsed());
        match answer {
            Ok(answer) => loaded += u64::try_from(answer.into_inner().upserted).unwrap_or(0),
            Err(status) => {
                errors.insert(grpc_label(&status), 1);
                break;
            }
        }
    }
    Load {
        sent,
        loaded,
        elapsed: started.elapsed(),
        per_batch,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_profiles_have_distinct_valid_cpfs() {
        let rows = profile_rows(0, 2_000);
        assert_eq!(rows.len(), 2_000);
        let distinct: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.document.as_str()).collect();
        assert_eq!(distinct.len(), 2_000);
        assert!(rows.iter().all(|r| Cpf::parse(&r.document).is_ok()));
        assert!(rows.iter().all(|r| r.features.len() == features().len()));
        assert_eq!(rows[0].line, 2, "as if the first row followed a CSV header");
    }

    #[test]
    fn the_baseline_writes_other_consumers() {
        let imported: std::collections::HashSet<String> = profile_rows(0, 100)
            .into_iter()
            .map(|r| r.document)
            .collect();
        let upserted = consumer_profiles(50_000_000, 100);
        assert!(upserted.iter().all(|p| !imported.contains(&p.document)));
    }
}
