//! A small loopback HTTP JSON-RPC server that behaves like the BLVM node's JSON-RPC for the calls
//! the module makes: cookie auth, a chain of blocks that tests can extend or reorganize, a node that
//! can go down (port closed) and come back with a new cookie.
#![allow(dead_code)]

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub fn hash_of(label: &str) -> String {
    hex::encode(Sha256::digest(label.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct Blk {
    pub hash: String,
    pub prev: Option<String>,
    pub height: u64,
}

pub struct NodeState {
    pub chain: Vec<Blk>,
    pub all: Vec<Blk>,
    pub password: String,
    pub subversion: String,
    pub calls: Vec<String>,
    pub submit_answer: Value,
    pub bad_best_hash: bool,
}

impl NodeState {
    fn find(&self, hash: &str) -> Option<&Blk> {
        self.all.iter().find(|b| b.hash == hash)
    }
}

pub struct FakeNode {
    pub state: Arc<Mutex<NodeState>>,
    pub addr: SocketAddr,
    pub cookie: PathBuf,
    pub dir: tempfile::TempDir,
    task: Option<JoinHandle<()>>,
}

impl FakeNode {
    pub async fn start(subversion: &str) -> FakeNode {
        let dir = tempfile::tempdir().unwrap();
        let cookie = dir.path().join(".cookie");
        let genesis = Blk {
            hash: hash_of("genesis"),
            prev: None,
            height: 0,
        };
        let state = Arc::new(Mutex::new(NodeState {
            chain: vec![genesis.clone()],
            all: vec![genesis],
            password: "pw1".into(),
            subversion: subversion.into(),
            calls: vec![],
            submit_answer: Value::Null,
            bad_best_hash: false,
        }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut n = FakeNode {
            state,
            addr,
            cookie,
            dir,
            task: None,
        };
        n.write_cookie();
        n.task = Some(tokio::spawn(serve(listener, n.state.clone())));
        n
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn write_cookie(&self) {
        let pw = self.state.lock().unwrap().password.clone();
        std::fs::write(&self.cookie, format!("__cookie__:{pw}")).unwrap();
    }

    /// Stops answering: closes the port and deletes the cookie, like a node that exits.
    pub async fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
        let _ = std::fs::remove_file(&self.cookie);
    }

    /// Comes back on the same port with a new cookie.
    pub async fn restart(&mut self, new_password: &str) {
        self.stop().await;
        self.state.lock().unwrap().password = new_password.into();
        self.write_cookie();
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.task = Some(tokio::spawn(serve(listener, self.state.clone())));
    }

    /// Changes the cookie without a restart (the client's cached cookie goes stale).
    pub fn rotate_cookie(&self, new_password: &str) {
        self.state.lock().unwrap().password = new_password.into();
        self.write_cookie();
    }

    /// Mines `n` blocks on the current tip; returns their hashes.
    pub fn mine(&self, n: usize, tag: &str) -> Vec<String> {
        let mut s = self.state.lock().unwrap();
        let mut out = vec![];
        for i in 0..n {
            let tip = s.chain.last().unwrap().clone();
            let b = Blk {
                hash: hash_of(&format!("{tag}-{i}-{}", tip.hash)),
                prev: Some(tip.hash.clone()),
                height: tip.height + 1,
            };
            out.push(b.hash.clone());
            s.chain.push(b.clone());
            s.all.push(b);
        }
        out
    }

    /// Drops the top `depth` blocks (invalidateblock), returning their hashes (top first).
    pub fn rewind(&self, depth: usize) -> Vec<String> {
        let mut s = self.state.lock().unwrap();
        let mut out = vec![];
        for _ in 0..depth {
            out.push(s.chain.pop().unwrap().hash);
        }
        out
    }

    pub fn tip(&self) -> Blk {
        self.state.lock().unwrap().chain.last().unwrap().clone()
    }
}

impl Drop for FakeNode {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

async fn serve(listener: TcpListener, state: Arc<Mutex<NodeState>>) {
    let mut conns = tokio::task::JoinSet::new();
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            break;
        };
        conns.spawn(handle(sock, state.clone()));
    }
}

async fn handle(mut sock: TcpStream, state: Arc<Mutex<NodeState>>) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    loop {
        // read one request (headers + content-length body)
        let (head_end, clen) = loop {
            if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..p]).to_string();
                let clen = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                break (p + 4, clen);
            }
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        };
        while buf.len() < head_end + clen {
            match sock.read(&mut tmp).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&tmp[..n]),
            }
        }
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let body: Value =
            serde_json::from_slice(&buf[head_end..head_end + clen]).unwrap_or(Value::Null);
        buf.drain(..head_end + clen);
        let auth = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("authorization")
                .then(|| v.trim().to_string())
        });
        let (status, reply) = answer(&state, auth.as_deref(), &body);
        let text = reply.to_string();
        let resp = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if sock.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn answer(
    state: &Arc<Mutex<NodeState>>,
    auth: Option<&str>,
    body: &Value,
) -> (&'static str, Value) {
    let mut s = state.lock().unwrap();
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("__cookie__:{}", s.password))
    );
    if auth != Some(want.as_str()) {
        return ("401 Unauthorized", Value::Null);
    }
    let id = body.get("id").cloned().unwrap_or(Value::Null);
    let method = body
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let params = body.get("params").cloned().unwrap_or(json!([]));
    s.calls.push(method.clone());
    let tip = s.chain.last().unwrap().clone();
    let header = |b: &Blk| json!({"hash": b.hash, "height": b.height, "previousblockhash": b.prev, "time": 1_700_000_000u64 + b.height, "nTx": 1});
    let result: Result<Value, (i64, &str)> = match method.as_str() {
        "getnetworkinfo" => Ok(
            json!({"version": 83, "subversion": s.subversion, "protocolversion": 70016, "connections": 0}),
        ),
        "getbestblockhash" if s.bad_best_hash => Ok(json!(42)),
        "getbestblockhash" => Ok(json!(tip.hash)),
        "getblockheader" => {
            let h = params.get(0).and_then(Value::as_str).unwrap_or("");
            match s.find(h) {
                Some(b) => Ok(header(b)),
                None => Err((-5, "Block not found")),
            }
        }
        "getblockchaininfo" => Ok(
            json!({"chain": "regtest", "blocks": tip.height, "headers": tip.height, "bestblockhash": tip.hash, "difficulty": 1.0, "initialblockdownload": false, "warnings": ""}),
        ),
        "getmempoolinfo" => Ok(json!({"size": 0, "bytes": 0, "usage": 0})),
        "uptime" => Ok(json!(12)),
        "submitblock" => Ok(s.submit_answer.clone()),
        _ => Err((-32601, "Method not found")),
    };
    match result {
        Ok(r) => ("200 OK", json!({"result": r, "error": null, "id": id})),
        Err((code, msg)) => (
            if code == -32601 {
                "404 Not Found"
            } else {
                "500 Internal Server Error"
            },
            json!({"result": null, "error": {"code": code, "message": msg}, "id": id}),
        ),
    }
}
