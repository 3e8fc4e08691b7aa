//! Where the console's own HTTP requests may go. Webhook and Slack targets are typed by managers,
//! the SMS/voice gateway by the operator, SNS certificate URLs arrive inside messages; none of
//! them may make the console reach into the network it runs in (the cloud's metadata service,
//! a database port, an admin page on loopback) on someone's behalf.
//!
//! The guarantee, for every request made through [`Outbound::client`] after [`Outbound::check`]:
//! - only `http`/`https` URLs without user info (`http://127.0.0.1:80@evil.example/` reads as one
//!   host and connects to another);
//! - the host's addresses are checked when the request is sent, not when the URL was saved, and
//!   the connection goes only to an address that passed (the client's resolver filters them, so
//!   a name that resolves to a public address when saved and a private one later is refused);
//! - loopback, private, link-local (with the metadata service at 169.254.169.254), shared,
//!   documentation, multicast and reserved ranges are refused unless the operator allows a
//!   network with `--outbound-allow` (a gateway on the same machine, the tests' loopback hooks);
//! - redirects are never followed (a public target answering `302 Location: http://169.254…`
//!   gets "HTTP 302", not a request to the metadata service);
//! - a refusal is reported as "refused by policy" and nothing more, so the Deliveries page does
//!   not tell a manager whether an internal address answered.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

/// What a refused request says, on the Deliveries page and in the log: nothing about the target.
pub const REFUSED: &str = "refused by policy";

/// A request the policy does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("refused by policy")]
pub struct Refused;

/// The networks the operator allows beyond the public internet (`--outbound-allow`).
#[derive(Clone, Debug, Default)]
pub struct Outbound {
    allowed: Arc<[IpNet]>,
}

impl Outbound {
    /// Public addresses, and these networks too.
    pub fn allowing(nets: Vec<IpNet>) -> Outbound {
        Outbound { allowed: nets.into() }
    }

    /// Public addresses and this machine's loopback (tests, a gateway on the same host).
    pub fn with_loopback() -> Outbound {
        Outbound::allowing(vec![loopback_v4(), IpNet::from(IpAddr::V6(Ipv6Addr::LOCALHOST))])
    }

    /// Whether a request may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allowed.iter().any(|net| net.contains(&ip))
    }

    /// The URL, if the policy allows sending to it: http(s), no user info, and an address literal
    /// only if permitted (names are checked when they are resolved, see [`Outbound::client`]).
    pub fn check(&self, raw: &str) -> Result<url::Url, Refused> {
        let url = url::Url::parse(raw).map_err(|_| Refused)?;
        if !matches!(url.scheme(), "http" | "https") || !url.username().is_empty() || url.password().is_some() {
            return Err(Refused);
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) if !self.permits(IpAddr::V4(ip)) => Err(Refused),
            Some(url::Host::Ipv6(ip)) if !self.permits(IpAddr::V6(ip)) => Err(Refused),
            Some(_) => Ok(url),
            None => Err(Refused),
        }
    }

    /// An HTTP client that follows no redirect, gives up after `timeout`, and connects only to
    /// addresses this policy permits.
    pub fn client(&self, timeout: Duration) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(self.clone()))
            .build()
            .unwrap_or_default()
    }
}

fn loopback_v4() -> IpNet {
    IpNet::V4(ipnet::Ipv4Net::new(Ipv4Addr::new(127, 0, 0, 0), 8).unwrap_or_default())
}

/// Whether an error (or any of its causes) is this policy's refusal.
pub fn is_refusal(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.downcast_ref::<Refused>().is_some() {
            return true;
        }
        cause = c.source();
    }
    false
}

impl reqwest::dns::Resolve for Outbound {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.clone();
        let host = name.as_str().to_owned();
        let lookup = async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = found.into_iter().filter(|a| policy.permits(a.ip())).collect();
            if permitted.is_empty() {
                tracing::warn!(host = %host, "outbound request refused by policy: no permitted address");
                return Err(Box::new(Refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(permitted.into_iter()) as reqwest::dns::Addrs)
        };
        Box::pin(lookup) as Pin<Box<dyn Future<Output = _> + Send>>
    }
}

/// An address on the public internet: none of the special-purpose ranges (RFC 6890 and friends).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
            if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0; 4] {
                let [hi, lo] = [seg[6].to_be_bytes(), seg[7].to_be_bytes()];
                return is_public_v4(Ipv4Addr::new(hi[0], hi[1], lo[0], lo[1]));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local (fc00::/7), AWS's metadata fd00:ec2::254 too
                || (seg[0] & 0xffc0) == 0xfe80 // link-local
                || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x0100 && seg[1..4] == [0; 3]) // discard-only
                || seg[..6] == [0; 6]) // IPv4-compatible (deprecated) and the like
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network"
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier-grade NAT)
        || (a == 169 && b == 254) // link-local, the cloud metadata service
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
        || (a == 192 && b == 168)
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // documentation
        || (a == 203 && b == 0 && c == 113) // documentation
        || a >= 224) // multicast, reserved, broadcast
}

/// `--outbound-allow`: comma-separated networks (`127.0.0.1/32`, `10.20.0.0/16`, `::1`); a bare
/// address is that one address.
pub fn parse_allowed(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("'{s}' is not a network (e.g. 127.0.0.1/32, 10.0.0.0/8, ::1)"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_ranges_are_refused_and_public_ones_permitted() {
        let strict = Outbound::default();
        for internal in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "ff02::1",
        ] {
            assert!(!strict.permits(ip(internal)), "{internal}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(strict.permits(ip(public)), "{public}");
        }
        let local = Outbound::with_loopback();
        assert!(local.permits(ip("127.0.0.1")) && local.permits(ip("::1")));
        assert!(!local.permits(ip("169.254.169.254")) && !local.permits(ip("10.0.0.1")));
        let allowed = Outbound::allowing(parse_allowed("10.20.0.0/16, 192.168.1.5").unwrap());
        assert!(allowed.permits(ip("10.20.3.4")) && allowed.permits(ip("192.168.1.5")));
        assert!(!allowed.permits(ip("10.21.0.1")) && !allowed.permits(ip("192.168.1.6")));
        assert!(parse_allowed("10.0.0.0/33").is_err() && parse_allowed("example.com").is_err());
    }

    #[test]
    fn urls_with_user_info_other_schemes_or_internal_literals_are_refused() {
        let strict = Outbound::default();
        for refused in [
            "http://127.0.0.1:80@evil.example/hook",
            "https://user:pass@hooks.example.com/x",
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/",
            "http://[::1]:8080/hook",
            "http://0x7f000001/",
            "http://2130706433/",
            "ftp://example.com/",
            "file:///etc/passwd",
            "gopher://127.0.0.1:25/",
            "not a url",
        ] {
            assert_eq!(strict.check(refused), Err(Refused), "{refused}");
        }
        assert!(strict.check("https://hooks.slack.com/services/T0/B0/x").is_ok());
        assert!(Outbound::with_loopback().check("http://127.0.0.1:8080/hook").is_ok());
    }

    #[tokio::test]
    async fn names_are_checked_when_resolved() {
        use reqwest::dns::Resolve as _;
        let strict = Outbound::default();
        let name = || "localhost".parse::<reqwest::dns::Name>().unwrap();
        let err = strict.resolve(name()).await.err().expect("localhost is refused");
        assert!(is_refusal(err.as_ref()), "{err}");
        let addrs: Vec<SocketAddr> = Outbound::with_loopback().resolve(name()).await.unwrap().collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty(), "{addrs:?}");
    }
}
