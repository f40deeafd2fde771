//! BuildKit's `RedundantTargetPlatform`: `FROM --platform=$TARGETPLATFORM` is what BuildKit does
//! anyway. Fix: remove the flag.

use super::{Ctx, Diagnostic, Rule, Severity, Tag};
use crate::analysis::syntax::Keyword;
use crate::analysis::Span;

pub(super) static RULE: Rule = Rule {
    name: "RedundantTargetPlatform",
    aliases: &["DL3065"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "`FROM --platform=$TARGETPLATFORM`, the default",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    for ins in &doc.syntax().instructions {
        if ins.kind != Keyword::From {
            continue;
        }
        for f in ins.flags_named("platform") {
            let Some(v) = &f.value else { continue };
            if v.text != "$TARGETPLATFORM" && v.text != "${TARGETPLATFORM}" {
                continue;
            }
            // Remove the flag and the blanks after it.
            let text = doc.text();
            let mut end = f.span.end;
            while end < text.len_bytes() && matches!(text.byte(end), b' ' | b'\t') {
                end += 1;
            }
            acc.push(
                Diagnostic::new(
                    &RULE,
                    f.span,
                    format!("`--platform={}` is redundant: it is the default", v.text),
                )
                .with_tag(Tag::Unnecessary)
                .with_fix(
                    "Remove the `--platform` flag",
                    vec![(Span::new(f.span.start, end), String::new())],
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
    fn redundant() {
        check_diagnostics(
            r#"
FROM --platform=$TARGETPLATFORM alpine:3.20 AS a
FROM --platform=$BUILDPLATFORM alpine:3.20 AS b
"#,
            expect![[r#"
                FROM --platform=$TARGETPLATFORM alpine:3.20 AS a
                     ^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[RedundantTargetPlatform]: `--platform=$TARGETPLATFORM` is redundant: it is the default
                FROM --platform=$BUILDPLATFORM alpine:3.20 AS b
            "#]],
        );
    }

    #[test]
    fn fix_removes_flag() {
        check_fix(
            "FROM --platform=${TARGETPLATFORM}   alpine:3.20\n",
            "RedundantTargetPlatform",
            expect![[r#"
                FROM alpine:3.20
            "#]],
        );
    }
}
