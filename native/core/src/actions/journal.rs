//! The durable audit journal: append-only JSON lines, fsynced after every record. It is the engine's
//! source of truth for idempotency (a re-delivered action returns its recorded result) and for the
//! action history (`getHistoricalLogs`).
//!
//! Records (one JSON object per line, `v` = 1):
//! - `started`: before execution (key, action id, user, target, action, redacted params, ts);
//! - `finished`: after execution (key, status, result, duration);
//! - `rejected`: an action refused by validation (history only, never blocks a retry).
//!
//! On open, every `started` without a `finished` is an action that was running when the worker
//! died: the journal appends a `finished` record with status `interrupted` and the result
//! `{success:false, error:"ERR_ACTION_INTERRUPTED"}`, so it is visible, never lost, and never run
//! again. A torn last line (crash mid-write) is skipped and counted.

use super::error::ActionError;
use super::types::{ActionResult, Target};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Record format version.
pub const JOURNAL_VERSION: u32 = 1;

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Started, not finished (in this process).
    Running,
    /// Finished with `success: true`.
    Succeeded,
    /// Finished with `success: false`.
    Failed,
    /// Was running when the worker stopped; outcome unknown.
    Interrupted,
    /// Refused by validation, never executed.
    Rejected,
}

/// One action as the journal knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Idempotency key: `<actionId>|<kind>:<target id>|<action>`.
    pub key: String,
    /// Action id.
    pub action_id: String,
    /// Who asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Target.
    pub target: Target,
    /// Action name.
    pub action: String,
    /// Parameters with secrets redacted.
    pub params: Value,
    /// Status.
    pub status: Status,
    /// Result once finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<ActionResult>,
    /// Start time, ms since the epoch.
    pub started_at: u64,
    /// End time, ms since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<u64>,
    /// Duration in ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// A history query (`getHistoricalLogs` style): newest first.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryQuery {
    /// Only entries started at or after this ms timestamp.
    #[serde(default)]
    pub start: Option<u64>,
    /// Only entries started at or before this ms timestamp.
    #[serde(default)]
    pub end: Option<u64>,
    /// Skip this many (default 0).
    #[serde(default)]
    pub offset: Option<usize>,
    /// At most this many (default 100, at most 10000).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Only this target id.
    #[serde(default)]
    pub target_id: Option<String>,
    /// Only this action id.
    #[serde(default)]
    pub action_id: Option<String>,
}

/// What opening the journal found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenReport {
    /// Records read.
    pub records: usize,
    /// Unreadable lines skipped (a torn last line after a crash).
    pub skipped_lines: usize,
    /// Keys found running and now marked interrupted.
    pub interrupted: Vec<String>,
    /// Oldest entries dropped by compaction (more than the retention limit).
    pub compacted: usize,
}

/// Entries kept by default: beyond this, opening the journal rewrites it with the newest ones
/// (at ~200 bytes a record, 50 000 actions ≈ 20 MB, replayed in ~150 ms).
pub const DEFAULT_MAX_ENTRIES: usize = 50_000;

/// The audit journal the engine writes to.
pub trait ActionJournal: Send + Sync {
    /// The entry for an idempotency key (rejected entries are not indexed).
    fn get(&self, key: &str) -> Option<JournalEntry>;
    /// Every entry of an action id (one per target), oldest first.
    fn by_action_id(&self, action_id: &str) -> Vec<JournalEntry>;
    /// Records `started` (durable before returning).
    fn started(&self, entry: &JournalEntry) -> Result<(), ActionError>;
    /// Records `finished` for `key` (durable before returning).
    fn finished(
        &self,
        key: &str,
        status: Status,
        result: &ActionResult,
        finished_at: u64,
        duration_ms: u64,
    ) -> Result<(), ActionError>;
    /// Records a rejected action (history only).
    fn rejected(&self, entry: &JournalEntry) -> Result<(), ActionError>;
    /// History, newest first.
    fn history(&self, q: &HistoryQuery) -> Vec<JournalEntry>;
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
enum Record {
    Started {
        v: u32,
        #[serde(flatten)]
        entry: JournalEntry,
    },
    Finished {
        v: u32,
        key: String,
        status: Status,
        result: ActionResult,
        #[serde(rename = "finishedAt")]
        finished_at: u64,
        #[serde(rename = "durationMs")]
        duration_ms: u64,
    },
    Rejected {
        v: u32,
        #[serde(flatten)]
        entry: JournalEntry,
    },
}

struct Inner {
    file: File,
    /// All entries in start order (history), rejected included.
    entries: Vec<JournalEntry>,
    /// Key → index in `entries` (not for rejected).
    index: HashMap<String, usize>,
}

/// The file-backed journal (0600, append-only, fsync per record).
pub struct FileJournal {
    path: PathBuf,
    inner: Mutex<Inner>,
}

/// Result for an interrupted action.
pub fn interrupted_result() -> ActionResult {
    ActionResult::fail(
        "ERR_ACTION_INTERRUPTED",
        "the worker stopped while this action was running; it may or may not have taken effect, and it is not run again",
        None,
    )
}

impl FileJournal {
    /// Opens (creating it, and its directory, if needed) and replays the journal; marks running
    /// actions as interrupted.
    pub fn open(path: impl AsRef<Path>) -> Result<(Self, OpenReport), ActionError> {
        Self::open_with_limit(path, DEFAULT_MAX_ENTRIES)
    }

    /// [`open`](Self::open), keeping at most `max_entries` (the newest) when the file holds more:
    /// the journal is then rewritten atomically (temporary file, fsync, rename, directory fsync).
    /// Dropped entries lose their re-delivery protection; MiningOS never re-delivers actions that old.
    pub fn open_with_limit(
        path: impl AsRef<Path>,
        max_entries: usize,
    ) -> Result<(Self, OpenReport), ActionError> {
        let max_entries = max_entries.max(1);
        let path = path.as_ref().to_path_buf();
        let jerr = |reason: String| ActionError::Journal {
            path: path.display().to_string(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| jerr(format!("create directory: {e}")))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| jerr(format!("open: {e}")))?;
        // An existing file keeps its mode on open: make it private like a new one (the journal
        // holds user names and hook output).
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| jerr(format!("chmod 0600: {e}")))?;
        let mut report = OpenReport::default();
        let mut entries: Vec<JournalEntry> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let reader = BufReader::new(file.try_clone().map_err(|e| jerr(format!("read: {e}")))?);
        for (n, line) in reader.split(b'\n').enumerate() {
            let line = line.map_err(|e| jerr(format!("read: {e}")))?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let rec: Record = match serde_json::from_slice(&line) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(line = n + 1, error = %e, "action journal: unreadable line skipped");
                    report.skipped_lines += 1;
                    continue;
                }
            };
            report.records += 1;
            match rec {
                Record::Started { entry, .. } => {
                    index.insert(entry.key.clone(), entries.len());
                    entries.push(entry);
                }
                Record::Finished {
                    key,
                    status,
                    result,
                    finished_at,
                    duration_ms,
                    ..
                } => {
                    if let Some(e) = index.get(&key).and_then(|i| entries.get_mut(*i)) {
                        e.status = status;
                        e.result = Some(result);
                        e.finished_at = Some(finished_at);
                        e.duration_ms = Some(duration_ms);
                    }
                }
                Record::Rejected { entry, .. } => entries.push(entry),
            }
        }
        let mut file = file;
        if entries.len() > max_entries {
            report.compacted = entries.len() - max_entries;
            entries.drain(..report.compacted);
            file = rewrite(&path, &entries).map_err(|e| jerr(format!("compact: {e}")))?;
            index = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.status != Status::Rejected)
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
            tracing::info!(
                dropped = report.compacted,
                kept = entries.len(),
                "action journal compacted"
            );
        }
        let journal = FileJournal {
            path: path.clone(),
            inner: Mutex::new(Inner {
                file,
                entries,
                index,
            }),
        };
        let running: Vec<(String, u64)> = {
            let inner = journal.lock()?;
            inner
                .entries
                .iter()
                .filter(|e| e.status == Status::Running)
                .map(|e| (e.key.clone(), e.started_at))
                .collect()
        };
        let now = now_ms();
        for (key, started_at) in running {
            journal.finished(
                &key,
                Status::Interrupted,
                &interrupted_result(),
                now,
                now.saturating_sub(started_at),
            )?;
            report.interrupted.push(key);
        }
        if !report.interrupted.is_empty() {
            tracing::warn!(
                count = report.interrupted.len(),
                "action journal: actions interrupted by the last stop are marked interrupted"
            );
        }
        Ok((journal, report))
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, ActionError> {
        // A panic while holding the lock cannot leave a half-written record in memory (the file
        // is written before the index), so the state stays usable: forgetting what already ran
        // would be worse (it could run twice).
        Ok(self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn append(&self, inner: &mut Inner, rec: &Record) -> Result<(), ActionError> {
        let jerr = |reason: String| ActionError::Journal {
            path: self.path.display().to_string(),
            reason,
        };
        let mut line = serde_json::to_vec(rec).map_err(|e| jerr(format!("encode: {e}")))?;
        line.push(b'\n');
        inner
            .file
            .write_all(&line)
            .map_err(|e| jerr(format!("write: {e}")))?;
        inner
            .file
            .sync_data()
            .map_err(|e| jerr(format!("fsync: {e}")))
    }
}

impl ActionJournal for FileJournal {
    fn get(&self, key: &str) -> Option<JournalEntry> {
        let inner = self.lock().ok()?;
        inner
            .index
            .get(key)
            .and_then(|i| inner.entries.get(*i))
            .cloned()
    }

    fn by_action_id(&self, action_id: &str) -> Vec<JournalEntry> {
        match self.lock() {
            Ok(inner) => inner
                .entries
                .iter()
                .filter(|e| e.action_id == action_id)
                .cloned()
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    fn started(&self, entry: &JournalEntry) -> Result<(), ActionError> {
        let mut inner = self.lock()?;
        let rec = Record::Started {
            v: JOURNAL_VERSION,
            entry: entry.clone(),
        };
        self.append(&mut inner, &rec)?;
        let i = inner.entries.len();
        inner.index.insert(entry.key.clone(), i);
        inner.entries.push(entry.clone());
        Ok(())
    }

    fn finished(
        &self,
        key: &str,
        status: Status,
        result: &ActionResult,
        finished_at: u64,
        duration_ms: u64,
    ) -> Result<(), ActionError> {
        let mut inner = self.lock()?;
        let rec = Record::Finished {
            v: JOURNAL_VERSION,
            key: key.to_string(),
            status,
            result: result.clone(),
            finished_at,
            duration_ms,
        };
        self.append(&mut inner, &rec)?;
        if let Some(i) = inner.index.get(key).copied() {
            if let Some(e) = inner.entries.get_mut(i) {
                e.status = status;
                e.result = Some(result.clone());
                e.finished_at = Some(finished_at);
                e.duration_ms = Some(duration_ms);
            }
        }
        Ok(())
    }

    fn rejected(&self, entry: &JournalEntry) -> Result<(), ActionError> {
        let mut inner = self.lock()?;
        let rec = Record::Rejected {
            v: JOURNAL_VERSION,
            entry: entry.clone(),
        };
        self.append(&mut inner, &rec)?;
        inner.entries.push(entry.clone());
        Ok(())
    }

    fn history(&self, q: &HistoryQuery) -> Vec<JournalEntry> {
        let Ok(inner) = self.lock() else {
            return Vec::new();
        };
        inner
            .entries
            .iter()
            .rev()
            .filter(|e| !matches!(q.start, Some(s) if e.started_at < s))
            .filter(|e| !matches!(q.end, Some(t) if e.started_at > t))
            .filter(|e| !matches!(&q.target_id, Some(t) if &e.target.id != t))
            .filter(|e| !matches!(&q.action_id, Some(a) if &e.action_id != a))
            .skip(q.offset.unwrap_or(0))
            .take(q.limit.unwrap_or(100).min(10_000))
            .cloned()
            .collect()
    }
}

/// Writes `entries` to a new file next to `path`, fsyncs it, renames it over `path`, fsyncs the
/// directory, and returns the new file opened for appending.
fn rewrite(path: &Path, entries: &[JournalEntry]) -> std::io::Result<File> {
    let tmp = path.with_extension("compact.tmp");
    {
        let mut out = std::io::BufWriter::new(
            OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?,
        );
        for e in entries {
            let mut lines: Vec<Record> = Vec::with_capacity(2);
            if e.status == Status::Rejected {
                lines.push(Record::Rejected {
                    v: JOURNAL_VERSION,
                    entry: e.clone(),
                });
            } else {
                let mut started = e.clone();
                started.status = Status::Running;
                started.result = None;
                started.finished_at = None;
                started.duration_ms = None;
                lines.push(Record::Started {
                    v: JOURNAL_VERSION,
                    entry: started,
                });
                if let Some(result) = &e.result {
                    lines.push(Record::Finished {
                        v: JOURNAL_VERSION,
                        key: e.key.clone(),
                        status: e.status,
                        result: result.clone(),
                        finished_at: e.finished_at.unwrap_or(e.started_at),
                        duration_ms: e.duration_ms.unwrap_or(0),
                    });
                }
            }
            for rec in lines {
                serde_json::to_writer(&mut out, &rec)?;
                out.write_all(b"\n")?;
            }
        }
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    OpenOptions::new().append(true).read(true).open(path)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}
