//! What the cursor is on (a stage or a variable) and every place that symbol occurs: the one
//! resolver behind definition, references, highlight and rename.
//!
//! A variable "symbol" is a group of definitions and uses that BuildKit treats as the same
//! variable: a use and the definition in scope, a stage's `ARG NAME` and the global ARG it
//! re-declares, a stage's definition and the same name defined in the stage it is built on,
//! several definitions of one name in one stage (or among the global ARGs), and (when nothing
//! defines it) every use of that name in the same scope (a stage, or the `FROM` lines).
//!
//! A heredoc's delimiter is a symbol too: the name after `<<` and its terminator line.
//!
//! Must not know: LSP types.

use crate::analysis::model::{Model, RefTarget};
use crate::analysis::syntax::Heredoc;
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Symbol {
    Stage(usize),
    /// A variable group, named by one of its members (see [`var_group`]).
    Var(VarMember),
    /// The delimiter of heredoc `heredoc` of instruction `instr` (top-level instructions only).
    Heredoc {
        instr: usize,
        heredoc: usize,
    },
}

/// A definition (index into `Model::vars`) or a use (index into `Model::var_uses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarMember {
    Def(usize),
    Use(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OccurrenceKind {
    /// The stage name after `AS`, or a variable's ARG/ENV name.
    Declaration,
    Read,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub span: Span,
    pub kind: OccurrenceKind,
    /// The text at `span` is the symbol's name (false for `--from=0` or `FROM ${BASE}`), so a
    /// rename may rewrite it.
    pub renamable: bool,
}

/// The symbol at `offset` and the span of the name under the cursor.
pub fn symbol_at(doc: &Document, offset: usize) -> Option<(Symbol, Span)> {
    let m = doc.model();
    for s in &m.stages {
        if let Some(n) = &s.name {
            if n.span.touches(offset) {
                return Some((Symbol::Stage(s.index), n.span));
            }
        }
    }
    if let Some(r) = m.stage_ref_at(offset) {
        let r = &m.stage_refs[r];
        if let RefTarget::Stage(s) = r.target {
            return Some((Symbol::Stage(s), r.span));
        }
    }
    if let Some(d) = m.var_def_at(offset) {
        return Some((Symbol::Var(VarMember::Def(d)), m.vars[d].name_span));
    }
    if let Some(u) = m.var_use_at(offset) {
        return Some((Symbol::Var(VarMember::Use(u)), m.var_uses[u].name_span));
    }
    heredoc_at(doc, offset)
}

/// The heredoc delimiter (in its `<<NAME` marker or its terminator line) at `offset`.
fn heredoc_at(doc: &Document, offset: usize) -> Option<(Symbol, Span)> {
    let syntax = doc.syntax();
    // A terminator may lie past the instruction's own lines: look at the instruction that
    // starts at or before `offset` as well as the one containing it.
    let i = syntax
        .instructions
        .partition_point(|ins| ins.span.start <= offset)
        .checked_sub(1)?;
    let ins = &syntax.instructions[i];
    for (h, heredoc) in ins.heredocs.iter().enumerate() {
        for span in heredoc_spans(doc, heredoc).into_iter().flatten() {
            if span.touches(offset) {
                return Some((
                    Symbol::Heredoc {
                        instr: i,
                        heredoc: h,
                    },
                    span,
                ));
            }
        }
    }
    None
}

/// The delimiter's name in the `<<NAME` marker (quotes and `-` excluded) and in the
/// terminator line (leading tabs of `<<-` and a CR excluded); `None` where the text is not the
/// bare name (a name with escapes, a heredoc that never ends).
pub fn heredoc_spans(doc: &Document, h: &Heredoc) -> [Option<Span>; 2] {
    let marker = doc.slice(h.marker);
    let mut at = marker.find("<<").map(|n| n + 2);
    if let Some(a) = at {
        let rest = &marker[a..];
        let skip = usize::from(rest.starts_with('-'));
        let quote = usize::from(rest[skip..].starts_with(['\'', '"']));
        at = Some(a + skip + quote);
    }
    let opener = at
        .filter(|&a| marker.get(a..a + h.name.len()) == Some(h.name.as_str()) && !h.name.is_empty())
        .map(|a| Span::new(h.marker.start + a, h.marker.start + a + h.name.len()));
    let closer = h.terminator.and_then(|t| {
        let line = doc.slice(t);
        let body = line.strip_suffix('\r').unwrap_or(&line);
        let start = if h.chomp {
            body.len() - body.trim_start_matches('\t').len()
        } else {
            0
        };
        (body[start..] == *h.name && !h.name.is_empty())
            .then(|| Span::new(t.start + start, t.start + body.len()))
    });
    [opener, closer]
}

/// Every occurrence of `symbol`, in document order.
pub fn occurrences(doc: &Document, symbol: Symbol) -> Vec<Occurrence> {
    let m = doc.model();
    let mut out = Vec::new();
    match symbol {
        Symbol::Stage(s) => {
            let stage = &m.stages[s];
            if let Some(n) = &stage.name {
                out.push(Occurrence {
                    span: n.span,
                    kind: OccurrenceKind::Declaration,
                    renamable: true,
                });
            }
            for r in &m.stage_refs {
                if r.target == RefTarget::Stage(s) {
                    let renamable = stage
                        .name
                        .as_ref()
                        .is_some_and(|n| r.text.eq_ignore_ascii_case(&n.key));
                    out.push(Occurrence {
                        span: r.span,
                        kind: OccurrenceKind::Read,
                        renamable,
                    });
                }
            }
        }
        Symbol::Heredoc { instr, heredoc } => {
            let h = &doc.syntax().instructions[instr].heredocs[heredoc];
            let [opener, closer] = heredoc_spans(doc, h);
            let kinds = [OccurrenceKind::Declaration, OccurrenceKind::Read];
            for (span, kind) in [opener, closer].into_iter().zip(kinds) {
                if let Some(span) = span {
                    out.push(Occurrence {
                        span,
                        kind,
                        renamable: true,
                    });
                }
            }
        }
        Symbol::Var(member) => {
            let (defs, uses) = var_group(m, member);
            for d in defs {
                out.push(Occurrence {
                    span: m.vars[d].name_span,
                    kind: OccurrenceKind::Declaration,
                    renamable: true,
                });
            }
            for u in uses {
                out.push(Occurrence {
                    span: m.var_uses[u].name_span,
                    kind: OccurrenceKind::Read,
                    renamable: true,
                });
            }
        }
    }
    out.sort_by_key(|o| o.span);
    out.dedup_by_key(|o| o.span);
    out
}

/// The definitions and uses of the variable group containing `member`.
pub fn var_group(m: &Model, member: VarMember) -> (Vec<usize>, Vec<usize>) {
    let nd = m.vars.len();
    let mut uf = UnionFind::new(nd + m.var_uses.len());
    let id = |x: VarMember| match x {
        VarMember::Def(d) => d,
        VarMember::Use(u) => nd + u,
    };
    for (u, vu) in m.var_uses.iter().enumerate() {
        if let Some(d) = vu.def {
            uf.union(nd + u, d);
        }
    }
    for (d, vd) in m.vars.iter().enumerate() {
        if let Some(g) = vd.redeclares {
            uf.union(d, g);
        }
        // A global ARG declared again before the first FROM is the same variable.
        if vd.stage.is_none() {
            if let Some(prev) = m.vars[..d]
                .iter()
                .rposition(|x| x.stage.is_none() && x.name == vd.name)
            {
                uf.union(d, prev);
            }
        }
        // The same name defined earlier in this stage, or in the stage chain it is built on.
        let mut stage = vd.stage;
        let mut limit = d;
        while let Some(s) = stage {
            if let Some(prev) = m.vars[..limit]
                .iter()
                .rposition(|x| x.stage == Some(s) && x.name == vd.name)
            {
                uf.union(d, prev);
                break;
            }
            let base = m.stages[s].base_ref.map(|r| &m.stage_refs[r].target);
            stage = match base {
                Some(RefTarget::Stage(b)) => Some(*b),
                _ => None,
            };
            limit = nd;
        }
    }
    // Uses with no definition: group by name within a scope. A `FROM` line is expanded in the
    // global scope (BuildKit: only global ARGs), not in the stage it starts.
    let scope = |vu: &crate::analysis::model::VarUse| match vu.stage {
        Some(s) if m.stages[s].instr == vu.instr => None,
        s => s,
    };
    let mut first_undefined: std::collections::HashMap<(&str, Option<usize>), usize> =
        Default::default();
    for (u, vu) in m.var_uses.iter().enumerate() {
        if vu.def.is_none() {
            let scope = scope(vu);
            let first = *first_undefined
                .entry((vu.name.as_str(), scope))
                .or_insert(u);
            uf.union(nd + u, nd + first);
            // `ENV PATH=/x:$PATH` reads the base image's PATH: the same variable as the
            // stage's own definitions of that name.
            if let Some(d) = scope.and_then(|s| {
                m.vars
                    .iter()
                    .position(|x| x.stage == Some(s) && x.name == vu.name)
            }) {
                uf.union(nd + u, d);
            }
        }
    }
    let root = uf.find(id(member));
    let defs = (0..nd).filter(|&d| uf.find(d) == root).collect();
    let uses = (0..m.var_uses.len())
        .filter(|&u| uf.find(nd + u) == root)
        .collect();
    (defs, uses)
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[a.max(b)] = a.min(b);
        }
    }
}
