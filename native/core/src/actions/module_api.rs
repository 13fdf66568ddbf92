//! The module API other modules call over the node IPC (`CallModule` → our `ModuleApi`
//! invocations; JSON in, JSON out), as far as the engine is concerned: `trigger_action` and
//! `get_action_status`. `get_miner_list` is answered by the rack (it owns the things).
//!
//! `trigger_action` params: `{"action": "setPowerMode", "target": "<thing id>", "params": [...]}`
//! or with `"named": {"mode": "sleep"}` instead of `params`; optional `"actionId"` (re-delivery
//! protection for the caller). `action_type` / `action_id` (the original blvm-miningos spelling)
//! are accepted too. The caller resolves `target` to a [`Target`] and executes
//! [`TriggerAction::into_request`].

use super::catalogue::params_from_named;
use super::error::ActionError;
use super::journal::JournalEntry;
use super::types::{ActionRequest, Target};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Methods registered with `RegisterModuleApi`.
pub const METHODS: [&str; 3] = ["trigger_action", "get_miner_list", "get_action_status"];
/// `api_version` registered with them.
pub const API_VERSION: u32 = 1;

/// A parsed `trigger_action` call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerAction {
    /// Action name.
    #[serde(alias = "action_type")]
    pub action: String,
    /// Thing id (a miner, or the node thing).
    pub target: String,
    /// Positional MiningOS params.
    #[serde(default)]
    pub params: Option<Vec<Value>>,
    /// Named params (converted with [`params_from_named`]).
    #[serde(default)]
    pub named: Option<BTreeMap<String, String>>,
    /// Optional action id.
    #[serde(default, alias = "actionId", deserialize_with = "de_id")]
    pub action_id: Option<String>,
}

fn de_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(super::types::number_id(&n))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "action id must be a string or a number, not {other}"
        ))),
    }
}

/// Parses `trigger_action` params (JSON bytes).
pub fn parse_trigger_action(bytes: &[u8]) -> Result<TriggerAction, ActionError> {
    let t: TriggerAction = serde_json::from_slice(bytes).map_err(|e| {
        ActionError::Request(format!(
            "trigger_action takes {{action, target, params? | named?, actionId?}}: {e}"
        ))
    })?;
    if t.params.is_some() && t.named.is_some() {
        return Err(ActionError::Request(
            "trigger_action: give params or named, not both".into(),
        ));
    }
    if t.target.is_empty() {
        return Err(ActionError::Request(
            "trigger_action: target is empty".into(),
        ));
    }
    Ok(t)
}

impl TriggerAction {
    /// The positional params (named ones converted).
    pub fn positional(&self) -> Result<Vec<Value>, ActionError> {
        match (&self.params, &self.named) {
            (Some(p), _) => Ok(p.clone()),
            (None, Some(n)) => params_from_named(&self.action, n),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// The engine request for the resolved `target`, on behalf of `caller` (the calling module
    /// id; the node always says `"blvm"` for IPC callers).
    pub fn into_request(self, target: Target, caller: &str) -> Result<ActionRequest, ActionError> {
        let params = self.positional()?;
        Ok(ActionRequest {
            action_id: self.action_id,
            user: Some(format!("module:{caller}")),
            target,
            action: self.action,
            params,
        })
    }
}

/// Parses `get_action_status` params: `{"actionId": ...}` (or `action_id`).
pub fn parse_action_status(bytes: &[u8]) -> Result<String, ActionError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct P {
        #[serde(alias = "actionId", deserialize_with = "de_id")]
        action_id: Option<String>,
    }
    let p: P = serde_json::from_slice(bytes)
        .map_err(|e| ActionError::Request(format!("get_action_status takes {{actionId}}: {e}")))?;
    p.action_id
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ActionError::Request("get_action_status: actionId is missing".into()))
}

/// Subcommands of the node CLI (`blvm module <name> <subcommand> [args]`), with what they do.
/// The worker answers each `Cli` invocation with the same command as the operator CLI.
pub const CLI_SUBCOMMANDS: [(&str, &str); 5] = [
    ("status", "Worker, node view and registration status (JSON)"),
    (
        "list-miners",
        "The miner things (id, address, status); --json",
    ),
    (
        "list-actions",
        "Every action, its votes and whether it is supported now; --json",
    ),
    (
        "trigger-action",
        "trigger-action <name> --target <id> [--param k=v]... [--json]",
    ),
    ("action-status", "action-status <actionId> [--json]"),
];

/// The CLI spec registered with `RegisterCliSpec` (no capability needed, §9.1). Arguments are
/// passed through as raw argv (the module parses them), so only their names are listed.
pub fn cli_spec(module_name: &str) -> crate::ipc::types::CliSpec {
    use crate::ipc::types::{CliArgSpec, CliSpec, CliSubcommandSpec};
    let arg = |name: &str, takes_value: bool| CliArgSpec {
        name: name.to_string(),
        long_name: Some(name.to_string()),
        short_name: None,
        required: Some(false),
        takes_value: Some(takes_value),
        default: None,
    };
    CliSpec {
        version: 1,
        name: module_name.to_string(),
        about: Some("MiningOS rack worker: miners, actions, status".into()),
        subcommands: CLI_SUBCOMMANDS
            .iter()
            .map(|(name, about)| CliSubcommandSpec {
                name: (*name).to_string(),
                about: Some((*about).to_string()),
                args: match *name {
                    "trigger-action" => vec![
                        arg("target", true),
                        arg("param", true),
                        arg("action-id", true),
                        arg("json", false),
                    ],
                    "status" => vec![],
                    _ => vec![arg("json", false)],
                },
            })
            .collect(),
    }
}

/// The `get_action_status` reply: `{actionId, found, entries}` (params redacted as journaled).
pub fn action_status_reply(action_id: &str, entries: &[JournalEntry]) -> Value {
    json!({"actionId": action_id, "found": !entries.is_empty(), "entries": entries})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::catalogue::TargetKind;
    use crate::Coded;

    #[test]
    fn cli_spec_lists_every_subcommand_and_encodes() {
        let spec = cli_spec("blvm-miningos");
        assert_eq!(spec.name, "blvm-miningos");
        let names: Vec<_> = spec.subcommands.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            CLI_SUBCOMMANDS.iter().map(|(n, _)| *n).collect::<Vec<_>>()
        );
        let req = crate::ipc::RequestPayload::RegisterCliSpec { spec };
        let bytes = bincode::serialize(&req).expect("encodes");
        assert!(bytes.len() > 100);
    }

    #[test]
    fn trigger_action_shapes() {
        let t = parse_trigger_action(
            br#"{"action":"setPowerMode","target":"m1","named":{"mode":"sleep"},"actionId":7}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let target = Target {
            kind: TargetKind::Miner,
            id: "m1".into(),
            address: None,
            port: None,
        };
        let r = t
            .into_request(target.clone(), "blvm")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.params, vec![json!("sleep")]);
        assert_eq!(r.action_id.as_deref(), Some("7"));
        assert_eq!(r.user.as_deref(), Some("module:blvm"));
        let legacy = parse_trigger_action(br#"{"action_type":"reboot","target":"m1"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(legacy.action, "reboot");
        for bad in [
            &br#"{"action":"reboot"}"#[..],
            br#"{"action":"reboot","target":"m1","params":[],"named":{}}"#,
            br#"{"action":"reboot","target":"m1","x":1}"#,
            br#"{"action":"reboot","target":""}"#,
            b"not json",
        ] {
            assert_eq!(
                parse_trigger_action(bad).err().map(|e| e.code()),
                Some("ERR_ACTION_REQUEST_INVALID")
            );
        }
        let named_bad =
            parse_trigger_action(br#"{"action":"reboot","target":"m1","named":{"force":"1"}}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(named_bad.into_request(target, "blvm").is_err());
    }

    #[test]
    fn action_status_shapes() {
        assert_eq!(
            parse_action_status(br#"{"actionId":1700000000001}"#)
                .ok()
                .as_deref(),
            Some("1700000000001")
        );
        assert_eq!(
            parse_action_status(br#"{"action_id":"a"}"#).ok().as_deref(),
            Some("a")
        );
        assert!(parse_action_status(br#"{}"#).is_err());
        assert!(parse_action_status(br#"{"actionId":"a","x":1}"#).is_err());
        let r = action_status_reply("a", &[]);
        assert_eq!(r["found"], false);
    }
}
