//! Label selectors (`matchLabels` + `matchExpressions`) as Kubernetes and Cilium evaluate them.

use std::borrow::Cow;
use std::fmt;

use super::{Problems, Site};
use crate::document::Node;

/// A label's key or value: the operator's fixed labels (`app.kubernetes.io/name: dragonfly`)
/// are borrowed, so the instances of 100,000 CRs do not each copy them.
pub type LabelText = Cow<'static, str>;

/// Labels of a pod or a namespace: a handful of pairs, sorted by key in one vector. A B-tree
/// map spent a 544-byte node on the four labels of every Dragonfly instance (5 MB of a
/// 10,000-CR file's 100 MB).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Vec<(LabelText, LabelText)>);

impl Labels {
    pub fn new() -> Self {
        Labels(Vec::new())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|i| self.0[i].1.as_ref())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key`; the value it had, if any, is returned.
    pub fn insert(
        &mut self,
        key: impl Into<LabelText>,
        value: impl Into<LabelText>,
    ) -> Option<LabelText> {
        let key = key.into();
        let value = value.into();
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// In key order, as a map would give them.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Frees the room a growing vector keeps: instances hold their labels for the whole run.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl FromIterator<(String, String)> for Labels {
    /// A key given twice keeps its last value, as inserting into a map would.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        let mut labels = Labels::new();
        labels.extend(pairs);
        labels
    }
}

impl Extend<(String, String)> for Labels {
    /// Appends, then sorts once: inserting each pair in place would move the vector for
    /// every label of a resource with 100,000 of them.
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, pairs: I) {
        self.0.extend(
            pairs
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v))),
        );
        // Stable: of equal keys, the one given last ends last, and is the one kept.
        self.0.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(LabelText, LabelText)> = Vec::with_capacity(self.0.len());
        for pair in self.0.drain(..) {
            match kept.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => kept.push(pair),
            }
        }
        self.0 = kept;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Requirement {
    pub fn equals(key: &str, value: &str) -> Requirement {
        Requirement {
            key: key.to_string(),
            operator: Operator::In,
            values: vec![value.to_string()],
        }
    }

    fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => value.is_none_or(|v| self.values.iter().all(|x| x != v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }

    /// The one value this requirement pins the key to, if it does.
    pub fn single_value(&self) -> Option<&str> {
        match (self.operator, self.values.as_slice()) {
            (Operator::In, [only]) => Some(only),
            _ => None,
        }
    }
}

/// A conjunction of requirements; empty selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

impl Selector {
    pub fn from_labels<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> Selector {
        Selector {
            requirements: labels
                .into_iter()
                .map(|(k, v)| Requirement::equals(k, v))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// The value this selector pins `key` to (`matchLabels` or a one-value `In`).
    pub fn pinned(&self, key: &str) -> Option<&str> {
        self.requirements
            .iter()
            .filter(|r| r.key == key)
            .find_map(Requirement::single_value)
    }

    /// Every pod this selector matches is also matched by `broader` (decided on the syntax:
    /// each requirement of `broader` appears in `self`).
    pub fn is_within(&self, broader: &Selector) -> bool {
        broader
            .requirements
            .iter()
            .all(|r| self.requirements.contains(r))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("{}");
        }
        for (i, r) in self.requirements.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match (r.operator, r.single_value()) {
                (Operator::In, Some(v)) => write!(f, "{}={v}", r.key)?,
                (Operator::In, None) => write!(f, "{} in ({})", r.key, r.values.join(","))?,
                (Operator::NotIn, _) => write!(f, "{} notin ({})", r.key, r.values.join(","))?,
                (Operator::Exists, _) => write!(f, "{}", r.key)?,
                (Operator::DoesNotExist, _) => write!(f, "!{}", r.key)?,
            }
        }
        Ok(())
    }
}

/// Reads a `LabelSelector` node. Malformed parts are reported and left out; a selector that
/// cannot be read at all selects nothing (`None`), so a broken policy never widens access in
/// the model.
pub fn read<'d>(site: Site<'d>, problems: &mut Problems<'d>) -> Option<Selector> {
    let node = site.node();
    if node.is_null() {
        return Some(Selector::default());
    }
    let Some(entries) = node.as_map() else {
        problems.push(
            site,
            format!(
                "a label selector must be a mapping, not {}",
                node.type_name()
            ),
        );
        return None;
    };
    let mut selector = Selector::default();
    let mut ok = true;
    for entry in entries {
        match entry.key.as_str() {
            Some("matchLabels") => {
                ok &= read_match_labels(site.at(&entry.value), &mut selector, problems)
            }
            Some("matchExpressions") => {
                ok &= read_match_expressions(site.at(&entry.value), &mut selector, problems)
            }
            _ => {}
        }
    }
    ok.then_some(selector)
}

fn read_match_labels<'d>(
    site: Site<'d>,
    selector: &mut Selector,
    problems: &mut Problems<'d>,
) -> bool {
    if site.node().is_null() {
        return true;
    }
    let Some(entries) = site.node().as_map() else {
        problems.push(
            site,
            "`matchLabels` must be a mapping of label keys to values",
        );
        return false;
    };
    let mut ok = true;
    for entry in entries {
        let key = entry.key.key_text();
        match entry.value.scalar_text() {
            Some(value) => selector.requirements.push(Requirement {
                key,
                operator: Operator::In,
                values: vec![value],
            }),
            None if entry.value.is_null() => selector.requirements.push(Requirement {
                key,
                operator: Operator::In,
                values: vec![String::new()],
            }),
            None => {
                problems.push(
                    site.at(&entry.value),
                    format!("label `{key}` must have a text value"),
                );
                ok = false;
            }
        }
    }
    ok
}

fn read_match_expressions<'d>(
    site: Site<'d>,
    selector: &mut Selector,
    problems: &mut Problems<'d>,
) -> bool {
    if site.node().is_null() {
        return true;
    }
    let Some(items) = site.node().as_seq() else {
        problems.push(site, "`matchExpressions` must be a list");
        return false;
    };
    let mut ok = true;
    for item in items {
        let here = site.at(item);
        let Some(key) = item.get("key").and_then(Node::scalar_text) else {
            problems.push(here, "a match expression needs a `key`");
            ok = false;
            continue;
        };
        let operator = match item.get("operator").and_then(Node::as_str) {
            Some("In") => Operator::In,
            Some("NotIn") => Operator::NotIn,
            Some("Exists") => Operator::Exists,
            Some("DoesNotExist") => Operator::DoesNotExist,
            other => {
                let at = item.get("operator").map_or(here, |n| site.at(n));
                problems.push(
                    at,
                    format!(
                        "unknown selector operator {}: use In, NotIn, Exists or DoesNotExist",
                        other.map_or("(missing)".to_string(), |o| format!("`{o}`"))
                    ),
                );
                ok = false;
                continue;
            }
        };
        let values: Vec<String> = match item.get("values") {
            None => Vec::new(),
            Some(v) if v.is_null() => Vec::new(),
            Some(v) => match v.as_seq() {
                Some(values) => values.iter().filter_map(Node::scalar_text).collect(),
                None => {
                    problems.push(site.at(v), "`values` must be a list");
                    ok = false;
                    continue;
                }
            },
        };
        let needs_values = matches!(operator, Operator::In | Operator::NotIn);
        if needs_values == values.is_empty() {
            problems.push(
                here,
                if needs_values {
                    format!("`{key}`: In and NotIn need at least one value")
                } else {
                    format!("`{key}`: Exists and DoesNotExist take no values")
                },
            );
            ok = false;
            continue;
        }
        selector.requirements.push(Requirement {
            key,
            operator,
            values,
        });
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_keep_key_order_and_the_last_value_of_a_key() {
        let mut labels: Labels = [("b", "1"), ("a", "2"), ("b", "3")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(labels.len(), 2);
        assert_eq!(labels.get("b"), Some("3"));
        assert_eq!(labels.insert("a", "4").as_deref(), Some("2"));
        assert_eq!(labels.insert("c", "5"), None);
        let pairs: Vec<(&str, &str)> = labels.iter().collect();
        assert_eq!(pairs, [("a", "4"), ("b", "3"), ("c", "5")]);
        assert!(labels.contains_key("c") && !labels.contains_key("d"));
    }

    #[test]
    fn requirements_follow_kubernetes_semantics() {
        let pod = labels(&[("app", "dragonfly"), ("role", "master")]);
        let req = |key: &str, operator, values: &[&str]| Requirement {
            key: key.into(),
            operator,
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        assert!(req("app", Operator::In, &["dragonfly", "x"]).matches(&pod));
        assert!(!req("app", Operator::NotIn, &["dragonfly"]).matches(&pod));
        assert!(req("tier", Operator::NotIn, &["web"]).matches(&pod));
        assert!(req("role", Operator::Exists, &[]).matches(&pod));
        assert!(!req("role", Operator::DoesNotExist, &[]).matches(&pod));
        assert!(Selector::default().matches(&pod));
    }

    #[test]
    fn within_is_decided_on_requirements() {
        let narrow = Selector::from_labels([("app", "prom"), ("team", "obs")]);
        let broad = Selector::from_labels([("app", "prom")]);
        assert!(narrow.is_within(&broad));
        assert!(!broad.is_within(&narrow));
        assert!(narrow.is_within(&Selector::default()));
        assert_eq!(narrow.to_string(), "app=prom,team=obs");
    }
}
