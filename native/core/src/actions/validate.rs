//! `validateWriteAction`: decides, before any vote, whether an action can really be performed on a
//! target, and turns it into a [`Plan`] the engine executes. Every refusal is a precise `ERR_*` code
//! and a reason the MiningOS UI can show.

use super::catalogue::{self, Executor, TargetKind};
use super::config::{ActionsConfig, HookName};
use super::error::ActionError;
use super::hooks;
use super::ops::Capabilities;
use super::pools::{self, Pool};
use super::types::Target;
use serde_json::Value;
use std::collections::BTreeMap;

/// Longest accepted `submitBlock` hex (a 4 MB block).
pub const MAX_BLOCK_HEX: usize = 8_000_000;
/// Shortest plausible block hex (80-byte header + tx count + a minimal coinbase).
pub const MIN_BLOCK_HEX: usize = 2 * (80 + 1 + 60);

/// What to do, once validated.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Run a hook with these placeholder values.
    Hook {
        /// Which hook.
        name: HookName,
        /// Placeholder values (without `action_id`, added at execution).
        values: BTreeMap<&'static str, String>,
    },
    /// Send these pools to the Stratum V2 module.
    SetupPools(Vec<Pool>),
    /// Refresh the block template.
    RefreshTemplate,
    /// Query node statistics.
    QueryStats,
    /// Submit this block.
    SubmitBlock(String),
    /// Performed by the rack worker (the engine validates and audits only).
    Rack,
}

/// Validates `action` with `params` on `target` and returns the plan.
pub fn plan(
    cfg: &ActionsConfig,
    caps: &Capabilities,
    rack_pools: &[Pool],
    target: &Target,
    action: &str,
    params: &[Value],
) -> Result<Plan, ActionError> {
    target.check()?;
    let entry = catalogue::find(target.kind, action).ok_or_else(|| ActionError::Unknown {
        action: action.to_string(),
        kind: target.kind.as_str(),
    })?;
    if !cfg.is_enabled() {
        return Err(ActionError::Disabled(
            "actions are disabled ([actions] enabled = false)".into(),
        ));
    }
    match entry.executor {
        Executor::Hook => hook_plan(cfg, target, action, params),
        Executor::StratumModule => {
            if !caps.call_module.available {
                return Err(ActionError::Unavailable(format!(
                    "setupPools needs call_module to the Stratum V2 module over the node IPC: {}",
                    caps.call_module
                        .reason
                        .as_deref()
                        .unwrap_or("not available")
                )));
            }
            Ok(Plan::SetupPools(pools::resolve(params, rack_pools)?))
        }
        Executor::Node => {
            if !caps.node.available {
                return Err(ActionError::Unavailable(format!(
                    "{action} needs the node: {}",
                    caps.node.reason.as_deref().unwrap_or("not available")
                )));
            }
            match action {
                "refreshTemplate" => {
                    no_params(action, params)?;
                    Ok(Plan::RefreshTemplate)
                }
                "queryStats" => {
                    no_params(action, params)?;
                    Ok(Plan::QueryStats)
                }
                _ => Ok(Plan::SubmitBlock(block_hex(params)?)),
            }
        }
        Executor::Rack => {
            rack_params(action, params)?;
            Ok(Plan::Rack)
        }
    }
}

fn no_params(action: &str, params: &[Value]) -> Result<(), ActionError> {
    if params
        .iter()
        .all(|p| p.is_null() || p == &Value::Object(Default::default()))
    {
        Ok(())
    } else {
        Err(ActionError::params(action, "takes no parameters"))
    }
}

fn hook_plan(
    cfg: &ActionsConfig,
    target: &Target,
    action: &str,
    params: &[Value],
) -> Result<Plan, ActionError> {
    let Some(name) = HookName::for_action(target.kind, action) else {
        return Err(ActionError::Unknown {
            action: action.to_string(),
            kind: target.kind.as_str(),
        });
    };
    let key = name.key();
    let Some(hook) = cfg.hooks.get(name) else {
        return Err(if name.enabled_by_default() {
            ActionError::Unsupported(format!(
                "{action} on a {} needs a hook: configure [actions.hooks.{key}] argv",
                target.kind.as_str()
            ))
        } else {
            ActionError::Disabled(format!(
                "{action} of the node host is disabled until configured: set [actions.hooks.{key}] enabled = true and argv"
            ))
        });
    };
    if !hook.enabled.unwrap_or(name.enabled_by_default()) {
        return Err(ActionError::Disabled(if hook.enabled.is_none() {
            format!(
                "{action} of the node host is disabled until enabled: set [actions.hooks.{key}] enabled = true"
            )
        } else {
            format!("{action} is disabled: [actions.hooks.{key}] enabled = false")
        }));
    }
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    values.insert("id", target.id.clone());
    values.insert("action", action.to_string());
    if let Some(a) = &target.address {
        values.insert("address", a.clone());
    }
    if let Some(p) = target.port {
        values.insert("port", p.to_string());
    }
    match action {
        "reboot" => no_params(action, params)?,
        "setPowerMode" => {
            let modes = if target.kind == TargetKind::Node {
                catalogue::NODE_POWER_MODES
            } else {
                catalogue::MINER_POWER_MODES
            };
            let mode = match params {
                [Value::String(m)] if modes.contains(&m.as_str()) => m.clone(),
                _ => {
                    return Err(ActionError::PowerMode(format!(
                        "setPowerMode on a {} takes one mode: {}",
                        target.kind.as_str(),
                        modes.join(" | ")
                    )))
                }
            };
            values.insert("mode", mode);
        }
        "setLED" => {
            let on = match params {
                [Value::Bool(b)] => *b,
                _ => {
                    return Err(ActionError::Led(
                        "setLED takes one boolean (true = on, false = off)".into(),
                    ))
                }
            };
            values.insert("enabled", on.to_string());
            values.insert("led", if on { "on" } else { "off" }.to_string());
        }
        _ => {}
    }
    // Render once now so a missing address or an unsafe value is refused before the vote.
    let mut probe = values.clone();
    probe.insert("action_id", "0".to_string());
    hooks::render_argv(&hook.argv, &probe)?;
    Ok(Plan::Hook { name, values })
}

fn block_hex(params: &[Value]) -> Result<String, ActionError> {
    let hex = match params {
        [Value::String(h)] => h,
        _ => {
            return Err(ActionError::BlockHex(
                "submitBlock takes one parameter: the serialized block in hex".into(),
            ))
        }
    };
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ActionError::BlockHex(
            "submitBlock: the block must be an even-length hex string".into(),
        ));
    }
    if !(MIN_BLOCK_HEX..=MAX_BLOCK_HEX).contains(&hex.len()) {
        return Err(ActionError::BlockHex(format!(
            "submitBlock: {} hex characters, a block takes {MIN_BLOCK_HEX}..={MAX_BLOCK_HEX}",
            hex.len()
        )));
    }
    Ok(hex.to_ascii_lowercase())
}

fn rack_params(action: &str, params: &[Value]) -> Result<(), ActionError> {
    let first = params.first();
    match action {
        "registerThing" => match first {
            Some(Value::Object(m)) if !matches!(m.get("opts"), Some(o) if !o.is_object()) => Ok(()),
            _ => Err(ActionError::params(
                action,
                "takes [{rackId, opts: {address, port, ...}, info?, tags?}]",
            )),
        },
        "updateThing" => match first.and_then(|p| p.get("id")).and_then(Value::as_str) {
            Some(id) if !id.is_empty() => Ok(()),
            _ => Err(ActionError::params(
                action,
                "takes [{rackId, id, opts?, info?, tags?}]",
            )),
        },
        "forgetThings" => match first.and_then(|p| p.get("query")) {
            Some(Value::Object(_)) => Ok(()),
            _ => Err(ActionError::params(action, "takes [{rackId, query: {id}}]")),
        },
        _ => Ok(()),
    }
}
