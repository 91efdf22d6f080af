//! JSON paths as shown to users: `spec.args[2]`, `metadata.labels["app.kubernetes.io/name"]`.

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

    pub fn key(&self, key: &str) -> Self {
        let simple = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !key.starts_with(|c: char| c.is_ascii_digit());
        let mut out = String::with_capacity(self.as_str().len() + key.len() + 4);
        out.push_str(self.as_str());
        if simple {
            if !self.is_root() {
                out.push('.');
            }
            out.push_str(key);
        } else {
            out.push('[');
            out.push_str(&serde_json::Value::String(key.to_string()).to_string());
            out.push(']');
        }
        JsonPath(Some(out.into()))
    }

    pub fn index(&self, index: usize) -> Self {
        JsonPath(Some(format!("{}[{index}]", self.as_str()).into()))
    }
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
