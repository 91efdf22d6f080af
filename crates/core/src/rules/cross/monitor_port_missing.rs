use super::support::{
    namespace_selected, other_pods, read_selector, services, Labels, OtherWorkload, Port,
};
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::Node;
use crate::dragonfly::facts::CrFacts;
use crate::dragonfly::operator::{ADMIN_PORT, DATA_PORT, DEFAULT_IMAGE_TAG};
use crate::netpol::{Labels as NetpolLabels, Selector};
use crate::resource::{Kind, Resource};
use crate::rules::{Emitter, Rule, RuleMeta, Target};
use std::collections::HashMap;

pub struct MonitorPortMissing;

static META: RuleMeta = RuleMeta {
    code: "DF404",
    name: "monitor-port-missing",
    severity: Severity::Warning,
    summary: "A PodMonitor or ServiceMonitor selecting a Dragonfly instance scrapes a port that does not exist or serves no metrics.",
    docs: rule_docs!("monitor_port_missing.md"),
    scope: crate::rules::Scope::Bundle(&[crate::rules::Needs::Monitors]),
};

const DATA: i64 = DATA_PORT as i64;
const ADMIN: i64 = ADMIN_PORT as i64;

/// What listens where in the pods of one CR, as the operator runs them.
struct Listeners {
    /// `--port` (not an operator default, so `DFLY_port` counts too).
    main: Option<i64>,
    /// The operator passes `--admin_port=9999` on the command line, so only `spec.args`
    /// can move it (an env var loses against a command-line flag).
    admin: Option<i64>,
    /// Same for `--primary_port_http_enabled=false`.
    http_on_main: bool,
    memcached: Option<i64>,
    /// The container port `memcached`, only created from `spec.memcachedPort`.
    memcached_container: Option<i64>,
    /// Ports of `additionalContainers` (an exporter sidecar, say): unknown content.
    sidecars: Vec<Port>,
}

fn port_value(value: Option<String>, default: i64) -> Option<i64> {
    let port = value.map_or(Some(default), |v| v.trim().parse().ok())?;
    (port > 0).then_some(port)
}

impl Listeners {
    fn of(cr: &CrFacts) -> Self {
        let owned = |value: Option<&str>| value.map(str::to_string);
        let main = match cr.setting("port") {
            Some((value, _)) => port_value(owned(value), DATA),
            None => Some(DATA),
        };
        let admin = match cr.arg("admin_port") {
            Some(value) => port_value(owned(value), ADMIN),
            None => Some(ADMIN),
        };
        let memcached_container = cr
            .memcached_port_field()
            .and_then(|(value, _)| *value)
            .filter(|p| *p > 0);
        let memcached = memcached_container.or_else(|| {
            cr.setting("memcached_port")
                .and_then(|(v, _)| port_value(owned(v), 0))
        });
        Listeners {
            main,
            admin,
            http_on_main: cr.http_on_main_port,
            memcached,
            memcached_container,
            sidecars: cr.sidecar_ports().to_vec(),
        }
    }

    /// The container ports of the `dragonfly` container.
    fn container_ports(&self) -> Vec<(&'static str, i64)> {
        let mut ports = vec![("redis", DATA), ("admin", ADMIN)];
        if let Some(port) = self.memcached_container {
            ports.push(("memcached", port));
        }
        ports
    }

    /// Why pod port `port` of the `dragonfly` container serves no `/metrics`, or `None`
    /// when it does.
    fn no_metrics(&self, port: i64) -> Option<String> {
        if self.admin == Some(port) {
            return None;
        }
        if self.main == Some(port) {
            return (!self.http_on_main).then(|| "the operator starts Dragonfly with `--primary_port_http_enabled=false`, so the data port answers no HTTP and `/metrics` is only on the admin port 9999".to_string());
        }
        if self.memcached == Some(port) {
            return Some(
                "the memcached port speaks only the memcache text protocol, never HTTP".into(),
            );
        }
        let moved = if port == ADMIN {
            match self.admin {
                Some(other) => format!(": `spec.args` moves the admin listener to {other}"),
                None => ": `spec.args` turns the admin listener off".into(),
            }
        } else if port == DATA {
            match self.main {
                Some(other) => format!(": `spec.args` moves the data port to {other}"),
                None => ": `spec.args` turns the data port off".into(),
            }
        } else {
            String::new()
        };
        Some(format!("nothing listens on {port}{moved}"))
    }
}

/// How an endpoint names its port.
enum PortRef<'d> {
    Name(&'d str, &'d Node),
    Number(i64, &'d Node),
}

impl PortRef<'_> {
    /// The port number this reference resolves to among named ports, if any.
    fn number_in(&self, ports: &[(&str, i64)]) -> Option<i64> {
        match self {
            PortRef::Name(name, _) => ports.iter().find(|(n, _)| n == name).map(|(_, p)| *p),
            PortRef::Number(number, _) => ports.iter().find(|(_, p)| p == number).map(|(_, p)| *p),
        }
    }

    fn node(&self) -> &Node {
        match self {
            PortRef::Name(_, n) | PortRef::Number(_, n) => n,
        }
    }

    fn shown(&self) -> String {
        match self {
            PortRef::Name(name, _) => format!("port `{name}`"),
            PortRef::Number(number, _) => format!("port {number}"),
        }
    }

    fn in_list(&self, ports: &[Port], service: bool) -> bool {
        ports.iter().any(|p| match self {
            PortRef::Name(name, _) => p.name.as_deref() == Some(name),
            PortRef::Number(number, _) if service => p
                .target
                .as_deref()
                .map_or(p.number == Some(*number), |t| t == number.to_string()),
            PortRef::Number(number, _) => p.number == Some(*number),
        })
    }
}

/// The port fields of one endpoint, in the order the Prometheus Operator prefers them.
fn port_ref<'d>(endpoint: &'d Node, fields: &[&str]) -> Option<PortRef<'d>> {
    for field in fields {
        let Some(node) = endpoint.get(field) else {
            continue;
        };
        // A quoted number is a port *name* (IntOrString), which never matches: port names
        // must contain a letter.
        if let Some(name) = node.as_str() {
            return Some(PortRef::Name(name, node));
        }
        if let Some(number) = node.as_i64() {
            return Some(PortRef::Number(number, node));
        }
    }
    None
}

/// The labels of the pods the operator creates for a CR.
fn pod_labels(cr: &CrFacts) -> Labels {
    let mut labels = operator_labels(cr);
    labels.roles = vec!["master", "replica"];
    labels.add_pairs(cr.pod_metadata_labels());
    labels.add_pairs(&cr.labels);
    labels
}

/// The labels of the Service the operator creates for a CR.
fn service_labels(cr: &CrFacts) -> Labels {
    let mut labels = operator_labels(cr);
    let name = cr.name.as_deref().unwrap_or_default();
    labels.add("app.kubernetes.io/component", "dragonfly");
    labels.add("app.kubernetes.io/instance", name);
    labels.add("app.kubernetes.io/version", DEFAULT_IMAGE_TAG);
    labels.add("app.kubernetes.io/managed-by", "dragonfly-operator");
    labels.add_pairs(cr.owned_objects_labels());
    labels.add_pairs(cr.service_labels());
    labels
}

fn operator_labels(cr: &CrFacts) -> Labels {
    let mut labels = Labels::default();
    labels.add("app", cr.name.as_deref().unwrap_or_default());
    labels.add("app.kubernetes.io/name", "dragonfly");
    labels.add("app.kubernetes.io/part-of", "dragonfly");
    labels
}

fn port_list(ports: &[(&str, i64)]) -> String {
    ports
        .iter()
        .map(|(name, number)| format!("`{name}` ({number})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for MonitorPortMissing {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        if bundle.crs.is_empty() {
            return;
        }
        // Everything a monitor is matched against is made once, not once per monitor: a
        // file of 2,000 CRs and 2,000 monitors took 11 s building the same label sets again
        // for every pair.
        let mut pod_targets: Option<Targets> = None;
        let mut service_targets: Option<Targets> = None;
        for monitor in bundle.of_kind(Kind::PodMonitor) {
            let targets = pod_targets.get_or_insert_with(|| Targets::new(bundle, false));
            check_monitor(bundle, monitor, false, targets, out);
        }
        for monitor in bundle.of_kind(Kind::ServiceMonitor) {
            let targets = service_targets.get_or_insert_with(|| Targets::new(bundle, true));
            check_monitor(bundle, monitor, true, targets, out);
        }
    }
}

/// What monitors of one kind (pod or service) are matched against.
struct Targets {
    /// The label sets of each CR's pods (or of its Service), in the bundle's CR order.
    crs: Vec<Vec<NetpolLabels>>,
    /// The CRs carrying each label (key and value, in any of their label sets): a selector
    /// that pins a label can only match those.
    by_label: HashMap<String, HashMap<String, Vec<usize>>>,
    others: Vec<(OtherWorkload, Vec<NetpolLabels>)>,
}

impl Targets {
    /// The CRs a selector can match: those with its pinned labels, or all when it pins none.
    fn candidates(&self, selector: &Selector, all: usize) -> Vec<usize> {
        let pinned = selector
            .requirements
            .iter()
            .filter_map(|r| Some((r.key.as_str(), r.single_value()?)));
        let mut shortest: Option<&Vec<usize>> = None;
        for label in pinned {
            match self
                .by_label
                .get(label.0)
                .and_then(|values| values.get(label.1))
            {
                None => return Vec::new(),
                Some(list) if shortest.is_none_or(|s| list.len() < s.len()) => {
                    shortest = Some(list)
                }
                Some(_) => {}
            }
        }
        shortest.cloned().unwrap_or_else(|| (0..all).collect())
    }

    fn new(bundle: &Bundle<'_>, service: bool) -> Self {
        let crs: Vec<Vec<NetpolLabels>> = bundle
            .crs
            .iter()
            .map(|cr| {
                if service {
                    service_labels(cr)
                } else {
                    pod_labels(cr)
                }
                .label_sets()
            })
            .collect();
        let others = if service {
            services(bundle)
        } else {
            other_pods(bundle)
        };
        let mut by_label: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        for (index, sets) in crs.iter().enumerate() {
            for (key, value) in sets.iter().flat_map(NetpolLabels::iter) {
                let list = by_label
                    .entry(key.to_string())
                    .or_default()
                    .entry(value.to_string())
                    .or_default();
                // Several label sets of one CR (its roles) share most labels: list it once.
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
        Targets {
            crs,
            by_label,
            others: others
                .into_iter()
                .map(|w| {
                    let sets = w.labels.label_sets();
                    (w, sets)
                })
                .collect(),
        }
    }
}

fn check_monitor(
    bundle: &Bundle<'_>,
    monitor: &Resource<'_>,
    service: bool,
    targets: &Targets,
    out: &mut Emitter<'_>,
) {
    let Some(selector) = monitor
        .root
        .at(&["spec", "selector"])
        .and_then(|node| read_selector(monitor, node))
    else {
        return;
    };
    let matched: Vec<&CrFacts> = targets
        .candidates(&selector, bundle.crs.len())
        .into_iter()
        .filter(|&index| {
            let cr = &bundle.crs[index];
            namespace_selected(monitor, cr.namespace())
                && targets.crs[index].iter().any(|set| selector.matches(set))
        })
        .map(|index| &bundle.crs[index])
        .collect();
    if matched.is_empty() {
        return;
    }
    let (list_field, fields): (&str, &[&str]) = if service {
        ("endpoints", &["port", "targetPort"])
    } else {
        ("podMetricsEndpoints", &["port", "portNumber", "targetPort"])
    };
    let endpoints = monitor
        .root
        .at(&["spec", list_field])
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for endpoint in endpoints {
        let Some(port) = port_ref(endpoint, fields) else {
            continue;
        };
        // Another workload or Service in the input that this monitor also selects may be
        // the one meant to be scraped (an exporter, a metrics Service).
        let served_elsewhere = targets.others.iter().any(|(w, sets)| {
            namespace_selected(monitor, w.namespace.as_deref())
                && sets.iter().any(|set| selector.matches(set))
                && port.in_list(&w.ports, service)
        });
        if served_elsewhere {
            continue;
        }
        for cr in &matched {
            let listeners = Listeners::of(cr);
            let problem = if service {
                service_problem(&port, &listeners)
            } else {
                pod_problem(&port, &listeners)
            };
            let Some(problem) = problem else { continue };
            let target = Target::node(monitor.doc, port.node());
            let (message, help) = if service {
                (
                    format!(
                        "{} scrapes {} of the Service the operator creates for {}: {problem}",
                        monitor.display_name(),
                        port.shown(),
                        cr.display_name()
                    ),
                    "the operator's Service never carries the admin port, where metrics are served: use a PodMonitor with `port: admin` instead",
                )
            } else {
                (
                    format!(
                        "{} scrapes {} of the pods of {}: {problem}",
                        monitor.display_name(),
                        port.shown(),
                        cr.display_name()
                    ),
                    "scrape `port: admin` (9999), where Dragonfly serves `/metrics`",
                )
            };
            out.report(&target, message).with_help(help);
        }
    }
}

fn pod_problem(port: &PortRef<'_>, listeners: &Listeners) -> Option<String> {
    if port.in_list(&listeners.sidecars, false) {
        return None;
    }
    let ports = listeners.container_ports();
    let number = port.number_in(&ports);
    match number {
        Some(number) => listeners.no_metrics(number),
        None => Some(format!(
            "they declare no such container port, only {}",
            port_list(&ports)
        )),
    }
}

fn service_problem(port: &PortRef<'_>, listeners: &Listeners) -> Option<String> {
    // The Service forwards each port to the same container port number.
    let mut ports = vec![("redis", DATA)];
    if let Some(port) = listeners.memcached_container {
        ports.push(("memcached", port));
    }
    let number = port.number_in(&ports);
    match number {
        Some(number) => listeners.no_metrics(number),
        None => Some(format!(
            "that Service has no such port, only {} (the admin port 9999 is not in it)",
            port_list(&ports)
        )),
    }
}
