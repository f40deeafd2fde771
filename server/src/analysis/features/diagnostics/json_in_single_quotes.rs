//! Flags an exec-form array written with single quotes (`CMD ['nginx', '-g']`). JSON needs
//! double quotes, so BuildKit does not read it as exec form: it runs the text through the shell
//! (`/bin/sh -c "['nginx', '-g']"`), or for `ADD`/`COPY`/`VOLUME` takes the brackets as part of
//! the paths. The fix (swap the quotes) is offered when the array holds plain strings only.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::{Instruction, Keyword};

pub(super) static RULE: Rule = Rule {
    name: "JSONInSingleQuotes",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an exec-form JSON array written with single quotes",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    let json_capable = matches!(
        ins.kind,
        Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Run
            | Keyword::Shell
            | Keyword::Volume
            | Keyword::Add
            | Keyword::Copy
    );
    if !json_capable || ins.json.is_some() {
        return;
    }
    let text = ins.rest.text.trim_end();
    if !text.starts_with('[') || !text.ends_with(']') || !text.contains('\'') {
        return;
    }
    let inner = &text[1..text.len() - 1];
    if !single_quoted_strings(inner) {
        return;
    }
    let span = ins.rest.source_span(0, text.len());
    let mut d = Diagnostic::new(
        &RULE,
        span,
        format!(
            "`{}` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes",
            ins.kind.as_str()
        ),
    );
    // A fix only when the array sits on one line, so that swapping quotes byte for byte in the
    // source is exact.
    if ins.rest.breaks.is_empty() && !text.contains('"') && !text.contains('\\') {
        d = d.with_fix("Use double quotes", vec![(span, text.replace('\'', "\""))]);
    }
    acc.push(d);
}

/// `inner` is `'a', 'b'` (a comma-separated list of single-quoted strings, spaces around).
fn single_quoted_strings(inner: &str) -> bool {
    let mut rest = inner.trim();
    if rest.is_empty() {
        return false;
    }
    loop {
        let Some(r) = rest.strip_prefix('\'') else {
            return false;
        };
        let Some(close) = r.find('\'') else {
            return false;
        };
        rest = r[close + 1..].trim_start();
        if rest.is_empty() {
            return true;
        }
        let Some(r) = rest.strip_prefix(',') else {
            return false;
        };
        rest = r.trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use crate::analysis::features::code_action::tests::apply_action;
    use expect_test::expect;

    #[test]
    fn single_quoted_arrays() {
        check_diagnostics(
            r#"
FROM alpine
CMD ['nginx', '-g', 'daemon off;']
ENTRYPOINT ['a' ,'b']
"#,
            expect![[r#"
                FROM alpine
                CMD ['nginx', '-g', 'daemon off;']
                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[JSONInSingleQuotes]: `CMD` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes
                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
                ENTRYPOINT ['a' ,'b']
                           ^^^^^^^^^^ warning[JSONInSingleQuotes]: `ENTRYPOINT` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes
                           ^^^^^^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `ENTRYPOINT` so the program receives OS signals
            "#]],
        );
    }

    #[test]
    fn double_quotes_and_shell_text_are_fine() {
        check_diagnostics(
            r#"
FROM alpine
CMD ["nginx", "-g", "daemon off;"]
RUN [ -f '/x' ] && echo ok
LABEL x=['a']
"#,
            expect![[r#"
                FROM alpine
                CMD ["nginx", "-g", "daemon off;"]
                RUN [ -f '/x' ] && echo ok
                LABEL x=['a']
            "#]],
        );
    }

    #[test]
    fn suppressed() {
        check_diagnostics(
            "# check=skip=JSONInSingleQuotes\nFROM alpine\nCMD ['a']\n",
            expect![[r#"
                # check=skip=JSONInSingleQuotes
                FROM alpine
                CMD ['a']
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
            "#]],
        );
        check_diagnostics(
            "FROM alpine\n# check=skip=JSONInSingleQuotes\nCMD ['a']\nCMD ['b']\n",
            expect![[r#"
                FROM alpine
                # check=skip=JSONInSingleQuotes
                CMD ['a']
                ^^^ warning[MultipleInstructionsDisallowed]: only the last `CMD` of a stage takes effect: this one is overridden on line 4 (related line 4: the `CMD` that takes effect)
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
                CMD ['b']
                    ^^^^^ warning[JSONInSingleQuotes]: `CMD` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
            "#]],
        );
        check_diagnostics_config(
            "FROM alpine\nCMD ['a']\n",
            &[("JSONInSingleQuotes", "off")],
            expect![[r#"
                FROM alpine
                CMD ['a']
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
            "#]],
        );
    }

    #[test]
    fn error_true_raises_to_error_and_severity_overrides_apply() {
        check_diagnostics(
            "# check=error=true\nFROM alpine\nCMD ['a']\n",
            expect![[r#"
                # check=error=true
                FROM alpine
                CMD ['a']
                    ^^^^^ error[JSONInSingleQuotes]: `CMD` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes
                    ^^^^^ error[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
            "#]],
        );
        check_diagnostics_config(
            "FROM alpine\nCMD ['a']\n",
            &[("jsoninsinglequotes", "hint")],
            expect![[r#"
                FROM alpine
                CMD ['a']
                    ^^^^^ hint[JSONInSingleQuotes]: `CMD` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
            "#]],
        );
    }

    #[test]
    fn fixes_and_ignores() {
        let text = "FROM alpine\nRUN ['nginx', '-g']\n";
        assert_eq!(
            apply_action(text, "JSONInSingleQuotes", "Use double quotes"),
            "FROM alpine\nRUN [\"nginx\", \"-g\"]\n"
        );
        assert_eq!(
            apply_action(
                text,
                "JSONInSingleQuotes",
                "Ignore `JSONInSingleQuotes` for this instruction"
            ),
            "FROM alpine\n# check=skip=JSONInSingleQuotes\nRUN ['nginx', '-g']\n"
        );
        assert_eq!(
            apply_action(
                text,
                "JSONInSingleQuotes",
                "Ignore `JSONInSingleQuotes` in this file"
            ),
            "# check=skip=JSONInSingleQuotes\nFROM alpine\nRUN ['nginx', '-g']\n"
        );
    }
}
