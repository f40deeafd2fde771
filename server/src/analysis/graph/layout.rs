//! A layered ("Sugiyama") layout for small directed graphs: longest-path layering, dummy nodes
//! on edges that span several layers, barycentric crossing reduction, and x coordinates pulled
//! towards neighbours without overlaps.
//!
//! Cycles are broken before layering (an edge that closes a cycle is laid out as a back edge),
//! so the layout always terminates. Must not know: SVG, Dockerfiles.

/// A node to place: its size in pixels and the layer it must not go above (images sit just
/// above their first user, so they set no minimum).
#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub width: f64,
    pub height: f64,
}

#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Centre of every node.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub layer: Vec<usize>,
    /// For every edge, the points from the source's bottom to the target's top (through the
    /// dummy nodes); for a back edge, empty (the renderer draws it around the side).
    pub routes: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
}

pub const H_GAP: f64 = 28.0;
pub const V_GAP: f64 = 64.0;
pub const MARGIN: f64 = 24.0;
const DUMMY_WIDTH: f64 = 12.0;
/// Above this many dummy nodes, long edges are drawn straight (huge graphs are unreadable
/// anyway, and the layout must stay fast).
const MAX_DUMMIES: usize = 20_000;

/// Lays out `items` with `edges` (`(from, to)`, content flowing down). `sources` marks nodes
/// that should sit just above their first user (external images) instead of at the top.
pub fn layout(items: &[Item], edges: &[(usize, usize)], sources: &[bool]) -> Layout {
    let n = items.len();
    if n == 0 {
        return Layout::default();
    }
    let order = acyclic_order(n, edges);
    let mut pos = vec![0; n];
    for (i, &v) in order.iter().enumerate() {
        pos[v] = i;
    }
    let forward: Vec<bool> = edges.iter().map(|&(u, v)| pos[u] < pos[v]).collect();

    // Longest path from the top over forward edges, ignoring the free-floating sources.
    let mut layer = vec![0usize; n];
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (ei, &(u, w)) in edges.iter().enumerate() {
        if forward[ei] && !sources[u] && !sources[w] {
            incoming[w].push(u);
        }
    }
    for &v in &order {
        for &u in &incoming[v] {
            layer[v] = layer[v].max(layer[u] + 1);
        }
    }
    // Then move every node down to just above its nearest user, so a stage sits next to the
    // stages that use it instead of at the top with a long edge down.
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (u_list, v) in incoming.iter().zip(0..) {
        for &u in u_list {
            outgoing[u].push(v);
        }
    }
    for &v in order.iter().rev() {
        if let Some(nearest) = outgoing[v].iter().map(|&w| layer[w]).min() {
            layer[v] = layer[v].max(nearest.saturating_sub(1));
        }
    }
    let any_source = sources.iter().any(|&s| s);
    if any_source {
        for l in layer.iter_mut() {
            *l += 1;
        }
        let mut first_user = vec![usize::MAX; n];
        for &(u, w) in edges {
            if sources[u] && !sources[w] {
                first_user[u] = first_user[u].min(layer[w]);
            }
        }
        for v in 0..n {
            if sources[v] {
                layer[v] = if first_user[v] == usize::MAX {
                    0
                } else {
                    first_user[v] - 1
                };
            }
        }
    }

    // Virtual graph: real nodes, then dummies along long forward edges.
    let mut vlayer = layer.clone();
    let mut vwidth: Vec<f64> = items.iter().map(|i| i.width).collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    let total_dummies: usize = edges
        .iter()
        .map(|&(u, v)| layer[v].saturating_sub(layer[u]).saturating_sub(1))
        .sum();
    let use_dummies = total_dummies <= MAX_DUMMIES;
    for (ei, &(u, v)) in edges.iter().enumerate() {
        let mut chain = vec![u];
        let down = layer[u] < layer[v];
        if down && use_dummies && (forward[ei] || sources[u]) {
            for l in layer[u] + 1..layer[v] {
                vlayer.push(l);
                vwidth.push(DUMMY_WIDTH);
                chain.push(vlayer.len() - 1);
            }
        }
        chain.push(v);
        chains.push(chain);
    }
    let vn = vlayer.len();
    let layers = vlayer.iter().max().map_or(0, |m| m + 1);
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); vn];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); vn];
    for (ei, chain) in chains.iter().enumerate() {
        let (u, v) = edges[ei];
        if layer[u] >= layer[v] {
            continue;
        }
        for w in chain.windows(2) {
            down[w[0]].push(w[1]);
            up[w[1]].push(w[0]);
        }
    }

    // Initial order: by the given node order (stage order), dummies after their source.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    let mut key: Vec<f64> = vec![0.0; vn];
    for (v, k) in key.iter_mut().enumerate().take(n) {
        *k = pos[v] as f64;
    }
    for chain in &chains {
        for &d in &chain[1..chain.len() - 1] {
            key[d] = pos[chain[0]] as f64 + 0.5;
        }
    }
    for v in 0..vn {
        rows[vlayer[v]].push(v);
    }
    for row in rows.iter_mut() {
        row.sort_by(|a, b| key[*a].total_cmp(&key[*b]));
    }

    // Barycentric sweeps, keeping the order with the fewest crossings.
    let mut best = rows.clone();
    let mut best_cross = crossings(&rows, &down, vn);
    for sweep in 0..12 {
        let downwards = sweep % 2 == 0;
        let range: Vec<usize> = if downwards {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in range {
            let neighbour_row = if downwards { l - 1 } else { l + 1 };
            let mut at = vec![0.0; vn];
            for (i, &v) in rows[neighbour_row].iter().enumerate() {
                at[v] = i as f64;
            }
            let adj = if downwards { &up } else { &down };
            let row = &mut rows[l];
            let current: Vec<(usize, f64)> = row
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let ns = &adj[v];
                    let bary = if ns.is_empty() {
                        i as f64
                    } else {
                        ns.iter().map(|&w| at[w]).sum::<f64>() / ns.len() as f64
                    };
                    (v, bary)
                })
                .collect();
            let mut sorted = current;
            sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
            *row = sorted.into_iter().map(|(v, _)| v).collect();
        }
        let c = crossings(&rows, &down, vn);
        if c < best_cross {
            best_cross = c;
            best = rows.clone();
        }
    }
    let rows = best;

    // Heights per layer.
    let mut layer_h = vec![0.0f64; layers];
    for v in 0..n {
        layer_h[vlayer[v]] = layer_h[vlayer[v]].max(items[v].height);
    }
    let mut layer_y = vec![0.0; layers];
    let mut y = MARGIN;
    for l in 0..layers {
        let h = if layer_h[l] > 0.0 { layer_h[l] } else { 20.0 };
        layer_y[l] = y + h / 2.0;
        y += h + V_GAP;
    }

    // x: pack each row, then pull nodes towards the mean of their neighbours.
    let mut x = vec![0.0f64; vn];
    for row in &rows {
        let mut cx = MARGIN;
        for &v in row {
            x[v] = cx + vwidth[v] / 2.0;
            cx += vwidth[v] + H_GAP;
        }
    }
    for round in 0..8 {
        let downwards = round % 2 == 0;
        let order: Vec<usize> = if downwards {
            (0..layers).collect()
        } else {
            (0..layers).rev().collect()
        };
        for l in order {
            let row = &rows[l];
            let wanted: Vec<f64> = row
                .iter()
                .map(|&v| {
                    let ns: Vec<usize> = up[v].iter().chain(down[v].iter()).copied().collect();
                    if ns.is_empty() {
                        x[v]
                    } else {
                        ns.iter().map(|&w| x[w]).sum::<f64>() / ns.len() as f64
                    }
                })
                .collect();
            place_row(row, &wanted, &vwidth, &mut x);
        }
    }
    // Shift everything right of the margin.
    let min_left = (0..vn)
        .map(|v| x[v] - vwidth[v] / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = MARGIN - min_left;
    for xv in x.iter_mut() {
        *xv += shift;
    }
    let width = (0..vn).map(|v| x[v] + vwidth[v] / 2.0).fold(0.0, f64::max) + MARGIN;

    let ys: Vec<f64> = (0..vn).map(|v| layer_y[vlayer[v]]).collect();
    let routes: Vec<Vec<(f64, f64)>> = chains
        .iter()
        .enumerate()
        .map(|(ei, chain)| {
            let (u, v) = edges[ei];
            if layer[u] >= layer[v] {
                return Vec::new();
            }
            let mut pts = Vec::with_capacity(chain.len());
            pts.push((x[u], ys[u] + items[u].height / 2.0));
            for &d in &chain[1..chain.len() - 1] {
                pts.push((x[d], ys[d]));
            }
            pts.push((x[v], ys[v] - items[v].height / 2.0));
            pts
        })
        .collect();
    let mut routes: Vec<Vec<(f64, f64)>> = routes;
    spread_ports(&mut routes, edges, items, &x);
    Layout {
        x: x[..n].to_vec(),
        y: ys[..n].to_vec(),
        layer: layer.clone(),
        routes,
        width,
        height: y - V_GAP + MARGIN,
    }
}

/// Nodes in an order where every edge goes forward except those that close a cycle: Kahn's
/// algorithm, taking the lowest-numbered ready node; when only cycles remain, the
/// lowest-numbered remaining node goes next.
fn acyclic_order(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(u, v) in edges {
        if u != v {
            indeg[v] += 1;
            out[u].push(v);
        }
    }
    let mut done = vec![false; n];
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
        .filter(|&v| indeg[v] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut order = Vec::with_capacity(n);
    let mut next_forced = 0;
    while order.len() < n {
        let v = match ready.pop() {
            Some(std::cmp::Reverse(v)) if !done[v] => v,
            Some(_) => continue,
            None => {
                while done[next_forced] {
                    next_forced += 1;
                }
                next_forced
            }
        };
        done[v] = true;
        order.push(v);
        for &w in &out[v] {
            indeg[w] = indeg[w].saturating_sub(1);
            if indeg[w] == 0 && !done[w] {
                ready.push(std::cmp::Reverse(w));
            }
        }
    }
    order
}

/// Edge crossings between consecutive rows.
fn crossings(rows: &[Vec<usize>], down: &[Vec<usize>], vn: usize) -> usize {
    let mut at = vec![0usize; vn];
    for row in rows {
        for (i, &v) in row.iter().enumerate() {
            at[v] = i;
        }
    }
    let mut total = 0;
    for row in rows {
        let mut segs: Vec<(usize, usize)> = Vec::new();
        for (i, &v) in row.iter().enumerate() {
            for &w in &down[v] {
                segs.push((i, at[w]));
            }
        }
        if segs.len() > 400 {
            // Quadratic counting gets slow; the order is good enough without it.
            continue;
        }
        for a in 0..segs.len() {
            for b in a + 1..segs.len() {
                let (p, q) = (segs[a], segs[b]);
                if (p.0 < q.0 && p.1 > q.1) || (p.0 > q.0 && p.1 < q.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Moves the nodes of one row as close to `wanted` as the order and the gaps allow.
fn place_row(row: &[usize], wanted: &[f64], width: &[f64], x: &mut [f64]) {
    if row.is_empty() {
        return;
    }
    // Left to right: at least the gap after the previous node.
    let mut placed: Vec<f64> = Vec::with_capacity(row.len());
    for (i, &v) in row.iter().enumerate() {
        let mut p = wanted[i];
        if i > 0 {
            let prev = row[i - 1];
            let min = placed[i - 1] + width[prev] / 2.0 + H_GAP + width[v] / 2.0;
            p = p.max(min);
        }
        placed.push(p);
    }
    // Right to left: pull back nodes pushed too far, keeping the gaps.
    for i in (0..row.len().saturating_sub(1)).rev() {
        let v = row[i];
        let next = row[i + 1];
        let max = placed[i + 1] - width[next] / 2.0 - H_GAP - width[v] / 2.0;
        if placed[i] > max {
            placed[i] = max;
        } else {
            placed[i] = placed[i].max(wanted[i].min(max));
        }
    }
    for (i, &v) in row.iter().enumerate() {
        x[v] = placed[i];
    }
}

/// Spreads the ends of the edges that leave (or enter) one node along its bottom (or top)
/// side, ordered by where the edge goes, so arrows into a busy stage stay apart.
fn spread_ports(
    routes: &mut [Vec<(f64, f64)>],
    edges: &[(usize, usize)],
    items: &[Item],
    x: &[f64],
) {
    let n = items.len();
    let mut outs: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    let mut ins: Vec<Vec<(f64, usize)>> = vec![Vec::new(); n];
    for (ei, r) in routes.iter().enumerate() {
        if r.len() < 2 {
            continue;
        }
        let (u, v) = edges[ei];
        outs[u].push((r[1].0, ei));
        ins[v].push((r[r.len() - 2].0, ei));
    }
    let place =
        |list: &mut Vec<(f64, usize)>, node: usize, routes: &mut [Vec<(f64, f64)>], first: bool| {
            if list.len() < 2 {
                return;
            }
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
            let usable = (items[node].width - 24.0)
                .max(0.0)
                .min(list.len() as f64 * 40.0);
            let left = x[node] - usable / 2.0;
            let k = list.len() as f64;
            for (i, &(_, ei)) in list.iter().enumerate() {
                let px = left + usable * (i as f64 + 0.5) / k;
                let r = &mut routes[ei];
                if first {
                    r[0].0 = px;
                } else {
                    let last = r.len() - 1;
                    r[last].0 = px;
                }
            }
        };
    for v in 0..n {
        place(&mut outs[v], v, routes, true);
        place(&mut ins[v], v, routes, false);
    }
}
