//! Flags a keyword BuildKit does not know (`unknown instruction: FOO`), with "did you mean" and
//! a fix when one keyword is close. ONBUILD triggers are checked too: BuildKit parses them when
//! a child image builds, so a typo there only fails later, somewhere else.

use super::{did_you_mean, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::{Instruction, Keyword};

pub(super) static RULE: Rule = Rule {
    name: "UnknownInstruction",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "an instruction keyword BuildKit does not know",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        report(ins, acc);
    }
}

pub(super) fn report(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    if ins.kind != Keyword::Unknown || ins.keyword.text.is_empty() {
        return;
    }
    let word = &ins.keyword.text;
    let keywords = Keyword::ALL.map(Keyword::as_str);
    let mut d = Diagnostic::new(
        &RULE,
        ins.keyword.span,
        format!("unknown instruction `{word}`"),
    );
    if let Some(k) = did_you_mean(word, &keywords) {
        // Keep the user's case style: `form` → `from`, `RUNN` → `RUN`.
        let fixed = if word.chars().all(|c| !c.is_ascii_uppercase()) {
            k.to_ascii_lowercase()
        } else {
            k.to_string()
        };
        d.message.push_str(&format!("; did you mean `{fixed}`?"));
        d = d.with_fix(
            format!("Change `{word}` to `{fixed}`"),
            vec![(ins.keyword.span, fixed)],
        );
    }
    acc.push(d);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use crate::analysis::features::code_action::tests::apply_action;
    use expect_test::expect;

    #[test]
    fn unknown_keyword_with_suggestion() {
        check_diagnostics(
            r#"
FROM alpine
RUNN echo hi
form x
ONBUILD COPPY . /x
FOO bar
"#,
            expect![[r#"
                FROM alpine
                RUNN echo hi
                ^^^^ error[UnknownInstruction]: unknown instruction `RUNN`; did you mean `RUN`?
                form x
                ^^^^ error[UnknownInstruction]: unknown instruction `form`; did you mean `from`?
                ONBUILD COPPY . /x
                        ^^^^^ error[UnknownInstruction]: unknown instruction `COPPY`; did you mean `COPY`?
                FOO bar
                ^^^ error[UnknownInstruction]: unknown instruction `FOO`
            "#]],
        );
    }

    #[test]
    fn known_keywords_in_any_case_are_fine() {
        check_diagnostics(
            "from alpine\nRun echo\nonbuild copy . /\n",
            expect![[r#"
                from alpine
                Run echo
                ^^^ warning[ConsistentInstructionCasing]: instruction `Run` should match the case of the majority (lower-case)
                onbuild copy . /
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nRUNN x\n",
            &[("UnknownInstruction", "off")],
            expect![[r#"
                FROM alpine
                RUNN x
            "#]],
        );
    }

    #[test]
    fn fix_replaces_the_keyword() {
        let out = apply_action(
            "FROM alpine\nRUNN echo hi\n",
            "UnknownInstruction",
            "Change",
        );
        assert_eq!(out, "FROM alpine\nRUN echo hi\n");
    }
}
