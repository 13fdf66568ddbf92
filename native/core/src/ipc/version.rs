//! Node versions and wire-layout tables, kept in ONE place.
//!
//! The enums in [`super::types`] implement the **0.1.83** layout (their declaration order is the
//! wire index). The tables below give each variant's index in 0.1.83 and in 0.1.54 (git `main`), as
//! listed in `reference/blvm-ipc.md` §6, §6.1, §11.1; a test checks the enums against the 0.1.83
//! column. What differs in 0.1.54 (§20), for the record (only 0.1.83 is implemented):
//! - `GetBlockAndWitnesses` does not exist: every `MessageType` / `RequestPayload` /
//!   `ResponsePayload` index from 16 on is one lower (non-request `MessageType` names are 64–69).
//! - the appended requests `GetBlockTemplateWithOutputs`, `GetBlockTemplateDeclared`,
//!   `SubmitMempoolTransaction` (0.1.79+), `GetTxMetadata`, `GetMempoolFeeRateSummary` (0.1.83) and
//!   their responses, and the `PeerPayment` event (0.1.83) do not exist;
//! - `ChainInfo.difficulty` is a `u32` (f64 from 0.1.79); `PaymentState.reason` is absent;
//!   `BlockTemplate.target` depends on the blvm-consensus of the node's lockfile (a `u128` in old
//!   builds).
//!
//! The 0.1.79–0.1.82 layout is the 0.1.83 one minus the variants appended in 0.1.83.

use super::types::RequestPayload;

/// The node version whose layout this crate implements.
pub const REFERENCE_NODE_VERSION: &str = "0.1.83";

/// One enum variant's wire index per node version (`None` = absent in that version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantIndex {
    /// Variant name, as the node spells it.
    pub name: &'static str,
    /// Index in node 0.1.83.
    pub v0_1_83: Option<u32>,
    /// Index in node 0.1.54.
    pub v0_1_54: Option<u32>,
}

/// How well our 0.1.83 layout fits a node that reported `node_version` in its `HandshakeAck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutSupport {
    /// 0.1.83 or a later 0.1.x: the layout this crate implements.
    Exact,
    /// 0.1.79–0.1.82: same layout, minus the variants appended in 0.1.83 (see
    /// [`added_in_0_1_83`]).
    MissingAppended,
    /// Anything else (0.1.54 and older, the unpinned 0.1.55–0.1.78, git builds reporting 0.1.13,
    /// unparsable or ≥ 0.2): bytes would be misread; do not send requests.
    Unknown,
}

/// Parses `major.minor.patch` (ignoring any `-pre`/`+build` suffix).
pub fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.trim().split(['-', '+']).next()?;
    let mut it = core.split('.');
    let major = it.next()?.parse().ok()?;
    let minor = it.next()?.parse().ok()?;
    let patch = it.next().unwrap_or("0").parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// Layout support for a node version string (from `HandshakeAck` or JSON-RPC `subversion`).
pub fn layout_support(node_version: &str) -> LayoutSupport {
    match parse_version(node_version) {
        Some((0, 1, p)) if p >= 83 => LayoutSupport::Exact,
        Some((0, 1, p)) if p >= 79 => LayoutSupport::MissingAppended,
        _ => LayoutSupport::Unknown,
    }
}

/// `true` for node versions known to serve ONE module connection, which a module must then leave
/// to the node's watchdog ("What the real node does": 0.1.83 and earlier). Unparsable → `true`.
pub fn serves_single_module_connection(node_version: &str) -> bool {
    match parse_version(node_version) {
        Some((0, 1, p)) => p <= 83,
        Some((0, 0, _)) => true,
        Some(_) => false,
        None => true,
    }
}

/// Requests that exist only from node 0.1.83 on (a 0.1.79–0.1.82 node cannot decode them).
pub fn added_in_0_1_83(req: &RequestPayload) -> bool {
    matches!(
        req,
        RequestPayload::GetTxMetadata { .. } | RequestPayload::GetMempoolFeeRateSummary
    )
}

/// Why node 0.1.83 always fails `req` (and therefore drops the connection, §8.4, and "What the real
/// node does" 7), or `None` if it can succeed.
pub fn always_fails_on_0_1_83(req: &RequestPayload) -> Option<&'static str> {
    use RequestPayload as R;
    match req {
        R::RegisterRpcEndpoint { .. } | R::RegisterCoreRpcOverride { .. } => {
            Some("the node's NodeApiImpl has no IPC server / module id (\"IPC server not available\")")
        }
        R::RegisterTimer { .. } | R::CancelTimer { .. } | R::ScheduleTask { .. } => {
            Some("timers and scheduled tasks are unsupported over IPC")
        }
        R::ReportMetric { .. } | R::ReportModuleHealth { .. } | R::UnregisterModuleApi => {
            Some("needs a per-module id the node's shared NodeApiImpl does not have")
        }
        R::GetPaymentState { .. } => Some("the node has no payment state machine"),
        R::SubmitBlock { .. } => Some(
            "the node's IPC submitblock path lacks the protocol engine; submit blocks over JSON-RPC",
        ),
        R::GetFeeEstimate { target_blocks: 0 } => Some("target_blocks 0 is always an error"),
        _ => None,
    }
}

/// The `ResponsePayload` variant name a successful answer to `req` must carry, if documented.
pub fn expected_response(req: &RequestPayload) -> Option<&'static str> {
    expected_response_for_name(req.name())
}

/// [`expected_response`] by request variant name.
pub fn expected_response_for_name(name: &str) -> Option<&'static str> {
    REQUEST_RESPONSE
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, r)| *r)
}

include!("version_tables.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_parsing_and_support() {
        assert_eq!(parse_version("0.1.83"), Some((0, 1, 83)));
        assert_eq!(parse_version(" 0.1.79-rc1+abc "), Some((0, 1, 79)));
        assert_eq!(parse_version("0.2"), Some((0, 2, 0)));
        assert_eq!(parse_version("x.1"), None);
        assert_eq!(parse_version("1.2.3.4"), None);
        assert_eq!(layout_support("0.1.83"), LayoutSupport::Exact);
        assert_eq!(layout_support("0.1.90"), LayoutSupport::Exact);
        assert_eq!(layout_support("0.1.80"), LayoutSupport::MissingAppended);
        assert_eq!(layout_support("0.1.54"), LayoutSupport::Unknown);
        assert_eq!(layout_support("0.1.13"), LayoutSupport::Unknown);
        assert_eq!(layout_support("0.2.0"), LayoutSupport::Unknown);
        assert!(serves_single_module_connection("0.1.83"));
        assert!(serves_single_module_connection("garbage"));
        assert!(!serves_single_module_connection("0.1.84"));
        assert!(!serves_single_module_connection("1.0.0"));
    }

    #[test]
    fn every_request_and_response_name_in_the_tables_exists() {
        for (req, resp) in REQUEST_RESPONSE {
            assert!(REQUEST_PAYLOAD.iter().any(|v| v.name == *req), "{req}");
            if let Some(r) = resp {
                assert!(RESPONSE_PAYLOAD.iter().any(|v| v.name == *r), "{r}");
            }
        }
        assert_eq!(REQUEST_RESPONSE.len(), REQUEST_PAYLOAD.len());
        assert_eq!(
            expected_response(&RequestPayload::GetChainInfo),
            Some("ChainInfo")
        );
        assert_eq!(
            expected_response(&RequestPayload::RegisterTimer {
                interval_seconds: 1
            }),
            None
        );
    }

    #[test]
    fn always_failing_requests() {
        assert!(always_fails_on_0_1_83(&RequestPayload::SubmitBlock {
            block: Default::default()
        })
        .is_some());
        assert!(
            always_fails_on_0_1_83(&RequestPayload::GetFeeEstimate { target_blocks: 0 }).is_some()
        );
        assert!(
            always_fails_on_0_1_83(&RequestPayload::GetFeeEstimate { target_blocks: 2 }).is_none()
        );
        assert!(always_fails_on_0_1_83(&RequestPayload::GetChainInfo).is_none());
    }
}
