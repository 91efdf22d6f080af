//! What the DF3xx rules share: walking the allowed paths to one kind of port.

use std::collections::HashSet;

use crate::bundle::Bundle;
use crate::netpol::reach::Path;
use crate::netpol::{Instance, PortKind};
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
