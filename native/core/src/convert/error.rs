//! Errors of the converters: every one names what was wrong and where, with a stable code.

use crate::error::Coded;

/// A conversion failed: bad input (named by path) or a rule that refuses the value.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConvertError {
    /// The input is not the expected JSON shape (`what` names the input, `detail` the problem).
    #[error("invalid {what}: {detail}")]
    Input {
        /// Which input, e.g. `events[3]` or `template`.
        what: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A field has a value outside its domain.
    #[error("invalid field `{field}` in {what}: {detail}")]
    Field {
        /// Which input.
        what: String,
        /// Dotted path of the field.
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A miner address (Stratum endpoint or registered address) cannot be parsed.
    #[error("invalid miner address `{0}`: expected an IP or host, optionally with a port")]
    Address(String),
    /// No miner with this thing id.
    #[error("no miner with id `{0}`")]
    MinerNotFound(String),
    /// A miner with this address already exists under another id.
    #[error("address `{address}` already belongs to miner `{id}`")]
    AddressTaken {
        /// The host address.
        address: String,
        /// The miner that has it.
        id: String,
    },
    /// A template whose parent is not the current tip.
    #[error("template parent {parent} is not the current tip {tip}")]
    StaleTemplate {
        /// The template's `previousblockhash`.
        parent: String,
        /// The current tip.
        tip: String,
    },
    /// A compact target (`bits`) that does not describe a positive 256-bit target.
    #[error("invalid compact target bits {0:#010x}")]
    Bits(u64),
    /// An unknown stat timeframe or history interval.
    #[error("invalid interval `{0}` (expected one of rtd, 5m, 30m, 3h, 1D)")]
    Interval(String),
    /// A time range with start after end or negative bounds.
    #[error("invalid range: {0}")]
    Range(String),
}

impl Coded for ConvertError {
    fn code(&self) -> &'static str {
        match self {
            ConvertError::Input { .. } => "ERR_CONVERT_INPUT_INVALID",
            ConvertError::Field { .. } => "ERR_CONVERT_FIELD_INVALID",
            ConvertError::Address(_) => "ERR_MINER_ADDRESS_INVALID",
            ConvertError::MinerNotFound(_) => "ERR_THING_NOTFOUND",
            ConvertError::AddressTaken { .. } => "ERR_THING_IP_ADDRESS_EXISTS",
            ConvertError::StaleTemplate { .. } => "ERR_TEMPLATE_STALE",
            ConvertError::Bits(_) => "ERR_TEMPLATE_BITS_INVALID",
            ConvertError::Interval(_) => "ERR_INTERVAL_INVALID",
            ConvertError::Range(_) => "ERR_RANGE_INVALID",
        }
    }
}

impl ConvertError {
    /// Shorthand for [`ConvertError::Input`].
    pub fn input(what: impl Into<String>, detail: impl Into<String>) -> Self {
        ConvertError::Input {
            what: what.into(),
            detail: detail.into(),
        }
    }

    /// Shorthand for [`ConvertError::Field`].
    pub fn field(
        what: impl Into<String>,
        field: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        ConvertError::Field {
            what: what.into(),
            field: field.into(),
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::is_valid_code;

    #[test]
    fn every_code_has_the_err_shape() {
        let all = [
            ConvertError::input("a", "b"),
            ConvertError::field("a", "b", "c"),
            ConvertError::Address("x".into()),
            ConvertError::MinerNotFound("x".into()),
            ConvertError::AddressTaken {
                address: "a".into(),
                id: "b".into(),
            },
            ConvertError::StaleTemplate {
                parent: "a".into(),
                tip: "b".into(),
            },
            ConvertError::Bits(0),
            ConvertError::Interval("x".into()),
            ConvertError::Range("x".into()),
        ];
        for e in all {
            assert!(is_valid_code(e.code()), "{}", e.code());
            assert!(!e.to_string().is_empty());
        }
    }
}
