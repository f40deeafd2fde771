//! BuildKit's `StageNameCasing`: a stage name after `AS` should be lower-case (BuildKit lower-cases
//! it anyway, so references in any case still resolve). Fix: lower-case the name.

use super::{Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "StageNameCasing",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "stage names should be lower-case",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for stage in &ctx.doc.model().stages {
        let Some(name) = &stage.name else { continue };
        if name.text == name.key {
            continue;
        }
        acc.push(
            Diagnostic::new(
                &RULE,
                name.span,
                format!("stage name `{}` should be lower-case", name.text),
            )
            .with_fix(
                format!("Change `{}` to `{}`", name.text, name.key),
                vec![(name.span, name.key.clone())],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn upper_case_stage_name() {
        check_diagnostics(
            r#"
FROM alpine:3.20 AS BuilderBase
FROM alpine:3.20 AS runtime
COPY --from=builderbase /a /a
"#,
            expect![[r#"
                FROM alpine:3.20 AS BuilderBase
                                    ^^^^^^^^^^^ warning[StageNameCasing]: stage name `BuilderBase` should be lower-case
                FROM alpine:3.20 AS runtime
                COPY --from=builderbase /a /a
            "#]],
        );
    }

    #[test]
    fn fix_lowercases() {
        check_fix(
            "FROM alpine:3.20 AS Build\nFROM build\n",
            "StageNameCasing",
            expect![[r#"
                FROM alpine:3.20 AS build
                FROM build
            "#]],
        );
    }
}
