//! The stage graph of a Dockerfile: stages and external images as nodes, `FROM <stage>` (base),
//! `COPY --from` (copy) and `RUN --mount=from=` (mount) as edges, the build target and the
//! stages BuildKit builds for it.
//!
//! Semantics follow BuildKit's `dockerfile2llb`: without `--target` the last stage is built
//! (`lastTarget`); a target is looked up by name, case-insensitively (`findStateByName`); the
//! stages built are the target, its base and its dependencies, transitively
//! (`allReachableStages`). Everything else is never built. Cycles are reported (by the model)
//! and never followed twice. The renderers in the submodules are pure functions of a
//! [`StageGraph`] returning strings.
//!
//! Must not know: LSP types, JSON, I/O.

pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod svg;
pub mod text;

#[cfg(test)]
pub(crate) mod tests;

use crate::analysis::model::{RefKind, RefTarget, StageLists};
use crate::analysis::{Document, Span};

/// The per-file comment that chooses the build target.
pub const TARGET_COMMENT_PREFIX: &str = "dockerfile-ls:";

/// A node: a stage (index into `Model::stages`) or an external image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Stage {
        index: usize,
        /// The stage name as written after `AS`.
        name: Option<String>,
        /// The base as BuildKit sees it (global ARG defaults expanded when known).
        base: String,
        /// The FROM instruction.
        from: Span,
        /// 0-based line of the FROM keyword.
        line: usize,
    },
    Image {
        /// The image reference (or named build context) as written after expansion.
        reference: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub reachable: bool,
    pub is_target: bool,
}

impl Node {
    /// `stage:N` or `image:REF`, stable across edits that keep the stage order.
    pub fn id(&self) -> String {
        match &self.kind {
            NodeKind::Stage { index, .. } => format!("stage:{index}"),
            NodeKind::Image { reference } => format!("image:{reference}"),
        }
    }

    /// The name to show: the stage name, `stage N` for an unnamed stage, the image reference.
    pub fn label(&self) -> String {
        match &self.kind {
            NodeKind::Stage { name: Some(n), .. } => n.clone(),
            NodeKind::Stage { index, .. } => format!("stage {index}"),
            NodeKind::Image { reference } => reference.clone(),
        }
    }

    pub fn stage_index(&self) -> Option<usize> {
        match self.kind {
            NodeKind::Stage { index, .. } => Some(index),
            NodeKind::Image { .. } => None,
        }
    }

    pub fn is_stage(&self) -> bool {
        self.stage_index().is_some()
    }
}

/// An edge: `from` is what the instruction names (the base, the `--from` source), `to` is the
/// stage containing the instruction; content flows from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// Node indices into [`StageGraph::nodes`].
    pub from: usize,
    pub to: usize,
    pub kind: RefKind,
    /// The whole instruction.
    pub span: Span,
    /// The reference as written (`build`, `0`, `alpine`).
    pub reference: Span,
    /// Index into `Model::stage_refs`.
    pub stage_ref: usize,
}

/// Where the build target came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSource {
    /// No target chosen: BuildKit builds the last stage.
    Default,
    /// The `target` setting (or `--target` on the command line).
    Setting(String),
    /// A `# dockerfile-ls: target=NAME` comment.
    Comment(TargetComment),
}

/// A `# dockerfile-ls: target=NAME` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetComment {
    pub name: String,
    /// The NAME part.
    pub span: Span,
    /// Later target comments, which are ignored.
    pub duplicates: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageGraph {
    /// Stages first (node `i` is stage `i`), then images in order of first use.
    pub nodes: Vec<Node>,
    /// In source order.
    pub edges: Vec<Edge>,
    /// The target stage (a node index, equal to the stage index); `None` without stages.
    pub target: Option<usize>,
    pub source: TargetSource,
    /// The chosen target names no stage; `target` then falls back to the last stage.
    pub unknown_target: Option<String>,
    /// Stages in circular dependencies (from the model), each sorted.
    pub cycles: Vec<Vec<usize>>,
    /// For every node, the edges into it (what it depends on), in source order.
    incoming: Vec<Vec<usize>>,
    /// For every node, the edges out of it (who uses it), in source order.
    outgoing: Vec<Vec<usize>>,
}

impl StageGraph {
    /// The graph of `doc` for the target `setting` (the `target` setting or `--target`); a
    /// target comment in the file wins over the setting.
    pub fn build(doc: &Document, setting: Option<&str>) -> StageGraph {
        let m = doc.model();
        let mut nodes: Vec<Node> = m
            .stages
            .iter()
            .map(|s| {
                let from = doc.syntax().instructions[s.instr].span;
                Node {
                    kind: NodeKind::Stage {
                        index: s.index,
                        name: s.name.as_ref().map(|n| n.text.clone()),
                        base: s
                            .base_resolved
                            .clone()
                            .unwrap_or_else(|| s.base.text.to_string()),
                        from,
                        line: doc.line_of(from.start),
                    },
                    reachable: false,
                    is_target: false,
                }
            })
            .collect();
        let mut images: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut edges = Vec::new();
        for (ri, r) in m.stage_refs.iter().enumerate() {
            let from = match r.target {
                RefTarget::Stage(s) => s,
                RefTarget::Image => {
                    let reference = if r.kind == RefKind::Base {
                        let s = &m.stages[r.stage];
                        s.base_resolved.clone().unwrap_or_else(|| r.text.clone())
                    } else {
                        r.text.clone()
                    };
                    if reference.is_empty() {
                        continue;
                    }
                    *images.entry(reference.clone()).or_insert_with(|| {
                        nodes.push(Node {
                            kind: NodeKind::Image { reference },
                            reachable: false,
                            is_target: false,
                        });
                        nodes.len() - 1
                    })
                }
                // Not resolvable to anything BuildKit would build; diagnostics report them.
                RefTarget::BadIndex(_) | RefTarget::Variable => continue,
            };
            let span = doc
                .syntax()
                .instructions
                .get(r.instr)
                .map_or(r.span, |i| i.span);
            edges.push(Edge {
                from,
                to: r.stage,
                kind: r.kind,
                span,
                reference: r.span,
                stage_ref: ri,
            });
        }

        let (source, target, unknown_target) = choose_target(doc, setting);

        let mut g = StageGraph {
            nodes,
            edges,
            target,
            source,
            unknown_target,
            cycles: m.cycles.iter().map(|c| c.stages.clone()).collect(),
            incoming: Vec::new(),
            outgoing: Vec::new(),
        };
        g.incoming = vec![Vec::new(); g.nodes.len()];
        g.outgoing = vec![Vec::new(); g.nodes.len()];
        for (i, e) in g.edges.iter().enumerate() {
            g.incoming[e.to].push(i);
            g.outgoing[e.from].push(i);
        }
        g.mark_reachable();
        g
    }

    /// The graph for an explicit target (`--target`, the `target` param of the LSP request),
    /// which wins over a target comment in the file. `unknown_target` is set when it names no
    /// stage.
    pub fn build_for_target(doc: &Document, target: &str) -> StageGraph {
        let mut g = StageGraph::build(doc, Some(target));
        if let TargetSource::Comment(_) = g.source {
            let m = doc.model();
            let last = m.stages.len().checked_sub(1);
            let (t, unknown) = match m.stage_by_name(target) {
                Some(s) => (Some(s), None),
                None => (last, Some(target.to_string())),
            };
            g.source = TargetSource::Setting(target.to_string());
            g.target = t;
            g.unknown_target = unknown;
            for n in &mut g.nodes {
                n.reachable = false;
                n.is_target = false;
            }
            g.mark_reachable();
        }
        g
    }

    /// BuildKit's `allReachableStages`: the target, its base and its dependencies, transitively;
    /// images are reachable when a reachable stage uses them. Linear in nodes and edges.
    fn mark_reachable(&mut self) {
        let Some(t) = self.target else { return };
        let mut stack = vec![t];
        while let Some(n) = stack.pop() {
            if self.nodes[n].reachable {
                continue;
            }
            self.nodes[n].reachable = true;
            stack.extend(self.incoming[n].iter().map(|&e| self.edges[e].from));
        }
        self.nodes[t].is_target = true;
    }

    /// The edges into `node` (what it depends on), in source order.
    pub fn edges_into(&self, node: usize) -> &[usize] {
        self.incoming.get(node).map_or(&[], Vec::as_slice)
    }

    /// The edges out of `node` (who uses it), in source order.
    pub fn edges_out_of(&self, node: usize) -> &[usize] {
        self.outgoing.get(node).map_or(&[], Vec::as_slice)
    }

    pub fn stage_count(&self) -> usize {
        self.nodes.iter().take_while(|n| n.is_stage()).count()
    }

    /// The target's label, e.g. `final`.
    pub fn target_label(&self) -> Option<String> {
        self.target.map(|t| self.nodes[t].label())
    }

    /// True when stage `s` is part of a circular dependency.
    pub fn in_cycle(&self, s: usize) -> bool {
        self.cycles.iter().any(|c| c.contains(&s))
    }

    /// A value that changes when what the graph shows changes (names, bases, edges, target,
    /// reachability), ignoring positions; used to decide when to refresh code lenses, on every
    /// edit, so it is a hash of those fields rather than a list of strings.
    pub fn signature(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.nodes.len(), self.edges.len()).hash(&mut h);
        for n in &self.nodes {
            match &n.kind {
                NodeKind::Stage {
                    index, name, base, ..
                } => (0u8, index, name, base).hash(&mut h),
                NodeKind::Image { reference } => (1u8, reference).hash(&mut h),
            }
            (n.reachable, n.is_target).hash(&mut h);
        }
        for e in &self.edges {
            (e.from, e.to, e.kind).hash(&mut h);
        }
        self.unknown_target.hash(&mut h);
        h.finish()
    }
}

/// A rendering of the graph (JSON is built by the caller, which knows positions in its encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text(text::Charset),
    Mermaid,
    Dot,
    Svg,
}

/// `g` rendered as `format`.
pub fn render(g: &StageGraph, format: Format) -> String {
    match format {
        Format::Text(charset) => text::render(g, charset),
        Format::Mermaid => mermaid::render(g),
        Format::Dot => dot::render(g),
        Format::Svg => svg::render(g),
    }
}

/// The name of an edge kind as shown to users and in JSON.
pub fn kind_name(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Base => "base",
        RefKind::Copy => "copy",
        RefKind::Mount => "mount",
    }
}

/// The first `# dockerfile-ls: target=NAME` comment outside instructions (comments inside a
/// continued instruction are not "top level"), with any later ones as duplicates.
pub fn target_comment(doc: &Document) -> Option<TargetComment> {
    let syntax = doc.syntax();
    let mut found: Option<TargetComment> = None;
    for (&comment, text) in syntax.comments.iter().zip(doc.texts_of(&syntax.comments)) {
        // The text first: almost no comment is a target comment.
        let Some((name, span)) = parse_target_comment(&text, comment.start) else {
            continue;
        };
        let inside = syntax
            .instruction_at(comment.start)
            .is_some_and(|i| syntax.instructions[i].span.start < comment.start);
        if inside {
            continue;
        }
        match &mut found {
            None => {
                found = Some(TargetComment {
                    name,
                    span,
                    duplicates: Vec::new(),
                })
            }
            Some(first) => first.duplicates.push(span),
        }
    }
    found
}

/// Where the build target comes from, the target stage, and the name that matched no stage:
/// the target comment wins over the setting; without either (or when the name matches no stage)
/// the last stage is built, as `docker build` without `--target` does.
fn choose_target(
    doc: &Document,
    setting: Option<&str>,
) -> (TargetSource, Option<usize>, Option<String>) {
    let comment = target_comment(doc);
    let (target, unknown) = resolve_target(doc, wanted_target(comment.as_ref(), setting));
    let source = match (comment, wanted_setting(setting)) {
        (Some(c), _) => TargetSource::Comment(c),
        (None, Some(s)) => TargetSource::Setting(s.to_string()),
        (None, None) => TargetSource::Default,
    };
    (source, target, unknown)
}

/// The target name asked for: the target comment's over the `target` setting.
fn wanted_target<'a>(
    comment: Option<&'a TargetComment>,
    setting: Option<&'a str>,
) -> Option<&'a str> {
    match comment {
        Some(c) => Some(c.name.as_str()),
        None => wanted_setting(setting),
    }
}

/// The `target` setting, when it names something.
fn wanted_setting(setting: Option<&str>) -> Option<&str> {
    setting.map(str::trim).filter(|s| !s.is_empty())
}

/// The stage built for the target name `wanted` (the last stage without one, or when it
/// matches no stage), and the name that matched no stage.
fn resolve_target(doc: &Document, wanted: Option<&str>) -> (Option<usize>, Option<String>) {
    let m = doc.model();
    let last = m.stages.len().checked_sub(1);
    match wanted {
        None => (last, None),
        Some(n) => match m.stage_by_name(n) {
            Some(s) => (Some(s), None),
            None => (last, Some(n.to_string())),
        },
    }
}

/// The target stage and, per stage, whether BuildKit builds it for that target: the same
/// answer as [`StageGraph::build`]'s `reachable` for stages, without building the graph (the
/// `UnreachableStage` check runs on every keystroke).
pub fn built_stages(doc: &Document, setting: Option<&str>) -> Option<(usize, Vec<bool>)> {
    built_stages_for(doc, target_comment(doc).as_ref(), setting)
}

/// [`built_stages`] with the document's [`target_comment`] already found (a diagnostics pass
/// finds it once for the rules that need it).
pub fn built_stages_for(
    doc: &Document,
    comment: Option<&TargetComment>,
    setting: Option<&str>,
) -> Option<(usize, Vec<bool>)> {
    let m = doc.model();
    let target = resolve_target(doc, wanted_target(comment, setting)).0?;
    // What each stage is built from: its base, `COPY --from` and `RUN --mount=from=` stages.
    let n = m.stages.len();
    let deps = StageLists::new(n, || {
        m.stage_refs.iter().filter_map(|r| match r.target {
            RefTarget::Stage(d) => Some((r.stage, d)),
            _ => None,
        })
    });
    let mut built = vec![false; n];
    let mut stack = vec![target];
    while let Some(s) = stack.pop() {
        if !std::mem::replace(&mut built[s], true) {
            stack.extend_from_slice(deps.get(s));
        }
    }
    Some((target, built))
}

/// `# dockerfile-ls: target=NAME` (whitespace around the parts allowed, other `key=value` pairs
/// after the prefix ignored): NAME and its span (`start` is the comment's offset). An empty
/// NAME gives an empty string with an empty span after `=`.
fn parse_target_comment(text: &str, start: usize) -> Option<(String, Span)> {
    let body = text.trim_start().strip_prefix('#')?;
    let rest = body.trim_start().strip_prefix(TARGET_COMMENT_PREFIX)?;
    let rest_at = text.len() - rest.len();
    let mut at = rest_at;
    for part in rest.split(|c: char| c.is_ascii_whitespace()) {
        let part_at = at;
        at += part.len() + 1;
        let Some(value) = part.strip_prefix("target=") else {
            continue;
        };
        let value_at = start + part_at + "target=".len();
        return Some((
            value.to_string(),
            Span::new(value_at, value_at + value.len()),
        ));
    }
    None
}
