//! The input-limit flags (`--max-file-bytes`, `--max-depth`…): the one place where flags
//! change `dflint_core::limits::Limits`, on top of what `dflint.toml` sets.

use dflint_core::limits::{parse_amount, Limit, Limits};

/// The limits a command line may change; the rest keep their defaults (the admission
/// policy's `limits` setting changes them all). A flag not given leaves its limit alone, so a
/// configuration file can set it later.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LimitFlags {
    /// Files larger than this are not read: each gets one DF003 finding instead. A size:
    /// `64MiB`, `10MB`, `1048576` [default: 64MiB, at most 1GiB]
    #[arg(long, value_name = "SIZE", value_parser = limit_value(Limit::FileBytes))]
    max_file_bytes: Option<u64>,
    /// Documents of one file past this many are not linted; one DF003 points at the first
    /// of them [default: 100000]
    #[arg(long, value_name = "COUNT", value_parser = limit_value(Limit::DocumentsPerFile))]
    max_documents_per_file: Option<u64>,
    /// Past this many findings of one rule in a run, the rest are summed up in one last
    /// finding of that rule [default: 10000]
    #[arg(long, value_name = "COUNT", value_parser = limit_value(Limit::FindingsPerRule))]
    max_findings_per_rule: Option<u64>,
    /// Documents nesting deeper than this many levels are not linted; one DF003 points where
    /// they get too deep [default: 256, at most 1024]
    #[arg(long, value_name = "LEVELS", value_parser = limit_value(Limit::Depth))]
    max_depth: Option<u64>,
}

impl LimitFlags {
    /// Changes the limits given on the command line; returns the settings they set
    /// (`limits.max-depth`) and the flags' names.
    pub fn apply(&self, limits: &mut Limits) -> Vec<(String, &'static str)> {
        let mut set = Vec::new();
        for (limit, value) in [
            (Limit::FileBytes, self.max_file_bytes),
            (Limit::DocumentsPerFile, self.max_documents_per_file),
            (Limit::FindingsPerRule, self.max_findings_per_rule),
            (Limit::Depth, self.max_depth),
        ] {
            if let Some(value) = value {
                limits.set(limit, value);
                let flag = limit.flag().expect("these limits have flags");
                set.push((format!("limits.{}", limit.file_key()), flag));
            }
        }
        set
    }
}

/// Parses a flag's amount and refuses what [`Limits::validate`] would, so clap names the
/// flag in the error and the run never starts with an invalid limit.
fn limit_value(limit: Limit) -> impl Fn(&str) -> Result<u64, String> + Clone + Send + Sync {
    move |text| {
        let value = parse_amount(text)?;
        let mut limits = Limits::default();
        limits.set(limit, value);
        limits.validate().map_err(|invalid| invalid.to_string())?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        limits: LimitFlags,
    }

    fn parse(args: &[&str]) -> Result<Limits, String> {
        Probe::try_parse_from(std::iter::once("probe").chain(args.iter().copied()))
            .map(|probe| {
                let mut limits = Limits::default();
                probe.limits.apply(&mut limits);
                limits
            })
            .map_err(|e| e.to_string())
    }

    #[test]
    fn without_flags_the_limits_are_the_defaults() {
        assert_eq!(parse(&[]), Ok(Limits::default()));
    }

    #[test]
    fn flags_set_their_limit_and_read_sizes() {
        let limits = parse(&[
            "--max-file-bytes",
            "10MB",
            "--max-documents-per-file=5",
            "--max-findings-per-rule",
            "1k",
            "--max-depth",
            "512",
        ])
        .unwrap();
        assert_eq!(
            limits,
            Limits {
                max_file_bytes: 10_000_000,
                max_documents_per_file: 5,
                max_findings_per_rule: 1_000,
                max_depth: 512,
                ..Limits::default()
            }
        );
        assert_eq!(
            parse(&["--max-file-bytes", "64MiB"])
                .unwrap()
                .max_file_bytes,
            64 << 20
        );
    }

    #[test]
    fn invalid_values_are_refused_naming_the_flag() {
        let error = parse(&["--max-depth", "0"]).unwrap_err();
        assert!(error.contains("--max-depth"), "{error}");
        assert!(
            error.contains("must be between 1 and 1024, not 0"),
            "{error}"
        );
        let error = parse(&["--max-file-bytes", "2GiB"]).unwrap_err();
        assert!(error.contains("--max-file-bytes"), "{error}");
        assert!(error.contains("not 2147483648"), "{error}");
        let error = parse(&["--max-findings-per-rule", "many"]).unwrap_err();
        assert!(error.contains("`many` is not an amount"), "{error}");
    }

    /// The defaults (and ceilings) the help text states are the core's.
    #[test]
    fn the_help_states_the_core_defaults() {
        let command = Probe::command();
        let defaults = Limits::default();
        let stated = [
            (
                "max-file-bytes",
                format!(
                    "[default: {}MiB, at most {}GiB]",
                    defaults.max_file_bytes >> 20,
                    Limit::FileBytes.ceiling() >> 30
                ),
            ),
            (
                "max-documents-per-file",
                format!("[default: {}]", defaults.max_documents_per_file),
            ),
            (
                "max-findings-per-rule",
                format!("[default: {}]", defaults.max_findings_per_rule),
            ),
            (
                "max-depth",
                format!(
                    "[default: {}, at most {}]",
                    defaults.max_depth,
                    Limit::Depth.ceiling()
                ),
            ),
        ];
        for (long, text) in stated {
            let arg = command
                .get_arguments()
                .find(|arg| arg.get_long() == Some(long))
                .unwrap_or_else(|| panic!("no --{long}"));
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(help.contains(&text), "--{long}: {help:?} lacks {text:?}");
        }
    }

    /// Core messages tell users to raise a limit with a flag: every such flag exists here.
    #[test]
    fn every_flag_core_messages_name_exists() {
        let command = Probe::command();
        for limit in Limit::ALL {
            if let Some(flag) = limit.flag() {
                let long = flag.trim_start_matches("--");
                assert!(
                    command
                        .get_arguments()
                        .any(|arg| arg.get_long() == Some(long)),
                    "{flag} is named in messages but is no flag"
                );
            }
        }
    }
}
