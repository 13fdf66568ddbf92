//! Hashrate **estimates** from accepted shares: each share of difficulty `d` stands for
//! `d × 2^32` hashes on average, so a window's hashrate is `Σ d × 2^32 / window seconds`.
//!
//! Shares are kept in time buckets, not one by one, so memory per miner is fixed whatever the
//! share rate: a ring of 10 s buckets over the last 30 minutes (for `t_5m` and `t_30m`) and a ring
//! of 5 min buckets over the last 24 hours (for the pool's `hashrate_1h` / `hashrate_24h`), at
//! most 470 `f32`s (1.9 KB) per miner. The rings grow with the span of the shares they hold (a few
//! slots for a miner seen for a minute, e.g. after a restart; the full 1.9 KB after a day). A window covers whole
//! buckets and its length is the exact span those buckets cover (up to `now`), so bucketing adds
//! no bias. Before a window has elapsed since the miner connected, the window is the time since
//! it connected. The relative standard deviation of an estimate over `n` shares is `1/√n`.

use super::time::{FIVE_MINUTES_MS, HOUR_MS, MINUTE_MS, SECOND_MS};

/// Hashes per share of difficulty 1 (`2^32`).
pub const HASHES_PER_DIFF1: f64 = 4_294_967_296.0;
/// Width of a fine bucket (ms).
pub const FINE_BUCKET_MS: u64 = 10 * SECOND_MS;
/// How far back fine buckets go (ms).
pub const FINE_SPAN_MS: u64 = 30 * MINUTE_MS;
/// Width of a coarse bucket (ms).
pub const COARSE_BUCKET_MS: u64 = FIVE_MINUTES_MS;
/// How far back coarse buckets go (ms).
pub const COARSE_SPAN_MS: u64 = 24 * HOUR_MS;
/// A window shorter than this gives 0 (too little time to say anything).
pub const MIN_SPAN_MS: u64 = SECOND_MS;

/// Converts H/s to MH/s (the unit of thing `hashrate_mhs.*`).
pub fn hs_to_mhs(hs: f64) -> f64 {
    hs / 1e6
}

/// Estimated hashrates of one miner, in H/s.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HashrateEstimate {
    /// Over the last 5 minutes (or since connect, if shorter).
    pub t_5m: f64,
    /// Over the last 30 minutes (or since connect, if shorter).
    pub t_30m: f64,
    /// Since the miner connected.
    pub avg: f64,
    /// Over the last hour (across reconnects).
    pub t_1h: f64,
    /// Over the last 24 hours (across reconnects).
    pub t_24h: f64,
}

/// Slots a ring starts with on its first share; it doubles (up to its full length) as the span
/// between its oldest kept bucket and its newest grows.
const INITIAL_SLOTS: u64 = 4;

/// One bucket series: a ring of `Σ difficulty` per bucket (`bucket index = ts / width`), holding
/// the buckets `head - cap + 1 ..= head` where `cap` is the ring's current size. The ring is
/// allocated on the first share with [`INITIAL_SLOTS`] slots and grows (doubling, at most `len`
/// slots) only as far as the buckets it must keep reach: from the oldest bucket with a share (or
/// `len - 1` buckets back) to the newest. A miner seen for a minute holds a few slots, not a day's
/// worth; one seen for a day holds `len` (4 bytes per bucket). A share older than the full ring
/// reaches is dropped: no window can see it.
#[derive(Debug, Clone, Default)]
struct Buckets {
    width: u64,
    len: u64,
    slots: Box<[f32]>,
    head: u64,
    /// Oldest bucket that ever received a share (no bucket before it holds anything).
    first: u64,
}

impl Buckets {
    fn new(width: u64, span: u64) -> Self {
        Self {
            width,
            len: span / width + 1,
            slots: Box::default(),
            head: 0,
            first: 0,
        }
    }

    /// Current ring size (0 before the first share).
    fn cap(&self) -> u64 {
        self.slots.len() as u64
    }

    /// Resizes the ring to `new_cap` slots, keeping the buckets it holds.
    fn regrow(&mut self, new_cap: u64) {
        let cap = self.cap();
        let mut next = vec![0.0f32; new_cap as usize].into_boxed_slice();
        if cap > 0 {
            let lo = self.first.max((self.head + 1).saturating_sub(cap));
            for i in lo..=self.head {
                next[(i % new_cap) as usize] = self.slots[(i % cap) as usize];
            }
        }
        self.slots = next;
    }

    fn add(&mut self, ts_ms: u64, difficulty: f64) {
        let idx = ts_ms / self.width;
        let len = self.len;
        if self.slots.is_empty() {
            self.head = idx;
            self.first = idx;
            self.regrow(INITIAL_SLOTS.min(len));
        }
        let head = self.head.max(idx);
        if idx + len <= head {
            return; // older than the full ring reaches
        }
        // buckets to keep once `idx` is in: from the oldest with a share (or len - 1 back) to head
        let oldest = self.first.min(idx).max((head + 1).saturating_sub(len));
        let needed = head - oldest + 1;
        if needed > self.cap() {
            self.regrow(needed.max(self.cap() * 2).min(len));
        }
        self.first = self.first.min(idx);
        let cap = self.cap();
        if idx > self.head {
            if idx - self.head >= cap {
                self.slots.iter_mut().for_each(|x| *x = 0.0);
            } else {
                for i in self.head + 1..=idx {
                    self.slots[(i % cap) as usize] = 0.0;
                }
            }
            self.head = idx;
        }
        self.slots[(idx % cap) as usize] += difficulty as f32;
    }

    /// Hashrate (H/s) over `window_ms` ending at `now_ms`, not reaching before `since_ms`.
    fn rate(&self, now_ms: u64, window_ms: u64, since_ms: u64) -> f64 {
        let w = self.width;
        let (lo_idx, start_ms) = if since_ms.saturating_add(window_ms) >= now_ms {
            (since_ms / w, since_ms)
        } else {
            let from = now_ms - window_ms;
            let lo = from.div_ceil(w);
            (lo, lo * w)
        };
        let span = now_ms.saturating_sub(start_ms);
        if span < MIN_SPAN_MS {
            return 0.0;
        }
        let cap = self.cap();
        if cap == 0 {
            return 0.0;
        }
        let hi = (now_ms / w).min(self.head);
        let lo = lo_idx.max((self.head + 1).saturating_sub(cap));
        let mut work = 0.0f64;
        let mut i = lo;
        while i <= hi {
            work += f64::from(self.slots[(i % cap) as usize]);
            i += 1;
        }
        work * HASHES_PER_DIFF1 / (span as f64 / 1000.0)
    }

    fn heap_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<f32>()
    }
}

/// Share windows of one miner.
#[derive(Debug, Clone)]
pub struct ShareWindows {
    fine: Buckets,
    coarse: Buckets,
    /// Start of the current session (connect time), ms.
    session_since_ms: u64,
    /// First time this miner was seen, ms (for the 1 h / 24 h windows, which span reconnects).
    first_seen_ms: u64,
    /// Σ difficulty of accepted shares in the current session.
    session_work: f64,
    /// Accepted shares in the current session.
    session_shares: u64,
}

impl ShareWindows {
    /// Empty windows for a miner first seen (and connected) at `since_ms`.
    pub fn new(since_ms: u64) -> Self {
        Self {
            fine: Buckets::new(FINE_BUCKET_MS, FINE_SPAN_MS),
            coarse: Buckets::new(COARSE_BUCKET_MS, COARSE_SPAN_MS),
            session_since_ms: since_ms,
            first_seen_ms: since_ms,
            session_work: 0.0,
            session_shares: 0,
        }
    }

    /// Starts a new session (a reconnect): `avg`, `t_5m` and `t_30m` restart from `since_ms`;
    /// the 1 h / 24 h windows keep earlier shares.
    pub fn new_session(&mut self, since_ms: u64) {
        self.session_since_ms = since_ms;
        self.session_work = 0.0;
        self.session_shares = 0;
    }

    /// Start of the current session (ms).
    pub fn session_since_ms(&self) -> u64 {
        self.session_since_ms
    }

    /// Accepted shares in the current session.
    pub fn session_shares(&self) -> u64 {
        self.session_shares
    }

    /// Records an accepted share of `difficulty` at `ts_ms`. A share stamped before the session
    /// began (clock skew between the share source and us) counts at the session start.
    pub fn add(&mut self, ts_ms: u64, difficulty: f64) {
        if !(difficulty.is_finite() && difficulty > 0.0) {
            return;
        }
        let ts = ts_ms.max(self.session_since_ms);
        self.fine.add(ts, difficulty);
        self.coarse.add(ts, difficulty);
        self.session_work += difficulty;
        self.session_shares += 1;
    }

    /// Nothing to drop: the bucket rings have a fixed size (kept for callers that prune).
    pub fn prune(&mut self, _now_ms: u64) {}

    /// The estimates at `now_ms` (H/s).
    pub fn estimate(&self, now_ms: u64) -> HashrateEstimate {
        let s = self.session_since_ms;
        let session_span = now_ms.saturating_sub(s);
        let avg = if session_span < MIN_SPAN_MS {
            0.0
        } else {
            self.session_work * HASHES_PER_DIFF1 / (session_span as f64 / 1000.0)
        };
        HashrateEstimate {
            t_5m: self.fine.rate(now_ms, FIVE_MINUTES_MS, s),
            t_30m: self.fine.rate(now_ms, 30 * MINUTE_MS, s),
            avg,
            t_1h: self.coarse.rate(now_ms, HOUR_MS, self.first_seen_ms),
            t_24h: self.coarse.rate(now_ms, 24 * HOUR_MS, self.first_seen_ms),
        }
    }

    /// Approximate heap bytes held (for the memory benchmark).
    pub fn heap_bytes(&self) -> usize {
        self.fine.heap_bytes() + self.coarse.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_795_633_200_000; // a 30-minute boundary

    #[test]
    fn no_shares_is_zero_not_nan() {
        let w = ShareWindows::new(T0);
        let e = w.estimate(T0 + 10 * MINUTE_MS);
        assert_eq!(e, HashrateEstimate::default());
        // no time elapsed at all
        assert_eq!(w.estimate(T0), HashrateEstimate::default());
    }

    #[test]
    fn one_share_over_known_span() {
        let mut w = ShareWindows::new(T0);
        w.add(T0 + 1_000, 1.0);
        // 10 minutes connected: 5 min window holds no share; 30 min window = since connect.
        let e = w.estimate(T0 + 10 * MINUTE_MS);
        assert_eq!(e.t_5m, 0.0);
        assert!((e.t_30m - HASHES_PER_DIFF1 / 600.0).abs() < 1e-6);
        assert!((e.avg - HASHES_PER_DIFF1 / 600.0).abs() < 1e-6);
    }

    #[test]
    fn exact_rate_for_a_regular_share_stream() {
        // one share of difficulty 1000 every second for 40 minutes
        let mut w = ShareWindows::new(T0);
        for s in 0..2400u64 {
            w.add(T0 + s * 1000 + 500, 1000.0);
        }
        let now = T0 + 2400 * 1000;
        let expect = 1000.0 * HASHES_PER_DIFF1;
        let e = w.estimate(now);
        for (name, v) in [
            ("5m", e.t_5m),
            ("30m", e.t_30m),
            ("avg", e.avg),
            ("1h", e.t_1h),
        ] {
            assert!((v / expect - 1.0).abs() < 0.01, "{name}: {v} vs {expect}");
        }
    }

    #[test]
    fn clock_skew_is_clamped_and_out_of_order_shares_count() {
        let mut w = ShareWindows::new(T0);
        w.add(T0 - 60_000, 1.0); // stamped before connect
        w.add(T0 + 120_000, 1.0);
        w.add(T0 + 30_000, 1.0); // arrives late, out of order
        let now = T0 + 200_000;
        let e = w.estimate(now);
        assert!((e.avg - 3.0 * HASHES_PER_DIFF1 / 200.0).abs() < 1e-3);
        assert!((e.t_5m - e.avg).abs() < 1e-3);
        // a share "from the future" (beyond now) is not counted in the window yet
        w.add(now + 60_000, 1.0);
        assert!((w.estimate(now).t_5m - e.t_5m).abs() < 1e-3);
    }

    #[test]
    fn reconnect_restarts_session_but_keeps_daily_history() {
        let mut w = ShareWindows::new(T0);
        for s in 0..600u64 {
            w.add(T0 + s * 1000, 10.0);
        }
        w.new_session(T0 + 20 * MINUTE_MS);
        let e = w.estimate(T0 + 21 * MINUTE_MS);
        assert_eq!(e.t_5m, 0.0);
        assert_eq!(e.avg, 0.0);
        assert!(e.t_1h > 0.0);
    }

    #[test]
    fn prune_bounds_memory() {
        let mut w = ShareWindows::new(T0);
        for s in 0..(48 * 3600u64) {
            w.add(T0 + s * 1000, 1.0);
            if s % 600 == 0 {
                w.prune(T0 + s * 1000);
            }
        }
        // after two days the rings are at their full size, never more
        assert_eq!(w.heap_bytes(), (181 + 289) * 4);
        // 48 h of one share per second at difficulty 1: the last 5 min hold 300 shares
        let e = w.estimate(T0 + 48 * 3600 * 1000);
        assert!(
            (e.t_5m / (HASHES_PER_DIFF1) - 1.0).abs() < 0.01,
            "{}",
            e.t_5m
        );
        assert!(
            (e.t_24h / (HASHES_PER_DIFF1) - 1.0).abs() < 0.01,
            "{}",
            e.t_24h
        );
    }

    /// The rings as they were before they grew lazily: `len` slots allocated on the first share.
    /// The lazily grown rings must give exactly the same estimates.
    struct FullRing {
        width: u64,
        len: u64,
        slots: Option<Vec<f32>>,
        head: u64,
    }

    impl FullRing {
        fn new(width: u64, span: u64) -> Self {
            Self {
                width,
                len: span / width + 1,
                slots: None,
                head: 0,
            }
        }

        fn add(&mut self, ts_ms: u64, difficulty: f64) {
            let idx = ts_ms / self.width;
            let len = self.len;
            if self.slots.is_none() {
                self.head = idx;
            }
            let slots = self.slots.get_or_insert_with(|| vec![0.0; len as usize]);
            if idx > self.head {
                if idx - self.head >= len {
                    slots.iter_mut().for_each(|x| *x = 0.0);
                } else {
                    for i in self.head + 1..=idx {
                        slots[(i % len) as usize] = 0.0;
                    }
                }
                self.head = idx;
            } else if idx + len <= self.head {
                return;
            }
            slots[(idx % len) as usize] += difficulty as f32;
        }

        fn rate(&self, now_ms: u64, window_ms: u64, since_ms: u64) -> f64 {
            let w = self.width;
            let (lo_idx, start_ms) = if since_ms.saturating_add(window_ms) >= now_ms {
                (since_ms / w, since_ms)
            } else {
                let lo = (now_ms - window_ms).div_ceil(w);
                (lo, lo * w)
            };
            let span = now_ms.saturating_sub(start_ms);
            let Some(slots) = &self.slots else {
                return 0.0;
            };
            if span < MIN_SPAN_MS {
                return 0.0;
            }
            let hi = (now_ms / w).min(self.head);
            let lo = lo_idx.max((self.head + 1).saturating_sub(self.len));
            let mut work = 0.0f64;
            let mut i = lo;
            while i <= hi {
                work += f64::from(slots[(i % self.len) as usize]);
                i += 1;
            }
            work * HASHES_PER_DIFF1 / (span as f64 / 1000.0)
        }
    }

    #[test]
    fn rings_start_small_and_grow_with_the_span_held() {
        let mut w = ShareWindows::new(T0);
        assert_eq!(w.heap_bytes(), 0);
        for s in 0..6u64 {
            w.add(T0 + s * 1000, 1.0);
        }
        // a minute of shares (e.g. right after a restart): 4 + 4 slots, not 181 + 289
        assert_eq!(w.heap_bytes(), 8 * 4);
        for s in 0..(3 * 60u64) {
            w.add(T0 + s * 1000, 1.0);
        }
        // 3 minutes: 19 fine buckets → 32 slots; one coarse bucket
        assert_eq!(w.heap_bytes(), (32 + 4) * 4);
    }

    proptest::proptest! {
        /// Random share streams (out of order, gaps longer than a ring, reconnects): the lazily
        /// grown rings give bit-identical estimates to rings allocated in full.
        #[test]
        fn lazy_rings_match_full_rings(
            steps in proptest::collection::vec((0u64..4, 0u64..(3 * HOUR_MS), 1u32..5000), 1..200),
            probe in 0u64..(30 * HOUR_MS),
        ) {
            for (width, span) in [(FINE_BUCKET_MS, FINE_SPAN_MS), (COARSE_BUCKET_MS, COARSE_SPAN_MS)] {
                let mut lazy = Buckets::new(width, span);
                let mut full = FullRing::new(width, span);
                let mut now = T0;
                for (kind, dt, d) in &steps {
                    // kind 0: jump ahead (up to 3 h, so rings wrap and skip); 1: a share now;
                    // 2: a late share up to 3 h back; 3: a share a little ahead
                    let ts = match kind {
                        0 => { now += dt * 8; continue }
                        1 => now,
                        2 => now.saturating_sub(*dt),
                        _ => now + dt / 60,
                    };
                    now += 500;
                    lazy.add(ts, f64::from(*d));
                    full.add(ts, f64::from(*d));
                    proptest::prop_assert!(lazy.heap_bytes() <= (span / width + 1) as usize * 4);
                }
                for window in [FIVE_MINUTES_MS, 30 * MINUTE_MS, HOUR_MS, 24 * HOUR_MS] {
                    for since in [T0, now.saturating_sub(probe), now.saturating_sub(2 * HOUR_MS)] {
                        for at in [now, now + probe / 10, now + probe] {
                            let (a, b) = (lazy.rate(at, window, since), full.rate(at, window, since));
                            proptest::prop_assert!(a == b, "width {} window {} since {} at {}: lazy {} full {}", width, window, since, at, a, b);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_difficulty_is_ignored() {
        let mut w = ShareWindows::new(T0);
        w.add(T0 + 1, f64::NAN);
        w.add(T0 + 1, -1.0);
        w.add(T0 + 1, 0.0);
        assert_eq!(w.session_shares(), 0);
    }
}
