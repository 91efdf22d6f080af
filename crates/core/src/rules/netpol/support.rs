//! What the DF3xx rules share: walking the allowed paths to one kind of port.

use std::collections::HashSet;

use crate::bundle::Bundle;
use crate::netpol::reach::Path;
use crate::netpol::selector::Operator;
use crate::netpol::{Access, Grant, Instance, Namespaces, PeerKind, PortKind};
use crate::rules::Target;

/// Every allowed ingress path to `kind` ports of every instance (all roles, each path once),
/// with the instance it leads to. Directions nothing enforces are skipped: the
/// unprotected-instance rule reports those as a whole.
///
/// Made one instance at a time: where every policy admits a wide peer to every instance,
/// the paths number instances × policies, and holding them all (with a set to drop repeats)
/// took 870 MB for 3,000 of each.
pub fn enforced_paths<'b, 'd>(
    bundle: &'b Bundle<'d>,
    kind: PortKind,
) -> impl Iterator<Item = (&'b Instance<'d>, u16, Path)> + 'b {
    let model = &bundle.network;
    model
        .instances
        .iter()
        .enumerate()
        .flat_map(move |(index, instance)| {
            let mut paths = Vec::new();
            let Some(port) = instance.port(kind) else {
                return paths;
            };
            // A path that admits several roles is listed once.
            let mut seen = HashSet::new();
            for role in instance.roles() {
                let reach = model.ingress(index, *role, port);
                if !reach.enforced {
                    continue;
                }
                for path in reach.allowed {
                    if seen.insert((path.policy, path.rule, path.peer)) {
                        paths.push((instance, port.number, path));
                    }
                }
            }
            paths
        })
}

/// Where to point for a path: the peer, or the rule when the rule itself is the peer.
pub fn path_target(bundle: &Bundle<'_>, path: Path) -> Target {
    bundle.network.peer(path, true).site.target()
}

/// What a peer gets without a password on one kind of port, worked out once per instance:
/// [`enforced_paths`] gives an instance's paths together, and a policy that admits a wide
/// peer to thousands of instances makes thousands of paths.
pub struct Grants<'a, 'd> {
    access: Access<'a, 'd>,
    kind: PortKind,
    /// The last instance asked about (by address) and its grant.
    last: Option<(usize, Grant)>,
}

impl<'a, 'd> Grants<'a, 'd> {
    pub fn new(bundle: &'a Bundle<'d>, kind: PortKind) -> Self {
        Grants {
            access: Access {
                crs: bundle.crs,
                acls: &bundle.acls,
                dialect: bundle.config.acl.dialect,
            },
            kind,
            last: None,
        }
    }

    pub fn of(&mut self, instance: &Instance<'_>) -> &Grant {
        let address = instance as *const Instance<'_> as usize;
        if self.last.as_ref().map(|(a, _)| *a) != Some(address) {
            let grant = self.access.without_password(instance, self.kind);
            self.last = Some((address, grant));
        }
        &self.last.as_ref().expect("just set").1
    }
}

/// Peers that mean "everything" or "every pod of the cluster" rather than named clients
/// (data-port-open reports these).
pub fn is_wide(kind: &PeerKind) -> bool {
    match kind {
        PeerKind::Anyone => true,
        PeerKind::Entity(e) => matches!(
            *e,
            "world" | "world-ipv4" | "world-ipv6" | "all" | "cluster" | "host" | "remote-node"
        ),
        PeerKind::Pods {
            namespaces: Namespaces::All,
            pods,
        } => pods.is_empty(),
        PeerKind::Cidr { block, .. } => block.is_everything(),
        _ => false,
    }
}

/// Every pod of one or more namespaces that may be other than the instance's own, short of
/// every namespace ([`is_wide`]): a `namespaceSelector` without a `podSelector`, or a Cilium
/// endpoint selector with namespace labels only (data-port-namespace-wide reports these).
pub fn is_other_namespaces_whole(kind: &PeerKind, instance: &Instance<'_>) -> bool {
    let PeerKind::Pods { namespaces, pods } = kind else {
        return false;
    };
    if !pods.is_empty() {
        return false;
    }
    let own = instance.namespace.as_ref();
    match namespaces {
        // A name left empty is the policy's own namespace; an instance without a namespace
        // may live in any of them, so only a differing name counts.
        Namespaces::Names(names) => names
            .iter()
            .any(|n| !n.is_empty() && !own.is_empty() && n != own),
        // Labels may match namespaces the input does not show, unless the selector pins the
        // namespace's name to the instance's.
        Namespaces::Selector(selector) => !selector.requirements.iter().any(|r| {
            r.key == "kubernetes.io/metadata.name"
                && r.operator == Operator::In
                && !own.is_empty()
                && r.values.iter().all(|v| v == own)
        }),
        Namespaces::All | Namespaces::OperatorNamespace => false,
    }
}
