//! Reading NetworkPolicy, CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy into
//! [`Policy`], and the policy dragonfly-operator generates for each CR.

use super::cidr::Cidr;
use super::peer::{Namespaces, Peer, PeerKind, ENTITIES, OPERATOR_POD_LABEL};
use super::ports::{is_port_name, PortMatch, PortSpec, Ports, Protocol};
use super::selector::{self, Labels, Operator, Requirement, Selector};
use super::{Direction, Instance, NamespaceLabels, Policy, PolicyKind, PolicyRule, Problems, Site};
use crate::document::{Document, Node};
use crate::dragonfly::operator::{ADMIN_PORT, DATA_PORT};
use crate::limits::Limit;
use crate::resource::{Kind, Resource};

pub fn read_policies<'d>(
    resource: Resource<'d>,
    policies: &mut Vec<Policy<'d>>,
    problems: &mut Problems<'d>,
) {
    let kind = match resource.kind {
        Kind::NetworkPolicy => PolicyKind::NetworkPolicy,
        Kind::CiliumNetworkPolicy => PolicyKind::CiliumNetworkPolicy,
        Kind::CiliumClusterwideNetworkPolicy => PolicyKind::CiliumClusterwideNetworkPolicy,
        _ => return,
    };
    let root = Site::new(resource.doc, resource.root);
    let site = root.at(resource
        .root
        .at(&["metadata", "name"])
        .unwrap_or(resource.root));
    let namespace = match kind {
        PolicyKind::CiliumClusterwideNetworkPolicy => String::new(),
        _ => resource.namespace().unwrap_or("").to_string(),
    };
    let name = resource.display_name();
    let mut specs: Vec<(&'d Node, String)> = Vec::new();
    match (resource.root.get("spec"), resource.root.get("specs")) {
        (Some(spec), _) if kind != PolicyKind::NetworkPolicy || spec.as_map().is_some() => {
            specs.push((spec, name.clone()));
        }
        (Some(spec), _) => problems.push(
            root.at(spec),
            format!("`spec` must be a mapping, not {}", spec.type_name()),
        ),
        (None, None) => problems.push(root, format!("{name} has no `spec`")),
        _ => {}
    }
    if let (Some(list_node), true) = (resource.root.get("specs"), kind.is_cilium()) {
        match list_node.as_seq() {
            Some(items) => specs.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, spec)| (spec, format!("{name} (specs[{i}])"))),
            ),
            None => problems.push(root.at(list_node), "`specs` must be a list of rules"),
        }
    }
    for (spec, name) in specs {
        let policy = match kind {
            PolicyKind::NetworkPolicy => read_network_policy(root.at(spec), &namespace, problems),
            _ => read_cilium(root.at(spec), kind, &namespace, problems),
        };
        if let Some(mut policy) = policy {
            policy.name = name;
            policy.site = site;
            policy.resource = Some(resource);
            policies.push(policy);
        }
    }
}

fn empty_policy<'d>(kind: PolicyKind, namespace: &str, site: Site<'d>) -> Policy<'d> {
    Policy {
        kind,
        name: String::new(),
        namespace: namespace.to_string(),
        pods: None,
        pod_namespaces: Namespaces::Names(vec![namespace.to_string()]),
        site,
        ingress: Direction {
            field: "ingress",
            ..Direction::default()
        },
        egress: Direction {
            field: "egress",
            ..Direction::default()
        },
        resource: None,
        operator_for: None,
    }
}

fn list<'d>(site: Site<'d>, what: &str, problems: &mut Problems<'d>) -> &'d [Node] {
    if site.node().is_null() {
        return &[];
    }
    let max = problems.max_list_entries;
    match site.node().as_seq() {
        Some(items) if items.len() > max => {
            problems.push(
                site,
                format!(
                    "`{what}` has {} entries; only the first {max} are analysed ({})",
                    items.len(),
                    Limit::NetworkPolicyListEntries.hint(max)
                ),
            );
            &items[..max]
        }
        Some(items) => items,
        None => {
            problems.push(
                site,
                format!("`{what}` must be a list, not {}", site.node().type_name()),
            );
            &[]
        }
    }
}

// ---------------------------------------------------------------- NetworkPolicy

fn read_network_policy<'d>(
    spec: Site<'d>,
    namespace: &str,
    problems: &mut Problems<'d>,
) -> Option<Policy<'d>> {
    let mut policy = empty_policy(PolicyKind::NetworkPolicy, namespace, spec);
    policy.pods = match spec.node().get("podSelector") {
        Some(node) => selector::read(spec.at(node), problems),
        None => {
            problems.push(
                spec,
                "`spec.podSelector` is required (write `podSelector: {}` to select every pod of the namespace)",
            );
            None
        }
    };
    let ingress_node = spec.node().get("ingress");
    let egress_node = spec.node().get("egress");
    let (mut ingress_on, mut egress_on) = (true, egress_node.is_some());
    if let Some(types) = spec.node().get("policyTypes") {
        ingress_on = false;
        egress_on = false;
        for item in list(spec.at(types), "policyTypes", problems) {
            match item.as_str() {
                Some("Ingress") => ingress_on = true,
                Some("Egress") => egress_on = true,
                _ => problems.push(
                    spec.at(item),
                    format!(
                        "unknown policy type {}: use Ingress or Egress",
                        item.scalar_text()
                            .unwrap_or_else(|| item.type_name().into())
                    ),
                ),
            }
        }
    }
    policy.ingress.enforces = ingress_on;
    policy.egress.enforces = egress_on;
    for (on, node, field, peers_key) in [
        (ingress_on, ingress_node, "ingress", "from"),
        (egress_on, egress_node, "egress", "to"),
    ] {
        let Some(node) = node else { continue };
        let rules: Vec<PolicyRule<'d>> = list(spec.at(node), field, problems)
            .iter()
            .enumerate()
            .map(|(index, rule)| read_np_rule(spec.at(rule), index, peers_key, namespace, problems))
            .collect();
        // Rules of a direction the policy does not enforce are ignored by Kubernetes.
        if on {
            if field == "ingress" {
                policy.ingress.allow = rules;
            } else {
                policy.egress.allow = rules;
            }
        }
    }
    Some(policy)
}

fn read_np_rule<'d>(
    rule: Site<'d>,
    index: usize,
    peers_key: &str,
    namespace: &str,
    problems: &mut Problems<'d>,
) -> PolicyRule<'d> {
    let mut peers = Vec::new();
    match rule.node().get(peers_key) {
        Some(node) if node.as_seq().is_some_and(|s| !s.is_empty()) => {
            for peer in list(rule.at(node), peers_key, problems) {
                if let Some(kind) = read_np_peer(rule.at(peer), namespace, problems) {
                    peers.push(Peer {
                        kind,
                        site: rule.at(peer),
                    });
                }
            }
        }
        Some(node) if !node.is_null() && node.as_seq().is_none() => {
            problems.push(
                rule.at(node),
                format!("`{peers_key}` must be a list of peers"),
            );
        }
        // No peers listed: the rule admits every source/destination.
        _ => peers.push(Peer {
            kind: PeerKind::Anyone,
            site: rule,
        }),
    }
    let ports = match rule.node().get("ports") {
        Some(node) if node.as_seq().is_some_and(|s| !s.is_empty()) => Ports::Listed(
            list(rule.at(node), "ports", problems)
                .iter()
                .filter_map(|p| read_np_port(rule.at(p), problems))
                .collect(),
        ),
        _ => Ports::All,
    };
    PolicyRule {
        site: rule,
        index,
        peers,
        ports,
    }
}

fn read_np_peer<'d>(
    peer: Site<'d>,
    namespace: &str,
    problems: &mut Problems<'d>,
) -> Option<PeerKind> {
    if peer.node().as_map().is_none() {
        problems.push(
            peer,
            "a peer must be a mapping with podSelector, namespaceSelector or ipBlock",
        );
        return None;
    }
    let pod_selector = peer.node().get("podSelector");
    let ns_selector = peer.node().get("namespaceSelector");
    if let Some(block) = peer.node().get("ipBlock") {
        if pod_selector.is_some() || ns_selector.is_some() {
            problems.push(
                peer,
                "`ipBlock` cannot be combined with podSelector or namespaceSelector in one peer",
            );
            return None;
        }
        return read_ip_block(peer.at(block), "cidr", problems);
    }
    if pod_selector.is_none() && ns_selector.is_none() {
        problems.push(
            peer,
            "an empty peer is invalid: give podSelector, namespaceSelector or ipBlock",
        );
        return None;
    }
    let pods = match pod_selector {
        Some(node) => selector::read(peer.at(node), problems)?,
        None => Selector::default(),
    };
    let namespaces = match ns_selector {
        None => Namespaces::Names(vec![namespace.to_string()]),
        Some(node) => {
            let selector = selector::read(peer.at(node), problems)?;
            namespaces_from_selector(selector)
        }
    };
    Some(PeerKind::Pods { namespaces, pods })
}

/// `kubernetes.io/metadata.name in (…)` names namespaces; anything else selects by labels.
fn namespaces_from_selector(selector: Selector) -> Namespaces {
    if selector.is_empty() {
        return Namespaces::All;
    }
    match selector.requirements.as_slice() {
        [Requirement {
            key,
            operator: Operator::In,
            values,
        }] if key == "kubernetes.io/metadata.name" => Namespaces::Names(values.clone()),
        _ => Namespaces::Selector(selector),
    }
}

fn read_ip_block<'d>(
    block: Site<'d>,
    cidr_key: &str,
    problems: &mut Problems<'d>,
) -> Option<PeerKind> {
    let Some(text) = block.node().get(cidr_key).and_then(Node::as_str) else {
        problems.push(block, format!("the block needs a `{cidr_key}` text"));
        return None;
    };
    let cidr_site = block.at(block.node().get(cidr_key).unwrap_or(block.node()));
    let cidr = match Cidr::parse(text) {
        Ok(c) if text.contains('/') => c,
        Ok(_) => {
            problems.push(
                cidr_site,
                format!("`{text}` needs a prefix length (`{text}/32`)"),
            );
            return None;
        }
        Err(message) => {
            problems.push(cidr_site, message);
            return None;
        }
    };
    let mut except = Vec::new();
    if let Some(node) = block.node().get("except") {
        for item in list(block.at(node), "except", problems) {
            match item.as_str().map(Cidr::parse) {
                Some(Ok(x)) if cidr.contains(&x) => except.push(x),
                Some(Ok(x)) => problems.push(
                    block.at(item),
                    format!("`{x}` is not inside {cidr}, so excepting it has no effect"),
                ),
                Some(Err(message)) => problems.push(block.at(item), message),
                None => problems.push(block.at(item), "an `except` entry must be a CIDR text"),
            }
        }
    }
    Some(PeerKind::Cidr {
        block: cidr,
        except,
    })
}

fn read_np_port<'d>(port: Site<'d>, problems: &mut Problems<'d>) -> Option<PortMatch<'d>> {
    let protocol = match port.node().get("protocol") {
        None => Protocol::Tcp,
        Some(p) => match p.as_str().and_then(Protocol::parse) {
            Some(Protocol::Any) | None => {
                problems.push(port.at(p), "protocol must be TCP, UDP or SCTP");
                return None;
            }
            Some(protocol) => protocol,
        },
    };
    let spec = match port.node().get("port") {
        None => PortSpec::All,
        Some(node) => match (&node.as_i64(), node.as_str()) {
            (Some(n), _) => match u16::try_from(*n).ok().filter(|n| *n > 0) {
                Some(n) => PortSpec::Range(n, n),
                None => {
                    problems.push(port.at(node), format!("port {n} is outside 1-65535"));
                    return None;
                }
            },
            (None, Some(name)) if is_port_name(name) => PortSpec::Named(name.to_string()),
            (None, Some(text)) if text.parse::<u16>().is_ok() => {
                problems.push(port.at(node), format!("\"{text}\" is a string, which NetworkPolicy reads as a port name; no container port has that name. Write the number without quotes"));
                return None;
            }
            _ => {
                problems.push(port.at(node), "a port must be a number or a container port name (lower-case letters, digits and `-`, at most 15)");
                return None;
            }
        },
    };
    let spec = match (spec, port.node().get("endPort")) {
        (spec, None) => spec,
        (PortSpec::Range(start, _), Some(end)) => {
            match end.as_i64().and_then(|e| u16::try_from(e).ok()) {
                Some(end) if end >= start => PortSpec::Range(start, end),
                _ => {
                    problems.push(
                        port.at(end),
                        format!("`endPort` must be a number from {start} to 65535"),
                    );
                    return None;
                }
            }
        }
        (_, Some(end)) => {
            problems.push(port.at(end), "`endPort` needs a numeric `port`");
            return None;
        }
    };
    Some(PortMatch {
        protocol,
        port: spec,
        http_paths: None,
        site: port,
    })
}

// ---------------------------------------------------------------- Cilium

/// Cilium label keys carry a source prefix (`k8s:`, `any:`); selection ignores `any:`/`k8s:`.
fn strip_source(key: &str) -> &str {
    key.strip_prefix("k8s:")
        .or_else(|| key.strip_prefix("any:"))
        .unwrap_or(key)
}

const POD_NAMESPACE_KEY: &str = "io.kubernetes.pod.namespace";
const NAMESPACE_LABEL_PREFIX: &str = "io.cilium.k8s.namespace.labels.";

/// An endpoint selector split into the namespace part and the pod part, or an entity for
/// `reserved:` labels.
enum Endpoints {
    Pods(Namespaces, Selector),
    Entity(&'static str),
}

fn split_endpoint_selector(selector: Selector, default_namespaces: Namespaces) -> Endpoints {
    let mut pods = Selector::default();
    let mut namespace_labels = Selector::default();
    let mut names: Option<Vec<String>> = None;
    for mut requirement in selector.requirements {
        if let Some(entity) = requirement.key.strip_prefix("reserved:") {
            if let Some(known) = ENTITIES.iter().find(|e| **e == entity) {
                return Endpoints::Entity(known);
            }
        }
        requirement.key = strip_source(&requirement.key).to_string();
        if requirement.key == POD_NAMESPACE_KEY && requirement.operator == Operator::In {
            names = Some(requirement.values);
        } else if let Some(label) = requirement.key.strip_prefix(NAMESPACE_LABEL_PREFIX) {
            requirement.key = label.to_string();
            namespace_labels.requirements.push(requirement);
        } else if requirement.key == POD_NAMESPACE_KEY {
            requirement.key = "kubernetes.io/metadata.name".to_string();
            namespace_labels.requirements.push(requirement);
        } else {
            pods.requirements.push(requirement);
        }
    }
    let namespaces = match (names, namespace_labels.is_empty()) {
        (Some(names), true) => Namespaces::Names(names),
        (Some(names), false) => {
            namespace_labels.requirements.push(Requirement {
                key: "kubernetes.io/metadata.name".into(),
                operator: Operator::In,
                values: names,
            });
            Namespaces::Selector(namespace_labels)
        }
        (None, false) => Namespaces::Selector(namespace_labels),
        (None, true) => default_namespaces,
    };
    Endpoints::Pods(namespaces, pods)
}

fn read_cilium<'d>(
    spec: Site<'d>,
    kind: PolicyKind,
    namespace: &str,
    problems: &mut Problems<'d>,
) -> Option<Policy<'d>> {
    if spec.node().as_map().is_none() {
        problems.push(spec, "a Cilium rule must be a mapping");
        return None;
    }
    let mut policy = empty_policy(kind, namespace, spec);
    let clusterwide = kind == PolicyKind::CiliumClusterwideNetworkPolicy;
    let own_namespace = if clusterwide {
        Namespaces::All
    } else {
        Namespaces::Names(vec![namespace.to_string()])
    };
    match spec.node().get("endpointSelector") {
        Some(node) => {
            if let Some(selector) = selector::read(spec.at(node), problems) {
                match split_endpoint_selector(selector, own_namespace.clone()) {
                    Endpoints::Pods(namespaces, pods) => {
                        // A namespaced policy only ever applies in its own namespace.
                        policy.pod_namespaces = if clusterwide {
                            namespaces
                        } else {
                            own_namespace.clone()
                        };
                        policy.pods = Some(pods);
                    }
                    Endpoints::Entity(_) => policy.pods = None,
                }
            }
        }
        // nodeSelector policies apply to hosts, not pods.
        None if spec.node().get("nodeSelector").is_some() => {}
        None => problems.push(
            spec,
            "a Cilium rule needs `endpointSelector` (or `nodeSelector`)",
        ),
    }
    let mut default_deny = [None, None];
    if let Some(node) = spec.node().get("enableDefaultDeny") {
        for (i, dir) in ["ingress", "egress"].iter().enumerate() {
            if let Some(value) = node.get(dir) {
                match value.as_bool() {
                    Some(b) => default_deny[i] = Some((b, spec.at(value))),
                    None => problems.push(
                        spec.at(value),
                        format!("`enableDefaultDeny.{dir}` must be true or false"),
                    ),
                }
            }
        }
    }
    for (i, (field, deny_field, ingress)) in [
        ("ingress", "ingressDeny", true),
        ("egress", "egressDeny", false),
    ]
    .into_iter()
    .enumerate()
    {
        let mut read_rules = |field: &str| -> Vec<PolicyRule<'d>> {
            spec.node()
                .get(field)
                .map(|n| list(spec.at(n), field, problems))
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .map(|(index, r)| {
                    read_cilium_rule(spec.at(r), index, ingress, &own_namespace, problems)
                })
                .collect()
        };
        let allow = read_rules(field);
        let deny = read_rules(deny_field);
        let lists_rules = !allow.is_empty() || !deny.is_empty();
        let direction = if ingress {
            &mut policy.ingress
        } else {
            &mut policy.egress
        };
        direction.enforces = lists_rules && default_deny[i].is_none_or(|(b, _)| b);
        if let Some((false, site)) = default_deny[i] {
            if lists_rules {
                direction.default_deny_off = Some(site);
            }
        }
        direction.allow = allow;
        direction.deny = deny;
    }
    Some(policy)
}

fn read_cilium_rule<'d>(
    rule: Site<'d>,
    index: usize,
    ingress: bool,
    own_namespace: &Namespaces,
    problems: &mut Problems<'d>,
) -> PolicyRule<'d> {
    let prefix = if ingress { "from" } else { "to" };
    let field = |suffix: &str| format!("{prefix}{suffix}");
    let mut peers = Vec::new();
    let mut l3_given = false;
    if rule.node().as_map().is_none() {
        problems.push(rule, "a rule must be a mapping");
    }
    if let Some(node) = rule.node().get(&field("Endpoints")) {
        l3_given = true;
        for item in list(rule.at(node), &field("Endpoints"), problems) {
            if let Some(selector) = selector::read(rule.at(item), problems) {
                let kind = match split_endpoint_selector(selector, own_namespace.clone()) {
                    Endpoints::Pods(namespaces, pods) => PeerKind::Pods { namespaces, pods },
                    Endpoints::Entity(e) => PeerKind::Entity(e),
                };
                peers.push(Peer {
                    kind,
                    site: rule.at(item),
                });
            }
        }
    }
    if let Some(node) = rule.node().get(&field("Entities")) {
        l3_given = true;
        for item in list(rule.at(node), &field("Entities"), problems) {
            match item
                .as_str()
                .and_then(|e| ENTITIES.iter().find(|k| **k == e))
            {
                Some(entity) => peers.push(Peer {
                    kind: PeerKind::Entity(entity),
                    site: rule.at(item),
                }),
                None => problems.push(
                    rule.at(item),
                    format!(
                        "unknown entity {}: Cilium knows {}",
                        item.scalar_text()
                            .map_or_else(|| item.type_name().to_string(), |t| format!("`{t}`")),
                        ENTITIES.join(", ")
                    ),
                ),
            }
        }
    }
    if let Some(node) = rule.node().get(&field("CIDR")) {
        l3_given = true;
        for item in list(rule.at(node), &field("CIDR"), problems) {
            match item.as_str().map(Cidr::parse) {
                Some(Ok(block)) => peers.push(Peer {
                    kind: PeerKind::Cidr {
                        block,
                        except: Vec::new(),
                    },
                    site: rule.at(item),
                }),
                Some(Err(message)) => problems.push(rule.at(item), message),
                None => problems.push(rule.at(item), "a CIDR entry must be text"),
            }
        }
    }
    if let Some(node) = rule.node().get(&field("CIDRSet")) {
        l3_given = true;
        for item in list(rule.at(node), &field("CIDRSet"), problems) {
            if item.get("cidrGroupRef").is_some() || item.get("cidrGroupSelector").is_some() {
                peers.push(Peer {
                    kind: PeerKind::Other("a CiliumCIDRGroup".into()),
                    site: rule.at(item),
                });
            } else if let Some(kind) = read_ip_block(rule.at(item), "cidr", problems) {
                peers.push(Peer {
                    kind,
                    site: rule.at(item),
                });
            }
        }
    }
    if !ingress {
        if let Some(node) = rule.node().get("toFQDNs") {
            l3_given = true;
            for item in list(rule.at(node), "toFQDNs", problems) {
                match item
                    .get("matchName")
                    .or_else(|| item.get("matchPattern"))
                    .and_then(Node::as_str)
                {
                    Some(name) => peers.push(Peer {
                        kind: PeerKind::Fqdn(name.to_string()),
                        site: rule.at(item),
                    }),
                    None => problems.push(
                        rule.at(item),
                        "a toFQDNs entry needs `matchName` or `matchPattern`",
                    ),
                }
            }
        }
    }
    for other in ["Services", "Groups", "Nodes"] {
        if let Some(node) = rule.node().get(&field(other)) {
            l3_given = true;
            peers.push(Peer {
                kind: PeerKind::Other(format!("`{}` peers (not resolved by dflint)", field(other))),
                site: rule.at(node),
            });
        }
    }
    let ports = match rule.node().get("toPorts") {
        Some(node) if node.as_seq().is_some_and(|s| !s.is_empty()) => {
            let mut entries = Vec::new();
            for item in list(rule.at(node), "toPorts", problems) {
                read_cilium_port_rule(rule.at(item), &mut entries, problems);
            }
            Ports::Listed(entries)
        }
        _ => Ports::All,
    };
    // Only `toPorts`: a layer-4 rule that admits every peer on those ports. Neither: the
    // rule (`{}`) admits nobody and only switches the direction into default deny.
    if !l3_given && matches!(ports, Ports::Listed(_)) {
        peers.push(Peer {
            kind: PeerKind::Anyone,
            site: rule,
        });
    }
    PolicyRule {
        site: rule,
        index,
        peers,
        ports,
    }
}

fn read_cilium_port_rule<'d>(
    item: Site<'d>,
    entries: &mut Vec<PortMatch<'d>>,
    problems: &mut Problems<'d>,
) {
    let http_paths = item
        .node()
        .at(&["rules", "http"])
        .and_then(Node::as_seq)
        .map(|rules| {
            rules
                .iter()
                .map(|r| {
                    r.get("path")
                        .and_then(Node::as_str)
                        .unwrap_or(".*")
                        .to_string()
                })
                .collect::<Vec<_>>()
        });
    let ports = match item.node().get("ports") {
        Some(node) => list(item.at(node), "ports", problems),
        None => {
            entries.push(PortMatch {
                protocol: Protocol::Any,
                port: PortSpec::All,
                http_paths,
                site: item,
            });
            return;
        }
    };
    for port in ports {
        let here = item.at(port);
        let protocol = match port.get("protocol") {
            None => Protocol::Any,
            Some(p) => match p.as_str().and_then(Protocol::parse) {
                Some(protocol) => protocol,
                None => {
                    problems.push(item.at(p), "protocol must be TCP, UDP, SCTP or ANY");
                    continue;
                }
            },
        };
        let text = port
            .get("port")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "0".into());
        let spec = match text.parse::<u32>() {
            Ok(0) => PortSpec::All,
            Ok(n) if n <= 65535 => PortSpec::Range(n as u16, n as u16),
            Ok(n) => {
                problems.push(here, format!("port {n} is outside 1-65535"));
                continue;
            }
            Err(_) if is_port_name(&text) => PortSpec::Named(text),
            Err(_) => {
                problems.push(
                    here,
                    format!("`{text}` is neither a port number nor a valid port name"),
                );
                continue;
            }
        };
        let spec = match (spec, port.get("endPort")) {
            (spec, None) => spec,
            (PortSpec::Range(start, _), Some(end)) => {
                match end.as_i64().and_then(|e| u16::try_from(e).ok()) {
                    Some(end) if end >= start => PortSpec::Range(start, end),
                    _ => {
                        problems.push(
                            item.at(end),
                            format!("`endPort` must be a number from {start} to 65535"),
                        );
                        continue;
                    }
                }
            }
            (_, Some(end)) => {
                problems.push(item.at(end), "`endPort` needs a numeric `port`");
                continue;
            }
        };
        entries.push(PortMatch {
            protocol,
            port: spec,
            http_paths: http_paths.clone(),
            site: here,
        });
    }
}

// ---------------------------------------------------------------- namespaces, operator

/// Labels of `v1 Namespace` documents in the input (kept by the loader for this:
/// `resource::CONTEXT_KINDS`).
pub fn namespace_labels(documents: &[Document]) -> NamespaceLabels {
    let mut labels = NamespaceLabels::default();
    for doc in documents {
        for root in crate::resource::resource_roots(&doc.root) {
            if root.get("kind").and_then(Node::as_str) != Some("Namespace") {
                continue;
            }
            let Some(name) = root.at(&["metadata", "name"]).and_then(Node::as_str) else {
                continue;
            };
            let map: Labels = root
                .at(&["metadata", "labels"])
                .and_then(Node::as_map)
                .unwrap_or(&[])
                .iter()
                .filter_map(|entry| Some((entry.key.key_text(), entry.value.scalar_text()?)))
                .collect();
            labels.add(name.to_string(), map);
        }
    }
    labels
}

/// The NetworkPolicy dragonfly-operator v1.6.x creates for a CR: ingress only; the data and
/// memcached ports from the CR's namespace, the admin port from the operator and the
/// instance's own pods. It always uses 6379 and 9999, whatever `--port`/`--admin_port` say.
/// The model does not keep one per instance: it follows from the instance, and is made
/// when asked for ([`operator_rule`] for one rule of it).
pub fn operator_policy<'d>(
    instance_index: usize,
    instance: &Instance<'d>,
    operator_namespace: Option<&str>,
) -> Policy<'d> {
    let site = instance.operator_site;
    let mut policy = empty_policy(PolicyKind::Operator, &instance.namespace, site);
    policy.name = operator_policy_name(instance);
    policy.pods = Some(own_pods(instance));
    policy.ingress.enforces = true;
    policy.ingress.allow = (0..operator_rule_count(instance))
        .map(|rule| operator_rule(instance, rule, operator_namespace))
        .collect();
    policy.operator_for = Some(instance_index);
    policy
}

pub fn operator_policy_name(instance: &Instance<'_>) -> String {
    format!("the operator's NetworkPolicy for {}", instance.display())
}

/// How many ingress rules the operator's policy has: data, admin, and memcached when the CR
/// sets `spec.memcachedPort`.
pub fn operator_rule_count(instance: &Instance<'_>) -> usize {
    if instance.operator_memcached_port.is_some() {
        3
    } else {
        2
    }
}

/// The TCP port rule `rule` of the operator's policy opens.
pub fn operator_rule_port(instance: &Instance<'_>, rule: usize) -> Option<u16> {
    match rule {
        0 => Some(DATA_PORT),
        1 => Some(ADMIN_PORT),
        2 => instance.operator_memcached_port,
        _ => None,
    }
}

/// The operator's labels on an instance's pods, which its policy selects.
fn own_pods(instance: &Instance<'_>) -> Selector {
    Selector::from_labels([
        ("app", instance.name.as_ref()),
        ("app.kubernetes.io/name", "dragonfly"),
        ("app.kubernetes.io/part-of", "dragonfly"),
    ])
}

/// Ingress rule `rule` (0 to [`operator_rule_count`]) of the operator's policy.
pub fn operator_rule<'d>(
    instance: &Instance<'d>,
    rule: usize,
    operator_namespace: Option<&str>,
) -> PolicyRule<'d> {
    let site = instance.operator_site;
    let same_namespace = || Namespaces::Names(vec![instance.namespace.to_string()]);
    let peer = |kind: PeerKind| Peer { kind, site };
    let peers = match rule {
        1 => vec![
            peer(PeerKind::Pods {
                namespaces: operator_namespace.map_or(Namespaces::OperatorNamespace, |n| {
                    Namespaces::Names(vec![n.to_string()])
                }),
                pods: Selector::from_labels([OPERATOR_POD_LABEL]),
            }),
            peer(PeerKind::Pods {
                namespaces: same_namespace(),
                pods: own_pods(instance),
            }),
        ],
        _ => vec![peer(PeerKind::Pods {
            namespaces: same_namespace(),
            pods: Selector::default(),
        })],
    };
    let ports = operator_rule_port(instance, rule).map_or(Ports::Listed(Vec::new()), |number| {
        Ports::Listed(vec![PortMatch {
            protocol: Protocol::Tcp,
            port: PortSpec::Range(number, number),
            http_paths: None,
            site,
        }])
    });
    PolicyRule {
        site,
        index: rule,
        peers,
        ports,
    }
}
