//! A bearer token and the expiry math: when to refresh ahead of expiry.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a token was obtained (decides how it is renewed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// OAuth2 device authorization grant (a person approved it).
    Device,
    /// OAuth2 refresh-token grant.
    Refresh,
    /// OAuth2 client-credentials grant.
    ClientCredentials,
    /// app-node token renewed through `POST /auth/token`.
    AppNode,
}

impl TokenKind {
    /// Stable lower-case name, as shown by `oauth-status`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Device => "device",
            TokenKind::Refresh => "refresh",
            TokenKind::ClientCredentials => "client_credentials",
            TokenKind::AppNode => "app_node",
        }
    }
}

/// A bearer token. `Debug` is redacted: the access and refresh tokens are never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The bearer value.
    pub access_token: String,
    /// OAuth2 refresh token, if the provider issued one.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When it was obtained, Unix ms.
    pub issued_at_ms: u64,
    /// When it expires, Unix ms (`None`: the provider did not say).
    #[serde(default)]
    pub expires_at_ms: Option<u64>,
    /// Token type (`Bearer`).
    #[serde(default = "bearer")]
    pub token_type: String,
    /// Granted scopes, space separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// How it was obtained.
    pub kind: TokenKind,
}

fn bearer() -> String {
    "Bearer".to_string()
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("issued_at_ms", &self.issued_at_ms)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field("kind", &self.kind)
            .finish()
    }
}

/// Shortest and longest margin before expiry at which a token is refreshed.
const MIN_MARGIN_MS: u64 = 1_000;
const MAX_MARGIN_MS: u64 = 60_000;

/// How long before `expires_at` a token with `lifetime_ms` is refreshed: a fifth of its lifetime,
/// clamped to 1 s ..= 60 s, and never more than half the lifetime (so a 4 s token is used for
/// 3 s, a 300 s app-node token for 240 s, a one-hour token for 59 minutes).
pub fn refresh_margin_ms(lifetime_ms: u64) -> u64 {
    (lifetime_ms / 5)
        .clamp(MIN_MARGIN_MS, MAX_MARGIN_MS)
        .min(lifetime_ms / 2)
}

impl Token {
    /// Milliseconds of life left at `now_ms` (0 when expired; `None` when unknown).
    pub fn remaining_ms(&self, now_ms: u64) -> Option<u64> {
        self.expires_at_ms.map(|e| e.saturating_sub(now_ms))
    }

    /// True when the token has expired at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expires_at_ms.is_some_and(|e| now_ms >= e)
    }

    /// True when the token should be refreshed at `now_ms` (inside its refresh margin, or
    /// expired). A token without an expiry is used until a 401 says otherwise.
    pub fn refresh_due(&self, now_ms: u64) -> bool {
        match self.expires_at_ms {
            None => false,
            Some(e) => {
                let lifetime = e.saturating_sub(self.issued_at_ms);
                now_ms.saturating_add(refresh_margin_ms(lifetime)) >= e
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(issued: u64, expires: Option<u64>) -> Token {
        Token {
            access_token: "at-secret".into(),
            refresh_token: Some("rt-secret".into()),
            issued_at_ms: issued,
            expires_at_ms: expires,
            token_type: "Bearer".into(),
            scope: None,
            kind: TokenKind::Device,
        }
    }

    #[test]
    fn margins() {
        assert_eq!(refresh_margin_ms(4_000), 1_000);
        assert_eq!(refresh_margin_ms(300_000), 60_000);
        assert_eq!(refresh_margin_ms(3_600_000), 60_000);
        assert_eq!(refresh_margin_ms(20_000), 4_000);
        // Tiny lifetimes: never more than half.
        assert_eq!(refresh_margin_ms(1_000), 500);
        assert_eq!(refresh_margin_ms(0), 0);
    }

    #[test]
    fn refresh_due_ahead_of_expiry() {
        let t = tok(10_000, Some(14_000)); // 4 s token, 1 s margin
        assert!(!t.refresh_due(12_999));
        assert!(t.refresh_due(13_000));
        assert!(!t.is_expired(13_999));
        assert!(t.is_expired(14_000));
        assert_eq!(t.remaining_ms(13_000), Some(1_000));
        assert_eq!(t.remaining_ms(20_000), Some(0));
        let forever = tok(0, None);
        assert!(!forever.refresh_due(u64::MAX));
        assert!(!forever.is_expired(u64::MAX));
    }

    #[test]
    fn debug_is_redacted() {
        let s = format!("{:?}", tok(0, Some(1)));
        assert!(!s.contains("at-secret") && !s.contains("rt-secret"), "{s}");
    }

    proptest::proptest! {
        #[test]
        fn due_before_expired(issued in 0u64..1u64 << 40, life in 0u64..10_000_000, at in 0u64..1u64 << 41) {
            let t = tok(issued, Some(issued + life));
            // Anything expired is due; refresh is never scheduled before half the lifetime.
            if t.is_expired(at) { proptest::prop_assert!(t.refresh_due(at)); }
            if at < issued + life / 2 { proptest::prop_assert!(!t.refresh_due(at)); }
        }
    }
}
