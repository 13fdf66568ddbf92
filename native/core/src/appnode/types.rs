//! Typed app-node requests and responses. Open parts stay `serde_json::Value`; unknown response
//! fields are kept (`extra`), so nothing app-node sends is lost. Request option structs refuse
//! unknown fields, so a typo is an error instead of a silently ignored filter.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// app-node's "one array per ork" reply shape.
pub type PerOrk<T> = Vec<Vec<T>>;

/// A rack as `GET /auth/list-racks` returns it (keys are never sent).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rack {
    /// Rack id, e.g. `miner-blvm-sv2-rack1`.
    pub id: String,
    /// Registered rack type.
    #[serde(rename = "type")]
    pub rack_type: String,
    /// Rack info.
    #[serde(default)]
    pub info: Value,
    /// Any other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A thing as `GET /auth/list-things` returns it (fields may be projected away by `fields`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Thing {
    /// Thing id.
    pub id: String,
    /// Thing type, e.g. `miner-blvm-sv2`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub thing_type: Option<String>,
    /// Tags (`t-miner`, `id-…`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Rack id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack: Option<String>,
    /// Any other field (`code`, `info`, `opts`, `last`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /auth/permissions`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    /// May write (holds `actions:w`).
    pub write: bool,
    /// Capabilities (permissions without their level).
    #[serde(default)]
    pub caps: Vec<String>,
    /// Super admin.
    #[serde(default)]
    pub super_admin: bool,
    /// Raw permissions.
    #[serde(default)]
    pub permissions: Value,
    /// Any other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /auth/miners` page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinersPage {
    /// Flattened miners.
    pub data: Vec<Value>,
    /// Total matching miners.
    pub total_count: u64,
    /// Offset of this page.
    #[serde(default)]
    pub offset: u64,
    /// Page size.
    #[serde(default)]
    pub limit: u64,
    /// More pages follow.
    #[serde(default)]
    pub has_more: bool,
    /// Any other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One element of the `POST /auth/actions/voting` reply (one per ork).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushedAction {
    /// Action id (a number in app-node).
    #[serde(default)]
    pub id: Value,
    /// Action data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Per-target errors.
    #[serde(default)]
    pub errors: Vec<Value>,
    /// Any other field.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Options of `GET /auth/list-things` (JSON values are sent as JSON query-string parameters).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListThingsQuery {
    /// mingo query, e.g. `{"tags":{"$in":["t-miner"]}}`.
    pub query: Option<Value>,
    /// Projection, e.g. `{"id":1,"last.snap.stats":1}`.
    pub fields: Option<Value>,
    /// Sort, e.g. `{"id":1}`.
    pub sort: Option<Value>,
    /// Offset.
    pub offset: Option<u64>,
    /// Limit.
    pub limit: Option<u64>,
    /// Status filter.
    pub status: Option<i64>,
    /// Bypass app-node's cache.
    pub overwrite_cache: Option<bool>,
}

/// Options of `GET /auth/miners`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MinersQuery {
    /// Filter (JSON).
    pub filter: Option<Value>,
    /// Free-text search.
    pub search: Option<String>,
    /// Sort (JSON).
    pub sort: Option<Value>,
    /// Projection (JSON).
    pub fields: Option<Value>,
    /// Offset.
    pub offset: Option<u64>,
    /// Limit.
    pub limit: Option<u64>,
    /// Bypass app-node's cache.
    pub overwrite_cache: Option<bool>,
}

/// Options of `GET /auth/tail-log` (`key` and `type` are required by the ork).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TailLogQuery {
    /// Log key, e.g. `stat-5m`.
    pub key: String,
    /// Thing type prefix, e.g. `miner`.
    #[serde(rename = "type")]
    pub thing_type: String,
    /// Tag, e.g. `t-miner`.
    pub tag: Option<String>,
    /// Start, ms.
    pub start: Option<u64>,
    /// End, ms.
    pub end: Option<u64>,
    /// Offset.
    pub offset: Option<u64>,
    /// Limit.
    pub limit: Option<u64>,
    /// Projection (JSON).
    pub fields: Option<Value>,
    /// Aggregated fields (JSON).
    pub aggr_fields: Option<Value>,
    /// Aggregation times (JSON).
    pub aggr_times: Option<Value>,
    /// Bypass app-node's cache.
    pub overwrite_cache: Option<bool>,
}

/// Options of `GET /auth/history-log`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryLogQuery {
    /// `alerts` or `info`.
    pub log_type: String,
    /// Start, ms.
    pub start: Option<u64>,
    /// End, ms.
    pub end: Option<u64>,
    /// Offset.
    pub offset: Option<u64>,
    /// Limit.
    pub limit: Option<u64>,
    /// mingo query (JSON).
    pub query: Option<Value>,
    /// Projection (JSON).
    pub fields: Option<Value>,
    /// Sort (JSON).
    pub sort: Option<Value>,
}

/// Body of `POST /auth/actions/voting`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionRequest {
    /// Which things (mingo query), e.g. `{"id":"…"}` or `{"tags":{"$in":["t-miner"]}}`.
    pub query: Value,
    /// Action name, e.g. `reboot`.
    pub action: String,
    /// Positional params.
    #[serde(default)]
    pub params: Vec<Value>,
    /// Restrict to racks of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_type: Option<String>,
}

/// Body of `POST /auth/actions/voting/batch`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionBatchRequest {
    /// The actions.
    pub batch_actions_payload: Vec<ActionRequest>,
    /// Caller-chosen batch id.
    #[serde(rename = "batchActionUID")]
    pub batch_action_uid: String,
}
