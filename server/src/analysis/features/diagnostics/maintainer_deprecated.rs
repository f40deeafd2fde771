//! BuildKit's `MaintainerDeprecated`: `MAINTAINER` is deprecated. Fix: replace it with
//! `LABEL org.opencontainers.image.authors="..."` (offered when the value is on one line).

use super::{Ctx, Diagnostic, Rule, Severity, Tag};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "MaintainerDeprecated",
    aliases: &["DL4000"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "the deprecated `MAINTAINER` instruction",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        if ins.kind != Keyword::Maintainer {
            continue;
        }
        let mut d = Diagnostic::new(
            &RULE,
            ins.keyword.span,
            "`MAINTAINER` is deprecated: use `LABEL org.opencontainers.image.authors=...`",
        )
        .with_tag(Tag::Deprecated);
        let value = ins.rest.text.trim();
        if !value.is_empty() && ins.rest.breaks.is_empty() && ins.heredocs.is_empty() {
            let mut quoted = String::with_capacity(value.len() + 2);
            for c in value.chars() {
                if matches!(c, '"' | '\\' | '$') {
                    quoted.push('\\');
                }
                quoted.push(c);
            }
            let label = if ins.keyword.text == ins.keyword.text.to_ascii_lowercase() {
                "label"
            } else {
                "LABEL"
            };
            d = d.with_fix(
                "Convert `MAINTAINER` to a `org.opencontainers.image.authors` label",
                vec![(
                    crate::analysis::Span::new(ins.keyword.span.start, ins.rest.span.end),
                    format!("{label} org.opencontainers.image.authors=\"{quoted}\""),
                )],
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
    fn maintainer() {
        check_diagnostics(
            r#"
FROM alpine:3.20
MAINTAINER Jane "J" Doe <jane@example.com>
LABEL org.opencontainers.image.authors="jane@example.com"
"#,
            expect![[r#"
                FROM alpine:3.20
                MAINTAINER Jane "J" Doe <jane@example.com>
                ^^^^^^^^^^ warning[MaintainerDeprecated]: `MAINTAINER` is deprecated: use `LABEL org.opencontainers.image.authors=...`
                LABEL org.opencontainers.image.authors="jane@example.com"
            "#]],
        );
    }

    #[test]
    fn fix_to_label() {
        check_fix(
            "FROM alpine:3.20\nMAINTAINER Jane \"J\" Doe <jane@example.com>\n",
            "MaintainerDeprecated",
            expect![[r#"
                FROM alpine:3.20
                LABEL org.opencontainers.image.authors="Jane \"J\" Doe <jane@example.com>"
            "#]],
        );
    }
}
