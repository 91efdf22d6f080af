//! IPv4/IPv6 CIDR blocks: parsing and containment, enough to compare `ipBlock`s.

use std::fmt;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The address as a 128-bit number (IPv4 in the low 32 bits).
    bits: u128,
    pub prefix: u8,
    pub v6: bool,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let ip: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not an IP address or CIDR block"))?;
        let (bits, width, v6) = match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32u8, false),
            IpAddr::V6(v6) => (u128::from(v6), 128u8, true),
        };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0 to {width}"))?,
        };
        Ok(Cidr { bits, prefix, v6 })
    }

    fn width(&self) -> u8 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    fn network(&self, prefix: u8) -> u128 {
        let host_bits = u32::from(self.width() - prefix);
        if host_bits >= 128 {
            0
        } else {
            (self.bits >> host_bits) << host_bits
        }
    }

    /// Whether every address of `other` is in this block.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.v6 == other.v6
            && self.prefix <= other.prefix
            && self.network(self.prefix) == other.network(self.prefix)
    }

    /// `0.0.0.0/0` or `::/0`: every address.
    pub fn is_everything(&self) -> bool {
        self.prefix == 0
    }

    /// Whether the address bits beyond the prefix are zero (Kubernetes requires it for ipBlock).
    pub fn is_canonical(&self) -> bool {
        self.network(self.prefix) == self.bits
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.v6 {
            write!(f, "{}/{}", std::net::Ipv6Addr::from(self.bits), self.prefix)
        } else {
            write!(
                f,
                "{}/{}",
                std::net::Ipv4Addr::from(self.bits as u32),
                self.prefix
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cidr;

    #[test]
    fn parses_and_compares_blocks() {
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        let private = Cidr::parse("10.0.0.0/8").unwrap();
        let host = Cidr::parse("10.1.2.3").unwrap();
        assert!(all.is_everything());
        assert!(all.contains(&private) && private.contains(&host));
        assert!(!host.contains(&private));
        assert!(!private.contains(&Cidr::parse("::/0").unwrap()));
        assert!(Cidr::parse("::/0")
            .unwrap()
            .contains(&Cidr::parse("fd00::1").unwrap()));
        assert!(!Cidr::parse("10.0.0.1/8").unwrap().is_canonical());
        assert_eq!(private.to_string(), "10.0.0.0/8");
        for bad in [
            "10.0.0.0/33",
            "300.1.1.1/8",
            "abc",
            "10.0.0.0/-1",
            "::/129",
            "",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }
}
