//! Miner identity: the host address of a Stratum endpoint, without the port, so a reconnect from
//! a new source port is the same miner.

use std::net::{IpAddr, SocketAddr};

use sha2::{Digest, Sha256};

use super::error::ConvertError;

/// The host part of an endpoint (`1.2.3.4:5678`, `[::1]:3333`, `::1`, `host.lan:3333`, `1.2.3.4`),
/// normalised: IPv4-mapped IPv6 becomes IPv4, IPv6 is in its canonical short form, host names
/// are lower-cased.
pub fn host_of(endpoint: &str) -> Result<String, ConvertError> {
    let e = endpoint.trim();
    let bad = || ConvertError::Address(endpoint.to_string());
    if e.is_empty() || e.len() > 255 {
        return Err(bad());
    }
    if let Ok(sa) = e.parse::<SocketAddr>() {
        return Ok(canonical_ip(sa.ip()));
    }
    if let Ok(ip) = e.parse::<IpAddr>() {
        return Ok(canonical_ip(ip));
    }
    if e.starts_with('[') {
        return Err(bad());
    }
    // host name, optionally with a port
    let (host, port) = match e.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (e, None),
    };
    if let Some(p) = port {
        if p.parse::<u16>().is_err() {
            return Err(bad());
        }
    }
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !label.starts_with('-')
        });
    if !valid {
        return Err(bad());
    }
    Ok(host.to_ascii_lowercase())
}

fn canonical_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// The stable thing id of an auto-registered miner: 15 hex characters of
/// `sha256("blvm-miningos/miner/" + host)` (MiningOS miner ids are 15 characters), so the same
/// host gets the same id across reconnects and restarts.
pub fn miner_id_for_host(host: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"blvm-miningos/miner/");
    h.update(host.as_bytes());
    let digest = h.finalize();
    let mut s = hex::encode(digest);
    s.truncate(15);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_do_not_change_identity() {
        assert_eq!(host_of("10.0.0.5:40001").unwrap(), "10.0.0.5");
        assert_eq!(host_of("10.0.0.5:40002").unwrap(), "10.0.0.5");
        assert_eq!(host_of("10.0.0.5").unwrap(), "10.0.0.5");
        assert_eq!(host_of("[::1]:3333").unwrap(), "::1");
        assert_eq!(host_of("::1").unwrap(), "::1");
        assert_eq!(host_of("[::ffff:10.0.0.5]:1").unwrap(), "10.0.0.5");
        assert_eq!(host_of("[2001:DB8:0:0::1]:9").unwrap(), "2001:db8::1");
        assert_eq!(host_of("Rig-7.LAN:3333").unwrap(), "rig-7.lan");
        assert_eq!(host_of(" 10.0.0.5:1 ").unwrap(), "10.0.0.5");
    }

    #[test]
    fn garbage_is_refused_with_a_code() {
        for bad in [
            "",
            ":",
            "10.0.0.5:99999",
            "[::1",
            "a b",
            "host:port",
            "-x.lan",
            "a..b",
        ] {
            let e = host_of(bad).unwrap_err();
            assert_eq!(crate::Coded::code(&e), "ERR_MINER_ADDRESS_INVALID", "{bad}");
        }
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = miner_id_for_host("10.0.0.5");
        assert_eq!(a.len(), 15);
        assert_eq!(a, miner_id_for_host("10.0.0.5"));
        assert_ne!(a, miner_id_for_host("10.0.0.6"));
    }
}
