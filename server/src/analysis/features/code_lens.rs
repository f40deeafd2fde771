//! Code lenses on `FROM` lines: what a stage is built from and used by, and whether it is built
//! for the target.
//!
//! Every stage gets a summary lens (`stage 2 · base: build · copies from: deps, assets · used
//! by: final`, which shows the stage's references); the target stage also gets `target`, and a
//! stage BuildKit never builds for the target gets `not built for target 'final'` (both show the
//! stage graph). Lenses are listed cheaply ([`code_lenses`]) and their titles made on demand
//! ([`resolve`]), so clients that resolve lazily only pay for the visible ones.
//!
//! Must not know: LSP types, commands' wire names (the lsp layer maps [`LensAction`]).

use crate::analysis::graph::{NodeKind, StageGraph};
use crate::analysis::model::RefKind;
use crate::analysis::{Document, Span};

use super::symbol::{occurrences, Symbol};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LensKind {
    /// Built from, used by: shows the stage's references.
    Summary,
    /// `target` or `not built for target '...'`: shows the graph.
    Status,
}

/// A lens before its title is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lens {
    pub stage: usize,
    pub kind: LensKind,
    /// The `FROM` keyword (one line, as LSP wants lens ranges).
    pub span: Span,
}

/// What clicking a lens does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LensAction {
    StageReferences { stage: usize },
    StageGraph,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedLens {
    pub title: String,
    pub action: LensAction,
}

/// The lenses of `doc`, in document order.
pub fn code_lenses(doc: &Document, graph: &StageGraph) -> Vec<Lens> {
    let m = doc.model();
    let mut out = Vec::new();
    for s in &m.stages {
        let Some(ins) = doc.syntax().instructions.get(s.instr) else {
            continue;
        };
        let span = ins.keyword.span;
        out.push(Lens {
            stage: s.index,
            kind: LensKind::Summary,
            span,
        });
        if status_title(graph, s.index).is_some() {
            out.push(Lens {
                stage: s.index,
                kind: LensKind::Status,
                span,
            });
        }
    }
    out
}

/// The title and action of a lens; `None` when the stage no longer exists or has no such lens.
pub fn resolve(graph: &StageGraph, stage: usize, kind: LensKind) -> Option<ResolvedLens> {
    if stage >= graph.stage_count() {
        return None;
    }
    match kind {
        LensKind::Summary => Some(ResolvedLens {
            title: summary_title(graph, stage),
            action: LensAction::StageReferences { stage },
        }),
        LensKind::Status => Some(ResolvedLens {
            title: status_title(graph, stage)?,
            action: LensAction::StageGraph,
        }),
    }
}

fn summary_title(g: &StageGraph, stage: usize) -> String {
    let mut parts = vec![format!("stage {stage}")];
    let mut base = None;
    let mut copies: Vec<String> = Vec::new();
    let mut mounts: Vec<String> = Vec::new();
    let mut users: Vec<usize> = Vec::new();
    for &ei in g.edges_into(stage) {
        let e = &g.edges[ei];
        let label = g.nodes[e.from].label();
        match e.kind {
            RefKind::Base => base = Some(label),
            RefKind::Copy => push_unique(&mut copies, label),
            RefKind::Mount => push_unique(&mut mounts, label),
        }
    }
    users.extend(g.edges_out_of(stage).iter().map(|&ei| g.edges[ei].to));
    if base.is_none() {
        if let NodeKind::Stage { base: b, .. } = &g.nodes[stage].kind {
            if !b.is_empty() {
                base = Some(b.clone());
            }
        }
    }
    if let Some(b) = base {
        parts.push(format!("base: {b}"));
    }
    if !copies.is_empty() {
        parts.push(format!("copies from: {}", copies.join(", ")));
    }
    if !mounts.is_empty() {
        parts.push(format!("mounts from: {}", mounts.join(", ")));
    }
    users.sort_unstable();
    users.dedup();
    if !users.is_empty() {
        let names: Vec<String> = users.iter().map(|&u| g.nodes[u].label()).collect();
        parts.push(format!("used by: {}", names.join(", ")));
    }
    if let Some(c) = g.cycles.iter().find(|c| c.contains(&stage)) {
        let others: Vec<String> = c
            .iter()
            .filter(|&&s| s != stage)
            .map(|&s| g.nodes[s].label())
            .collect();
        if others.is_empty() {
            parts.push("depends on itself".to_string());
        } else {
            parts.push(format!("cycle with: {}", others.join(", ")));
        }
    }
    parts.join(" · ")
}

fn status_title(g: &StageGraph, stage: usize) -> Option<String> {
    let node = g.nodes.get(stage)?;
    if node.is_target {
        return Some(match &g.unknown_target {
            Some(u) => format!("target (no stage named '{u}', using the last stage)"),
            None => "target".to_string(),
        });
    }
    if !node.reachable {
        return Some(format!(
            "not built for target '{}'",
            g.target_label().unwrap_or_default()
        ));
    }
    None
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// The stage's declaration (its name, or its `FROM` keyword when unnamed) and every reference to
/// it, in document order; empty for a stage that does not exist.
pub fn stage_references(doc: &Document, stage: usize) -> Vec<Span> {
    let m = doc.model();
    let Some(s) = m.stages.get(stage) else {
        return Vec::new();
    };
    let mut out: Vec<Span> = occurrences(doc, Symbol::Stage(stage))
        .into_iter()
        .map(|o| o.span)
        .collect();
    if s.name.is_none() {
        if let Some(ins) = doc.syntax().instructions.get(s.instr) {
            out.insert(0, ins.keyword.span);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{parse_fixture, render};
    use expect_test::{expect, Expect};

    /// Renders every resolved lens under its `FROM`.
    pub(crate) fn check_lenses(fixture: &str, target: Option<&str>, expect: Expect) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let g = StageGraph::build(&doc, target);
        let spans: Vec<(Span, String)> = code_lenses(&doc, &g)
            .into_iter()
            .map(|l| {
                let r = resolve(&g, l.stage, l.kind).expect("every listed lens resolves");
                let action = match r.action {
                    LensAction::StageReferences { stage } => format!("references {stage}"),
                    LensAction::StageGraph => "graph".to_string(),
                };
                (l.span, format!("{} [{action}]", r.title))
            })
            .collect();
        expect.assert_eq(&render(&text, &spans));
    }

    #[test]
    fn summary_and_status() {
        check_lenses(
            r#"
FROM golang:1.22 AS deps
FROM deps AS build
RUN --mount=from=deps,target=/d true
FROM node AS assets
FROM alpine AS docs
FROM scratch AS final
COPY --from=build /a /a
COPY --from=assets /b /b
COPY --from=assets /c /c
"#,
            None,
            expect![[r#"
                FROM golang:1.22 AS deps
                ^^^^ stage 0 · base: golang:1.22 · used by: build [references 0]
                FROM deps AS build
                ^^^^ stage 1 · base: deps · mounts from: deps · used by: final [references 1]
                RUN --mount=from=deps,target=/d true
                FROM node AS assets
                ^^^^ stage 2 · base: node · used by: final [references 2]
                FROM alpine AS docs
                ^^^^ stage 3 · base: alpine [references 3]
                ^^^^ not built for target 'final' [graph]
                FROM scratch AS final
                ^^^^ stage 4 · base: scratch · copies from: build, assets [references 4]
                ^^^^ target [graph]
                COPY --from=build /a /a
                COPY --from=assets /b /b
                COPY --from=assets /c /c
            "#]],
        );
    }

    #[test]
    fn stale_stage_does_not_resolve() {
        let doc = Document::new("FROM alpine\n", 0);
        let g = StageGraph::build(&doc, None);
        assert!(resolve(&g, 3, LensKind::Summary).is_none());
        assert!(resolve(&g, 0, LensKind::Status).is_some());
    }

    #[test]
    fn references_of_an_unnamed_stage_start_at_its_from() {
        let (text, _) = parse_fixture(
            r#"
FROM alpine
FROM busybox
COPY --from=0 /a /a
"#,
        );
        let doc = Document::new(&text, 0);
        let spans: Vec<(Span, String)> = stage_references(&doc, 0)
            .into_iter()
            .map(|s| (s, "ref".to_string()))
            .collect();
        expect![[r#"
            FROM alpine
            ^^^^ ref
            FROM busybox
            COPY --from=0 /a /a
                        ^ ref
        "#]]
        .assert_eq(&render(&text, &spans));
        assert!(stage_references(&doc, 9).is_empty());
    }
}
