//! Which users' key or channel patterns meet: pairs of patterns of different users that
//! match a common string, each with such a string. Used by the overlap rules and by the
//! key-isolation report.

/// A pattern one user was granted.
pub struct Granted<'a> {
    pub user: usize,
    pub pattern: &'a [u8],
    pub token: crate::acl::eval::TokenRef,
}

/// Most exact intersection checks for one ACL text (keeps 100,000-user files bounded).
const MAX_INTERSECTION_CHECKS: usize = 2_000_000;

/// Most candidate pairs walked for one ACL text: one user with 40,000 patterns under one
/// prefix made the walk quadratic (5.8 s in the browser for 1 MB of ACL text).
const MAX_CANDIDATES_VISITED: usize = 20_000_000;

fn literal_prefix(pattern: &[u8]) -> &[u8] {
    let end = pattern
        .iter()
        .position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
        .unwrap_or(pattern.len());
    &pattern[..end]
}

/// Pairs of patterns of different users that match a common string, with an example string,
/// at most `max_pairs` of them. Two globs can only intersect when one's literal prefix is a
/// prefix of the other's, so candidates come from ranges of the patterns sorted by literal
/// prefix instead of all pairs.
pub fn overlapping_pairs<'a>(
    granted: &'a [Granted<'a>],
    max_pairs: usize,
) -> Vec<(&'a Granted<'a>, &'a Granted<'a>, Vec<u8>)> {
    let mut order: Vec<usize> = (0..granted.len()).collect();
    let key = |i: usize| {
        let g = &granted[i];
        (literal_prefix(g.pattern), g.user, g.pattern)
    };
    order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    // A user given one pattern on many lines is one candidate (the first grant of it).
    order.dedup_by(|b, a| key(*a) == key(*b));
    let prefixes: Vec<&[u8]> = order
        .iter()
        .map(|&i| literal_prefix(granted[i].pattern))
        .collect();
    let mut found = Vec::new();
    let mut seen_users = std::collections::HashSet::new();
    let (mut checks, mut visited) = (0usize, 0usize);
    'scan: for (position, &i) in order.iter().enumerate() {
        let prefix = prefixes[position];
        // Everything after this one in sorted order whose prefix starts with this prefix.
        for (offset, &j) in order[position + 1..].iter().enumerate() {
            if !prefixes[position + 1 + offset].starts_with(prefix) {
                break;
            }
            // Candidates of one user with many patterns under one prefix are skipped below,
            // but still walked: the walk is bounded too.
            visited += 1;
            if visited > MAX_CANDIDATES_VISITED {
                break 'scan;
            }
            let (a, b) = (&granted[i], &granted[j]);
            if a.user == b.user {
                continue;
            }
            let pair = (a.user.min(b.user), a.user.max(b.user));
            if seen_users.contains(&pair) {
                continue;
            }
            checks += 1;
            if checks > MAX_INTERSECTION_CHECKS {
                break 'scan;
            }
            if let Some(witness) = super::glob::witness(a.pattern, b.pattern) {
                seen_users.insert(pair);
                let (first, second) = if a.user < b.user { (a, b) } else { (b, a) };
                found.push((first, second, witness));
                if found.len() >= max_pairs {
                    break 'scan;
                }
            }
        }
    }
    found.sort_by_key(|(a, b, _)| (a.user, b.user));
    found
}
