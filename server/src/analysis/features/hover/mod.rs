//! Hover: what the thing under the cursor is, in a few lines.
//!
//! Instructions, flags, `--mount` types and keys, parser directives and heredocs get our own
//! short docs ([`docs`]) with a link to the Dockerfile reference. Variables get their value as
//! BuildKit would compute it from the defaults in the file, and where each part came from (a
//! default, a global ARG brought in with `ARG NAME`, an ENV of the stage or of the stage it is
//! built on); BuildKit's automatic platform ARGs and the proxy ARGs are explained. Stage names
//! and references get a summary of the stage (base, line, what it copies, who uses it); image
//! references are split into registry, repository, tag and digest, offline.
//!
//! Must not know: LSP types; whether the client renders markdown is a plain flag.

pub mod docs;

use std::fmt::Write as _;

use super::var_value::var_value;
use crate::analysis::model::{
    is_automatic_platform_arg, Model, RefKind, RefTarget, Stage, VarKind, AUTOMATIC_PLATFORM_ARGS,
    BUILDKIT_ARGS, PREDEFINED_ARGS,
};
use crate::analysis::syntax::image_ref::{ImageRef, DEFAULT_TAG};
use crate::analysis::syntax::mount::parse_mount;
use crate::analysis::syntax::{Instruction, Keyword};
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HoverConfig {
    /// The client renders markdown (`hover.contentFormat` lists it); otherwise plain text.
    pub markdown: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about (the client highlights it).
    pub span: Span,
    /// Markdown or plain text, as the config asked.
    pub text: String,
}

/// The hover at `offset`, if there is something to say.
pub fn hover(doc: &Document, offset: usize, config: HoverConfig) -> Option<Hover> {
    let offset = doc.clamp(offset);
    let mut w = Writer::new(config.markdown);
    let span = write_hover(doc, offset, &mut w)?;
    Some(Hover {
        span,
        text: w.finish(),
    })
}

fn write_hover(doc: &Document, offset: usize, w: &mut Writer) -> Option<Span> {
    let syntax = doc.syntax();
    let m = doc.model();
    if let Some(d) = syntax.directives.iter().find(|d| d.span.touches(offset)) {
        let entry = docs::directive(&d.name)?;
        w.entry(&format!("# {}", d.name), &entry);
        if d.name == "syntax" && d.value.span.touches(offset) {
            if let Ok(r) = ImageRef::parse(&d.value.text) {
                w.para("The frontend image:");
                image_parts(w, &r);
            }
        }
        return Some(d.span);
    }
    // The innermost reference around the cursor (`${A:-$B}` nests), `}` and modifiers included.
    let use_at = m
        .var_uses
        .iter()
        .enumerate()
        .filter(|(_, u)| u.span.touches(offset))
        .min_by_key(|(_, u)| u.span.len())
        .map(|(i, _)| i);
    if let Some(u) = use_at {
        var_use(doc, m, u, w);
        return Some(m.var_uses[u].span);
    }
    if let Some(d) = m.var_def_at(offset) {
        var_def(doc, m, d, w);
        return Some(m.vars[d].name_span);
    }
    if let Some(s) = m
        .stages
        .iter()
        .find(|s| s.name.as_ref().is_some_and(|n| n.span.touches(offset)))
    {
        stage_summary(doc, m, s.index, w);
        return s.name.as_ref().map(|n| n.span);
    }
    if let Some(r) = m.stage_ref_at(offset) {
        let r = &m.stage_refs[r];
        match r.target {
            RefTarget::Stage(s) => stage_summary(doc, m, s, w),
            RefTarget::Image => {
                let resolved = match r.kind {
                    RefKind::Base => m.stages[r.stage].base_resolved.clone(),
                    _ => Some(r.text.clone()),
                };
                image(w, &r.text, resolved.as_deref(), r.kind);
            }
            RefTarget::BadIndex(i) => {
                w.title(&format!("`--from={}`", r.text));
                w.para(&format!(
                    "no stage has index {i}: this file has {} stage{} (indexes start at 0)",
                    m.stages.len(),
                    if m.stages.len() == 1 { "" } else { "s" }
                ));
            }
            RefTarget::Variable => {
                w.title(&format!("`--from={}`", r.text));
                w.para("BuildKit does not expand variables in `--from`; the text is used as is");
            }
        }
        return Some(r.span);
    }
    let i = syntax.instruction_at(offset)?;
    instruction(doc, &syntax.instructions[i], offset, w)
}

fn instruction(doc: &Document, ins: &Instruction, offset: usize, w: &mut Writer) -> Option<Span> {
    if ins.keyword.span.touches(offset) {
        let entry = docs::instruction(ins.kind)?;
        w.entry(ins.kind.as_str(), &entry);
        return Some(ins.keyword.span);
    }
    if let Some(sub) = &ins.onbuild {
        if sub.span.touches(offset) {
            return instruction(doc, sub, offset, w);
        }
    }
    for f in &ins.flags {
        let name_span = Span::new(f.span.start, f.name.span.end);
        if name_span.touches(offset) {
            let Some(entry) = docs::flag(ins.kind, &f.name.text) else {
                w.title(&format!("`--{}`", f.name.text));
                w.para(&format!(
                    "`{}` has no flag `--{}`",
                    ins.kind.as_str(),
                    f.name.text
                ));
                return Some(name_span);
            };
            w.entry(&format!("{} --{}", ins.kind.as_str(), f.name.text), &entry);
            return Some(name_span);
        }
        let Some(v) = &f.value else { continue };
        if !v.span.touches(offset) {
            continue;
        }
        if ins.kind == Keyword::Run && f.name.text == "mount" {
            let opts = parse_mount(v);
            let ty = opts
                .iter()
                .find(|o| o.key.text == "type")
                .and_then(|o| o.value.as_ref())
                .map_or("bind".to_string(), |v| {
                    v.text.to_ascii_lowercase().to_string()
                });
            let opt = opts.iter().find(|o| o.span.touches(offset))?;
            let on_value = opt.value.as_ref().is_some_and(|v| v.span.touches(offset));
            if opt.key.text == "type" && on_value {
                let entry = docs::mount_type(&ty)?;
                w.entry(&format!("RUN --mount {}", entry.syntax), &entry);
                return Some(opt.value.as_ref().map_or(opt.span, |v| v.span));
            }
            let doc_text = docs::mount_key(&ty, &opt.key.text)?;
            w.title(&format!("`--mount` `{}` (`type={ty}`)", opt.key.text));
            w.para(&doc_text);
            if let Some(entry) = docs::mount_type(&ty) {
                w.link(docs::REFERENCE, entry.anchor);
            }
            return Some(opt.span);
        }
        let entry = docs::flag(ins.kind, &f.name.text)?;
        w.entry(&format!("{} --{}", ins.kind.as_str(), f.name.text), &entry);
        return Some(v.span);
    }
    for h in &ins.heredocs {
        let on = h.marker.touches(offset) || h.terminator.is_some_and(|t| t.touches(offset));
        if !on {
            continue;
        }
        w.entry(&format!("<<{}", h.name), &docs::HEREDOC);
        let first = doc.line_of(h.body.start) + 1;
        let detail = match h.terminator {
            Some(t) => {
                let last = doc.line_of(t.start);
                match last.cmp(&first) {
                    std::cmp::Ordering::Greater => format!("body: lines {first}–{last}"),
                    std::cmp::Ordering::Equal => format!("body: line {first}"),
                    std::cmp::Ordering::Less => "empty body".to_string(),
                }
            }
            None => format!("never terminated: no line is exactly `{}`", h.name),
        };
        let expansion = if h.quoted || ins.kind != Keyword::Run {
            if h.quoted {
                "variables in the body are not expanded (quoted delimiter)"
            } else {
                "variables in the body are expanded by BuildKit"
            }
        } else {
            "variables in the body are expanded by the shell"
        };
        let chomp = if h.chomp {
            "; leading tabs are stripped"
        } else {
            ""
        };
        w.para(&format!("{detail}; {expansion}{chomp}"));
        return Some(if h.marker.touches(offset) {
            h.marker
        } else {
            h.terminator.unwrap_or(h.marker)
        });
    }
    match ins.kind {
        Keyword::From => {
            let as_kw = ins
                .args()
                .get(1)
                .filter(|a| a.text.eq_ignore_ascii_case("as"))?;
            if as_kw.span.touches(offset) {
                w.entry("FROM", &docs::instruction(Keyword::From)?);
                return Some(as_kw.span);
            }
            None
        }
        Keyword::Healthcheck => {
            let first = ins.args().first()?;
            if first.span.touches(offset)
                && (first.text.eq_ignore_ascii_case("cmd")
                    || first.text.eq_ignore_ascii_case("none"))
            {
                w.entry("HEALTHCHECK", &docs::instruction(Keyword::Healthcheck)?);
                return Some(first.span);
            }
            None
        }
        _ => None,
    }
}

/// 1-based line of `offset`, for people.
fn line(doc: &Document, offset: usize) -> usize {
    doc.line_of(offset) + 1
}

fn stage_label(m: &Model, s: usize) -> String {
    match &m.stages[s].name {
        Some(n) => format!("stage `{}`", n.text),
        None => format!("stage {s}"),
    }
}

fn stage_summary(doc: &Document, m: &Model, s: usize, w: &mut Writer) {
    let stage: &Stage = &m.stages[s];
    let title = match &stage.name {
        Some(n) => format!(
            "stage `{}` (index {s}, line {})",
            n.text,
            line(doc, stage.span.start)
        ),
        None => format!("stage {s} (unnamed, line {})", line(doc, stage.span.start)),
    };
    w.title(&title);
    let base = match stage.base_ref.map(|r| &m.stage_refs[r].target) {
        Some(RefTarget::Stage(b)) => format!(
            "{} (line {})",
            stage_label(m, *b),
            line(doc, m.stages[*b].span.start)
        ),
        _ if stage.base.text.is_empty() => "missing".to_string(),
        _ => match &stage.base_resolved {
            Some(r) if *r != stage.base.text => format!("image `{}` → `{r}`", stage.base.text),
            _ => format!("image `{}`", stage.base.text),
        },
    };
    w.item(&format!("base: {base}"));
    if let Some(p) = &stage.platform {
        w.item(&format!("platform: `{}`", p.text));
    }
    let mut copies = Vec::new();
    let mut mounts = Vec::new();
    for r in m.stage_refs.iter().filter(|r| r.stage == s) {
        let what = match r.target {
            RefTarget::Stage(t) => stage_label(m, t),
            RefTarget::Image => format!("image `{}`", r.text),
            RefTarget::BadIndex(_) | RefTarget::Variable => format!("`{}`", r.text),
        };
        let entry = format!("{what} (line {})", line(doc, r.span.start));
        match r.kind {
            RefKind::Copy => copies.push(entry),
            RefKind::Mount => mounts.push(entry),
            RefKind::Base => {}
        }
    }
    if !copies.is_empty() {
        w.item(&format!("copies from: {}", copies.join(", ")));
    }
    if !mounts.is_empty() {
        w.item(&format!("mounts from: {}", mounts.join(", ")));
    }
    let users: Vec<String> = m
        .stage_refs
        .iter()
        .filter(|r| r.target == RefTarget::Stage(s))
        .map(|r| {
            let how = match r.kind {
                RefKind::Base => "FROM",
                RefKind::Copy => "COPY --from",
                RefKind::Mount => "RUN --mount",
            };
            format!(
                "{} ({how}, line {})",
                stage_label(m, r.stage),
                line(doc, r.span.start)
            )
        })
        .collect();
    if users.is_empty() {
        let last = s + 1 == m.stages.len();
        w.item(if last {
            "used by: nothing (the last stage: built by default)"
        } else {
            "used by: nothing (built only when it is the `--target`)"
        });
    } else {
        w.item(&format!("used by: {}", users.join(", ")));
    }
    let n = stage.instrs.len();
    let (first, last) = (line(doc, stage.span.start), line(doc, stage.span.end));
    let lines = if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}–{last}")
    };
    w.item(&format!(
        "{n} instruction{}, {lines}",
        if n == 1 { "" } else { "s" }
    ));
}

fn image(w: &mut Writer, text: &str, resolved: Option<&str>, kind: RefKind) {
    w.title(&format!("image `{text}`"));
    let Some(value) = resolved else {
        w.para(
            "depends on build args without a default in this file: the image is known only at \
             build time",
        );
        w.link(docs::REFERENCE, docs::ARG_FROM_ANCHOR);
        return;
    };
    if value != text {
        w.para(&format!(
            "`{value}` with the defaults of the global ARGs (`--build-arg` may change it)"
        ));
    }
    if value.eq_ignore_ascii_case("scratch") {
        w.para("`scratch` is the empty image: the stage starts from an empty file system");
        return;
    }
    match ImageRef::parse(value) {
        Ok(r) => image_parts(w, &r),
        Err(e) => w.para(&format!("not a valid image reference: {e}")),
    }
    if kind != RefKind::Base {
        w.para(
            "not a stage of this file: a named build context (`--build-context`) of this name, \
             otherwise this image",
        );
    }
}

fn image_parts(w: &mut Writer, r: &ImageRef) {
    let registry_note = match r.registry.as_str() {
        "docker.io" => " (Docker Hub)",
        "ghcr.io" => " (GitHub Container Registry)",
        "quay.io" => " (Quay)",
        "mcr.microsoft.com" => " (Microsoft Artifact Registry)",
        _ => "",
    };
    w.item(&format!("registry: `{}`{registry_note}", r.registry));
    let official = if r.is_official() {
        " (official image)"
    } else {
        ""
    };
    w.item(&format!("repository: `{}`{official}", r.repository));
    match &r.tag {
        Some(t) => w.item(&format!("tag: `{t}`")),
        None if r.digest.is_none() => w.item(&format!("tag: `{DEFAULT_TAG}` (default)")),
        None => {}
    }
    if let Some(d) = &r.digest {
        let note = if r.tag.is_some() {
            " (pins the image; the tag is ignored)"
        } else {
            ""
        };
        w.item(&format!("digest: `{d}`{note}"));
    }
    w.item(&format!("pulls `{}`", r.canonical()));
}

// ---- variables ----

fn def_origin(doc: &Document, m: &Model, d: usize, from_stage: Option<usize>) -> String {
    let def = &m.vars[d];
    let at = line(doc, def.name_span.start);
    let what = match def.kind {
        VarKind::GlobalArg => format!("global `ARG` on line {at}"),
        VarKind::Arg => format!("`ARG` on line {at}"),
        VarKind::Env => format!("`ENV` on line {at}"),
    };
    match (def.stage, from_stage) {
        (Some(ds), Some(us)) if ds != us => {
            format!("{what}, inherited from {}", stage_label(m, ds))
        }
        _ => what,
    }
}

fn is_builtin_name(name: &str) -> bool {
    is_automatic_platform_arg(name)
        || PREDEFINED_ARGS.contains(&name)
        || BUILDKIT_ARGS.contains(&name)
}

fn builtin_doc(name: &str, w: &mut Writer) -> bool {
    if let Some((_, what)) = AUTOMATIC_PLATFORM_ARGS.iter().find(|(n, _)| *n == name) {
        w.para(&format!(
            "automatic platform ARG set by BuildKit: {what}. Usable in `FROM` lines; inside a \
             stage only after `ARG {name}`"
        ));
        w.link(docs::REFERENCE, docs::AUTOMATIC_ARGS_ANCHOR);
        return true;
    }
    if PREDEFINED_ARGS.contains(&name) {
        w.para(
            "predefined proxy ARG: set with `--build-arg` without an `ARG` instruction, seen by \
             `RUN`, and left out of the image history and the cache key",
        );
        w.link(docs::REFERENCE, docs::PREDEFINED_ARGS_ANCHOR);
        return true;
    }
    if BUILDKIT_ARGS.contains(&name) {
        if let Some(what) = docs::buildkit_arg(name) {
            w.para(&format!("BuildKit built-in build arg: {what}"));
            w.link(docs::REFERENCE, docs::BUILDKIT_ARGS_ANCHOR);
            return true;
        }
    }
    false
}

/// The value line and the origin of each part of definition `d`.
fn def_details(doc: &Document, m: &Model, d: usize, use_stage: Option<usize>, w: &mut Writer) {
    let def = &m.vars[d];
    w.item(&format!(
        "defined by the {}",
        def_origin(doc, m, d, use_stage)
    ));
    match &def.value {
        Some(v) => {
            let kind = if def.kind == VarKind::Env {
                "value"
            } else {
                "default"
            };
            w.item(&format!("{kind}: `{}`", v.text));
            for u in m
                .var_uses
                .iter()
                .filter(|u| u.instr == def.instr && v.span.touches(u.span.start))
            {
                let part = match u.def {
                    Some(ud) => match var_value(doc, ud) {
                        Some(val) => format!(
                            "`${}` = `{val}` from the {}",
                            u.name,
                            def_origin(doc, m, ud, def.stage)
                        ),
                        None => format!(
                            "`${}`: from the {}, value known at build time",
                            u.name,
                            def_origin(doc, m, ud, def.stage)
                        ),
                    },
                    None if u.builtin => format!("`${}`: set by BuildKit", u.name),
                    None => format!(
                        "`${}`: not defined here (empty unless the base image sets it)",
                        u.name
                    ),
                };
                w.item(&part);
            }
        }
        None => match def.redeclares {
            Some(g) => {
                let gd = &m.vars[g];
                let default = gd.value.as_ref().map_or("no default".to_string(), |v| {
                    format!("default `{}`", v.text)
                });
                w.item(&format!(
                    "brings in the global `ARG` on line {} ({default})",
                    line(doc, gd.name_span.start)
                ));
            }
            None if is_automatic_platform_arg(&def.name) => {}
            None => w.item("no default: set only with `--build-arg`"),
        },
    }
    if matches!(def.kind, VarKind::Arg | VarKind::GlobalArg) && def.value.is_some() {
        w.item(&format!(
            "`--build-arg {}=...` overrides the default",
            def.name
        ));
    }
}

fn value_title(w: &mut Writer, name: &str, value: Option<&str>) {
    match value {
        Some(v) => w.title(&format!("`{name}` = `{v}`")),
        None => w.title(&format!("`{name}`")),
    }
}

fn var_use(doc: &Document, m: &Model, u: usize, w: &mut Writer) {
    let vu = &m.var_uses[u];
    match vu.def {
        Some(d) => {
            value_title(w, &vu.name, var_value(doc, d).as_deref());
            def_details(doc, m, d, vu.stage, w);
            let def = &m.vars[d];
            if def.value.is_none() && def.redeclares.is_none() {
                builtin_doc(&vu.name, w);
            }
        }
        None => {
            w.title(&format!("`{}`", vu.name));
            let in_from = doc.syntax().instructions[vu.instr].kind == Keyword::From;
            let global = m
                .vars
                .iter()
                .find(|d| d.kind == VarKind::GlobalArg && d.name == vu.name);
            let explained = (vu.builtin || is_builtin_name(&vu.name)) && builtin_doc(&vu.name, w);
            if explained {
                // `builtin_doc` wrote the explanation.
            } else if in_from || vu.stage.is_none() {
                w.para(
                    "not a global ARG: expands to an empty string unless set with `--build-arg`",
                );
            } else if let Some(g) = global {
                w.para(&format!(
                    "the global `ARG` on line {} is not visible inside a stage until `ARG {}` \
                     declares it again",
                    line(doc, g.name_span.start),
                    vu.name
                ));
                w.link(docs::REFERENCE, docs::ARG_FROM_ANCHOR);
            } else if vu.shell {
                w.para(
                    "not an ARG or ENV of this stage: the shell expands it when the command runs \
                     (from the base image's environment or the script)",
                );
            } else {
                w.para(
                    "not defined in this stage: expands to an empty string unless the base image \
                     sets it",
                );
            }
        }
    }
    if let Some(op) = &vu.operator {
        let what = match op.as_str() {
            ":-" => "the word after `:-` when unset or empty",
            "-" => "the word after `-` when unset",
            ":+" => "the word after `:+` when set and not empty, else empty",
            "+" => "the word after `+` when set, else empty",
            ":?" | "?" => "an error (with the message after it) when unset",
            "#" | "##" => "the value without the shortest/longest matching prefix",
            "%" | "%%" => "the value without the shortest/longest matching suffix",
            "/" | "//" => "the value with the first/every match of the pattern replaced",
            _ => "",
        };
        if !what.is_empty() {
            w.item(&format!("`{op}` gives {what}"));
        }
    }
}

fn var_def(doc: &Document, m: &Model, d: usize, w: &mut Writer) {
    let def = &m.vars[d];
    value_title(w, &def.name, var_value(doc, d).as_deref());
    def_details(doc, m, d, def.stage, w);
    if (def.value.is_none() && def.redeclares.is_none())
        || BUILDKIT_ARGS.contains(&def.name.as_str())
    {
        builtin_doc(&def.name, w);
    }
}

// ---- output ----

/// Markdown or plain text, built block by block.
struct Writer {
    markdown: bool,
    out: String,
    /// The last block was a list item (items are separated by one newline, blocks by two).
    in_list: bool,
}

impl Writer {
    fn new(markdown: bool) -> Writer {
        Writer {
            markdown,
            out: String::new(),
            in_list: false,
        }
    }

    fn sep(&mut self, item: bool) {
        if !self.out.is_empty() {
            self.out
                .push_str(if item && self.in_list { "\n" } else { "\n\n" });
        }
        self.in_list = item;
    }

    /// Inline text: markdown keeps backticks; plain text drops them.
    fn inline(&self, s: &str) -> String {
        if self.markdown {
            s.to_string()
        } else {
            s.replace("`` ` ``", "\u{0}")
                .replace('`', "")
                .replace('\u{0}', "`")
        }
    }

    fn title(&mut self, s: &str) {
        self.sep(false);
        let t = self.inline(s);
        if self.markdown {
            let _ = write!(self.out, "**{t}**");
        } else {
            self.out.push_str(&t);
        }
    }

    fn para(&mut self, s: &str) {
        self.sep(false);
        let t = self.inline(s);
        self.out.push_str(&t);
    }

    fn item(&mut self, s: &str) {
        self.sep(true);
        let t = self.inline(s);
        let _ = write!(self.out, "- {t}");
    }

    fn code(&mut self, s: &str) {
        self.sep(false);
        if self.markdown {
            let _ = write!(self.out, "```dockerfile\n{s}\n```");
        } else {
            self.out.push_str(s);
        }
    }

    fn link(&mut self, base: &str, anchor: &str) {
        self.sep(false);
        let url = format!("{base}#{anchor}");
        if self.markdown {
            let _ = write!(self.out, "[Dockerfile reference]({url})");
        } else {
            let _ = write!(self.out, "Dockerfile reference: {url}");
        }
    }

    fn entry(&mut self, title: &str, e: &docs::Entry) {
        self.title(&format!("`{title}`"));
        self.code(e.syntax);
        self.para(e.doc);
        self.link(docs::REFERENCE, e.anchor);
    }

    fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests;
