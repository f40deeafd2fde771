//! Flags a `FROM` BuildKit cannot parse (`parseBuildStageName`): no image, two arguments or more
//! than three, a second word other than `AS`, and a stage name that does not match
//! `^[a-z][a-z0-9-_.]*$` after lower-casing.

use super::{whitespace_args, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::{Instruction, Keyword, Span};

pub(super) static RULE: Rule = Rule {
    name: "InvalidFromSyntax",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a `FROM` line BuildKit cannot parse",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    if ins.kind != Keyword::From {
        return;
    }
    // `FROM` splits at whitespace without looking at quotes.
    let args = &whitespace_args(ins);
    match args.len() {
        0 => acc.push(Diagnostic::new(
            &RULE,
            ins.keyword.span,
            "`FROM` requires an image, e.g. `FROM alpine:3.20`",
        )),
        1 => {}
        3 if args[1].text.eq_ignore_ascii_case("as") => {
            let name = &args[2];
            if !valid_stage_name(&name.text.to_ascii_lowercase()) {
                acc.push(Diagnostic::new(
                    &RULE,
                    name.span,
                    format!(
                        "invalid stage name `{}`: it must start with a letter and contain only letters, digits, `-`, `_` and `.`",
                        name.text
                    ),
                ));
            }
        }
        3 => acc.push(Diagnostic::new(
            &RULE,
            args[1].span,
            format!(
                "expected `AS` before the stage name, found `{}`",
                args[1].text
            ),
        )),
        2 if args[1].text.eq_ignore_ascii_case("as") => acc.push(Diagnostic::new(
            &RULE,
            args[1].span,
            "`AS` must be followed by a stage name",
        )),
        n => {
            let extra = if n == 2 { &args[1..] } else { &args[3..] };
            let span = Span::new(
                extra[0].span.start,
                extra.last().map_or(extra[0].span.end, |w| w.span.end),
            );
            acc.push(Diagnostic::new(
                &RULE,
                span,
                "`FROM` requires either one or three arguments (`FROM image [AS name]`)",
            ));
        }
    }
}

/// BuildKit's `validStageName` on the lower-cased name.
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn bad_from_lines() {
        check_diagnostics(
            r#"
FROM
FROM alpine build
FROM alpine AS
FROM alpine IS build
FROM alpine AS 1st
FROM alpine AS a b
FROM "alpine AS x"
"#,
            expect![[r#"
                FROM
                ^^^^ error[InvalidFromSyntax]: `FROM` requires an image, e.g. `FROM alpine:3.20`
                FROM alpine build
                            ^^^^^ error[InvalidFromSyntax]: `FROM` requires either one or three arguments (`FROM image [AS name]`)
                FROM alpine AS
                            ^^ error[InvalidFromSyntax]: `AS` must be followed by a stage name
                FROM alpine IS build
                            ^^ error[InvalidFromSyntax]: expected `AS` before the stage name, found `IS`
                FROM alpine AS 1st
                               ^^^ error[InvalidFromSyntax]: invalid stage name `1st`: it must start with a letter and contain only letters, digits, `-`, `_` and `.`
                FROM alpine AS a b
                                 ^ error[InvalidFromSyntax]: `FROM` requires either one or three arguments (`FROM image [AS name]`)
                FROM "alpine AS x"
                                ^^ error[InvalidFromSyntax]: invalid stage name `x"`: it must start with a letter and contain only letters, digits, `-`, `_` and `.`
            "#]],
        );
    }

    #[test]
    fn good_from_lines() {
        check_diagnostics(
            "FROM alpine\nFROM alpine as Build-1.x_y\nFROM --platform=$BUILDPLATFORM golang:1.22 AS go\n",
            expect![[r#"
                FROM alpine
                FROM alpine as Build-1.x_y
                            ^^ warning[FromAsCasing]: `as` and `FROM` keywords' casing do not match
                               ^^^^^^^^^^^ warning[StageNameCasing]: stage name `Build-1.x_y` should be lower-case
                FROM --platform=$BUILDPLATFORM golang:1.22 AS go
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine build\n",
            &[("InvalidFromSyntax", "off")],
            expect![[r#"
                FROM alpine build
            "#]],
        );
    }
}
