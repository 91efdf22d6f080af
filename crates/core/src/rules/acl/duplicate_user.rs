use crate::acl::commands::Dialect;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};

pub struct DuplicateUser;

static META: RuleMeta = RuleMeta {
    code: "DF222",
    name: "acl-duplicate-user",
    severity: Severity::Warning,
    summary: "A user is defined on several lines; Dragonfly merges them, keeping old passwords and key patterns but only the last line's commands.",
    docs: rule_docs!("duplicate_user.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for DuplicateUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            // Redis refuses the file instead ("Duplicate user"), which DF201 reports.
            if acl.file.dialect != Dialect::Dragonfly {
                continue;
            }
            for user in acl.users.iter().filter(|u| u.lines.len() > 1) {
                let first = user.lines[0] as usize;
                let last = *user.lines.last().expect("several lines") as usize;
                let line_of = |index: usize| {
                    let line = &acl.file.users[index];
                    acl.target(line.tokens[line.name_token].span)
                };
                // What the earlier lines leave in force that the last line does not say.
                let earlier_passwords = user
                    .passwords
                    .iter()
                    .filter(|p| p.token.line as usize != last)
                    .count();
                let earlier_keys = user
                    .root
                    .keys
                    .iter()
                    .filter(|k| k.token.line as usize != last)
                    .count();
                let mut kept = Vec::new();
                if earlier_passwords > 0 {
                    kept.push(format!(
                        "{earlier_passwords} password{} from earlier lines",
                        if earlier_passwords == 1 { "" } else { "s" }
                    ));
                }
                if user.root.all_keys.is_some_and(|t| t.line as usize != last) {
                    kept.push("every key (`~*`/`allkeys`) from an earlier line".to_string());
                } else if earlier_keys > 0 {
                    kept.push(format!(
                        "{earlier_keys} key pattern{} from earlier lines",
                        if earlier_keys == 1 { "" } else { "s" }
                    ));
                }
                let kept = if kept.is_empty() {
                    String::new()
                } else {
                    format!("; still in force: {}", kept.join(", "))
                };
                let related = user.lines[..user.lines.len() - 1]
                    .iter()
                    .map(|&l| out.related(&line_of(l as usize), "an earlier line for this user"))
                    .collect::<Vec<_>>();
                out.report(
                    &line_of(last),
                    format!(
                        "user `{}` is defined on {} lines (first at line {}): Dragonfly applies them in turn, each starting again from `-@all`, so only this line's commands count, while passwords and key and channel patterns of every line add up{kept}",
                        user.name,
                        user.lines.len(),
                        line_number(&acl.text.text, acl.file.users[first].span.start)
                    ),
                )
                .with_related_all(related)
                .with_help("write each user on one line; merge the rules you mean to keep and drop the rest");
            }
        }
    }
}

/// 1-based line number of a byte offset in the ACL text.
fn line_number(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
