//! The request path every app-node call shares, and the typed calls on top of it.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::types::*;
use super::AppNodeError;
use crate::auth::provider::transport_reason;
use crate::auth::{check_url, AuthError, TokenManager, TokenStatus};
use crate::error::is_valid_code;
use crate::Coded;

/// app-node client settings (field names follow the `[http]` config section).
#[derive(Debug, Clone)]
pub struct AppNodeConfig {
    /// Base URL, e.g. `https://appnode.example:3000`.
    pub app_node_url: String,
    /// Allow plain http to non-loopback hosts.
    pub allow_insecure_http: bool,
    /// Retries for idempotent requests on timeouts, connection errors and 5xx.
    pub max_retries: u32,
    /// First backoff delay; doubles each retry (with ±25 % jitter), capped at 5 s.
    pub retry_base_ms: u64,
}

impl AppNodeConfig {
    /// Defaults: 3 retries from 200 ms.
    pub fn new(app_node_url: impl Into<String>) -> Self {
        Self {
            app_node_url: app_node_url.into(),
            allow_insecure_http: false,
            max_retries: 3,
            retry_base_ms: 200,
        }
    }
}

/// The app-node client. Cheap to clone (the HTTP client and token manager are shared).
#[derive(Clone)]
pub struct AppNodeClient {
    http: reqwest::Client,
    base: Url,
    tokens: TokenManager,
    max_retries: u32,
    retry_base_ms: u64,
}

impl fmt::Debug for AppNodeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppNodeClient")
            .field("base", &self.base.as_str())
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

/// One query-string parameter list.
type Query = Vec<(&'static str, String)>;

fn push_json(q: &mut Query, name: &'static str, v: &Option<Value>) {
    if let Some(v) = v {
        q.push((name, v.to_string()));
    }
}

fn push<T: ToString>(q: &mut Query, name: &'static str, v: &Option<T>) {
    if let Some(v) = v {
        q.push((name, v.to_string()));
    }
}

/// Parses a caller's options object into a typed query (unknown fields refused).
pub fn parse_options<T: DeserializeOwned + Default>(
    what: &'static str,
    v: Option<Value>,
) -> Result<T, AppNodeError> {
    match v {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v).map_err(|e| AppNodeError::InvalidArgument {
            what,
            reason: e.to_string(),
        }),
    }
}

fn typed<T: DeserializeOwned>(route: &str, v: Value) -> Result<T, AppNodeError> {
    serde_json::from_value(v).map_err(|e| AppNodeError::BadResponse {
        route: route.to_string(),
        reason: format!("unexpected shape: {e}"),
    })
}

fn back<T: Serialize>(route: &str, v: T) -> Result<Value, AppNodeError> {
    serde_json::to_value(v).map_err(|e| AppNodeError::BadResponse {
        route: route.to_string(),
        reason: e.to_string(),
    })
}

fn non_empty(what: &'static str, s: &str) -> Result<(), AppNodeError> {
    if s.trim().is_empty() {
        return Err(AppNodeError::InvalidArgument {
            what,
            reason: "must not be empty".into(),
        });
    }
    Ok(())
}

impl AppNodeClient {
    /// A client for `cfg.app_node_url` (https unless loopback or `allow_insecure_http`).
    pub fn new(
        cfg: AppNodeConfig,
        tokens: TokenManager,
        http: reqwest::Client,
    ) -> Result<Self, AppNodeError> {
        if cfg.app_node_url.trim().is_empty() {
            return Err(AppNodeError::NotConfigured);
        }
        let mut base = check_url(&cfg.app_node_url, "app_node_url", cfg.allow_insecure_http)?;
        if base.query().is_some() || base.fragment().is_some() {
            return Err(AppNodeError::Config {
                key: "app_node_url",
                reason: "must not have a query or fragment".into(),
            });
        }
        // Normalise so that path segments append: `https://h/x` and `https://h/x/` both work.
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        Ok(Self {
            http,
            base,
            tokens,
            max_retries: cfg.max_retries.min(10),
            retry_base_ms: cfg.retry_base_ms.clamp(1, 5_000),
        })
    }

    /// The token manager this client uses.
    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    fn url(&self, segments: &[&str], query: &Query) -> Result<Url, AppNodeError> {
        let mut url = self.base.clone();
        {
            let mut p = url.path_segments_mut().map_err(|_| AppNodeError::Config {
                key: "app_node_url",
                reason: "cannot be a base URL".into(),
            })?;
            p.pop_if_empty();
            p.extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .retry_base_ms
            .saturating_mul(1u64 << attempt.min(10))
            .min(5_000);
        let jitter = rand::random::<f64>() * 0.5 + 0.75;
        Duration::from_millis((base as f64 * jitter) as u64)
    }

    /// One app-node request with the shared policy (see the module doc). `segments` are path
    /// segments under the base URL (percent-encoded here); `idempotent` enables retries of
    /// timeouts and 5xx (connection failures, where nothing was sent, are retried for all).
    pub async fn request(
        &self,
        method: Method,
        segments: &[&str],
        query: Query,
        body: Option<Value>,
        idempotent: bool,
    ) -> Result<Value, AppNodeError> {
        let route = format!("{method} /{}", segments.join("/"));
        let url = self.url(segments, &query)?;
        let mut attempt: u32 = 0;
        let mut auth_retried = false;
        let mut bearer = self.tokens.bearer().await?;
        loop {
            attempt += 1;
            let started = Instant::now();
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&bearer);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let outcome = req.send().await;
            let resp = match outcome {
                Ok(r) => r,
                Err(e) => {
                    let reason = transport_reason(&e);
                    let retryable = idempotent || e.is_connect();
                    tracing::warn!(route = %route, attempt, reason = %reason, "app-node request failed");
                    if retryable && attempt <= self.max_retries {
                        tokio::time::sleep(self.backoff(attempt - 1)).await;
                        continue;
                    }
                    return Err(AppNodeError::Unavailable {
                        route,
                        attempts: attempt,
                        reason,
                    });
                }
            };
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await;
            tracing::debug!(route = %route, status, attempt, took_ms = started.elapsed().as_millis() as u64, "app-node reply");
            let bytes = match bytes {
                Ok(b) => b,
                Err(e) => {
                    let reason = transport_reason(&e);
                    if idempotent && attempt <= self.max_retries {
                        tokio::time::sleep(self.backoff(attempt - 1)).await;
                        continue;
                    }
                    return Err(AppNodeError::Unavailable {
                        route,
                        attempts: attempt,
                        reason,
                    });
                }
            };
            let json: Option<Value> = serde_json::from_slice(&bytes).ok();
            let message = json
                .as_ref()
                .and_then(|v| v.get("message"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let code = message.clone().filter(|m| is_valid_code(m));
            match status {
                200..=299 => {
                    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                        return Ok(Value::Null);
                    }
                    return json.ok_or_else(|| AppNodeError::BadResponse {
                        route,
                        reason: format!("the {}-byte body is not JSON", bytes.len()),
                    });
                }
                401 if code.as_deref() == Some("ERR_AUTH_FAIL_NO_PERMS") => {
                    return Err(AppNodeError::NoPerms { route })
                }
                401 if !auth_retried => {
                    auth_retried = true;
                    attempt -= 1;
                    bearer = self.tokens.on_unauthorized(&bearer).await.map_err(|e| {
                        AppNodeError::AuthFail {
                            route: route.clone(),
                            reason: format!("{} ({})", e, e.code()),
                        }
                    })?;
                    continue;
                }
                401 => {
                    return Err(AppNodeError::AuthFail {
                        route,
                        reason: format!(
                            "{} after a token refresh",
                            code.unwrap_or_else(|| "HTTP 401".into())
                        ),
                    })
                }
                403 => return Err(AppNodeError::NoPerms { route }),
                404 => return Err(AppNodeError::NotFound { route }),
                400..=499 => {
                    return Err(match code {
                        Some(code) => AppNodeError::Rejected { route, code },
                        None => AppNodeError::BadRequest {
                            route,
                            status,
                            message,
                        },
                    })
                }
                _ => {
                    let reason = format!("HTTP {status}");
                    if idempotent && attempt <= self.max_retries {
                        tracing::warn!(route = %route, attempt, status, "app-node server error; retrying");
                        tokio::time::sleep(self.backoff(attempt - 1)).await;
                        continue;
                    }
                    return Err(AppNodeError::Unavailable {
                        route,
                        attempts: attempt,
                        reason,
                    });
                }
            }
        }
    }

    async fn get(&self, segments: &[&str], query: Query) -> Result<Value, AppNodeError> {
        self.request(Method::GET, segments, query, None, true).await
    }

    /// `GET /auth/userinfo`: the token's user.
    pub async fn userinfo(&self) -> Result<Value, AppNodeError> {
        self.get(&["auth", "userinfo"], vec![]).await
    }

    /// `GET /auth/permissions`: `{write, caps, superAdmin, permissions}`.
    pub async fn permissions(&self) -> Result<Permissions, AppNodeError> {
        let v = self.get(&["auth", "permissions"], vec![]).await?;
        typed("GET /auth/permissions", v)
    }

    /// `GET /auth/list-racks?type=`: racks, one array per ork.
    pub async fn list_racks(&self, rack_type: Option<&str>) -> Result<PerOrk<Rack>, AppNodeError> {
        let mut q = Query::new();
        if let Some(t) = rack_type {
            non_empty("type", t)?;
            q.push(("type", t.to_string()));
        }
        let v = self.get(&["auth", "list-racks"], q).await?;
        typed("GET /auth/list-racks", v)
    }

    /// `GET /auth/list-things`: things, one array per ork.
    pub async fn list_things(&self, o: &ListThingsQuery) -> Result<PerOrk<Thing>, AppNodeError> {
        let mut q = Query::new();
        push_json(&mut q, "query", &o.query);
        push_json(&mut q, "fields", &o.fields);
        push_json(&mut q, "sort", &o.sort);
        push(&mut q, "offset", &o.offset);
        push(&mut q, "limit", &o.limit);
        push(&mut q, "status", &o.status);
        push(&mut q, "overwriteCache", &o.overwrite_cache);
        let v = self.get(&["auth", "list-things"], q).await?;
        typed("GET /auth/list-things", v)
    }

    /// `GET /auth/miners`: one page of flattened miners.
    pub async fn miners(&self, o: &MinersQuery) -> Result<MinersPage, AppNodeError> {
        let mut q = Query::new();
        push_json(&mut q, "filter", &o.filter);
        push(&mut q, "search", &o.search);
        push_json(&mut q, "sort", &o.sort);
        push_json(&mut q, "fields", &o.fields);
        push(&mut q, "offset", &o.offset);
        push(&mut q, "limit", &o.limit);
        push(&mut q, "overwriteCache", &o.overwrite_cache);
        let v = self.get(&["auth", "miners"], q).await?;
        typed("GET /auth/miners", v)
    }

    /// `GET /auth/tail-log`: log entries, one array per ork.
    pub async fn tail_log(&self, o: &TailLogQuery) -> Result<PerOrk<Value>, AppNodeError> {
        non_empty("key", &o.key)?;
        non_empty("type", &o.thing_type)?;
        let mut q: Query = vec![("key", o.key.clone()), ("type", o.thing_type.clone())];
        push(&mut q, "tag", &o.tag);
        push(&mut q, "start", &o.start);
        push(&mut q, "end", &o.end);
        push(&mut q, "offset", &o.offset);
        push(&mut q, "limit", &o.limit);
        push_json(&mut q, "fields", &o.fields);
        push_json(&mut q, "aggrFields", &o.aggr_fields);
        push_json(&mut q, "aggrTimes", &o.aggr_times);
        push(&mut q, "overwriteCache", &o.overwrite_cache);
        let v = self.get(&["auth", "tail-log"], q).await?;
        typed("GET /auth/tail-log", v)
    }

    /// `GET /auth/tail-log/multi?keys=[...]`: several tail-log queries at once (app-node's shape).
    pub async fn tail_log_multi(&self, keys: &[Value]) -> Result<Value, AppNodeError> {
        if keys.is_empty() {
            return Err(AppNodeError::InvalidArgument {
                what: "keys",
                reason: "at least one tail-log query".into(),
            });
        }
        let q = vec![("keys", Value::Array(keys.to_vec()).to_string())];
        self.get(&["auth", "tail-log", "multi"], q).await
    }

    /// `GET /auth/ext-data?type=&query=`: raw ext data, one array per ork.
    pub async fn ext_data(
        &self,
        data_type: &str,
        query: Option<&Value>,
    ) -> Result<PerOrk<Value>, AppNodeError> {
        non_empty("type", data_type)?;
        let mut q: Query = vec![("type", data_type.to_string())];
        if let Some(v) = query {
            q.push(("query", v.to_string()));
        }
        let v = self.get(&["auth", "ext-data"], q).await?;
        typed("GET /auth/ext-data", v)
    }

    /// `GET /auth/history-log`: alerts / info history, one array per ork.
    pub async fn history_log(&self, o: &HistoryLogQuery) -> Result<PerOrk<Value>, AppNodeError> {
        if o.log_type != "alerts" && o.log_type != "info" {
            return Err(AppNodeError::InvalidArgument {
                what: "logType",
                reason: format!("{:?}: expected \"alerts\" or \"info\"", o.log_type),
            });
        }
        let mut q: Query = vec![("logType", o.log_type.clone())];
        push(&mut q, "start", &o.start);
        push(&mut q, "end", &o.end);
        push(&mut q, "offset", &o.offset);
        push(&mut q, "limit", &o.limit);
        push_json(&mut q, "query", &o.query);
        push_json(&mut q, "fields", &o.fields);
        push_json(&mut q, "sort", &o.sort);
        let v = self.get(&["auth", "history-log"], q).await?;
        typed("GET /auth/history-log", v)
    }

    /// `GET /auth/settings?rackId=`: `[{success: settings}]`.
    pub async fn get_settings(&self, rack_id: &str) -> Result<Value, AppNodeError> {
        non_empty("rackId", rack_id)?;
        self.get(&["auth", "settings"], vec![("rackId", rack_id.to_string())])
            .await
    }

    /// `PUT /auth/settings {rackId, entries}` (idempotent: retried on 5xx).
    pub async fn put_settings(&self, rack_id: &str, entries: Value) -> Result<Value, AppNodeError> {
        non_empty("rackId", rack_id)?;
        if !entries.is_object() {
            return Err(AppNodeError::InvalidArgument {
                what: "entries",
                reason: "must be an object".into(),
            });
        }
        let body = serde_json::json!({ "rackId": rack_id, "entries": entries });
        self.request(Method::PUT, &["auth", "settings"], vec![], Some(body), true)
            .await
    }

    /// `POST /auth/actions/voting {query, action, params, rackType?}`: one result per ork.
    /// Never retried after it was sent (a retry could create a second action).
    pub async fn push_action(&self, a: &ActionRequest) -> Result<Vec<PushedAction>, AppNodeError> {
        non_empty("action", &a.action)?;
        if !a.query.is_object() {
            return Err(AppNodeError::InvalidArgument {
                what: "query",
                reason: "must be an object (a mingo query)".into(),
            });
        }
        let body = back("POST /auth/actions/voting", a)?;
        let v = self
            .request(
                Method::POST,
                &["auth", "actions", "voting"],
                vec![],
                Some(body),
                false,
            )
            .await?;
        typed("POST /auth/actions/voting", v)
    }

    /// `POST /auth/actions/voting/batch {batchActionsPayload, batchActionUID}`.
    pub async fn push_actions_batch(&self, b: &ActionBatchRequest) -> Result<Value, AppNodeError> {
        non_empty("batchActionUID", &b.batch_action_uid)?;
        if b.batch_actions_payload.is_empty() {
            return Err(AppNodeError::InvalidArgument {
                what: "batchActionsPayload",
                reason: "at least one action".into(),
            });
        }
        let body = back("POST /auth/actions/voting/batch", b)?;
        self.request(
            Method::POST,
            &["auth", "actions", "voting", "batch"],
            vec![],
            Some(body),
            false,
        )
        .await
    }

    /// `PUT /auth/actions/voting/:id/vote {approve}`. Not retried on 5xx (a vote is not
    /// safely repeatable on every app-node version).
    pub async fn vote_action(&self, id: &str, approve: bool) -> Result<Value, AppNodeError> {
        non_empty("id", id)?;
        let body = serde_json::json!({ "approve": approve });
        self.request(
            Method::PUT,
            &["auth", "actions", "voting", id, "vote"],
            vec![],
            Some(body),
            false,
        )
        .await
    }

    /// `DELETE /auth/actions/voting/cancel?ids=1,2`.
    pub async fn cancel_actions(&self, ids: &[String]) -> Result<Value, AppNodeError> {
        if ids.is_empty() || ids.iter().any(|i| i.trim().is_empty() || i.contains(',')) {
            return Err(AppNodeError::InvalidArgument {
                what: "ids",
                reason: "one or more non-empty ids without commas".into(),
            });
        }
        let q = vec![("ids", ids.join(","))];
        self.request(
            Method::DELETE,
            &["auth", "actions", "voting", "cancel"],
            q,
            None,
            false,
        )
        .await
    }

    /// `GET /auth/actions?queries=[...]&groupBatch`: `[{voting:[…], done:[…]}]`.
    pub async fn query_actions(
        &self,
        queries: &[Value],
        group_batch: Option<bool>,
    ) -> Result<Value, AppNodeError> {
        if queries.is_empty() {
            return Err(AppNodeError::InvalidArgument {
                what: "queries",
                reason: "at least one query ({type: 'voting'|'ready'|'executing'|'done', ...})"
                    .into(),
            });
        }
        let mut q = vec![("queries", Value::Array(queries.to_vec()).to_string())];
        push(&mut q, "groupBatch", &group_batch);
        self.get(&["auth", "actions"], q).await
    }

    /// `GET /auth/actions/batch?ids=`.
    pub async fn get_actions_batch(&self, ids: &[String]) -> Result<Value, AppNodeError> {
        if ids.is_empty() {
            return Err(AppNodeError::InvalidArgument {
                what: "ids",
                reason: "at least one id".into(),
            });
        }
        self.get(&["auth", "actions", "batch"], vec![("ids", ids.join(","))])
            .await
    }

    /// `GET /auth/actions/:type/:id`.
    pub async fn get_action(&self, action_type: &str, id: &str) -> Result<Value, AppNodeError> {
        non_empty("type", action_type)?;
        non_empty("id", id)?;
        self.get(&["auth", "actions", action_type, id], vec![])
            .await
    }

    /// `POST /auth/token` now (app-node provider) or an OAuth2 refresh: renews the token and
    /// returns its status. The token itself never leaves the addon.
    pub async fn renew_token(&self) -> Result<TokenStatus, AppNodeError> {
        self.tokens
            .refresh_now()
            .await
            .map_err(|e: AuthError| e.into())
    }
}
