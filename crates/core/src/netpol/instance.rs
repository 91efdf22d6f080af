//! Dragonfly instances and the ports their pods listen on.

use super::selector::{Labels, Selector};
use super::{Policy, Site};
use crate::config::LintConfig;
use crate::document::{Document, Node};
use crate::dragonfly::facts::CrFacts;
use crate::dragonfly::operator::{ADMIN_PORT, DATA_PORT};
use crate::dragonfly::{workload, DragonflyCr};
use crate::flags::{FlagType, FlagValue};
use crate::k8s::container_ports;
use crate::resource::{resource_roots, WORKLOAD_KINDS};
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Master,
    Replica,
    /// The pods of a workload running Dragonfly without the operator: no `role` label, and
    /// every replica an independent server.
    Standalone,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Replica => "replica",
            Role::Standalone => "standalone",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PortKind {
    /// RESP (and HTTP when `primary_port_http_enabled`), authenticated by requirepass/ACL.
    Data,
    /// Superuser: ACL skipped, no password with the operator's `--admin_nopass`.
    Admin,
    /// Memcached text protocol: never authenticates, runs as the ACL `default` user.
    Memcached,
}

impl PortKind {
    pub fn name(self) -> &'static str {
        match self {
            PortKind::Data => "data",
            PortKind::Admin => "admin",
            PortKind::Memcached => "memcached",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstancePort {
    pub kind: PortKind,
    /// Where Dragonfly listens.
    pub number: u16,
    /// A container port name maps to `number` (see [`InstancePort::container_name`]).
    pub named: bool,
}

impl InstancePort {
    /// The container port name that maps to `number`, if one does: the operator names 6379
    /// `redis`, 9999 `admin` and the memcached port `memcached`.
    pub fn container_name(&self) -> Option<&'static str> {
        self.named.then_some(match self.kind {
            PortKind::Data => "redis",
            PortKind::Admin => "admin",
            PortKind::Memcached => "memcached",
        })
    }
}

#[derive(Clone, Debug)]
pub struct Instance<'d> {
    /// Borrowed from the CR's facts when there is a CR.
    pub name: Cow<'d, str>,
    /// "" when the CR names no namespace.
    pub namespace: Cow<'d, str>,
    /// Pod labels without `role`.
    pub labels: Labels,
    pub replicas: i64,
    pub ports: Vec<InstancePort>,
    /// Index into the bundle's Dragonfly CRs; `None` for instances inferred from labels.
    pub cr: Option<usize>,
    pub site: Site<'d>,
    /// The operator creates its own NetworkPolicy for this instance.
    pub operator_policy: bool,
    /// Where that policy comes from: `networkPolicyEnabled`, else the instance.
    pub operator_site: Site<'d>,
    /// `spec.memcachedPort`, which the operator's policy also opens.
    pub operator_memcached_port: Option<u16>,
    /// What a Pod or workload running the image itself says about authentication; `None`
    /// for instances of the operator (CRs, or inferred from its label conventions).
    pub standalone: Option<Box<Standalone>>,
}

/// What the privilege model needs of a Dragonfly server run without the operator, read from
/// its container while the document is at hand: Dragonfly's own defaults apply, not the
/// flags the operator adds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standalone {
    /// `--requirepass`/`DFLY_requirepass` is set (a value from a Secret counts).
    pub password: bool,
    /// TLS with a client CA: every TLS listener asks for a certificate.
    pub client_certs: bool,
    /// The admin port is a TLS listener too (no `--no_tls_on_admin_port`), so with a client
    /// CA it asks for a certificate as well.
    pub admin_tls: bool,
    /// `--admin_nopass` is on: the admin port asks for no password.
    pub admin_nopass: bool,
    /// `--aclfile` is set: the ACL is a file mounted from somewhere the input may not show.
    pub acl_file: bool,
    /// The data port also answers HTTP (Dragonfly's default,
    /// `src/facade/dragonfly_connection.cc:58@v1.40.1`), unless
    /// `--primary_port_http_enabled=false`.
    pub http_console: bool,
    /// The container's named ports (`containerPort` → `name`): what a policy's named port
    /// matches.
    pub port_names: Box<[(u16, Box<str>)]>,
}

const ROLES_ONE: &[Role] = &[Role::Master];
const ROLES_MANY: &[Role] = &[Role::Master, Role::Replica];

const ROLES_STANDALONE: &[Role] = &[Role::Standalone];

impl Instance<'_> {
    pub fn roles(&self) -> &'static [Role] {
        if self.standalone.is_some() {
            ROLES_STANDALONE
        } else if self.replicas > 1 {
            ROLES_MANY
        } else {
            ROLES_ONE
        }
    }

    pub fn pod_labels(&self, role: Role) -> Labels {
        let mut labels = self.labels.clone();
        // Only the operator labels its pods with their role.
        if role != Role::Standalone {
            labels.insert("role", role.label());
        }
        labels
    }

    /// The container port name a policy may use for `port`: the operator's names for its
    /// pods, the container's own `ports[].name` for a workload.
    pub fn port_name(&self, port: InstancePort) -> Option<&str> {
        match &self.standalone {
            Some(standalone) => standalone
                .port_names
                .iter()
                .find(|(number, _)| *number == port.number)
                .map(|(_, name)| name.as_ref()),
            None => port.container_name(),
        }
    }

    /// Whether the operator runs this instance (a CR, or pods with its labels).
    pub fn is_operator(&self) -> bool {
        self.standalone.is_none()
    }

    pub fn port(&self, kind: PortKind) -> Option<InstancePort> {
        self.ports.iter().copied().find(|p| p.kind == kind)
    }

    pub fn display(&self) -> String {
        if self.namespace.is_empty() {
            self.name.to_string()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

/// One instance per Dragonfly CR, with the pod labels and ports the operator gives it.
pub fn from_crs(crs: &[CrFacts]) -> Vec<Instance<'_>> {
    crs.iter()
        .enumerate()
        .map(|(index, cr)| {
            let name = cr.name.as_deref().unwrap_or("");
            let mut labels = Labels::new();
            // `spec.labels` is deprecated in favour of `podMetadata.labels`, but still applied.
            extend_labels(&mut labels, &cr.labels);
            extend_labels(&mut labels, cr.pod_metadata_labels());
            // The operator's own labels win over user-supplied ones with the same key.
            labels.insert("app", name.to_string());
            labels.insert("app.kubernetes.io/name", "dragonfly");
            labels.insert("app.kubernetes.io/part-of", "dragonfly");
            labels.shrink_to_fit();
            let flag_port = |flag: &str| -> Option<i64> {
                cr.arg(flag)
                    .flatten()
                    .and_then(|v| v.trim().parse::<i64>().ok())
            };
            // Data, admin and memcached at most.
            let mut ports = Vec::with_capacity(3);
            let data = flag_port("port").unwrap_or(i64::from(DATA_PORT));
            if let Ok(number) = u16::try_from(data) {
                if number != 0 {
                    ports.push(InstancePort {
                        kind: PortKind::Data,
                        number,
                        named: number == DATA_PORT,
                    });
                }
            }
            let admin = flag_port("admin_port").unwrap_or(i64::from(ADMIN_PORT));
            if let Ok(number) = u16::try_from(admin) {
                if number != 0 {
                    ports.push(InstancePort {
                        kind: PortKind::Admin,
                        number,
                        named: number == ADMIN_PORT,
                    });
                }
            }
            // The operator's `--memcached_port` from `memcachedPort` comes after spec.args.
            let spec_memcached = cr.memcached_port_field().and_then(|(v, _)| *v);
            let memcached = spec_memcached.or_else(|| flag_port("memcached_port"));
            if let Some(number) = memcached.and_then(|m| u16::try_from(m).ok()) {
                if number != 0 {
                    ports.push(InstancePort {
                        kind: PortKind::Memcached,
                        number,
                        named: spec_memcached.is_some(),
                    });
                }
            }
            ports.shrink_to_fit();
            Instance {
                name: Cow::Borrowed(name),
                namespace: Cow::Borrowed(cr.namespace().unwrap_or("")),
                labels,
                replicas: cr.replicas.as_ref().and_then(|(v, _)| *v).unwrap_or(1),
                ports,
                cr: Some(index),
                site: Site::Fixed(&cr.name_target),
                operator_policy: cr.network_policy_enabled().and_then(|(v, _)| *v) != Some(false),
                operator_site: Site::Fixed(
                    cr.network_policy_enabled()
                        .map_or(&cr.name_target, |(_, at)| at),
                ),
                operator_memcached_port: spec_memcached.and_then(|m| u16::try_from(m).ok()),
                standalone: None,
            }
        })
        .collect()
}

fn extend_labels(labels: &mut Labels, pairs: &[(String, String)]) {
    labels.extend(pairs.iter().cloned());
}

/// Whether a policy's pod selector names Dragonfly pods by the operator's label conventions.
pub fn follows_label_conventions(pods: &Selector) -> bool {
    pods.pinned("app.kubernetes.io/name") == Some("dragonfly")
        || pods.pinned("app.kubernetes.io/part-of") == Some("dragonfly")
        || pods.pinned("app").is_some_and(|a| a.contains("dragonfly"))
}

/// Without CRs in the input, the pods a policy aims at with the operator's label
/// conventions (`app.kubernetes.io/name: dragonfly`, `app.kubernetes.io/part-of: dragonfly`
/// or an `app` label naming Dragonfly) stand for an instance with the default ports.
pub fn from_label_conventions<'d>(policies: &[Policy<'d>]) -> Vec<Instance<'d>> {
    let mut instances: Vec<Instance<'d>> = Vec::new();
    for policy in policies {
        let Some(pods) = &policy.pods else { continue };
        if !follows_label_conventions(pods) {
            continue;
        }
        let app = pods.pinned("app");
        let name = app
            .or_else(|| pods.pinned("app.kubernetes.io/instance"))
            .unwrap_or("dragonfly")
            .to_string();
        let mut labels: Labels = pods
            .requirements
            .iter()
            .filter(|r| r.key != "role")
            .filter_map(|r| Some((r.key.clone(), r.single_value()?.to_string())))
            .collect();
        labels.insert("app", name.clone());
        labels.insert("app.kubernetes.io/name", "dragonfly");
        labels.insert("app.kubernetes.io/part-of", "dragonfly");
        let namespace = policy.namespace.clone();
        if instances
            .iter()
            .any(|i| i.namespace == namespace && i.labels == labels)
        {
            continue;
        }
        instances.push(Instance {
            name: Cow::Owned(name),
            namespace: Cow::Owned(namespace),
            labels,
            replicas: 1,
            ports: vec![
                InstancePort {
                    kind: PortKind::Data,
                    number: DATA_PORT,
                    named: true,
                },
                InstancePort {
                    kind: PortKind::Admin,
                    number: ADMIN_PORT,
                    named: true,
                },
            ],
            cr: None,
            site: policy.site,
            operator_policy: false,
            operator_site: policy.site,
            operator_memcached_port: None,
            standalone: None,
        });
    }
    instances
}

/// One instance per container of a Pod or workload that runs the Dragonfly server itself
/// (see [`crate::dragonfly::workload`]), with the pod template's labels and the ports its
/// flags open. Without the operator, Dragonfly's own defaults hold: the data port is 6379
/// and also answers HTTP, and there is no admin or memcached port unless a flag asks for
/// one (both default to 0, off: `src/facade/dragonfly_connection.cc:61@v1.40.1`,
/// `src/server/main_service.cc:83@v1.40.1`).
pub fn from_workloads<'d>(documents: &'d [Document], config: &LintConfig) -> Vec<Instance<'d>> {
    let mut instances = Vec::new();
    for doc in documents {
        for root in resource_roots(&doc.root) {
            let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
            if !WORKLOAD_KINDS.contains(&kind) {
                continue;
            }
            let images = workload::Images(&config.dragonfly_images);
            for server in workload::servers_at_root(doc, root, &config.limits, images) {
                instances.push(of_workload(doc, root, kind, &server));
            }
        }
    }
    instances
}

fn of_workload<'d>(
    doc: &'d Document,
    root: &'d Node,
    kind: &str,
    server: &DragonflyCr<'d>,
) -> Instance<'d> {
    let template: &[&str] = match kind {
        "Pod" => &["metadata"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "metadata"],
        _ => &["spec", "template", "metadata"],
    };
    let mut labels: Labels = root
        .at(template)
        .and_then(|m| m.get("labels"))
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e.key.key_text(), e.value.scalar_text()?)))
        .collect();
    labels.shrink_to_fit();
    // Only these kinds run `spec.replicas` copies; a DaemonSet runs one per node.
    let replicas = match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => root
            .at(&["spec", "replicas"])
            .map_or(Some(1), Node::as_i64)
            .unwrap_or(1),
        _ => 1,
    };
    let flag_port = |flag: &str| -> Option<u16> {
        let (value, _) = server.setting(flag)?;
        value?.trim().parse::<u16>().ok()
    };
    let mut ports = Vec::with_capacity(3);
    for (kind, number) in [
        (PortKind::Data, Some(flag_port("port").unwrap_or(DATA_PORT))),
        (PortKind::Admin, flag_port("admin_port")),
        (PortKind::Memcached, flag_port("memcached_port")),
    ] {
        if let Some(number) = number.filter(|n| *n != 0) {
            ports.push(InstancePort {
                kind,
                number,
                named: false,
            });
        }
    }
    let port_names = server
        .spec
        .map(container_ports)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let number = u16::try_from(p.number?).ok()?;
            Some((number, p.name?.into_boxed_str()))
        })
        .collect();
    let off = |flag: &str| {
        matches!(server.setting(flag), Some((Some(value), _))
            if FlagType::Bool.parse(&value) == Ok(FlagValue::Bool(false)))
    };
    let standalone = Standalone {
        password: server.has_password(),
        client_certs: server.has_client_ca(),
        admin_tls: !server.setting_is_on("no_tls_on_admin_port"),
        admin_nopass: server.setting_is_on("admin_nopass"),
        acl_file: server.has_acl_file(),
        http_console: !off("primary_port_http_enabled"),
        port_names,
    };
    let name_node = root.at(&["metadata", "name"]);
    let site = Site::new(doc, name_node.unwrap_or(root));
    Instance {
        name: Cow::Borrowed(name_node.and_then(Node::as_str).unwrap_or("")),
        namespace: Cow::Borrowed(
            root.at(&["metadata", "namespace"])
                .and_then(Node::as_str)
                .unwrap_or(""),
        ),
        labels,
        replicas,
        ports,
        cr: None,
        site,
        operator_policy: false,
        operator_site: site,
        operator_memcached_port: None,
        standalone: Some(Box::new(standalone)),
    }
}
