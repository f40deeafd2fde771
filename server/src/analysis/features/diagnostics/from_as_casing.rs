//! BuildKit's `FromAsCasing`: the `AS` keyword should have the case of `FROM` (checked only when
//! `FROM` itself is all upper- or all lower-case). Fix: change `AS` to match.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "FromAsCasing",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "the `AS` keyword should match the case of `FROM`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        if ins.kind != Keyword::From || ins.args().len() < 3 {
            continue;
        }
        let from = &ins.keyword.text;
        let as_word = &ins.args()[1];
        let want = if *from == from.to_ascii_lowercase() {
            as_word.text.to_ascii_lowercase()
        } else if *from == from.to_ascii_uppercase() {
            as_word.text.to_ascii_uppercase()
        } else {
            continue;
        };
        if as_word.text == want || !as_word.text.eq_ignore_ascii_case("as") {
            continue;
        }
        acc.push(
            Diagnostic::new(
                &RULE,
                as_word.span,
                format!(
                    "`{}` and `{from}` keywords' casing do not match",
                    as_word.text
                ),
            )
            .with_fix(
                format!("Change `{}` to `{want}`", as_word.text),
                vec![(as_word.span, want.to_string())],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn mismatched_as() {
        check_diagnostics(
            r#"
FROM debian:12 as builder
from debian:12 AS b2
from debian:12 as b3
FROM debian:12 AS b4
"#,
            expect![[r#"
                FROM debian:12 as builder
                               ^^ warning[FromAsCasing]: `as` and `FROM` keywords' casing do not match
                from debian:12 AS b2
                ^^^^ warning[ConsistentInstructionCasing]: instruction `from` should match the case of the majority (upper-case)
                               ^^ warning[FromAsCasing]: `AS` and `from` keywords' casing do not match
                from debian:12 as b3
                ^^^^ warning[ConsistentInstructionCasing]: instruction `from` should match the case of the majority (upper-case)
                FROM debian:12 AS b4
            "#]],
        );
    }

    #[test]
    fn fix() {
        check_fix(
            "FROM debian:12 as builder\nFROM debian:12 AS b\n",
            "FromAsCasing",
            expect![[r#"
                FROM debian:12 AS builder
                FROM debian:12 AS b
            "#]],
        );
    }
}
