//! The launcher's log (`DATA_DIR/logs/launcher.log`) and the stdout/stderr redirection.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// File name of the launcher's own log inside `DATA_DIR/logs/`.
pub const LAUNCHER_LOG: &str = "launcher.log";
/// File name that receives the launcher's and the worker's stdout and stderr.
pub const WORKER_OUT_LOG: &str = "worker.out.log";
/// A log file larger than this at start is moved to `<name>.1` (replacing it) before appending.
pub const ROTATE_BYTES: u64 = 10 << 20;

/// Could not set up logging.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The log directory or file could not be created or opened.
    #[error("cannot open log file {path}: {source}")]
    Open {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `dup2` onto stdout/stderr failed.
    #[error("cannot redirect stdout/stderr to {path}: {source}")]
    Redirect {
        /// The target file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn open_append(dir: &Path, name: &str) -> Result<File, LogError> {
    std::fs::create_dir_all(dir).map_err(|source| LogError::Open {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = dir.join(name);
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > ROTATE_BYTES) {
        // Best effort: if the rename fails we keep appending to the big file.
        let _ = std::fs::rename(&path, dir.join(format!("{name}.1")));
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(&path)
        .map_err(|source| LogError::Open { path, source })
}

/// Line-oriented append-only log: `2026-11-25T18:52:00.123Z LEVEL message`.
pub struct LauncherLog {
    file: File,
}

impl LauncherLog {
    /// Opens (creating) `DATA_DIR/logs/launcher.log`.
    pub fn open(data_dir: &Path) -> Result<Self, LogError> {
        Ok(Self {
            file: open_append(&data_dir.join("logs"), LAUNCHER_LOG)?,
        })
    }

    fn line(&mut self, level: &str, msg: &str) {
        let line = format!("{} {level} {msg}\n", utc_now());
        // A log write that fails has nowhere else to go: ignoring it is the only option.
        let _ = self.file.write_all(line.as_bytes());
    }

    /// Logs at INFO.
    pub fn info(&mut self, msg: &str) {
        self.line("INFO", msg);
    }
    /// Logs at WARN.
    pub fn warn(&mut self, msg: &str) {
        self.line("WARN", msg);
    }
    /// Logs at ERROR.
    pub fn error(&mut self, msg: &str) {
        self.line("ERROR", msg);
    }
}

/// Points fds 1 and 2 at `DATA_DIR/logs/worker.out.log` (append); the exec'd worker inherits them.
pub fn redirect_stdio(data_dir: &Path) -> Result<(), LogError> {
    let dir = data_dir.join("logs");
    let file = open_append(&dir, WORKER_OUT_LOG)?;
    for fd in [libc::STDOUT_FILENO, libc::STDERR_FILENO] {
        // SAFETY: dup2 on two valid descriptors; `file` outlives the call.
        if unsafe { libc::dup2(file.as_raw_fd(), fd) } < 0 {
            return Err(LogError::Redirect {
                path: dir.join(WORKER_OUT_LOG),
                source: std::io::Error::last_os_error(),
            });
        }
    }
    Ok(())
}

/// Now as an RFC 3339 UTC timestamp with milliseconds.
pub fn utc_now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_utc(d.as_secs(), d.subsec_millis())
}

/// Formats Unix seconds + milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_utc(secs: u64, millis: u32) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_format() {
        assert_eq!(format_utc(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_utc(1_700_000_000, 5), "2023-11-14T22:13:20.005Z");
        assert_eq!(format_utc(951_782_400, 0), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn log_lines_append() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = LauncherLog::open(dir.path()).unwrap();
        l.info("one");
        l.error("two");
        drop(l);
        let mut l = LauncherLog::open(dir.path()).unwrap();
        l.warn("three");
        let text = std::fs::read_to_string(dir.path().join("logs").join(LAUNCHER_LOG)).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].ends_with(" INFO one"));
        assert!(lines[1].ends_with(" ERROR two"));
        assert!(lines[2].ends_with(" WARN three"));
    }

    #[test]
    fn big_logs_are_rotated_once_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).unwrap();
        let f = std::fs::File::create(logs.join(LAUNCHER_LOG)).unwrap();
        f.set_len(ROTATE_BYTES + 1).unwrap();
        let mut l = LauncherLog::open(dir.path()).unwrap();
        l.info("fresh");
        assert_eq!(
            std::fs::metadata(logs.join(format!("{LAUNCHER_LOG}.1")))
                .unwrap()
                .len(),
            ROTATE_BYTES + 1
        );
        let text = std::fs::read_to_string(logs.join(LAUNCHER_LOG)).unwrap();
        assert!(text.ends_with(" INFO fresh\n") && text.lines().count() == 1);
    }

    #[test]
    fn unwritable_dir_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"x").unwrap();
        // `f/logs` cannot be created under a regular file.
        assert!(matches!(
            LauncherLog::open(&file),
            Err(LogError::Open { .. })
        ));
    }
}
