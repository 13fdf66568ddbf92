//! Request-path tests against a real loopback HTTP server that plays scripted app-node replies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::auth::manager::Renewer;
use crate::auth::{http_client, now_ms, AuthError, ProviderKind, Token, TokenKind, TokenManager};
use crate::Coded;

#[derive(Debug, Clone)]
struct Req {
    method: String,
    target: String,
    auth: Option<String>,
    body: String,
}

impl Req {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    fn param(&self, name: &str) -> Option<String> {
        let url = url::Url::parse(&format!("http://x{}", self.target)).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

type Handler = Arc<dyn Fn(&Req, usize) -> (u16, String) + Send + Sync>;

struct Server {
    base: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

async fn serve(handler: Handler) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log: Arc<Mutex<Vec<Req>>> = Arc::default();
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            let log = log2.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_string();
                let target = first.next().unwrap_or("").to_string();
                let mut len = 0usize;
                let mut auth = None;
                for l in lines {
                    if let Some((k, v)) = l.split_once(':') {
                        match k.trim().to_ascii_lowercase().as_str() {
                            "content-length" => len = v.trim().parse().unwrap_or(0),
                            "authorization" => auth = Some(v.trim().to_string()),
                            _ => {}
                        }
                    }
                }
                while buf.len() < head_end + len {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                let req = Req {
                    method,
                    target,
                    auth,
                    body,
                };
                let n = {
                    let mut l = log.lock().unwrap();
                    l.push(req.clone());
                    l.len()
                };
                let (status, mut body) = handler(&req, n);
                if let Some(rest) = body.strip_prefix("SLOW:") {
                    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
                    body = rest.to_string();
                }
                let resp = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Server { base, log }
}

struct Counting(Arc<AtomicUsize>);

impl Renewer for Counting {
    fn renew<'a>(
        &'a self,
        _c: Option<&'a Token>,
        _r: bool,
    ) -> BoxFuture<'a, Result<Token, AuthError>> {
        Box::pin(async move {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            let now = now_ms();
            Ok(Token {
                access_token: format!("secret-token-{n}"),
                refresh_token: None,
                issued_at_ms: now,
                expires_at_ms: Some(now + 60_000),
                token_type: "Bearer".into(),
                scope: None,
                kind: TokenKind::AppNode,
            })
        })
    }
}

fn client(base: &str) -> (AppNodeClient, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let tokens = TokenManager::with_renewer(
        ProviderKind::AppNode,
        "t".into(),
        None,
        Box::new(Counting(calls.clone())),
    )
    .unwrap();
    let mut cfg = AppNodeConfig::new(base);
    cfg.retry_base_ms = 5;
    let c = AppNodeClient::new(
        cfg,
        tokens,
        http_client(std::time::Duration::from_secs(5)).unwrap(),
    )
    .unwrap();
    (c, calls)
}

/// Captures every tracing event (TRACE and up) on this thread into a buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> (Capture, tracing::subscriber::DefaultGuard) {
    let cap = Capture::default();
    let w = cap.clone();
    let sub = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || w.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(sub);
    (cap, guard)
}

#[tokio::test]
async fn typed_calls_send_json_query_parameters_and_keep_per_ork_arrays() {
    let s = serve(Arc::new(|r: &Req, _| match r.path() {
        "/auth/list-things" => (200, json!([[{"id": "m1", "type": "miner-blvm-sv2", "tags": ["t-miner"], "last": {"snap": {}}}], []]).to_string()),
        "/auth/list-racks" => (200, json!([[{"id": "miner-blvm-sv2-r1", "type": "miner-blvm-sv2", "info": {}}]]).to_string()),
        "/auth/actions/voting" => (200, json!([{"id": 7, "data": {}, "errors": []}]).to_string()),
        _ => (404, "{}".into()),
    }))
    .await;
    let (c, _) = client(&s.base);
    let q = ListThingsQuery {
        query: Some(json!({"tags": {"$in": ["t-miner"]}})),
        fields: Some(json!({"id": 1})),
        sort: Some(json!({"id": -1})),
        offset: Some(0),
        limit: Some(50),
        status: Some(1),
        overwrite_cache: None,
    };
    let things = c.list_things(&q).await.unwrap();
    assert_eq!(things.len(), 2);
    assert_eq!(things[0][0].id, "m1");
    assert_eq!(things[0][0].extra.get("last"), Some(&json!({"snap": {}})));
    let racks = c.list_racks(Some("miner")).await.unwrap();
    assert_eq!(racks[0][0].rack_type, "miner-blvm-sv2");
    let pushed = c
        .push_action(&ActionRequest {
            query: json!({"id": "m1"}),
            action: "reboot".into(),
            params: vec![],
            rack_type: None,
        })
        .await
        .unwrap();
    assert_eq!(pushed[0].id, json!(7));
    let reqs = s.requests();
    let r = &reqs[0];
    assert_eq!(r.method, "GET");
    assert_eq!(
        serde_json::from_str::<Value>(&r.param("query").unwrap()).unwrap(),
        json!({"tags": {"$in": ["t-miner"]}})
    );
    assert_eq!(
        serde_json::from_str::<Value>(&r.param("sort").unwrap()).unwrap(),
        json!({"id": -1})
    );
    assert_eq!(r.param("limit").as_deref(), Some("50"));
    assert_eq!(r.param("status").as_deref(), Some("1"));
    assert_eq!(r.auth.as_deref(), Some("Bearer secret-token-1"));
    assert_eq!(reqs[1].param("type").as_deref(), Some("miner"));
    assert_eq!(reqs[2].method, "POST");
    assert_eq!(
        serde_json::from_str::<Value>(&reqs[2].body).unwrap(),
        json!({"query": {"id": "m1"}, "action": "reboot", "params": []})
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_and_logs_no_secret() {
    let (cap, _g) = capture();
    let s = serve(Arc::new(|r: &Req, _| {
        if r.auth.as_deref() == Some("Bearer secret-token-1") {
            (
                401,
                json!({"statusCode": 401, "error": "Unauthorized", "message": "ERR_AUTH_FAIL"})
                    .to_string(),
            )
        } else {
            (
                200,
                json!({"id": 1, "email": "op@example.test"}).to_string(),
            )
        }
    }))
    .await;
    let (c, calls) = client(&s.base);
    let u = c.userinfo().await.unwrap();
    assert_eq!(u["email"], "op@example.test");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(s.requests().len(), 2);
    let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("refreshing once"), "{logs}");
    assert!(!logs.contains("secret-token"), "{logs}");
    assert!(
        !logs.contains("Bearer s") && !logs.to_ascii_lowercase().contains("authorization:"),
        "{logs}"
    );
}

#[tokio::test]
async fn persistent_401_is_auth_fail_after_one_retry() {
    let s = serve(Arc::new(|_: &Req, _| {
        (401, json!({"message": "ERR_AUTH_FAIL"}).to_string())
    }))
    .await;
    let (c, calls) = client(&s.base);
    let e = c.userinfo().await.unwrap_err();
    assert_eq!(e.code(), "ERR_AUTH_FAIL");
    assert_eq!(s.requests().len(), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn permissions_and_app_node_codes_map_to_errors() {
    let s = serve(Arc::new(|r: &Req, _| match r.path() {
        "/auth/settings" => (403, "{}".into()),
        "/auth/userinfo" => (
            401,
            json!({"message": "ERR_AUTH_FAIL_NO_PERMS"}).to_string(),
        ),
        "/auth/tail-log" => (
            400,
            json!({"statusCode": 400, "error": "Bad Request", "message": "ERR_TYPE_INVALID"})
                .to_string(),
        ),
        "/auth/ext-data" => (400, json!({"message": "Bad Request"}).to_string()),
        _ => (404, "not json".into()),
    }))
    .await;
    let (c, calls) = client(&s.base);
    assert_eq!(
        c.get_settings("r1").await.unwrap_err().code(),
        "ERR_AUTH_FAIL_NO_PERMS"
    );
    assert_eq!(
        c.userinfo().await.unwrap_err().code(),
        "ERR_AUTH_FAIL_NO_PERMS"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "no refresh for a permission error"
    );
    let e = c
        .tail_log(&TailLogQuery {
            key: "stat-5m".into(),
            thing_type: "miner".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.wire_code(), "ERR_TYPE_INVALID");
    assert!(e.to_string().contains("GET /auth/tail-log"));
    assert_eq!(
        c.ext_data("mempool", None).await.unwrap_err().code(),
        "ERR_APPNODE_BAD_REQUEST"
    );
    assert_eq!(
        c.get_action("done", "1").await.unwrap_err().code(),
        "ERR_APPNODE_NOT_FOUND"
    );
}

#[tokio::test]
async fn server_errors_are_retried_for_idempotent_requests_only() {
    let s = serve(Arc::new(|r: &Req, n| match (r.method.as_str(), n) {
        ("GET", 1) | ("GET", 2) => (502, "bad gateway".into()),
        ("GET", _) => (
            200,
            json!({"write": true, "caps": ["actions"], "superAdmin": false, "permissions": {}})
                .to_string(),
        ),
        _ => (503, "{}".into()),
    }))
    .await;
    let (c, _) = client(&s.base);
    let p = c.permissions().await.unwrap();
    assert!(p.write);
    assert_eq!(s.requests().len(), 3);
    let e = c.vote_action("5", true).await.unwrap_err();
    assert_eq!(e.code(), "ERR_APPNODE_UNAVAILABLE");
    assert_eq!(s.requests().len(), 4, "a vote is not retried");

    let s2 = serve(Arc::new(|_: &Req, _| (500, "{}".into()))).await;
    let (c2, _) = client(&s2.base);
    let e = c2.list_racks(None).await.unwrap_err();
    assert_eq!(e.code(), "ERR_APPNODE_UNAVAILABLE");
    assert_eq!(s2.requests().len(), 4, "1 attempt + 3 retries");
}

#[tokio::test]
async fn bad_bodies_and_bad_arguments_are_coded_errors() {
    let s = serve(Arc::new(|r: &Req, _| match r.path() {
        "/auth/list-racks" => (200, json!({"not": "per-ork"}).to_string()),
        _ => (200, "<html>not json".into()),
    }))
    .await;
    let (c, _) = client(&s.base);
    assert_eq!(
        c.list_racks(None).await.unwrap_err().code(),
        "ERR_APPNODE_BAD_RESPONSE"
    );
    assert_eq!(
        c.userinfo().await.unwrap_err().code(),
        "ERR_APPNODE_BAD_RESPONSE"
    );
    let before = s.requests().len();
    let e = c
        .push_action(&ActionRequest {
            query: json!("all"),
            action: "reboot".into(),
            params: vec![],
            rack_type: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_APPNODE_INVALID_ARGUMENT");
    assert_eq!(
        c.cancel_actions(&[]).await.unwrap_err().code(),
        "ERR_APPNODE_INVALID_ARGUMENT"
    );
    let e = client::parse_options::<ListThingsQuery>("options", Some(json!({"qeury": {}})))
        .unwrap_err();
    assert!(e.to_string().contains("qeury"));
    assert_eq!(
        s.requests().len(),
        before,
        "nothing sent for invalid arguments"
    );
}

#[tokio::test]
async fn unreachable_app_node_is_unavailable() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    let (c, _) = client(&base);
    let e = c.userinfo().await.unwrap_err();
    assert_eq!(e.code(), "ERR_APPNODE_UNAVAILABLE");
    assert!(e.to_string().contains("4 attempt"), "{e}");
    let (tokens, _) = (client(&base).0.tokens().clone(), ());
    let e = AppNodeClient::new(
        AppNodeConfig::new("http://appnode.example"),
        tokens,
        http_client(std::time::Duration::from_secs(1)).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "ERR_AUTH_INSECURE_URL");
}

#[tokio::test]
async fn app_node_renewal_401_and_errors_never_log_a_secret() {
    let (cap, _g) = capture();
    let issued = Arc::new(AtomicUsize::new(0));
    let issued2 = issued.clone();
    let s = serve(Arc::new(move |r: &Req, _| {
        let auth = r.auth.clone().unwrap_or_default();
        match r.path() {
            "/auth/token"
                if auth == "Bearer bootstrap-secret-AAA"
                    || auth.starts_with("Bearer issued-secret-") =>
            {
                let n = issued2.fetch_add(1, Ordering::SeqCst) + 1;
                (
                    200,
                    json!({ "token": format!("issued-secret-{n}") }).to_string(),
                )
            }
            "/auth/token" => (401, json!({"message": "ERR_AUTH_FAIL"}).to_string()),
            "/auth/userinfo" if auth == "Bearer issued-secret-1" => {
                (401, json!({"message": "ERR_AUTH_FAIL"}).to_string())
            }
            "/auth/userinfo" => (200, json!({"id": 1}).to_string()),
            "/auth/list-racks" => (500, "{}".into()),
            _ => (400, json!({"message": "ERR_SOMETHING"}).to_string()),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = crate::auth::AuthConfig::new(ProviderKind::AppNode, dir.path());
    cfg.app_node_url = Some(s.base.clone());
    cfg.app_node_token = Some(crate::auth::Secret::new("bootstrap-secret-AAA"));
    cfg.oauth_client_secret = Some(crate::auth::Secret::new("client-secret-BBB"));
    let http = http_client(std::time::Duration::from_secs(5)).unwrap();
    let tokens = TokenManager::new(cfg.clone(), http.clone()).unwrap();
    let mut acfg = AppNodeConfig::new(&s.base);
    acfg.retry_base_ms = 1;
    let c = AppNodeClient::new(acfg, tokens.clone(), http).unwrap();
    assert_eq!(c.userinfo().await.unwrap()["id"], 1);
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "bootstrap renewal, then one refresh after the 401"
    );
    let e1 = c.list_racks(None).await.unwrap_err();
    let e2 = c.get_action("done", "1").await.unwrap_err();
    let st = tokens.status().await;
    let texts = [
        String::from_utf8(cap.0.lock().unwrap().clone()).unwrap(),
        format!("{e1} {e1:?} {e2} {e2:?}"),
        format!("{cfg:?} {tokens:?} {c:?} {st:?}"),
        serde_json::to_string(&st).unwrap(),
    ];
    for t in &texts {
        assert!(!t.contains("secret-"), "a secret leaked: {t}");
        assert!(!t.contains("Bearer i") && !t.contains("Bearer b"), "{t}");
    }
    assert!(texts[0].contains("token refreshed"), "{}", texts[0]);
    assert!(texts[0].contains("refreshing once"), "{}", texts[0]);
}

#[tokio::test]
async fn a_base_path_is_kept_for_every_route_and_the_renewal() {
    let s = serve(Arc::new(|r: &Req, _| match r.path() {
        "/mos/auth/token" => (200, json!({"token": "t-1"}).to_string()),
        "/mos/auth/actions/done/a%2Fb" => (200, json!([null]).to_string()),
        _ => (404, "{}".into()),
    }))
    .await;
    for base in [format!("{}/mos", s.base), format!("{}/mos/", s.base)] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = crate::auth::AuthConfig::new(ProviderKind::AppNode, dir.path());
        cfg.app_node_url = Some(base.clone());
        cfg.app_node_token = Some(crate::auth::Secret::new("boot"));
        let http = http_client(std::time::Duration::from_secs(5)).unwrap();
        let tokens = TokenManager::new(cfg, http.clone()).unwrap();
        let c = AppNodeClient::new(AppNodeConfig::new(base), tokens, http).unwrap();
        // Path segments are percent-encoded: an id cannot climb out of its route.
        assert_eq!(c.get_action("done", "a/b").await.unwrap(), json!([null]));
    }
    let paths: Vec<_> = s.requests().iter().map(|r| r.path().to_string()).collect();
    assert_eq!(
        paths,
        [
            "/mos/auth/token",
            "/mos/auth/actions/done/a%2Fb",
            "/mos/auth/token",
            "/mos/auth/actions/done/a%2Fb"
        ]
    );
}

#[tokio::test]
async fn timeouts_are_retried_for_reads_and_never_for_writes() {
    let s = serve(Arc::new(|r: &Req, n| match (r.method.as_str(), n) {
        ("GET", 1) => (200, "SLOW:[[]]".into()),
        ("GET", _) => (200, "[[]]".into()),
        _ => (200, "SLOW:[]".into()),
    }))
    .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let tokens = TokenManager::with_renewer(
        ProviderKind::AppNode,
        "t".into(),
        None,
        Box::new(Counting(calls)),
    )
    .unwrap();
    let mut cfg = AppNodeConfig::new(&s.base);
    cfg.retry_base_ms = 5;
    let c = AppNodeClient::new(
        cfg,
        tokens,
        http_client(std::time::Duration::from_millis(250)).unwrap(),
    )
    .unwrap();
    assert_eq!(c.list_racks(None).await.unwrap().len(), 1);
    assert_eq!(s.requests().len(), 2, "the timed-out read was retried");
    let e = c
        .push_action(&ActionRequest {
            query: json!({}),
            action: "reboot".into(),
            params: vec![],
            rack_type: None,
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ERR_APPNODE_UNAVAILABLE");
    assert!(e.to_string().contains("timed out"), "{e}");
    assert_eq!(s.requests().len(), 3, "a timed-out write is not repeated");
}
