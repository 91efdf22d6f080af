//! Flux variable substitution in a parsed document: every string scalar holding `${VAR}`
//! gets the value Flux would give it, read again as YAML would read it (so `replicas:
//! ${REPLICAS:=2}` is the number 2), or — when dflint is not given the value and there is no
//! default — is marked [`ScalarStyle::Unsubstituted`]: its value is unknown.
//! Spans stay those of the text as written.

use super::{resolve_plain, Node, ScalarStyle, Value};
use crate::interpolate::flux;
use crate::interpolate::EnvValue;

/// Substitutes the variables of one document in place; gives the names that stayed unknown,
/// each with the first node that holds it.
pub fn substitute(
    root: &mut Node,
    vars: &std::collections::BTreeMap<String, String>,
) -> Vec<(String, crate::source::Span)> {
    let lookup = |name: &str| vars.get(name).map(|v| EnvValue::Known(v.clone()));
    let mut unresolved = Vec::new();
    // The data of Secrets and ConfigMaps is left as written: an ACL there is read with its
    // placeholders, which the ACL rules recognise and report as a template (DF225), the same
    // as in an ACL file; substituting a default password into it would judge a guess.
    let holds_data = matches!(
        root.get("kind").and_then(Node::as_str),
        Some("Secret" | "ConfigMap")
    );
    if let (true, Value::Map(entries)) = (holds_data, &mut root.value) {
        for entry in entries.iter_mut() {
            let key = entry.key.as_str().unwrap_or("");
            if !matches!(key, "data" | "stringData" | "binaryData") {
                walk(&mut entry.value, &lookup, &mut unresolved);
            }
        }
        return unresolved;
    }
    walk(root, &lookup, &mut unresolved);
    unresolved
}

fn walk(
    node: &mut Node,
    lookup: &impl Fn(&str) -> Option<EnvValue>,
    unresolved: &mut Vec<(String, crate::source::Span)>,
) {
    match &mut node.value {
        Value::Map(entries) => {
            for entry in entries.iter_mut() {
                walk(&mut entry.value, lookup, unresolved);
            }
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                walk(item, lookup, unresolved);
            }
        }
        Value::Str(text) if text.contains("${") => {
            let substituted = flux(text, lookup);
            if !substituted.changed {
                return;
            }
            for name in substituted.unresolved {
                if !unresolved.iter().any(|(n, _)| *n == name) {
                    unresolved.push((name, node.span));
                }
            }
            if substituted.opaque {
                node.style = ScalarStyle::Unsubstituted;
            } else if node.style == ScalarStyle::Plain {
                node.value = resolve_plain(&substituted.text);
            } else {
                node.value = Value::Str(substituted.text.into());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_yaml;

    #[test]
    fn secret_and_config_map_data_stay_as_written() {
        let text = "kind: Secret\nmetadata:\n  name: ${NAME:=a}\nstringData:\n  users.acl: user app on >${PASSWORD:=x} ~*\n";
        let mut root = parse_yaml(text).roots.remove(0);
        let unresolved = substitute(&mut root, &Default::default());
        assert!(unresolved.is_empty());
        assert_eq!(root.at(&["metadata", "name"]).unwrap().as_str(), Some("a"));
        let acl = root.at(&["stringData", "users.acl"]).unwrap();
        assert_eq!(acl.as_str(), Some("user app on >${PASSWORD:=x} ~*"));
        assert_eq!(acl.style, ScalarStyle::Plain);
    }

    #[test]
    fn values_are_read_again_as_yaml_reads_them() {
        let text = "replicas: ${REPLICAS:=2}\nname: \"${NAME:=3}\"\nimage: ${IMAGE}\ntag: v${TAG:=1}\nmem: ${MEM}\n";
        let mut root = parse_yaml(text).roots.remove(0);
        let vars = [("MEM".to_string(), "4Gi".to_string())]
            .into_iter()
            .collect();
        let unresolved = substitute(&mut root, &vars);
        assert_eq!(root.get("replicas").unwrap().as_i64(), Some(2));
        assert_eq!(root.get("name").unwrap().as_str(), Some("3"));
        assert_eq!(root.get("tag").unwrap().as_str(), Some("v1"));
        assert_eq!(root.get("mem").unwrap().as_str(), Some("4Gi"));
        let image = root.get("image").unwrap();
        assert_eq!(image.style, ScalarStyle::Unsubstituted);
        assert_eq!(image.as_str(), Some("${IMAGE}"));
        assert_eq!(unresolved.len(), 1);
        assert_eq!(unresolved[0].0, "IMAGE");
        assert_eq!(
            &text[unresolved[0].1.start..unresolved[0].1.end],
            "${IMAGE}"
        );
    }
}
