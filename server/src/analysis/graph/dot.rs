//! The stage graph in Graphviz DOT: stages as boxes, images as ellipses, base edges solid, copy
//! edges dashed, mount edges bold, the target highlighted, stages not built for it greyed, edges
//! in a cycle red.
//!
//! Must not know: I/O.

use super::{kind_name, NodeKind, StageGraph};
use crate::analysis::model::RefKind;

pub fn render(g: &StageGraph) -> String {
    let mut out = String::from("digraph stages {\n");
    out.push_str("  rankdir=TB;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#57606a\", fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#57606a\"];\n");
    if let Some(t) = g.target_label() {
        out.push_str(&format!(
            "  label={};\n  labelloc=t;\n",
            quote(&format!("target: {t}"))
        ));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let mut attrs = Vec::new();
        match &n.kind {
            NodeKind::Stage {
                index, base, line, ..
            } => {
                let mut label = format!("{}\nstage {index}", n.label());
                if !base.is_empty() {
                    label.push_str(&format!(" · FROM {base}"));
                }
                label.push_str(&format!("\nline {}", line + 1));
                if n.is_target {
                    label.push_str("\ntarget");
                }
                attrs.push(format!("label={}", quote(&label)));
            }
            NodeKind::Image { reference } => {
                attrs.push(format!("label={}", quote(reference)));
                attrs.push("shape=ellipse".to_string());
                if n.reachable {
                    attrs.push("style=filled".to_string());
                } else {
                    attrs.push(
                        "style=\"filled,dashed\", color=\"#b0b0b0\", fontcolor=\"#8a8a8a\", fillcolor=\"#f2f2f2\""
                            .to_string(),
                    );
                }
            }
        }
        if n.is_target {
            attrs.push("color=\"#1f6feb\", penwidth=3, fillcolor=\"#ddf4ff\"".to_string());
        } else if !n.reachable && n.is_stage() {
            attrs.push(
                "color=\"#b0b0b0\", fontcolor=\"#8a8a8a\", fillcolor=\"#f2f2f2\", style=\"rounded,filled,dashed\""
                    .to_string(),
            );
        }
        out.push_str(&format!("  n{i} [{}];\n", attrs.join(", ")));
    }
    let mut seen = std::collections::HashSet::new();
    for e in &g.edges {
        let key = (e.from, e.to, e.kind);
        if !seen.insert(key) {
            continue;
        }
        let style = match e.kind {
            RefKind::Base => "solid",
            RefKind::Copy => "dashed",
            RefKind::Mount => "bold",
        };
        let mut attrs = vec![
            format!("label={}", quote(kind_name(e.kind))),
            format!("style={style}"),
        ];
        let in_cycle = e.kind != RefKind::Base
            && g.cycles
                .iter()
                .any(|c| c.contains(&e.from) && c.contains(&e.to));
        if in_cycle {
            attrs.push("color=\"#d1242f\", fontcolor=\"#d1242f\"".to_string());
        } else if !g.nodes[e.to].reachable {
            attrs.push("color=\"#b0b0b0\", fontcolor=\"#8a8a8a\"".to_string());
        }
        out.push_str(&format!(
            "  n{} -> n{} [{}];\n",
            e.from,
            e.to,
            attrs.join(", ")
        ));
    }
    out.push_str("}\n");
    out
}

/// A DOT double-quoted string: `"` and `\` escaped, line breaks as `\n` (centred lines).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
