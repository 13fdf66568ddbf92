//! Resource limits: raise soft limits to the hard ones, then plan `node` flags and thread counts
//! that fit what is left, and say which `[module_resource_limits]` key of the node config to raise.
//!
//! The BLVM node (0.1.83) spawns modules under RLIMIT_AS 512 MiB, RLIMIT_NOFILE 256 and
//! RLIMIT_NPROC 10 (`default_max_memory_bytes`, `default_max_file_descriptors`,
//! `default_max_child_processes`). Plain `node` aborts under 512 MiB of address space
//! ("Failed to reserve virtual memory for CodeRange"); `node --jitless` starts.

/// Address space below which `node` is started in its small configuration.
pub const AS_COMFORTABLE: u64 = 4 << 30;
/// Address space to recommend to the operator.
pub const AS_RECOMMENDED: u64 = 4 << 30;
/// Open files below which the launcher warns.
pub const NOFILE_MIN: u64 = 256;
/// Threads a worker needs in its small configuration (main, V8 platform, libuv pool, tokio,
/// signal and I/O helpers, addon); the rack worker measured 13 under the node's limits.
pub const THREADS_NEEDED_SMALL: u64 = 16;
/// Node flags of the worker's memory profile, applied whatever the limits (see `plan`): a 1 MiB
/// young-generation semi-space instead of V8's 16 MiB (the rack's objects are long-lived; the
/// default keeps ~25 MiB of mostly empty young generation resident with 10 000 miners), and
/// `--optimize-for-size` (V8 grows the old generation in smaller steps: a burst such as storing
/// 10 000 snapshots leaves ~10-25 MiB less committed heap behind).
pub const MEMORY_NODE_FLAGS: &[&str] = &["--max-semi-space-size=1", "--optimize-for-size"];
/// glibc malloc arenas for the worker (each thread otherwise gets its own, which keeps freed
/// memory of the addon, RocksDB and libuv threads resident).
pub const MALLOC_ARENAS: &str = "2";
/// Env var that turns the memory profile off (`BLVM_MININGOS_NODE_MEMORY=default`: node's own
/// defaults, for comparison or when the operator tunes node through `NODE_OPTIONS`).
pub const MEMORY_PROFILE_ENV: &str = "BLVM_MININGOS_NODE_MEMORY";
/// Env var the addon reads for the size of its tokio worker pool.
pub const TOKIO_THREADS_ENV: &str = "BLVM_MININGOS_TOKIO_THREADS";

/// One resource limit; `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Soft limit (what applies).
    pub soft: Option<u64>,
    /// Hard limit (how far the soft limit may be raised).
    pub hard: Option<u64>,
}

/// The limits that matter, after raising, with what was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// RLIMIT_AS.
    pub address_space: Limit,
    /// RLIMIT_NOFILE.
    pub open_files: Limit,
    /// RLIMIT_NPROC.
    pub processes: Limit,
    /// Threads already running under this real uid (`/proc`), when readable.
    pub user_threads: Option<u64>,
    /// Log lines describing what was raised or could not be.
    pub notes: Vec<String>,
}

/// What to start `node` with.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Flags placed before `worker.js`.
    pub node_flags: Vec<String>,
    /// Env entries to set for the worker.
    pub env: Vec<(String, String)>,
    /// Informational log lines.
    pub info: Vec<String>,
    /// Warnings naming the `[module_resource_limits]` key to raise.
    pub warnings: Vec<String>,
}

impl Plan {
    /// `{"node_flags": [...], "env": {...}}` (what `--print-node-plan` prints, for benchmarks that
    /// must start node exactly as the launcher does).
    pub fn to_json(&self) -> String {
        let flags: Vec<String> = self.node_flags.iter().map(|f| json_str(f)).collect();
        let env: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{}:{}", json_str(k), json_str(v)))
            .collect();
        format!(
            "{{\"node_flags\":[{}],\"env\":{{{}}}}}",
            flags.join(","),
            env.join(",")
        )
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn from_rlim(v: libc::rlim_t) -> Option<u64> {
    if v == libc::RLIM_INFINITY {
        None
    } else {
        Some(v)
    }
}

fn fmt_limit(v: Option<u64>) -> String {
    v.map_or_else(|| "unlimited".to_string(), |n| n.to_string())
}

fn raise(resource: libc::__rlimit_resource_t, name: &str, notes: &mut Vec<String>) -> Limit {
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into a valid rlimit struct.
    if unsafe { libc::getrlimit(resource, &mut rl) } != 0 {
        notes.push(format!(
            "getrlimit({name}) failed: {}",
            std::io::Error::last_os_error()
        ));
        return Limit {
            soft: None,
            hard: None,
        };
    }
    let before = Limit {
        soft: from_rlim(rl.rlim_cur),
        hard: from_rlim(rl.rlim_max),
    };
    if rl.rlim_cur == rl.rlim_max {
        notes.push(format!("{name}: {} (soft = hard)", fmt_limit(before.soft)));
        return before;
    }
    let wanted = libc::rlimit {
        rlim_cur: rl.rlim_max,
        rlim_max: rl.rlim_max,
    };
    // SAFETY: setrlimit reads a valid rlimit struct; raising soft to hard is always permitted.
    if unsafe { libc::setrlimit(resource, &wanted) } == 0 {
        notes.push(format!(
            "{name}: soft limit raised from {} to the hard limit {}",
            fmt_limit(before.soft),
            fmt_limit(before.hard)
        ));
        Limit {
            soft: before.hard,
            hard: before.hard,
        }
    } else {
        notes.push(format!(
            "{name}: cannot raise soft limit {} to hard limit {}: {}",
            fmt_limit(before.soft),
            fmt_limit(before.hard),
            std::io::Error::last_os_error()
        ));
        before
    }
}

/// Counts the threads of every process whose real uid is ours (what RLIMIT_NPROC counts).
pub fn count_user_threads() -> Option<u64> {
    // SAFETY: getuid has no failure mode.
    let uid = unsafe { libc::getuid() };
    let mut total = 0u64;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // Processes vanish while we scan: skip what cannot be read.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let mut real_uid = None;
        let mut threads = None;
        for line in status.lines() {
            if let Some(rest) = line.strip_prefix("Uid:") {
                real_uid = rest
                    .split_whitespace()
                    .next()
                    .and_then(|s| s.parse::<u32>().ok());
            } else if let Some(rest) = line.strip_prefix("Threads:") {
                threads = rest.trim().parse::<u64>().ok();
            }
        }
        if real_uid == Some(uid) {
            total += threads.unwrap_or(1);
        }
    }
    Some(total)
}

/// Reads RLIMIT_AS, RLIMIT_NOFILE and RLIMIT_NPROC and raises each soft limit to its hard limit.
pub fn read_and_raise() -> Limits {
    let mut notes = Vec::new();
    let address_space = raise(libc::RLIMIT_AS, "RLIMIT_AS", &mut notes);
    let open_files = raise(libc::RLIMIT_NOFILE, "RLIMIT_NOFILE", &mut notes);
    let processes = raise(libc::RLIMIT_NPROC, "RLIMIT_NPROC", &mut notes);
    Limits {
        address_space,
        open_files,
        processes,
        user_threads: count_user_threads(),
        notes,
    }
}

/// True when running as root (RLIMIT_NPROC does not apply).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no failure mode.
    unsafe { libc::geteuid() == 0 }
}

fn env_has(env: &[(String, String)], key: &str) -> bool {
    env.iter().any(|(k, v)| k == key && !v.is_empty())
}

/// Decides node flags and env for these limits. Pure: tested without touching the process.
pub fn plan(limits: &Limits, root: bool, env: &[(String, String)]) -> Plan {
    let mut p = Plan {
        info: limits.notes.clone(),
        ..Plan::default()
    };
    let mut small_threads = false;
    let memory_profile = env
        .iter()
        .rev()
        .find(|(k, _)| k == MEMORY_PROFILE_ENV)
        .is_none_or(|(_, v)| v != "default");
    if memory_profile {
        if !env_has(env, "MALLOC_ARENA_MAX") {
            p.env
                .push(("MALLOC_ARENA_MAX".into(), MALLOC_ARENAS.into()));
        }
    } else {
        p.info.push(format!(
            "{MEMORY_PROFILE_ENV}=default: node's default heap sizing and malloc arenas"
        ));
    }

    if let Some(as_bytes) = limits.address_space.soft.filter(|&b| b < AS_COMFORTABLE) {
        let mib = as_bytes >> 20;
        let old_space = (mib / 4).clamp(32, 1024);
        p.node_flags.extend([
            "--jitless".to_string(),
            format!("--max-old-space-size={old_space}"),
        ]);
        if !memory_profile {
            p.node_flags.push("--max-semi-space-size=2".to_string());
        }
        // glibc gives each thread a 64 MiB malloc arena reservation: keep them few.
        if !env_has(env, "MALLOC_ARENA_MAX") && !memory_profile {
            p.env.push(("MALLOC_ARENA_MAX".into(), "2".into()));
        }
        small_threads = true;
        p.warnings.push(format!(
            "address space limit (RLIMIT_AS) is {mib} MiB, below {} MiB: starting node with --jitless \
             --max-old-space-size={old_space} and small thread pools (slower JavaScript, no WebAssembly). \
             To run node normally set `[module_resource_limits] default_max_memory_bytes = {}` in the \
             BLVM node config (address space, not RSS)",
            AS_COMFORTABLE >> 20,
            AS_RECOMMENDED
        ));
    }

    if let Some(nofile) = limits.open_files.soft.filter(|&n| n < NOFILE_MIN) {
        p.warnings.push(format!(
            "open files limit (RLIMIT_NOFILE) is {nofile}, below {NOFILE_MIN}: the worker may run out \
             of descriptors. Set `[module_resource_limits] default_max_file_descriptors = 1024` in the \
             BLVM node config"
        ));
    }

    if root {
        p.info
            .push("running as root: RLIMIT_NPROC does not apply".to_string());
    } else if let Some(nproc) = limits.processes.soft {
        let used = limits.user_threads.unwrap_or(0);
        small_threads = true;
        if used + THREADS_NEEDED_SMALL > nproc {
            let want = (used + THREADS_NEEDED_SMALL + 64).next_power_of_two();
            p.warnings.push(format!(
                "process limit (RLIMIT_NPROC) is {nproc} and counts every thread of this user, which \
                 already runs {used}; the worker needs about {THREADS_NEEDED_SMALL} more and will likely \
                 fail to start threads. Set `[module_resource_limits] default_max_child_processes = {want}` \
                 in the BLVM node config, or run the node as a dedicated user"
            ));
        } else {
            p.info.push(format!(
                "RLIMIT_NPROC is {nproc}, this user runs {used} threads: using small thread pools"
            ));
        }
    }

    if small_threads {
        p.node_flags.push("--v8-pool-size=1".to_string());
        if !env_has(env, "UV_THREADPOOL_SIZE") {
            p.env.push(("UV_THREADPOOL_SIZE".into(), "2".into()));
        }
        if !env_has(env, TOKIO_THREADS_ENV) {
            p.env.push((TOKIO_THREADS_ENV.into(), "1".into()));
        }
    }
    // last, so the small configuration's flags (if any) keep leading the command line
    if memory_profile {
        p.node_flags
            .extend(MEMORY_NODE_FLAGS.iter().map(|f| f.to_string()));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(soft: Option<u64>) -> Limit {
        Limit { soft, hard: soft }
    }
    fn limits(as_: Option<u64>, nofile: Option<u64>, nproc: Option<u64>, used: u64) -> Limits {
        Limits {
            address_space: lim(as_),
            open_files: lim(nofile),
            processes: lim(nproc),
            user_threads: Some(used),
            notes: vec![],
        }
    }

    #[test]
    fn unlimited_means_the_memory_profile_only() {
        let p = plan(&limits(None, Some(20_000), None, 50), false, &[]);
        assert_eq!(p.node_flags, MEMORY_NODE_FLAGS);
        assert_eq!(p.env, [("MALLOC_ARENA_MAX".into(), "2".into())]);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn memory_profile_can_be_turned_off() {
        let env = vec![(MEMORY_PROFILE_ENV.to_string(), "default".to_string())];
        let p = plan(&limits(None, Some(20_000), None, 50), false, &env);
        assert!(p.node_flags.is_empty());
        assert!(p.env.is_empty());
        assert!(p.info.iter().any(|l| l.contains(MEMORY_PROFILE_ENV)));
        // tight limits without the profile: the small configuration's own semi-space and arenas
        let p = plan(&limits(Some(512 << 20), None, None, 0), true, &env);
        assert!(p
            .node_flags
            .contains(&"--max-semi-space-size=2".to_string()));
        assert!(p.env.contains(&("MALLOC_ARENA_MAX".into(), "2".into())));
    }

    #[test]
    fn operator_malloc_arenas_win() {
        let env = vec![("MALLOC_ARENA_MAX".to_string(), "8".to_string())];
        let p = plan(&limits(Some(512 << 20), None, None, 0), true, &env);
        assert!(!p.env.iter().any(|(k, _)| k == "MALLOC_ARENA_MAX"));
    }

    #[test]
    fn plan_as_json() {
        let p = Plan {
            node_flags: vec!["--a=1".into(), "q\"b\\".into()],
            env: vec![("K".into(), "v\n".into())],
            ..Plan::default()
        };
        assert_eq!(
            p.to_json(),
            r#"{"node_flags":["--a=1","q\"b\\"],"env":{"K":"v\u000a"}}"#
        );
        assert_eq!(Plan::default().to_json(), r#"{"node_flags":[],"env":{}}"#);
    }

    #[test]
    fn node_default_limits_as_root() {
        let p = plan(
            &limits(Some(512 << 20), Some(256), Some(10), 500),
            true,
            &[],
        );
        assert_eq!(
            p.node_flags,
            [
                "--jitless",
                "--max-old-space-size=128",
                "--v8-pool-size=1",
                "--max-semi-space-size=1",
                "--optimize-for-size"
            ]
        );
        assert!(p.env.contains(&("UV_THREADPOOL_SIZE".into(), "2".into())));
        assert!(p.env.contains(&(TOKIO_THREADS_ENV.into(), "1".into())));
        assert!(p.env.contains(&("MALLOC_ARENA_MAX".into(), "2".into())));
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0]
            .contains("`[module_resource_limits] default_max_memory_bytes = 4294967296`"));
        assert!(p.info.iter().any(|l| l.contains("root")));
    }

    #[test]
    fn nproc_too_small_for_a_busy_user() {
        let p = plan(&limits(None, Some(256), Some(10), 40), false, &[]);
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].contains("default_max_child_processes = 128"));
        assert_eq!(
            p.node_flags,
            [
                "--v8-pool-size=1",
                "--max-semi-space-size=1",
                "--optimize-for-size"
            ]
        );
        assert!(p.env.contains(&("UV_THREADPOOL_SIZE".into(), "2".into())));
    }

    #[test]
    fn nproc_enough() {
        let p = plan(&limits(None, Some(4096), Some(4096), 40), false, &[]);
        assert!(p.warnings.is_empty());
        assert_eq!(
            p.node_flags,
            [
                "--v8-pool-size=1",
                "--max-semi-space-size=1",
                "--optimize-for-size"
            ]
        );
    }

    #[test]
    fn few_files_warns_with_the_key() {
        let p = plan(&limits(None, Some(64), None, 0), true, &[]);
        assert!(p.warnings[0].contains("default_max_file_descriptors"));
    }

    #[test]
    fn operator_env_wins() {
        let env = vec![
            ("UV_THREADPOOL_SIZE".to_string(), "8".to_string()),
            (TOKIO_THREADS_ENV.to_string(), "3".to_string()),
        ];
        let p = plan(&limits(Some(1 << 30), None, None, 0), true, &env);
        assert!(!p.env.iter().any(|(k, _)| k == "UV_THREADPOOL_SIZE"));
        assert!(!p.env.iter().any(|(k, _)| k == TOKIO_THREADS_ENV));
        assert!(p
            .node_flags
            .contains(&"--max-old-space-size=256".to_string()));
    }

    #[test]
    fn reading_limits_works_here() {
        let l = read_and_raise();
        assert!(l.user_threads.unwrap_or(0) >= 1);
        assert_eq!(l.notes.len(), 3);
    }
}
