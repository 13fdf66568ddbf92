//! Secrets (client secret, app-node token): loaded from env or a 0600 file, never printed.

use std::fmt;
use std::path::Path;

use super::AuthError;

/// A secret string. `Debug` and `Display` print `***`; read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: only for putting it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Loads a secret from the env var `env` (when set and non-empty), else from `file` (which
    /// must be 0600-or-stricter and owned by this user), else `None`. Surrounding whitespace is
    /// trimmed; an empty file is an error.
    pub fn load(env: &str, file: Option<&Path>) -> Result<Option<Secret>, AuthError> {
        if let Ok(v) = std::env::var(env) {
            let v = v.trim();
            if !v.is_empty() {
                return Ok(Some(Secret::new(v)));
            }
        }
        let Some(path) = file else { return Ok(None) };
        let text = super::cache::read_private(path).map_err(|e| match e {
            AuthError::Permissions { path, mode } => AuthError::SecretPermissions { path, mode },
            other => other,
        })?;
        let v = text.trim();
        if v.is_empty() {
            return Err(AuthError::Config {
                key: "secret_file",
                reason: format!("{} is empty", path.display()),
            });
        }
        Ok(Some(Secret::new(v)))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn file_must_be_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("secret");
        std::fs::write(&p, "  s3cr3t\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Secret::load("BLVM_TEST_UNSET_ENV_X", Some(&p)).unwrap_err();
        assert_eq!(crate::Coded::code(&err), "ERR_SECRET_FILE_PERMS");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let s = Secret::load("BLVM_TEST_UNSET_ENV_X", Some(&p))
            .unwrap()
            .unwrap();
        assert_eq!(s.expose(), "s3cr3t");
        assert!(Secret::load("BLVM_TEST_UNSET_ENV_X", None)
            .unwrap()
            .is_none());
    }
}
