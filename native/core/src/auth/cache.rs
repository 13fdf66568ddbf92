//! The token cache: a JSON file inside the data dir (never outside it), written atomically with
//! mode 0600; a cache that others can read, or that another user owns, is refused.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AuthError, Token};

/// What the cache file holds: the token and the identity of what issued it, so a token from
/// another provider or client is never used.
#[derive(Clone, Serialize, Deserialize)]
pub struct CacheEntry {
    /// File format version (1).
    pub version: u32,
    /// `provider|token endpoint or app-node url|client id`.
    pub issuer_key: String,
    /// The token.
    pub token: Token,
}

impl std::fmt::Debug for CacheEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheEntry")
            .field("version", &self.version)
            .field("issuer_key", &self.issuer_key)
            .field("token", &self.token)
            .finish()
    }
}

/// A token cache file confined to a data dir.
#[derive(Debug, Clone)]
pub struct TokenCache {
    path: PathBuf,
}

fn io_err(path: &Path, source: std::io::Error) -> AuthError {
    AuthError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Reads a file that must be private: not a symlink, owned by this user, no group/other bits.
pub(crate) fn read_private(path: &Path) -> Result<String, AuthError> {
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| io_err(path, e))?;
    let meta = file.metadata().map_err(|e| io_err(path, e))?;
    check_private(path, &meta)?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut &file, &mut text).map_err(|e| io_err(path, e))?;
    Ok(text)
}

fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), AuthError> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let mode = meta.mode() & 0o7777;
    if mode & 0o077 != 0 || meta.uid() != me {
        return Err(AuthError::Permissions {
            path: path.display().to_string(),
            mode,
        });
    }
    Ok(())
}

impl TokenCache {
    /// A cache at `file` inside `data_dir`. `file` is relative to the data dir (an absolute path
    /// is accepted only when it lies inside the data dir, as a config loader may resolve it),
    /// without `..`, and must not lead (through symlinks) outside the data dir. The data dir is
    /// created if missing.
    pub fn new(data_dir: &Path, file: &str) -> Result<Self, AuthError> {
        let refuse = |reason: &str| AuthError::CachePath {
            path: file.to_string(),
            reason: reason.to_string(),
        };
        if file.trim().is_empty() {
            return Err(refuse("empty file name"));
        }
        fs::create_dir_all(data_dir).map_err(|e| io_err(data_dir, e))?;
        let root = fs::canonicalize(data_dir).map_err(|e| io_err(data_dir, e))?;
        let mut rel = Path::new(file);
        if rel.is_absolute() {
            rel = rel
                .strip_prefix(data_dir)
                .or_else(|_| rel.strip_prefix(&root))
                .map_err(|_| {
                    refuse("is outside the data dir (it must be relative to the data dir)")
                })?;
        }
        for c in rel.components() {
            match c {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return Err(refuse(
                        "`..` is not allowed: the cache must stay inside the data dir",
                    ))
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(refuse("must be relative to the data dir, not absolute"))
                }
            }
        }
        if rel.file_name().is_none() {
            return Err(refuse("names no file"));
        }
        let path = root.join(rel);
        let parent = path.parent().unwrap_or(&root);
        fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        let real_parent = fs::canonicalize(parent).map_err(|e| io_err(parent, e))?;
        if !real_parent.starts_with(&root) {
            return Err(refuse("leads outside the data dir through a symlink"));
        }
        let path = real_parent.join(path.file_name().unwrap_or_default());
        if let Ok(m) = fs::symlink_metadata(&path) {
            if m.file_type().is_symlink() {
                return Err(refuse("is a symlink"));
            }
        }
        Ok(Self { path })
    }

    /// The absolute path of the cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the cache. `Ok(None)` when there is no file; a corrupt file is reported as
    /// `ERR_TOKEN_CACHE_IO` (the caller may ignore it: it gets overwritten); a file with loose
    /// permissions or another owner is refused (`ERR_TOKEN_CACHE_PERMS`).
    pub fn load(&self) -> Result<Option<CacheEntry>, AuthError> {
        let text = match read_private(&self.path) {
            Ok(t) => t,
            Err(AuthError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        serde_json::from_str::<CacheEntry>(&text)
            .map(Some)
            .map_err(|e| {
                io_err(
                    &self.path,
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        // Line/column only: serde's message never quotes the token values.
                        format!(
                            "not a valid token cache (line {}, column {})",
                            e.line(),
                            e.column()
                        ),
                    ),
                )
            })
    }

    /// Writes the cache atomically: a 0600 temp file in the same dir, fsync, rename, fsync dir.
    pub fn store(&self, entry: &CacheEntry) -> Result<(), AuthError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(
            ".{name}.tmp-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let body = serde_json::to_vec_pretty(entry).map_err(|e| {
            io_err(
                &self.path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            )
        })?;
        let write = || -> std::io::Result<()> {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&tmp)?;
            f.write_all(&body)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io_err(&self.path, e)
        })
    }

    /// Deletes the cache file. Returns whether there was one.
    pub fn remove(&self) -> Result<bool, AuthError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err(&self.path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenKind;
    use crate::Coded;
    use std::os::unix::fs::PermissionsExt;

    fn entry() -> CacheEntry {
        CacheEntry {
            version: 1,
            issuer_key: "oidc|http://127.0.0.1/token|c".into(),
            token: Token {
                access_token: "at-1".into(),
                refresh_token: Some("rt-1".into()),
                issued_at_ms: 1,
                expires_at_ms: Some(2),
                token_type: "Bearer".into(),
                scope: None,
                kind: TokenKind::Device,
            },
        }
    }

    #[test]
    fn path_confinement() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["", "/etc/passwd", "../x.json", "a/../../x.json", "."] {
            let e = TokenCache::new(dir.path(), bad).unwrap_err();
            assert_eq!(e.code(), "ERR_TOKEN_CACHE_PATH", "{bad}");
        }
        let c = TokenCache::new(dir.path(), "sub/tok.json").unwrap();
        assert!(c.path().starts_with(fs::canonicalize(dir.path()).unwrap()));
        // An absolute path inside the data dir (as a config loader resolves it) is accepted.
        let inside = dir.path().join("sub/tok.json");
        let c2 = TokenCache::new(dir.path(), inside.to_str().unwrap()).unwrap();
        assert_eq!(c2.path(), c.path());
        let e = TokenCache::new(dir.path(), "/tmp/elsewhere/tok.json").unwrap_err();
        assert!(e.to_string().contains("outside the data dir"), "{e}");
        let e = TokenCache::new(dir.path(), inside.join("../../../x.json").to_str().unwrap())
            .unwrap_err();
        assert_eq!(e.code(), "ERR_TOKEN_CACHE_PATH");
        // A symlinked subdir pointing outside is refused.
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        let e = TokenCache::new(dir.path(), "link/tok.json").unwrap_err();
        assert_eq!(e.code(), "ERR_TOKEN_CACHE_PATH");
        // The file itself being a symlink is refused.
        std::os::unix::fs::symlink(outside.path().join("t"), dir.path().join("f.json")).unwrap();
        let e = TokenCache::new(dir.path(), "f.json").unwrap_err();
        assert_eq!(e.code(), "ERR_TOKEN_CACHE_PATH");
    }

    #[test]
    fn atomic_write_is_0600_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path(), "miningos-token.json").unwrap();
        assert!(c.load().unwrap().is_none());
        c.store(&entry()).unwrap();
        let mode = fs::metadata(c.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = c.load().unwrap().unwrap();
        assert_eq!(back.token, entry().token);
        // No temp files left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(c.remove().unwrap());
        assert!(!c.remove().unwrap());
    }

    #[test]
    fn loose_permissions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path(), "t.json").unwrap();
        c.store(&entry()).unwrap();
        fs::set_permissions(c.path(), fs::Permissions::from_mode(0o644)).unwrap();
        let e = c.load().unwrap_err();
        assert_eq!(e.code(), "ERR_TOKEN_CACHE_PERMS");
        assert!(e.to_string().contains("644"), "{e}");
        // Rewriting replaces the file with a private one.
        c.store(&entry()).unwrap();
        assert!(c.load().unwrap().is_some());
    }

    #[test]
    fn corrupt_cache_is_a_coded_error_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path(), "t.json").unwrap();
        fs::write(c.path(), "{\"access_token\": \"leaky-token\"").unwrap();
        fs::set_permissions(c.path(), fs::Permissions::from_mode(0o600)).unwrap();
        let e = c.load().unwrap_err();
        assert_eq!(e.code(), "ERR_TOKEN_CACHE_IO");
        assert!(!e.to_string().contains("leaky-token"));
    }
}
