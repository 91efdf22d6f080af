//! Small Kubernetes facts: resource quantities and label helpers.

/// Parses a Kubernetes resource quantity (`1Gi`, `512Mi`, `1G`, `1e9`, `500m`, `0.5`) into
/// its value in base units (bytes for memory, cores for CPU).
pub fn parse_quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "+" || number == "-" {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let multiplier = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        exp if exp.starts_with(['e', 'E']) => {
            let e: i32 = exp[1..].parse().ok()?;
            10f64.powi(e)
        }
        _ => return None,
    };
    Some(value * multiplier)
}

/// A quantity given as a YAML number or string.
pub fn node_quantity(node: &crate::document::Node) -> Option<f64> {
    match &node.value {
        crate::document::Value::Int(i) => Some(*i as f64),
        crate::document::Value::Float(f) => Some(*f),
        crate::document::Value::Str(s) => parse_quantity(s),
        _ => None,
    }
}

/// Formats a byte count the way people write memory limits (`1Gi`, `512Mi`, `1.5Gi`).
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [(&str, f64); 4] = [
        ("Ti", 1099511627776.0),
        ("Gi", 1073741824.0),
        ("Mi", 1048576.0),
        ("Ki", 1024.0),
    ];
    for (unit, size) in UNITS {
        if bytes >= size {
            let v = bytes / size;
            return if (v - v.round()).abs() < 1e-9 {
                format!("{}{unit}", v.round() as u64)
            } else {
                format!("{v:.2}{unit}")
            };
        }
    }
    format!("{}B", bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("1Gi"), Some(1073741824.0));
        assert_eq!(parse_quantity("512Mi"), Some(536870912.0));
        assert_eq!(parse_quantity("1G"), Some(1e9));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("500m"), Some(0.5));
        assert_eq!(parse_quantity("abc"), None);
        assert_eq!(parse_quantity("1Gb"), None);
        assert_eq!(format_bytes(1073741824.0), "1Gi");
        assert_eq!(format_bytes(805306368.0), "768Mi");
    }
}

/// A named or numbered port of a pod or Service.
#[derive(Clone, Debug)]
pub struct Port {
    pub name: Option<String>,
    pub number: Option<i64>,
    /// Services: the pod port it forwards to (a number or a container port name).
    pub target: Option<String>,
}

/// The `ports` of a container.
pub fn container_ports(container: &crate::document::Node) -> Vec<Port> {
    container
        .get("ports")
        .and_then(crate::document::Node::as_seq)
        .into_iter()
        .flatten()
        .map(|p| Port {
            name: p
                .get("name")
                .and_then(crate::document::Node::as_str)
                .map(str::to_string),
            number: p
                .get("containerPort")
                .and_then(crate::document::Node::as_i64),
            target: None,
        })
        .collect()
}
