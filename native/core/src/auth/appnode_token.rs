//! app-node's own tokens: renewal through `POST /auth/token` (app-node has no refresh token and
//! binds a token to the client IP it was issued to).

use std::fmt;

use futures_util::future::BoxFuture;
use url::Url;

use super::manager::Renewer;
use super::provider::transport_reason;
use super::{now_ms, AuthError, Secret, Token, TokenKind};

/// Renews app-node tokens: `POST /auth/token` with the current token (or, when that one is
/// expired or rejected, the bootstrap token) as Bearer; app-node answers `{token}` valid for its
/// `ttl`. app-node has no refresh token, and binds a token to the IP it was issued to.
pub struct AppNodeRenewer {
    http: reqwest::Client,
    url: Url,
    bootstrap: Option<Secret>,
    ttl_ms: u64,
}

impl fmt::Debug for AppNodeRenewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppNodeRenewer")
            .field("url", &self.url.as_str())
            .field("bootstrap", &self.bootstrap)
            .field("ttl_ms", &self.ttl_ms)
            .finish()
    }
}

/// Outcome of one renewal attempt.
enum Attempt {
    Ok(Token),
    Refused(String),
}

impl AppNodeRenewer {
    /// A renewer for app-node at `url`, falling back to `bootstrap`, for tokens living
    /// `ttl_seconds` (clamped to app-node's 5..=86400).
    pub fn new(
        http: reqwest::Client,
        url: Url,
        bootstrap: Option<Secret>,
        ttl_seconds: u64,
    ) -> Self {
        Self {
            http,
            url,
            bootstrap,
            ttl_ms: ttl_seconds.clamp(5, 86_400) * 1000,
        }
    }

    async fn attempt(&self, bearer: &str) -> Result<Attempt, AuthError> {
        let endpoint = "app-node POST /auth/token";
        // `https://h/base` and `https://h/base/` both give `https://h/base/auth/token`.
        let mut url = self.url.clone();
        url.set_path(&format!(
            "{}/auth/token",
            self.url.path().trim_end_matches('/')
        ));
        let resp = self
            .http
            .post(url)
            .bearer_auth(bearer)
            .json(&serde_json::json!({ "pfx": "pub", "scope": "api" }))
            .send()
            .await
            .map_err(|e| AuthError::Unavailable {
                endpoint,
                reason: transport_reason(&e),
            })?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(|e| AuthError::Unavailable {
            endpoint,
            reason: transport_reason(&e),
        })?;
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        let message = json
            .as_ref()
            .and_then(|v| v.get("message"))
            .and_then(|m| m.as_str())
            .filter(|m| crate::error::is_valid_code(m))
            .map(str::to_string);
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Ok(Attempt::Refused(
                message.unwrap_or_else(|| format!("HTTP {}", status.as_u16())),
            ));
        }
        if status.is_server_error() {
            return Err(AuthError::Unavailable {
                endpoint,
                reason: format!("HTTP {}", status.as_u16()),
            });
        }
        if !status.is_success() {
            return Err(AuthError::Denied {
                endpoint,
                error: message.unwrap_or_else(|| format!("HTTP {}", status.as_u16())),
                description: None,
            });
        }
        let token = json
            .as_ref()
            .and_then(|v| v.get("token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::BadResponse {
                endpoint,
                reason: "expected a JSON object with a `token` string".into(),
            })?;
        let now = now_ms();
        Ok(Attempt::Ok(Token {
            access_token: token.to_string(),
            refresh_token: None,
            issued_at_ms: now,
            expires_at_ms: Some(now.saturating_add(self.ttl_ms)),
            token_type: "Bearer".into(),
            scope: Some("api".into()),
            kind: TokenKind::AppNode,
        }))
    }
}

impl Renewer for AppNodeRenewer {
    fn renew<'a>(
        &'a self,
        current: Option<&'a Token>,
        rejected: bool,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            let mut tried = Vec::new();
            if let Some(t) = current.filter(|t| !rejected && !t.is_expired(now_ms())) {
                match self.attempt(&t.access_token).await? {
                    Attempt::Ok(t) => return Ok(t),
                    Attempt::Refused(m) => tried.push(format!("current token: {m}")),
                }
            }
            if let Some(b) = &self.bootstrap {
                if !current.is_some_and(|t| rejected && t.access_token == b.expose()) {
                    match self.attempt(b.expose()).await? {
                        Attempt::Ok(t) => return Ok(t),
                        Attempt::Refused(m) => tried.push(format!("bootstrap token: {m}")),
                    }
                }
            }
            if tried.is_empty() {
                Err(AuthError::LoginRequired(format!(
                    "no app-node token: set {} or app_node_token_file",
                    super::ENV_APP_NODE_TOKEN
                )))
            } else {
                Err(AuthError::AppNodeRefused(format!(
                    "{} (expired, revoked, or issued to another IP)",
                    tried.join("; ")
                )))
            }
        })
    }
}
