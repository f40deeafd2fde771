//! Flags a `--from=`, `from=` or `FROM` name that is no stage but looks like a misspelt one (a
//! stage name within a small edit distance, or with other letter case), and a `FROM` that names
//! a stage defined only later (BuildKit then pulls an image of that name). A `--from`/`from=`
//! name that is no stage and no valid image reference either (`--from=Builder2`) is flagged too.
//! Fix: the suggested stage name.

use super::support::is_valid_image_reference;
use super::{line_number, Ctx, Diagnostic, Rule, Severity};
use foldhash::{HashMap, HashMapExt};

use crate::analysis::model::{Model, RefKind, RefTarget};

pub(super) static RULE: Rule = Rule {
    name: "UnknownStage",
    aliases: &["DL3022"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a stage reference that names no stage, close to one that exists",
    check,
};

/// Each stage name once, with the stages that carry it in order: a file may have thousands of
/// stages and as many `FROM alpine` lines, and comparing every reference with every stage was
/// quadratic (5,000 stages: a second per pass).
struct Names<'a> {
    /// Every named stage as (name, index), sorted: the stages of a name are one run, ascending
    /// (one vector, not one per name: this runs on every keystroke).
    stages: Vec<(&'a str, usize)>,
    /// Each name with its length in chars and [`char_mask`], for cheap lower bounds.
    keys: Vec<(&'a str, usize, u64)>,
    /// Per lower-cased reference text: the names within the "did you mean" distance, with that
    /// distance.
    near: HashMap<String, Vec<(usize, &'a str)>>,
}

/// The stages named `name` (their run of [`Names::stages`]), ascending.
fn named<'s, 'a>(stages: &'s [(&'a str, usize)], name: &str) -> &'s [(&'a str, usize)] {
    let start = stages.partition_point(|&(k, _)| k < name);
    let len = stages[start..].partition_point(|&(k, _)| k == name);
    &stages[start..start + len]
}

impl<'a> Names<'a> {
    fn new(m: &'a Model) -> Names<'a> {
        let mut stages: Vec<(&str, usize)> = (m.stages.iter())
            .filter_map(|s| Some((s.name.as_ref()?.key.as_str(), s.index)))
            .collect();
        stages.sort_unstable();
        let mut keys: Vec<(&str, usize, u64)> = Vec::with_capacity(stages.len());
        for (i, &(k, _)) in stages.iter().enumerate() {
            if i == 0 || stages[i - 1].0 != k {
                keys.push((k, k.chars().count(), char_mask(k)));
            }
        }
        Names {
            stages,
            keys,
            near: HashMap::new(),
        }
    }

    /// The first stage named `name` after stage `after`.
    fn later(&self, name: &str, after: usize) -> Option<usize> {
        let run = named(&self.stages, name);
        let at = run.partition_point(|&(_, i)| i <= after);
        run.get(at).map(|&(_, i)| i)
    }

    /// The closest name to `lower` within the "did you mean" distance, carried by a stage that
    /// `allowed` accepts; among equally close ones, the one whose first allowed stage comes
    /// first. That stage is returned with the name.
    fn best(&mut self, lower: &str, allowed: impl Fn(usize) -> bool) -> Option<usize> {
        let (stages, keys) = (&self.stages, &self.keys);
        let near = self.near.entry(lower.to_string()).or_insert_with(|| {
            // Two lower bounds of the distance first: the difference in length, and the number
            // of kinds of chars one has and the other lacks (each needs an edit of its own).
            let (chars, mask) = (lower.chars().count(), char_mask(lower));
            keys.iter()
                .filter(|&&(key, n, m)| {
                    let most = max_distance(key);
                    n.abs_diff(chars) <= most
                        && (mask & !m).count_ones() as usize <= most
                        && (m & !mask).count_ones() as usize <= most
                })
                .map(|&(key, _, _)| (strsim::osa_distance(lower, key), key))
                .filter(|(d, key)| *d <= max_distance(key))
                .collect()
        });
        near.iter()
            .filter_map(|&(d, key)| {
                let first = named(stages, key)
                    .iter()
                    .map(|&(_, i)| i)
                    .find(|&i| allowed(i))?;
                Some((d, first))
            })
            .min()
            .map(|(_, stage)| stage)
    }
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let mut names = Names::new(m);
    for r in &m.stage_refs {
        if r.target != RefTarget::Image
            || r.text.is_empty()
            || r.text.contains(['/', ':', '@', '$'])
        {
            continue;
        }
        let lower = r.text.to_ascii_lowercase();
        if r.kind == RefKind::Base {
            if let Some(later) = names.later(&lower, r.stage).map(|i| &m.stages[i]) {
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
        // `FROM` refers to earlier stages only; `--from` to any stage.
        let best = names
            .best(&lower, |i| r.kind != RefKind::Base || i < r.stage)
            .and_then(|i| m.stages[i].name.as_ref());
        if let Some(n) = best {
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

/// The kinds of chars in `s`, as bits (a char sets bit `char % 64`: chars that share a bit make
/// the bound weaker, never wrong).
fn char_mask(s: &str) -> u64 {
    s.chars().fold(0, |m, c| m | 1 << (u32::from(c) % 64))
}

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

    mod props {
        use proptest::prelude::*;

        use super::super::super::DiagnosticsConfig;
        use super::super::*;
        use crate::analysis::model::Stage;
        use crate::analysis::Document;

        /// The rule as it was before the name index: every reference against every stage.
        fn reference(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
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

        proptest! {
            /// The indexed search finds what comparing every reference with every stage finds:
            /// the same messages, suggestions, related stages and fixes, with repeated, later,
            /// misspelt and differently cased names.
            #[test]
            fn the_name_index_finds_what_the_full_comparison_finds(
                lines in prop::collection::vec((0usize..4, 0usize..9, 0usize..9), 1..30),
            ) {
                const NAMES: &[&str] =
                    &["base", "bse", "Base", "build", "buidl", "builder", "a", "ab", "alpine"];
                let mut text = String::new();
                for (kind, name, other) in lines {
                    let (n, o) = (NAMES[name], NAMES[other]);
                    text += &match kind {
                        0 => format!("FROM {o} AS {}\n", n.to_ascii_lowercase()),
                        1 => format!("FROM {n}\n"),
                        2 => format!("COPY --from={n} /a /b\n"),
                        _ => format!("RUN --mount=from={n},target=/x true\n"),
                    };
                }
                let doc = Document::new(&text, 0);
                let config = DiagnosticsConfig::default();
                let ctx = Ctx::new(&doc, &config);
                let (mut indexed, mut full) = (Vec::new(), Vec::new());
                check(&ctx, &mut indexed);
                reference(&ctx, &mut full);
                prop_assert_eq!(indexed, full, "{}", text);
            }
        }
    }

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
