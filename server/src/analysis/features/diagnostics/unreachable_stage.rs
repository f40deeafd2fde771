//! Flags stages that BuildKit never builds for the build target: neither the target nor
//! anything it is built from (`allReachableStages` in `dockerfile2llb`). Hint severity with the
//! `Unnecessary` tag, so editors fade the stage rather than underline it.
//!
//! The target is the `# dockerfile-ls: target=NAME` comment, else `Ctx::config.target` (the
//! `target` setting), else the last stage.

use super::{Ctx, Diagnostic, Rule, Severity, Tag};
use crate::analysis::graph::built_stages_for;

pub(super) static RULE: Rule = Rule {
    name: "UnreachableStage",
    aliases: &[],
    severity: Severity::Hint,
    enabled_by_default: true,
    summary: "a stage that is not built for the build target",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let m = ctx.doc.model();
    if m.stages.len() < 2 {
        return;
    }
    let Some((target, built)) =
        built_stages_for(ctx.doc, ctx.target_comment(), ctx.config.target.as_deref())
    else {
        return;
    };
    let label = |s: usize| match &m.stages[s].name {
        Some(n) => n.text.clone(),
        None => format!("stage {s}"),
    };
    let target = label(target);
    for s in &m.stages {
        if built[s.index] {
            continue;
        }
        let message = format!(
            "stage `{}` is not built for target `{target}`",
            label(s.index)
        );
        acc.push(Diagnostic::new(&RULE, s.span, message).with_tag(Tag::Unnecessary));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule_diagnostics;
    use super::super::{diagnostics_with, DiagnosticsConfig};
    use crate::analysis::Document;
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expect: Expect) {
        check_rule_diagnostics(&["UnreachableStage", "CircularDependency"], fixture, expect);
    }

    #[test]
    fn stages_not_needed_by_the_last_stage() {
        check(
            r#"
FROM golang AS build
FROM alpine AS docs
RUN true
FROM build AS test
FROM scratch
COPY --from=build /a /a
"#,
            expect![[r#"
                FROM golang AS build
                FROM alpine AS docs
                ^^^^^^^^^^^^^^^^^^^ hint[UnreachableStage]: stage `docs` is not built for target `stage 3`
                RUN true
                FROM build AS test
                ^^^^^^^^^^^^^^^^^^ hint[UnreachableStage]: stage `test` is not built for target `stage 3`
                FROM scratch
                COPY --from=build /a /a
            "#]],
        );
    }

    #[test]
    fn the_comment_chooses_the_target() {
        check(
            r#"
# dockerfile-ls: target=test
FROM golang AS build
FROM build AS test
FROM scratch AS final
"#,
            expect![[r#"
                # dockerfile-ls: target=test
                FROM golang AS build
                FROM build AS test
                FROM scratch AS final
                ^^^^^^^^^^^^^^^^^^^^^ hint[UnreachableStage]: stage `final` is not built for target `test`
            "#]],
        );
    }

    #[test]
    fn the_setting_chooses_the_target_and_the_comment_wins() {
        let text = "FROM golang AS build\nFROM build AS test\nFROM scratch AS final\n";
        let config = DiagnosticsConfig {
            target: Some("BUILD".to_string()),
            ..DiagnosticsConfig::default()
        };
        let doc = Document::new(text, 0);
        let messages: Vec<String> = diagnostics_with(&doc, &config)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(
            messages,
            [
                "stage `test` is not built for target `build`",
                "stage `final` is not built for target `build`"
            ]
        );
        let doc = Document::new(&format!("# dockerfile-ls: target=test\n{text}"), 0);
        let messages: Vec<String> = diagnostics_with(&doc, &config)
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert_eq!(messages, ["stage `final` is not built for target `test`"]);
    }

    #[test]
    fn a_cycle_does_not_hang_and_a_single_stage_is_quiet() {
        check(
            r#"
FROM alpine AS a
COPY --from=b /x /x
FROM alpine AS b
COPY --from=a /x /x
FROM alpine AS c
COPY --from=a /x /x
"#,
            expect![[r#"
                FROM alpine AS a
                COPY --from=b /x /x
                            ^ error[CircularDependency]: circular dependency between stages `a`, `b` (related line 4: `b` depends on `a`)
                FROM alpine AS b
                COPY --from=a /x /x
                            ^ error[CircularDependency]: circular dependency between stages `a`, `b` (related line 2: `a` depends on `b`)
                FROM alpine AS c
                COPY --from=a /x /x
            "#]],
        );
        check("FROM alpine\n", expect!["FROM alpine\n"]);
    }
}
