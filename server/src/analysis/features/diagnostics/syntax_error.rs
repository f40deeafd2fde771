//! Flags what BuildKit's parser rejects outright: an unterminated heredoc, a bad `# escape=`
//! value, a repeated parser directive. Never anything inside shell text.

use super::{Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "SyntaxError",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "BuildKit's parser rejects this text",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    // A brand-new, blank file is not worth an error while the user is about to type into it;
    // a file of comments only still gets BuildKit's "file with no instructions".
    if doc.syntax().instructions.is_empty() && doc.text().chars().all(char::is_whitespace) {
        return;
    }
    for e in &doc.syntax().errors {
        acc.push(Diagnostic::new(&RULE, e.span, e.message.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn unterminated_heredoc() {
        check_diagnostics(
            r#"
FROM alpine
RUN <<EOF
echo hi
"#,
            expect![[r#"
                FROM alpine
                RUN <<EOF
                    ^^^^^ error[SyntaxError]: unterminated heredoc
                echo hi
            "#]],
        );
    }

    #[test]
    fn blank_file_is_quiet_but_comments_only_is_not() {
        for blank in ["", "\n", "  \r\n\t\n"] {
            let doc = crate::analysis::Document::new(blank, 0);
            assert_eq!(super::super::diagnostics(&doc), vec![], "{blank:?}");
        }
        check_diagnostics(
            "# just a comment\n",
            expect![[r#"
                # just a comment
                ^ error[SyntaxError]: file with no instructions
            "#]],
        );
    }

    #[test]
    fn bracket_in_shell_is_not_an_error() {
        check_diagnostics(
            r#"
FROM alpine
RUN set -e; \
    [ -d /srv ] || mkdir /srv
"#,
            expect![[r#"
                FROM alpine
                RUN set -e; \
                    [ -d /srv ] || mkdir /srv
            "#]],
        );
    }
}
