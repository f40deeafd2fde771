//! A `COPY --from` or `RUN --mount=from=` naming a stage defined *later* in the file (off by
//! default). BuildKit builds it fine; the legacy builder (`DOCKER_BUILDKIT=0`) and some other
//! tools reject it ("cannot copy from stage ..., it needs to be defined before current stage").

use super::{line_number, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::{RefKind, RefTarget};

pub(super) static RULE: Rule = Rule {
    name: "ForwardStageReference",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "a reference to a stage defined later in the file",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    for r in &m.stage_refs {
        if r.kind == RefKind::Base {
            continue;
        }
        let RefTarget::Stage(t) = r.target else {
            continue;
        };
        if t <= r.stage {
            continue;
        }
        let target = &m.stages[t];
        acc.push(
            Diagnostic::new(
                &RULE,
                r.span,
                format!(
                    "stage `{}` is defined later, on line {}: the legacy builder requires stages to be defined before they are used",
                    target.label(),
                    line_number(doc, target.span.start)
                ),
            )
            .with_related(target.name.as_ref().map_or(target.base.span, |n| n.span), "defined here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn forward() {
        check_rule(
            &super::RULE,
            r#"
FROM alpine:3.20 AS app
COPY --from=build /out /out
COPY --from=2 /x /x
FROM golang:1.22 AS build
FROM alpine:3.20
COPY --from=app /a /a
"#,
            expect![[r#"
                FROM alpine:3.20 AS app
                COPY --from=build /out /out
                            ^^^^^ warning[ForwardStageReference]: stage `build` is defined later, on line 4: the legacy builder requires stages to be defined before they are used (related line 4: defined here)
                COPY --from=2 /x /x
                            ^ warning[ForwardStageReference]: stage `2` is defined later, on line 5: the legacy builder requires stages to be defined before they are used (related line 5: defined here)
                FROM golang:1.22 AS build
                FROM alpine:3.20
                COPY --from=app /a /a
            "#]],
        );
    }
}
