//! Secret redaction for the audit journal and logs: pool passwords, tokens, credentials in URLs.

use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// True for object keys that hold secrets (`workerPassword`, `pool_password`, `token`, `apiKey`,
/// `secret`, `authorization`, `cookie`, ...), case-insensitive.
pub fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    k == "pass"
        || k == "pwd"
        || k.contains("password")
        || k.contains("passwd")
        || k.contains("secret")
        || k.contains("token")
        || k.contains("apikey")
        || k.contains("authorization")
        || k.contains("cookie")
        || k.contains("privatekey")
        || k.contains("credential")
}

/// Removes the password of a `scheme://user:password@host` URL (other strings unchanged).
pub fn redact_url(s: &str) -> String {
    let Some(scheme_end) = s.find("://") else {
        return s.to_string();
    };
    let rest = &s[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return s.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:{}{}",
            &s[..scheme_end + 3],
            &userinfo[..colon],
            REDACTED,
            &rest[at..]
        ),
        None => s.to_string(),
    }
}

/// A copy of `v` with every secret-keyed value replaced by `"<redacted>"` and URL passwords removed,
/// at any depth.
pub fn redact_value(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    if is_secret_key(k) && !v.is_null() {
                        (k.clone(), Value::String(REDACTED.to_string()))
                    } else {
                        (k.clone(), redact_value(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_value).collect()),
        Value::String(s) if s.contains("://") => Value::String(redact_url(s)),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_nested_secrets_and_url_passwords() {
        let v = json!([{"config": {"poolUrls": [{"url": "stratum+tcp://u:hunter2@h:3333",
            "workerName": "w", "workerPassword": "hunter2"}]}, "token": "abc", "pool_password": "p"}]);
        let r = redact_value(&v).to_string();
        assert!(!r.contains("hunter2"), "{r}");
        assert!(!r.contains("\"abc\""), "{r}");
        assert!(r.contains("\"workerName\":\"w\""), "{r}");
        assert!(r.contains("stratum+tcp://u:<redacted>@h:3333"), "{r}");
    }

    #[test]
    fn leaves_plain_urls_and_keys() {
        assert_eq!(
            redact_url("stratum2+tcp://h:1/abc"),
            "stratum2+tcp://h:1/abc"
        );
        assert_eq!(redact_url("no url"), "no url");
        assert!(!is_secret_key("workerName"));
        assert!(is_secret_key("worker_password"));
        assert!(is_secret_key("apiKey"));
    }
}
