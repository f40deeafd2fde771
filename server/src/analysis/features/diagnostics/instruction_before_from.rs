//! Flags an instruction other than `ARG` before the first `FROM` (BuildKit: "no build stage in
//! current context"), and a file with instructions but no `FROM` at all.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "InstructionBeforeFrom",
    aliases: &["DL3061"],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "an instruction other than `ARG` before the first `FROM`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let instructions = &ctx.doc.syntax().instructions;
    for ins in instructions {
        match ins.kind {
            Keyword::From => return,
            Keyword::Arg => {}
            // An unknown keyword is already an error of its own.
            Keyword::Unknown => {}
            k => acc.push(Diagnostic::new(
                &RULE,
                ins.keyword.span,
                format!(
                    "`{}` before the first `FROM`: only `ARG` may come before it",
                    k.as_str()
                ),
            )),
        }
    }
    if let Some(first) = instructions.first() {
        acc.push(Diagnostic::new(
            &RULE,
            first.keyword.span,
            "no `FROM` instruction: the Dockerfile has no stage to build",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn instructions_before_from() {
        check_diagnostics(
            r#"
ARG BASE=alpine
ENV A=1
FROM $BASE
RUN true
"#,
            expect![[r#"
                ARG BASE=alpine
                ENV A=1
                ^^^ error[InstructionBeforeFrom]: `ENV` before the first `FROM`: only `ARG` may come before it
                FROM $BASE
                RUN true
            "#]],
        );
        check_diagnostics(
            "ARG A\n",
            expect![[r#"
                ARG A
                ^^^ error[InstructionBeforeFrom]: no `FROM` instruction: the Dockerfile has no stage to build
            "#]],
        );
    }

    #[test]
    fn args_then_from_is_fine() {
        check_diagnostics(
            "# comment\nARG A\nARG B\nFROM alpine\n",
            expect![[r#"
                # comment
                ARG A
                ARG B
                FROM alpine
            "#]],
        );
    }

    #[test]
    fn suppressed_by_hadolint_pragma_and_settings() {
        check_diagnostics(
            "# hadolint ignore=DL3061\nENV A=1\nFROM alpine\n",
            expect![[r#"
                # hadolint ignore=DL3061
                ENV A=1
                FROM alpine
            "#]],
        );
        check_diagnostics_config(
            "ENV A=1\nFROM alpine\n",
            &[("dl3061", "off")],
            expect![[r#"
                ENV A=1
                FROM alpine
            "#]],
        );
    }
}
