//! OAuth2 grants through the `oauth2` crate: device authorization (RFC 8628), refresh token,
//! client credentials. Token requests are form-encoded (RFC 6749) by the crate.

use std::fmt;
use std::time::Duration;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    ClientId, ClientSecret, DeviceAuthorizationUrl, ErrorResponseType, HttpClientError,
    RefreshToken, RequestTokenError, Scope, StandardDeviceAuthorizationResponse,
    StandardErrorResponse, TokenResponse, TokenUrl,
};
use serde::Serialize;

use super::provider::{transport_reason, Endpoints, ProviderKind};
use super::{now_ms, AuthError, Secret, Token, TokenKind};

/// What the operator must do to approve a device login (shown by `blvm-miningos login`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePrompt {
    /// Where to go.
    pub verification_uri: String,
    /// The same URL with the code filled in, if the provider gives one.
    pub verification_uri_complete: Option<String>,
    /// The code to enter there.
    pub user_code: String,
    /// Seconds before the code expires.
    pub expires_in: u64,
    /// Seconds between polls.
    pub interval: u64,
}

/// A started device authorization, waiting for approval. `Debug` is redacted.
pub struct PendingDevice {
    pub(crate) details: StandardDeviceAuthorizationResponse,
    pub(crate) expires_at_ms: u64,
}

impl fmt::Debug for PendingDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingDevice")
            .field("device_code", &"***")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

impl PendingDevice {
    /// The prompt to show the operator.
    pub fn prompt(&self) -> DevicePrompt {
        let d = &self.details;
        DevicePrompt {
            verification_uri: d.verification_uri().to_string(),
            verification_uri_complete: d
                .verification_uri_complete()
                .map(|u| u.secret().to_string()),
            user_code: d.user_code().secret().to_string(),
            expires_in: d.expires_in().as_secs(),
            interval: d.interval().as_secs(),
        }
    }
}

/// An OAuth2 client for one provider. `Debug` is redacted.
pub struct OAuthClient {
    http: reqwest::Client,
    kind: ProviderKind,
    client_id: String,
    secret: Option<Secret>,
    endpoints: Endpoints,
    scopes: Vec<String>,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("kind", &self.kind)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret)
            .field("endpoints", &self.endpoints)
            .field("scopes", &self.scopes)
            .finish()
    }
}

type HttpErr = HttpClientError<reqwest::Error>;

fn map_err<ET>(
    endpoint: &'static str,
    e: RequestTokenError<HttpErr, StandardErrorResponse<ET>>,
) -> AuthError
where
    ET: ErrorResponseType + fmt::Display + 'static,
{
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::Denied {
            endpoint,
            error: r.error().to_string(),
            description: r.error_description().cloned(),
        },
        RequestTokenError::Request(HttpClientError::Reqwest(re)) => AuthError::Unavailable {
            endpoint,
            reason: transport_reason(&re),
        },
        RequestTokenError::Request(other) => AuthError::Unavailable {
            endpoint,
            reason: other.to_string(),
        },
        // Only the JSON path and position: the body may hold tokens.
        RequestTokenError::Parse(pe, _body) => AuthError::BadResponse {
            endpoint,
            reason: format!(
                "unexpected JSON at `{}` (line {}, column {})",
                pe.path(),
                pe.inner().line(),
                pe.inner().column()
            ),
        },
        RequestTokenError::Other(s) => AuthError::BadResponse {
            endpoint,
            reason: s,
        },
    }
}

fn to_token(r: &BasicTokenResponse, kind: TokenKind, keep_refresh: Option<&str>) -> Token {
    let now = now_ms();
    Token {
        access_token: r.access_token().secret().to_string(),
        refresh_token: r
            .refresh_token()
            .map(|t| t.secret().to_string())
            .or_else(|| keep_refresh.map(str::to_string)),
        issued_at_ms: now,
        expires_at_ms: r
            .expires_in()
            .map(|d| now.saturating_add(d.as_millis() as u64)),
        token_type: "Bearer".into(),
        scope: r
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
        kind,
    }
}

impl OAuthClient {
    /// A client for resolved `endpoints`.
    pub fn new(
        http: reqwest::Client,
        kind: ProviderKind,
        client_id: String,
        secret: Option<Secret>,
        endpoints: Endpoints,
        scopes: Vec<String>,
    ) -> Self {
        let scopes = if scopes.is_empty() {
            kind.default_scopes()
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            scopes
        };
        Self {
            http,
            kind,
            client_id,
            secret,
            endpoints,
            scopes,
        }
    }

    /// The token endpoint URL (used to key the cache).
    pub fn token_url(&self) -> &str {
        self.endpoints.token_url.as_str()
    }

    /// Whether to try the client-credentials grant: the client is confidential and the provider
    /// is not Google (which has no such grant). The provider may still refuse it.
    pub fn supports_client_credentials(&self) -> bool {
        self.secret.is_some() && self.kind != ProviderKind::Google
    }

    fn base(
        &self,
    ) -> BasicClient<
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    > {
        let mut c = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(TokenUrl::from_url(self.endpoints.token_url.clone()));
        if let Some(s) = &self.secret {
            c = c.set_client_secret(ClientSecret::new(s.expose().to_string()));
        }
        c
    }

    fn scopes(&self) -> impl Iterator<Item = Scope> + '_ {
        self.scopes.iter().map(|s| Scope::new(s.clone()))
    }

    /// Starts a device authorization: returns the code to show and the pending state to poll.
    pub async fn start_device(&self) -> Result<PendingDevice, AuthError> {
        let url = self
            .endpoints
            .device_authorization_url
            .clone()
            .ok_or(AuthError::Config {
                key: "oauth_device_authorization_url",
                reason: "the provider has no device authorization endpoint".into(),
            })?;
        let client = self
            .base()
            .set_device_authorization_url(DeviceAuthorizationUrl::from_url(url));
        let details: StandardDeviceAuthorizationResponse = client
            .exchange_device_code()
            .add_scopes(self.scopes())
            .request_async(&self.http)
            .await
            .map_err(|e| map_err("device authorization endpoint", e))?;
        tracing::info!(
            expires_in = details.expires_in().as_secs(),
            "device authorization started"
        );
        Ok(PendingDevice {
            expires_at_ms: now_ms().saturating_add(details.expires_in().as_millis() as u64),
            details,
        })
    }

    /// Polls the token endpoint until the device code is approved, denied or expired (or
    /// `timeout` passes), honouring the provider's interval and `slow_down`.
    pub async fn finish_device(
        &self,
        pending: &PendingDevice,
        timeout: Option<Duration>,
    ) -> Result<Token, AuthError> {
        let client = self.base();
        let started = std::time::Instant::now();
        let r = client
            .exchange_device_access_token(&pending.details)
            .request_async(&self.http, tokio::time::sleep, timeout)
            .await
            .map_err(|e| match map_err("token endpoint (device code)", e) {
                // The crate reports its own wait timeout as `expired_token`: say what happened.
                AuthError::Denied { error, .. }
                    if error == "expired_token"
                        && timeout.is_some_and(|t| started.elapsed() >= t) =>
                {
                    AuthError::Device(format!(
                        "not approved within {} s (the code may still be valid; run login again)",
                        timeout.map(|t| t.as_secs()).unwrap_or_default()
                    ))
                }
                other => other,
            })?;
        tracing::info!("device authorization approved");
        Ok(to_token(&r, TokenKind::Device, None))
    }

    /// The refresh-token grant. Keeps the old refresh token when the provider does not rotate it.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Token, AuthError> {
        let rt = RefreshToken::new(refresh_token.to_string());
        let r = self
            .base()
            .exchange_refresh_token(&rt)
            .request_async(&self.http)
            .await
            .map_err(|e| map_err("token endpoint (refresh)", e))?;
        Ok(to_token(&r, TokenKind::Refresh, Some(refresh_token)))
    }

    /// The client-credentials grant.
    pub async fn client_credentials(&self) -> Result<Token, AuthError> {
        let r = self
            .base()
            .exchange_client_credentials()
            .add_scopes(
                self.scopes()
                    .filter(|s| s.as_str() != "openid" && s.as_str() != "offline_access"),
            )
            .request_async(&self.http)
            .await
            .map_err(|e| map_err("token endpoint (client credentials)", e))?;
        Ok(to_token(&r, TokenKind::ClientCredentials, None))
    }
}
