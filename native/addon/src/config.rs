//! `loadConfig`: the validated config as JSON (secrets redacted) with the file it came from.

use crate::errors::{coded, CodeStatus};
use blvm_miningos_core::config::{self, ConfigError, LoadOptions, Loaded};
use napi_derive::napi;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Where to find the config (every field optional).
#[napi(object)]
#[derive(Default)]
pub struct ConfigOptions {
    /// The module's data dir (default: env `DATA_DIR`).
    pub data_dir: Option<String>,
    /// Working directory for `./config/miningos.toml` and `./miningos.toml` (default: the process's).
    pub cwd: Option<String>,
    /// Environment to read overrides from (default: the process environment).
    pub env: Option<HashMap<String, String>>,
    /// An explicit config file (must exist); replaces the search.
    pub config_path: Option<String>,
    /// Inline config with the file's shape (`{ node: { rpc_url: ... } }`); replaces any file.
    #[napi(ts_type = "Record<string, Record<string, unknown>>")]
    pub config: Option<serde_json::Value>,
    /// Fail (`ERR_CONFIG`) when an enabled section lacks a key it needs (`[p2p] rack_id`, ...);
    /// default false: such keys are listed in `missing` instead.
    pub require_complete: Option<bool>,
}

/// Turns JS options into core load options (inline config converted to a TOML table).
pub(crate) fn to_load_options(o: ConfigOptions) -> Result<LoadOptions, ConfigError> {
    let cwd = match o.cwd {
        Some(c) => PathBuf::from(c),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
    let env: BTreeMap<String, String> = match o.env {
        Some(e) => e.into_iter().collect(),
        None => std::env::vars().collect(),
    };
    let inline = match o.config {
        None => None,
        Some(v) => {
            let table = config::table_from_json(&v, "options.config")?;
            Some(("options.config".to_string(), table))
        }
    };
    Ok(LoadOptions {
        data_dir: o.data_dir.map(PathBuf::from),
        cwd,
        env,
        config_path: o.config_path.map(PathBuf::from),
        inline,
        require_complete: o.require_complete.unwrap_or(false),
    })
}

pub(crate) fn load_from(o: Option<ConfigOptions>) -> Result<Loaded, ConfigError> {
    config::load(&to_load_options(o.unwrap_or_default())?)
}

/// Loads and validates the config. Returns `{ source, searched, overrides, missing, config }`
/// (secrets shown as `"<redacted>"`). Throws an `Error` with `code = 'ERR_CONFIG'` naming the file/env var and key.
#[napi]
pub fn load_config(options: Option<ConfigOptions>) -> napi::Result<LoadedConfig, CodeStatus> {
    let l = load_from(options).map_err(coded)?;
    let mut json = l.to_json();
    Ok(LoadedConfig {
        source: l.source.map(|p| p.display().to_string()),
        searched: l.searched.iter().map(|p| p.display().to_string()).collect(),
        overrides: l.overrides,
        missing: l.missing,
        config: json["config"].take(),
    })
}

/// The shape `loadConfig` returns.
#[napi(object, object_from_js = false)]
pub struct LoadedConfig {
    /// The file the config was read from (`null`: defaults or inline options).
    pub source: Option<String>,
    /// The files looked for, in order.
    pub searched: Vec<String>,
    /// Environment variables that overrode keys.
    pub overrides: Vec<String>,
    /// Keys an enabled section needs but nobody set (`ERR_CONFIG` messages naming them).
    pub missing: Vec<String>,
    /// The validated config: sections `actions`, `miningos`, `p2p`, `http`, `stats`, `template`, `node`, and `data_dir`.
    #[napi(ts_type = "Record<string, any>")]
    pub config: serde_json::Value,
}
