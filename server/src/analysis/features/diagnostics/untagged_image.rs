//! hadolint's DL3006 (off by default): a `FROM` image without an explicit tag or digest pulls
//! `latest`, which changes under you. Exempt: `scratch`, earlier stages, images with variables.

use super::image_tag::tag_of;
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::RefTarget;

pub(super) static RULE: Rule = Rule {
    name: "UntaggedImage",
    aliases: &["DL3006"],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "a `FROM` image without a tag or digest",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let m = ctx.doc.model();
    for stage in &m.stages {
        let base = &stage.base.text;
        if base.is_empty() || base.contains('$') || base.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let is_stage = stage
            .base_ref
            .is_some_and(|r| matches!(m.stage_refs[r].target, RefTarget::Stage(_)));
        if is_stage {
            continue;
        }
        let (tag, digest) = tag_of(base);
        if tag.is_none() && !digest {
            acc.push(Diagnostic::new(
                &RULE,
                stage.base.span,
                format!("tag the image explicitly (`{base}:<version>`): without a tag it pulls `latest`"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn untagged() {
        check_rule(
            &super::RULE,
            r#"
FROM ubuntu AS a
FROM ubuntu:24.04 AS b
FROM a
FROM scratch
FROM ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
FROM localhost:5000/img
FROM $BASE
"#,
            expect![[r#"
                FROM ubuntu AS a
                     ^^^^^^ warning[UntaggedImage]: tag the image explicitly (`ubuntu:<version>`): without a tag it pulls `latest`
                FROM ubuntu:24.04 AS b
                FROM a
                FROM scratch
                FROM ghcr.io/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                FROM localhost:5000/img
                     ^^^^^^^^^^^^^^^^^^ warning[UntaggedImage]: tag the image explicitly (`localhost:5000/img:<version>`): without a tag it pulls `latest`
                FROM $BASE
            "#]],
        );
    }
}
