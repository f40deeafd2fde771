//! hadolint's DL3002 (off by default): the last `USER` of a stage is root (`root`, `0`,
//! `root:group`, `0:group`), so the container runs as root.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "LastUserRoot",
    aliases: &["DL3002"],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "the last `USER` of a stage is root",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let instrs = &doc.syntax().instructions;
    for stage in &doc.model().stages {
        let Some(last) = stage
            .instrs
            .clone()
            .rev()
            .find(|&i| instrs[i].kind == Keyword::User)
        else {
            continue;
        };
        let ins = &instrs[last];
        let Some(w) = ins.args().first() else {
            continue;
        };
        let user = w.text.split(':').next().unwrap_or("");
        if user == "root" || user == "0" {
            acc.push(Diagnostic::new(
                &RULE,
                w.span,
                "the last `USER` of the stage is root: switch to an unprivileged user",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn root_last() {
        check_rule(
            &super::RULE,
            r#"
FROM alpine:3.20
USER root
RUN apk add curl
USER app
FROM alpine:3.20
USER 0:0
"#,
            expect![[r#"
                FROM alpine:3.20
                USER root
                RUN apk add curl
                USER app
                FROM alpine:3.20
                USER 0:0
                     ^^^ warning[LastUserRoot]: the last `USER` of the stage is root: switch to an unprivileged user
            "#]],
        );
    }
}
