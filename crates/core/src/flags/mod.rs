//! Dragonfly server flags: the flag table of the `dragonfly` binary, flags of the repository's
//! other binaries, "did you mean" suggestions, and value parsing that accepts and rejects
//! exactly what Dragonfly (Abseil flags + helio + Dragonfly's own flag types) does.
//!
//! The table is generated: `scripts/gen-flags.py` turns the upstream flag extraction into
//! `data/flags.tsv` / `data/aux_flags.tsv`, and `build.rs` compiles those into static arrays, so
//! nothing is parsed at run time. Command-line splitting (`--flag=value`, `--flag value`,
//! `--noflag`) lives in [`crate::args`].
//!
//! * [`table`] — the static tables and lookups.
//! * [`value`] — value parsers per type, and the per-flag rules ([`parse_flag_value`]).
//! * [`cron`] — `snapshot_cron` validation (croncpp as Dragonfly calls it).
//! * [`suggest`] — closest real flag for a misspelt one.

mod cron;
pub(crate) mod suggest;
mod table;
mod value;

pub use suggest::suggest;
pub use table::{all, lookup, other_binaries, other_binary};
pub use value::{parse_flag_value, type_description};

/// The Dragonfly release the flag table was taken from.
pub const DRAGONFLY_VERSION: &str = "v1.40.1";

/// Coarse value category of a flag. [`FlagSpec::native`] has the exact C++ type; parsing with a
/// coarse type uses the widest matching range (`Int`: 64-bit signed, `UInt`: 64-bit unsigned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlagType {
    Bool,
    /// Signed integer.
    Int,
    /// Unsigned integer (negative values are rejected).
    UInt,
    /// `float` or `double`.
    Float,
    /// Any text.
    String,
    /// Comma-separated list (`std::vector<std::string>`).
    StringList,
    /// helio `strings::MemoryBytesFlag`: a byte count, optionally human-readable (`512mb`).
    MemoryBytes,
    /// Dragonfly `CronExprFlag` (`snapshot_cron`).
    Cron,
    /// A Dragonfly-specific type: `ReplicaOfFlag`, `dfly::CompressionMode`, `LuaGcFlag`.
    /// [`FlagType::parse`] accepts any text for it; [`NativeType::parse`] is exact.
    Other,
}

/// The exact C++ type a flag is declared with (project names in parentheses, as used in
/// `data/flags.tsv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NativeType {
    /// `bool` (bool)
    Bool,
    /// `int`, `int32_t` (int32)
    Int32,
    /// `uint16_t` (uint16)
    UInt16,
    /// `uint32_t`, `unsigned` (uint32)
    UInt32,
    /// `uint64_t`, `size_t` (uint64)
    UInt64,
    /// `AtLeast64` = `base::ConstrainedNumericFlagValue<size_t, 64>` (uint64-min-64)
    UInt64AtLeast64,
    /// `float` (float)
    Float,
    /// `double` (double)
    Double,
    /// `std::string` (string)
    String,
    /// `std::vector<std::string>` (string-list)
    StringList,
    /// `strings::MemoryBytesFlag` (memory-bytes)
    MemoryBytes,
    /// `CronExprFlag` (cron)
    Cron,
    /// `ReplicaOfFlag` (replicaof)
    ReplicaOf,
    /// `dfly::CompressionMode` (compression-mode)
    CompressionMode,
    /// `LuaGcFlag` (lua-gc)
    LuaGc,
}

impl NativeType {
    /// The project's type name, as written in `data/flags.tsv`.
    pub fn name(self) -> &'static str {
        match self {
            NativeType::Bool => "bool",
            NativeType::Int32 => "int32",
            NativeType::UInt16 => "uint16",
            NativeType::UInt32 => "uint32",
            NativeType::UInt64 => "uint64",
            NativeType::UInt64AtLeast64 => "uint64-min-64",
            NativeType::Float => "float",
            NativeType::Double => "double",
            NativeType::String => "string",
            NativeType::StringList => "string-list",
            NativeType::MemoryBytes => "memory-bytes",
            NativeType::Cron => "cron",
            NativeType::ReplicaOf => "replicaof",
            NativeType::CompressionMode => "compression-mode",
            NativeType::LuaGc => "lua-gc",
        }
    }

    /// The coarse category.
    pub fn flag_type(self) -> FlagType {
        match self {
            NativeType::Bool => FlagType::Bool,
            NativeType::Int32 => FlagType::Int,
            NativeType::UInt16
            | NativeType::UInt32
            | NativeType::UInt64
            | NativeType::UInt64AtLeast64 => FlagType::UInt,
            NativeType::Float | NativeType::Double => FlagType::Float,
            NativeType::String => FlagType::String,
            NativeType::StringList => FlagType::StringList,
            NativeType::MemoryBytes => FlagType::MemoryBytes,
            NativeType::Cron => FlagType::Cron,
            NativeType::ReplicaOf | NativeType::CompressionMode | NativeType::LuaGc => {
                FlagType::Other
            }
        }
    }
}

/// One flag of the `dragonfly` binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagSpec {
    /// Exact, case-sensitive name without dashes.
    pub name: &'static str,
    pub ty: FlagType,
    /// The exact declared type.
    pub native: NativeType,
    /// The default as it would be written on the command line (`""` → empty, `1u << 15` →
    /// `32768`, `50_MB` → `52428800`, `strings::MemoryBytesFlag{}` → `0`).
    pub default: &'static str,
    /// dflint's own one-line description.
    pub description: &'static str,
    /// `ABSL_RETIRED_FLAG`: accepted on the command line and ignored.
    pub retired: bool,
}

/// A parsed flag value.
#[derive(Clone, Debug, PartialEq)]
pub enum FlagValue {
    Bool(bool),
    /// Every integer type (signed or not).
    Int(i128),
    Float(f64),
    /// A [`FlagType::MemoryBytes`] value in bytes.
    Bytes(u64),
    /// Strings, cron expressions, `host:port`, enumerations: the value as given.
    Text(String),
    List(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_and_coarse_types_agree() {
        for f in all() {
            assert_eq!(f.native.flag_type(), f.ty, "{}", f.name);
        }
    }

    #[test]
    fn every_default_parses_as_its_own_flag() {
        for f in all() {
            assert!(
                parse_flag_value(f, f.default).is_ok(),
                "default of {} does not parse: {:?}",
                f.name,
                parse_flag_value(f, f.default)
            );
        }
    }

    #[test]
    fn descriptions_are_short_and_present() {
        for f in all() {
            assert!(
                !f.description.is_empty() && f.description.len() <= 100,
                "{}",
                f.name
            );
        }
    }
}
