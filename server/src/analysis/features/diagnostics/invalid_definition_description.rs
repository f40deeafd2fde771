//! BuildKit's experimental `InvalidDefinitionDescription` (off by default, as in BuildKit where
//! only `# check=experimental=...` enables it): the comment directly above `FROM ... AS name` or
//! `ARG name` becomes that definition's description in `docker build --call=outline`, so its
//! first word should be the name.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "InvalidDefinitionDescription",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "a comment above a stage or `ARG` that does not start with its name",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let syntax = doc.syntax();
    let m = doc.model();
    for (i, ins) in syntax.instructions.iter().enumerate() {
        let (what, keys): (&str, Vec<&str>) = match ins.kind {
            Keyword::From => {
                let Some(stage) = m.instr_stage.get(i).copied().flatten() else {
                    continue;
                };
                let Some(name) = &m.stages[stage].name else {
                    continue;
                };
                ("FROM", vec![name.key.as_str()])
            }
            Keyword::Arg => (
                "ARG",
                ins.args()
                    .iter()
                    .map(|w| w.text.split('=').next().unwrap_or(""))
                    .filter(|k| !k.is_empty())
                    .collect(),
            ),
            _ => continue,
        };
        if keys.is_empty() || ins.start_line == 0 {
            continue;
        }
        let above = ins.start_line as usize - 1;
        let line_start = doc.line_start(above);
        // `comments` is in document order: the first one from the line above on, if it is on
        // that line (a scan per definition made this rule quadratic).
        let first = syntax.comments.partition_point(|c| c.start < line_start);
        let Some(comment) = syntax
            .comments
            .get(first)
            .filter(|c| doc.line_of(c.start) == above)
        else {
            continue;
        };
        if syntax.directives.iter().any(|d| {
            d.span.start <= comment.start && comment.start < d.span.end.max(d.span.start + 1)
        }) {
            continue;
        }
        let text = doc.slice(*comment);
        let content = text.trim_start_matches('#').trim_start();
        let first = content.split(' ').next().unwrap_or("");
        if keys.contains(&first) {
            continue;
        }
        let example = if keys.len() > 1 { "<arg_key>" } else { keys[0] };
        acc.push(Diagnostic::new(
            &RULE,
            *comment,
            format!(
                "the comment for `{what}` should follow the format `# {example} <description>`"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn description_must_start_with_name() {
        check_rule(
            &super::RULE,
            r#"
# a non-descriptive comment
FROM scratch AS base
# base2 is the second stage
FROM scratch AS base2
# comment
ARG VERSION

# unrelated
ARG OTHER
"#,
            expect![[r#"
                # a non-descriptive comment
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^ warning[InvalidDefinitionDescription]: the comment for `FROM` should follow the format `# base <description>`
                FROM scratch AS base
                # base2 is the second stage
                FROM scratch AS base2
                # comment
                ^^^^^^^^^ warning[InvalidDefinitionDescription]: the comment for `ARG` should follow the format `# VERSION <description>`
                ARG VERSION

                # unrelated
                ^^^^^^^^^^^ warning[InvalidDefinitionDescription]: the comment for `ARG` should follow the format `# OTHER <description>`
                ARG OTHER
            "#]],
        );
    }
}
