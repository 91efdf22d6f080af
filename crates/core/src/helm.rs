//! Helm chart templates: YAML with Go template actions (`{{ .Values.x }}`, `{{- include … }}`)
//! that is only YAML once rendered. Linting one as it stands reports its template syntax as
//! YAML errors and its `{{ … }}` strings as values; dflint instead says what it is and how to
//! lint it (`helm template … | dflint check -`).

/// Words a Go template action starts with in charts: fields and variables, the control
/// structures, and the functions charts call first in an action.
const ACTION_STARTS: &[&str] = &[
    ".", "$", "/*", "include", "template", "if", "else", "end", "range", "with", "define", "block",
    "toYaml", "tpl", "required", "default", "printf", "print", "quote", "lookup", "fail", "not",
    "and", "or", "eq", "ne", "len",
];

/// The byte offset of the first Go template action of a chart template in `text`: a `{{`
/// (or `{{-`) followed by one of the usual starts and closed by `}}` on the same line.
pub fn first_template_action(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("{{") {
        let at = from + found;
        let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
        let inside = &text[at + 2..line_end];
        let action = inside.strip_prefix('-').unwrap_or(inside).trim_start();
        let starts = ACTION_STARTS.iter().any(|word| {
            action.strip_prefix(word).is_some_and(|rest| {
                // `.`, `$` and `/*` may be followed by anything; words end at a blank,
                // a pipe or the end of the action.
                word.len() == 1 || *word == "/*" || rest.starts_with([' ', '\t', '|', '}', '('])
            })
        });
        if starts && inside.contains("}}") {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// The `# Source: <chart>/templates/<file>` comment `helm template` writes at the top of every
/// rendered document, for the document that holds byte `offset` of `text`: the comment's
/// span (without the line break) and the template path. `None` when the document has none.
pub fn rendered_from(text: &str, offset: usize) -> Option<(crate::source::Span, &str)> {
    const MARK: &str = "# Source: ";
    let offset = offset.min(text.len());
    let mut start = 0;
    let mut found = None;
    for line in text[..offset].split_inclusive('\n') {
        let end = start + line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content == "---" || content.starts_with("--- ") {
            // A new document: what came before it is another template's.
            found = None;
        } else if let Some(path) = content.strip_prefix(MARK) {
            if found.is_none() {
                let span = crate::source::Span {
                    start,
                    end: start + content.len(),
                };
                found = Some((span, path.trim()));
            }
        }
        start = end;
    }
    found.filter(|(_, path)| !path.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_map_to_the_template_their_document_came_from() {
        let text = "---\n# Source: dragonfly/templates/service.yaml\nkind: Service\n---\n# Source: dragonfly/templates/deployment.yaml\nkind: Deployment\nspec: {}\n";
        let at = text.find("spec").unwrap();
        let (span, path) = rendered_from(text, at).unwrap();
        assert_eq!(path, "dragonfly/templates/deployment.yaml");
        assert_eq!(
            &text[span.start..span.end],
            "# Source: dragonfly/templates/deployment.yaml"
        );
        let at = text.find("kind: Service").unwrap();
        assert_eq!(
            rendered_from(text, at).unwrap().1,
            "dragonfly/templates/service.yaml"
        );
        assert_eq!(rendered_from("kind: Service\n", 3), None);
        assert_eq!(rendered_from("# Source: a.yaml\n---\nkind: X\n", 20), None);
    }

    #[test]
    fn finds_chart_actions_and_not_other_braces() {
        assert_eq!(
            first_template_action("name: {{ .Release.Name }}\n"),
            Some(6)
        );
        assert_eq!(
            first_template_action("a: 1\n  {{- include \"x.labels\" . | nindent 4 }}\n"),
            Some(7)
        );
        assert_eq!(first_template_action("{{- if .Values.x }}\n"), Some(0));
        assert_eq!(first_template_action("x: {{}}\n"), None);
        assert_eq!(first_template_action("x: '{{ unclosed'\n"), None);
        assert_eq!(first_template_action("x: {{ includeFoo }}\n"), None);
        assert_eq!(first_template_action("x: {a: {b: 1}}\n"), None);
    }
}
