//! The engine's request, target and result shapes (JSON, camelCase, as MiningOS expects).

use super::catalogue::TargetKind;
use super::error::ActionError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest accepted action id / user / target id, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// The thing (or rack) an action is aimed at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    /// Miner thing, node thing or the rack.
    pub kind: TargetKind,
    /// Thing id (or rack id).
    pub id: String,
    /// Miner host address (`opts.address`), for hook placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Miner port (`opts.port`), for hook placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl Target {
    /// Checks the id and address shapes.
    pub fn check(&self) -> Result<(), ActionError> {
        check_id("target.id", &self.id).map_err(ActionError::Target)?;
        if let Some(a) = &self.address {
            if a.is_empty()
                || a.len() > 255
                || a.starts_with('-')
                || !a
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".:-_[]%".contains(&b))
            {
                return Err(ActionError::Target(format!(
                    "target.address '{}' is not a host name or IP address",
                    a.escape_debug()
                )));
            }
        }
        Ok(())
    }

    /// `kind:id`, for logs and the `ActionExecuted` event.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

fn check_id(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if s.len() > MAX_ID_LEN {
        return Err(format!("{what} is longer than {MAX_ID_LEN} bytes"));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(format!("{what} contains a control character"));
    }
    Ok(())
}

/// One action to execute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionRequest {
    /// The orchestrator's action id (MiningOS sends a number; kept as text). `None`: a local action
    /// (operator CLI, module API) that gets a generated id and no re-delivery protection.
    #[serde(default, deserialize_with = "de_opt_id")]
    pub action_id: Option<String>,
    /// Who asked (the first voter's e-mail, or the CLI / module caller).
    #[serde(default)]
    pub user: Option<String>,
    /// What it targets.
    pub target: Target,
    /// MiningOS action name.
    pub action: String,
    /// Action parameters, without the trailing `{actionId, user}`.
    #[serde(default)]
    pub params: Vec<Value>,
}

fn de_opt_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(number_id(&n))),
        Some(other) => Err(serde::de::Error::custom(format!(
            "actionId must be a string or a number, not {other}"
        ))),
    }
}

impl ActionRequest {
    /// Builds a request from a `queryThing` call: `params` as the orchestrator sent them, whose last
    /// element may be the `{actionId, user}` object the ork appends (optional, miningos-rack.md §3.6).
    pub fn from_query_thing(target: Target, action: &str, params: Vec<Value>) -> Self {
        let (params, action_id, user) = split_trailing_meta(params);
        ActionRequest {
            action_id,
            user,
            target,
            action: action.to_string(),
            params,
        }
    }

    /// Checks ids and user.
    pub fn check(&self) -> Result<(), ActionError> {
        self.target.check()?;
        if let Some(id) = &self.action_id {
            check_id("actionId", id).map_err(ActionError::Request)?;
        }
        if let Some(u) = &self.user {
            check_id("user", u).map_err(ActionError::Request)?;
        }
        if self.action.is_empty() || self.action.len() > 64 {
            return Err(ActionError::Request(
                "action must be a name of 1..=64 bytes".into(),
            ));
        }
        Ok(())
    }
}

/// Text of a numeric action id. MiningOS ids are `Date.now()`; JavaScript hands them over as
/// doubles, so an integral double is written without a fraction (`1700000000001`, never
/// `1700000000001.0`), whichever way the id arrived.
pub fn number_id(n: &serde_json::Number) -> String {
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    match n.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
            format!("{f:.0}")
        }
        _ => n.to_string(),
    }
}

/// Splits the trailing `{actionId, user}` object off `params` (only when it is an object whose keys
/// are `actionId` and optionally `user`).
pub fn split_trailing_meta(mut params: Vec<Value>) -> (Vec<Value>, Option<String>, Option<String>) {
    let is_meta = match params.last() {
        Some(Value::Object(m)) => {
            m.contains_key("actionId") && m.keys().all(|k| k == "actionId" || k == "user")
        }
        _ => false,
    };
    if !is_meta {
        return (params, None, None);
    }
    let Some(Value::Object(m)) = params.pop() else {
        return (params, None, None);
    };
    let id = match m.get("actionId") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(number_id(n)),
        _ => None,
    };
    let user = m.get("user").and_then(Value::as_str).map(str::to_string);
    (params, id, user)
}

/// The result MiningOS expects from a thing action: `{success, error?, message?}` (plus `data`
/// where an action returns figures, e.g. `queryStats`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    /// Whether the action took effect.
    pub success: bool,
    /// `ERR_*` code when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Human-readable detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Action-specific data (figures, hook output, pool config without passwords).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ActionResult {
    /// A success.
    pub fn ok(message: impl Into<String>, data: Option<Value>) -> Self {
        ActionResult {
            success: true,
            error: None,
            message: Some(message.into()),
            data,
        }
    }

    /// A failure with a code.
    pub fn fail(code: impl Into<String>, message: impl Into<String>, data: Option<Value>) -> Self {
        ActionResult {
            success: false,
            error: Some(code.into()),
            message: Some(message.into()),
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trailing_meta_is_split_only_when_it_is_meta() {
        let (p, id, user) =
            split_trailing_meta(vec![json!("sleep"), json!({"actionId": 17, "user": "a@b"})]);
        assert_eq!(p, vec![json!("sleep")]);
        assert_eq!(id.as_deref(), Some("17"));
        assert_eq!(user.as_deref(), Some("a@b"));
        let (p, id, _) = split_trailing_meta(vec![json!({"config": {}})]);
        assert_eq!(p.len(), 1);
        assert!(id.is_none());
        let (p, id, _) = split_trailing_meta(vec![json!({"actionId": 1, "x": 2})]);
        assert_eq!(p.len(), 1);
        assert!(id.is_none());
    }

    #[test]
    fn integral_doubles_are_integer_ids() {
        let n = serde_json::Number::from_f64(1_700_000_000_001.0).unwrap_or(0.into());
        assert_eq!(number_id(&n), "1700000000001");
        let (_, id, _) = split_trailing_meta(vec![json!({"actionId": 1_700_000_000_001.0_f64})]);
        assert_eq!(id.as_deref(), Some("1700000000001"));
        let n = serde_json::Number::from_f64(1.5).unwrap_or(0.into());
        assert_eq!(number_id(&n), "1.5");
    }

    #[test]
    fn action_id_accepts_numbers_and_strings() {
        let r: ActionRequest = serde_json::from_value(json!({"actionId": 1700000000000u64,
            "target": {"kind": "miner", "id": "m1"}, "action": "reboot"}))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.action_id.as_deref(), Some("1700000000000"));
        assert!(
            serde_json::from_value::<ActionRequest>(json!({"actionId": [1],
            "target": {"kind": "miner", "id": "m1"}, "action": "reboot"}))
            .is_err()
        );
    }
}
