//! BuildKit's `InvalidDefaultArgInFrom`: with only the global `ARG` defaults (no `--build-arg`),
//! a `FROM` image that uses variables expands to an empty or invalid image reference
//! (`ARG TAG` then `FROM alpine:${TAG}` gives `alpine:`). Bases without variables are left to
//! the reference checks.

use std::collections::HashMap;

use super::support::is_valid_image_reference;
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::VarKind;
use crate::analysis::syntax::expand;

pub(super) static RULE: Rule = Rule {
    name: "InvalidDefaultArgInFrom",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a `FROM` image that is empty or invalid with the default ARG values",
    check,
};

/// Values BuildKit gives the automatic platform ARGs on a typical builder.
const PLATFORM_VALUES: &[(&str, &str)] = &[
    ("TARGETPLATFORM", "linux/amd64"),
    ("TARGETOS", "linux"),
    ("TARGETARCH", "amd64"),
    ("TARGETVARIANT", ""),
    ("BUILDPLATFORM", "linux/amd64"),
    ("BUILDOS", "linux"),
    ("BUILDARCH", "amd64"),
    ("BUILDVARIANT", ""),
];

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let escape = doc.syntax().escape;
    // Global ARG defaults in order, each expanded with the ones before it (unset = empty).
    let mut values: HashMap<String, String> = PLATFORM_VALUES
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for v in m.vars.iter().filter(|v| v.kind == VarKind::GlobalArg) {
        let value = match &v.value {
            Some(w) => match expand::expand(w, escape, &|n| {
                Some(values.get(n).cloned().unwrap_or_default())
            }) {
                Some(s) => s,
                None => return, // BuildKit abandons the check when a default fails to expand.
            },
            None => String::new(),
        };
        values.insert(v.name.clone(), value);
    }
    for stage in &m.stages {
        if !stage.base.text.contains('$') {
            continue;
        }
        let Some(result) = expand::expand(&stage.base, escape, &|n| {
            Some(values.get(n).cloned().unwrap_or_default())
        }) else {
            continue;
        };
        if is_valid_image_reference(&result) {
            continue;
        }
        let shown = if result.is_empty() {
            "an empty name".to_string()
        } else {
            format!("`{result}`")
        };
        acc.push(Diagnostic::new(
            &RULE,
            stage.base.span,
            format!(
                "with the default ARG values, `{}` expands to {shown}, which is no valid image reference",
                stage.base.text
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn empty_default() {
        check_diagnostics(
            r#"
ARG TAG
ARG IMAGE
ARG OK=3.20
FROM busybox:${TAG} AS a
FROM ${IMAGE} AS b
FROM alpine:${OK} AS c
FROM alpine${TAG:+:$TAG} AS d
"#,
            expect![[r#"
                ARG TAG
                ARG IMAGE
                ARG OK=3.20
                FROM busybox:${TAG} AS a
                     ^^^^^^^^^^^^^^ warning[InvalidDefaultArgInFrom]: with the default ARG values, `busybox:${TAG}` expands to `busybox:`, which is no valid image reference
                FROM ${IMAGE} AS b
                     ^^^^^^^^ warning[InvalidDefaultArgInFrom]: with the default ARG values, `${IMAGE}` expands to an empty name, which is no valid image reference
                FROM alpine:${OK} AS c
                FROM alpine${TAG:+:$TAG} AS d
            "#]],
        );
    }
}
