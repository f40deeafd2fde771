//! BuildKit's `ConsistentInstructionCasing`: every instruction keyword should be all upper- or
//! all lower-case, following the majority of the file (a tie counts as upper-case). As in
//! BuildKit, instructions before the first `FROM` and `ONBUILD` triggers are not counted. Fix:
//! rewrite the keyword in the majority case.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "ConsistentInstructionCasing",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "instruction keywords should all have the same case",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    let in_stage = |i: usize| m.instr_stage.get(i).copied().flatten().is_some();
    let (mut lower, mut upper) = (0usize, 0usize);
    for (i, ins) in instrs.iter().enumerate() {
        if !in_stage(i) || ins.kind == Keyword::Unknown {
            continue;
        }
        let k = ins.keyword.text.as_bytes();
        if !k.iter().any(u8::is_ascii_uppercase) {
            lower += 1;
        } else if !k.iter().any(u8::is_ascii_lowercase) {
            upper += 1;
        }
    }
    let majority_lower = lower > upper;
    for (i, ins) in instrs.iter().enumerate() {
        if !in_stage(i) || ins.kind == Keyword::Unknown {
            continue;
        }
        let k = &ins.keyword.text;
        let matches = if majority_lower {
            !k.bytes().any(|b| b.is_ascii_uppercase())
        } else {
            !k.bytes().any(|b| b.is_ascii_lowercase())
        };
        if matches {
            continue;
        }
        let (want, case) = if majority_lower {
            (k.to_ascii_lowercase(), "lower-case")
        } else {
            (k.to_ascii_uppercase(), "upper-case")
        };
        acc.push(
            Diagnostic::new(
                &RULE,
                ins.keyword.span,
                format!("instruction `{k}` should match the case of the majority ({case})"),
            )
            .with_fix(
                format!("Change `{k}` to `{want}`"),
                vec![(ins.keyword.span, want.to_string())],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn mixed_and_minority() {
        check_diagnostics(
            r#"
FROM alpine:3.20
Run echo hi
run echo lo
COPY a /a
"#,
            expect![[r#"
                FROM alpine:3.20
                Run echo hi
                ^^^ warning[ConsistentInstructionCasing]: instruction `Run` should match the case of the majority (upper-case)
                run echo lo
                ^^^ warning[ConsistentInstructionCasing]: instruction `run` should match the case of the majority (upper-case)
                COPY a /a
            "#]],
        );
    }

    #[test]
    fn lower_majority() {
        check_diagnostics(
            r#"
from alpine:3.20
run echo hi
COPY a /a
"#,
            expect![[r#"
                from alpine:3.20
                run echo hi
                COPY a /a
                ^^^^ warning[ConsistentInstructionCasing]: instruction `COPY` should match the case of the majority (lower-case)
            "#]],
        );
    }

    #[test]
    fn fix() {
        check_fix(
            "FROM alpine:3.20\nEntRYpOiNT [\"cat\"]\n",
            "ConsistentInstructionCasing",
            expect![[r#"
                FROM alpine:3.20
                ENTRYPOINT ["cat"]
            "#]],
        );
    }
}
