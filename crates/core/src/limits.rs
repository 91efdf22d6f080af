//! The input limits: every bound dflint puts on what one run reads, in one configurable set.
//!
//! Each limit keeps hostile or accidental input bounded in time and memory. When one is
//! exceeded, the part beyond it is not linted and a located finding says so (DF003 for files
//! and documents, the rule's own code for findings and ACL overlaps, DF310 for network-policy
//! lists), naming the limit's value and the setting that raises it. Front ends deserialize
//! [`Limits`] from their settings (`limits` of the admission policy) or build it from flags
//! (`dflint check --max-depth`), and call [`Limits::validate`] before linting.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How much one lint run reads. [`Default`] gives the values dflint has always used; each
/// field is one setting, named in kebab-case in `dflint.toml` (`max-file-bytes`) and in
/// camelCase in the admission policy's settings (`maxFileBytes`); both spellings are read.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Limits {
    /// A source larger than this is not parsed at all.
    #[serde(deserialize_with = "amount", alias = "maxFileBytes")]
    pub max_file_bytes: u64,
    /// Documents of one file (YAML streams hold several) beyond this are not linted.
    #[serde(deserialize_with = "amount", alias = "maxDocumentsPerFile")]
    pub max_documents_per_file: usize,
    /// Findings of one rule kept per run; the rest are counted in one last finding.
    #[serde(deserialize_with = "amount", alias = "maxFindingsPerRule")]
    pub max_findings_per_rule: usize,
    /// Nesting levels of a YAML/JSON document (aliases included).
    #[serde(deserialize_with = "amount", alias = "maxDepth")]
    pub max_depth: usize,
    /// Nodes that YAML alias expansion may create, per file.
    #[serde(deserialize_with = "amount", alias = "maxAliasNodes")]
    pub max_alias_nodes: usize,
    /// String bytes (keys and values) that YAML alias expansion may copy, per file: a long
    /// scalar aliased many times is a "billion laughs" too.
    #[serde(deserialize_with = "amount", alias = "maxAliasBytes")]
    pub max_alias_bytes: usize,
    /// Nodes kept as copies of anchored values for later aliases, per file. Nested anchors
    /// would otherwise copy the same nodes once per level.
    #[serde(deserialize_with = "amount", alias = "maxAnchorNodes")]
    pub max_anchor_nodes: usize,
    /// String bytes kept as copies of anchored values, per file.
    #[serde(deserialize_with = "amount", alias = "maxAnchorBytes")]
    pub max_anchor_bytes: usize,
    /// Kubernetes `$(VAR)` references expanded per Dragonfly CR.
    #[serde(deserialize_with = "amount", alias = "maxExpansionReferences")]
    pub max_expansion_references: usize,
    /// Entries of one network-policy list (peers, ports, CIDRs…) that are analysed.
    #[serde(deserialize_with = "amount", alias = "maxNetworkPolicyListEntries")]
    pub max_network_policy_list_entries: usize,
    /// Pairs of users with overlapping key (or channel) patterns reported per ACL text.
    #[serde(deserialize_with = "amount", alias = "maxAclOverlapPairs")]
    pub max_acl_overlap_pairs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 << 20,
            max_documents_per_file: 100_000,
            max_findings_per_rule: 10_000,
            max_depth: 256,
            max_alias_nodes: 200_000,
            max_alias_bytes: 32 << 20,
            max_anchor_nodes: 1_000_000,
            max_anchor_bytes: 32 << 20,
            max_expansion_references: 1_000,
            max_network_policy_list_entries: 10_000,
            max_acl_overlap_pairs: 200,
        }
    }
}

/// One of the limits, to name it in messages and settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    FileBytes,
    DocumentsPerFile,
    FindingsPerRule,
    Depth,
    AliasNodes,
    AliasBytes,
    AnchorNodes,
    AnchorBytes,
    ExpansionReferences,
    NetworkPolicyListEntries,
    AclOverlapPairs,
}

impl Limit {
    pub const ALL: [Limit; 11] = [
        Limit::FileBytes,
        Limit::DocumentsPerFile,
        Limit::FindingsPerRule,
        Limit::Depth,
        Limit::AliasNodes,
        Limit::AliasBytes,
        Limit::AnchorNodes,
        Limit::AnchorBytes,
        Limit::ExpansionReferences,
        Limit::NetworkPolicyListEntries,
        Limit::AclOverlapPairs,
    ];

    /// The setting's name in `dflint.toml`'s `[limits]` table (`max-depth`).
    pub fn file_key(self) -> &'static str {
        match self {
            Limit::FileBytes => "max-file-bytes",
            Limit::DocumentsPerFile => "max-documents-per-file",
            Limit::FindingsPerRule => "max-findings-per-rule",
            Limit::Depth => "max-depth",
            Limit::AliasNodes => "max-alias-nodes",
            Limit::AliasBytes => "max-alias-bytes",
            Limit::AnchorNodes => "max-anchor-nodes",
            Limit::AnchorBytes => "max-anchor-bytes",
            Limit::ExpansionReferences => "max-expansion-references",
            Limit::NetworkPolicyListEntries => "max-network-policy-list-entries",
            Limit::AclOverlapPairs => "max-acl-overlap-pairs",
        }
    }

    /// The setting's name: a key of the policy's `limits` object.
    pub fn key(self) -> &'static str {
        match self {
            Limit::FileBytes => "maxFileBytes",
            Limit::DocumentsPerFile => "maxDocumentsPerFile",
            Limit::FindingsPerRule => "maxFindingsPerRule",
            Limit::Depth => "maxDepth",
            Limit::AliasNodes => "maxAliasNodes",
            Limit::AliasBytes => "maxAliasBytes",
            Limit::AnchorNodes => "maxAnchorNodes",
            Limit::AnchorBytes => "maxAnchorBytes",
            Limit::ExpansionReferences => "maxExpansionReferences",
            Limit::NetworkPolicyListEntries => "maxNetworkPolicyListEntries",
            Limit::AclOverlapPairs => "maxAclOverlapPairs",
        }
    }

    /// The command-line flag that sets it, for the limits that have one. Messages name it,
    /// so the CLI defines its flags with these names (a CLI test checks they exist).
    pub fn flag(self) -> Option<&'static str> {
        match self {
            Limit::FileBytes => Some("--max-file-bytes"),
            Limit::DocumentsPerFile => Some("--max-documents-per-file"),
            Limit::FindingsPerRule => Some("--max-findings-per-rule"),
            Limit::Depth => Some("--max-depth"),
            _ => None,
        }
    }

    /// The largest value accepted. Beyond it a limit no longer protects anything: the input
    /// it lets through would exhaust memory (nodes, bytes) or the stack (depth: the tree is
    /// walked recursively when it is converted, compared and dropped).
    pub fn ceiling(self) -> u64 {
        match self {
            Limit::FileBytes => 1 << 30,
            Limit::DocumentsPerFile => 10_000_000,
            Limit::FindingsPerRule => 10_000_000,
            Limit::Depth => MAX_DEPTH_CEILING as u64,
            Limit::AliasNodes | Limit::AnchorNodes => 50_000_000,
            Limit::AliasBytes | Limit::AnchorBytes => 1 << 30,
            Limit::ExpansionReferences => 1_000_000,
            Limit::NetworkPolicyListEntries => 1_000_000,
            Limit::AclOverlapPairs => 1_000_000,
        }
    }

    /// How to change the limit, for the end of a message: "limit `maxDepth` = 256; raise
    /// it with `--max-depth` or the policy setting `limits.maxDepth`".
    pub fn hint(self, value: impl fmt::Display) -> String {
        let key = self.key();
        match self.flag() {
            Some(flag) => format!(
                "limit `{key}` = {value}; raise it with `{flag}` or the policy setting `limits.{key}`"
            ),
            None => format!(
                "limit `{key}` = {value}; raise it with the policy setting `limits.{key}`"
            ),
        }
    }
}

/// The deepest nesting [`Limits::max_depth`] may allow. YAML flow collections (`[…]`, `{…}`)
/// stop at 255 levels whatever the setting: the YAML parser counts them in a byte.
pub const MAX_DEPTH_CEILING: usize = 1_024;

impl Limits {
    /// The value of one limit.
    pub fn get(&self, limit: Limit) -> u64 {
        let value = match limit {
            Limit::FileBytes => return self.max_file_bytes,
            Limit::DocumentsPerFile => self.max_documents_per_file,
            Limit::FindingsPerRule => self.max_findings_per_rule,
            Limit::Depth => self.max_depth,
            Limit::AliasNodes => self.max_alias_nodes,
            Limit::AliasBytes => self.max_alias_bytes,
            Limit::AnchorNodes => self.max_anchor_nodes,
            Limit::AnchorBytes => self.max_anchor_bytes,
            Limit::ExpansionReferences => self.max_expansion_references,
            Limit::NetworkPolicyListEntries => self.max_network_policy_list_entries,
            Limit::AclOverlapPairs => self.max_acl_overlap_pairs,
        };
        value as u64
    }

    /// Sets one limit. A value that does not fit this platform's `usize` is saturated, which
    /// [`Limits::validate`] then refuses as beyond the ceiling.
    pub fn set(&mut self, limit: Limit, value: u64) {
        let count = usize::try_from(value).unwrap_or(usize::MAX);
        match limit {
            Limit::FileBytes => self.max_file_bytes = value,
            Limit::DocumentsPerFile => self.max_documents_per_file = count,
            Limit::FindingsPerRule => self.max_findings_per_rule = count,
            Limit::Depth => self.max_depth = count,
            Limit::AliasNodes => self.max_alias_nodes = count,
            Limit::AliasBytes => self.max_alias_bytes = count,
            Limit::AnchorNodes => self.max_anchor_nodes = count,
            Limit::AnchorBytes => self.max_anchor_bytes = count,
            Limit::ExpansionReferences => self.max_expansion_references = count,
            Limit::NetworkPolicyListEntries => self.max_network_policy_list_entries = count,
            Limit::AclOverlapPairs => self.max_acl_overlap_pairs = count,
        }
    }

    /// Refuses 0 (nothing could be read) and values beyond a limit's [`Limit::ceiling`];
    /// the first offending limit is returned.
    pub fn validate(&self) -> Result<(), InvalidLimit> {
        for limit in Limit::ALL {
            let value = self.get(limit);
            if value == 0 || value > limit.ceiling() {
                return Err(InvalidLimit { limit, value });
            }
        }
        Ok(())
    }
}

/// A limit set to a value [`Limits::validate`] refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidLimit {
    pub limit: Limit,
    pub value: u64,
}

/// Says what is wrong without naming the setting: front ends put their own name for it
/// first (settings `limits.maxDepth`, flag `--max-depth`).
impl fmt::Display for InvalidLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "must be between 1 and {}, not {}",
            self.limit.ceiling(),
            self.value
        )
    }
}

impl std::error::Error for InvalidLimit {}

/// Reads an amount as settings and flags write it: a plain number (`100000`, `100_000`), or
/// a number with a unit, decimal (`10k`, `10kB`, `10MB`, `1G`) or binary (`64Ki`, `64MiB`,
/// `1GiB`); units are not case-sensitive and may follow a space.
pub fn parse_amount(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits_end = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits_end);
    let number: String = number.chars().filter(|&c| c != '_').collect();
    if number.is_empty() {
        return Err(format!(
            "`{text}` is not an amount: write a whole number, optionally with a unit such as `64MiB` or `10MB`"
        ));
    }
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}` has an unknown unit `{}`: use k, M, G (powers of 1000) or Ki, Mi, Gi (powers of 1024), optionally followed by B",
                unit.trim()
            ))
        }
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Deserializes an amount written as a JSON number or as a string [`parse_amount`] reads
/// (forms such as Rancher's questions UI send every value as a string).
fn amount<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    struct Amount;

    impl Visitor<'_> for Amount {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number, or a string such as \"64MiB\"")
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<u64, E> {
            Ok(value)
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<u64, E> {
            u64::try_from(value).map_err(|_| E::invalid_value(de::Unexpected::Signed(value), &self))
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<u64, E> {
            parse_amount(value).map_err(E::custom)
        }
    }

    let value = deserializer.deserialize_any(Amount)?;
    T::try_from(value)
        .map_err(|_| de::Error::custom(format!("{value} is too large for this platform")))
}

/// The size of a source a front end did not read because it exceeds
/// [`Limits::max_file_bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnreadSize {
    /// The size is known (a file's metadata, or text handed over whole).
    Exactly(u64),
    /// Reading stopped once the input passed the limit (standard input has no size to ask
    /// for, and reading it all first is what the limit is there to prevent).
    OverLimit,
}

/// The DF003 message for a source larger than [`Limits::max_file_bytes`].
pub fn file_too_large_message(size: UnreadSize, max_file_bytes: u64) -> String {
    let size = match size {
        UnreadSize::Exactly(bytes) => format!("is {}, more than", bytes_text(bytes)),
        UnreadSize::OverLimit => "is larger than".to_string(),
    };
    format!(
        "this file {size} the {} a file may have; it is not linted ({})",
        bytes_text(max_file_bytes),
        Limit::FileBytes.hint(max_file_bytes)
    )
}

/// `67108864 bytes (64 MiB)`: exact, and readable.
fn bytes_text(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    match UNITS.iter().find(|(_, size)| bytes >= *size) {
        Some((unit, size)) if bytes % size == 0 => {
            format!("{bytes} bytes ({} {unit})", bytes / size)
        }
        Some((unit, size)) => {
            format!("{bytes} bytes ({:.1} {unit})", bytes as f64 / *size as f64)
        }
        None => format!("{bytes} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_plain_numbers_and_units() {
        for (text, value) in [
            ("0", 0),
            ("100000", 100_000),
            ("100_000", 100_000),
            ("64MiB", 64 << 20),
            ("64 mib", 64 << 20),
            ("64Mi", 64 << 20),
            ("10MB", 10_000_000),
            ("10k", 10_000),
            ("1GiB", 1 << 30),
            ("512B", 512),
        ] {
            assert_eq!(parse_amount(text), Ok(value), "{text}");
        }
        assert!(parse_amount("").unwrap_err().contains("not an amount"));
        assert!(parse_amount("-1").unwrap_err().contains("not an amount"));
        assert!(parse_amount("1.5MiB").unwrap_err().contains("unknown unit"));
        assert!(parse_amount("12 parsecs")
            .unwrap_err()
            .contains("unknown unit"));
        assert!(parse_amount("99999999999999999999")
            .unwrap_err()
            .contains("too large"));
        assert!(parse_amount("100000000000GiB")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn every_limit_round_trips_and_has_a_distinct_key() {
        let mut limits = Limits::default();
        for (n, limit) in Limit::ALL.into_iter().enumerate() {
            limits.set(limit, 7 + n as u64);
            assert_eq!(limits.get(limit), 7 + n as u64, "{limit:?}");
        }
        let keys: std::collections::BTreeSet<&str> = Limit::ALL.iter().map(|l| l.key()).collect();
        assert_eq!(keys.len(), Limit::ALL.len());
    }

    #[test]
    fn both_spellings_of_every_key_set_its_limit() {
        for (n, limit) in Limit::ALL.into_iter().enumerate() {
            let value = 3 + n as u64;
            assert_eq!(crate::config::camel_case(limit.file_key()), limit.key());
            for key in [limit.key(), limit.file_key()] {
                let limits: Limits =
                    serde_json::from_str(&format!(r#"{{"{key}": {value}}}"#)).unwrap();
                assert_eq!(limits.get(limit), value, "{key}");
            }
        }
    }

    #[test]
    fn the_defaults_are_valid_and_zero_and_absurd_values_are_not() {
        assert_eq!(Limits::default().validate(), Ok(()));
        for limit in Limit::ALL {
            let mut limits = Limits::default();
            limits.set(limit, limit.ceiling());
            assert_eq!(limits.validate(), Ok(()), "{limit:?} at its ceiling");
            for bad in [0, limit.ceiling() + 1] {
                limits.set(limit, bad);
                assert_eq!(limits.validate(), Err(InvalidLimit { limit, value: bad }));
            }
        }
        let error = InvalidLimit {
            limit: Limit::Depth,
            value: 0,
        };
        assert_eq!(error.to_string(), "must be between 1 and 1024, not 0");
    }

    #[test]
    fn hints_name_the_flag_when_there_is_one() {
        assert_eq!(
            Limit::Depth.hint(256),
            "limit `maxDepth` = 256; raise it with `--max-depth` or the policy setting `limits.maxDepth`"
        );
        assert_eq!(
            Limit::AliasNodes.hint(200_000),
            "limit `maxAliasNodes` = 200000; raise it with the policy setting `limits.maxAliasNodes`"
        );
    }

    #[test]
    fn file_sizes_read_exactly_and_roughly() {
        assert_eq!(bytes_text(100), "100 bytes");
        assert_eq!(bytes_text(64 << 20), "67108864 bytes (64 MiB)");
        assert_eq!(bytes_text(1536), "1536 bytes (1.5 KiB)");
        assert_eq!(
            file_too_large_message(UnreadSize::OverLimit, 10),
            "this file is larger than the 10 bytes a file may have; it is not linted (limit `maxFileBytes` = 10; raise it with `--max-file-bytes` or the policy setting `limits.maxFileBytes`)"
        );
        assert!(file_too_large_message(UnreadSize::Exactly(2048), 1024)
            .starts_with("this file is 2048 bytes (2 KiB), more than the 1024 bytes (1 KiB) a file may have;"));
    }
}
