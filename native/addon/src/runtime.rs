//! The addon's tokio runtime.
//!
//! By default napi-rs builds its own multi-thread runtime (one worker per CPU). Under the node's
//! resource limits (blvm-ipc.md "What the real node does" 6: 10 processes *counting threads* when
//! not root) the launcher sets `BLVM_MININGOS_TOKIO_THREADS` (usually `1`); the addon then builds a
//! runtime with exactly that many worker threads and a blocking pool of at most
//! [`SMALL_BLOCKING_THREADS`], before any async function runs (`module_init`).
//!
//! A value that is not an integer in `1..=`[`MAX_TOKIO_THREADS`] leaves the default runtime in
//! place; the problem is kept and reported by [`runtime_info`] (the worker logs it), because a
//! module initialiser cannot throw and must not print (nothing on stdout/stderr under the node).

use napi_derive::napi;
use std::sync::OnceLock;

/// Environment variable read at module load: the number of tokio worker threads.
pub const TOKIO_THREADS_ENV: &str = "BLVM_MININGOS_TOKIO_THREADS";
/// Largest accepted `BLVM_MININGOS_TOKIO_THREADS`.
pub const MAX_TOKIO_THREADS: usize = 64;
/// Blocking-pool ceiling used with a custom (small) runtime.
pub const SMALL_BLOCKING_THREADS: usize = 2;
/// Name of the custom runtime's threads (`/proc/<pid>/task/*/comm`, at most 15 bytes).
pub const THREAD_NAME: &str = "miningos-tokio";

/// What the addon's runtime looks like (returned to JS by `runtimeInfo()`).
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeInfo {
    /// `"env"`: built from `BLVM_MININGOS_TOKIO_THREADS`; `"default"`: napi-rs's own runtime.
    pub source: String,
    /// Worker threads of the custom runtime (`null` with the default runtime).
    pub worker_threads: Option<u32>,
    /// Blocking-pool ceiling of the custom runtime (`null` with the default runtime).
    pub max_blocking_threads: Option<u32>,
    /// The raw env value, when set.
    pub env_value: Option<String>,
    /// Why the env value was not used (`null` when it was used or not set).
    pub error: Option<String>,
}

static INFO: OnceLock<RuntimeInfo> = OnceLock::new();

/// Parses a `BLVM_MININGOS_TOKIO_THREADS` value: `Ok(None)` when unset, the thread count when
/// valid, otherwise an error message naming the variable and the accepted range.
pub fn parse_threads(value: Option<&str>) -> Result<Option<usize>, String> {
    let Some(raw) = value else { return Ok(None) };
    match raw.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_TOKIO_THREADS).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "{TOKIO_THREADS_ENV}={raw:?} is not an integer in 1..={MAX_TOKIO_THREADS}; \
             using the default tokio runtime"
        )),
    }
}

fn build(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .max_blocking_threads(SMALL_BLOCKING_THREADS)
        .thread_name(THREAD_NAME)
        .enable_all()
        .build()
}

/// Decides the runtime from `value` (the env value) and, when a custom one is wanted, builds it
/// and hands it to napi-rs. Returns what was done.
fn install(value: Option<String>) -> RuntimeInfo {
    let default = |error: Option<String>, env_value: Option<String>| RuntimeInfo {
        source: "default".into(),
        worker_threads: None,
        max_blocking_threads: None,
        env_value,
        error,
    };
    match parse_threads(value.as_deref()) {
        Ok(None) => default(None, None),
        Err(e) => default(Some(e), value),
        Ok(Some(n)) => match build(n) {
            Ok(rt) => {
                napi::bindgen_prelude::create_custom_tokio_runtime(rt);
                RuntimeInfo {
                    source: "env".into(),
                    worker_threads: u32::try_from(n).ok(),
                    max_blocking_threads: u32::try_from(SMALL_BLOCKING_THREADS).ok(),
                    env_value: value,
                    error: None,
                }
            }
            Err(e) => default(
                Some(format!(
                    "cannot build a tokio runtime with {n} threads ({e}); using the default"
                )),
                value,
            ),
        },
    }
}

#[napi_derive::module_init]
fn init() {
    let value = std::env::var(TOKIO_THREADS_ENV).ok();
    let _ = INFO.get_or_init(|| install(value));
}

/// The addon's tokio runtime: `{ source: 'env' | 'default', workerThreads, maxBlockingThreads,
/// envValue, error }`. `error` says why `BLVM_MININGOS_TOKIO_THREADS` was not used.
#[napi]
pub fn runtime_info() -> RuntimeInfo {
    INFO.get().cloned().unwrap_or_else(install_info_missing)
}

fn install_info_missing() -> RuntimeInfo {
    RuntimeInfo {
        source: "default".into(),
        worker_threads: None,
        max_blocking_threads: None,
        env_value: None,
        error: Some("module_init did not run".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_env_value() {
        assert_eq!(parse_threads(None), Ok(None));
        assert_eq!(parse_threads(Some("1")), Ok(Some(1)));
        assert_eq!(parse_threads(Some(" 3 ")), Ok(Some(3)));
        assert_eq!(parse_threads(Some("64")), Ok(Some(64)));
        for bad in ["0", "65", "-1", "two", "", "1.5"] {
            let e = parse_threads(Some(bad)).unwrap_err();
            assert!(e.contains(TOKIO_THREADS_ENV), "{e}");
            assert!(e.contains("1..=64"), "{e}");
        }
    }

    #[test]
    fn builds_a_runtime_with_the_requested_threads() {
        let rt = build(2).unwrap();
        assert_eq!(rt.metrics().num_workers(), 2);
        assert_eq!(rt.block_on(async { 40 + 2 }), 42);
    }
}
