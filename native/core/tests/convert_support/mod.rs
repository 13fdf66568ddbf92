//! Helpers shared by the `convert_*` integration tests.
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// 2026-11-25T19:00:00Z, a boundary of every period up to 1 h.
pub const T0: u64 = 1_795_633_200_000;

/// Loads `tests/fixtures/convert/<name>`.
pub fn fixture(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/convert")
        .join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Asserts two JSON values are equal, numbers within a relative 1e-9 (so `1000` equals `1000.0`).
pub fn assert_json_close(actual: &Value, expected: &Value) {
    if let Err(path) = close(actual, expected, String::from("$")) {
        panic!(
            "JSON differs at {path}\nactual:   {}\nexpected: {}",
            serde_json::to_string_pretty(actual).unwrap_or_default(),
            serde_json::to_string_pretty(expected).unwrap_or_default()
        );
    }
}

fn close(a: &Value, e: &Value, path: String) -> Result<(), String> {
    match (a, e) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            if x == y || ((x - y).abs() <= 1e-9 * y.abs().max(1.0)) {
                Ok(())
            } else {
                Err(format!("{path}: {x} != {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{path}: length {} != {}", x.len(), y.len()));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                close(p, q, format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => close(p, q, format!("{path}.{k}"))?,
                    (Some(_), None) => return Err(format!("{path}.{k}: unexpected key")),
                    (None, Some(_)) => return Err(format!("{path}.{k}: missing key")),
                    (None, None) => {}
                }
            }
            Ok(())
        }
        _ if a == e => Ok(()),
        _ => Err(format!("{path}: {a} != {e}")),
    }
}
