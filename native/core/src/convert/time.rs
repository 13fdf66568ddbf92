//! Time helpers: UTC cron boundaries for `ts` alignment and the stat timeframes.

use super::error::ConvertError;

/// One second in ms.
pub const SECOND_MS: u64 = 1_000;
/// One minute in ms.
pub const MINUTE_MS: u64 = 60 * SECOND_MS;
/// Five minutes in ms.
pub const FIVE_MINUTES_MS: u64 = 5 * MINUTE_MS;
/// One hour in ms.
pub const HOUR_MS: u64 = 60 * MINUTE_MS;
/// One UTC day in ms.
pub const DAY_MS: u64 = 24 * HOUR_MS;
/// The real-time stat cadence of the miner template (`stat-rtd`, every 30 s).
pub const RTD_MS: u64 = 30 * SECOND_MS;

/// A stat log timeframe (`stat-<tf>-<tag>`), with its cron boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeframe {
    /// `stat-rtd`: every 30 s.
    Rtd,
    /// `stat-5m`: cron `0 */5 * * * *`.
    FiveMinutes,
    /// `stat-30m`: cron `0 */30 * * * *`.
    ThirtyMinutes,
    /// `stat-3h`: cron `0 0 */3 * * *`.
    ThreeHours,
    /// `stat-1D`: cron `0 0 0 * * *` (UTC midnight).
    OneDay,
}

impl Timeframe {
    /// Every timeframe, shortest first.
    pub const ALL: [Timeframe; 5] = [
        Timeframe::Rtd,
        Timeframe::FiveMinutes,
        Timeframe::ThirtyMinutes,
        Timeframe::ThreeHours,
        Timeframe::OneDay,
    ];

    /// Parses `rtd`, `5m`, `30m`, `3h`, `1D`.
    pub fn parse(s: &str) -> Result<Self, ConvertError> {
        match s {
            "rtd" => Ok(Timeframe::Rtd),
            "5m" => Ok(Timeframe::FiveMinutes),
            "30m" => Ok(Timeframe::ThirtyMinutes),
            "3h" => Ok(Timeframe::ThreeHours),
            "1D" => Ok(Timeframe::OneDay),
            other => Err(ConvertError::Interval(other.to_string())),
        }
    }

    /// The name used in log keys (`stat-<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Timeframe::Rtd => "rtd",
            Timeframe::FiveMinutes => "5m",
            Timeframe::ThirtyMinutes => "30m",
            Timeframe::ThreeHours => "3h",
            Timeframe::OneDay => "1D",
        }
    }

    /// Length in ms.
    pub fn ms(self) -> u64 {
        match self {
            Timeframe::Rtd => RTD_MS,
            Timeframe::FiveMinutes => FIVE_MINUTES_MS,
            Timeframe::ThirtyMinutes => 30 * MINUTE_MS,
            Timeframe::ThreeHours => 3 * HOUR_MS,
            Timeframe::OneDay => DAY_MS,
        }
    }

    /// The log key for a tag: `stat-<tf>-<tag>`.
    pub fn log_key(self, tag: &str) -> String {
        format!("stat-{}-{}", self.name(), tag)
    }
}

/// The boundary at or before `ts_ms` for a period (UTC; the epoch is a boundary of every period).
pub fn align(ts_ms: u64, period_ms: u64) -> u64 {
    if period_ms == 0 {
        return ts_ms;
    }
    ts_ms - ts_ms % period_ms
}

/// The UTC day (midnight, ms) holding `ts_ms`.
pub fn utc_day(ts_ms: u64) -> u64 {
    align(ts_ms, DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_matches_cron_boundaries() {
        // 2026-11-25T19:07:42.123Z
        let ts = 1_795_633_662_123;
        assert_eq!(align(ts, MINUTE_MS), 1_795_633_620_000); // 19:07:00
        assert_eq!(align(ts, FIVE_MINUTES_MS), 1_795_633_500_000); // 19:05:00
        assert_eq!(align(ts, Timeframe::ThirtyMinutes.ms()), 1_795_633_200_000); // 19:00
        assert_eq!(align(ts, Timeframe::ThreeHours.ms()), 1_795_629_600_000); // 18:00
        assert_eq!(utc_day(ts), 1_795_564_800_000); // 00:00
        assert_eq!(align(ts, 0), ts);
    }

    #[test]
    fn timeframes_parse_and_name() {
        for tf in Timeframe::ALL {
            assert_eq!(Timeframe::parse(tf.name()), Ok(tf));
        }
        assert!(Timeframe::parse("1d").is_err());
        assert_eq!(Timeframe::FiveMinutes.log_key("t-miner"), "stat-5m-t-miner");
    }
}
