//! Finding, reading, overriding and validating the configuration.

use super::schema::{
    has_section, keys_of, kind_of, sections, Kind, ACTIONS_TABLES, DEFAULT_CAPABILITIES,
    KNOWN_CAPABILITIES, SECRET_KEYS,
};
use super::*;
use crate::actions::ActionsConfig;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use toml::Value;

/// What [`load`] needs to know. Nothing is read from the process: the caller passes the env.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The module's data dir; `None` = env `DATA_DIR` if set.
    pub data_dir: Option<PathBuf>,
    /// The working directory for the `./config/miningos.toml` and `./miningos.toml` candidates.
    pub cwd: PathBuf,
    /// The environment (`MODULE_CONFIG_*`, `MININGOS_*`, `DATA_DIR`, `SOCKET_PATH`).
    pub env: BTreeMap<String, String>,
    /// An explicit config file: used instead of the search, and it must exist.
    pub config_path: Option<PathBuf>,
    /// Inline config (same shape as the file), used instead of any file; the label names it in errors.
    pub inline: Option<(String, toml::Table)>,
    /// Also fail on keys an enabled section needs but nobody set (`[p2p] rack_id`, `[http]
    /// app_node_url`, ...). Off: they are listed in [`Loaded::missing`] instead, for the
    /// component that needs them to refuse to start (the node view needs none of them).
    pub require_complete: bool,
}

/// A loaded, validated config and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// The file it was read from (`None`: defaults or inline options).
    pub source: Option<PathBuf>,
    /// The files that were looked for, in order.
    pub searched: Vec<PathBuf>,
    /// The environment variables that overrode keys.
    pub overrides: Vec<String>,
    /// Keys an enabled section needs but nobody set, as `ERR_CONFIG` messages (empty when
    /// complete; never non-empty with [`LoadOptions::require_complete`]).
    pub missing: Vec<String>,
}

impl Loaded {
    /// The config as JSON, secrets redacted, with `source`, `searched` and `overrides`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "source": self.source.as_ref().map(|p| p.display().to_string()),
            "searched": self.searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "overrides": self.overrides,
            "missing": self.missing,
            "config": serde_json::to_value(&self.config).unwrap_or(serde_json::Value::Null),
        })
    }
}

#[derive(Debug, Clone)]
enum Origin {
    File(PathBuf),
    Env(String),
    Inline(String),
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File(p) => write!(f, "file {}", p.display()),
            Origin::Env(v) => write!(f, "env {v}"),
            Origin::Inline(l) => write!(f, "{l}"),
            Origin::Default => write!(f, "defaults"),
        }
    }
}

/// Environment keys the node adds to every module's config (blvm-ipc.md §14.3); not ours.
const NODE_ADDED: &[&str] = &[
    "VERSION",
    "DATABASE_BACKEND",
    "NODE_P2P_LISTEN_IP",
    "NODE_P2P_LISTEN_PORT",
];

#[derive(Default)]
struct Raw {
    values: BTreeMap<(String, String), (Value, Origin)>,
    /// `[actions.votes]` / `[actions.hooks]` tables (file or inline only).
    action_tables: BTreeMap<String, (Value, Origin)>,
}

fn key_name(section: &str, key: &str) -> String {
    format!("[{section}] {key}")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a datetime",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

fn check_kind(v: &Value, kind: Kind) -> Result<(), String> {
    match (kind, v) {
        (Kind::Bool, Value::Boolean(_)) | (Kind::Str, Value::String(_)) => Ok(()),
        (Kind::Int { min }, Value::Integer(i)) => {
            if *i < min {
                Err(format!("must be at least {min} (got {i})"))
            } else {
                Ok(())
            }
        }
        (Kind::StrList, Value::Array(items)) => {
            match items.iter().position(|i| !matches!(i, Value::String(_))) {
                Some(n) => Err(format!(
                    "expected an array of strings, item {n} is {}",
                    type_name(&items[n])
                )),
                None => Ok(()),
            }
        }
        (Kind::Bool, other) => Err(format!("expected a boolean, found {}", type_name(other))),
        (Kind::Str, other) => Err(format!("expected a string, found {}", type_name(other))),
        (Kind::Int { .. }, other) => {
            Err(format!("expected an integer, found {}", type_name(other)))
        }
        (Kind::StrList, other) => Err(format!(
            "expected an array of strings, found {}",
            type_name(other)
        )),
    }
}

fn secret_hint(section: &str, key: &str) -> Option<String> {
    SECRET_KEYS
        .iter()
        .find(|(s, k, _, _)| *s == section && *k == key)
        .map(|(_, _, env, file_key)| {
            format!(
                "secrets are not accepted here; remove it and set env {env}, or put it in a file only you can read (chmod 600) and set [{section}] {file_key}"
            )
        })
}

/// The kind of value `[section] key` takes, or the error for a key nobody may set: a plaintext
/// secret (with how to fix it) or an unknown key (with the keys the section accepts).
fn accepted_kind(section: &str, key: &str, origin: &Origin) -> Result<Kind, ConfigError> {
    if let Some(hint) = secret_hint(section, key) {
        return Err(ConfigError::invalid(origin, key_name(section, key), hint));
    }
    kind_of(section, key).ok_or_else(|| {
        ConfigError::invalid(
            origin,
            key_name(section, key),
            format!(
                "unknown key; [{section}] accepts: {}",
                keys_of(section).join(", ")
            ),
        )
    })
}

impl Raw {
    fn set(
        &mut self,
        section: &str,
        key: &str,
        v: Value,
        origin: Origin,
    ) -> Result<(), ConfigError> {
        let kind = accepted_kind(section, key, &origin)?;
        check_kind(&v, kind)
            .map_err(|p| ConfigError::invalid(&origin, key_name(section, key), p))?;
        self.values
            .insert((section.to_string(), key.to_string()), (v, origin));
        Ok(())
    }

    fn apply_table(&mut self, table: &toml::Table, origin: &Origin) -> Result<(), ConfigError> {
        for (section, v) in table {
            if !has_section(section) {
                return Err(ConfigError::invalid(
                    origin,
                    format!("[{section}]"),
                    format!(
                        "unknown section; expected one of: {}",
                        sections().join(", ")
                    ),
                ));
            }
            let Value::Table(keys) = v else {
                return Err(ConfigError::invalid(
                    origin,
                    format!("[{section}]"),
                    format!("expected a table, found {}", type_name(v)),
                ));
            };
            for (key, value) in keys {
                if section == "actions" && ACTIONS_TABLES.contains(&key.as_str()) {
                    if !value.is_table() {
                        return Err(ConfigError::invalid(
                            origin,
                            format!("[actions.{key}]"),
                            format!("expected a table, found {}", type_name(value)),
                        ));
                    }
                    self.action_tables
                        .insert(key.clone(), (value.clone(), origin.clone()));
                    continue;
                }
                self.set(section, key, value.clone(), origin.clone())?;
            }
        }
        Ok(())
    }

    fn get(&self, s: &str, k: &str) -> Option<&(Value, Origin)> {
        self.values.get(&(s.to_string(), k.to_string()))
    }

    fn origin(&self, s: &str, k: &str) -> Origin {
        self.get(s, k)
            .map(|(_, o)| o.clone())
            .unwrap_or(Origin::Default)
    }

    fn bool(&self, s: &str, k: &str, default: bool) -> bool {
        match self.get(s, k) {
            Some((Value::Boolean(b), _)) => *b,
            _ => default,
        }
    }

    fn int(&self, s: &str, k: &str, default: u64) -> u64 {
        match self.get(s, k) {
            Some((Value::Integer(i), _)) => u64::try_from(*i).unwrap_or(default),
            _ => default,
        }
    }

    fn string(&self, s: &str, k: &str) -> Option<(String, Origin)> {
        match self.get(s, k) {
            Some((Value::String(v), o)) => Some((v.clone(), o.clone())),
            _ => None,
        }
    }

    fn list(&self, s: &str, k: &str) -> Option<(Vec<String>, Origin)> {
        match self.get(s, k) {
            Some((Value::Array(items), o)) => Some((
                items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect(),
                o.clone(),
            )),
            _ => None,
        }
    }
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// Reads an environment string as a value of `kind`.
fn env_value(raw: &str, kind: Kind) -> Result<Value, String> {
    match kind {
        Kind::Bool => match unquote(raw) {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            other => Err(format!("expected true or false, found {other:?}")),
        },
        Kind::Int { .. } => unquote(raw)
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| format!("expected an integer, found {:?}", raw)),
        Kind::Str => Ok(Value::String(unquote(raw).to_string())),
        Kind::StrList => {
            let t = raw.trim();
            if t.starts_with('[') {
                let table: toml::Table = toml::from_str(&format!("v = {t}"))
                    .map_err(|e| format!("not a TOML array of strings: {}", e.message()))?;
                table
                    .get("v")
                    .cloned()
                    .ok_or_else(|| "not a TOML array of strings".to_string())
            } else {
                Ok(Value::Array(
                    t.split(',')
                        .map(unquote)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_string()))
                        .collect(),
                ))
            }
        }
    }
}

fn apply_env(
    raw: &mut Raw,
    env: &BTreeMap<String, String>,
    overrides: &mut Vec<String>,
) -> Result<(), ConfigError> {
    // MODULE_CONFIG_* first, MININGOS_* second (wins).
    for (prefix, strict) in [("MODULE_CONFIG_", true), ("MININGOS_", false)] {
        for (var, val) in env {
            let Some(rest) = var.strip_prefix(prefix) else {
                continue;
            };
            if strict && NODE_ADDED.contains(&rest) {
                continue;
            }
            if !strict
                && matches!(
                    rest,
                    "OAUTH_CLIENT_SECRET" | "APP_NODE_TOKEN" | "NODE_RPC_PASSWORD"
                )
            {
                continue; // secrets, read in build()
            }
            let lower = rest.to_ascii_lowercase();
            let (section, key) = lower.split_once('_').unwrap_or((lower.as_str(), ""));
            let origin = Origin::Env(var.clone());
            if !has_section(section) {
                if strict {
                    return Err(ConfigError::invalid(
                        &origin,
                        var,
                        format!(
                            "unknown setting; expected MODULE_CONFIG_<SECTION>_<KEY> with SECTION one of: {}",
                            sections().join(", ")
                        ),
                    ));
                }
                continue; // MININGOS_* not naming a section belongs to someone else (e.g. logging)
            }
            let kind = accepted_kind(section, key, &origin)?;
            let v = env_value(val, kind)
                .map_err(|p| ConfigError::invalid(&origin, key_name(section, key), p))?;
            raw.set(section, key, v, origin)?;
            overrides.push(var.clone());
        }
    }
    Ok(())
}

/// Converts a JSON object of sections (the file's shape) into a TOML table for
/// [`LoadOptions::inline`]. `label` names it in errors (e.g. `options.config`).
pub fn table_from_json(v: &serde_json::Value, label: &str) -> Result<toml::Table, ConfigError> {
    let serde_json::Value::Object(sections) = v else {
        return Err(ConfigError::invalid(
            label,
            "(config)",
            "expected an object of sections",
        ));
    };
    let mut table = toml::Table::new();
    for (name, body) in sections {
        let serde_json::Value::Object(keys) = body else {
            return Err(ConfigError::invalid(
                label,
                format!("[{name}]"),
                "expected an object of keys",
            ));
        };
        let mut section = toml::Table::new();
        for (k, val) in keys {
            if val.is_null() {
                continue; // null = not set
            }
            let tv = toml::Value::try_from(val).map_err(|e| {
                ConfigError::invalid(
                    label,
                    key_name(name, k),
                    format!("cannot be expressed in TOML: {e}"),
                )
            })?;
            section.insert(k.clone(), tv);
        }
        table.insert(name.clone(), toml::Value::Table(section));
    }
    Ok(table)
}

/// Lexically normalizes a path (`a/b/../c` → `a/c`), without touching the file system.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    toml::from_str::<toml::Table>(&text).map_err(|e| ConfigError::Parse {
        file: path.display().to_string(),
        reason: e.to_string().trim().replace('\n', " "),
    })
}

/// The candidate files, in search order.
pub(crate) fn candidates(data_dir: Option<&Path>, cwd: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(d) = data_dir {
        v.push(d.join("config").join("miningos.toml"));
        v.push(d.join("miningos.toml"));
    }
    v.push(cwd.join("config").join("miningos.toml"));
    v.push(cwd.join("miningos.toml"));
    v
}

/// Loads the configuration: file (search order or explicit) or inline table, then env overrides,
/// then validation. Never falls back to defaults on an error.
pub fn load(opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    let data_dir = opts
        .data_dir
        .clone()
        .or_else(|| {
            opts.env
                .get("DATA_DIR")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        })
        .map(|d| if d.is_absolute() { d } else { opts.cwd.join(d) })
        .map(|d| normalize(&d));
    let mut raw = Raw::default();
    let mut searched = Vec::new();
    let mut source = None;
    if let Some((label, table)) = &opts.inline {
        raw.apply_table(table, &Origin::Inline(label.clone()))?;
    } else if let Some(p) = &opts.config_path {
        let p = if p.is_absolute() {
            p.clone()
        } else {
            opts.cwd.join(p)
        };
        searched.push(p.clone());
        let table = read_file(&p)?;
        raw.apply_table(&table, &Origin::File(p.clone()))?;
        source = Some(p);
    } else {
        for c in candidates(data_dir.as_deref(), &opts.cwd) {
            searched.push(c.clone());
            if c.exists() {
                let table = read_file(&c)?;
                raw.apply_table(&table, &Origin::File(c.clone()))?;
                source = Some(c);
                break;
            }
        }
    }
    let mut overrides = Vec::new();
    apply_env(&mut raw, &opts.env, &mut overrides)?;
    let (config, mut missing) = build(&raw, data_dir, opts)?;
    if opts.require_complete && !missing.is_empty() {
        return Err(missing.remove(0));
    }
    tracing::debug!(source = ?source, overrides = ?overrides, "config loaded");
    Ok(Loaded {
        config,
        source,
        searched,
        overrides,
        missing: missing.iter().map(|e| e.to_string()).collect(),
    })
}

fn is_loopback_host(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Validates a URL: `https`, or `http` on a loopback host only.
fn check_url(value: &str, origin: &Origin, key: &str) -> Result<String, ConfigError> {
    let u = url::Url::parse(value).map_err(|e| {
        ConfigError::invalid(origin, key, format!("not a valid URL ({value:?}): {e}"))
    })?;
    match u.scheme() {
        "https" => {}
        "http" if is_loopback_host(&u) => {}
        "http" => {
            return Err(ConfigError::invalid(
                origin,
                key,
                format!("plain http is only allowed to a loopback host (127.0.0.1, ::1, localhost); use https for {value:?}"),
            ))
        }
        other => {
            return Err(ConfigError::invalid(
                origin,
                key,
                format!("unsupported URL scheme {other:?} in {value:?}; expected https (or http on loopback)"),
            ))
        }
    }
    if u.host().is_none() {
        return Err(ConfigError::invalid(
            origin,
            key,
            format!("URL {value:?} has no host"),
        ));
    }
    Ok(value.to_string())
}

fn check_keys(raw: &Raw, s: &str, k: &str) -> Result<Vec<String>, ConfigError> {
    let Some((keys, origin)) = raw.list(s, k) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ConfigError::invalid(
                &origin,
                key_name(s, k),
                format!("item {i} ({key:?}) is not a 64-hex-digit public key"),
            ));
        }
        let lower = key.to_ascii_lowercase();
        if !out.contains(&lower) {
            out.push(lower);
        }
    }
    Ok(out)
}

fn opt_url(raw: &Raw, s: &str, k: &str) -> Result<Option<String>, ConfigError> {
    match raw.string(s, k) {
        Some((v, o)) => check_url(&v, &o, &key_name(s, k)).map(Some),
        None => Ok(None),
    }
}

fn resolve(base: &Path, p: &str) -> PathBuf {
    normalize(&base.join(p))
}

/// The RPC port for a network name, and the network for a P2P port.
fn rpc_port_for_network(net: &str) -> Option<u16> {
    match net {
        "mainnet" | "main" | "bitcoin" => Some(8332),
        "testnet" | "testnet3" | "test" => Some(18332),
        "testnet4" => Some(48332),
        "signet" => Some(38332),
        "regtest" => Some(18443),
        _ => None,
    }
}

fn network_for_p2p_port(port: &str) -> Option<&'static str> {
    match port.trim() {
        "8333" => Some("mainnet"),
        "18333" => Some("testnet"),
        "48333" => Some("testnet4"),
        "38333" => Some("signet"),
        "18444" => Some("regtest"),
        _ => None,
    }
}

fn derive_rpc_url(env: &BTreeMap<String, String>, node_dir: Option<&Path>) -> (String, String) {
    if let Some(port) = env.get("MODULE_CONFIG_NODE_P2P_LISTEN_PORT") {
        if let Some(net) = network_for_p2p_port(port) {
            if let Some(rpc) = rpc_port_for_network(net) {
                return (
                    format!("http://127.0.0.1:{rpc}"),
                    format!("default for {net} (node P2P port {} from MODULE_CONFIG_NODE_P2P_LISTEN_PORT)", port.trim()),
                );
            }
        }
    }
    if let Some(dir) = node_dir {
        if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
            if let Some(rpc) = rpc_port_for_network(name) {
                return (
                    format!("http://127.0.0.1:{rpc}"),
                    format!("default for {name} (node data dir {})", dir.display()),
                );
            }
        }
    }
    (
        "http://127.0.0.1:8332".to_string(),
        "default (network unknown: mainnet port)".to_string(),
    )
}

fn secret(
    raw: &Raw,
    env: &BTreeMap<String, String>,
    env_var: &str,
    section: &str,
    file_key: &str,
    base: &Path,
) -> Result<(Option<Secret>, Option<PathBuf>), ConfigError> {
    let file = raw
        .string(section, file_key)
        .map(|(v, o)| (resolve(base, &v), o));
    if let Some(v) = env.get(env_var).filter(|v| !v.trim().is_empty()) {
        return Ok((Some(Secret::new(v.trim())), file.map(|(p, _)| p)));
    }
    match file {
        Some((p, o)) => {
            let s = read_secret_file(&p, &o.to_string(), &key_name(section, file_key))?;
            Ok((Some(s), Some(p)))
        }
        None => Ok((None, None)),
    }
}

fn check_id(value: &str, origin: &Origin, key: &str) -> Result<String, ConfigError> {
    let ok = value
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if ok {
        Ok(value.to_string())
    } else {
        Err(ConfigError::invalid(
            origin,
            key,
            format!("{value:?} must be 1-64 characters of letters, digits, '-', '_' or '.', starting with a letter or digit"),
        ))
    }
}

fn build(
    raw: &Raw,
    data_dir: Option<PathBuf>,
    opts: &LoadOptions,
) -> Result<(Config, Vec<ConfigError>), ConfigError> {
    let env = &opts.env;
    let base = data_dir.clone().unwrap_or_else(|| opts.cwd.clone());

    // [p2p]
    let p2p_enabled = raw.bool("p2p", "enabled", true);
    let rack_id = match raw.string("p2p", "rack_id") {
        Some((v, o)) => Some(check_id(&v, &o, "[p2p] rack_id")?),
        None => None,
    };
    let rack_type = match raw.string("p2p", "rack_type") {
        Some((v, o)) => check_id(&v, &o, "[p2p] rack_type")?,
        None => "miner".to_string(),
    };
    let p2p = P2pSection {
        enabled: p2p_enabled,
        rack_id,
        rack_type,
        auto_register: raw.bool("p2p", "auto_register", true),
        orks: check_keys(raw, "p2p", "orks")?,
        allow: check_keys(raw, "p2p", "allow")?,
        allow_read_only: check_keys(raw, "p2p", "allow_read_only")?,
    };

    // [http]
    let http_enabled = raw.bool("http", "enabled", true);
    let provider = match raw.string("http", "oauth_provider") {
        None => OauthProvider::Google,
        Some((v, o)) => match v.as_str() {
            "google" => OauthProvider::Google,
            "oidc" => OauthProvider::Oidc,
            "custom" => OauthProvider::Custom,
            "app-node" => OauthProvider::AppNode,
            _ => {
                return Err(ConfigError::invalid(
                    o,
                    "[http] oauth_provider",
                    format!("{v:?} is not one of: google, oidc, custom, app-node"),
                ))
            }
        },
    };
    let app_node_url = opt_url(raw, "http", "app_node_url")?;
    let oauth_issuer = opt_url(raw, "http", "oauth_issuer")?;
    let oauth_device_authorization_url = opt_url(raw, "http", "oauth_device_authorization_url")?;
    let oauth_token_url = opt_url(raw, "http", "oauth_token_url")?;
    let oauth_client_id = raw
        .string("http", "oauth_client_id")
        .map(|(v, _)| v)
        .filter(|v| !v.is_empty());
    let (oauth_client_secret, oauth_client_secret_file) = secret(
        raw,
        env,
        "MININGOS_OAUTH_CLIENT_SECRET",
        "http",
        "oauth_client_secret_file",
        &base,
    )?;
    let (app_node_token, app_node_token_file) = secret(
        raw,
        env,
        "MININGOS_APP_NODE_TOKEN",
        "http",
        "app_node_token_file",
        &base,
    )?;
    let token_cache_file = {
        let (v, o) = raw
            .string("http", "token_cache_file")
            .unwrap_or_else(|| ("miningos-token.json".to_string(), Origin::Default));
        let p = resolve(&base, &v);
        if v.is_empty() || !p.starts_with(normalize(&base)) || p == normalize(&base) {
            return Err(ConfigError::invalid(
                o,
                "[http] token_cache_file",
                format!(
                    "{v:?} must name a file inside the data dir {}",
                    base.display()
                ),
            ));
        }
        p
    };
    let http = HttpSection {
        enabled: http_enabled,
        app_node_url,
        oauth_provider: provider,
        oauth_issuer,
        oauth_device_authorization_url,
        oauth_token_url,
        oauth_client_id,
        oauth_scopes: raw
            .list("http", "oauth_scopes")
            .map(|(v, _)| v)
            .unwrap_or_else(|| vec!["openid".into(), "email".into(), "profile".into()]),
        oauth_client_secret_file,
        oauth_client_secret,
        app_node_token_file,
        app_node_token,
        token_cache_file,
        request_timeout_seconds: raw.int("http", "request_timeout_seconds", 30),
    };

    // [node]
    let ipc = match raw.string("node", "ipc") {
        None => IpcMode::Auto,
        Some((v, o)) => match v.as_str() {
            "auto" => IpcMode::Auto,
            "on" => IpcMode::On,
            "off" => IpcMode::Off,
            _ => {
                return Err(ConfigError::invalid(
                    o,
                    "[node] ipc",
                    format!("{v:?} is not one of: auto, on, off"),
                ))
            }
        },
    };
    let ipc_safe_from = match raw.string("node", "ipc_safe_from") {
        None => "0.1.84".to_string(),
        Some((v, o)) => {
            if crate::node::policy::parse_version(&v).is_none() {
                return Err(ConfigError::invalid(
                    o,
                    "[node] ipc_safe_from",
                    format!("{v:?} is not a version like 0.1.84"),
                ));
            }
            v
        }
    };
    let node_dir = data_dir
        .as_ref()
        .map(|d| normalize(&d.join("..").join("..")));
    let (rpc_url, rpc_url_reason) = match raw.string("node", "rpc_url") {
        Some((v, o)) => (check_url(&v, &o, "[node] rpc_url")?, format!("{o}")),
        None => derive_rpc_url(env, node_dir.as_deref()),
    };
    let rpc_user = raw
        .string("node", "rpc_user")
        .filter(|(v, _)| !v.is_empty());
    let rpc_auth = if let Some((user, o)) = rpc_user {
        let (password, _) = secret(
            raw,
            env,
            "MININGOS_NODE_RPC_PASSWORD",
            "node",
            "rpc_password_file",
            &base,
        )?;
        match password {
            Some(password) => RpcAuthConfig::UserPassword { user, password },
            None => return Err(ConfigError::invalid(
                o,
                "[node] rpc_user",
                "needs a password: set env MININGOS_NODE_RPC_PASSWORD or [node] rpc_password_file",
            )),
        }
    } else if let Some((v, _)) = raw.string("node", "rpc_cookie_file") {
        RpcAuthConfig::Cookie {
            file: resolve(&base, &v),
        }
    } else if let Some(dir) = &node_dir {
        RpcAuthConfig::Cookie {
            file: dir.join(".cookie"),
        }
    } else {
        RpcAuthConfig::None
    };
    let capabilities = match raw.list("node", "capabilities") {
        None => DEFAULT_CAPABILITIES.iter().map(|s| s.to_string()).collect(),
        Some((caps, o)) => {
            let mut out: Vec<String> = Vec::new();
            for c in caps {
                let snake = camel_to_snake(&c);
                if !KNOWN_CAPABILITIES.contains(&snake.as_str()) {
                    return Err(ConfigError::invalid(
                        o,
                        "[node] capabilities",
                        format!("{c:?} is not a capability the node knows (see blvm-ipc §17)"),
                    ));
                }
                if !out.contains(&snake) {
                    out.push(snake);
                }
            }
            out
        }
    };
    let socket_path = raw
        .string("node", "socket_path")
        .map(|(v, _)| resolve(&base, &v))
        .or_else(|| {
            env.get("SOCKET_PATH")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
        });
    let module_id = env
        .get("MODULE_ID")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "blvm-miningos".to_string());
    let node = NodeSection {
        ipc,
        ipc_safe_from,
        rpc_url,
        rpc_url_reason,
        rpc_auth,
        tip_poll_interval_ms: raw.int("node", "tip_poll_interval_ms", 250),
        request_timeout_ms: raw.int("node", "request_timeout_ms", 10_000),
        handshake_timeout_ms: raw.int("node", "handshake_timeout_ms", 5_000),
        capabilities,
        socket_path,
        module_id: module_id.clone(),
        module_name: env
            .get("MODULE_NAME")
            .filter(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| {
                module_id
                    .split('_')
                    .next()
                    .unwrap_or(&module_id)
                    .to_string()
            }),
    };

    // requirements across keys come last, so that a bad value is reported as such first; they
    // are errors only when the caller asks for a complete config (see `LoadOptions`)
    let mut missing = Vec::new();
    if p2p.enabled && p2p.rack_id.is_none() {
        missing.push(ConfigError::invalid(
            raw.origin("p2p", "enabled"),
            "[p2p] rack_id",
            "required when [p2p] enabled = true; set it in the config file or MININGOS_P2P_RACK_ID",
        ));
    }
    if http.enabled {
        let at = raw.origin("http", "enabled");
        if http.app_node_url.is_none() {
            missing.push(ConfigError::invalid(
                at,
                "[http] app_node_url",
                "required when [http] enabled = true (or set enabled = false)",
            ));
        }
        let provider_at = raw.origin("http", "oauth_provider");
        match http.oauth_provider {
            OauthProvider::Oidc if http.oauth_issuer.is_none() => {
                missing.push(ConfigError::invalid(
                    &provider_at,
                    "[http] oauth_issuer",
                    "required when oauth_provider = \"oidc\"",
                ));
            }
            OauthProvider::Custom
                if http.oauth_device_authorization_url.is_none()
                    || http.oauth_token_url.is_none() =>
            {
                missing.push(ConfigError::invalid(
                    &provider_at,
                    "[http] oauth_device_authorization_url / oauth_token_url",
                    "both are required when oauth_provider = \"custom\"",
                ));
            }
            OauthProvider::AppNode if http.app_node_token.is_none() => {
                missing.push(ConfigError::invalid(
                    &provider_at,
                    "[http] app_node_token",
                    "oauth_provider = \"app-node\" needs an app-node token: set env MININGOS_APP_NODE_TOKEN or [http] app_node_token_file",
                ));
            }
            _ => {}
        }
        if http.oauth_provider != OauthProvider::AppNode && http.oauth_client_id.is_none() {
            missing.push(ConfigError::invalid(
                &provider_at,
                "[http] oauth_client_id",
                format!(
                    "required when oauth_provider = {:?}",
                    http.oauth_provider.as_str()
                ),
            ));
        }
    }
    let actions = build_actions(raw)?;
    let config = Config {
        actions,
        miningos: MiningosSection {
            enabled: raw.bool("miningos", "enabled", true),
        },
        p2p,
        http,
        stats: StatsSection {
            enabled: raw.bool("stats", "enabled", true),
            collection_interval_seconds: raw.int("stats", "collection_interval_seconds", 60),
        },
        template: TemplateSection {
            enabled: raw.bool("template", "enabled", true),
            update_interval_seconds: raw.int("template", "update_interval_seconds", 30),
        },
        node,
        data_dir,
    };
    Ok((config, missing))
}

/// `[actions]`: the scalar keys (file or env) plus the `votes` / `hooks` tables, checked by
/// [`ActionsConfig::validate`]; an error names where the offending key came from.
fn build_actions(raw: &Raw) -> Result<ActionsConfig, ConfigError> {
    let opt_int = |k: &str| match raw.get("actions", k) {
        Some((Value::Integer(i), _)) => Some(u64::try_from(*i).unwrap_or(0)),
        _ => None,
    };
    let mut cfg = ActionsConfig {
        enabled: match raw.get("actions", "enabled") {
            Some((Value::Boolean(b), _)) => Some(*b),
            _ => None,
        },
        hook_timeout_seconds: opt_int("hook_timeout_seconds"),
        max_output_bytes: opt_int("max_output_bytes").map(|n| usize::try_from(n).unwrap_or(0)),
        max_concurrent_hooks: opt_int("max_concurrent_hooks")
            .map(|n| usize::try_from(n).unwrap_or(0)),
        ..ActionsConfig::default()
    };
    if let Some((v, origin)) = raw.action_tables.get("votes") {
        cfg.votes = v.clone().try_into().map_err(|e: toml::de::Error| {
            ConfigError::invalid(origin, "[actions.votes]", e.message().to_string())
        })?;
    }
    if let Some((v, origin)) = raw.action_tables.get("hooks") {
        cfg.hooks = v.clone().try_into().map_err(|e: toml::de::Error| {
            ConfigError::invalid(origin, "[actions.hooks]", e.message().to_string())
        })?;
    }
    cfg.validate().map_err(|e| {
        // name the source of the offending key: a table from the file, a scalar from wherever it came
        let problem = match &e {
            crate::actions::ActionError::Config(m) => m.clone(),
            other => other.to_string(),
        };
        let key = problem
            .split([' ', ':'])
            .next()
            .unwrap_or("actions")
            .to_string();
        let origin = key
            .strip_prefix("actions.")
            .map(|rest| {
                let first = rest.split('.').next().unwrap_or(rest);
                match raw.action_tables.get(first) {
                    Some((_, o)) => o.clone(),
                    None => raw.origin("actions", first),
                }
            })
            .unwrap_or(Origin::Default);
        ConfigError::invalid(origin, "[actions]", problem)
    })?;
    Ok(cfg)
}

fn camel_to_snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (i, ch) in s.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}
