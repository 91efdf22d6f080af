//! Dragonfly server flags: the flag table of the `dragonfly` binary, flags of the repository's
//! other binaries, "did you mean" suggestions, and value parsing that accepts and rejects
//! exactly what Dragonfly (Abseil flags + helio + Dragonfly's own flag types) does.
//!
//! The table is generated: `scripts/gen-flags.py` turns the upstream extraction of every
//! release's flags (v1.20.0 to v1.40.1) into `data/flags.tsv` / `data/releases.tsv` /
//! `data/aux_flags.tsv`, and `build.rs` compiles those into static arrays, so nothing is parsed
//! at run time. Each flag knows the releases that accept it; [`release_of_image`] says which
//! release an image runs. Command-line splitting (`--flag=value`, `--flag value`, `--noflag`)
//! lives in [`crate::args`].
//!
//! * [`table`] — the static tables and lookups.
//! * [`release`] — releases, and the release an image runs.
//! * [`value`] — value parsers per type, and the per-flag rules ([`parse_flag_value`]).
//! * [`cron`] — `snapshot_cron` validation (croncpp as Dragonfly calls it).
//! * [`suggest`] — closest real flag for a misspelt one.

mod cron;
pub mod release;
pub(crate) mod suggest;
mod table;
mod value;

pub use release::{
    image_tag, newest_release, oldest_release, release_of_image, releases, Basis, Guess,
    ImageRelease, Release, DEFAULT_IMAGE_TAG, OPERATOR_DEFAULT_RELEASE, OPERATOR_VERSION,
};
pub use suggest::{suggest, suggest_for};
pub use table::{all, lookup, other_binaries, other_binary};
pub use value::{parse_flag_value, type_description};

/// The newest Dragonfly release the flag table covers (the last of [`releases`]).
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

/// One flag of the `dragonfly` binary, in any release from v1.20.0 on. Type and default are
/// those of the newest release that has it (a flag whose type changed keeps only its newest
/// type: older differences are ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagSpec {
    /// Exact, case-sensitive name without dashes.
    pub name: &'static str,
    pub ty: FlagType,
    /// The exact declared type (of the newest release that has the flag).
    pub native: NativeType,
    /// The default as it would be written on the command line (`""` → empty, `1u << 15` →
    /// `32768`, `50_MB` → `52428800`, `strings::MemoryBytesFlag{}` → `0`).
    pub default: &'static str,
    /// dflint's own one-line description.
    pub description: &'static str,
    /// `ABSL_RETIRED_FLAG` (accepted on the command line and ignored) in the newest release
    /// that has the flag. Per release: [`FlagSpec::retired_in`].
    pub retired: bool,
    /// The first release that accepts it.
    pub since: Release,
    /// The last release that accepts it, when the newest one does not (it was removed).
    pub until: Option<Release>,
    /// The first release in which it is retired (accepted and ignored).
    pub retired_since: Option<Release>,
    /// The runs of consecutive releases that accept it (retired or not), oldest first. A flag
    /// can be missing in between: `experimental_io_loop_v2` is live in v1.36.0–v1.38.2, absent
    /// in v1.39.0 and retired from v1.40.0.
    pub releases: &'static [(Release, Release)],
    /// The runs of releases in which it is retired.
    pub retired_in: &'static [(Release, Release)],
}

/// Whether a flag exists in one release (see [`FlagSpec::availability`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// The release defines it and reads it.
    Live,
    /// The release accepts it and ignores it.
    Retired,
    /// Only later releases have it, from this one on.
    AddedIn(Release),
    /// Only earlier releases have it, up to this one.
    RemovedAfter(Release),
    /// Releases before and after have it, this one does not.
    Missing { last_before: Release, next: Release },
}

impl FlagSpec {
    /// Whether `release` (one of [`releases`]) accepts the flag, retired or not.
    pub fn in_release(&self, release: Release) -> bool {
        within(self.releases, release)
    }

    /// Whether `release` accepts the flag only to ignore it.
    pub fn retired_in(&self, release: Release) -> bool {
        within(self.retired_in, release)
    }

    /// What `release` does with the flag.
    pub fn availability(&self, release: Release) -> Availability {
        if self.retired_in(release) {
            return Availability::Retired;
        }
        if self.in_release(release) {
            return Availability::Live;
        }
        let before = self.releases.iter().rev().find(|(_, last)| *last < release);
        let after = self.releases.iter().find(|(first, _)| *first > release);
        match (before, after) {
            (Some(&(_, last_before)), Some(&(next, _))) => {
                Availability::Missing { last_before, next }
            }
            (Some(&(_, last)), None) => Availability::RemovedAfter(last),
            (None, Some(&(first, _))) => Availability::AddedIn(first),
            (None, None) => unreachable!("a flag of the table is in some release"),
        }
    }
}

/// Whether `release` falls in one of the runs. The runs are of consecutive releases of the
/// table, so for a release of the table a version comparison is exact.
fn within(runs: &[(Release, Release)], release: Release) -> bool {
    runs.iter()
        .any(|&(first, last)| first <= release && release <= last)
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
    fn availability_per_release() {
        let r = |t: &str| Release::parse(t).unwrap();
        let f = |n: &str| lookup(n).unwrap();
        // journal_slice.cc:20@v1.40.1 is `ABSL_FLAG(uint32_t, shard_repl_backlog_len, 8192, …)`:
        // live in every release (retired only on main after v1.40.1).
        let len = f("shard_repl_backlog_len");
        assert_eq!(len.availability(r("v1.40.1")), Availability::Live);
        assert_eq!(len.default, "8192");
        assert!(!len.retired && len.retired_since.is_none() && len.until.is_none());
        // No release defines `shard_repl_backlog_time_ms` (main after v1.40.1 does).
        assert!(lookup("shard_repl_backlog_time_ms").is_none());
        let io = f("experimental_io_loop_v2");
        assert_eq!(
            io.availability(r("v1.35.1")),
            Availability::AddedIn(r("v1.36.0"))
        );
        assert_eq!(io.availability(r("v1.38.2")), Availability::Live);
        assert_eq!(
            io.availability(r("v1.39.0")),
            Availability::Missing {
                last_before: r("v1.38.2"),
                next: r("v1.40.0")
            }
        );
        assert_eq!(io.availability(r("v1.40.0")), Availability::Retired);
        assert_eq!(io.retired_since, Some(r("v1.40.0")));
        let oom = f("oom_deny_ratio");
        assert_eq!(oom.availability(r("v1.25.0")), Availability::Live);
        assert_eq!(oom.availability(r("v1.26.0")), Availability::Retired);
        assert_eq!(
            oom.availability(r("v1.40.0")),
            Availability::RemovedAfter(r("v1.39.0"))
        );
        assert_eq!(oom.until, Some(r("v1.39.0")));
        assert!(oom.retired);
        // The mis-numbered v1.28.30 (main after v1.30.0) has flags that v1.29.0 lacks.
        let lsn = f("allow_partial_sync_with_lsn_diff");
        assert!(lsn.in_release(r("v1.28.30")) && !lsn.in_release(r("v1.29.0")));
        assert!(lsn.in_release(r("v1.30.0")));
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
