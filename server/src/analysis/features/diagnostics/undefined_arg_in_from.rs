//! BuildKit's `UndefinedArgInFrom`: a variable in a `FROM` image or `--platform` that is no
//! global `ARG` (declared before the first `FROM`) and no automatic platform ARG. Suggests the
//! closest global ARG; the fix renames the reference to it.

use super::support::suggest;
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::VarKind;
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "UndefinedArgInFrom",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a variable in `FROM` that no global `ARG` declares",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    let globals: Vec<&str> = m
        .vars
        .iter()
        .filter(|v| v.kind == VarKind::GlobalArg)
        .map(|v| v.name.as_str())
        .collect();
    for u in &m.var_uses {
        if instrs.get(u.instr).map(|i| i.kind) != Some(Keyword::From)
            || u.def.is_some()
            || u.builtin
        {
            continue;
        }
        let mut message = format!(
            "`{}` is not declared by a global `ARG` before the first `FROM`",
            u.name
        );
        let hint = suggest(&u.name, globals.iter().copied());
        if let Some(h) = hint {
            message.push_str(&format!("; did you mean `{h}`?"));
        }
        let mut d = Diagnostic::new(&RULE, u.name_span, message);
        if let Some(h) = hint {
            d = d.with_fix(
                format!("Change to `{h}`"),
                vec![(u.name_span, h.to_string())],
            );
        }
        acc.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn undeclared_in_from() {
        check_diagnostics(
            r#"
ARG VARIANT=alpine
ARG TAG
FROM node:22-${VARIANT} AS a
FROM node:22-${VARAINT} AS b
FROM --platform=$BUILDPLATFORM golang:${TAG}-${GO_FLAVOR} AS c
"#,
            expect![[r#"
                ARG VARIANT=alpine
                ARG TAG
                FROM node:22-${VARIANT} AS a
                FROM node:22-${VARAINT} AS b
                               ^^^^^^^ warning[UndefinedArgInFrom]: `VARAINT` is not declared by a global `ARG` before the first `FROM`; did you mean `VARIANT`?
                FROM --platform=$BUILDPLATFORM golang:${TAG}-${GO_FLAVOR} AS c
                                               ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[InvalidDefaultArgInFrom]: with the default ARG values, `golang:${TAG}-${GO_FLAVOR}` expands to `golang:-`, which is no valid image reference
                                                               ^^^^^^^^^ warning[UndefinedArgInFrom]: `GO_FLAVOR` is not declared by a global `ARG` before the first `FROM`
            "#]],
        );
    }

    #[test]
    fn fix_did_you_mean() {
        check_fix(
            "ARG VARIANT=alpine\nFROM node:22-${VARAINT}\n",
            "UndefinedArgInFrom",
            expect![[r#"
                ARG VARIANT=alpine
                FROM node:22-${VARIANT}
            "#]],
        );
    }
}
