//! BuildKit's `ExposeProtoCasing`: the protocol in `EXPOSE 80/TCP` should be lower-case. Fix:
//! lower-case it. Ports with variables are skipped (their value is unknown here).

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;
use crate::analysis::Span;

pub(super) static RULE: Rule = Rule {
    name: "ExposeProtoCasing",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an upper-case protocol in `EXPOSE`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        if ins.kind != Keyword::Expose {
            continue;
        }
        for w in ins.args() {
            if w.text.contains(['$', '"', '\'']) {
                continue;
            }
            let Some(slash) = w.text.rfind('/') else {
                continue;
            };
            let proto = &w.text[slash + 1..];
            let lower = proto.to_ascii_lowercase();
            if proto == lower {
                continue;
            }
            let span = Span::new(w.source_offset(slash + 1), w.span.end);
            acc.push(
                Diagnostic::new(
                    &RULE,
                    span,
                    format!(
                        "protocol `{proto}` in `EXPOSE {}` should be lower-case",
                        w.text
                    ),
                )
                .with_fix(
                    format!("Change `{proto}` to `{lower}`"),
                    vec![(span, lower.clone())],
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
    fn upper_proto() {
        check_diagnostics(
            r#"
FROM alpine:3.20
EXPOSE 80/TcP 443/tcp 53
"#,
            expect![[r#"
                FROM alpine:3.20
                EXPOSE 80/TcP 443/tcp 53
                          ^^^ warning[ExposeProtoCasing]: protocol `TcP` in `EXPOSE 80/TcP` should be lower-case
            "#]],
        );
    }

    #[test]
    fn fix() {
        check_fix(
            "FROM alpine:3.20\nEXPOSE 80/UDP\n",
            "ExposeProtoCasing",
            expect![[r#"
                FROM alpine:3.20
                EXPOSE 80/udp
            "#]],
        );
    }
}
