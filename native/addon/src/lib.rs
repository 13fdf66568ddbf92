//! blvm-miningos N-API addon: thin wrappers over `blvm-miningos-core`.
//!
//! Every error that reaches JavaScript carries a stable `err.code` (`ERR_*`), from sync and async
//! functions alike (see `errors.rs`).

#![deny(clippy::all)]

mod actions;
mod appnode;
pub mod config;
pub mod convert;
mod errors;
pub mod memory;
pub mod node;
pub mod runtime;
pub mod types;

use napi_derive::napi;

pub use errors::{coded, spawn_coded, CodedError};

/// Version of the addon (and of the core crate it wraps).
#[napi]
pub fn addon_version() -> String {
    blvm_miningos_core::VERSION.to_string()
}

/// Checks the addon's error path: resolves with `value` after `delay_ms`, or rejects with an error
/// whose `code` is `fail_code` when one is given. Used by tests to prove async codes survive N-API.
#[napi(ts_return_type = "Promise<string>")]
pub fn self_test<'e>(
    env: &'e napi::Env,
    value: String,
    delay_ms: u32,
    fail_code: Option<String>,
) -> napi::Result<napi::bindgen_prelude::PromiseRaw<'e, String>> {
    spawn_coded(env, async move {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(delay_ms))).await;
        match fail_code {
            Some(code) => Err(CodedError::new(code, "self-test failure requested")),
            None => Ok(value),
        }
    })
}
