//! The IPC safety policy: whether the module may connect to the node's module IPC socket.
//!
//! Node 0.1.83 and earlier serve a single module connection, and a module that wins the node's
//! accept race stalls the node (blvm-ipc.md, "What the real node does"). So the version is read
//! over JSON-RPC first (`getnetworkinfo.subversion`, e.g. `/BitcoinCommons:0.1.83/`), and:
//! - `auto` connects only when the version is `>= ipc_safe_from`;
//! - `on` also connects when the version cannot be read, but never to a version known unsafe;
//! - `off` never connects.

use crate::config::IpcMode;
use serde::Serialize;

/// A `major.minor.patch` version.
pub type Version = (u64, u64, u64);

/// The highest node version known to serve a single module connection.
pub const LAST_UNSAFE: Version = (0, 1, 83);

/// Parses `0.1.84`, `v0.1.84`, `0.1` or `0.1.84-rc1` (pre-release/build suffix ignored).
pub fn parse_version(s: &str) -> Option<Version> {
    let s = s.trim().trim_start_matches('v');
    let core = s.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = match parts.next() {
        Some(p) => p.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// Extracts the BLVM node version from a `subversion` such as `/BitcoinCommons:0.1.83/`.
/// Returns `None` for another implementation or an unknown format.
pub fn node_version_from_subversion(sub: &str) -> Option<(String, Version)> {
    sub.split('/')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once(':'))
        .find(|(name, _)| {
            let n = name.to_ascii_lowercase();
            n.contains("bitcoincommons") || n.contains("blvm")
        })
        .and_then(|(_, v)| {
            let v = v.split('(').next().unwrap_or(v).trim();
            parse_version(v).map(|pv| (v.to_string(), pv))
        })
}

/// The policy decision, shown in the worker's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDecision {
    /// True when the IPC may be connected.
    pub connect_ipc: bool,
    /// The configured mode.
    pub mode: String,
    /// Why, in words.
    pub reason: String,
}

/// Decides whether to connect the IPC. `version` is the node version read over JSON-RPC (`None`:
/// it could not be read); `subversion` is shown in the reason when known.
pub fn decide(
    mode: IpcMode,
    safe_from: Version,
    version: Option<Version>,
    subversion: Option<&str>,
) -> PolicyDecision {
    let fmt = |v: Version| format!("{}.{}.{}", v.0, v.1, v.2);
    let (connect_ipc, reason) = match (mode, version) {
        (IpcMode::Off, _) => (false, "[node] ipc = \"off\": IPC never used".to_string()),
        (_, Some(v)) if v <= LAST_UNSAFE => (
            false,
            format!("node {} serves a single module connection: IPC left alone", fmt(v)),
        ),
        (IpcMode::Auto, Some(v)) if v >= safe_from => (
            true,
            format!("node {} >= ipc_safe_from {}: IPC used", fmt(v), fmt(safe_from)),
        ),
        (IpcMode::Auto, Some(v)) => (
            false,
            format!(
                "node {} < ipc_safe_from {}: not known to serve the IPC safely, IPC left alone",
                fmt(v),
                fmt(safe_from)
            ),
        ),
        (IpcMode::Auto, None) => (
            false,
            match subversion {
                Some(s) => format!("node version unknown (subversion {s:?}): IPC left alone (set [node] ipc = \"on\" to force)"),
                None => "node version could not be read over JSON-RPC: IPC left alone (set [node] ipc = \"on\" to force)".to_string(),
            },
        ),
        (IpcMode::On, Some(v)) => (true, format!("[node] ipc = \"on\" and node {} is not known unsafe: IPC used", fmt(v))),
        (IpcMode::On, None) => (
            true,
            "[node] ipc = \"on\": node version unknown, IPC tried with a handshake timeout".to_string(),
        ),
    };
    PolicyDecision {
        connect_ipc,
        mode: mode.as_str().to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAFE: Version = (0, 1, 84);

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("0.1.84"), Some((0, 1, 84)));
        assert_eq!(parse_version("v1.2"), Some((1, 2, 0)));
        assert_eq!(parse_version("0.1.84-rc1"), Some((0, 1, 84)));
        assert_eq!(parse_version("0.1.x"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
        assert_eq!(parse_version(""), None);
    }

    #[test]
    fn subversion_parse() {
        assert_eq!(
            node_version_from_subversion("/BitcoinCommons:0.1.83/"),
            Some(("0.1.83".to_string(), (0, 1, 83)))
        );
        assert_eq!(node_version_from_subversion("/Satoshi:27.0.0/"), None);
        assert_eq!(node_version_from_subversion("garbage"), None);
    }

    #[test]
    fn policy_table() {
        let d = |m, v| decide(m, SAFE, v, None);
        // known unsafe: never, whatever the mode
        for m in [IpcMode::Auto, IpcMode::On, IpcMode::Off] {
            assert!(!d(m, Some((0, 1, 83))).connect_ipc);
            assert!(!d(m, Some((0, 1, 54))).connect_ipc);
        }
        assert!(d(IpcMode::Auto, Some((0, 1, 83)))
            .reason
            .contains("node 0.1.83 serves a single module connection"));
        assert!(d(IpcMode::Auto, Some((0, 1, 84))).connect_ipc);
        assert!(d(IpcMode::Auto, Some((0, 2, 0))).connect_ipc);
        assert!(!d(IpcMode::Auto, None).connect_ipc);
        assert!(d(IpcMode::On, None).connect_ipc);
        assert!(!d(IpcMode::Off, Some((9, 9, 9))).connect_ipc);
        // safe_from raised: auto refuses 0.1.90, on accepts it
        assert!(!decide(IpcMode::Auto, (0, 2, 0), Some((0, 1, 90)), None).connect_ipc);
        assert!(decide(IpcMode::On, (0, 2, 0), Some((0, 1, 90)), None).connect_ipc);
    }
}
