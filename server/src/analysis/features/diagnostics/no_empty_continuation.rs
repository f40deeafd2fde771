//! BuildKit's `NoEmptyContinuation`: an empty line inside a `\` continuation (a future error;
//! comment lines do not count). Fix: delete the empty line.

use super::support::whole_line;
use super::{Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "NoEmptyContinuation",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an empty line inside a continued instruction",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    for ins in &doc.syntax().instructions {
        for &line in &ins.empty_continuation_lines {
            acc.push(
                Diagnostic::new(
                    &RULE,
                    line,
                    "empty continuation line: BuildKit will reject it in a future release",
                )
                .with_fix(
                    "Remove the empty line",
                    vec![(whole_line(doc, line.start), String::new())],
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn empty_line_in_continuation() {
        check_diagnostics(
            "FROM alpine:3.20\nRUN apk add \\\n\n    curl\nRUN apk add \\\n# comment\n    git\n",
            expect![[r#"
                FROM alpine:3.20
                RUN apk add \

                ^ warning[NoEmptyContinuation]: empty continuation line: BuildKit will reject it in a future release
                    curl
                RUN apk add \
                # comment
                    git
            "#]],
        );
    }

    #[test]
    fn fix_removes_line() {
        check_fix(
            "FROM alpine:3.20\nRUN apk add \\\n  \n    curl\n",
            "NoEmptyContinuation",
            expect![[r#"
                FROM alpine:3.20
                RUN apk add \
                    curl
            "#]],
        );
    }
}
