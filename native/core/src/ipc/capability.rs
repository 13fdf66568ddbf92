//! Module capabilities (§17 of `reference/blvm-ipc.md`) and the capability each request needs.
//!
//! The node checks every request except `Handshake` and `RegisterCliSpec` against the module's
//! granted set and **drops the connection** on a miss, so the client refuses such requests locally.

use std::fmt;
use std::str::FromStr;

use super::types::RequestPayload;
use super::version::REQUEST_CAPABILITY;
use crate::error::Coded;

macro_rules! capabilities {
    ($($variant:ident => $snake:literal),* $(,)?) => {
        /// One of the 26 capability names the node knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Capability {
            $(
                #[doc = concat!("`", $snake, "`")]
                $variant,
            )*
        }

        impl Capability {
            /// Every capability, in the order of §17.
            pub const ALL: [Capability; 26] = [$(Capability::$variant),*];

            /// The manifest (snake_case) name.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Capability::$variant => $snake,)*
                }
            }

            /// The CamelCase name the node also accepts (`ReadBlockchain`).
            pub fn camel_name(&self) -> &'static str {
                match self {
                    $(Capability::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

capabilities! {
    ReadBlockchain => "read_blockchain",
    ReadUtxo => "read_utxo",
    ReadChainState => "read_chain_state",
    SubscribeEvents => "subscribe_events",
    SendTransactions => "send_transactions",
    ReadMempool => "read_mempool",
    ReadNetwork => "read_network",
    NetworkAccess => "network_access",
    ReadLightning => "read_lightning",
    ReadPayment => "read_payment",
    ReadStorage => "read_storage",
    WriteStorage => "write_storage",
    ManageStorage => "manage_storage",
    ReadFilesystem => "read_filesystem",
    WriteFilesystem => "write_filesystem",
    ManageFilesystem => "manage_filesystem",
    RegisterRpcEndpoint => "register_rpc_endpoint",
    ManageTimers => "manage_timers",
    ReportMetrics => "report_metrics",
    ReadMetrics => "read_metrics",
    DiscoverModules => "discover_modules",
    PublishEvents => "publish_events",
    CallModule => "call_module",
    RegisterModuleApi => "register_module_api",
    SubmitBlock => "submit_block",
    QueueInboundBlock => "queue_inbound_block",
}

/// A capability name the node does not know (the node only logs and ignores it; we refuse it so
/// a typo in a config is noticed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown capability {name:?} (expected one of the 26 names of the node, e.g. read_blockchain)"
)]
pub struct UnknownCapability {
    /// The rejected text.
    pub name: String,
}

impl Coded for UnknownCapability {
    fn code(&self) -> &'static str {
        "ERR_UNKNOWN_CAPABILITY"
    }
}

impl FromStr for Capability {
    type Err = UnknownCapability;

    /// Accepts the snake_case manifest name or its CamelCase form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Capability::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == t || c.camel_name() == t)
            .ok_or_else(|| UnknownCapability {
                name: s.to_string(),
            })
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of capabilities (a bit set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct CapabilitySet {
    bits: u32,
}

impl CapabilitySet {
    /// The empty set.
    pub const fn empty() -> Self {
        CapabilitySet { bits: 0 }
    }

    /// The four capabilities a node grants a module with no registered set, which is every live
    /// module on 0.1.83: `read_blockchain`, `read_utxo`, `read_chain_state`, `subscribe_events`.
    pub fn node_default() -> Self {
        [
            Capability::ReadBlockchain,
            Capability::ReadUtxo,
            Capability::ReadChainState,
            Capability::SubscribeEvents,
        ]
        .into_iter()
        .collect()
    }

    /// Every capability.
    pub fn all() -> Self {
        Capability::ALL.into_iter().collect()
    }

    /// Parses names (snake_case or CamelCase); the first unknown one is an error naming it.
    pub fn from_names<I, S>(names: I) -> Result<Self, UnknownCapability>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = CapabilitySet::empty();
        for n in names {
            set.insert(n.as_ref().parse()?);
        }
        Ok(set)
    }

    fn bit(c: Capability) -> u32 {
        1u32 << (c as u32)
    }

    /// Adds `c`.
    pub fn insert(&mut self, c: Capability) {
        self.bits |= Self::bit(c);
    }

    /// Removes `c`.
    pub fn remove(&mut self, c: Capability) {
        self.bits &= !Self::bit(c);
    }

    /// Whether `c` is in the set.
    pub fn contains(&self, c: Capability) -> bool {
        self.bits & Self::bit(c) != 0
    }

    /// Number of capabilities in the set.
    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The capabilities, in §17 order.
    pub fn iter(&self) -> impl Iterator<Item = Capability> + '_ {
        Capability::ALL.into_iter().filter(|c| self.contains(*c))
    }

    /// The snake_case names, in §17 order.
    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(|c| c.as_str()).collect()
    }

    /// Whether `req` may be sent with this set (see [`required_capability`]).
    pub fn allows(&self, req: &RequestPayload) -> bool {
        required_capability(req).is_none_or(|c| self.contains(c))
    }
}

impl FromIterator<Capability> for CapabilitySet {
    fn from_iter<T: IntoIterator<Item = Capability>>(iter: T) -> Self {
        let mut s = CapabilitySet::empty();
        for c in iter {
            s.insert(c);
        }
        s
    }
}

/// The capability the node checks for `req` (§6), or `None` for `Handshake` and `RegisterCliSpec`
/// (not checked).
pub fn required_capability(req: &RequestPayload) -> Option<Capability> {
    let name = req.name();
    REQUEST_CAPABILITY
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, cap)| cap.as_ref())
        .and_then(|c| c.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_both_spellings_and_reject_unknown() {
        assert_eq!(
            "read_mempool".parse::<Capability>(),
            Ok(Capability::ReadMempool)
        );
        assert_eq!(
            "ReadMempool".parse::<Capability>(),
            Ok(Capability::ReadMempool)
        );
        let e = "get_block_template".parse::<Capability>().unwrap_err();
        assert_eq!(e.code(), "ERR_UNKNOWN_CAPABILITY");
        assert!(e.to_string().contains("get_block_template"));
        for c in Capability::ALL {
            assert_eq!(c.as_str().parse::<Capability>(), Ok(c));
            assert_eq!(c.camel_name().parse::<Capability>(), Ok(c));
        }
    }

    #[test]
    fn default_set_is_the_four() {
        let d = CapabilitySet::node_default();
        assert_eq!(
            d.names(),
            [
                "read_blockchain",
                "read_utxo",
                "read_chain_state",
                "subscribe_events"
            ]
        );
        assert!(d.allows(&RequestPayload::GetChainInfo));
        assert!(!d.allows(&RequestPayload::GetMempoolSize));
        assert!(d.allows(&RequestPayload::RegisterCliSpec {
            spec: Default::default()
        }));
        assert_eq!(CapabilitySet::all().len(), 26);
    }

    #[test]
    fn every_request_has_a_table_entry() {
        for (name, cap) in REQUEST_CAPABILITY {
            if let Some(c) = cap {
                assert!(c.parse::<Capability>().is_ok(), "{name}: {c}");
            }
        }
        assert_eq!(
            required_capability(&RequestPayload::Handshake {
                module_id: String::new(),
                module_name: String::new(),
                version: String::new()
            }),
            None
        );
        assert_eq!(
            required_capability(&RequestPayload::CallModule {
                target_module_id: None,
                method: String::new(),
                params: vec![]
            }),
            Some(Capability::CallModule)
        );
    }
}
