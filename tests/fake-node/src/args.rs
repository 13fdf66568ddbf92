//! Command line of `blvm-fake-node`.

use std::path::PathBuf;
use std::time::Duration;

use crate::state::{Config, IpcMode, ModuleLimits};

/// Usage text.
pub const USAGE: &str = "usage: blvm-fake-node --data-dir D [--ipc-mode single|concurrent] [--subversion S] \
[--rpc-port N (0 = any)] [--network regtest] [--module-dir M] [--auto-mine SECONDS] \
[--limit-as BYTES] [--limit-nofile N] [--limit-nproc N] (0 = no limit; defaults 536870912/256/10) \
[--watchdog-delay-ms 100] [--watchdog-ping-ms 5000] [--stall-hang-ms 3000] [--grant-capabilities a,b,...]";

/// Bad command line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArgsError {
    /// Unknown flag.
    #[error("unknown argument `{0}`")]
    Unknown(String),
    /// Flag without value.
    #[error("`{0}` needs a value")]
    MissingValue(String),
    /// Value of the wrong shape.
    #[error("invalid value `{value}` for `{flag}`: {why}")]
    Invalid {
        /// Flag.
        flag: String,
        /// Value.
        value: String,
        /// Why.
        why: &'static str,
    },
    /// `--data-dir` is required.
    #[error("--data-dir is required")]
    NoDataDir,
}

fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, ArgsError> {
    v.parse().map_err(|_| ArgsError::Invalid {
        flag: flag.into(),
        value: v.into(),
        why: "not a number",
    })
}

fn limit(flag: &str, v: &str) -> Result<Option<u64>, ArgsError> {
    let n: u64 = num(flag, v)?;
    Ok((n > 0).then_some(n))
}

/// Parses argv (without the program name).
pub fn parse(argv: &[String]) -> Result<Config, ArgsError> {
    let mut cfg = Config {
        data_dir: PathBuf::new(),
        ipc_mode: IpcMode::Single,
        subversion: "/BitcoinCommons:0.1.83/".into(),
        network: "regtest".into(),
        rpc_port: 0,
        module_dir: None,
        auto_mine: None,
        limits: ModuleLimits {
            address_space: Some(512 << 20),
            open_files: Some(256),
            processes: Some(10),
        },
        watchdog_delay: Duration::from_millis(100),
        watchdog_ping: Duration::from_secs(5),
        stall_hang: Duration::from_millis(3000),
        grant: None,
    };
    let mut have_dir = false;
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (flag.clone(), None),
        };
        let mut val = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| ArgsError::MissingValue(flag.clone()))
        };
        match flag.as_str() {
            "--data-dir" => {
                cfg.data_dir = PathBuf::from(val()?);
                have_dir = true;
            }
            "--ipc-mode" => {
                let v = val()?;
                cfg.ipc_mode = match v.as_str() {
                    "single" => IpcMode::Single,
                    "concurrent" => IpcMode::Concurrent,
                    _ => {
                        return Err(ArgsError::Invalid {
                            flag,
                            value: v,
                            why: "single or concurrent",
                        })
                    }
                }
            }
            "--subversion" => cfg.subversion = val()?,
            "--rpc-port" => cfg.rpc_port = num(&flag, &val()?)?,
            "--network" => {
                let v = val()?;
                if v != "regtest" {
                    return Err(ArgsError::Invalid {
                        flag,
                        value: v,
                        why: "only regtest is simulated",
                    });
                }
                cfg.network = v;
            }
            "--module-dir" => cfg.module_dir = Some(PathBuf::from(val()?)),
            "--auto-mine" => {
                let v = val()?;
                let s: f64 = num(&flag, &v)?;
                if !(s.is_finite() && s >= 0.05) {
                    return Err(ArgsError::Invalid {
                        flag,
                        value: v,
                        why: "seconds >= 0.05",
                    });
                }
                cfg.auto_mine = Some(s);
            }
            "--limit-as" => cfg.limits.address_space = limit(&flag, &val()?)?,
            "--limit-nofile" => cfg.limits.open_files = limit(&flag, &val()?)?,
            "--limit-nproc" => cfg.limits.processes = limit(&flag, &val()?)?,
            "--watchdog-delay-ms" => {
                cfg.watchdog_delay = Duration::from_millis(num(&flag, &val()?)?)
            }
            "--watchdog-ping-ms" => {
                cfg.watchdog_ping = Duration::from_millis(num::<u64>(&flag, &val()?)?.max(10))
            }
            "--stall-hang-ms" => cfg.stall_hang = Duration::from_millis(num(&flag, &val()?)?),
            "--grant-capabilities" => {
                cfg.grant = Some(
                    val()?
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                )
            }
            _ => return Err(ArgsError::Unknown(flag)),
        }
    }
    if !have_dir {
        return Err(ArgsError::NoDataDir);
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let c = parse(&a(&["--data-dir", "/d"])).unwrap();
        assert_eq!(c.ipc_mode, IpcMode::Single);
        assert_eq!(c.node_version(), "0.1.83");
        assert_eq!(c.limits.address_space, Some(512 << 20));
        let c = parse(&a(&[
            "--data-dir=/d",
            "--ipc-mode",
            "concurrent",
            "--subversion",
            "/BitcoinCommons:0.2.0/",
            "--limit-as",
            "0",
            "--auto-mine",
            "0.5",
        ]))
        .unwrap();
        assert_eq!(c.ipc_mode, IpcMode::Concurrent);
        assert_eq!(c.node_version(), "0.2.0");
        assert_eq!(c.limits.address_space, None);
        assert_eq!(c.auto_mine, Some(0.5));
    }

    #[test]
    fn errors() {
        assert_eq!(parse(&a(&[])).err(), Some(ArgsError::NoDataDir));
        assert!(matches!(
            parse(&a(&["--data-dir", "/d", "--ipc-mode", "x"])),
            Err(ArgsError::Invalid { .. })
        ));
        assert!(matches!(
            parse(&a(&["--bogus"])),
            Err(ArgsError::Unknown(_))
        ));
        assert!(matches!(
            parse(&a(&["--data-dir"])),
            Err(ArgsError::MissingValue(_))
        ));
        assert!(matches!(
            parse(&a(&["--data-dir", "/d", "--network", "main"])),
            Err(ArgsError::Invalid { .. })
        ));
    }
}
