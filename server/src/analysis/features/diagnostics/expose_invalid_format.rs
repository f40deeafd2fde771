//! BuildKit's `ExposeInvalidFormat`: `EXPOSE` publishes nothing, so an IP address or a
//! `host:container` mapping in it is meaningless (a future error); publishing is `docker run
//! -p`'s job. Ports with variables are skipped.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "ExposeInvalidFormat",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an IP address or host-port mapping in `EXPOSE`",
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
            let port = w.text.rsplit_once('/').map_or(w.text.as_str(), |(p, _)| p);
            if !port.contains(':') {
                continue;
            }
            acc.push(Diagnostic::new(
                &RULE,
                w.span,
                format!(
                    "`EXPOSE {}` should not name an IP address or host port: expose the container port only and publish with `docker run -p`",
                    w.text
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn mapping() {
        check_diagnostics(
            r#"
FROM alpine:3.20
EXPOSE 127.0.0.1:80:80 8080:80/tcp 80
"#,
            expect![[r#"
                FROM alpine:3.20
                EXPOSE 127.0.0.1:80:80 8080:80/tcp 80
                       ^^^^^^^^^^^^^^^ warning[ExposeInvalidFormat]: `EXPOSE 127.0.0.1:80:80` should not name an IP address or host port: expose the container port only and publish with `docker run -p`
                                       ^^^^^^^^^^^ warning[ExposeInvalidFormat]: `EXPOSE 8080:80/tcp` should not name an IP address or host port: expose the container port only and publish with `docker run -p`
            "#]],
        );
    }
}
