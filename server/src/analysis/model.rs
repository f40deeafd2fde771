//! The semantic model: stages, stage references, variable definitions and uses, in one pass over
//! the syntax.
//!
//! Semantics follow BuildKit's `dockerfile2llb`:
//! - a stage's name is lower-cased (`parseBuildStageName`); `FROM x` names an *earlier* stage only
//!   when the expanded base equals that lower-case name exactly (`dispatchStates.addState`),
//!   otherwise it is an image;
//! - `COPY --from=` is resolved after all stages exist: a number is a stage index (any stage,
//!   later ones included; out of range is an error), a name is looked up case-insensitively among
//!   all stages, anything else is an image;
//! - `RUN --mount=from=` is looked up by name only (no indexes), anything else is an image;
//! - circular dependencies are searched over `--from`/`from=` edges only, as
//!   `validateCircularDependency` does (the base is not a dependency there);
//! - global ARGs (before the first FROM) are visible in FROM lines, and inside a stage only after
//!   `ARG NAME` re-declares them; ARG and ENV are inherited through `FROM <stage>` (the child's
//!   build args start as the parent's, its env is the parent image's env).
//!
//! Must not know: LSP types, positions other than byte offsets.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use ropey::Rope;

use super::syntax::expand::{self, VarRef};
use super::syntax::mount::parse_mount;
use super::syntax::parser::{shift_span, shift_word, Reuse};
use super::syntax::{Instruction, Keyword, Span, Syntax, Word};

/// BuildKit's automatic platform ARGs: defined in the global scope without an ARG instruction,
/// visible in a stage only after `ARG NAME`.
pub const AUTOMATIC_PLATFORM_ARGS: &[(&str, &str)] = &[
    (
        "TARGETPLATFORM",
        "platform of the build result, e.g. `linux/amd64`",
    ),
    ("TARGETOS", "OS component of TARGETPLATFORM"),
    ("TARGETARCH", "architecture component of TARGETPLATFORM"),
    ("TARGETVARIANT", "variant component of TARGETPLATFORM"),
    ("BUILDPLATFORM", "platform of the node performing the build"),
    ("BUILDOS", "OS component of BUILDPLATFORM"),
    ("BUILDARCH", "architecture component of BUILDPLATFORM"),
    ("BUILDVARIANT", "variant component of BUILDPLATFORM"),
];

/// Predefined ARGs that can be passed with `--build-arg` without an ARG instruction; RUN sees
/// them in its environment.
pub const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// BuildKit's own build args, which change how the build runs.
pub const BUILDKIT_ARGS: &[&str] = &[
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SANDBOX_HOSTNAME",
    "BUILDKIT_SYNTAX",
    "SOURCE_DATE_EPOCH",
];

pub fn is_automatic_platform_arg(name: &str) -> bool {
    AUTOMATIC_PLATFORM_ARGS.iter().any(|(n, _)| *n == name)
}

/// A build stage: one `FROM` and the instructions up to the next.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Stage {
    pub index: usize,
    /// The FROM instruction's index in [`Syntax::instructions`].
    pub instr: usize,
    pub name: Option<StageName>,
    /// The base as written (an empty word at the end of `FROM` when it is missing).
    pub base: Word,
    /// The base after expanding global ARG defaults; `None` when a variable has no known value.
    pub base_resolved: Option<String>,
    /// This stage's `FROM` reference in [`Model::stage_refs`], when the base is not missing.
    pub base_ref: Option<usize>,
    pub platform: Option<Word>,
    /// From `FROM` to the end of the stage's last instruction.
    pub span: Span,
    /// The stage's instruction indices, its FROM included.
    pub instrs: Range<usize>,
}

impl Stage {
    /// The name BuildKit would show: the stage name, or the index.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.key.clone(),
            None => self.index.to_string(),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StageName {
    /// As written after `AS`.
    pub text: String,
    /// Lower-cased, as BuildKit stores it.
    pub key: String,
    pub span: Span,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum RefKind {
    /// `FROM <stage>`.
    Base,
    /// `COPY --from=<stage>`.
    Copy,
    /// `RUN --mount=...,from=<stage>`.
    Mount,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RefTarget {
    Stage(usize),
    /// Not a stage: an image reference (or a named build context).
    Image,
    /// A numeric `--from` that names no stage.
    BadIndex(i64),
    /// `--from` containing variables, which BuildKit refuses to expand.
    Variable,
}

/// A place where a stage may be referenced.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StageRef {
    pub kind: RefKind,
    /// The reference as written (for `FROM`, the base word).
    pub text: String,
    pub span: Span,
    pub instr: usize,
    /// The stage containing the reference.
    pub stage: usize,
    pub target: RefTarget,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum VarKind {
    /// ARG before the first FROM.
    GlobalArg,
    Arg,
    Env,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VarDef {
    pub name: String,
    pub name_span: Span,
    pub kind: VarKind,
    pub instr: usize,
    pub stage: Option<usize>,
    /// The value as written (ARG default or ENV value), if any.
    pub value: Option<Word>,
    /// For `ARG NAME` inside a stage: the global ARG it brings into scope.
    pub redeclares: Option<usize>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VarUse {
    pub name: String,
    pub name_span: Span,
    /// The whole reference (`${NAME:-x}`).
    pub span: Span,
    pub instr: usize,
    pub stage: Option<usize>,
    /// The definition in scope, if one is.
    pub def: Option<usize>,
    /// True when a BuildKit automatic platform ARG or a predefined ARG is visible here.
    pub builtin: bool,
    /// In shell text (RUN, CMD, ...), expanded by the shell at run time rather than by BuildKit.
    pub shell: bool,
    pub operator: Option<String>,
}

/// A circular dependency over `--from`/`from=` edges.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Cycle {
    pub stages: Vec<usize>,
    /// The references (indices into [`Model::stage_refs`]) that form the cycle.
    pub refs: Vec<usize>,
}

#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Model {
    pub stages: Vec<Stage>,
    /// For every instruction, the stage it belongs to (`None` before the first FROM).
    pub instr_stage: Vec<Option<usize>>,
    pub stage_refs: Vec<StageRef>,
    pub vars: Vec<VarDef>,
    pub var_uses: Vec<VarUse>,
    pub cycles: Vec<Cycle>,
    /// What [`Model::rebuild`] needs to start again at a stage.
    resume: Resume,
}

/// The builder's scopes, kept with the model so that a rebuild can start at any stage: the
/// global scope (final once the first FROM is reached) and each stage's scope at its end (what
/// stages built on it inherit).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
struct Resume {
    global: Scope,
    stage_scopes: Vec<Scope>,
}

/// The stages of an old model that lie wholly among the instructions a reparse reused, cut
/// off to be appended, shifted, after the stages built again (see [`Model::rebuild`]).
struct Tail {
    /// Where the first of these stages starts in the old syntax and in the new one.
    old_from: usize,
    new_from: usize,
    /// The names (lower case) of the stages built again, as they were.
    old_names: Vec<Option<String>>,
    /// How many stage references and variables came before the tail in the old model.
    old_refs: usize,
    old_vars: usize,
    stages: Vec<Stage>,
    instr_stage: Vec<Option<usize>>,
    stage_refs: Vec<StageRef>,
    vars: Vec<VarDef>,
    var_uses: Vec<VarUse>,
    stage_scopes: Vec<Scope>,
    /// Per stage of the tail: whether it is built on a stage that is built again (directly or
    /// through other stages of the tail), so its scope may change and it is built again too;
    /// and where its references, variables and uses end in the vectors above.
    rebuild: Vec<bool>,
    ends: Vec<(usize, usize, usize)>,
}

impl Tail {
    /// Cuts the tail off `m` when it holds a stage. Its stages built on a stage that is built
    /// again are marked to be built again as well; the others are kept when nothing they see
    /// is built again (checked here: the definitions their uses and scopes name).
    fn split_off(m: &mut Model, k: usize, from: usize, reuse: Reuse, len: usize) -> Option<Tail> {
        let j = m.stages.partition_point(|s| s.instr < reuse.old_tail);
        let old_from = m.stages.get(j)?.instr;
        let new_from =
            usize::try_from(old_from as isize + reuse.new_tail as isize - reuse.old_tail as isize)
                .ok()?;
        if j <= k
            || new_from >= len
            || m.instr_stage.len() - old_from != len - new_from
            || m.resume.stage_scopes.len() != m.stages.len()
        {
            return None;
        }
        let refs_at = m.stage_refs.partition_point(|r| r.instr < old_from);
        let vars_from = m.vars.partition_point(|v| v.instr < from);
        let vars_at = m.vars.partition_point(|v| v.instr < old_from);
        let uses_at = m.var_uses.partition_point(|u| u.instr < old_from);
        let n = m.stages.len() - j;
        let mut rebuild = vec![false; n];
        let mut ends = Vec::with_capacity(n);
        let (mut r, mut v, mut u) = (refs_at, vars_at, uses_at);
        for (t, stage) in m.stages[j..].iter().enumerate() {
            let end = stage.instrs.end;
            r += m.stage_refs[r..].partition_point(|x| x.instr < end);
            v += m.vars[v..].partition_point(|x| x.instr < end);
            u += m.var_uses[u..].partition_point(|x| x.instr < end);
            ends.push((r - refs_at, v - vars_at, u - uses_at));
            let base = stage.base_ref.and_then(|b| m.stage_refs.get(b));
            rebuild[t] = base.is_some_and(|b| match b.target {
                RefTarget::Stage(p) => (k..j).contains(&p) || (p >= j && rebuild[p - j]),
                _ => false,
            });
        }
        // A kept stage may see definitions from before `from` and from kept stages only.
        let mut kept_vars = vec![false; m.vars.len() - vars_at];
        let mut stage_vars = 0;
        for (t, &(_, v_end, _)) in ends.iter().enumerate() {
            if !rebuild[t] {
                kept_vars[stage_vars..v_end].fill(true);
            }
            stage_vars = v_end;
        }
        let visible = |d: usize| d < vars_from || (d >= vars_at && kept_vars[d - vars_at]);
        let mut start = (0, 0, 0);
        for (t, &end) in ends.iter().enumerate() {
            if !rebuild[t] {
                let uses = &m.var_uses[uses_at + start.2..uses_at + end.2];
                let vars = &m.vars[vars_at + start.1..vars_at + end.1];
                let sees_rebuilt = uses.iter().any(|x| x.def.is_some_and(|d| !visible(d)))
                    || vars
                        .iter()
                        .any(|x| x.redeclares.is_some_and(|d| !visible(d)))
                    || m.resume.stage_scopes[j + t]
                        .values()
                        .any(|d| d.is_some_and(|d| !visible(d)));
                if sees_rebuilt {
                    return None;
                }
            }
            start = end;
        }
        Some(Tail {
            old_from,
            new_from,
            old_names: m.stages[k..j]
                .iter()
                .map(|s| s.name.as_ref().map(|n| n.key.clone()))
                .collect(),
            old_refs: refs_at,
            old_vars: vars_at,
            stages: m.stages.split_off(j),
            instr_stage: m.instr_stage.split_off(old_from),
            stage_refs: m.stage_refs.split_off(refs_at),
            vars: m.vars.split_off(vars_at),
            var_uses: m.var_uses.split_off(uses_at),
            stage_scopes: m.resume.stage_scopes.split_off(j),
            rebuild,
            ends,
        })
    }
}

/// Where a scan over the instructions stands: the scope of the open stage, if one is open.
#[derive(Default)]
struct Cursor {
    scope: Scope,
    open: bool,
}

/// Names in scope: name → definition index, or `None` for a builtin.
type Scope = HashMap<String, Option<usize>, BuildHasherDefault<NameHasher>>;

/// FxHash (rustc's hasher) for the short variable names in scopes: the model looks names up
/// for every variable reference in the file, and SipHash's DoS resistance buys nothing here.
#[derive(Default, Clone, Copy)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Model {
    pub fn build(syntax: &Syntax, text: &Rope) -> Model {
        Builder::new(syntax, text).run(0)
    }

    /// The model of `syntax`, reusing `old`, the model of the syntax before a reparse that
    /// kept the instructions `reuse` names ([`parser::reparse`]):
    /// - everything before the last stage whose `FROM` is among the untouched first instructions
    ///   is kept, and the model is built again from that `FROM` on, with the global scope and
    ///   the scopes of earlier stages where the builder left them;
    /// - the stages wholly among the reused last instructions are kept too, shifted, when
    ///   nothing they see changed: as many stages before them as before, with the same names,
    ///   and none of them built on a stage that was built again (whose scope may have changed);
    /// - late references (`--from`) and cycles are resolved again over all stages.
    ///
    /// Equal to [`Model::build`] (property tests check it); `old` is updated in place when
    /// nobody else holds it.
    pub fn rebuild(
        old: std::sync::Arc<Model>,
        syntax: &Syntax,
        text: &Rope,
        reuse: Reuse,
    ) -> Model {
        let len = syntax.instructions.len();
        let head = reuse.head.min(len);
        let Some(k) = old
            .stages
            .partition_point(|s| s.instr < head)
            .checked_sub(1)
        else {
            // The change reaches the first FROM or the global ARGs before it.
            return Model::build(syntax, text);
        };
        let from = old.stages[k].instr;
        let mut m = std::sync::Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone());
        let tail = Tail::split_off(&mut m, k, from, reuse, len);
        m.stages.truncate(k);
        m.instr_stage.truncate(from);
        let refs = m.stage_refs.partition_point(|r| r.instr < from);
        m.stage_refs.truncate(refs);
        let vars = m.vars.partition_point(|v| v.instr < from);
        m.vars.truncate(vars);
        let uses = m.var_uses.partition_point(|u| u.instr < from);
        m.var_uses.truncate(uses);
        m.cycles.clear();
        m.resume.stage_scopes.truncate(k);
        let mut b = Builder::resume(syntax, text, m);
        b.m.instr_stage.resize(len, None);
        let mut cursor = Cursor::default();
        match tail {
            Some(tail) => {
                b.scan(from..tail.new_from, &mut cursor);
                if b.fits(&tail, k) {
                    b.close_open(tail.new_from, &mut cursor);
                    b.append(tail, reuse.delta);
                } else {
                    b.scan(tail.new_from..len, &mut cursor);
                }
            }
            None => b.scan(from..len, &mut cursor),
        }
        b.finish(cursor)
    }

    /// The stage BuildKit finds for `name` once all stages exist (the last stage with that
    /// name, case-insensitively).
    pub fn stage_by_name(&self, name: &str) -> Option<usize> {
        let key = name.to_ascii_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_ref().is_some_and(|n| n.key == key))
            .map(|s| s.index)
    }

    /// The stage containing byte `offset`.
    pub fn stage_at(&self, offset: usize) -> Option<usize> {
        let i = self.stages.partition_point(|s| s.span.end < offset);
        (i < self.stages.len() && self.stages[i].span.start <= offset).then_some(i)
    }

    /// The stage reference whose span touches `offset`.
    pub fn stage_ref_at(&self, offset: usize) -> Option<usize> {
        self.stage_refs.iter().position(|r| r.span.touches(offset))
    }

    pub fn var_use_at(&self, offset: usize) -> Option<usize> {
        self.var_uses
            .iter()
            .position(|u| u.name_span.touches(offset))
    }

    pub fn var_def_at(&self, offset: usize) -> Option<usize> {
        self.vars.iter().position(|d| d.name_span.touches(offset))
    }

    /// The stages `stage` depends on directly (base and `--from`/`from=`).
    pub fn deps_of(&self, stage: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .stage_refs
            .iter()
            .filter(|r| r.stage == stage)
            .filter_map(|r| match r.target {
                RefTarget::Stage(s) => Some(s),
                _ => None,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Stages built for `target` (BuildKit's `allReachableStages`: base and dependencies).
    pub fn reachable_from(&self, target: usize) -> Vec<bool> {
        let mut seen = vec![false; self.stages.len()];
        let mut stack = vec![target];
        while let Some(s) = stack.pop() {
            if s >= seen.len() || seen[s] {
                continue;
            }
            seen[s] = true;
            stack.extend(self.deps_of(s));
        }
        seen
    }

    /// True when `from` may depend on `to` without creating a cycle over dependency edges
    /// (used to leave such stages out of `--from=` completion).
    pub fn would_cycle(&self, from: usize, to: usize) -> bool {
        from == to || self.reachable_from(to).get(from).copied().unwrap_or(false)
    }
}

struct Builder<'a> {
    syntax: &'a Syntax,
    text: &'a Rope,
    m: Model,
    global: Scope,
    /// Final scope of each stage, inherited by stages built on it.
    stage_scopes: Vec<Scope>,
    /// Lower-case stage name → the last stage so far with that name (what
    /// [`Model::stage_by_name`] finds, without a scan per reference).
    stage_names: HashMap<String, usize, BuildHasherDefault<NameHasher>>,
}

impl<'a> Builder<'a> {
    fn new(syntax: &'a Syntax, text: &'a Rope) -> Self {
        let mut global = Scope::default();
        for (name, _) in AUTOMATIC_PLATFORM_ARGS {
            global.insert((*name).to_string(), None);
        }
        Builder {
            syntax,
            text,
            m: Model::default(),
            global,
            stage_scopes: Vec::new(),
            stage_names: HashMap::default(),
        }
    }

    /// A builder that continues `m`, a model cut off just before a `FROM` (see
    /// [`Model::rebuild`]).
    fn resume(syntax: &'a Syntax, text: &'a Rope, mut m: Model) -> Self {
        let Resume {
            global,
            stage_scopes,
        } = std::mem::take(&mut m.resume);
        let mut stage_names = HashMap::default();
        for s in &m.stages {
            if let Some(n) = &s.name {
                stage_names.insert(n.key.clone(), s.index);
            }
        }
        Builder {
            syntax,
            text,
            m,
            global,
            stage_scopes,
            stage_names,
        }
    }

    /// Builds the whole model.
    fn run(mut self, from: usize) -> Model {
        let len = self.syntax.instructions.len();
        self.m.instr_stage.resize(len, None);
        let mut cursor = Cursor::default();
        self.scan(from..len, &mut cursor);
        self.finish(cursor)
    }

    /// Goes through the instructions in `range`, which starts at 0 or at a `FROM` where every
    /// stage before it is complete.
    fn scan(&mut self, range: Range<usize>, c: &mut Cursor) {
        let instrs = &self.syntax.instructions;
        for i in range {
            let Some(ins) = instrs.get(i) else { break };
            if ins.kind == Keyword::From {
                self.close_open(i, c);
                c.scope = self.start_stage(i, ins);
                c.open = true;
                continue;
            }
            let stage = self.m.stages.len().checked_sub(1);
            self.m.instr_stage[i] = stage;
            match stage {
                None => self.global_instruction(i, ins),
                Some(s) => self.stage_instruction(i, ins, s, &mut c.scope),
            }
        }
    }

    /// Closes the stage the scan has open (if any) before instruction `end`.
    fn close_open(&mut self, end: usize, c: &mut Cursor) {
        if !c.open {
            return;
        }
        c.open = false;
        if let Some(last) = self.m.stages.len().checked_sub(1) {
            self.stage_scopes.push(std::mem::take(&mut c.scope));
            self.close_stage(last, end);
        }
    }

    /// Whether `tail` can follow the stages built so far: as many as before it, with the same
    /// names (so its bases resolve as they did).
    fn fits(&self, tail: &Tail, k: usize) -> bool {
        self.m.stages.len() == k + tail.old_names.len()
            && self.m.stages[k..]
                .iter()
                .zip(&tail.old_names)
                .all(|(s, old)| s.name.as_ref().map(|n| &n.key) == old.as_ref())
    }

    /// Appends `tail` stage by stage: a stage marked to be built again is built from its
    /// instructions (now `tail.new_from - tail.old_from` further on); the others are appended
    /// shifted: instruction indices by that much, offsets by `delta`, reference and variable
    /// indices to where their items now are.
    fn append(&mut self, tail: Tail, delta: isize) {
        let shift = |i: usize, by: isize| (i as isize + by) as usize;
        let di = tail.new_from as isize - tail.old_from as isize;
        // Old index (from `tail.old_vars` on) → new index, for the variables of kept stages.
        let mut var_map = vec![usize::MAX; tail.vars.len()];
        let (mut refs, mut vars, mut uses) = (
            tail.stage_refs.into_iter(),
            tail.vars.into_iter(),
            tail.var_uses.into_iter(),
        );
        let mut start = (0, 0, 0);
        let stages = tail.stages.into_iter().zip(tail.stage_scopes);
        for (t, ((mut s, mut scope), end)) in stages.zip(tail.ends).enumerate() {
            let (n_refs, n_vars, n_uses) = (end.0 - start.0, end.1 - start.1, end.2 - start.2);
            let (first, last) = (shift(s.instrs.start, di), shift(s.instrs.end, di));
            if tail.rebuild[t] {
                refs.by_ref().take(n_refs).for_each(drop);
                vars.by_ref().take(n_vars).for_each(drop);
                uses.by_ref().take(n_uses).for_each(drop);
                let mut c = Cursor::default();
                self.scan(first..last, &mut c);
                self.close_open(last, &mut c);
                start = end;
                continue;
            }
            let var = |d: usize, map: &[usize]| match d.checked_sub(tail.old_vars) {
                Some(i) => map[i],
                None => d,
            };
            let old_instr = s.instr;
            self.m.instr_stage[first..last].copy_from_slice(
                &tail.instr_stage[old_instr - tail.old_from..s.instrs.end - tail.old_from],
            );
            let refs_base = self.m.stage_refs.len();
            s.base_ref = s
                .base_ref
                .map(|b| refs_base + (b - tail.old_refs - start.0));
            for mut r in refs.by_ref().take(n_refs) {
                r.instr = shift(r.instr, di);
                r.span = shift_span(r.span, delta);
                self.m.stage_refs.push(r);
            }
            for (i, mut v) in vars.by_ref().take(n_vars).enumerate() {
                v.instr = shift(v.instr, di);
                v.name_span = shift_span(v.name_span, delta);
                if let Some(w) = &mut v.value {
                    shift_word(w, delta);
                }
                var_map[start.1 + i] = self.m.vars.len();
                self.m.vars.push(v);
            }
            for mut u in uses.by_ref().take(n_uses) {
                u.instr = shift(u.instr, di);
                u.name_span = shift_span(u.name_span, delta);
                u.span = shift_span(u.span, delta);
                u.def = u.def.map(|d| var(d, &var_map));
                self.m.var_uses.push(u);
            }
            for d in scope.values_mut().flatten() {
                *d = var(*d, &var_map);
            }
            self.stage_scopes.push(scope);
            s.instr = first;
            s.instrs = first..last;
            s.span = shift_span(s.span, delta);
            shift_word(&mut s.base, delta);
            if let Some(p) = &mut s.platform {
                shift_word(p, delta);
            }
            if let Some(n) = &mut s.name {
                n.span = shift_span(n.span, delta);
                self.stage_names.insert(n.key.clone(), s.index);
            }
            self.m.stages.push(s);
            start = end;
        }
    }

    /// Closes the last stage, resolves late references and cycles.
    fn finish(mut self, mut c: Cursor) -> Model {
        self.close_open(self.syntax.instructions.len(), &mut c);
        self.resolve_late_refs();
        self.find_cycles();
        self.m.resume = Resume {
            global: self.global,
            stage_scopes: self.stage_scopes,
        };
        self.m
    }

    fn close_stage(&mut self, stage: usize, end_instr: usize) {
        let s = &mut self.m.stages[stage];
        s.instrs = s.instr..end_instr;
        if let Some(last) = end_instr
            .checked_sub(1)
            .and_then(|i| self.syntax.instructions.get(i))
        {
            s.span = s.span.cover(last.span);
        }
    }

    /// Instructions before the first FROM: only ARG is meaningful there.
    fn global_instruction(&mut self, i: usize, ins: &Instruction) {
        if ins.kind == Keyword::Arg {
            let mut global = std::mem::take(&mut self.global);
            self.arg_pairs(i, ins, None, &mut global);
            self.global = global;
        } else {
            let global = std::mem::take(&mut self.global);
            self.generic_uses(i, ins, None, &global);
            self.global = global;
        }
    }

    fn start_stage(&mut self, i: usize, ins: &Instruction) -> Scope {
        let index = self.m.stages.len();
        self.m.instr_stage[i] = Some(index);
        let escape = self.syntax.escape;
        // Taken out while uses are recorded (they need `&mut self`), put back before expanding.
        let global = std::mem::take(&mut self.global);
        if let Some(p) = ins.flag("platform").and_then(|f| f.value.as_ref()) {
            self.uses_in(p, i, Some(index), &global, false);
        }
        let base = ins
            .args()
            .first()
            .cloned()
            .unwrap_or_else(|| Word::new("", Span::empty(ins.span.end)));
        let name =
            (ins.args().len() >= 3 && ins.args()[1].text.eq_ignore_ascii_case("as")).then(|| {
                let w = &ins.args()[2];
                StageName {
                    text: w.text.to_string(),
                    key: w.text.to_ascii_lowercase().to_string(),
                    span: w.span,
                }
            });
        if !base.text.is_empty() {
            self.uses_in(&base, i, Some(index), &global, false);
        }
        self.global = global;
        let base_resolved = if base.text.is_empty() {
            None
        } else {
            let lookup = |n: &str| self.global_value(n);
            expand::expand(&base, escape, &lookup)
        };
        let mut base_ref = None;
        let mut inherited = Scope::default();
        if !base.text.is_empty() {
            // `addState`: the expanded base must equal an earlier stage's (lower-case) name.
            let target = base_resolved
                .as_deref()
                .and_then(|b| self.stage_names.get(b).copied());
            if let Some(t) = target {
                inherited = self.stage_scopes.get(t).cloned().unwrap_or_default();
            }
            base_ref = Some(self.m.stage_refs.len());
            self.m.stage_refs.push(StageRef {
                kind: RefKind::Base,
                text: base.text.to_string(),
                span: base.span,
                instr: i,
                stage: index,
                target: target.map_or(RefTarget::Image, RefTarget::Stage),
            });
        }
        if let Some(n) = &name {
            self.stage_names.insert(n.key.clone(), index);
        }
        self.m.stages.push(Stage {
            index,
            instr: i,
            name,
            base,
            base_resolved,
            base_ref,
            platform: ins.flag("platform").and_then(|f| f.value.clone()),
            span: ins.span,
            instrs: i..i + 1,
        });
        inherited
    }

    /// The default of a global ARG, expanded, if known.
    fn global_value(&self, name: &str) -> Option<String> {
        let def = (*self.global.get(name)?)?;
        let d = &self.m.vars[def];
        let v = d.value.as_ref()?;
        expand::expand(v, self.syntax.escape, &|n: &str| {
            // Earlier global ARGs only; guard against self-reference.
            if n == name {
                return None;
            }
            self.m.vars[..def]
                .iter()
                .rev()
                .find(|x| x.kind == VarKind::GlobalArg && x.name == n)
                .and_then(|x| x.value.as_ref().map(|w| w.text.to_string()))
        })
    }

    fn stage_instruction(&mut self, i: usize, ins: &Instruction, stage: usize, scope: &mut Scope) {
        match ins.kind {
            Keyword::Arg => self.arg_pairs(i, ins, Some(stage), scope),
            Keyword::Env => self.env_pairs(i, ins, stage, scope),
            Keyword::Onbuild => {}
            _ => {
                self.generic_uses(i, ins, Some(stage), scope);
                self.stage_refs_of(i, ins, stage);
            }
        }
    }

    fn arg_pairs(&mut self, i: usize, ins: &Instruction, stage: Option<usize>, scope: &mut Scope) {
        for w in ins.args() {
            let (name_end, value) = match w.text.find('=') {
                Some(eq) => (eq, Some(w.slice(eq + 1, w.text.len()))),
                None => (w.text.len(), None),
            };
            if let Some(v) = &value {
                self.uses_in(v, i, stage, scope, false);
            }
            let name = w.text[..name_end].to_string();
            if name.is_empty() {
                continue;
            }
            let redeclares = match (stage, &value) {
                (Some(_), None) => self.global.get(&name).copied().flatten(),
                _ => None,
            };
            let kind = if stage.is_some() {
                VarKind::Arg
            } else {
                VarKind::GlobalArg
            };
            let def = self.push_def(
                name.clone(),
                w.source_span(0, name_end),
                kind,
                i,
                stage,
                value,
                redeclares,
            );
            scope.insert(name, Some(def));
        }
    }

    fn env_pairs(&mut self, i: usize, ins: &Instruction, stage: usize, scope: &mut Scope) {
        // ENV expands every value with the environment from before the instruction: the new
        // names enter `scope` only after every value was read.
        let before = &*scope;
        for f in &ins.flags {
            if let Some(v) = &f.value {
                self.uses_in(v, i, Some(stage), before, false);
            }
        }
        let legacy = ins.args().first().is_some_and(|w| !w.text.contains('='));
        if legacy {
            let key = &ins.args()[0];
            let value = ins.args().get(1).and_then(|v| {
                let start = ins.rest.text_offset(v.span.start)?;
                Some(ins.rest.slice(start, ins.rest.text.trim_end().len()))
            });
            if let Some(v) = &value {
                self.uses_in(v, i, Some(stage), before, false);
            }
            let def = self.push_def(
                key.text.to_string(),
                key.span,
                VarKind::Env,
                i,
                Some(stage),
                value,
                None,
            );
            scope.insert(key.text.to_string(), Some(def));
            return;
        }
        let mut defined = Vec::new();
        for w in ins.args() {
            let Some(eq) = w.text.find('=') else { continue };
            let value = w.slice(eq + 1, w.text.len());
            self.uses_in(&value, i, Some(stage), before, false);
            let name = w.text[..eq].to_string();
            if name.is_empty() {
                continue;
            }
            let def = self.push_def(
                name.clone(),
                w.source_span(0, eq),
                VarKind::Env,
                i,
                Some(stage),
                Some(value),
                None,
            );
            defined.push((name, def));
        }
        for (name, def) in defined {
            scope.insert(name, Some(def));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_def(
        &mut self,
        name: String,
        name_span: Span,
        kind: VarKind,
        instr: usize,
        stage: Option<usize>,
        value: Option<Word>,
        redeclares: Option<usize>,
    ) -> usize {
        self.m.vars.push(VarDef {
            name,
            name_span,
            kind,
            instr,
            stage,
            value,
            redeclares,
        });
        self.m.vars.len() - 1
    }

    /// Variable uses in an instruction other than FROM, ARG and ENV.
    fn generic_uses(&mut self, i: usize, ins: &Instruction, stage: Option<usize>, scope: &Scope) {
        for f in &ins.flags {
            // `--from` is never expanded (BuildKit refuses variables there); it is a stage ref.
            if f.name.text == "from" && ins.kind == Keyword::Copy {
                continue;
            }
            if let Some(v) = &f.value {
                self.uses_in(v, i, stage, scope, false);
            }
        }
        let shell = matches!(
            ins.kind,
            Keyword::Run
                | Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Healthcheck
                | Keyword::Shell
        );
        if ins.json.is_some() {
            return;
        }
        if shell {
            self.uses_in(&ins.rest, i, stage, scope, true);
            if ins.kind == Keyword::Run {
                for h in &ins.heredocs {
                    let body = h.body;
                    if body.is_empty() || body.end > self.text.len_bytes() {
                        continue;
                    }
                    let text = self.text.byte_slice(body.start..body.end).to_string();
                    self.uses_in(&Word::new(text, body), i, stage, scope, true);
                }
            }
        } else {
            for w in ins.args() {
                self.uses_in(w, i, stage, scope, false);
            }
        }
    }

    fn uses_in(
        &mut self,
        w: &Word,
        instr: usize,
        stage: Option<usize>,
        scope: &Scope,
        shell: bool,
    ) {
        if !w.text.contains('$') {
            return;
        }
        for r in expand::var_refs(w, self.syntax.escape) {
            let VarRef {
                name,
                name_span,
                span,
                operator,
                special,
                ..
            } = r;
            // `$1`, `$@`, `$$`: shell parameters, never ARG or ENV.
            if special {
                continue;
            }
            let found = scope.get(&name).copied();
            let builtin = matches!(found, Some(None))
                || (found.is_none() && (PREDEFINED_ARGS.contains(&name.as_str()) && shell));
            self.m.var_uses.push(VarUse {
                name,
                name_span,
                span,
                instr,
                stage,
                def: found.flatten(),
                builtin,
                shell,
                operator,
            });
        }
    }

    /// `COPY --from` and `RUN --mount=from=` references, resolved later (they may name any
    /// stage, including later ones).
    fn stage_refs_of(&mut self, i: usize, ins: &Instruction, stage: usize) {
        match ins.kind {
            Keyword::Copy => {
                for f in ins.flags_named("from") {
                    if let Some(v) = &f.value {
                        self.push_late_ref(RefKind::Copy, v.text.to_string(), v.span, i, stage);
                    }
                }
            }
            Keyword::Run => {
                for f in ins.flags_named("mount") {
                    let Some(v) = &f.value else { continue };
                    // A `from=` key is spelt out in the text (CSV decoding only turns `""` into
                    // `"`): most mounts (`type=cache,target=...`) need no parse here.
                    if !v
                        .text
                        .as_bytes()
                        .windows(4)
                        .any(|w| w.eq_ignore_ascii_case(b"from"))
                    {
                        continue;
                    }
                    for opt in parse_mount(v) {
                        if opt.key.text == "from" {
                            if let Some(val) = opt.value {
                                self.push_late_ref(
                                    RefKind::Mount,
                                    val.text.to_string(),
                                    val.span,
                                    i,
                                    stage,
                                );
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn push_late_ref(
        &mut self,
        kind: RefKind,
        text: String,
        span: Span,
        instr: usize,
        stage: usize,
    ) {
        // Placeholder target; `resolve_late_refs` fills it once every stage is known.
        self.m.stage_refs.push(StageRef {
            kind,
            text,
            span,
            instr,
            stage,
            target: RefTarget::Image,
        });
    }

    fn resolve_late_refs(&mut self) {
        let n = self.m.stages.len();
        // One buffer for the lower-cased names (this runs over every reference per edit).
        let mut key = String::new();
        for r in &mut self.m.stage_refs {
            let kind = r.kind;
            if kind == RefKind::Base {
                continue;
            }
            let text = &r.text;
            let target = if kind == RefKind::Copy && text.contains('$') {
                RefTarget::Variable
            } else if kind == RefKind::Copy && is_go_int(text) {
                match text.parse::<i64>() {
                    Ok(k) if k >= 0 && (k as usize) < n => RefTarget::Stage(k as usize),
                    Ok(k) => RefTarget::BadIndex(k),
                    Err(_) => RefTarget::BadIndex(i64::MAX),
                }
            } else {
                key.clear();
                key.push_str(text);
                key.make_ascii_lowercase();
                self.stage_names
                    .get(key.as_str())
                    .map_or(RefTarget::Image, |&s| RefTarget::Stage(s))
            };
            r.target = target;
        }
    }

    /// Cycles over `--from`/`from=` edges (strongly connected components with more than one
    /// stage, or a stage that depends on itself).
    fn find_cycles(&mut self) {
        let refs = &self.m.stage_refs;
        // What each stage copies or mounts from, with the reference.
        let adj = StageLists::new(self.m.stages.len(), || {
            refs.iter()
                .enumerate()
                .filter_map(|(ri, r)| match r.target {
                    RefTarget::Stage(t) if r.kind != RefKind::Base => Some((r.stage, (t, ri))),
                    _ => None,
                })
        });
        let mut cycles = Vec::new();
        tarjan(&adj, |comp| {
            let in_comp = |s: usize| comp.contains(&s);
            let mut refs: Vec<usize> = comp
                .iter()
                .flat_map(|&s| {
                    adj.get(s)
                        .iter()
                        .filter(|(t, _)| in_comp(*t))
                        .map(|(_, r)| *r)
                })
                .collect();
            if comp.len() > 1 || !refs.is_empty() {
                let mut stages = comp.to_vec();
                stages.sort_unstable();
                refs.sort_unstable();
                cycles.push(Cycle { stages, refs });
            }
        });
        cycles.sort_by_key(|c| c.stages[0]);
        self.m.cycles = cycles;
    }
}

/// A list per stage in one vector: stage `s`'s items are `items[starts[s]..starts[s + 1]]`, in
/// the order they came. The rules and the model build such lists (what each stage is built
/// from, its variables) on every keystroke: one allocation for all stages rather than one per
/// stage.
#[derive(Debug)]
pub struct StageLists<T> {
    starts: Vec<usize>,
    items: Vec<T>,
}

impl<T: Copy + Default> StageLists<T> {
    /// The lists of `n` stages from `(stage, item)` pairs (`pairs` is walked twice); pairs of a
    /// stage `n` or above are left out.
    pub fn new<I>(n: usize, pairs: impl Fn() -> I) -> StageLists<T>
    where
        I: Iterator<Item = (usize, T)>,
    {
        let mut starts = vec![0; n + 1];
        for (s, _) in pairs() {
            if s < n {
                starts[s + 1] += 1;
            }
        }
        for s in 0..n {
            starts[s + 1] += starts[s];
        }
        let mut items = vec![T::default(); starts[n]];
        let mut next = starts.clone();
        for (s, item) in pairs() {
            if s < n {
                items[next[s]] = item;
                next[s] += 1;
            }
        }
        StageLists { starts, items }
    }

    /// Stage `s`'s items (none for a stage the lists do not have).
    pub fn get(&self, s: usize) -> &[T] {
        match (self.starts.get(s), self.starts.get(s + 1)) {
            (Some(&a), Some(&b)) => &self.items[a..b],
            _ => &[],
        }
    }

    /// How many stages the lists are for.
    pub fn stages(&self) -> usize {
        self.starts.len() - 1
    }
}

/// Go's `strconv.Atoi` syntax: optional sign, then ASCII digits.
fn is_go_int(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Strongly connected components (iterative Tarjan, so 10,000 stages cannot overflow the stack),
/// each handed to `component` as it is found.
fn tarjan(adj: &StageLists<(usize, usize)>, mut component: impl FnMut(&[usize])) {
    let n = adj.stages();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut work: Vec<(usize, usize)> = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        work.push((root, 0));
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if let Some(&(w, _)) = adj.get(v).get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                // The component is the stack down to `v`, in the order it is popped.
                let at = stack.iter().rposition(|&w| w == v).unwrap_or(0);
                for &w in &stack[at..] {
                    on_stack[w] = false;
                }
                stack[at..].reverse();
                component(&stack[at..]);
                stack.truncate(at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StageLists;

    /// Each stage's items in the order they came, empty stages, pairs of stages the lists do
    /// not have left out, and no items for a stage past the end.
    #[test]
    fn stage_lists_keep_each_stages_items_in_order() {
        let pairs = [(2, 'a'), (0, 'b'), (2, 'c'), (7, 'x'), (0, 'd'), (3, 'e')];
        let lists = StageLists::new(4, || pairs.iter().copied());
        assert_eq!(lists.stages(), 4);
        let got: Vec<&[char]> = (0..6).map(|s| lists.get(s)).collect();
        let want: Vec<&[char]> = vec![&['b', 'd'], &[], &['a', 'c'], &['e'], &[], &[]];
        assert_eq!(got, want);
        let none = StageLists::<char>::new(0, || pairs.iter().copied());
        assert_eq!((none.stages(), none.get(0)), (0, &[][..]));
    }
}
