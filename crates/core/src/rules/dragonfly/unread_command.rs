use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::document::Node;
use crate::dragonfly::workload::{unread_containers, Images};
use crate::resource::resource_roots;
use crate::rules::{Emitter, Rule, RuleMeta, Target};

pub struct UnreadCommand;

static META: RuleMeta = RuleMeta {
    code: "DF017",
    name: "unread-command",
    severity: Severity::Info,
    summary: "A container runs the Dragonfly image with a command dflint cannot read (a shell script, another program): its server settings are not checked.",
    docs: rule_docs!("unread_command.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for UnreadCommand {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for doc in &bundle.loaded.documents {
            for service in crate::dragonfly::compose::unread_services(&doc.root) {
                let at = service
                    .get("entrypoint")
                    .or_else(|| service.get("command"))
                    .unwrap_or(service);
                out.report(
                    &Target::node(doc, at),
                    "this compose service runs the Dragonfly image with a command that is not the `dragonfly` server: its flags, password and memory settings are not checked",
                )
                .with_help("start the server directly (`command:` with flags only, or starting with `dragonfly`) so its settings can be checked; or ignore this finding if the service is not the server");
            }
            for root in resource_roots(&doc.root) {
                let images = Images(&bundle.config.dragonfly_images);
                for container in unread_containers(root, images) {
                    let at = container
                        .get("command")
                        .or_else(|| container.get("args"))
                        .unwrap_or(container);
                    let name = container.get("name").and_then(Node::as_str).unwrap_or("?");
                    out.report(
                        &Target::node(doc, at),
                        format!("container `{name}` runs the Dragonfly image with a command that is not the `dragonfly` server: its flags, password and memory settings are not checked"),
                    )
                    .with_help("start the server directly (`command: [dragonfly, …]`, or flags alone in `args`) so its settings can be checked; or ignore this finding if the container is not the server");
                }
            }
        }
    }
}
