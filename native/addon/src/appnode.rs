//! `AppNodeClient` for JavaScript: OAuth2 login / status / logout and the app-node REST calls.
//! Thin wrappers over `blvm_miningos_core::{auth, appnode}`; every async method returns a Promise
//! whose rejection carries `err.code` (app-node's own `ERR_*` codes are passed through).

use std::path::PathBuf;
use std::time::Duration;

use blvm_miningos_core::appnode::{
    parse_options, ActionBatchRequest, ActionRequest, AppNodeClient as CoreClient, AppNodeConfig,
    AppNodeError, HistoryLogQuery, ListThingsQuery, MinersQuery, TailLogQuery,
};
use blvm_miningos_core::auth::{
    http_client, AuthConfig, ProviderKind, Secret, TokenManager, DEFAULT_TOKEN_CACHE_FILE,
    ENV_APP_NODE_TOKEN, ENV_CLIENT_SECRET,
};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

use crate::errors::{spawn_coded, CodeStatus, CodedError};

/// Options of `new AppNodeClient(options)`. Names follow the `[http]` config keys in camelCase.
/// Secrets are never options: they come from `MININGOS_OAUTH_CLIENT_SECRET` /
/// `MININGOS_APP_NODE_TOKEN` or the 0600 files named here.
#[napi(object)]
pub struct AppNodeOptions {
    /// The module's data dir (the token cache lives inside it).
    pub data_dir: String,
    /// app-node base URL (needed for the REST calls and the `app-node` provider).
    pub app_node_url: Option<String>,
    /// `google` | `oidc` | `custom` | `app-node` (default `app-node`).
    pub oauth_provider: Option<String>,
    /// Issuer for `oidc`.
    pub oauth_issuer: Option<String>,
    /// Device authorization endpoint for `custom`.
    pub oauth_device_authorization_url: Option<String>,
    /// Token endpoint for `custom`.
    pub oauth_token_url: Option<String>,
    /// OAuth2 client id.
    pub oauth_client_id: Option<String>,
    /// Scopes (default: the provider's).
    pub oauth_scopes: Option<Vec<String>>,
    /// File holding the client secret (0600), when the env var is not set.
    pub oauth_client_secret_file: Option<String>,
    /// File holding the app-node bootstrap token (0600), when the env var is not set.
    pub app_node_token_file: Option<String>,
    /// app-node token lifetime (its `a0.ttl`), seconds; default 300.
    pub app_node_token_ttl_seconds: Option<u32>,
    /// Token cache file relative to `dataDir` (default `miningos-token.json`); `""` disables it.
    pub token_cache_file: Option<String>,
    /// Per-request timeout, seconds (default 30).
    pub request_timeout_seconds: Option<u32>,
    /// Allow plain http to non-loopback hosts (default false).
    pub allow_insecure_http: Option<bool>,
    /// Retries of idempotent requests (default 3).
    pub max_retries: Option<u32>,
    /// First retry delay, ms (default 200).
    pub retry_base_ms: Option<u32>,
    /// Renew the token in the background before it expires, even when idle (default true;
    /// needed for app-node tokens, which cannot be renewed once expired).
    pub background_refresh: Option<bool>,
}

fn app_err(e: AppNodeError) -> CodedError {
    CodedError::new(e.wire_code(), e.to_string())
}

fn to_json<T: Serialize>(v: T) -> Result<Value, CodedError> {
    serde_json::to_value(v).map_err(|e| CodedError::new("ERR_APPNODE_BAD_RESPONSE", e.to_string()))
}

fn build(o: AppNodeOptions) -> Result<(TokenManager, Option<CoreClient>), CodedError> {
    if o.data_dir.trim().is_empty() {
        return Err(CodedError::new("ERR_AUTH_CONFIG", "dataDir is required"));
    }
    let provider: ProviderKind = o.oauth_provider.as_deref().unwrap_or("app-node").parse()?;
    let timeout = u64::from(o.request_timeout_seconds.unwrap_or(30).max(1));
    let insecure = o.allow_insecure_http.unwrap_or(false);
    let mut cfg = AuthConfig::new(provider, PathBuf::from(&o.data_dir));
    cfg.oauth_issuer = o.oauth_issuer;
    cfg.oauth_device_authorization_url = o.oauth_device_authorization_url;
    cfg.oauth_token_url = o.oauth_token_url;
    cfg.oauth_client_id = o.oauth_client_id;
    cfg.oauth_scopes = o.oauth_scopes.unwrap_or_default();
    cfg.app_node_url = o.app_node_url.clone().filter(|u| !u.trim().is_empty());
    // Only the secret the provider uses is loaded (and so checked).
    if provider == ProviderKind::AppNode {
        cfg.app_node_token = Secret::load(
            ENV_APP_NODE_TOKEN,
            o.app_node_token_file.as_deref().map(std::path::Path::new),
        )?;
    } else {
        cfg.oauth_client_secret = Secret::load(
            ENV_CLIENT_SECRET,
            o.oauth_client_secret_file
                .as_deref()
                .map(std::path::Path::new),
        )?;
    }
    if let Some(t) = o.app_node_token_ttl_seconds {
        cfg.app_node_token_ttl_seconds = u64::from(t);
    }
    cfg.token_cache_file = match o.token_cache_file {
        Some(f) if f.is_empty() => None,
        Some(f) => Some(f),
        None => Some(DEFAULT_TOKEN_CACHE_FILE.to_string()),
    };
    cfg.request_timeout_seconds = timeout;
    cfg.allow_insecure_http = insecure;
    let http = http_client(Duration::from_secs(timeout))?;
    let tokens = TokenManager::new(cfg.clone(), http.clone())?;
    if o.background_refresh.unwrap_or(true) {
        // Ends by itself once this client (and so the token manager) is garbage collected.
        napi::bindgen_prelude::spawn(tokens.keepalive());
    }
    let client = match cfg.app_node_url {
        Some(url) => {
            let mut c = AppNodeConfig::new(url);
            c.allow_insecure_http = insecure;
            if let Some(r) = o.max_retries {
                c.max_retries = r;
            }
            if let Some(b) = o.retry_base_ms {
                c.retry_base_ms = u64::from(b);
            }
            Some(CoreClient::new(c, tokens.clone(), http).map_err(app_err)?)
        }
        None => None,
    };
    Ok((tokens, client))
}

/// The MiningOS app-node client with its OAuth2 / app-node token manager.
#[napi(js_name = "AppNodeClient")]
pub struct JsAppNodeClient {
    tokens: TokenManager,
    client: Option<CoreClient>,
}

macro_rules! rest {
    ($self:ident, $env:ident, |$c:ident| $body:expr) => {{
        let client = $self.client.clone();
        spawn_coded($env, async move {
            let $c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            let v = $body.await.map_err(app_err)?;
            to_json(v)
        })
    }};
}

fn opts<T: serde::de::DeserializeOwned + Default>(
    what: &'static str,
    v: Option<Value>,
) -> Result<T, CodedError> {
    parse_options(what, v).map_err(app_err)
}

fn arg<T: serde::de::DeserializeOwned>(what: &'static str, v: Value) -> Result<T, CodedError> {
    serde_json::from_value(v)
        .map_err(|e| CodedError::new("ERR_APPNODE_INVALID_ARGUMENT", format!("{what}: {e}")))
}

#[napi]
impl JsAppNodeClient {
    /// Builds the client: checks URLs (https unless loopback), loads secrets from env / 0600
    /// files, and loads the token cache (refused with `ERR_TOKEN_CACHE_PERMS` when others can
    /// read it). Throws a coded error on bad options.
    #[napi(constructor)]
    pub fn new(options: AppNodeOptions) -> napi::Result<Self, CodeStatus> {
        let (tokens, client) = build(options).map_err(CodedError::into_napi)?;
        Ok(Self { tokens, client })
    }

    /// Starts an RFC 8628 device login. Resolves `{verificationUri, verificationUriComplete,
    /// userCode, expiresIn, interval}` to show the operator.
    #[napi(
        ts_return_type = "Promise<{ verificationUri: string, verificationUriComplete: string | null, userCode: string, expiresIn: number, interval: number }>"
    )]
    pub fn start_device_login<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        let t = self.tokens.clone();
        spawn_coded(env, async move { to_json(t.start_device_login().await?) })
    }

    /// Waits (polling) until the started device login is approved, denied or expired; caches the
    /// token and resolves the token status.
    #[napi(
        ts_return_type = "Promise<{ provider: string, loggedIn: boolean, kind: string | null, scope: string | null, expiresAt: number | null, expiresIn: number | null, refreshDue: boolean, hasRefreshToken: boolean, cacheFile: string | null, refreshes: number }>"
    )]
    pub fn wait_device_login<'e>(
        &self,
        env: &'e Env,
        timeout_seconds: Option<u32>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let t = self.tokens.clone();
        let timeout = timeout_seconds.map(|s| Duration::from_secs(u64::from(s)));
        spawn_coded(env, async move {
            to_json(t.finish_device_login(timeout).await?)
        })
    }

    /// Obtains a new token now without a person (refresh token, client credentials, or app-node
    /// `POST /auth/token`) and resolves the token status. The token never reaches JavaScript.
    #[napi(
        ts_return_type = "Promise<{ provider: string, loggedIn: boolean, kind: string | null, scope: string | null, expiresAt: number | null, expiresIn: number | null, refreshDue: boolean, hasRefreshToken: boolean, cacheFile: string | null, refreshes: number }>"
    )]
    pub fn refresh_token<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        let t = self.tokens.clone();
        spawn_coded(env, async move { to_json(t.refresh_now().await?) })
    }

    /// The token status: provider, kind, expiry, refresh due, cache file (never the token).
    #[napi(
        ts_return_type = "Promise<{ provider: string, loggedIn: boolean, kind: string | null, scope: string | null, expiresAt: number | null, expiresIn: number | null, refreshDue: boolean, hasRefreshToken: boolean, cacheFile: string | null, refreshes: number }>"
    )]
    pub fn oauth_status<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        let t = self.tokens.clone();
        spawn_coded(env, async move { to_json(t.status().await) })
    }

    /// Forgets the token and deletes the cache; resolves whether there was one.
    #[napi(ts_return_type = "Promise<boolean>")]
    pub fn logout<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, bool>> {
        let t = self.tokens.clone();
        spawn_coded(env, async move { Ok(t.logout().await?) })
    }

    /// `GET /auth/userinfo`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn userinfo<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.userinfo())
    }

    /// `GET /auth/permissions`: `{write, caps, superAdmin, permissions}`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn permissions<'e>(&self, env: &'e Env) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.permissions())
    }

    /// `GET /auth/list-racks?type=`: `[[{id, type, info}]]`, one array per ork.
    #[napi(ts_return_type = "Promise<any[][]>")]
    pub fn list_racks<'e>(
        &self,
        env: &'e Env,
        rack_type: Option<String>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.list_racks(rack_type.as_deref()))
    }

    /// `GET /auth/list-things`: options `{query, fields, sort, offset, limit, status,
    /// overwriteCache}` (objects are sent as JSON); `[[thing]]`, one array per ork.
    #[napi(
        ts_return_type = "Promise<any[][]>",
        ts_args_type = "options?: { query?: object, fields?: object, sort?: object, offset?: number, limit?: number, status?: number, overwriteCache?: boolean }"
    )]
    pub fn list_things<'e>(
        &self,
        env: &'e Env,
        options: Option<Value>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let q = opts::<ListThingsQuery>("listThings options", options);
        let client = self.client.clone();
        spawn_coded(env, async move {
            let c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            to_json(c.list_things(&q?).await.map_err(app_err)?)
        })
    }

    /// `GET /auth/miners`: options `{filter, search, sort, fields, offset, limit,
    /// overwriteCache}`; `{data, totalCount, offset, limit, hasMore}`.
    #[napi(
        ts_return_type = "Promise<any>",
        ts_args_type = "options?: { filter?: object, search?: string, sort?: object, fields?: object, offset?: number, limit?: number, overwriteCache?: boolean }"
    )]
    pub fn miners<'e>(
        &self,
        env: &'e Env,
        options: Option<Value>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let q = opts::<MinersQuery>("miners options", options);
        let client = self.client.clone();
        spawn_coded(env, async move {
            let c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            to_json(c.miners(&q?).await.map_err(app_err)?)
        })
    }

    /// `GET /auth/tail-log`: options `{key, type, tag, start, end, offset, limit, fields,
    /// aggrFields, aggrTimes}` (`key` and `type` required); one array per ork.
    #[napi(
        ts_return_type = "Promise<any[][]>",
        ts_args_type = "options: { key: string, type: string, tag?: string, start?: number, end?: number, offset?: number, limit?: number, fields?: object, aggrFields?: object, aggrTimes?: unknown, overwriteCache?: boolean }"
    )]
    pub fn tail_log<'e>(
        &self,
        env: &'e Env,
        options: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let q = arg::<TailLogQuery>("tailLog options", options);
        let client = self.client.clone();
        spawn_coded(env, async move {
            let c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            to_json(c.tail_log(&q?).await.map_err(app_err)?)
        })
    }

    /// `GET /auth/tail-log/multi?keys=[...]`.
    #[napi(ts_return_type = "Promise<any>", ts_args_type = "keys: object[]")]
    pub fn tail_log_multi<'e>(
        &self,
        env: &'e Env,
        keys: Vec<Value>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.tail_log_multi(&keys))
    }

    /// `GET /auth/ext-data?type=&query=`: raw ext data, one array per ork.
    #[napi(
        ts_return_type = "Promise<any[][]>",
        ts_args_type = "dataType: string, query?: object"
    )]
    pub fn ext_data<'e>(
        &self,
        env: &'e Env,
        data_type: String,
        query: Option<Value>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.ext_data(&data_type, query.as_ref()))
    }

    /// `GET /auth/history-log`: options `{logType: 'alerts'|'info', start, end, offset, limit,
    /// query, fields, sort}`; one array per ork.
    #[napi(
        ts_return_type = "Promise<any[][]>",
        ts_args_type = "options: { logType: 'alerts' | 'info', start?: number, end?: number, offset?: number, limit?: number, query?: object, fields?: object, sort?: object }"
    )]
    pub fn history_log<'e>(
        &self,
        env: &'e Env,
        options: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let q = arg::<HistoryLogQuery>("historyLog options", options);
        let client = self.client.clone();
        spawn_coded(env, async move {
            let c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            to_json(c.history_log(&q?).await.map_err(app_err)?)
        })
    }

    /// `GET /auth/settings?rackId=`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn get_settings<'e>(
        &self,
        env: &'e Env,
        rack_id: String,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.get_settings(&rack_id))
    }

    /// `PUT /auth/settings {rackId, entries}`.
    #[napi(
        ts_return_type = "Promise<any>",
        ts_args_type = "rackId: string, entries: Record<string, unknown>"
    )]
    pub fn put_settings<'e>(
        &self,
        env: &'e Env,
        rack_id: String,
        entries: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.put_settings(&rack_id, entries))
    }

    /// `POST /auth/actions/voting {query, action, params, rackType?}`: `[{id, data, errors}]`.
    #[napi(
        ts_return_type = "Promise<any[]>",
        ts_args_type = "request: { query: object, action: string, params?: unknown[], rackType?: string }"
    )]
    pub fn push_action<'e>(
        &self,
        env: &'e Env,
        request: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let r = arg::<ActionRequest>("pushAction request", request);
        let client = self.client.clone();
        spawn_coded(env, async move {
            let c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            to_json(c.push_action(&r?).await.map_err(app_err)?)
        })
    }

    /// `POST /auth/actions/voting/batch {batchActionsPayload, batchActionUID}`.
    #[napi(
        ts_return_type = "Promise<any>",
        ts_args_type = "request: { batchActionsPayload: Array<{ query: object, action: string, params?: unknown[], rackType?: string }>, batchActionUID: string }"
    )]
    pub fn push_actions_batch<'e>(
        &self,
        env: &'e Env,
        request: Value,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        let r = arg::<ActionBatchRequest>("pushActionsBatch request", request);
        let client = self.client.clone();
        spawn_coded(env, async move {
            let c = client.ok_or_else(|| app_err(AppNodeError::NotConfigured))?;
            to_json(c.push_actions_batch(&r?).await.map_err(app_err)?)
        })
    }

    /// `PUT /auth/actions/voting/:id/vote {approve}`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn vote_action<'e>(
        &self,
        env: &'e Env,
        id: String,
        approve: bool,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.vote_action(&id, approve))
    }

    /// `DELETE /auth/actions/voting/cancel?ids=`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn cancel_actions<'e>(
        &self,
        env: &'e Env,
        ids: Vec<String>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.cancel_actions(&ids))
    }

    /// `GET /auth/actions?queries=[...]&groupBatch`.
    #[napi(
        ts_return_type = "Promise<any>",
        ts_args_type = "queries: Array<{ type: 'voting' | 'ready' | 'executing' | 'done' | string, filter?: object, opts?: object, query?: object, fields?: object }>, groupBatch?: boolean"
    )]
    pub fn query_actions<'e>(
        &self,
        env: &'e Env,
        queries: Vec<Value>,
        group_batch: Option<bool>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.query_actions(&queries, group_batch))
    }

    /// `GET /auth/actions/batch?ids=`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn get_actions_batch<'e>(
        &self,
        env: &'e Env,
        ids: Vec<String>,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.get_actions_batch(&ids))
    }

    /// `GET /auth/actions/:type/:id`.
    #[napi(ts_return_type = "Promise<any>")]
    pub fn get_action<'e>(
        &self,
        env: &'e Env,
        action_type: String,
        id: String,
    ) -> napi::Result<PromiseRaw<'e, Value>> {
        rest!(self, env, |c| c.get_action(&action_type, &id))
    }
}
