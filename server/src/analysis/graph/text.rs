//! The stage graph as a tree for the terminal: the target first with what it is built from,
//! then the stages that are not built for it.
//!
//! ```text
//! final · stage 5 · FROM gcr.io/distroless/static-debian12 · line 33 · target
//! ├── copy: build · stage 1 · FROM deps · line 11
//! │   └── base: deps · stage 0 · FROM golang:1.22-alpine · line 6
//! └── copy: assets · stage 2 · FROM node:20-alpine · line 18
//! ```
//!
//! A stage shown before is not expanded again (`(see above)`), so diamonds stay small and a
//! cycle ends at `(cycle)`. Lines are 1-based. Must not know: I/O, the terminal's locale (the
//! caller picks [`Charset`]).

use super::{kind_name, NodeKind, StageGraph};
use crate::analysis::model::RefKind;

/// Box-drawing characters, or plain ASCII for terminals without UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Unicode,
    Ascii,
}

struct Glyphs {
    tee: &'static str,
    last: &'static str,
    bar: &'static str,
    dot: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    tee: "├── ",
    last: "└── ",
    bar: "│   ",
    dot: " · ",
};

const ASCII: Glyphs = Glyphs {
    tee: "|-- ",
    last: "`-- ",
    bar: "|   ",
    dot: " - ",
};

pub fn render(g: &StageGraph, charset: Charset) -> String {
    let glyphs = match charset {
        Charset::Unicode => &UNICODE,
        Charset::Ascii => &ASCII,
    };
    let mut r = Renderer {
        g,
        glyphs,
        shown: vec![false; g.nodes.len()],
        on_path: vec![false; g.nodes.len()],
        out: String::new(),
    };
    let stages = g.stage_count();
    if stages == 0 {
        return "no stages\n".to_string();
    }
    if let Some(name) = &g.unknown_target {
        r.out.push_str(&format!(
            "warning: target stage `{name}` could not be found; showing the last stage\n"
        ));
    }
    if let Some(t) = g.target {
        r.tree(t);
    }
    // Roots of what is not built: unreachable stages that no unreachable stage uses.
    let unreachable: Vec<usize> = (0..stages).filter(|&s| !g.nodes[s].reachable).collect();
    if !unreachable.is_empty() {
        let target = g.target_label().unwrap_or_default();
        r.out
            .push_str(&format!("\nnot built for target '{target}':\n"));
        for &s in &unreachable {
            let used = g
                .edges_out_of(s)
                .iter()
                .any(|&e| !g.nodes[g.edges[e].to].reachable && g.edges[e].to != s);
            if !used && !r.shown[s] {
                r.tree(s);
            }
        }
        // Stages only reachable from each other in a cycle.
        for &s in &unreachable {
            if !r.shown[s] {
                r.tree(s);
            }
        }
    }
    for cycle in &g.cycles {
        let names: Vec<String> = cycle.iter().map(|&s| g.nodes[s].label()).collect();
        r.out.push_str(&format!(
            "\nerror: circular dependency between stages {}\n",
            names.join(", ")
        ));
    }
    r.out
}

struct Renderer<'a> {
    g: &'a StageGraph,
    glyphs: &'a Glyphs,
    shown: Vec<bool>,
    on_path: Vec<bool>,
    out: String,
}

impl Renderer<'_> {
    /// Prints `root` and, depth first, what it is built from. Iterative (an explicit stack), so
    /// a chain of thousands of stages cannot overflow the stack.
    fn tree(&mut self, root: usize) {
        let head = self.describe(root);
        self.out.push_str(&head);
        self.out.push('\n');
        self.shown[root] = true;
        self.on_path[root] = true;
        let mut stack = vec![Frame {
            node: root,
            prefix: String::new(),
            kids: self.kids(root),
            next: 0,
        }];
        while let Some(frame) = stack.last_mut() {
            let Some(&(child, kind)) = frame.kids.get(frame.next) else {
                self.on_path[frame.node] = false;
                stack.pop();
                continue;
            };
            frame.next += 1;
            let last = frame.next == frame.kids.len();
            let branch = if last {
                self.glyphs.last
            } else {
                self.glyphs.tee
            };
            let node = &self.g.nodes[child];
            let mut line = format!("{}{branch}{kind}: ", frame.prefix);
            let expand = if !node.is_stage() {
                line.push_str(&self.describe(child));
                false
            } else if self.on_path[child] {
                line.push_str(&format!("{} (cycle)", node.label()));
                false
            } else if self.shown[child] {
                line.push_str(&format!("{} (see above)", node.label()));
                false
            } else {
                line.push_str(&self.describe(child));
                true
            };
            let prefix = format!(
                "{}{}",
                frame.prefix,
                if last { "    " } else { self.glyphs.bar }
            );
            self.out.push_str(&line);
            self.out.push('\n');
            if expand {
                self.shown[child] = true;
                self.on_path[child] = true;
                let kids = self.kids(child);
                stack.push(Frame {
                    node: child,
                    prefix,
                    kids,
                    next: 0,
                });
            }
        }
    }

    /// One line for a node: its label and, for stages, index, base image and line.
    fn describe(&self, n: usize) -> String {
        let node = &self.g.nodes[n];
        let dot = self.glyphs.dot;
        match &node.kind {
            NodeKind::Stage {
                index,
                name,
                base,
                line,
                ..
            } => {
                let mut s = String::new();
                if let Some(name) = name {
                    s.push_str(name);
                    s.push_str(dot);
                }
                s.push_str(&format!("stage {index}"));
                if !base.is_empty() {
                    s.push_str(&format!("{dot}FROM {base}"));
                }
                s.push_str(&format!("{dot}line {}", line + 1));
                if node.is_target {
                    s.push_str(&format!("{dot}target"));
                }
                s
            }
            NodeKind::Image { reference } => format!("{reference} (image)"),
        }
    }

    /// The children of `n`: the stages it is built from (its base, then `--from` sources in
    /// source order) and images it copies or mounts from. Its base image is already in its
    /// own line, so it is not repeated.
    fn kids(&self, n: usize) -> Vec<(usize, &'static str)> {
        let mut kids: Vec<(usize, &'static str)> = Vec::new();
        for &e in self.g.edges_into(n) {
            let edge = &self.g.edges[e];
            let from = &self.g.nodes[edge.from];
            if !from.is_stage() && edge.kind == RefKind::Base {
                continue;
            }
            let item = (edge.from, kind_name(edge.kind));
            if !kids.contains(&item) {
                kids.push(item);
            }
        }
        kids
    }
}

struct Frame {
    node: usize,
    prefix: String,
    kids: Vec<(usize, &'static str)>,
    next: usize,
}
