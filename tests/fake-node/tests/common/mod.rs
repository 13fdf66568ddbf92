//! Test harness: start the fake node binary, call its JSON-RPC, speak its module IPC with the
//! module's own codec.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use blvm_miningos_core::ipc::{
    decode_message, encode_frame, ModuleMessage, RequestMessage, RequestPayload, ResponsePayload,
};
use serde_json::{json, Value};

/// A running fake node, killed on drop.
pub struct FakeNode {
    pub child: Child,
    pub info: Value,
    pub dir: tempfile::TempDir,
}

impl FakeNode {
    /// Starts `blvm-fake-node --data-dir <tmp> <args>` and reads its ready line.
    pub fn start(args: &[&str]) -> FakeNode {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_blvm-fake-node"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("ready line {line:?}: {e}"));
        FakeNode { child, info, dir }
    }

    pub fn socket(&self) -> String {
        self.info["socket_path"].as_str().unwrap().to_string()
    }

    /// Raw HTTP POST; returns (status, body).
    pub fn post(&self, body: &str, auth: Option<&str>) -> (u16, Value) {
        let port = self.info["rpc_port"].as_u64().unwrap();
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut req = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        if let Some(a) = auth {
            req += &format!(
                "Authorization: Basic {}\r\n",
                base64::engine::general_purpose::STANDARD.encode(a)
            );
        }
        req += "\r\n";
        req += body;
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).unwrap();
        let text = String::from_utf8_lossy(&resp);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (
            status,
            serde_json::from_str(body.trim()).unwrap_or(Value::Null),
        )
    }

    pub fn cookie(&self) -> String {
        std::fs::read_to_string(self.info["cookie_file"].as_str().unwrap()).unwrap()
    }

    /// JSON-RPC call: Ok(result) or Err(error object).
    pub fn rpc(&self, method: &str, params: Value) -> Result<Value, Value> {
        let body =
            json!({"jsonrpc": "1.0", "id": 1, "method": method, "params": params}).to_string();
        let (_, v) = self.post(&body, Some(&self.cookie()));
        if v["error"].is_null() {
            Ok(v["result"].clone())
        } else {
            Err(v["error"].clone())
        }
    }

    pub fn status(&self) -> Value {
        self.rpc("fake_status", json!({})).unwrap()
    }

    /// Polls status until `pred` holds (10 s).
    pub fn wait_status(&self, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..200 {
            let s = self.status();
            if pred(&s) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("status condition not met: {}", self.status());
    }
}

impl Drop for FakeNode {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a read produced (test-only type: size does not matter).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Recv {
    Msg(ModuleMessage),
    Timeout,
    Eof,
}

/// A blocking module-side IPC client.
pub struct Client {
    pub s: UnixStream,
    next: u64,
}

impl Client {
    pub fn connect(path: &str) -> Client {
        Client {
            s: UnixStream::connect(path).unwrap(),
            next: 1,
        }
    }

    pub fn send(&mut self, m: &ModuleMessage) {
        self.s.write_all(&encode_frame(m).unwrap()).unwrap();
    }

    /// Sends a request; returns its correlation id.
    pub fn request(&mut self, p: RequestPayload) -> u64 {
        let cid = self.next;
        self.next += 1;
        self.send(&ModuleMessage::Request(RequestMessage::new(cid, p)));
        cid
    }

    pub fn recv(&mut self, timeout: Duration) -> Recv {
        self.s.set_read_timeout(Some(timeout)).unwrap();
        let mut hdr = [0u8; 4];
        match self.s.read_exact(&mut hdr) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Recv::Timeout
            }
            Err(_) => return Recv::Eof,
        }
        let len = u32::from_be_bytes(hdr) as usize;
        let mut buf = vec![0u8; len];
        self.s
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        if self.s.read_exact(&mut buf).is_err() {
            return Recv::Eof;
        }
        Recv::Msg(decode_message(&buf).unwrap())
    }

    /// The response payload to `cid`, skipping events; panics on timeout or EOF.
    pub fn response(&mut self, cid: u64) -> ResponsePayload {
        loop {
            match self.recv(Duration::from_secs(5)) {
                Recv::Msg(ModuleMessage::Response(r)) if r.correlation_id == cid => {
                    assert!(r.success, "{r:?}");
                    return r.payload.unwrap();
                }
                Recv::Msg(_) => continue,
                other => panic!("no response to {cid}: {other:?}"),
            }
        }
    }

    /// True if the node closes the connection (EOF) without answering anything more.
    pub fn closed_without_reply(&mut self) -> bool {
        loop {
            match self.recv(Duration::from_secs(5)) {
                Recv::Eof => return true,
                Recv::Msg(ModuleMessage::Event(_)) => continue,
                _ => return false,
            }
        }
    }

    pub fn handshake(&mut self, module_id: &str) -> u64 {
        self.request(RequestPayload::Handshake {
            module_id: module_id.into(),
            module_name: module_id.split('_').next().unwrap().into(),
            version: "0.1.0".into(),
        })
    }
}
