//! The reachability table `dflint netpol reach` prints (built on a whole [`Bundle`], so it
//! sits above the network model rather than inside it): per instance, role and port, whether
//! ingress is enforced, what a peer gets there without a password, and every allowed path
//! with the policy rule that allows it.

use serde::Serialize;

use crate::bundle::{load_configured, Bundle};
use crate::config::LintConfig;
use crate::lint::Report;
use crate::netpol::peer::classify;
use crate::netpol::reach::Path;
use crate::netpol::{Access, PeerClass, Site};
use crate::source::Source;
use crate::target::locate;

#[derive(Debug, Serialize)]
pub struct ReachReport {
    pub instances: Vec<InstanceReach>,
}

#[derive(Debug, Serialize)]
pub struct InstanceReach {
    pub name: String,
    pub namespace: String,
    /// `dragonfly-cr`, `workload` (a Pod or workload running the image) or
    /// `label-conventions` (neither in the input).
    pub origin: &'static str,
    pub file: String,
    pub line: usize,
    pub replicas: i64,
    pub roles: Vec<RoleReach>,
}

#[derive(Debug, Serialize)]
pub struct RoleReach {
    pub role: &'static str,
    /// Every policy that selects these pods.
    pub selected_by: Vec<String>,
    pub ports: Vec<PortReach>,
    pub egress_enforced_by: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct PortReach {
    /// `data`, `admin` or `memcached`.
    pub kind: &'static str,
    pub port: u16,
    pub container_port_name: Option<String>,
    /// When false, nothing restricts ingress: every pod and address can connect.
    pub enforced: bool,
    pub enforced_by: Vec<String>,
    /// What a peer that reaches the port gets before it sends a password.
    pub without_password: Unauthenticated,
    pub allowed: Vec<PathReach>,
    /// Paths some allow rule opens but a Cilium deny rule closes.
    pub denied: Vec<PathReach>,
}

#[derive(Debug, Serialize)]
pub struct Unauthenticated {
    /// `superuser`, `default-user`, `http-console`, `nothing` or `unknown`.
    pub gets: &'static str,
    /// In words, with why.
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct PathReach {
    pub peer: String,
    /// operator, own-pods, metrics-scraper, selected-pods, whole-namespace, many-namespaces,
    /// addresses, entity, anyone, other.
    pub class: &'static str,
    /// Policy, rule and ports, in words.
    pub because: String,
    /// The peer gets more than nothing without a password (the port's `without_password`
    /// is `superuser` or `default-user`) and is not the operator, the instance's own pods or
    /// a metrics scraper.
    pub unauthenticated_privilege: bool,
    pub file: String,
    pub line: usize,
    pub column: usize,
}

fn class_name(class: PeerClass) -> &'static str {
    match class {
        PeerClass::Operator => "operator",
        PeerClass::OwnPods => "own-pods",
        PeerClass::Scraper => "metrics-scraper",
        PeerClass::SelectedPods { .. } => "selected-pods",
        PeerClass::WholeNamespace { .. } => "whole-namespace",
        PeerClass::ManyNamespaces => "many-namespaces",
        PeerClass::Addresses => "addresses",
        PeerClass::Entity => "entity",
        PeerClass::Anyone => "anyone",
        PeerClass::Other => "other",
    }
}

/// The rules `netpol reach` reports beside its table: the network ones (`DF3xx`, `DF4xx`)
/// and DF003, so that a file too large or deep to read never leaves the table silently
/// without what it holds. Every front end narrows its settings with this.
pub fn select_reach_rules(config: &mut LintConfig) {
    config.select = vec!["DF003".into(), "DF3".into(), "DF4".into()];
    config.extend_select.clear();
}

/// The table and the findings of the sources, from one reading of them.
pub fn reach(sources: &[Source], config: &LintConfig) -> (ReachReport, Report) {
    let loaded = load_configured(sources, config);
    let table = table(&Bundle::new(sources, &loaded, config), sources, config);
    (table, crate::lint::lint_loaded(sources, &loaded, config))
}

fn table(bundle: &Bundle<'_>, sources: &[Source], config: &LintConfig) -> ReachReport {
    let model = &bundle.network;
    let access = Access {
        crs: bundle.crs,
        acls: &bundle.acls,
        dialect: config.acl.dialect,
    };
    let at = |site: Site<'_>| {
        let location = locate(sources, &site.target());
        (location.file.to_string(), location.line, location.column)
    };
    let path_reach = |path: Path, class: PeerClass, privileged: bool| {
        let peer = model.peer(path, true);
        let (file, line, column) = at(peer.site);
        PathReach {
            peer: peer.kind.describe(),
            class: class_name(class),
            because: model.explain(path, true),
            unauthenticated_privilege: privileged
                && !matches!(
                    class,
                    PeerClass::Operator | PeerClass::OwnPods | PeerClass::Scraper
                ),
            file,
            line,
            column,
        }
    };
    let instances = model
        .instances
        .iter()
        .enumerate()
        .map(|(index, instance)| {
            let (file, line, _) = at(instance.site);
            let roles = instance
                .roles()
                .iter()
                .map(|role| {
                    let names = |ids: &[usize]| {
                        ids.iter()
                            .map(|p| model.policy_name(*p).into_owned())
                            .collect::<Vec<_>>()
                    };
                    let selecting: Vec<usize> = model.selecting(index, *role).collect();
                    let ports = instance
                        .ports
                        .iter()
                        .map(|port| {
                            let reach = model.ingress(index, *role, *port);
                            let class_of = |path: Path| {
                                classify(&model.peer(path, true).kind, instance, &config.network)
                            };
                            let grant = access.without_password(instance, port.kind);
                            let privileged = grant.is_privileged();
                            PortReach {
                                kind: port.kind.name(),
                                port: port.number,
                                container_port_name: instance.port_name(*port).map(str::to_string),
                                enforced: reach.enforced,
                                enforced_by: names(&reach.enforced_by),
                                without_password: Unauthenticated {
                                    gets: grant.label(),
                                    detail: grant.describe(),
                                },
                                allowed: reach
                                    .allowed
                                    .iter()
                                    .map(|p| path_reach(*p, class_of(*p), privileged))
                                    .collect(),
                                // A denied path gets nothing.
                                denied: reach
                                    .denied
                                    .iter()
                                    .map(|(p, _)| path_reach(*p, class_of(*p), false))
                                    .collect(),
                            }
                        })
                        .collect();
                    let egress_enforced_by: Vec<usize> = selecting
                        .iter()
                        .copied()
                        .filter(|p| model.enforces(*p, false))
                        .collect();
                    RoleReach {
                        role: role.label(),
                        selected_by: names(&selecting),
                        ports,
                        egress_enforced_by: names(&egress_enforced_by),
                    }
                })
                .collect();
            InstanceReach {
                name: instance.name.to_string(),
                namespace: instance.namespace.to_string(),
                origin: if instance.cr.is_some() {
                    "dragonfly-cr"
                } else if instance.standalone.is_some() {
                    "workload"
                } else {
                    "label-conventions"
                },
                file,
                line,
                replicas: instance.replicas,
                roles,
            }
        })
        .collect();
    ReachReport { instances }
}
