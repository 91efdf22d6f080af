//! What the DF3xx rules share: walking the allowed paths to one kind of port.

use std::collections::BTreeSet;

use crate::bundle::Bundle;
use crate::netpol::reach::Path;
use crate::netpol::{Instance, PortKind};
use crate::rules::Target;

/// Every allowed ingress path to `kind` ports of every instance (all roles, each path once),
/// with the instance it leads to. Directions nothing enforces are skipped: the
/// unprotected-instance rule reports those as a whole.
pub fn enforced_paths<'b, 'd>(
    bundle: &'b Bundle<'d>,
    kind: PortKind,
) -> Vec<(&'b Instance<'d>, u16, Path)> {
    let model = &bundle.network;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (index, instance) in model.instances.iter().enumerate() {
        let Some(port) = instance.port(kind) else {
            continue;
        };
        for role in instance.roles() {
            let reach = model.ingress(index, *role, port);
            if !reach.enforced {
                continue;
            }
            for path in reach.allowed {
                if seen.insert((index, path.policy, path.rule, path.peer)) {
                    out.push((instance, port.number, path));
                }
            }
        }
    }
    out
}

/// Where to point for a path: the peer, or the rule when the rule itself is the peer.
pub fn path_target(bundle: &Bundle<'_>, path: Path) -> Target {
    bundle.network.peer(path, true).site.target()
}
