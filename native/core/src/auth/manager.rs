//! The token manager: one current token, refreshed ahead of expiry and once on a 401, with one
//! shared refresh for concurrent callers (they queue on one async lock and find the fresh token),
//! persisted to the token cache after every change.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::Serialize;
use tokio::sync::{Mutex, Notify, OnceCell};

use super::appnode_token::AppNodeRenewer;
use super::cache::{CacheEntry, TokenCache};
use super::oauth::{OAuthClient, PendingDevice};
use super::provider::{self, check_url, ProviderKind};
use super::{now_ms, AuthConfig, AuthError, DevicePrompt, Token};
use crate::Coded;

/// Something that produces a new token from the current one (which may be expired or just
/// rejected). The manager guarantees at most one call at a time.
pub trait Renewer: Send + Sync {
    /// Obtains a new token. `rejected` is true when app-node just refused `current`.
    fn renew<'a>(
        &'a self,
        current: Option<&'a Token>,
        rejected: bool,
    ) -> BoxFuture<'a, Result<Token, AuthError>>;
}

/// What `oauth-status` shows: never a token.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatus {
    /// Provider (`google`, `oidc`, `custom`, `app-node`).
    pub provider: String,
    /// True when a token is held (it may still need a refresh).
    pub logged_in: bool,
    /// How the token was obtained (`device`, `refresh`, `client_credentials`, `app_node`).
    pub kind: Option<String>,
    /// Granted scopes.
    pub scope: Option<String>,
    /// Expiry, Unix ms.
    pub expires_at: Option<u64>,
    /// Seconds of life left (0 when expired).
    pub expires_in: Option<u64>,
    /// True when the next use will refresh it first.
    pub refresh_due: bool,
    /// True when a refresh token is held.
    pub has_refresh_token: bool,
    /// The cache file, if any.
    pub cache_file: Option<String>,
    /// Tokens obtained by this manager since it started (refreshes and logins).
    pub refreshes: u64,
}

enum Source {
    OAuth {
        cfg: Box<AuthConfig>,
        http: reqwest::Client,
        client: OnceCell<Arc<OAuthClient>>,
    },
    AppNode(AppNodeRenewer),
    Custom(Box<dyn Renewer>),
}

struct State {
    token: Option<Token>,
    /// The last token the server or provider refused for good: never re-adopted from the cache.
    dead: Option<String>,
}

struct Inner {
    provider: ProviderKind,
    issuer_key: String,
    cache: Option<TokenCache>,
    source: Source,
    state: Mutex<State>,
    pending: Mutex<Option<PendingDevice>>,
    refreshes: AtomicU64,
    /// Woken whenever the token changes (login, refresh), for the keepalive task.
    changed: Arc<Notify>,
}

/// Shared handle to the token manager (cheap to clone).
#[derive(Clone)]
pub struct TokenManager {
    inner: Arc<Inner>,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("provider", &self.inner.provider)
            .field("issuer_key", &self.inner.issuer_key)
            .field("cache", &self.inner.cache)
            .finish_non_exhaustive()
    }
}

fn cache_for(cfg: &AuthConfig) -> Result<Option<TokenCache>, AuthError> {
    cfg.token_cache_file
        .as_deref()
        .map(|f| TokenCache::new(&cfg.data_dir, f))
        .transpose()
}

impl TokenManager {
    /// Builds the manager for `cfg`, checks its URLs and loads the token cache. A cache with
    /// loose permissions is refused here (`ERR_TOKEN_CACHE_PERMS`); a corrupt one is ignored
    /// (logged) and overwritten at the next refresh.
    pub fn new(cfg: AuthConfig, http: reqwest::Client) -> Result<Self, AuthError> {
        let insecure = cfg.allow_insecure_http;
        let cache = cache_for(&cfg)?;
        let provider = cfg.oauth_provider;
        let (issuer_key, source) = match provider {
            ProviderKind::AppNode => {
                let raw = cfg.app_node_url.as_deref().ok_or(AuthError::Config {
                    key: "app_node_url",
                    reason: "required for oauth_provider = \"app-node\"".into(),
                })?;
                let url = check_url(raw, "app_node_url", insecure)?;
                let key = format!("app-node|{}", url.as_str().trim_end_matches('/'));
                let renewer = AppNodeRenewer::new(
                    http,
                    url,
                    cfg.app_node_token.clone(),
                    cfg.app_node_token_ttl_seconds,
                );
                (key, Source::AppNode(renewer))
            }
            _ => {
                let client_id = cfg
                    .oauth_client_id
                    .clone()
                    .filter(|c| !c.trim().is_empty())
                    .ok_or(AuthError::Config {
                        key: "oauth_client_id",
                        reason: format!("required for oauth_provider = \"{}\"", provider.as_str()),
                    })?;
                let where_ = match provider {
                    ProviderKind::Oidc => check_url(
                        cfg.oauth_issuer.as_deref().ok_or(AuthError::Config {
                            key: "oauth_issuer",
                            reason: "required for oauth_provider = \"oidc\"".into(),
                        })?,
                        "oauth_issuer",
                        insecure,
                    )?
                    .to_string(),
                    ProviderKind::Custom => {
                        if let Some(d) = cfg.oauth_device_authorization_url.as_deref() {
                            check_url(d, "oauth_device_authorization_url", insecure)?;
                        }
                        check_url(
                            cfg.oauth_token_url.as_deref().ok_or(AuthError::Config {
                                key: "oauth_token_url",
                                reason: "required for oauth_provider = \"custom\"".into(),
                            })?,
                            "oauth_token_url",
                            insecure,
                        )?
                        .to_string()
                    }
                    _ => provider::GOOGLE_TOKEN_URL.to_string(),
                };
                let key = format!(
                    "{}|{}|{}",
                    provider.as_str(),
                    where_.trim_end_matches('/'),
                    client_id
                );
                let source = Source::OAuth {
                    cfg: Box::new(cfg.clone()),
                    http,
                    client: OnceCell::new(),
                };
                (key, source)
            }
        };
        Self::assemble(provider, issuer_key, cache, source)
    }

    /// A manager over a custom [`Renewer`] (tests, or tokens obtained some other way).
    pub fn with_renewer(
        provider: ProviderKind,
        issuer_key: String,
        cache: Option<TokenCache>,
        renewer: Box<dyn Renewer>,
    ) -> Result<Self, AuthError> {
        Self::assemble(provider, issuer_key, cache, Source::Custom(renewer))
    }

    fn assemble(
        provider: ProviderKind,
        issuer_key: String,
        cache: Option<TokenCache>,
        source: Source,
    ) -> Result<Self, AuthError> {
        let token = match cache.as_ref().map(|c| (c, c.load())) {
            None => None,
            Some((_, Ok(Some(e)))) if e.issuer_key == issuer_key => Some(e.token),
            Some((c, Ok(Some(_)))) => {
                tracing::info!(cache = %c.path().display(), "token cache is for another provider or client: ignored");
                None
            }
            Some((_, Ok(None))) => None,
            Some((_, Err(e @ AuthError::Permissions { .. }))) => return Err(e),
            Some((_, Err(e))) => {
                tracing::warn!(code = e.code(), error = %e, "token cache unusable: ignored (it is rewritten at the next refresh)");
                None
            }
        };
        Ok(TokenManager {
            inner: Arc::new(Inner {
                provider,
                issuer_key,
                cache,
                source,
                state: Mutex::new(State { token, dead: None }),
                pending: Mutex::new(None),
                refreshes: AtomicU64::new(0),
                changed: Arc::new(Notify::new()),
            }),
        })
    }

    /// The provider.
    pub fn provider(&self) -> ProviderKind {
        self.inner.provider
    }

    /// A bearer token valid for a while: the current one, or a fresh one when it is inside its
    /// refresh margin (concurrent callers share one refresh). When a refresh fails but the
    /// current token has not expired yet, the current one is used (and the failure logged).
    pub async fn bearer(&self) -> Result<String, AuthError> {
        let mut st = self.inner.state.lock().await;
        let now = now_ms();
        if let Some(t) = &st.token {
            if !t.refresh_due(now) {
                return Ok(t.access_token.clone());
            }
        }
        match self.renew_locked(&mut st, false).await {
            Ok(t) => Ok(t),
            Err(e) => match &st.token {
                Some(t) if !t.is_expired(now_ms()) => {
                    tracing::warn!(code = e.code(), error = %e, "token refresh failed; using the current token until it expires");
                    Ok(t.access_token.clone())
                }
                _ => Err(e),
            },
        }
    }

    /// Called after a 401 with the bearer that was rejected: refreshes once (unless another
    /// caller already replaced that token, in which case the new one is returned).
    pub async fn on_unauthorized(&self, rejected: &str) -> Result<String, AuthError> {
        let mut st = self.inner.state.lock().await;
        if let Some(t) = &st.token {
            if t.access_token != rejected && !t.refresh_due(now_ms()) {
                return Ok(t.access_token.clone());
            }
        }
        tracing::info!("app-node rejected the token (401): refreshing once");
        self.renew_locked(&mut st, true).await
    }

    /// Adopts a newer token another process (the CLI, a second worker) wrote to the shared
    /// cache. Returns its bearer when it can be used as is. With rotating refresh tokens this
    /// is what keeps two processes from burning each other's refresh token.
    fn adopt_newer_cached(&self, st: &mut State, rejected: bool) -> Option<String> {
        let cache = self.inner.cache.as_ref()?;
        let entry = cache.load().ok()??;
        if entry.issuer_key != self.inner.issuer_key
            || st.dead.as_deref() == Some(entry.token.access_token.as_str())
        {
            return None;
        }
        let newer = st.token.as_ref().is_none_or(|t| {
            entry.token.issued_at_ms > t.issued_at_ms && entry.token.access_token != t.access_token
        });
        if !newer {
            return None;
        }
        tracing::info!(
            kind = entry.token.kind.as_str(),
            "adopted a newer token from the shared cache"
        );
        let usable = !rejected && !entry.token.refresh_due(now_ms());
        let bearer = entry.token.access_token.clone();
        st.token = Some(entry.token);
        self.inner.changed.notify_waiters();
        usable.then_some(bearer)
    }

    async fn renew_locked(&self, st: &mut State, rejected: bool) -> Result<String, AuthError> {
        if let Some(bearer) = self.adopt_newer_cached(st, rejected) {
            return Ok(bearer);
        }
        let started = std::time::Instant::now();
        let token = match &self.inner.source {
            Source::Custom(r) => r.renew(st.token.as_ref(), rejected).await,
            Source::AppNode(r) => r.renew(st.token.as_ref(), rejected).await,
            Source::OAuth { .. } => self.oauth_renew(st.token.as_ref()).await,
        };
        let token = match token {
            Ok(t) => t,
            Err(e) => {
                if matches!(
                    e,
                    AuthError::LoginRequired(_) | AuthError::AppNodeRefused(_)
                ) {
                    if let Some(t) = st.token.take() {
                        st.dead = Some(t.access_token);
                    }
                }
                return Err(e);
            }
        };
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            kind = token.kind.as_str(),
            expires_in_ms = token.remaining_ms(now_ms()),
            took_ms = started.elapsed().as_millis() as u64,
            "token refreshed"
        );
        let bearer = token.access_token.clone();
        self.persist(&token);
        st.token = Some(token);
        self.inner.changed.notify_waiters();
        Ok(bearer)
    }

    fn persist(&self, token: &Token) {
        if let Some(c) = &self.inner.cache {
            let entry = CacheEntry {
                version: 1,
                issuer_key: self.inner.issuer_key.clone(),
                token: token.clone(),
            };
            if let Err(e) = c.store(&entry) {
                tracing::warn!(code = e.code(), error = %e, "could not write the token cache");
            }
        }
    }

    async fn oauth_client(&self) -> Result<Arc<OAuthClient>, AuthError> {
        let Source::OAuth { cfg, http, client } = &self.inner.source else {
            return Err(AuthError::Config {
                key: "oauth_provider",
                reason: format!(
                    "provider {} has no OAuth2 login",
                    self.inner.provider.as_str()
                ),
            });
        };
        client
            .get_or_try_init(|| async {
                let endpoints = provider::resolve(cfg, http).await?;
                Ok::<_, AuthError>(Arc::new(OAuthClient::new(
                    http.clone(),
                    cfg.oauth_provider,
                    cfg.oauth_client_id.clone().unwrap_or_default(),
                    cfg.oauth_client_secret.clone(),
                    endpoints,
                    cfg.oauth_scopes.clone(),
                )))
            })
            .await
            .cloned()
    }

    async fn oauth_renew(&self, current: Option<&Token>) -> Result<Token, AuthError> {
        let client = self.oauth_client().await?;
        if let Some(rt) = current.and_then(|t| t.refresh_token.as_deref()) {
            match client.refresh(rt).await {
                Ok(t) => return Ok(t),
                Err(AuthError::Denied { error, .. }) if !client.supports_client_credentials() => {
                    return Err(AuthError::LoginRequired(format!(
                        "the provider refused the refresh token ({error}); run `blvm-miningos login`"
                    )))
                }
                Err(AuthError::Denied { error, .. }) => {
                    tracing::warn!(error = %error, "refresh token refused; trying client credentials");
                }
                Err(e) => return Err(e),
            }
        }
        if client.supports_client_credentials() {
            return client.client_credentials().await.map_err(|e| match e {
                AuthError::Denied { error, .. } => AuthError::LoginRequired(format!(
                    "the provider refused the client-credentials grant ({error}); run `blvm-miningos login`"
                )),
                other => other,
            });
        }
        Err(AuthError::LoginRequired(
            "no token; run `blvm-miningos login`".into(),
        ))
    }

    /// Starts an RFC 8628 device login: returns what the operator must open and type.
    pub async fn start_device_login(&self) -> Result<DevicePrompt, AuthError> {
        let client = self.oauth_client().await?;
        let pending = client.start_device().await?;
        let prompt = pending.prompt();
        *self.inner.pending.lock().await = Some(pending);
        Ok(prompt)
    }

    /// Waits for the started device login to be approved (polling at the provider's interval),
    /// then stores and caches the token.
    pub async fn finish_device_login(
        &self,
        timeout: Option<Duration>,
    ) -> Result<TokenStatus, AuthError> {
        let pending = self.inner.pending.lock().await.take().ok_or_else(|| {
            AuthError::Device("no device login started (call startDeviceLogin first)".into())
        })?;
        let client = self.oauth_client().await?;
        let token = client.finish_device(&pending, timeout).await?;
        let mut st = self.inner.state.lock().await;
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
        self.persist(&token);
        st.token = Some(token);
        self.inner.changed.notify_waiters();
        drop(st);
        Ok(self.status().await)
    }

    /// Gets a token without a person: refresh token, client credentials or app-node renewal.
    pub async fn refresh_now(&self) -> Result<TokenStatus, AuthError> {
        let mut st = self.inner.state.lock().await;
        self.renew_locked(&mut st, false).await?;
        drop(st);
        Ok(self.status().await)
    }

    /// Forgets the token and deletes the cache. Returns whether a token or cache existed.
    pub async fn logout(&self) -> Result<bool, AuthError> {
        let mut st = self.inner.state.lock().await;
        let had = st.token.take().is_some();
        let removed = match &self.inner.cache {
            Some(c) => c.remove()?,
            None => false,
        };
        tracing::info!("logged out");
        Ok(had || removed)
    }

    /// How long until the current token should be refreshed (`None`: no token, or no expiry).
    async fn refresh_in(&self) -> Option<Duration> {
        let st = self.inner.state.lock().await;
        let t = st.token.as_ref()?;
        let e = t.expires_at_ms?;
        let lifetime = e.saturating_sub(t.issued_at_ms);
        let due_at = e.saturating_sub(super::token::refresh_margin_ms(lifetime));
        Some(Duration::from_millis(due_at.saturating_sub(now_ms())))
    }

    /// A background task that refreshes the token when it enters its refresh margin even if
    /// nothing uses it: app-node tokens cannot be renewed once expired (there is no refresh
    /// token), so an idle worker must renew them before the ttl runs out. Idle without a token
    /// (not logged in) it only re-checks every 30 s, without any request. After a failed refresh
    /// it retries with exponential backoff (1 s, 2 s, ... 30 s). The future ends soon after
    /// the last handle to the manager is dropped; spawn it on the runtime.
    pub fn keepalive(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let weak = Arc::downgrade(&self.inner);
        let changed = self.inner.changed.clone();
        async move {
            const IDLE: Duration = Duration::from_secs(30);
            let mut failures: u32 = 0;
            loop {
                let notified = changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let wait = {
                    let Some(inner) = weak.upgrade() else { return };
                    TokenManager { inner }.refresh_in().await
                };
                // Sleep in slices so a dropped manager ends the task within IDLE; a new token
                // (login, refresh by a caller) wakes it to re-plan.
                tokio::select! {
                    _ = tokio::time::sleep(wait.unwrap_or(IDLE).min(IDLE)) => {}
                    _ = &mut notified => { continue; }
                }
                let Some(inner) = weak.upgrade() else { return };
                let m = TokenManager { inner };
                match m.refresh_if_due().await {
                    Ok(_) => failures = 0,
                    Err(e) => {
                        let retry = Duration::from_secs((1u64 << failures.min(5)).min(30));
                        failures += 1;
                        tracing::warn!(code = e.code(), error = %e, retry_ms = retry.as_millis() as u64, "background token refresh failed");
                        drop(m);
                        tokio::time::sleep(retry).await;
                    }
                }
            }
        }
    }

    /// Refreshes the token if it is inside its refresh margin (or expired); `Ok(false)` when
    /// there is no token or it is not due. Unlike [`TokenManager::bearer`] a failed refresh is
    /// an error even while the current token is still valid.
    pub async fn refresh_if_due(&self) -> Result<bool, AuthError> {
        let mut st = self.inner.state.lock().await;
        match &st.token {
            Some(t) if t.refresh_due(now_ms()) => {}
            _ => return Ok(false),
        }
        self.renew_locked(&mut st, false).await.map(|_| true)
    }

    /// The current token's status (no secrets).
    pub async fn status(&self) -> TokenStatus {
        let st = self.inner.state.lock().await;
        let now = now_ms();
        let t = st.token.as_ref();
        TokenStatus {
            provider: self.inner.provider.as_str().to_string(),
            logged_in: t.is_some(),
            kind: t.map(|t| t.kind.as_str().to_string()),
            scope: t.and_then(|t| t.scope.clone()),
            expires_at: t.and_then(|t| t.expires_at_ms),
            expires_in: t.and_then(|t| t.remaining_ms(now)).map(|ms| ms / 1000),
            refresh_due: t.is_none_or(|t| t.refresh_due(now)),
            has_refresh_token: t.is_some_and(|t| t.refresh_token.is_some()),
            cache_file: self
                .inner
                .cache
                .as_ref()
                .map(|c| c.path().display().to_string()),
            refreshes: self.inner.refreshes.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::TokenKind;
    use std::sync::atomic::AtomicUsize;

    struct Counting {
        calls: Arc<AtomicUsize>,
        life_ms: u64,
        fail: bool,
    }

    impl Renewer for Counting {
        fn renew<'a>(
            &'a self,
            _c: Option<&'a Token>,
            _r: bool,
        ) -> BoxFuture<'a, Result<Token, AuthError>> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(30)).await;
                if self.fail {
                    return Err(AuthError::Unavailable {
                        endpoint: "test",
                        reason: "down".into(),
                    });
                }
                let now = now_ms();
                Ok(Token {
                    access_token: format!("tok-{n}"),
                    refresh_token: None,
                    issued_at_ms: now,
                    expires_at_ms: Some(now + self.life_ms),
                    token_type: "Bearer".into(),
                    scope: None,
                    kind: TokenKind::AppNode,
                })
            })
        }
    }

    fn manager(
        calls: &Arc<AtomicUsize>,
        life_ms: u64,
        fail: bool,
        cache: Option<TokenCache>,
    ) -> TokenManager {
        TokenManager::with_renewer(
            ProviderKind::AppNode,
            "test".into(),
            cache,
            Box::new(Counting {
                calls: calls.clone(),
                life_ms,
                fail,
            }),
        )
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh() {
        let calls = Arc::new(AtomicUsize::new(0));
        let m = manager(&calls, 60_000, false, None);
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let m = m.clone();
                tokio::spawn(async move { m.bearer().await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "tok-1");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_401s_share_one_refresh() {
        let calls = Arc::new(AtomicUsize::new(0));
        let m = manager(&calls, 60_000, false, None);
        assert_eq!(m.bearer().await.unwrap(), "tok-1");
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let m = m.clone();
                tokio::spawn(async move { m.on_unauthorized("tok-1").await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "tok-2");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn keepalive_renews_an_idle_token_before_it_expires_and_stops_when_dropped() {
        let calls = Arc::new(AtomicUsize::new(0));
        let m = manager(&calls, 2_000, false, None);
        // Not logged in: the task makes no request.
        let task = tokio::spawn(m.keepalive());
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        // A token appears: the task wakes up and plans its renewal.
        assert_eq!(m.bearer().await.unwrap(), "tok-1");
        // 2 s token, 1 s margin: renewed in the background at ~1 s, again at ~2 s.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "renewed without any caller"
        );
        let st = m.status().await;
        assert!(!st.refresh_due);
        drop(m);
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert!(task.is_finished(), "the task ends once the manager is gone");
    }

    #[tokio::test]
    async fn keepalive_backs_off_when_refresh_fails() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), "t.json").unwrap();
        let now = now_ms();
        let token = Token {
            access_token: "cached".into(),
            refresh_token: None,
            issued_at_ms: now - 10_000,
            expires_at_ms: Some(now + 5_000),
            token_type: "Bearer".into(),
            scope: None,
            kind: TokenKind::AppNode,
        };
        let entry = CacheEntry {
            version: 1,
            issuer_key: "test".into(),
            token,
        };
        cache.store(&entry).unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let m = manager(&calls, 1_000, true, Some(cache));
        let _task = tokio::spawn(m.keepalive());
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        // 15 s lifetime → 3 s margin; 5 s left → due in ~2 s: no attempt before that.
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        let n = calls.load(Ordering::SeqCst);
        assert!((1..=2).contains(&n), "{n} refresh attempts: no tight loop");
        assert_eq!(m.bearer().await.unwrap_or_default(), "cached");
    }

    #[tokio::test]
    async fn a_newer_token_in_the_shared_cache_is_adopted_instead_of_refreshing() {
        let dir = tempfile::tempdir().unwrap();
        let calls_a = Arc::new(AtomicUsize::new(0));
        let calls_b = Arc::new(AtomicUsize::new(100));
        let a = manager(
            &calls_a,
            1_500,
            false,
            Some(TokenCache::new(dir.path(), "t.json").unwrap()),
        );
        assert_eq!(a.bearer().await.unwrap(), "tok-1");
        let b = manager(
            &calls_b,
            60_000,
            false,
            Some(TokenCache::new(dir.path(), "t.json").unwrap()),
        );
        tokio::time::sleep(Duration::from_millis(800)).await;
        // b refreshes (forced) and writes the cache; a's token is now due: it adopts b's.
        b.refresh_now().await.unwrap();
        assert_eq!(b.bearer().await.unwrap(), "tok-101");
        assert_eq!(a.bearer().await.unwrap(), "tok-101");
        assert_eq!(calls_a.load(Ordering::SeqCst), 1, "a did not refresh");
        // A rejected adopted token is renewed, not reused.
        assert_eq!(a.on_unauthorized("tok-101").await.unwrap(), "tok-2");
    }

    #[tokio::test]
    async fn refreshes_ahead_of_expiry() {
        let calls = Arc::new(AtomicUsize::new(0));
        // 2.5 s lifetime: margin 1 s, so the token is renewed after ~1.5 s, before it expires.
        let m = manager(&calls, 2_500, false, None);
        assert_eq!(m.bearer().await.unwrap(), "tok-1");
        assert_eq!(m.bearer().await.unwrap(), "tok-1");
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        let st = m.status().await;
        assert!(st.refresh_due && st.expires_in.is_some());
        assert_eq!(m.bearer().await.unwrap(), "tok-2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failed_refresh_keeps_an_unexpired_token_and_errors_once_expired() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(dir.path(), "t.json").unwrap();
        let now = now_ms();
        cache
            .store(&CacheEntry {
                version: 1,
                issuer_key: "test".into(),
                token: Token {
                    access_token: "cached".into(),
                    refresh_token: None,
                    issued_at_ms: now - 10_000,
                    expires_at_ms: Some(now + 800),
                    token_type: "Bearer".into(),
                    scope: None,
                    kind: TokenKind::AppNode,
                },
            })
            .unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let m = manager(&calls, 1_000, true, Some(cache));
        assert_eq!(m.bearer().await.unwrap(), "cached");
        tokio::time::sleep(Duration::from_millis(900)).await;
        let e = m.bearer().await.unwrap_err();
        assert_eq!(e.code(), "ERR_OAUTH_UNAVAILABLE");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn cache_is_written_and_reloaded_and_keyed() {
        let dir = tempfile::tempdir().unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let m = manager(
            &calls,
            60_000,
            false,
            Some(TokenCache::new(dir.path(), "t.json").unwrap()),
        );
        assert_eq!(m.bearer().await.unwrap(), "tok-1");
        // A new manager with the same key reuses the cached token without renewing.
        let calls2 = Arc::new(AtomicUsize::new(0));
        let m2 = manager(
            &calls2,
            60_000,
            false,
            Some(TokenCache::new(dir.path(), "t.json").unwrap()),
        );
        assert_eq!(m2.bearer().await.unwrap(), "tok-1");
        assert_eq!(calls2.load(Ordering::SeqCst), 0);
        // Another issuer key ignores it.
        let m3 = TokenManager::with_renewer(
            ProviderKind::AppNode,
            "other".into(),
            Some(TokenCache::new(dir.path(), "t.json").unwrap()),
            Box::new(Counting {
                calls: calls2.clone(),
                life_ms: 60_000,
                fail: false,
            }),
        )
        .unwrap();
        assert!(!m3.status().await.logged_in);
        assert!(m3.logout().await.unwrap());
        assert!(!dir.path().join("t.json").exists());
        // A cache readable by others is refused when the manager is built.
        m.bearer().await.unwrap();
        m.refresh_now().await.unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("t.json"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        let e = TokenManager::with_renewer(
            ProviderKind::AppNode,
            "test".into(),
            Some(TokenCache::new(dir.path(), "t.json").unwrap()),
            Box::new(Counting {
                calls: calls2.clone(),
                life_ms: 60_000,
                fail: false,
            }),
        )
        .unwrap_err();
        assert_eq!(e.code(), "ERR_TOKEN_CACHE_PERMS");
    }

    #[tokio::test]
    async fn google_preset_needs_no_discovery() {
        let dir = tempfile::tempdir().unwrap();
        let http = super::super::http_client(Duration::from_secs(1)).unwrap();
        let mut cfg = AuthConfig::new(ProviderKind::Google, dir.path());
        cfg.oauth_client_id = Some("123.apps.googleusercontent.com".into());
        let e = provider::resolve(&cfg, &http).await.unwrap();
        assert_eq!(e.token_url.as_str(), provider::GOOGLE_TOKEN_URL);
        assert_eq!(
            e.device_authorization_url.unwrap().as_str(),
            provider::GOOGLE_DEVICE_URL
        );
        let m = TokenManager::new(cfg, http).unwrap();
        assert_eq!(m.status().await.provider, "google");
        assert_eq!(
            ProviderKind::Google.default_scopes(),
            &["openid", "email", "profile"]
        );
    }

    #[test]
    fn config_errors_name_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let http = super::super::http_client(Duration::from_secs(1)).unwrap();
        let mut cfg = AuthConfig::new(ProviderKind::Oidc, dir.path());
        cfg.oauth_client_id = Some("c".into());
        let e = TokenManager::new(cfg.clone(), http.clone()).unwrap_err();
        assert!(e.to_string().contains("oauth_issuer"), "{e}");
        cfg.oauth_issuer = Some("http://idp.example.com".into());
        assert_eq!(
            TokenManager::new(cfg.clone(), http.clone())
                .unwrap_err()
                .code(),
            "ERR_AUTH_INSECURE_URL"
        );
        cfg.allow_insecure_http = true;
        assert!(TokenManager::new(cfg.clone(), http.clone()).is_ok());
        cfg.oauth_client_id = None;
        assert!(TokenManager::new(cfg, http.clone())
            .unwrap_err()
            .to_string()
            .contains("oauth_client_id"));
        let cfg = AuthConfig::new(ProviderKind::AppNode, dir.path());
        assert!(TokenManager::new(cfg, http)
            .unwrap_err()
            .to_string()
            .contains("app_node_url"));
    }
}
