//! BuildKit's `ReservedStageName`: `scratch` and `context` are reserved and should not name a
//! stage (`FROM scratch` would still mean the empty image).

use super::{Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "ReservedStageName",
    aliases: &["DL3063"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a stage named `scratch` or `context`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for stage in &ctx.doc.model().stages {
        let Some(name) = &stage.name else { continue };
        if name.key == "scratch" || name.key == "context" {
            acc.push(Diagnostic::new(
                &RULE,
                name.span,
                format!("stage name should not be the reserved name `{}`", name.key),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn reserved() {
        check_diagnostics(
            r#"
FROM alpine:3.20 AS scratch
FROM alpine:3.20 AS context2
"#,
            expect![[r#"
                FROM alpine:3.20 AS scratch
                                    ^^^^^^^ warning[ReservedStageName]: stage name should not be the reserved name `scratch`
                FROM alpine:3.20 AS context2
            "#]],
        );
    }
}
