//! Secrets: never printed, never serialized, read only from env or from a private file.

use super::ConfigError;
use std::path::Path;

/// A secret string. `Debug` and `Display` never show it; use [`Secret::expose`] where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The secret value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Reads a secret from `path`: the file must exist, must not be readable or writable by group or
/// others (mode `& 0o077 == 0`), and must hold a non-empty value (surrounding whitespace trimmed).
/// `origin` and `key` name where the path was configured, for the error.
pub fn read_secret_file(path: &Path, origin: &str, key: &str) -> Result<Secret, ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        ConfigError::invalid(origin, key, format!("cannot read secret file {shown}: {e}"))
    })?;
    if !meta.is_file() {
        return Err(ConfigError::invalid(
            origin,
            key,
            format!("secret file {shown} is not a regular file"),
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(ConfigError::invalid(
            origin,
            key,
            format!(
                "secret file {shown} is accessible by group/others (mode {mode:04o}); run `chmod 600 {shown}`"
            ),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::invalid(origin, key, format!("cannot read secret file {shown}: {e}"))
    })?;
    let value = text.trim();
    if value.is_empty() {
        return Err(ConfigError::invalid(
            origin,
            key,
            format!("secret file {shown} is empty"),
        ));
    }
    Ok(Secret::new(value))
}
