//! Errors crossing N-API with a stable `code`.
//!
//! napi-rs sets `err.code` from the error's status, which for async functions is always a napi
//! `Status` name. To give JavaScript our own `ERR_*` codes from async functions too, futures return
//! `Result<T, CodedError>` and the rejection value is built on the JS thread as a real `Error` with
//! `code` set (napi-notes §2.5 b).

use blvm_miningos_core::Coded;
use napi::bindgen_prelude::{JsObjectValue, PromiseRaw, ToNapiValue};
use napi::{Env, JsValue};
use std::future::Future;

/// An error for JavaScript: a stable code and a human message.
#[derive(Debug, Clone)]
pub struct CodedError {
    /// `ERR_UPPER_SNAKE` code.
    pub code: String,
    /// Human-readable message (never contains secrets).
    pub message: String,
}

impl CodedError {
    /// A coded error from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Converts into a `napi::Error` for sync functions: the reason is `"CODE: message"` and the
    /// status (which napi-rs puts in `err.code`) is the code itself.
    pub fn into_napi(self) -> napi::Error<CodeStatus> {
        napi::Error::new(CodeStatus(self.code.clone()), self.message)
    }
}

impl<E: Coded> From<E> for CodedError {
    fn from(e: E) -> Self {
        CodedError::new(e.code(), e.to_string())
    }
}

/// A status type whose text is an `ERR_*` code, so that sync functions returning
/// `napi::Result<T, CodeStatus>` reject with `err.code` set to it.
#[derive(Debug, Clone)]
pub struct CodeStatus(pub String);

impl AsRef<str> for CodeStatus {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<napi::Status> for CodeStatus {
    fn from(s: napi::Status) -> Self {
        CodeStatus(format!("ERR_NAPI_{}", s.as_ref().to_ascii_uppercase()))
    }
}

/// Maps a core error into a sync `napi::Error` carrying its code.
pub fn coded<E: Coded>(e: E) -> napi::Error<CodeStatus> {
    CodedError::from(e).into_napi()
}

/// Runs `fut` on the addon's tokio runtime and returns a Promise that resolves with its value or
/// rejects with an `Error` whose `code` is the `CodedError` code.
pub fn spawn_coded<'e, T, F>(env: &'e Env, fut: F) -> napi::Result<PromiseRaw<'e, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = Result<T, CodedError>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, |env, res| match res {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut obj = env.create_error(napi::Error::from_reason(e.message.clone()))?;
            obj.set_named_property("code", e.code.as_str())?;
            Err(napi::Error::from(obj.to_unknown()))
        }
    })
}
