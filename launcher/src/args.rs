//! The launcher's inputs: the env the node sets, or the flags of a manual run.

use std::path::PathBuf;

/// Usage line printed on bad argv (manual runs only; the node passes no argv).
pub const USAGE: &str = "usage: blvm-miningos [--module-id ID] [--socket-path PATH] [--data-dir DIR] [-- WORKER_ARGS...]\n\
       blvm-miningos --print-node-plan   (the node flags and env it would use, as JSON)\n\
  (under a BLVM node: no arguments; MODULE_ID, MODULE_NAME, SOCKET_PATH, DATA_DIR come from the env)";

/// Bad command line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArgsError {
    /// A flag this launcher does not know.
    #[error("unknown argument `{0}`")]
    Unknown(String),
    /// A flag that needs a value was last, or its value is empty.
    #[error("`{0}` needs a non-empty value")]
    MissingValue(String),
}

/// What the launcher was asked to start.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LaunchArgs {
    /// `MODULE_ID` (`<name>_<32 hex>` under the node).
    pub module_id: Option<String>,
    /// `MODULE_NAME`, or the part of the module id before its first `_`.
    pub module_name: Option<String>,
    /// `SOCKET_PATH`: the node's module socket (passed on, never opened here).
    pub socket_path: Option<PathBuf>,
    /// `DATA_DIR`: the module's data directory; logs go to `DATA_DIR/logs/`.
    pub data_dir: Option<PathBuf>,
    /// Arguments after `--`, passed to `worker.js` unchanged.
    pub worker_args: Vec<String>,
    /// Which values came from flags (they must reach the worker as env too).
    from_flags: Vec<(&'static str, String)>,
}

fn env_get(env: &[(String, String)], key: &str) -> Option<String> {
    env.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

impl LaunchArgs {
    /// Reads the env first, then lets flags override it.
    pub fn parse(argv: &[String], env: &[(String, String)]) -> Result<Self, ArgsError> {
        let mut out = LaunchArgs {
            module_id: env_get(env, "MODULE_ID"),
            module_name: env_get(env, "MODULE_NAME"),
            socket_path: env_get(env, "SOCKET_PATH").map(PathBuf::from),
            data_dir: env_get(env, "DATA_DIR").map(PathBuf::from),
            ..Default::default()
        };
        let mut i = 0;
        while i < argv.len() {
            let a = &argv[i];
            if a == "--" {
                out.worker_args = argv[i + 1..].to_vec();
                break;
            }
            let (flag, inline) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (a.as_str(), None),
            };
            let key = match flag {
                "--module-id" => "MODULE_ID",
                "--socket-path" => "SOCKET_PATH",
                "--data-dir" => "DATA_DIR",
                "--module-name" => "MODULE_NAME",
                _ => return Err(ArgsError::Unknown(a.clone())),
            };
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    argv.get(i).cloned().unwrap_or_default()
                }
            };
            if value.is_empty() {
                return Err(ArgsError::MissingValue(flag.to_string()));
            }
            match key {
                "MODULE_ID" => out.module_id = Some(value.clone()),
                "SOCKET_PATH" => out.socket_path = Some(PathBuf::from(&value)),
                "DATA_DIR" => out.data_dir = Some(PathBuf::from(&value)),
                _ => out.module_name = Some(value.clone()),
            }
            out.from_flags.push((key, value));
            i += 1;
        }
        if out.module_name.is_none() {
            if let Some(id) = &out.module_id {
                let name = id.split('_').next().unwrap_or(id).to_string();
                out.from_flags.push(("MODULE_NAME", name.clone()));
                out.module_name = Some(name);
            }
        }
        Ok(out)
    }

    /// Env entries the worker must see in addition to the inherited env (values given as flags,
    /// and a module name derived from the module id).
    pub fn env_overrides(&self) -> impl Iterator<Item = (&str, &str)> {
        self.from_flags.iter().map(|(k, v)| (*k, v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn env_only_like_the_node() {
        let l = LaunchArgs::parse(
            &[],
            &env(&[
                ("MODULE_ID", "blvm-miningos_00ff"),
                ("MODULE_NAME", "blvm-miningos"),
                ("SOCKET_PATH", "/s/node.sock"),
                ("DATA_DIR", "/d"),
            ]),
        )
        .unwrap();
        assert_eq!(l.module_id.as_deref(), Some("blvm-miningos_00ff"));
        assert_eq!(l.module_name.as_deref(), Some("blvm-miningos"));
        assert_eq!(l.socket_path, Some(PathBuf::from("/s/node.sock")));
        assert_eq!(l.data_dir, Some(PathBuf::from("/d")));
        assert_eq!(l.env_overrides().count(), 0);
    }

    #[test]
    fn flags_override_env_and_are_exported() {
        let l = LaunchArgs::parse(
            &argv(&[
                "--module-id",
                "m_1",
                "--data-dir=/x",
                "--socket-path",
                "/y",
                "--",
                "--rack",
                "r1",
            ]),
            &env(&[("DATA_DIR", "/d"), ("MODULE_ID", "other_2")]),
        )
        .unwrap();
        assert_eq!(l.data_dir, Some(PathBuf::from("/x")));
        assert_eq!(l.module_id.as_deref(), Some("m_1"));
        assert_eq!(l.module_name.as_deref(), Some("m"));
        assert_eq!(l.worker_args, argv(&["--rack", "r1"]));
        let ov: Vec<_> = l.env_overrides().collect();
        assert!(ov.contains(&("DATA_DIR", "/x")));
        assert!(ov.contains(&("MODULE_ID", "m_1")));
        assert!(ov.contains(&("SOCKET_PATH", "/y")));
        assert!(ov.contains(&("MODULE_NAME", "m")));
    }

    #[test]
    fn empty_env_is_unset() {
        let l = LaunchArgs::parse(&[], &env(&[("DATA_DIR", "")])).unwrap();
        assert_eq!(l.data_dir, None);
    }

    #[test]
    fn bad_argv() {
        assert_eq!(
            LaunchArgs::parse(&argv(&["--nope"]), &[]),
            Err(ArgsError::Unknown("--nope".into()))
        );
        assert_eq!(
            LaunchArgs::parse(&argv(&["--data-dir"]), &[]),
            Err(ArgsError::MissingValue("--data-dir".into()))
        );
        assert_eq!(
            LaunchArgs::parse(&argv(&["--data-dir="]), &[]),
            Err(ArgsError::MissingValue("--data-dir".into()))
        );
    }
}
