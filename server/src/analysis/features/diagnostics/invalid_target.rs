//! Flags a `# dockerfile-ls: target=NAME` comment that names no stage (BuildKit: "target stage
//! could not be found"), names nothing, or repeats an earlier one. The graph then falls back
//! to BuildKit's default target, the last stage.

use super::{line_number, Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "InvalidTarget",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a `# dockerfile-ls: target=` comment that names no stage",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let Some(c) = ctx.target_comment() else {
        return;
    };
    let m = doc.model();
    for &dup in &c.duplicates {
        acc.push(Diagnostic::new(
            &RULE,
            dup,
            format!(
                "the build target is already chosen on line {}; this comment is ignored",
                line_number(doc, c.span.start)
            ),
        ));
    }
    if m.stages.is_empty() {
        return;
    }
    if c.name.is_empty() {
        acc.push(Diagnostic::new(
            &RULE,
            c.span,
            "the target comment names no stage; the last stage is built",
        ));
        return;
    }
    if m.stage_by_name(&c.name).is_some() {
        return;
    }
    let lower = c.name.to_ascii_lowercase();
    let suggestion = m
        .stages
        .iter()
        .filter_map(|s| s.name.as_ref())
        .map(|n| (strsim::osa_distance(&lower, &n.key), n))
        .filter(|(d, n)| *d <= 2 && *d < n.key.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| format!("; did you mean `{}`?", n.key));
    let message = match suggestion {
        Some(s) => format!("target stage `{}` could not be found{s}", c.name),
        None => format!(
            "target stage `{}` could not be found; the last stage is built",
            c.name
        ),
    };
    acc.push(Diagnostic::new(&RULE, c.span, message));
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule_diagnostics;
    use expect_test::{expect, Expect};

    fn check_diagnostics(fixture: &str, expect: Expect) {
        check_rule_diagnostics(&["InvalidTarget", "UnreachableStage"], fixture, expect);
    }

    #[test]
    fn unknown_empty_and_duplicate_targets() {
        check_diagnostics(
            r#"
# dockerfile-ls: target=fnal
FROM alpine AS build
# dockerfile-ls: target=build
FROM build AS final
"#,
            expect![[r#"
                # dockerfile-ls: target=fnal
                                        ^^^^ warning[InvalidTarget]: target stage `fnal` could not be found; did you mean `final`?
                FROM alpine AS build
                # dockerfile-ls: target=build
                                        ^^^^^ warning[InvalidTarget]: the build target is already chosen on line 1; this comment is ignored
                FROM build AS final
            "#]],
        );
        check_diagnostics(
            r#"
FROM alpine AS build
#dockerfile-ls:   target=
FROM build AS final
"#,
            expect![[r#"
                FROM alpine AS build
                #dockerfile-ls:   target=
                                         ^ warning[InvalidTarget]: the target comment names no stage; the last stage is built
                FROM build AS final
            "#]],
        );
    }

    #[test]
    fn a_known_target_and_comments_inside_instructions_are_fine() {
        check_diagnostics(
            r#"
FROM alpine AS build
RUN echo \
# dockerfile-ls: target=nothing
  done
FROM build AS final
# dockerfile-ls: target=BUILD
"#,
            expect![[r#"
                FROM alpine AS build
                RUN echo \
                # dockerfile-ls: target=nothing
                  done
                FROM build AS final
                ^^^^^^^^^^^^^^^^^^^ hint[UnreachableStage]: stage `final` is not built for target `build`
                # dockerfile-ls: target=BUILD
            "#]],
        );
    }
}
