//! The stage graph as a Mermaid flowchart: stages as boxes, images as rounded leaves, base edges
//! solid, copy edges dotted, mount edges thick, the target highlighted, stages not built for it
//! greyed, edges in a cycle red.
//!
//! Must not know: I/O.

use super::{kind_name, NodeKind, StageGraph};
use crate::analysis::model::RefKind;

pub fn render(g: &StageGraph) -> String {
    let mut out = String::from("flowchart TB\n");
    if let Some(t) = g.target_label() {
        out.push_str(&format!("  %% target: {}\n", comment(&t)));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let id = node_id(g, i);
        match &n.kind {
            NodeKind::Stage {
                index, base, line, ..
            } => {
                let mut label = format!("<b>{}</b><br/>stage {index}", escape(&n.label()));
                if !base.is_empty() {
                    label.push_str(&format!(" · FROM {}", escape(base)));
                }
                label.push_str(&format!("<br/>line {}", line + 1));
                if n.is_target {
                    label.push_str("<br/>target");
                }
                out.push_str(&format!("  {id}[\"{label}\"]\n"));
            }
            NodeKind::Image { reference } => {
                out.push_str(&format!("  {id}([\"{}\"])\n", escape(reference)));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut cycle_links = Vec::new();
    for e in &g.edges {
        let key = (e.from, e.to, e.kind);
        if !seen.insert(key) {
            continue;
        }
        let arrow = match e.kind {
            RefKind::Base => "-->",
            RefKind::Copy => "-.->",
            RefKind::Mount => "==>",
        };
        let in_cycle = e.kind != RefKind::Base
            && g.cycles
                .iter()
                .any(|c| c.contains(&e.from) && c.contains(&e.to));
        if in_cycle {
            cycle_links.push(seen.len() - 1);
        }
        out.push_str(&format!(
            "  {} {arrow}|{}| {}\n",
            node_id(g, e.from),
            kind_name(e.kind),
            node_id(g, e.to)
        ));
    }
    out.push_str("  classDef target stroke:#1f6feb,stroke-width:3px,fill:#ddf4ff,color:#0b1f33\n");
    out.push_str(
        "  classDef unreachable stroke:#b0b0b0,fill:#f2f2f2,color:#8a8a8a,stroke-dasharray:4 3\n",
    );
    out.push_str("  classDef image stroke:#8c8c8c,fill:#ffffff,color:#333333\n");
    let class = |pred: &dyn Fn(usize) -> bool| -> Vec<String> {
        (0..g.nodes.len())
            .filter(|&i| pred(i))
            .map(|i| node_id(g, i))
            .collect()
    };
    let targets = class(&|i| g.nodes[i].is_target);
    let unreachable = class(&|i| g.nodes[i].is_stage() && !g.nodes[i].reachable);
    let images = class(&|i| !g.nodes[i].is_stage() && g.nodes[i].reachable);
    let grey_images = class(&|i| !g.nodes[i].is_stage() && !g.nodes[i].reachable);
    for (ids, name) in [
        (targets, "target"),
        (unreachable, "unreachable"),
        (images, "image"),
        (grey_images, "unreachable"),
    ] {
        if !ids.is_empty() {
            out.push_str(&format!("  class {} {name}\n", ids.join(",")));
        }
    }
    if !cycle_links.is_empty() {
        let ids: Vec<String> = cycle_links.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "  linkStyle {} stroke:#d1242f,stroke-width:2px\n",
            ids.join(",")
        ));
    }
    out
}

/// `s3` for stage 3, `i0` for the first image: plain ids, so no name can clash with Mermaid's
/// keywords (`end`, `graph`, ...).
fn node_id(g: &StageGraph, i: usize) -> String {
    match g.nodes[i].kind {
        NodeKind::Stage { index, .. } => format!("s{index}"),
        NodeKind::Image { .. } => format!("i{}", i - g.stage_count()),
    }
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as Mermaid entity codes.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text in a `%%` comment: one line.
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}
