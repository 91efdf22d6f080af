//! Which ports a rule covers: numbers, `endPort` ranges, named container ports, protocols.

use super::Site;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
    /// Cilium `ANY`.
    Any,
}

impl Protocol {
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            "ANY" => Some(Protocol::Any),
            _ => None,
        }
    }

    pub(crate) fn covers(self, other: Protocol) -> bool {
        self == Protocol::Any || self == other
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
            Protocol::Any => "any protocol",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    /// Every port of the protocol.
    All,
    Range(u16, u16),
    /// A container port name, resolved against the destination pod.
    Named(String),
}

#[derive(Clone, Debug)]
pub struct PortMatch<'d> {
    pub protocol: Protocol,
    pub port: PortSpec,
    /// Cilium L7 HTTP rules on this port: only HTTP requests with these paths pass, so
    /// RESP connections do not.
    pub http_paths: Option<Vec<String>>,
    pub site: Site<'d>,
}

impl PortMatch<'_> {
    pub fn describe(&self) -> String {
        let port = match &self.port {
            PortSpec::All => "every port".to_string(),
            PortSpec::Range(a, b) if a == b => format!("port {a}"),
            PortSpec::Range(a, b) => format!("ports {a}-{b}"),
            PortSpec::Named(name) => format!("port `{name}`"),
        };
        format!("{port}/{}", self.protocol.name())
    }
}

#[derive(Clone, Debug)]
pub enum Ports<'d> {
    /// The rule lists no ports: it covers every port and protocol.
    All,
    Listed(Vec<PortMatch<'d>>),
}

/// A port on a destination: its number, the container port name it has there, and protocol.
#[derive(Clone, Copy, Debug)]
pub struct PortQuery<'a> {
    pub number: u16,
    pub name: Option<&'a str>,
    pub protocol: Protocol,
}

/// How a rule covers a port: by listing no ports at all, or by one of its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    AllPorts,
    Entry(usize),
}

impl<'d> Ports<'d> {
    pub fn covers(&self, query: PortQuery<'_>) -> Option<Coverage> {
        match self {
            Ports::All => Some(Coverage::AllPorts),
            Ports::Listed(entries) => entries
                .iter()
                .position(|e| {
                    e.protocol.covers(query.protocol)
                        && match &e.port {
                            PortSpec::All => true,
                            PortSpec::Range(a, b) => (*a..=*b).contains(&query.number),
                            PortSpec::Named(name) => query.name == Some(name.as_str()),
                        }
                })
                .map(Coverage::Entry),
        }
    }

    pub fn entry(&self, coverage: Coverage) -> Option<&PortMatch<'d>> {
        match (self, coverage) {
            (Ports::Listed(entries), Coverage::Entry(i)) => entries.get(i),
            _ => None,
        }
    }
}

/// An IANA service name as Kubernetes accepts for a named port: up to 15 lower-case letters,
/// digits and inner single hyphens, with at least one letter.
pub fn is_port_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 15
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && text.bytes().any(|b| b.is_ascii_lowercase())
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names_follow_the_kubernetes_rules() {
        for good in ["redis", "admin", "http-metrics", "memcached", "p8080"] {
            assert!(is_port_name(good), "{good}");
        }
        for bad in [
            "6379",
            "",
            "Admin",
            "-a",
            "a-",
            "a--b",
            "much-too-long-name",
            "a_b",
        ] {
            assert!(!is_port_name(bad), "{bad}");
        }
    }
}
