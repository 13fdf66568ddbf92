//! Configuration errors: every one names where (file or env var), which key, and what is wrong.

use crate::error::Coded;

/// A configuration error. Code: `ERR_CONFIG`.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file exists but could not be read.
    #[error("config file {file}: cannot read: {reason}")]
    Read {
        /// The file.
        file: String,
        /// The I/O error text.
        reason: String,
    },
    /// The config file is not valid TOML.
    #[error("config file {file}: not valid TOML: {reason}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message (with line and column).
        reason: String,
    },
    /// A key (from a file, the environment or inline options) is invalid.
    #[error("config {origin}: {key}: {problem}")]
    Invalid {
        /// Where the value came from: `file /path/miningos.toml`, `env MININGOS_P2P_RACK_ID`, ...
        origin: String,
        /// The key, as `[section] key`.
        key: String,
        /// What is wrong and, where useful, how to fix it.
        problem: String,
    },
}

impl ConfigError {
    pub(crate) fn invalid(
        origin: impl std::fmt::Display,
        key: impl std::fmt::Display,
        problem: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            origin: origin.to_string(),
            key: key.to_string(),
            problem: problem.into(),
        }
    }
}

impl Coded for ConfigError {
    fn code(&self) -> &'static str {
        "ERR_CONFIG"
    }
}
