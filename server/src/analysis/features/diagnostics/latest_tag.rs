//! hadolint's DL3007 (off by default): `FROM image:latest` without a digest is not reproducible.

use super::image_tag::tag_of;
use super::{Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "LatestTag",
    aliases: &["DL3007"],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "a `FROM` image tagged `latest`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for stage in &ctx.doc.model().stages {
        let base = &stage.base.text;
        if let (Some("latest"), false) = tag_of(base) {
            acc.push(Diagnostic::new(
                &RULE,
                stage.base.span,
                format!("`{base}` changes whenever a new version is pushed: pin a version tag"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn latest() {
        check_rule(
            &super::RULE,
            r#"
FROM ubuntu:latest AS a
FROM ubuntu:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
FROM ubuntu:24.04
"#,
            expect![[r#"
                FROM ubuntu:latest AS a
                     ^^^^^^^^^^^^^ warning[LatestTag]: `ubuntu:latest` changes whenever a new version is pushed: pin a version tag
                FROM ubuntu:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                FROM ubuntu:24.04
            "#]],
        );
    }
}
