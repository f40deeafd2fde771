//! BuildKit's `LegacyKeyValueFormat`: `ENV key value` / `LABEL key value` (no `=`) is the legacy
//! form, which sets only one variable and swallows the rest of the line into its value. Fix:
//! `key=value` (quoted when the value has spaces), offered when the value has no quotes or
//! escapes and sits on one line, so it means exactly the same.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;
use crate::analysis::Span;

pub(super) static RULE: Rule = Rule {
    name: "LegacyKeyValueFormat",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "`ENV`/`LABEL` in the legacy `key value` form",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    for ins in &doc.syntax().instructions {
        if !matches!(ins.kind, Keyword::Env | Keyword::Label) || ins.args().len() < 2 {
            continue;
        }
        let key = &ins.args()[0];
        if key.text.contains('=') {
            continue;
        }
        let name = ins.kind.as_str();
        let span = Span::new(key.span.start, ins.args()[ins.args().len() - 1].span.end);
        let mut d = Diagnostic::new(
            &RULE,
            span,
            format!("use `{name} key=value` instead of the legacy `{name} key value` form"),
        );
        if ins.rest.breaks.is_empty() {
            let value = doc.slice(Span::new(ins.args()[1].span.start, span.end));
            if !value.contains(['"', '\'', '\\', '`']) {
                let new = if value.contains(char::is_whitespace) {
                    format!("{}=\"{value}\"", key.text)
                } else {
                    format!("{}={value}", key.text)
                };
                d = d.with_fix(format!("Change to `{name} {new}`"), vec![(span, new)]);
            }
        }
        acc.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn legacy_env_and_label() {
        check_diagnostics(
            r#"
FROM alpine:3.20
ENV DEPS curl git
LABEL version 1.0
ENV A=1 B=2
ARG X Y
"#,
            expect![[r#"
                FROM alpine:3.20
                ENV DEPS curl git
                    ^^^^^^^^^^^^^ warning[LegacyKeyValueFormat]: use `ENV key=value` instead of the legacy `ENV key value` form
                LABEL version 1.0
                      ^^^^^^^^^^^ warning[LegacyKeyValueFormat]: use `LABEL key=value` instead of the legacy `LABEL key value` form
                ENV A=1 B=2
                ARG X Y
            "#]],
        );
    }

    #[test]
    fn fix_quotes_when_needed() {
        check_fix(
            "FROM alpine:3.20\nENV DEPS curl   git\nENV ONE two\n",
            "LegacyKeyValueFormat",
            expect![[r#"
                FROM alpine:3.20
                ENV DEPS="curl   git"
                ENV ONE=two
            "#]],
        );
    }
}
