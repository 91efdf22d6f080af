//! Where `check` writes each rendering: `--format sarif --output results.sarif --format
//! concise` writes SARIF to a file and concise lines to standard output. An `--output`
//! belongs to the `--format` before it, as in ruff and kube-linter's CI recipes.

use std::path::PathBuf;

/// One rendering of the report and where it goes (`None`: standard output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination<F> {
    pub format: F,
    pub file: Option<PathBuf>,
}

/// Pairs formats with outputs by their positions on the command line. `formats` and
/// `outputs` carry clap's argument indices; `env_file` is `DFLINT_OUTPUT_FILE`, used when
/// one format is asked for and no `--output` is given.
pub fn plan<F: Copy>(
    formats: &[(usize, F)],
    outputs: &[(usize, PathBuf)],
    env_file: Option<PathBuf>,
) -> Result<Vec<Destination<F>>, String> {
    let mut destinations: Vec<Destination<F>> = formats
        .iter()
        .map(|&(_, format)| Destination { format, file: None })
        .collect();
    for (at, file) in outputs {
        let Some(owner) = formats.iter().rposition(|(index, _)| index < at) else {
            return Err(format!(
                "`--output {}` comes before any `--format`: give the format it is for first (`--format sarif --output {}`)",
                file.display(),
                file.display()
            ));
        };
        if let Some(earlier) = &destinations[owner].file {
            return Err(format!(
                "one `--format` has two outputs, `{}` and `{}`: give each output its own `--format`",
                earlier.display(),
                file.display()
            ));
        }
        destinations[owner].file = Some(file.clone());
    }
    if outputs.is_empty() && destinations.len() == 1 {
        destinations[0].file = env_file;
    }
    if destinations.iter().filter(|d| d.file.is_none()).count() > 1 {
        return Err(
            "more than one format would go to standard output: give all but one of them `--output FILE`"
                .into(),
        );
    }
    Ok(destinations)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> PathBuf {
        PathBuf::from(p)
    }

    #[test]
    fn an_output_belongs_to_the_format_before_it() {
        let planned = plan(
            &[(1, "sarif"), (5, "concise")],
            &[(3, path("results.sarif"))],
            None,
        )
        .unwrap();
        assert_eq!(
            planned,
            vec![
                Destination {
                    format: "sarif",
                    file: Some(path("results.sarif"))
                },
                Destination {
                    format: "concise",
                    file: None
                }
            ]
        );
    }

    #[test]
    fn mistakes_are_refused_with_what_to_do() {
        let before = plan(&[(3, "sarif")], &[(1, path("x"))], None).unwrap_err();
        assert!(before.contains("comes before any `--format`"), "{before}");
        let twice = plan(&[(1, "sarif")], &[(3, path("a")), (5, path("b"))], None).unwrap_err();
        assert!(twice.contains("two outputs"), "{twice}");
        let both = plan(&[(1, "json"), (3, "concise")], &[], None).unwrap_err();
        assert!(both.contains("standard output"), "{both}");
    }

    #[test]
    fn the_environment_names_the_file_of_a_single_format() {
        let planned = plan(&[(1, "json")], &[], Some(path("out.json"))).unwrap();
        assert_eq!(planned[0].file, Some(path("out.json")));
        // An explicit `--output` wins over the environment.
        let planned = plan(&[(1, "json")], &[(3, path("cli.json"))], Some(path("env"))).unwrap();
        assert_eq!(planned[0].file, Some(path("cli.json")));
    }
}
