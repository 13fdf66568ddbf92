//! Figures for the action engine (not timed assertions): run with
//! `cargo test --release -p blvm-miningos-core --test actions_bench -- --ignored --nocapture`.

mod actions_common;

use actions_common::*;
use blvm_miningos_core::actions::{ActionJournal, ActionResult, FileJournal, JournalEntry, Status};
use serde_json::json;
use std::io::Write;
use std::time::Instant;

fn entry(i: usize) -> JournalEntry {
    JournalEntry {
        key: format!("{i}|miner:m{i}|setPowerMode"),
        action_id: i.to_string(),
        user: Some("op@example.com".into()),
        target: miner(&format!("m{i}"), "10.0.0.2"),
        action: "setPowerMode".into(),
        params: json!(["sleep"]),
        status: Status::Running,
        result: None,
        started_at: 1_700_000_000_000 + i as u64,
        finished_at: None,
        duration_ms: None,
    }
}

#[test]
#[ignore = "benchmark: prints figures"]
fn bench_journal_and_engine() {
    let dir = tempfile::tempdir().unwrap();
    // 1. Durable appends (fsync per record).
    let (j, _) = FileJournal::open(dir.path().join("a.jsonl")).unwrap();
    let n = 300;
    let t = Instant::now();
    for i in 0..n {
        j.started(&entry(i)).unwrap();
        j.finished(
            &entry(i).key,
            Status::Succeeded,
            &ActionResult::ok("ok", None),
            1,
            1,
        )
        .unwrap();
    }
    let el = t.elapsed();
    println!(
        "journal: {} fsynced records in {:.1} ms = {:.2} ms/record ({:.0} actions/s)",
        2 * n,
        el.as_secs_f64() * 1e3,
        el.as_secs_f64() * 1e3 / (2 * n) as f64,
        n as f64 / el.as_secs_f64()
    );
    // 2. Reopen (replay) of a large journal, written without fsync for speed.
    let big = dir.path().join("big.jsonl");
    let lines_src: Vec<String> = std::fs::read_to_string(dir.path().join("a.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut f = std::fs::File::create(&big).unwrap();
    let copies = 100_000 / lines_src.len() + 1;
    let mut written = 0;
    for c in 0..copies {
        for l in &lines_src {
            writeln!(f, "{}", l.replace("\"key\":\"", &format!("\"key\":\"{c}-"))).unwrap();
            written += 1;
        }
    }
    drop(f);
    let size = std::fs::metadata(&big).unwrap().len();
    let t = Instant::now();
    let (j, rep) = FileJournal::open(&big).unwrap();
    println!(
        "journal reopen: {} records ({:.1} MB) in {:.1} ms, {} skipped",
        rep.records,
        size as f64 / 1e6,
        t.elapsed().as_secs_f64() * 1e3,
        rep.skipped_lines
    );
    assert_eq!(rep.records, written);
    let t = Instant::now();
    let h = j.history(&Default::default());
    println!(
        "history (newest 100 of {written}): {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(h.len(), 100);
    // 3. Validation and a full execute with a trivial hook.
    let e = engine(
        dir.path(),
        "[actions.hooks.miner_set_power_mode]\nargv = [\"/bin/true\", \"{address}\", \"{mode}\"]",
    );
    let m = miner("m1", "10.0.0.2");
    let t = Instant::now();
    let k = 100_000;
    for _ in 0..k {
        e.validate(&m, "setPowerMode", &[json!("sleep")]).unwrap();
    }
    println!(
        "validate: {:.2} µs each",
        t.elapsed().as_secs_f64() * 1e6 / k as f64
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let runs = 50;
    let t = Instant::now();
    rt.block_on(async {
        for i in 0..runs {
            let r = e
                .execute(req(
                    Some(&format!("b{i}")),
                    m.clone(),
                    "setPowerMode",
                    vec![json!("sleep")],
                ))
                .await
                .unwrap();
            assert!(r.success);
        }
    });
    println!(
        "execute (hook /bin/true, 2 fsyncs): {:.2} ms each",
        t.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
    let t = Instant::now();
    rt.block_on(async {
        for i in 0..runs {
            e.execute(req(
                Some(&format!("b{i}")),
                m.clone(),
                "setPowerMode",
                vec![json!("sleep")],
            ))
            .await
            .unwrap();
        }
    });
    println!(
        "re-delivered execute (journal hit): {:.1} µs each",
        t.elapsed().as_secs_f64() * 1e6 / runs as f64
    );
}
