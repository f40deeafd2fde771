//! Flags a `--from=`, `from=` or `FROM` name that is no stage but looks like a misspelt one (a
//! stage name within a small edit distance, or with other letter case), and a `FROM` that names
//! a stage defined only later (BuildKit then pulls an image of that name). A `--from`/`from=`
//! name that is no stage and no valid image reference either (`--from=Builder2`) is flagged too.
//! Fix: the suggested stage name.

use super::support::is_valid_image_reference;
use super::{line_number, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::{RefKind, RefTarget, Stage};

pub(super) static RULE: Rule = Rule {
    name: "UnknownStage",
    aliases: &["DL3022"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a stage reference that names no stage, close to one that exists",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    for r in &m.stage_refs {
        if r.target != RefTarget::Image
            || r.text.is_empty()
            || r.text.contains(['/', ':', '@', '$'])
        {
            continue;
        }
        // Candidates: for FROM only earlier stages count; the others may name any stage.
        let candidates: Vec<&Stage> = m
            .stages
            .iter()
            .filter(|s| s.index != r.stage || r.kind != RefKind::Base)
            .filter(|s| r.kind != RefKind::Base || s.index < r.stage)
            .collect();
        let lower = r.text.to_ascii_lowercase();
        if r.kind == RefKind::Base {
            if let Some(later) = m.stages[r.stage + 1..]
                .iter()
                .find(|s| s.name.as_ref().is_some_and(|n| n.key == lower))
            {
                let n = later
                    .name
                    .as_ref()
                    .map_or(lower.as_str(), |n| n.key.as_str());
                acc.push(
                    Diagnostic::new(
                        &RULE,
                        r.span,
                        format!(
                            "stage `{n}` is defined later, on line {}: `FROM` only refers to earlier stages, so this pulls the image `{}`",
                            line_number(doc, later.span.start),
                            r.text
                        ),
                    )
                    .with_related(later.name.as_ref().map_or(later.span, |n| n.span), format!("`{n}` is defined here")),
                );
                continue;
            }
        }
        let best = candidates
            .iter()
            .filter_map(|s| s.name.as_ref())
            .map(|n| (strsim::osa_distance(&lower, &n.key), n))
            .filter(|(d, n)| *d <= max_distance(&n.key))
            .min_by_key(|(d, _)| *d);
        if let Some((_, n)) = best {
            let message = if n.key == lower {
                format!(
                    "`{}` is not a stage (stage names are lower-case); did you mean `{}`?",
                    r.text, n.key
                )
            } else {
                format!("`{}` is not a stage; did you mean `{}`?", r.text, n.key)
            };
            acc.push(
                Diagnostic::new(&RULE, r.span, message)
                    .with_related(n.span, format!("stage `{}`", n.key))
                    .with_fix(
                        format!("Change to `{}`", n.key),
                        vec![(r.span, n.key.clone())],
                    ),
            );
        } else if r.kind != RefKind::Base && !is_valid_image_reference(&r.text) {
            acc.push(Diagnostic::new(
                &RULE,
                r.span,
                format!(
                    "`{}` is no stage, and no valid image reference either",
                    r.text
                ),
            ));
        }
    }
}

/// Edits allowed for a typo of `name`: one for short names, two from six letters on.
fn max_distance(name: &str) -> usize {
    if name.len() >= 6 {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn typo_in_copy_from() {
        check_diagnostics(
            r#"
FROM golang AS builder
FROM alpine
COPY --from=buidler /out /out
COPY --from=alpine:3.20 /etc/os-release /x
COPY --from=nginx /etc/nginx /etc/nginx
COPY --from=Other_Stage /a /a
"#,
            expect![[r#"
                FROM golang AS builder
                FROM alpine
                COPY --from=buidler /out /out
                            ^^^^^^^ warning[UnknownStage]: `buidler` is not a stage; did you mean `builder`? (related line 1: stage `builder`)
                COPY --from=alpine:3.20 /etc/os-release /x
                COPY --from=nginx /etc/nginx /etc/nginx
                COPY --from=Other_Stage /a /a
                            ^^^^^^^^^^^ warning[UnknownStage]: `Other_Stage` is no stage, and no valid image reference either
            "#]],
        );
    }

    #[test]
    fn mount_from_and_case() {
        check_diagnostics(
            r#"
FROM golang AS deps
FROM deps AS build
RUN --mount=type=cache,from=dpes,target=/x true
FROM DEPS
"#,
            expect![[r#"
                FROM golang AS deps
                FROM deps AS build
                RUN --mount=type=cache,from=dpes,target=/x true
                                            ^^^^ warning[UnknownStage]: `dpes` is not a stage; did you mean `deps`? (related line 1: stage `deps`)
                FROM DEPS
                     ^^^^ warning[UnknownStage]: `DEPS` is not a stage (stage names are lower-case); did you mean `deps`? (related line 1: stage `deps`)
            "#]],
        );
    }

    #[test]
    fn image_with_the_stage_own_name_is_fine() {
        check_diagnostics(
            r#"
FROM node AS node
FROM golang AS golang
COPY --from=node /usr/local/bin/node /usr/local/bin/node
"#,
            expect![[r#"
                FROM node AS node
                FROM golang AS golang
                COPY --from=node /usr/local/bin/node /usr/local/bin/node
            "#]],
        );
    }

    #[test]
    fn from_a_later_stage() {
        check_diagnostics(
            r#"
FROM base AS app
FROM alpine AS base
"#,
            expect![[r#"
                FROM base AS app
                     ^^^^ warning[UnknownStage]: stage `base` is defined later, on line 2: `FROM` only refers to earlier stages, so this pulls the image `base` (related line 2: `base` is defined here)
                FROM alpine AS base
            "#]],
        );
    }
}
