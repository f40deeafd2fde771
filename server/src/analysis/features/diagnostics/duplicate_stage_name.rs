//! Flags a stage name used by an earlier stage (BuildKit's `DuplicateStageName`; stage names
//! are compared lower-cased, as BuildKit stores them).

use foldhash::{HashMap, HashMapExt};

use super::{line_number, Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "DuplicateStageName",
    aliases: &["DL3024"],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "two stages have the same name",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let mut first: HashMap<&str, &crate::analysis::model::StageName> = HashMap::new();
    for stage in &doc.model().stages {
        let Some(name) = &stage.name else { continue };
        match first.get(name.key.as_str()) {
            Some(prev) => acc.push(
                Diagnostic::new(
                    &RULE,
                    name.span,
                    format!(
                        "stage `{}` is already defined on line {}",
                        name.key,
                        line_number(doc, prev.span.start)
                    ),
                )
                .with_related(prev.span, format!("`{}` first defined here", name.key)),
            ),
            None => {
                first.insert(&name.key, name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn duplicate_stage_name() {
        check_diagnostics(
            r#"
FROM golang:1.22 AS build
FROM alpine AS BUILD
FROM alpine AS other
"#,
            expect![[r#"
                FROM golang:1.22 AS build
                FROM alpine AS BUILD
                               ^^^^^ error[DuplicateStageName]: stage `build` is already defined on line 1 (related line 1: `build` first defined here)
                               ^^^^^ warning[StageNameCasing]: stage name `BUILD` should be lower-case
                FROM alpine AS other
            "#]],
        );
    }
}
