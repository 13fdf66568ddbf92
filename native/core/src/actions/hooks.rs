//! Operator hooks: argv arrays with `{placeholder}`s, run **without a shell** in their own process
//! group, with a timeout (the whole group is killed with SIGKILL when it expires), a cleared
//! environment (the worker's secrets never reach a hook), and captured, size-capped stdout/stderr.
//!
//! Placeholder values are checked before substitution: no control characters or NUL, at most 1024
//! bytes, and no leading `-` (a value can never turn into an option of the hook program). With no
//! shell there is no quoting to escape: each argv element reaches the program as one argument.

use super::error::ActionError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Longest value a placeholder may take, in bytes.
pub const MAX_PLACEHOLDER_VALUE: usize = 1024;
/// How long the engine waits for a hook's output pipes to close after the hook has exited
/// (background children it left behind are killed with its process group after that).
pub const PIPE_GRACE: Duration = Duration::from_millis(1000);

/// PATH given to hooks when the worker has none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The placeholder names used in `arg`, in order (`{{` / `}}` are literal braces).
pub fn placeholders_in(arg: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    for piece in parse(arg)? {
        if let Piece::Placeholder(name) = piece {
            out.push(name);
        }
    }
    Ok(out)
}

enum Piece<'a> {
    Text(&'a str),
    Brace(char),
    Placeholder(&'a str),
}

fn parse(arg: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let bytes = arg.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                out.push(Piece::Text(&arg[text_start..i]));
                out.push(Piece::Brace('{'));
                i += 2;
                text_start = i;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                out.push(Piece::Text(&arg[text_start..i]));
                out.push(Piece::Brace('}'));
                i += 2;
                text_start = i;
            }
            b'{' => {
                let rest = &arg[i + 1..];
                let end = rest.find('}').ok_or_else(|| {
                    format!("unclosed '{{' at byte {i} (write '{{{{' for a literal brace)")
                })?;
                let name = &rest[..end];
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    return Err(format!(
                        "bad placeholder '{{{name}}}' at byte {i} (names are lower_snake_case)"
                    ));
                }
                out.push(Piece::Text(&arg[text_start..i]));
                out.push(Piece::Placeholder(name));
                i += end + 2;
                text_start = i;
            }
            b'}' => {
                return Err(format!(
                    "lone '}}' at byte {i} (write '}}}}' for a literal brace)"
                ))
            }
            _ => i += 1,
        }
    }
    out.push(Piece::Text(&arg[text_start..]));
    Ok(out)
}

/// Checks a value before it is substituted into an argv element.
pub fn check_value(name: &str, value: &str) -> Result<(), ActionError> {
    if value.is_empty() {
        return Err(ActionError::Placeholder(format!(
            "placeholder {{{name}}}: empty value"
        )));
    }
    if value.len() > MAX_PLACEHOLDER_VALUE {
        return Err(ActionError::Placeholder(format!(
            "placeholder {{{name}}}: value longer than {MAX_PLACEHOLDER_VALUE} bytes"
        )));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(ActionError::Placeholder(format!(
            "placeholder {{{name}}}: value contains a control character or NUL"
        )));
    }
    if value.starts_with('-') {
        return Err(ActionError::Placeholder(format!(
            "placeholder {{{name}}}: value may not start with '-'"
        )));
    }
    Ok(())
}

/// Substitutes `values` into every argv element. A placeholder without a value, or a value that
/// fails [`check_value`], is an `ERR_HOOK_PLACEHOLDER_INVALID`.
pub fn render_argv(
    argv: &[String],
    values: &BTreeMap<&'static str, String>,
) -> Result<Vec<String>, ActionError> {
    let mut out = Vec::with_capacity(argv.len());
    for arg in argv {
        let pieces = parse(arg).map_err(ActionError::Placeholder)?;
        let mut s = String::with_capacity(arg.len());
        for piece in pieces {
            match piece {
                Piece::Text(t) => s.push_str(t),
                Piece::Brace(c) => s.push(c),
                Piece::Placeholder(name) => {
                    let v = values.get(name).ok_or_else(|| {
                        ActionError::Placeholder(format!(
                            "placeholder {{{name}}}: no value for this target"
                        ))
                    })?;
                    check_value(name, v)?;
                    s.push_str(v);
                }
            }
        }
        out.push(s);
    }
    Ok(out)
}

/// What a hook run produced.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HookOutcome {
    /// Exit code, when the hook exited on its own.
    pub exit_code: Option<i32>,
    /// Signal that ended it, if any (9 after a timeout).
    pub signal: Option<i32>,
    /// True when the timeout expired and the process group was killed.
    pub timed_out: bool,
    /// Captured stdout (lossy UTF-8, at most the cap).
    pub stdout: String,
    /// Captured stderr (lossy UTF-8, at most the cap).
    pub stderr: String,
    /// True when stdout was longer than the cap.
    pub stdout_truncated: bool,
    /// True when stderr was longer than the cap.
    pub stderr_truncated: bool,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl HookOutcome {
    /// Exit code 0, not timed out.
    pub fn succeeded(&self) -> bool {
        !self.timed_out && self.exit_code == Some(0)
    }
}

/// The hook program could not be started.
#[derive(Debug, thiserror::Error)]
#[error("cannot start hook program '{program}': {reason}")]
pub struct SpawnError {
    /// `argv[0]`.
    pub program: String,
    /// OS error text.
    pub reason: String,
}

/// Runs `argv` (already rendered) without a shell, in a new process group, with `env` added to a
/// cleared environment (plus `PATH` and `LANG`), killing the group after `timeout`.
pub async fn run(
    argv: &[String],
    env: &[(&str, String)],
    timeout: Duration,
    cap: usize,
) -> Result<HookOutcome, SpawnError> {
    let program = argv.first().cloned().unwrap_or_default();
    let started = Instant::now();
    let mut cmd = tokio::process::Command::new(&program);
    cmd.args(argv.iter().skip(1))
        .env_clear()
        .env(
            "PATH",
            std::env::var("PATH").unwrap_or_else(|_| DEFAULT_PATH.to_string()),
        )
        .env("LANG", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|e| SpawnError {
        program: program.clone(),
        reason: if e.raw_os_error() == Some(libc::EAGAIN) {
            format!(
                "{e} (process limit reached: raise the node's [module_resource_limits] process limit or lower [actions] max_concurrent_hooks)"
            )
        } else {
            e.to_string()
        },
    })?;
    let pgid = child.id().and_then(|p| i32::try_from(p).ok());
    let out = tokio::spawn(read_capped(child.stdout.take(), cap));
    let err = tokio::spawn(read_capped(child.stderr.take(), cap));

    let mut timed_out = false;
    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(Ok(s)) => Some(s),
        Ok(Err(e)) => {
            tracing::warn!(program = %program, error = %e, "hook: wait failed");
            kill_group(pgid);
            child.wait().await.ok()
        }
        Err(_) => {
            timed_out = true;
            kill_group(pgid);
            child.wait().await.ok()
        }
    };
    // Output pipes close when every process holding them is gone; give stragglers a short grace,
    // then kill what is left of the group so a hook cannot keep the action open.
    let grace = async {
        let o = out.await.unwrap_or_default();
        let e = err.await.unwrap_or_default();
        (o, e)
    };
    tokio::pin!(grace);
    let (o, e) = match tokio::time::timeout(PIPE_GRACE, &mut grace).await {
        Ok(v) => v,
        Err(_) => {
            kill_group(pgid);
            tokio::time::timeout(PIPE_GRACE, &mut grace)
                .await
                .unwrap_or_default()
        }
    };
    use std::os::unix::process::ExitStatusExt;
    Ok(HookOutcome {
        exit_code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        timed_out,
        stdout: String::from_utf8_lossy(&o.0).into_owned(),
        stderr: String::from_utf8_lossy(&e.0).into_owned(),
        stdout_truncated: o.1,
        stderr_truncated: e.1,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

fn kill_group(pgid: Option<i32>) {
    if let Some(pgid) = pgid.filter(|p| *p > 1) {
        // SAFETY: killpg only sends a signal; pgid is the group this hook's child leads (created
        // with process_group(0)), never 0/1 (which would mean our own group / init).
        let rc = unsafe { libc::killpg(pgid, libc::SIGKILL) };
        if rc != 0 {
            tracing::debug!(pgid, "hook: killpg found no process left");
        }
    }
}

async fn read_capped<R: AsyncRead + Unpin>(r: Option<R>, cap: usize) -> (Vec<u8>, bool) {
    let Some(mut r) = r else {
        return (Vec::new(), false);
    };
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                if n > room {
                    truncated = true;
                }
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    (kept, truncated)
}
