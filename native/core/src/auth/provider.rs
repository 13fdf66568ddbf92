//! Providers: the `google` preset, `oidc` (issuer + discovery), `custom` (explicit endpoints) and
//! `app-node` (app-node's own tokens only); and the URL policy (https, except loopback).

use std::net::IpAddr;
use std::str::FromStr;

use serde::Deserialize;
use url::Url;

use super::{AuthConfig, AuthError};

/// Google's device authorization endpoint.
pub const GOOGLE_DEVICE_URL: &str = "https://oauth2.googleapis.com/device/code";
/// Google's token endpoint.
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// Which provider issues tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// Google preset (device flow; Google supports no client-credentials grant).
    Google,
    /// Any OpenID provider, endpoints from `<issuer>/.well-known/openid-configuration`.
    Oidc,
    /// Explicit `oauth_device_authorization_url` + `oauth_token_url`.
    Custom,
    /// No OAuth2 provider: app-node's bootstrap token, renewed through `POST /auth/token`.
    AppNode,
}

impl ProviderKind {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Google => "google",
            ProviderKind::Oidc => "oidc",
            ProviderKind::Custom => "custom",
            ProviderKind::AppNode => "app-node",
        }
    }

    /// Scopes asked for when `oauth_scopes` is empty.
    pub fn default_scopes(self) -> &'static [&'static str] {
        match self {
            ProviderKind::Google => &["openid", "email", "profile"],
            ProviderKind::Oidc => &["openid", "offline_access"],
            ProviderKind::Custom | ProviderKind::AppNode => &[],
        }
    }
}

impl FromStr for ProviderKind {
    type Err = AuthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "google" => Ok(ProviderKind::Google),
            "oidc" => Ok(ProviderKind::Oidc),
            "custom" => Ok(ProviderKind::Custom),
            "app-node" => Ok(ProviderKind::AppNode),
            other => Err(AuthError::Config {
                key: "oauth_provider",
                reason: format!(
                    "unknown provider {other:?} (expected google, oidc, custom or app-node)"
                ),
            }),
        }
    }
}

/// True for 127.0.0.0/8, ::1 and `localhost`.
pub fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses and checks a URL: http(s) only, no credentials in it, and https unless the host is
/// loopback or `allow_insecure` is set.
pub fn check_url(raw: &str, what: &'static str, allow_insecure: bool) -> Result<Url, AuthError> {
    let url = Url::parse(raw.trim()).map_err(|e| AuthError::Config {
        key: what,
        reason: format!("{raw:?} is not a URL: {e}"),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AuthError::Config {
            key: what,
            reason: "credentials in the URL are not allowed (use the secret env var or file)"
                .into(),
        });
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_insecure || is_loopback_host(&url) => Ok(url),
        "http" => Err(AuthError::InsecureUrl {
            what,
            url: url.to_string(),
        }),
        other => Err(AuthError::Config {
            key: what,
            reason: format!("scheme {other:?} is not supported (use https)"),
        }),
    }
}

/// Resolved OAuth2 endpoints.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// RFC 8628 device authorization endpoint (`None`: the provider has none, so no login).
    pub device_authorization_url: Option<Url>,
    /// Token endpoint.
    pub token_url: Url,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: Option<String>,
    token_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
}

/// Resolves the endpoints of an OAuth2 provider (`app-node` has none: error).
pub async fn resolve(cfg: &AuthConfig, http: &reqwest::Client) -> Result<Endpoints, AuthError> {
    let insecure = cfg.allow_insecure_http;
    match cfg.oauth_provider {
        ProviderKind::Google => Ok(Endpoints {
            device_authorization_url: Some(check_url(
                GOOGLE_DEVICE_URL,
                "oauth_device_authorization_url",
                false,
            )?),
            token_url: check_url(GOOGLE_TOKEN_URL, "oauth_token_url", false)?,
        }),
        ProviderKind::Custom => {
            let token = cfg.oauth_token_url.as_deref().ok_or(AuthError::Config {
                key: "oauth_token_url",
                reason: "required for oauth_provider = \"custom\"".into(),
            })?;
            let device = cfg
                .oauth_device_authorization_url
                .as_deref()
                .map(|u| check_url(u, "oauth_device_authorization_url", insecure))
                .transpose()?;
            Ok(Endpoints {
                device_authorization_url: device,
                token_url: check_url(token, "oauth_token_url", insecure)?,
            })
        }
        ProviderKind::Oidc => {
            let issuer = cfg.oauth_issuer.as_deref().ok_or(AuthError::Config {
                key: "oauth_issuer",
                reason: "required for oauth_provider = \"oidc\"".into(),
            })?;
            let issuer_url = check_url(issuer, "oauth_issuer", insecure)?;
            let disc_url = format!(
                "{}/.well-known/openid-configuration",
                issuer_url.as_str().trim_end_matches('/')
            );
            let endpoint = "OpenID discovery";
            let resp = http
                .get(&disc_url)
                .send()
                .await
                .map_err(|e| AuthError::Unavailable {
                    endpoint,
                    reason: transport_reason(&e),
                })?;
            if !resp.status().is_success() {
                return Err(AuthError::BadResponse {
                    endpoint,
                    reason: format!("HTTP {} from {disc_url}", resp.status().as_u16()),
                });
            }
            let d: Discovery = resp.json().await.map_err(|e| AuthError::BadResponse {
                endpoint,
                reason: format!("not a discovery document: {e}"),
            })?;
            if let Some(iss) = d.issuer.as_deref() {
                if iss.trim_end_matches('/') != issuer.trim().trim_end_matches('/') {
                    return Err(AuthError::BadResponse {
                        endpoint,
                        reason: format!(
                            "issuer mismatch: configured {issuer}, document says {iss}"
                        ),
                    });
                }
            }
            let token = d.token_endpoint.ok_or(AuthError::BadResponse {
                endpoint,
                reason: "no token_endpoint".into(),
            })?;
            Ok(Endpoints {
                device_authorization_url: d
                    .device_authorization_endpoint
                    .as_deref()
                    .map(|u| check_url(u, "device_authorization_endpoint", insecure))
                    .transpose()?,
                token_url: check_url(&token, "token_endpoint", insecure)?,
            })
        }
        ProviderKind::AppNode => Err(AuthError::Config {
            key: "oauth_provider",
            reason: "app-node has no OAuth2 endpoints (it issues its own tokens)".into(),
        }),
    }
}

/// A transport error as text, without the URL's query (no secrets are ever in our URLs, but a
/// reqwest error can be verbose): timeout / connect / other.
pub fn transport_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        let mut s = e.to_string();
        if let Some(src) = std::error::Error::source(e) {
            s = format!("{s}: {src}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Coded;

    #[test]
    fn url_policy() {
        assert!(check_url("http://127.0.0.1:3000", "app_node_url", false).is_ok());
        assert!(check_url("http://[::1]:3000/", "app_node_url", false).is_ok());
        assert!(check_url("http://localhost/", "app_node_url", false).is_ok());
        assert!(check_url("https://appnode.example", "app_node_url", false).is_ok());
        let e = check_url("http://appnode.example", "app_node_url", false).unwrap_err();
        assert_eq!(e.code(), "ERR_AUTH_INSECURE_URL");
        assert!(e.to_string().contains("app_node_url"));
        assert!(check_url("http://appnode.example", "app_node_url", true).is_ok());
        assert_eq!(
            check_url("ftp://x", "a", true).unwrap_err().code(),
            "ERR_AUTH_CONFIG"
        );
        assert_eq!(
            check_url("nope", "a", true).unwrap_err().code(),
            "ERR_AUTH_CONFIG"
        );
        let e = check_url("https://u:p@x.example", "a", true).unwrap_err();
        assert!(!e.to_string().contains(":p@"));
    }

    #[test]
    fn provider_names() {
        for p in ["google", "oidc", "custom", "app-node"] {
            assert_eq!(p.parse::<ProviderKind>().unwrap().as_str(), p);
        }
        assert_eq!(
            "github".parse::<ProviderKind>().unwrap_err().code(),
            "ERR_AUTH_CONFIG"
        );
    }
}
