//! `aval admin profiles import`: streams a profile file to score-service's `ImportProfiles` in
//! messages of about a thousand rows. A blocking thread reads and parses the file and hands
//! messages over a small bounded channel, so memory stays flat whatever the file's size and
//! reading waits while the network (or the server) is behind.

use super::{
    Outcome,
    args::{ProfileOwner, ProfilesCommand},
    connect::ServiceConnection,
    import::{FileFormat, Parsed, ProfileRows},
    status::rpc_error,
};
use anyhow::Context;
use aval_proto::score::v1::{
    ImportProfilesRequest, ImportProfilesResponse, RowError,
    profile_service_client::ProfileServiceClient,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prost::Message;
use std::{
    io::{IsTerminal, Read},
    path::Path,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

/// A message is sent once it holds this many bytes of rows, even before `batch_rows`: wide rows
/// stay well under gRPC's 4 MiB message limit.
const MAX_MESSAGE_BYTES: usize = 1024 * 1024;
/// Messages read ahead of the network: enough to keep it busy, little memory.
const CHANNEL_DEPTH: usize = 4;

pub async fn run(score: &ServiceConnection, command: ProfilesCommand) -> anyhow::Result<Outcome> {
    let ProfilesCommand::Import {
        owner,
        file,
        format,
        batch_rows,
    } = command;
    let started = Instant::now();
    let (rows, progress) = open(&file, format).await?;
    let first = ImportProfilesRequest {
        tenant_id: owner.tenant.clone().unwrap_or_default(),
        shared: owner.shared,
        columns: rows.columns().to_vec(),
        rows: Vec::new(),
    };
    let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
    let reader_progress = progress.clone();
    let batch_rows = usize::try_from(batch_rows).unwrap_or(1000);
    let reader = tokio::task::spawn_blocking(move || {
        send_rows(rows, first, batch_rows, &tx, &reader_progress)
    });

    let mut client = ProfileServiceClient::new(score.streaming_channel()?);
    let answer = client.import_profiles(ReceiverStream::new(rx)).await;
    let read = reader.await.context("the file reader stopped")?;
    progress.finish_and_clear();
    let answer = answer
        .map_err(|s| {
            let error = rpc_error("importing profiles", score, &s);
            // score-service commits each message's rows on their own; a refusal of the
            // import itself (its owner, its columns) comes before any of them.
            let refused = matches!(
                s.code(),
                Code::InvalidArgument
                    | Code::PermissionDenied
                    | Code::Unauthenticated
                    | Code::Unimplemented
            );
            if read.messages > 1 && !refused {
                anyhow::anyhow!(
                    "{error}\n(the rows of the messages before the failure may have loaded: \
                     importing the same rows again changes nothing)"
                )
            } else {
                error
            }
        })?
        .into_inner();

    let report = Report::new(&owner, &read, &answer, started.elapsed());
    for line in report.error_lines() {
        println!("{line}");
    }
    if let Some(note) = report.unlisted() {
        println!("{note}");
    }
    if answer.received != read.sent {
        eprintln!(
            "warning: score-service says it received {} rows; {} were sent",
            answer.received, read.sent
        );
    }
    println!("{}", report.summary());
    if let Some(stop) = read.stopped {
        anyhow::bail!(
            "reading {} stopped: {stop:#}; the rows before it were imported, nothing after it \
             was read (importing the same rows again changes nothing)",
            file.display()
        );
    }
    Ok(if report.rejected() > 0 {
        Outcome::NotClean
    } else {
        Outcome::Done
    })
}

type FileRows = ProfileRows<Box<dyn Read + Send>>;

/// Opens the file (`-` is standard input) with a progress bar on a terminal, and reads a CSV
/// header, so a bad one fails before anything is sent.
async fn open(path: &Path, format: Option<FileFormat>) -> anyhow::Result<(FileRows, ProgressBar)> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let (reader, length): (Box<dyn Read + Send>, Option<u64>) = if path == Path::new("-") {
            (Box::new(std::io::stdin()), None)
        } else {
            let file = std::fs::File::open(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let length = file.metadata().ok().map(|m| m.len());
            (Box::new(file), length)
        };
        let progress = progress_bar(length);
        let reader: Box<dyn Read + Send> = Box::new(progress.wrap_read(reader));
        let rows = ProfileRows::open(format, &path, reader)
            .with_context(|| format!("cannot import {}", display(&path)))?;
        Ok((rows, progress))
    })
    .await
    .context("the file reader stopped")?
}

fn display(path: &Path) -> String {
    if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// By bytes read when the size is known, else a spinner counting bytes; hidden unless stderr is
/// a terminal (so logs and pipes get no control characters).
fn progress_bar(length: Option<u64>) -> ProgressBar {
    let terminal = std::io::stderr().is_terminal();
    let target = if terminal {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let (bar, template) = match length {
        Some(length) => (
            ProgressBar::with_draw_target(Some(length), target),
            "{bar:40} {bytes}/{total_bytes} {msg} ({eta} left)",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "{spinner} {bytes} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    if terminal {
        bar.enable_steady_tick(Duration::from_millis(200));
    }
    bar
}

/// What reading the file gave.
#[derive(Debug, Default)]
struct ReadSummary {
    /// Rows handed to the stream to score-service, and in how many messages.
    sent: u64,
    messages: u64,
    /// Rows rejected here, and why.
    rejected_rows: u64,
    errors: Vec<RowError>,
    /// Why reading stopped before the end of the file, if it did.
    stopped: Option<anyhow::Error>,
}

/// Runs on a blocking thread: parses rows and sends them in messages; the first message also
/// names the owner and the columns. Returns early if score-service has already answered (it
/// refused the import: the answer says why).
fn send_rows(
    rows: FileRows,
    first: ImportProfilesRequest,
    batch_rows: usize,
    tx: &mpsc::Sender<ImportProfilesRequest>,
    progress: &ProgressBar,
) -> ReadSummary {
    let mut read = ReadSummary::default();
    let mut message = first;
    let mut bytes = 0;
    let send = |message: ImportProfilesRequest, read: &mut ReadSummary| {
        read.sent += message.rows.len() as u64;
        read.messages += 1;
        progress.set_message(format!("{} rows", read.sent + read.rejected_rows));
        tx.blocking_send(message).is_ok()
    };
    for parsed in rows {
        match parsed {
            Ok(Parsed::Row(row)) => {
                bytes += row.encoded_len();
                message.rows.push(row);
                if message.rows.len() >= batch_rows || bytes >= MAX_MESSAGE_BYTES {
                    let full = std::mem::take(&mut message);
                    bytes = 0;
                    if !send(full, &mut read) {
                        return read;
                    }
                }
            }
            Ok(Parsed::Rejected(errors)) => {
                read.rejected_rows += 1;
                read.errors.extend(errors);
            }
            Err(stop) => {
                read.stopped = Some(stop);
                break;
            }
        }
    }
    // The last rows; or the only message of an empty file, which still names the owner.
    if !message.rows.is_empty() || read.sent == 0 {
        send(message, &mut read);
    }
    read
}

/// The end of an import, as told to the operator.
struct Report<'a> {
    owner: &'a ProfileOwner,
    loaded: u64,
    total: u64,
    server_rejected: u64,
    /// Rows score-service rejected and named in its errors (it names the first ones only).
    server_listed: u64,
    local_rejected: u64,
    errors: Vec<RowError>,
    elapsed: Duration,
}

impl<'a> Report<'a> {
    fn new(
        owner: &'a ProfileOwner,
        read: &ReadSummary,
        answer: &ImportProfilesResponse,
        elapsed: Duration,
    ) -> Self {
        let mut errors: Vec<RowError> = read.errors.iter().chain(&answer.errors).cloned().collect();
        errors.sort_by(|a, b| (a.line, &a.field).cmp(&(b.line, &b.field)));
        let listed: std::collections::HashSet<u64> = answer.errors.iter().map(|e| e.line).collect();
        Self {
            owner,
            server_listed: listed.len() as u64,
            loaded: answer.loaded,
            total: read.sent + read.rejected_rows,
            server_rejected: answer.rejected,
            local_rejected: read.rejected_rows,
            errors,
            elapsed,
        }
    }

    fn rejected(&self) -> u64 {
        self.server_rejected + self.local_rejected
    }

    /// `line 7: document: INVALID_CPF not a valid CPF`, by line.
    fn error_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.errors.iter().map(|e| {
            if e.field.is_empty() {
                format!("line {}: {} {}", e.line, e.code, e.reason)
            } else {
                format!("line {}: {}: {} {}", e.line, e.field, e.code, e.reason)
            }
        })
    }

    /// When score-service rejected more rows than it listed.
    fn unlisted(&self) -> Option<String> {
        let unlisted = self.server_rejected.saturating_sub(self.server_listed);
        (unlisted > 0).then(|| {
            format!(
                "… and {unlisted} more rejected rows not listed (score-service lists only the \
                 first errors of an import)"
            )
        })
    }

    /// `imported 49998 of 50000 rows into tenant acme (2 rejected) in 0.8 s (61000 rows/s)`.
    fn summary(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        let rejected = match self.rejected() {
            0 => String::new(),
            n => format!(" ({n} rejected)"),
        };
        let rate = self.total as f64 / secs.max(0.001);
        format!(
            "imported {} of {} rows into {}{rejected} in {secs:.1} s ({rate:.0} rows/s)",
            self.loaded,
            self.total,
            self.owner.describe(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &'static str) -> anyhow::Result<FileRows> {
        let reader: Box<dyn Read + Send> = Box::new(text.as_bytes());
        ProfileRows::open(Some(FileFormat::Csv), Path::new("x.csv"), reader)
    }

    fn first() -> ImportProfilesRequest {
        ImportProfilesRequest {
            tenant_id: "acme".into(),
            shared: false,
            columns: vec!["a".into()],
            rows: Vec::new(),
        }
    }

    fn sent_messages(
        text: &'static str,
        batch: usize,
    ) -> anyhow::Result<(ReadSummary, Vec<ImportProfilesRequest>)> {
        let (tx, mut rx) = mpsc::channel(1_000);
        let read = send_rows(rows(text)?, first(), batch, &tx, &ProgressBar::hidden());
        drop(tx);
        let mut messages = Vec::new();
        while let Ok(m) = rx.try_recv() {
            messages.push(m);
        }
        Ok((read, messages))
    }

    #[test]
    fn rows_go_in_batches_and_only_the_first_message_names_the_owner() -> anyhow::Result<()> {
        let text = "document,a\n1,1\n2,2\n3,3\nbad\n4,4\n5,5\n";
        let (read, messages) = sent_messages(text, 2)?;
        let lines: Vec<Vec<u64>> = messages
            .iter()
            .map(|m| m.rows.iter().map(|r| r.line).collect())
            .collect();
        assert_eq!(lines, [vec![2, 3], vec![4, 6], vec![7]]);
        assert_eq!(messages[0].tenant_id, "acme");
        assert_eq!(messages[0].columns, ["a"]);
        assert!(
            messages[1..]
                .iter()
                .all(|m| m.tenant_id.is_empty() && m.columns.is_empty())
        );
        assert_eq!((read.sent, read.rejected_rows), (5, 1));
        assert_eq!(read.errors[0].line, 5);
        Ok(())
    }

    #[test]
    fn an_empty_file_still_sends_its_owner() -> anyhow::Result<()> {
        let (read, messages) = sent_messages("document,a\n", 1000)?;
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].tenant_id, "acme");
        assert_eq!(read.sent, 0);
        Ok(())
    }

    #[test]
    fn reading_stops_quietly_once_the_server_has_answered() -> anyhow::Result<()> {
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        let read = send_rows(
            rows("document,a\n1,1\n2,2\n3,3\n")?,
            first(),
            1,
            &tx,
            &ProgressBar::hidden(),
        );
        assert_eq!(
            read.sent, 1,
            "the first message failed to go, and reading stopped"
        );
        assert!(read.stopped.is_none());
        Ok(())
    }

    #[test]
    fn the_report_merges_local_and_server_errors_by_line() {
        let owner = ProfileOwner {
            tenant: Some("acme".into()),
            shared: false,
        };
        let read = ReadSummary {
            sent: 49_999,
            messages: 50,
            rejected_rows: 1,
            errors: vec![RowError {
                line: 9,
                field: String::new(),
                code: "INVALID_FORMAT".into(),
                reason: "expected 3 cells (as the header has), found 2".into(),
            }],
            stopped: None,
        };
        let answer = ImportProfilesResponse {
            received: 49_999,
            loaded: 49_998,
            rejected: 1,
            errors: vec![RowError {
                line: 4,
                field: "document".into(),
                code: "INVALID_CPF".into(),
                reason: "not a valid CPF".into(),
            }],
        };
        let report = Report::new(&owner, &read, &answer, Duration::from_millis(800));
        assert_eq!(
            report.error_lines().collect::<Vec<_>>(),
            [
                "line 4: document: INVALID_CPF not a valid CPF",
                "line 9: INVALID_FORMAT expected 3 cells (as the header has), found 2",
            ]
        );
        assert_eq!(
            report.summary(),
            "imported 49998 of 50000 rows into tenant acme (2 rejected) in 0.8 s (62500 rows/s)"
        );
        assert_eq!(report.rejected(), 2);
        assert_eq!(report.unlisted(), None);
    }

    #[test]
    fn rows_the_server_rejected_without_listing_them_are_counted() {
        let owner = ProfileOwner {
            tenant: None,
            shared: true,
        };
        let error = |line| RowError {
            line,
            field: "document".into(),
            code: "INVALID_CPF".into(),
            reason: "not a valid CPF".into(),
        };
        let answer = ImportProfilesResponse {
            received: 10,
            loaded: 5,
            rejected: 5,
            errors: vec![error(2), error(3), error(3)],
        };
        let report = Report::new(&owner, &ReadSummary::default(), &answer, Duration::ZERO);
        assert_eq!(
            report.unlisted().as_deref(),
            Some(
                "… and 3 more rejected rows not listed (score-service lists only the first \
                 errors of an import)"
            )
        );
    }
}
