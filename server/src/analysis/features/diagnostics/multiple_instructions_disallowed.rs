//! BuildKit's `MultipleInstructionsDisallowed`: only the last `CMD`, `ENTRYPOINT` and
//! `HEALTHCHECK` of a stage take effect. Like BuildKit, the earlier (ignored) one is flagged,
//! tagged unnecessary, with the later one as related information. hadolint's DL4003, DL4004 and
//! DL3012 flag the later one instead.

use super::{line_number, Ctx, Diagnostic, Rule, Severity, Tag};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "MultipleInstructionsDisallowed",
    aliases: &["DL4003", "DL4004", "DL3012"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let instrs = &doc.syntax().instructions;
    for stage in &doc.model().stages {
        for kind in [Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck] {
            let all: Vec<usize> = stage
                .instrs
                .clone()
                .filter(|&i| instrs[i].kind == kind)
                .collect();
            for pair in all.windows(2) {
                let (earlier, later) = (&instrs[pair[0]], &instrs[pair[1]]);
                acc.push(
                    Diagnostic::new(
                        &RULE,
                        earlier.keyword.span,
                        format!(
                            "only the last `{}` of a stage takes effect: this one is overridden on line {}",
                            kind.as_str(),
                            line_number(doc, later.span.start)
                        ),
                    )
                    .with_tag(Tag::Unnecessary)
                    .with_related(later.keyword.span, format!("the `{}` that takes effect", kind.as_str())),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn earlier_one_is_flagged() {
        check_diagnostics(
            r#"
FROM alpine:3.20
ENTRYPOINT ["echo", "a"]
HEALTHCHECK CMD ["true"]
ENTRYPOINT ["echo", "b"]
CMD ["x"]
FROM alpine:3.20
CMD ["y"]
"#,
            expect![[r#"
                FROM alpine:3.20
                ENTRYPOINT ["echo", "a"]
                ^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `ENTRYPOINT` of a stage takes effect: this one is overridden on line 4 (related line 4: the `ENTRYPOINT` that takes effect)
                HEALTHCHECK CMD ["true"]
                ENTRYPOINT ["echo", "b"]
                CMD ["x"]
                FROM alpine:3.20
                CMD ["y"]
            "#]],
        );
    }
}
