use crate::acl::found::Origin;
use crate::bundle::Bundle;
use crate::diagnostic::Severity;
use crate::rules::{Emitter, Rule, RuleMeta};
use crate::source::Span;

pub struct AclInConfigMap;

static META: RuleMeta = RuleMeta {
    code: "DF220",
    name: "acl-in-configmap",
    severity: Severity::Error,
    summary: "ACL rules (with their passwords) are stored in a ConfigMap instead of a Secret.",
    docs: rule_docs!("acl_in_configmap.md"),
    scope: crate::rules::Scope::Object,
};

impl Rule for AclInConfigMap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, bundle: &Bundle<'_>, out: &mut Emitter<'_>) {
        for acl in &bundle.acls {
            let Origin::ConfigMap { resource, key } = &acl.origin else {
                continue;
            };
            out.report(
                &acl.target(Span::empty(0)),
                format!("{} key `{key}` holds ACL rules: a ConfigMap is readable by anyone who may read ConfigMaps, and the operator only mounts ACLs from a Secret (`aclFromSecret`)", resource.display_name()),
            )
            .with_help("move it into a Secret and reference it with `spec.aclFromSecret`");
        }
    }
}
