//! DF3xx: network policies around Dragonfly pods, over the reachability model.
