//! BuildKit's `JSONArgsRecommended`: shell-form `CMD`/`ENTRYPOINT` run under `/bin/sh -c`, which
//! does not pass signals to the program. Silent when a `SHELL` instruction earlier in the stage
//! (or a stage it is built on) chose a shell on purpose. Fix: the exec (JSON) form, offered when
//! every word is plain (no quotes, variables, globs or shell operators) so the arguments stay
//! exactly the same.

use super::support::parent_stage;
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "JSONArgsRecommended",
    aliases: &["DL3025"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "shell-form `CMD` or `ENTRYPOINT`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    // The first SHELL instruction of each stage.
    let first_shell: Vec<Option<usize>> = m
        .stages
        .iter()
        .map(|s| s.instrs.clone().find(|&i| instrs[i].kind == Keyword::Shell))
        .collect();
    // Whether a stage or one it is built on has a SHELL instruction (parents come first).
    let mut shell_by_end = vec![false; m.stages.len()];
    for s in &m.stages {
        shell_by_end[s.index] = first_shell[s.index].is_some()
            || parent_stage(m, s.index).is_some_and(|p| shell_by_end[p]);
    }
    for (i, ins) in instrs.iter().enumerate() {
        if !matches!(ins.kind, Keyword::Cmd | Keyword::Entrypoint) || ins.json.is_some() {
            continue;
        }
        if ins.rest.text.trim().is_empty() {
            continue;
        }
        let Some(stage) = m.instr_stage.get(i).copied().flatten() else {
            continue;
        };
        let shell_here = first_shell[stage].is_some_and(|s| s < i);
        let shell_inherited = parent_stage(m, stage).is_some_and(|p| shell_by_end[p]);
        if shell_here || shell_inherited {
            continue;
        }
        let name = ins.kind.as_str();
        let mut d = Diagnostic::new(
            &RULE,
            ins.rest.span,
            format!("use the JSON (exec) form for `{name}` so the program receives OS signals"),
        );
        if ins.rest.breaks.is_empty() && ins.heredocs.is_empty() && ins.flags.is_empty() {
            let words: Vec<&str> = ins.rest.text.split_whitespace().collect();
            let plain = words.iter().all(|w| {
                w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_./:=,+@%-".contains(&b))
            });
            if plain {
                let json = format!(
                    "[{}]",
                    words
                        .iter()
                        .map(|w| format!("\"{w}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                let span = crate::analysis::Span::new(
                    ins.rest.span.start,
                    ins.rest.span.start + ins.rest.text.trim_end().len(),
                );
                d = d.with_fix(format!("Convert to `{name} {json}`"), vec![(span, json)]);
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
    fn shell_form() {
        check_diagnostics(
            r#"
FROM alpine:3.20 AS a
ENTRYPOINT my-program start
CMD ["--serve"]
FROM alpine:3.20 AS b
SHELL ["/bin/bash", "-c"]
CMD echo "$HOME"
FROM b
CMD echo hi
"#,
            expect![[r#"
                FROM alpine:3.20 AS a
                ENTRYPOINT my-program start
                           ^^^^^^^^^^^^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `ENTRYPOINT` so the program receives OS signals
                CMD ["--serve"]
                FROM alpine:3.20 AS b
                SHELL ["/bin/bash", "-c"]
                CMD echo "$HOME"
                FROM b
                CMD echo hi
            "#]],
        );
    }

    #[test]
    fn fix_plain_words() {
        check_fix(
            "FROM alpine:3.20\nCMD /usr/bin/app --port=8080\n",
            "JSONArgsRecommended",
            expect![[r#"
                FROM alpine:3.20
                CMD ["/usr/bin/app", "--port=8080"]
            "#]],
        );
    }

    #[test]
    fn no_fix_for_shell_syntax() {
        check_fix(
            "FROM alpine:3.20\nCMD app && echo $HOME\n",
            "JSONArgsRecommended",
            expect![[r#"
                no fix
            "#]],
        );
    }
}
