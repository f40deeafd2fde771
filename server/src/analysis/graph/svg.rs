//! The stage graph as a standalone SVG picture, laid out by [`super::layout`]: stages as boxes
//! (name, base image, line), images as pills above their first user, edges labelled by kind
//! (base solid, copy dashed, mount dotted), the target highlighted in blue, stages not built for
//! it greyed, edges in a cycle red, and a legend.
//!
//! Every stage is a `<g class="stage" data-line="N" data-stage="NAME_OR_INDEX">` (0-based FROM
//! line, as in the JSON graph) so a webview can jump to the stage when it is clicked. Text widths
//! are estimated for a monospace font, which the picture asks for.
//!
//! Must not know: I/O.

use std::fmt::Write as _;

use super::layout::{self, Item, Layout};
use super::{kind_name, NodeKind, StageGraph};
use crate::analysis::model::RefKind;

const FONT: &str = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace";
const CHAR_W: f64 = 7.3;
const NAME_CHAR_W: f64 = 8.2;
const PAD_X: f64 = 14.0;
const STAGE_H: f64 = 62.0;
const IMAGE_H: f64 = 28.0;
/// Longest base image or image reference shown in full; longer ones are cut with `…`.
const MAX_TEXT: usize = 44;
const HEADER_H: f64 = 34.0;
const LEGEND_H: f64 = 44.0;

const INK: &str = "#24292f";
const MUTED: &str = "#57606a";
const GREY: &str = "#a8a8a8";
const GREY_FILL: &str = "#f3f3f3";
const BLUE: &str = "#0969da";
const TARGET: &str = "#1f6feb";
const TARGET_FILL: &str = "#ddf4ff";
const PURPLE: &str = "#8250df";
const RED: &str = "#cf222e";

pub fn render(g: &StageGraph) -> String {
    let stages = g.stage_count();
    // One drawn edge per (from, to, kind).
    let mut seen = std::collections::HashSet::new();
    let drawn: Vec<usize> = (0..g.edges.len())
        .filter(|&i| {
            let e = &g.edges[i];
            seen.insert((e.from, e.to, e.kind))
        })
        .collect();
    // Shapes to place: every stage, and one pill per use of an image, right above its user
    // (one shared pill for `alpine` used by ten stages would pull long edges across the
    // picture).
    let mut shapes: Vec<usize> = (0..stages).collect();
    let pairs: Vec<(usize, usize)> = drawn
        .iter()
        .map(|&i| {
            let e = &g.edges[i];
            if g.nodes[e.from].is_stage() {
                (e.from, e.to)
            } else {
                shapes.push(e.from);
                (shapes.len() - 1, e.to)
            }
        })
        .collect();
    let items: Vec<Item> = shapes
        .iter()
        .map(|&n| {
            let n = &g.nodes[n];
            Item {
                width: node_width(g, n),
                height: if n.is_stage() { STAGE_H } else { IMAGE_H },
            }
        })
        .collect();
    let sources: Vec<bool> = shapes.iter().map(|&n| !g.nodes[n].is_stage()).collect();
    let lay = layout::layout(&items, &pairs, &sources);

    let width = lay.width.max(420.0);
    let height = lay.height + HEADER_H + LEGEND_H;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"12\">",
        w = num(width),
        h = num(height)
    );
    let title = match g.target_label() {
        Some(t) => format!("Stage graph, target {t}"),
        None => "Stage graph".to_string(),
    };
    let _ = writeln!(out, "<title>{}</title>", xml_escape(&title));
    out.push_str("<defs>\n");
    for (id, color) in [
        ("base", MUTED),
        ("copy", BLUE),
        ("mount", PURPLE),
        ("grey", GREY),
        ("cycle", RED),
    ] {
        let _ = writeln!(
            out,
            "<marker id=\"arrow-{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{color}\"/></marker>"
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        num(width),
        num(height)
    );
    header(&mut out, g);

    let _ = writeln!(out, "<g transform=\"translate(0,{})\">", num(HEADER_H));
    out.push_str("<g class=\"edges\">\n");
    let mut labels = String::new();
    for (k, &ei) in drawn.iter().enumerate() {
        edge(
            &mut out,
            &mut labels,
            g,
            (&lay, &items),
            ei,
            pairs[k],
            &lay.routes[k],
        );
    }
    out.push_str("</g>\n");
    for (i, &n) in shapes.iter().enumerate() {
        node(&mut out, g, i, &g.nodes[n], &lay, &items[i]);
    }
    // Labels last, so no box hides them.
    out.push_str("<g class=\"labels\">\n");
    out.push_str(&labels);
    out.push_str("</g>\n</g>\n");
    legend(&mut out, height - LEGEND_H + 8.0);
    if stages == 0 {
        let _ = writeln!(
            out,
            "<text x=\"24\" y=\"{}\" fill=\"{MUTED}\">no stages</text>",
            num(HEADER_H + 30.0)
        );
    }
    out.push_str("</svg>\n");
    out
}

fn header(out: &mut String, g: &StageGraph) {
    let mut text = match g.target_label() {
        Some(t) => format!("target: {t}"),
        None => String::new(),
    };
    let built = g
        .nodes
        .iter()
        .filter(|n| n.is_stage() && n.reachable)
        .count();
    let stages = g.stage_count();
    if stages > 0 {
        let _ = write!(text, " · {built} of {stages} stages built");
    }
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"22\" fill=\"{INK}\" font-weight=\"bold\">{}</text>",
        num(layout::MARGIN),
        xml_escape(&text)
    );
    let mut notes = Vec::new();
    if let Some(u) = &g.unknown_target {
        notes.push(format!(
            "target stage {u} not found, showing the last stage"
        ));
    }
    for c in &g.cycles {
        let names: Vec<String> = c.iter().map(|&s| g.nodes[s].label()).collect();
        notes.push(format!("circular dependency: {}", names.join(", ")));
    }
    if !notes.is_empty() {
        let x = layout::MARGIN + text.chars().count() as f64 * CHAR_W + 24.0;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"22\" fill=\"{RED}\">{}</text>",
            num(x),
            xml_escape(&notes.join("; "))
        );
    }
}

fn node_width(g: &StageGraph, n: &super::Node) -> f64 {
    match &n.kind {
        NodeKind::Stage { .. } => {
            let (name, detail, line) = stage_lines(g, n);
            let name_w =
                name.chars().count() as f64 * NAME_CHAR_W + if n.is_target { 64.0 } else { 0.0 };
            let text_w = detail.chars().count().max(line.chars().count()) as f64 * CHAR_W;
            (name_w.max(text_w) + 2.0 * PAD_X).max(110.0)
        }
        NodeKind::Image { reference } => {
            (cut(reference).chars().count() as f64 * CHAR_W + 2.0 * PAD_X).max(60.0)
        }
    }
}

/// The three text lines of a stage box: name, `stage N · FROM base`, `line L`.
fn stage_lines(_g: &StageGraph, n: &super::Node) -> (String, String, String) {
    let NodeKind::Stage {
        index, base, line, ..
    } = &n.kind
    else {
        return (n.label(), String::new(), String::new());
    };
    let mut detail = format!("stage {index}");
    if !base.is_empty() {
        let _ = write!(detail, " · FROM {}", cut(base));
    }
    let status = if n.reachable { "" } else { " · not built" };
    (n.label(), detail, format!("line {}{status}", line + 1))
}

fn node(out: &mut String, g: &StageGraph, i: usize, n: &super::Node, lay: &Layout, item: &Item) {
    let (cx, cy) = (lay.x[i], lay.y[i]);
    let (x, y) = (cx - item.width / 2.0, cy - item.height / 2.0);
    let (stroke, fill, ink, dash, sw) = if n.is_target {
        (TARGET, TARGET_FILL, INK, "", 3.0)
    } else if !n.reachable {
        (GREY, GREY_FILL, GREY, " stroke-dasharray=\"5 4\"", 1.2)
    } else {
        (MUTED, "#ffffff", INK, "", 1.2)
    };
    match &n.kind {
        NodeKind::Stage { index, name, .. } => {
            let key = name.clone().unwrap_or_else(|| index.to_string());
            let line = match n.kind {
                NodeKind::Stage { line, .. } => line,
                NodeKind::Image { .. } => 0,
            };
            let class = if n.is_target {
                "stage target"
            } else if n.reachable {
                "stage"
            } else {
                "stage unreachable"
            };
            let _ = writeln!(
                out,
                "<g class=\"{class}\" data-line=\"{line}\" data-stage=\"{}\" cursor=\"pointer\">",
                xml_escape(&key)
            );
            let (title, detail, line_text) = stage_lines(g, n);
            let _ = writeln!(
                out,
                "<title>{}</title>",
                xml_escape(&format!("{title}: {detail}, {line_text}"))
            );
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"7\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{}\"{dash}/>",
                num(x),
                num(y),
                num(item.width),
                num(item.height),
                num(sw)
            );
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{ink}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
                num(x + PAD_X),
                num(y + 20.0),
                xml_escape(&title)
            );
            if n.is_target {
                let bx = x + item.width - PAD_X - 52.0;
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"52\" height=\"17\" rx=\"8\" fill=\"{TARGET}\"/><text x=\"{}\" y=\"{}\" fill=\"#ffffff\" font-size=\"11\" text-anchor=\"middle\">target</text>",
                    num(bx),
                    num(y + 7.0),
                    num(bx + 26.0),
                    num(y + 19.5)
                );
            }
            let detail_ink = if n.reachable { MUTED } else { GREY };
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{detail_ink}\">{}</text>",
                num(x + PAD_X),
                num(y + 38.0),
                xml_escape(&detail)
            );
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{detail_ink}\">{}</text>",
                num(x + PAD_X),
                num(y + 54.0),
                xml_escape(&line_text)
            );
            out.push_str("</g>\n");
        }
        NodeKind::Image { reference } => {
            let class = if n.reachable {
                "image"
            } else {
                "image unreachable"
            };
            let _ = writeln!(
                out,
                "<g class=\"{class}\" data-image=\"{}\">",
                xml_escape(reference)
            );
            let _ = writeln!(
                out,
                "<title>{}</title>",
                xml_escape(&format!("image {reference}"))
            );
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1\"{dash}/>",
                num(x),
                num(y),
                num(item.width),
                num(item.height),
                num(item.height / 2.0),
                if n.reachable { "#f6f8fa" } else { GREY_FILL },
                if n.reachable { MUTED } else { GREY }
            );
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"{}\" text-anchor=\"middle\">{}</text>",
                num(cx),
                num(cy + 4.0),
                if n.reachable { INK } else { GREY },
                xml_escape(&cut(reference))
            );
            out.push_str("</g>\n");
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn edge(
    out: &mut String,
    labels: &mut String,
    g: &StageGraph,
    (lay, items): (&Layout, &[Item]),
    ei: usize,
    (u, v): (usize, usize),
    route: &[(f64, f64)],
) {
    let e = &g.edges[ei];
    let in_cycle = e.kind != RefKind::Base
        && g.cycles
            .iter()
            .any(|c| c.contains(&e.from) && c.contains(&e.to));
    let (color, marker) = if in_cycle {
        (RED, "cycle")
    } else if !g.nodes[e.to].reachable {
        (GREY, "grey")
    } else {
        match e.kind {
            RefKind::Base => (MUTED, "base"),
            RefKind::Copy => (BLUE, "copy"),
            RefKind::Mount => (PURPLE, "mount"),
        }
    };
    let dash = match e.kind {
        RefKind::Base => "",
        RefKind::Copy => " stroke-dasharray=\"7 4\"",
        RefKind::Mount => " stroke-dasharray=\"2 3\"",
    };
    let width = if e.kind == RefKind::Mount { 2.2 } else { 1.5 };
    let (d, label_at) = if route.len() >= 2 {
        let mut d = format!("M{},{}", num(route[0].0), num(route[0].1));
        for w in route.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let dy = (y1 - y0) / 2.0;
            let _ = write!(
                d,
                " C{},{} {},{} {},{}",
                num(x0),
                num(y0 + dy),
                num(x1),
                num(y1 - dy),
                num(x1),
                num(y1)
            );
        }
        // The label sits on the middle of the route (a point halfway between two waypoints).
        let mid = route.len() / 2;
        let (a, b) = (route[mid - 1], route[mid]);
        (d, ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0))
    } else {
        // A back edge (cycle, or a copy from a later stage laid out below): around the right.
        let (sx, sy) = (lay.x[u] + items[u].width / 2.0, lay.y[u]);
        let (tx, ty) = (lay.x[v] + items[v].width / 2.0, lay.y[v]);
        let bulge = sx.max(tx) + 60.0;
        let (sy, ty) = if u == v {
            (sy - 10.0, ty + 10.0)
        } else {
            (sy, ty)
        };
        let d = format!(
            "M{},{} C{},{} {},{} {},{}",
            num(sx),
            num(sy),
            num(bulge),
            num(sy),
            num(bulge),
            num(ty),
            num(tx),
            num(ty)
        );
        (d, (bulge - 15.0, (sy + ty) / 2.0))
    };
    let _ = writeln!(
        out,
        "<path class=\"edge {}\" d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{}\"{dash} marker-end=\"url(#arrow-{marker})\"/>",
        kind_name(e.kind),
        num(width)
    );
    let text = kind_name(e.kind);
    let w = text.len() as f64 * 6.6 + 8.0;
    let _ = writeln!(
        labels,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/><text x=\"{}\" y=\"{}\" fill=\"{color}\" font-size=\"11\" text-anchor=\"middle\">{text}</text>",
        num(label_at.0 - w / 2.0),
        num(label_at.1 - 8.0),
        num(w),
        num(label_at.0),
        num(label_at.1 + 3.0)
    );
}

fn legend(out: &mut String, y: f64) {
    let mut x = layout::MARGIN;
    let _ = writeln!(
        out,
        "<g class=\"legend\" font-size=\"11\" fill=\"{MUTED}\">"
    );
    for (kind, color, dash) in [
        ("base", MUTED, ""),
        ("copy", BLUE, " stroke-dasharray=\"7 4\""),
        ("mount", PURPLE, " stroke-dasharray=\"2 3\""),
    ] {
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{color}\" stroke-width=\"1.8\"{dash}/><text x=\"{}\" y=\"{}\">{kind}</text>",
            num(x),
            num(y + 10.0),
            num(x + 28.0),
            num(y + 10.0),
            num(x + 34.0),
            num(y + 14.0)
        );
        x += 34.0 + kind.len() as f64 * 6.6 + 18.0;
    }
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"14\" rx=\"4\" fill=\"{TARGET_FILL}\" stroke=\"{TARGET}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">target</text>",
        num(x),
        num(y + 3.0),
        num(x + 28.0),
        num(y + 14.0)
    );
    x += 28.0 + 6.0 * 6.6 + 18.0;
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"22\" height=\"14\" rx=\"4\" fill=\"{GREY_FILL}\" stroke=\"{GREY}\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{}\">not built for the target</text>",
        num(x),
        num(y + 3.0),
        num(x + 28.0),
        num(y + 14.0)
    );
    out.push_str("</g>\n");
}

/// A reference cut to [`MAX_TEXT`] characters.
fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT {
        return s.to_string();
    }
    let mut t: String = s.chars().take(MAX_TEXT - 1).collect();
    t.push('…');
    t
}

/// XML text and attribute escaping; control characters and U+FFFE/U+FFFF (not allowed in XML
/// 1.0) become spaces. Also used for the checkstyle report of `dockerfile-ls check`.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}
