//! JSON paths as shown to users: `spec.args[2]`, `metadata.labels["app.kubernetes.io/name"]`.

use super::{Node, Value};
use std::fmt;
use std::sync::Arc;

/// A cheap-to-clone JSON path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct JsonPath(Option<Arc<str>>);

impl JsonPath {
    pub fn root() -> Self {
        JsonPath(None)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }

    pub fn is_root(&self) -> bool {
        self.0.is_none()
    }

    /// The path's text, shared rather than copied; `None` for the root.
    pub fn shared(&self) -> Option<Arc<str>> {
        self.0.clone()
    }

    pub fn key(&self, key: &str) -> Self {
        let mut out = String::with_capacity(self.as_str().len() + key.len() + 4);
        out.push_str(self.as_str());
        push_key(&mut out, key);
        JsonPath(Some(out.into()))
    }

    pub fn index(&self, index: usize) -> Self {
        let mut out = self.as_str().to_string();
        push_index(&mut out, index);
        JsonPath(Some(out.into()))
    }
}

/// Appends `.key`, or `["key"]` for a key that is not a plain name, to a path's text.
fn push_key(out: &mut String, key: &str) {
    let simple = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if simple {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    } else {
        out.push('[');
        out.push_str(&serde_json::Value::String(key.to_string()).to_string());
        out.push(']');
    }
}

fn push_index(out: &mut String, index: usize) {
    use std::fmt::Write;
    write!(out, "[{index}]").expect("writing to a string cannot fail");
}

enum Segment<'a> {
    Key(&'a Node),
    Index(usize),
}

/// The path from `root` to `target` (found by identity). The search first follows only the
/// children whose span contains the target's; nodes copied from anchors keep the anchor's
/// spans, so a full search follows when that fails.
pub fn path_to(root: &Node, target: &Node) -> Option<JsonPath> {
    let mut segments = Vec::new();
    let found = search(root, target, &mut segments, true, 0)
        || search(root, target, &mut segments, false, 0);
    // Written into one string: a path per finding, and a string per level was most of the
    // cost of locating findings in a large file.
    found.then(|| {
        let mut out = String::new();
        for segment in &segments {
            match segment {
                Segment::Key(key) => push_key(&mut out, &super::keys::key_text(key)),
                Segment::Index(i) => push_index(&mut out, *i),
            }
        }
        JsonPath((!segments.is_empty()).then(|| out.into()))
    })
}

fn search<'a>(
    node: &'a Node,
    target: &Node,
    segments: &mut Vec<Segment<'a>>,
    pruned: bool,
    depth: usize,
) -> bool {
    if std::ptr::eq(node, target) {
        return true;
    }
    // Parsing never builds trees deeper than the highest depth limit allows; the bound only
    // keeps the recursion finite for trees built some other way.
    if depth > crate::limits::MAX_DEPTH_CEILING {
        return false;
    }
    let contains =
        |n: &Node| !pruned || (n.span.start <= target.span.start && target.span.end <= n.span.end);
    // Children are in source order, so the pruned search jumps to the first child that can
    // contain the target instead of scanning (lists can have 100,000 items).
    let at = target.span.start;
    match &node.value {
        Value::Seq(items) => {
            let first = if pruned {
                items.partition_point(|n| n.span.end < at)
            } else {
                0
            };
            for (i, item) in items.iter().enumerate().skip(first) {
                if pruned && item.span.start > at {
                    break;
                }
                if contains(item) {
                    segments.push(Segment::Index(i));
                    if search(item, target, segments, pruned, depth + 1) {
                        return true;
                    }
                    segments.pop();
                }
            }
        }
        Value::Map(entries) => {
            let first = if pruned {
                entries.partition_point(|e| e.value.span.end < at)
            } else {
                0
            };
            for entry in entries.iter().skip(first) {
                if pruned && entry.key.span.start > at {
                    break;
                }
                if std::ptr::eq(&entry.key, target) {
                    segments.push(Segment::Key(&entry.key));
                    return true;
                }
                if contains(&entry.value) {
                    segments.push(Segment::Key(&entry.key));
                    if search(&entry.value, target, segments, pruned, depth + 1) {
                        return true;
                    }
                    segments.pop();
                }
            }
        }
        _ => {}
    }
    false
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_kubectl_field_paths() {
        let p = JsonPath::root().key("spec").key("args").index(2);
        assert_eq!(p.as_str(), "spec.args[2]");
        let l = JsonPath::root()
            .key("metadata")
            .key("labels")
            .key("app.kubernetes.io/name");
        assert_eq!(l.as_str(), r#"metadata.labels["app.kubernetes.io/name"]"#);
        assert_eq!(JsonPath::root().index(0).as_str(), "[0]");
    }
}
