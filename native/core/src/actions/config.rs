//! The `[actions]` configuration: vote counts, hooks, limits. Plain serde structs, strict
//! (`deny_unknown_fields`), readable from the `[actions]` TOML table or from JSON (the addon's
//! constructor). [`ActionsConfig::validate`] checks everything a serde shape cannot (argv, placeholders,
//! vote ranges, timeouts) and names the key that is wrong.
//!
//! ```toml
//! [actions]
//! hook_timeout_seconds = 30
//! max_output_bytes = 16384
//!
//! [actions.votes]
//! rackReboot = 2
//!
//! [actions.hooks.miner_reboot]
//! argv = ["/usr/local/bin/miner-ctl", "--host", "{address}", "reboot"]
//!
//! [actions.hooks.node_reboot]          # disabled until `enabled = true`
//! enabled = true
//! argv = ["systemctl", "reboot"]
//! ```

use super::catalogue::{self, TargetKind};
use super::error::ActionError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Default timeout of a hook, in seconds.
pub const DEFAULT_HOOK_TIMEOUT_SECONDS: u64 = 30;
/// Longest hook timeout accepted, in seconds.
pub const MAX_HOOK_TIMEOUT_SECONDS: u64 = 3600;
/// Default cap on each of a hook's captured stdout and stderr, in bytes.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 16 * 1024;
/// Default number of hooks running at once.
pub const DEFAULT_MAX_CONCURRENT_HOOKS: usize = 4;
/// Largest accepted output cap, in bytes.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// `[actions]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActionsConfig {
    /// Master switch (default `true`). `false`: no action is whitelisted and every action is
    /// rejected with `ERR_ACTION_DISABLED`.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Default hook timeout in seconds (default 30, 1..=3600).
    #[serde(default)]
    pub hook_timeout_seconds: Option<u64>,
    /// Cap on each of a hook's captured stdout / stderr in bytes (default 16384, 256..=1 MiB).
    #[serde(default)]
    pub max_output_bytes: Option<usize>,
    /// Hooks running at the same time at most (default 4, 1..=64): the node limits a module's
    /// processes (`[module_resource_limits]`, 10 by default), so a fleet-wide action must not fork
    /// hundreds of hooks at once. Others wait for a slot (their timeout starts when they run).
    #[serde(default)]
    pub max_concurrent_hooks: Option<usize>,
    /// Vote counts per action name (MiningOS defaults: 1, and 2 for `rackReboot`).
    #[serde(default)]
    pub votes: BTreeMap<String, u32>,
    /// Operator hooks.
    #[serde(default)]
    pub hooks: HooksConfig,
}

/// `[actions.hooks.*]`: one optional hook per hook-backed action.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HooksConfig {
    /// Miner `reboot`. Placeholders: `{id} {address} {port} {action} {action_id}`.
    #[serde(default)]
    pub miner_reboot: Option<HookConfig>,
    /// Miner `setPowerMode`. Placeholders: the miner ones plus `{mode}`.
    #[serde(default)]
    pub miner_set_power_mode: Option<HookConfig>,
    /// Miner `setLED`. Placeholders: the miner ones plus `{enabled}` (`true`/`false`) and `{led}`
    /// (`on`/`off`).
    #[serde(default)]
    pub miner_set_led: Option<HookConfig>,
    /// Host `reboot` of the node thing. **Disabled until `enabled = true`.** Placeholders:
    /// `{id} {action} {action_id}`.
    #[serde(default)]
    pub node_reboot: Option<HookConfig>,
    /// Host power management of the node thing (`setPowerMode` sleep / normal). **Disabled until
    /// `enabled = true`.** Placeholders: `{id} {action} {action_id} {mode}`.
    #[serde(default)]
    pub node_set_power_mode: Option<HookConfig>,
}

/// One hook: a program and its arguments, run without a shell.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HookConfig {
    /// Program and arguments. `argv[0]` is a path or a name looked up in `PATH`. Elements may
    /// contain `{placeholder}`s (`{{` and `}}` are literal braces).
    pub argv: Vec<String>,
    /// Miner hooks: default `true`. Node hooks: default `false` (must be set to `true`).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Timeout in seconds (default `[actions] hook_timeout_seconds`).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

/// Which hook an action on a target kind uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookName {
    /// `[actions.hooks.miner_reboot]`.
    MinerReboot,
    /// `[actions.hooks.miner_set_power_mode]`.
    MinerSetPowerMode,
    /// `[actions.hooks.miner_set_led]`.
    MinerSetLed,
    /// `[actions.hooks.node_reboot]`.
    NodeReboot,
    /// `[actions.hooks.node_set_power_mode]`.
    NodeSetPowerMode,
}

impl HookName {
    /// Every hook.
    pub const ALL: [HookName; 5] = [
        HookName::MinerReboot,
        HookName::MinerSetPowerMode,
        HookName::MinerSetLed,
        HookName::NodeReboot,
        HookName::NodeSetPowerMode,
    ];

    /// The config key (`miner_reboot`, ...).
    pub fn key(self) -> &'static str {
        match self {
            HookName::MinerReboot => "miner_reboot",
            HookName::MinerSetPowerMode => "miner_set_power_mode",
            HookName::MinerSetLed => "miner_set_led",
            HookName::NodeReboot => "node_reboot",
            HookName::NodeSetPowerMode => "node_set_power_mode",
        }
    }

    /// The hook behind `action` on a `kind` target, if that action is hook-backed.
    pub fn for_action(kind: TargetKind, action: &str) -> Option<HookName> {
        match (kind, action) {
            (TargetKind::Miner, "reboot") => Some(HookName::MinerReboot),
            (TargetKind::Miner, "setPowerMode") => Some(HookName::MinerSetPowerMode),
            (TargetKind::Miner, "setLED") => Some(HookName::MinerSetLed),
            (TargetKind::Node, "reboot") => Some(HookName::NodeReboot),
            (TargetKind::Node, "setPowerMode") => Some(HookName::NodeSetPowerMode),
            _ => None,
        }
    }

    /// Destructive host hooks are disabled until explicitly enabled.
    pub fn enabled_by_default(self) -> bool {
        matches!(
            self,
            HookName::MinerReboot | HookName::MinerSetPowerMode | HookName::MinerSetLed
        )
    }

    /// Placeholders this hook's argv may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            HookName::MinerReboot => &["id", "address", "port", "action", "action_id"],
            HookName::MinerSetPowerMode => {
                &["id", "address", "port", "action", "action_id", "mode"]
            }
            HookName::MinerSetLed => &[
                "id",
                "address",
                "port",
                "action",
                "action_id",
                "enabled",
                "led",
            ],
            HookName::NodeReboot => &["id", "action", "action_id"],
            HookName::NodeSetPowerMode => &["id", "action", "action_id", "mode"],
        }
    }
}

impl HooksConfig {
    /// The configured hook for `name`.
    pub fn get(&self, name: HookName) -> Option<&HookConfig> {
        match name {
            HookName::MinerReboot => self.miner_reboot.as_ref(),
            HookName::MinerSetPowerMode => self.miner_set_power_mode.as_ref(),
            HookName::MinerSetLed => self.miner_set_led.as_ref(),
            HookName::NodeReboot => self.node_reboot.as_ref(),
            HookName::NodeSetPowerMode => self.node_set_power_mode.as_ref(),
        }
    }
}

impl ActionsConfig {
    /// Parses the `[actions]` table from TOML text (the table's content, or a whole file with an
    /// `[actions]` table).
    pub fn from_toml(text: &str) -> Result<Self, ActionError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wrapper {
            actions: ActionsConfig,
        }
        let value: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ActionError::Config(e.message().to_string()))?;
        let cfg = if value.contains_key("actions") {
            Wrapper::deserialize(value)
                .map_err(|e| ActionError::Config(e.message().to_string()))?
                .actions
        } else {
            ActionsConfig::deserialize(value)
                .map_err(|e| ActionError::Config(e.message().to_string()))?
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Parses the `[actions]` object from JSON (`{}` or `null` = defaults).
    pub fn from_json(value: serde_json::Value) -> Result<Self, ActionError> {
        let value = if value.is_null() {
            serde_json::Value::Object(Default::default())
        } else {
            value
        };
        let cfg: ActionsConfig =
            serde_json::from_value(value).map_err(|e| ActionError::Config(e.to_string()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Master switch.
    pub fn is_enabled(&self) -> bool {
        self.enabled.unwrap_or(true)
    }

    /// Default hook timeout.
    pub fn hook_timeout(&self) -> u64 {
        self.hook_timeout_seconds
            .unwrap_or(DEFAULT_HOOK_TIMEOUT_SECONDS)
    }

    /// Output cap per stream.
    pub fn output_cap(&self) -> usize {
        self.max_output_bytes.unwrap_or(DEFAULT_MAX_OUTPUT_BYTES)
    }

    /// Hook concurrency limit.
    pub fn hook_slots(&self) -> usize {
        self.max_concurrent_hooks
            .unwrap_or(DEFAULT_MAX_CONCURRENT_HOOKS)
    }

    /// Vote count for `action` (config, else the MiningOS default).
    pub fn votes_for(&self, action: &str) -> u32 {
        self.votes
            .get(action)
            .copied()
            .unwrap_or_else(|| catalogue::default_votes(action))
    }

    /// Checks what serde cannot: ranges, vote names, argv and placeholders. The error names the key.
    pub fn validate(&self) -> Result<(), ActionError> {
        if let Some(t) = self.hook_timeout_seconds {
            if !(1..=MAX_HOOK_TIMEOUT_SECONDS).contains(&t) {
                return Err(ActionError::Config(format!(
                    "actions.hook_timeout_seconds = {t}: must be 1..={MAX_HOOK_TIMEOUT_SECONDS}"
                )));
            }
        }
        if let Some(n) = self.max_output_bytes {
            if !(256..=MAX_OUTPUT_BYTES).contains(&n) {
                return Err(ActionError::Config(format!(
                    "actions.max_output_bytes = {n}: must be 256..={MAX_OUTPUT_BYTES}"
                )));
            }
        }
        if let Some(n) = self.max_concurrent_hooks {
            if !(1..=64).contains(&n) {
                return Err(ActionError::Config(format!(
                    "actions.max_concurrent_hooks = {n}: must be 1..=64"
                )));
            }
        }
        for (name, votes) in &self.votes {
            if !catalogue::is_known_action(name) {
                return Err(ActionError::Config(format!(
                    "actions.votes.{name}: unknown action (known: {})",
                    catalogue::all_action_names().join(", ")
                )));
            }
            if !(1..=100).contains(votes) {
                return Err(ActionError::Config(format!(
                    "actions.votes.{name} = {votes}: must be 1..=100"
                )));
            }
        }
        for name in HookName::ALL {
            if let Some(hook) = self.hooks.get(name) {
                validate_hook(name, hook)?;
            }
        }
        Ok(())
    }
}

fn validate_hook(name: HookName, hook: &HookConfig) -> Result<(), ActionError> {
    let key = format!("actions.hooks.{}", name.key());
    if hook.argv.is_empty() || hook.argv[0].trim().is_empty() {
        return Err(ActionError::Config(format!(
            "{key}.argv: must name a program as its first element"
        )));
    }
    if hook.argv.len() > 64 {
        return Err(ActionError::Config(format!(
            "{key}.argv: at most 64 elements"
        )));
    }
    if let Some(t) = hook.timeout_seconds {
        if !(1..=MAX_HOOK_TIMEOUT_SECONDS).contains(&t) {
            return Err(ActionError::Config(format!(
                "{key}.timeout_seconds = {t}: must be 1..={MAX_HOOK_TIMEOUT_SECONDS}"
            )));
        }
    }
    if !super::hooks::placeholders_in(&hook.argv[0])
        .map_err(|e| ActionError::Config(format!("{key}.argv[0]: {e}")))?
        .is_empty()
    {
        return Err(ActionError::Config(format!(
            "{key}.argv[0]: the program may not contain placeholders"
        )));
    }
    for (i, arg) in hook.argv.iter().enumerate() {
        if arg.bytes().any(|b| b == 0) {
            return Err(ActionError::Config(format!(
                "{key}.argv[{i}]: contains a NUL byte"
            )));
        }
        let names = super::hooks::placeholders_in(arg)
            .map_err(|e| ActionError::Config(format!("{key}.argv[{i}]: {e}")))?;
        for p in names {
            if !name.placeholders().contains(&p) {
                return Err(ActionError::Config(format!(
                    "{key}.argv[{i}]: unknown placeholder {{{p}}} (this hook accepts: {})",
                    name.placeholders()
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )));
            }
        }
    }
    Ok(())
}
