//! Hashrate estimates against a simulated Poisson share process with a known hashrate: each
//! estimate must fall within ±3σ (σ = hashrate/√(expected shares in the window)), and over many
//! seeded runs about 95 % must fall within ±2σ and the mean must sit on the true hashrate.

use blvm_miningos_core::convert::hashrate::{ShareWindows, HASHES_PER_DIFF1};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const T0: u64 = 1_795_633_200_000;

/// Shares of difficulty `d` from a miner of `hashrate` H/s for `secs` seconds (Poisson arrivals).
fn simulate(seed: u64, hashrate: f64, d: f64, secs: f64) -> ShareWindows {
    let mut rng = StdRng::seed_from_u64(seed);
    let lambda = hashrate / (d * HASHES_PER_DIFF1); // shares per second
    let mut w = ShareWindows::new(T0);
    let mut t = 0.0f64;
    loop {
        let u: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
        t += -u.ln() / lambda;
        if t > secs {
            break;
        }
        w.add(T0 + (t * 1000.0) as u64, d);
    }
    w
}

struct Case {
    hashrate: f64,
    difficulty: f64,
}

const CASES: [Case; 3] = [
    Case {
        hashrate: 100e12,
        difficulty: 65_536.0,
    }, // 100 TH/s, ~0.36 share/s
    Case {
        hashrate: 14e9,
        difficulty: 8.0,
    }, // a small miner, ~0.41 share/s
    Case {
        hashrate: 1e18,
        difficulty: 1e8,
    }, // a large farm as one miner, ~2.3 shares/s
];

#[test]
fn every_estimate_is_within_three_sigma() {
    for (ci, c) in CASES.iter().enumerate() {
        let lambda = c.hashrate / (c.difficulty * HASHES_PER_DIFF1);
        for seed in 0..20u64 {
            let w = simulate(seed * 31 + ci as u64, c.hashrate, c.difficulty, 3600.0);
            let e = w.estimate(T0 + 3_600_000);
            for (name, est, secs) in [
                ("t_5m", e.t_5m, 300.0),
                ("t_30m", e.t_30m, 1800.0),
                ("avg", e.avg, 3600.0),
                ("t_1h", e.t_1h, 3600.0),
            ] {
                let sigma = c.hashrate / (lambda * secs).sqrt();
                let dev = (est - c.hashrate).abs();
                assert!(
                    dev <= 3.0 * sigma,
                    "case {ci} seed {seed} {name}: {est:e} vs {:e} (3σ = {:e})",
                    c.hashrate,
                    3.0 * sigma
                );
            }
        }
    }
}

#[test]
fn coverage_and_bias_over_many_runs() {
    let c = &CASES[0];
    let lambda = c.hashrate / (c.difficulty * HASHES_PER_DIFF1);
    let sigma = c.hashrate / (lambda * 300.0).sqrt();
    let runs = 400u64;
    let (mut within2, mut sum) = (0u64, 0.0f64);
    for seed in 0..runs {
        let e = simulate(10_000 + seed, c.hashrate, c.difficulty, 900.0).estimate(T0 + 900_000);
        if (e.t_5m - c.hashrate).abs() <= 2.0 * sigma {
            within2 += 1;
        }
        sum += e.t_5m;
    }
    let coverage = within2 as f64 / runs as f64;
    assert!((0.90..=0.99).contains(&coverage), "±2σ coverage {coverage}");
    // the mean of 400 estimates has σ/20; allow 4 of those
    let mean = sum / runs as f64;
    assert!(
        (mean - c.hashrate).abs() <= 4.0 * sigma / 20.0,
        "mean {mean:e} vs {:e}",
        c.hashrate
    );
}

#[test]
fn shorter_than_the_window_uses_the_time_since_connect() {
    // 2 minutes of shares: t_5m and t_30m are over 2 minutes, not diluted over the window
    let c = &CASES[2];
    let lambda = c.hashrate / (c.difficulty * HASHES_PER_DIFF1);
    let w = simulate(7, c.hashrate, c.difficulty, 120.0);
    let e = w.estimate(T0 + 120_000);
    let sigma = c.hashrate / (lambda * 120.0).sqrt();
    assert!((e.t_5m - c.hashrate).abs() <= 3.0 * sigma, "{:e}", e.t_5m);
    assert!((e.t_30m - e.t_5m).abs() < 1e-6 * c.hashrate);
}
