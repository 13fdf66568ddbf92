//! The action catalogue: which actions exist for which kind of target, and their MiningOS vote
//! counts (miningos-rack.md §3.6: 1 vote each, 2 for `rackReboot`).

use serde::{Deserialize, Serialize};

/// What an action targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// A miner thing (`miner-blvm-sv2`, tag `t-miner`), reached through `queryThing`.
    Miner,
    /// The node thing (`node-blvm`, tag `t-node`), reached through `queryThing`.
    Node,
    /// The rack itself (`registerThing`, `updateThing`, `forgetThings`, `rackReboot`).
    Rack,
}

impl TargetKind {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Miner => "miner",
            TargetKind::Node => "node",
            TargetKind::Rack => "rack",
        }
    }
}

/// How an action is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Executor {
    /// An operator-configured hook (argv, no shell).
    Hook,
    /// `call_module` to the Stratum V2 module over the node IPC.
    StratumModule,
    /// The node view (`NodeOps`: template, stats, block submission).
    Node,
    /// The rack worker itself (thing storage, process restart); the engine validates and audits.
    Rack,
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Target kind.
    pub kind: TargetKind,
    /// MiningOS action name.
    pub action: &'static str,
    /// How it runs.
    pub executor: Executor,
    /// One-line description (CLI `list-actions`).
    pub about: &'static str,
    /// Named parameters for the CLI (`--param k=v`), empty when none.
    pub params: &'static str,
}

/// Every action the engine knows.
pub const CATALOGUE: &[Entry] = &[
    Entry {
        kind: TargetKind::Miner,
        action: "reboot",
        executor: Executor::Hook,
        about: "reboot the miner (hook miner_reboot)",
        params: "",
    },
    Entry {
        kind: TargetKind::Miner,
        action: "setPowerMode",
        executor: Executor::Hook,
        about: "set the miner power mode low|normal|high|sleep (hook miner_set_power_mode)",
        params: "mode=low|normal|high|sleep",
    },
    Entry {
        kind: TargetKind::Miner,
        action: "setLED",
        executor: Executor::Hook,
        about: "switch the miner LED on/off (hook miner_set_led)",
        params: "enabled=true|false",
    },
    Entry {
        kind: TargetKind::Miner,
        action: "setupPools",
        executor: Executor::StratumModule,
        about: "send the pool list to the Stratum V2 module (call_module)",
        params:
            "[url=stratum+tcp://host:port worker=<name> password=<pw>] (none: the rack pool list)",
    },
    Entry {
        kind: TargetKind::Node,
        action: "reboot",
        executor: Executor::Hook,
        about: "reboot the node host (hook node_reboot, disabled until enabled)",
        params: "",
    },
    Entry {
        kind: TargetKind::Node,
        action: "setPowerMode",
        executor: Executor::Hook,
        about:
            "host power management sleep|normal (hook node_set_power_mode, disabled until enabled)",
        params: "mode=sleep|normal",
    },
    Entry {
        kind: TargetKind::Node,
        action: "refreshTemplate",
        executor: Executor::Node,
        about: "fetch a fresh block template from the node",
        params: "",
    },
    Entry {
        kind: TargetKind::Node,
        action: "queryStats",
        executor: Executor::Node,
        about: "chain, network and mempool statistics on demand",
        params: "",
    },
    Entry {
        kind: TargetKind::Node,
        action: "submitBlock",
        executor: Executor::Node,
        about: "submit a serialized block (hex) to the node",
        params: "hex=<serialized block>",
    },
    Entry {
        kind: TargetKind::Rack,
        action: "registerThing",
        executor: Executor::Rack,
        about: "register a thing (a miner) on the rack",
        params: "(MiningOS object)",
    },
    Entry {
        kind: TargetKind::Rack,
        action: "updateThing",
        executor: Executor::Rack,
        about: "update a thing's opts / info / tags",
        params: "(MiningOS object)",
    },
    Entry {
        kind: TargetKind::Rack,
        action: "forgetThings",
        executor: Executor::Rack,
        about: "remove things from the rack",
        params: "(MiningOS object)",
    },
    Entry {
        kind: TargetKind::Rack,
        action: "rackReboot",
        executor: Executor::Rack,
        about: "restart the rack worker (2 votes)",
        params: "",
    },
];

/// The catalogue entry for `action` on a `kind` target.
pub fn find(kind: TargetKind, action: &str) -> Option<&'static Entry> {
    CATALOGUE
        .iter()
        .find(|e| e.kind == kind && e.action == action)
}

/// True when some target kind has `action`.
pub fn is_known_action(action: &str) -> bool {
    CATALOGUE.iter().any(|e| e.action == action)
}

/// Every distinct action name, in catalogue order.
pub fn all_action_names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for e in CATALOGUE {
        if !out.contains(&e.action) {
            out.push(e.action);
        }
    }
    out
}

/// MiningOS default vote count: 2 for `rackReboot`, 1 for everything else.
pub fn default_votes(action: &str) -> u32 {
    if action == "rackReboot" {
        2
    } else {
        1
    }
}

/// Power modes a miner accepts (MiningOS `config.power_mode`).
pub const MINER_POWER_MODES: &[&str] = &["low", "normal", "high", "sleep"];
/// Power modes the node host accepts.
pub const NODE_POWER_MODES: &[&str] = &["sleep", "normal"];

/// Turns named parameters (operator CLI `--param k=v`, module API `named`) into the positional
/// MiningOS params of `action`:
///
/// | action | names | params |
/// |---|---|---|
/// | `reboot`, `refreshTemplate`, `queryStats`, `rackReboot` | none | `[]` |
/// | `setPowerMode` | `mode` | `["<mode>"]` |
/// | `setLED` | `enabled` = `true\|false\|on\|off` | `[bool]` |
/// | `setupPools` | none (the rack's pools) or `url`, `worker`, `password?` | `[]` / `[{config: {poolUrls: [..]}}]` |
/// | `submitBlock` | `hex` | `["<hex>"]` |
///
/// The values are then validated like any other action's. Rack-level thing management
/// (`registerThing`, `updateThing`, `forgetThings`) takes MiningOS objects, not named values.
pub fn params_from_named(
    action: &str,
    named: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<serde_json::Value>, super::ActionError> {
    use serde_json::{json, Value};
    let allowed: &[&str] = match action {
        "reboot" | "refreshTemplate" | "queryStats" | "rackReboot" => &[],
        "setPowerMode" => &["mode"],
        "setLED" => &["enabled"],
        "setupPools" => &["url", "worker", "password"],
        "submitBlock" => &["hex"],
        "registerThing" | "updateThing" | "forgetThings" => {
            return Err(super::ActionError::params(
                action,
                "takes MiningOS objects, not --param k=v (use the MiningOS UI or the rack RPC)",
            ))
        }
        other if !is_known_action(other) => {
            return Err(super::ActionError::Unknown {
                action: other.to_string(),
                kind: "any",
            })
        }
        _ => &[],
    };
    if let Some(k) = named.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(super::ActionError::params(
            action,
            if allowed.is_empty() {
                format!("unexpected parameter '{k}': this action takes none")
            } else {
                format!("unexpected parameter '{k}' (takes: {})", allowed.join(", "))
            },
        ));
    }
    let need = |k: &str| {
        named
            .get(k)
            .cloned()
            .ok_or_else(|| super::ActionError::params(action, format!("missing parameter '{k}'")))
    };
    Ok(match action {
        "setPowerMode" => vec![Value::String(need("mode")?)],
        "setLED" => {
            let v = need("enabled")?;
            let b = match v.to_ascii_lowercase().as_str() {
                "true" | "on" | "1" => true,
                "false" | "off" | "0" => false,
                _ => {
                    return Err(super::ActionError::Led(format!(
                        "setLED: enabled must be true/false/on/off, not '{}'",
                        v.escape_debug()
                    )))
                }
            };
            vec![Value::Bool(b)]
        }
        "setupPools" if named.is_empty() => vec![],
        "setupPools" => {
            let mut pool = json!({"url": need("url")?, "workerName": need("worker")?});
            if let Some(p) = named.get("password") {
                pool["workerPassword"] = Value::String(p.clone());
            }
            vec![json!({"config": {"poolUrls": [pool]}})]
        }
        "submitBlock" => vec![Value::String(need("hex")?)],
        _ => vec![],
    })
}
