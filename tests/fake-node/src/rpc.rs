//! The JSON-RPC HTTP server (hyper 1, loopback, cookie auth), restartable for tests.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rand::RngCore;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::methods;
use crate::state::Node;

/// Largest accepted request body.
pub const MAX_BODY: usize = 16 << 20;

/// A JSON-RPC error (Bitcoin Core codes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({code})")]
pub struct RpcError {
    /// Core error code (-1 misc, -3 type, -5 not found, -8 invalid parameter, -32601 ...).
    pub code: i64,
    /// Message.
    pub message: String,
}

impl RpcError {
    /// Builds an error.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A request to restart the RPC server: down for `down`, then back on the same port.
#[derive(Debug, Clone, Copy)]
pub struct Restart {
    /// Time without a listener.
    pub down: Duration,
    /// Write a new cookie while down.
    pub new_cookie: bool,
}

/// Writes a fresh `<data>/.cookie` (`__cookie__:<64 hex>`, mode 0600) and remembers it.
pub fn write_cookie(node: &Node) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut secret = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut secret);
    let cookie = format!("__cookie__:{}", hex::encode(secret));
    let path = node.cfg.data_dir.join(".cookie");
    let tmp = node.cfg.data_dir.join(".cookie.tmp");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(cookie.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    *node.lock(&node.cookie) = cookie;
    Ok(())
}

fn authorized(node: &Node, req: &Request<Incoming>) -> bool {
    let Some(h) = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
    else {
        return false;
    };
    let Some(b64) = h.strip_prefix("Basic ") else {
        return false;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let cookie = node.lock(&node.cookie).clone();
    // Constant-time-ish comparison (length first, then every byte).
    raw.len() == cookie.len()
        && raw
            .iter()
            .zip(cookie.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string() + "\n")));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// Runs one JSON-RPC call object; returns the HTTP status (legacy 1.0 semantics) and the reply.
async fn call_one(
    node: &Arc<Node>,
    restart: &mpsc::Sender<Restart>,
    req: &Value,
) -> (StatusCode, Value) {
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let v2 = req.get("jsonrpc").and_then(Value::as_str) == Some("2.0");
    let result = match req.get("method").and_then(Value::as_str) {
        None => Err(RpcError::new(-32600, "Method must be a string")),
        Some(m) => {
            let params = req.get("params").cloned().unwrap_or(Value::Null);
            if !(params.is_null() || params.is_array() || params.is_object()) {
                Err(RpcError::new(-32600, "Params must be an array or object"))
            } else {
                methods::dispatch(node, restart, m, params).await
            }
        }
    };
    match result {
        Ok(v) if v2 => (
            StatusCode::OK,
            json!({"jsonrpc": "2.0", "result": v, "id": id}),
        ),
        Ok(v) => (
            StatusCode::OK,
            json!({"result": v, "error": null, "id": id}),
        ),
        Err(e) => {
            tracing::debug!(code = e.code, message = %e.message, "rpc error");
            let err = json!({"code": e.code, "message": e.message});
            if v2 {
                (
                    StatusCode::OK,
                    json!({"jsonrpc": "2.0", "error": err, "id": id}),
                )
            } else {
                let status = match e.code {
                    -32601 => StatusCode::NOT_FOUND,
                    -32600 => StatusCode::BAD_REQUEST,
                    _ => StatusCode::INTERNAL_SERVER_ERROR,
                };
                (status, json!({"result": null, "error": err, "id": id}))
            }
        }
    }
}

async fn handle(
    node: Arc<Node>,
    restart: mpsc::Sender<Restart>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    if !authorized(&node, &req) {
        let mut r = Response::new(Full::new(Bytes::new()));
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        r.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"jsonrpc\""),
        );
        return Ok(r);
    }
    if req.method() != Method::POST {
        return Ok(reply(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"result": null, "error": {"code": -32600, "message": "JSONRPC server handles only POST requests"}, "id": null}),
        ));
    }
    node.rpc_requests.fetch_add(1, Ordering::Relaxed);
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            return Ok(reply(
                StatusCode::BAD_REQUEST,
                json!({"result": null, "error": {"code": -32700, "message": format!("cannot read request body: {e}")}, "id": null}),
            ))
        }
    };
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return Ok(reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"result": null, "error": {"code": -32700, "message": format!("Parse error: {e}")}, "id": null}),
            ))
        }
    };
    match parsed {
        Value::Array(calls) => {
            let mut out = Vec::with_capacity(calls.len());
            for c in &calls {
                out.push(call_one(&node, &restart, c).await.1);
            }
            Ok(reply(StatusCode::OK, Value::Array(out)))
        }
        Value::Object(_) => {
            let (status, v) = call_one(&node, &restart, &parsed).await;
            Ok(reply(status, v))
        }
        _ => Ok(reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"result": null, "error": {"code": -32700, "message": "Top-level object parse error"}, "id": null}),
        )),
    }
}

/// Binds `127.0.0.1:port` (0 = any free port).
pub async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await
}

/// Serves JSON-RPC forever; a `Restart` drops the listener and every connection, waits, rebinds.
pub async fn serve(node: Arc<Node>, mut listener: TcpListener) {
    let (restart_tx, mut restart_rx) = mpsc::channel::<Restart>(4);
    loop {
        let addr = listener.local_addr().ok();
        let mut conns = JoinSet::new();
        let restart = loop {
            tokio::select! {
                acc = listener.accept() => match acc {
                    Ok((stream, _)) => {
                        let node = node.clone();
                        let rtx = restart_tx.clone();
                        conns.spawn(async move {
                            let svc = hyper::service::service_fn(move |req| handle(node.clone(), rtx.clone(), req));
                            if let Err(e) = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), svc)
                                .await
                            {
                                tracing::debug!(error = %e, "rpc connection ended");
                            }
                        });
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "rpc accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                Some(r) = restart_rx.recv() => break r,
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        };
        // Let the reply to fake_rpcrestart reach the client before everything is dropped.
        tokio::time::sleep(Duration::from_millis(50)).await;
        conns.abort_all();
        drop(listener);
        tracing::info!(
            down_ms = restart.down.as_millis() as u64,
            "rpc server stopped"
        );
        tokio::time::sleep(restart.down).await;
        if restart.new_cookie {
            if let Err(e) = write_cookie(&node) {
                tracing::error!(error = %e, "cannot rewrite the cookie");
            }
        }
        let port = addr.map_or(0, |a| a.port());
        listener = loop {
            match bind(port).await {
                Ok(l) => break l,
                Err(e) => {
                    tracing::warn!(error = %e, port, "rpc rebind failed, retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        tracing::info!(port, "rpc server restarted");
    }
}
