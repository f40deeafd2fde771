//! Completion: what may be typed at a byte offset, decided by the context around the cursor.
//!
//! Contexts, in the order they are tried:
//! - parser directives on the leading comment lines (`# syntax=`, `# escape=`, `# check=`);
//! - nothing in comments and heredoc bodies;
//! - instruction keywords at the start of an instruction (or after `ONBUILD `);
//! - `COPY --from=` and `RUN --mount=...,from=` stage names, `--mount=` keys and values;
//! - variables after `$` / `${` (ARG/ENV in scope, BuildKit's automatic and predefined ARGs);
//! - flags and flag values among the leading flags; stage names in `FROM`'s base position.
//!
//! Completion runs per keystroke, so it never re-parses the document: the instruction around
//! the cursor comes from [`Syntax::instruction_at`], its text up to the cursor is re-read from the
//! rope with continuations removed (cheap: one instruction), and stages and variables come from
//! the [`Model`]. While an instruction is being typed it is often incomplete (`COPY --from=` with
//! nothing after), which is why the text before the cursor, not BuildKit's split, decides.
//!
//! Must not know: LSP types (offsets are UTF-8 bytes; `lsp::convert` maps them).

pub(crate) mod data;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::analysis::model::{
    is_automatic_platform_arg, Model, RefTarget, VarDef, VarKind, AUTOMATIC_PLATFORM_ARGS,
    PREDEFINED_ARGS,
};
use crate::analysis::syntax::{mount, Instruction, Keyword, Syntax, Word};
use crate::analysis::{Document, Span};

use data::{FlagInfo, REFERENCE};

/// What the client can take, from its capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionConfig {
    /// `textDocument.completion.completionItem.snippetSupport`.
    pub snippets: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    Keyword,
    Flag,
    Property,
    Value,
    Stage,
    Variable,
    Directive,
    Image,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    /// The text that replaces `replace`; a snippet (`$1`, `${1:x}`) when `snippet` is true.
    pub insert_text: String,
    pub snippet: bool,
    /// The range the item replaces (the partial word before and after the cursor).
    pub replace: Span,
    /// Sorts items; items with equal keys sort by label.
    pub sort_text: Option<String>,
    pub filter_text: Option<String>,
}

impl CompletionItem {
    fn new(label: impl Into<String>, kind: CompletionKind, replace: Span) -> CompletionItem {
        let label = label.into();
        CompletionItem {
            insert_text: label.clone(),
            label,
            kind,
            detail: None,
            documentation: None,
            snippet: false,
            replace,
            sort_text: None,
            filter_text: None,
        }
    }
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
    fn insert(mut self, text: impl Into<String>) -> Self {
        self.insert_text = text.into();
        self
    }
    fn sort(mut self, key: impl Into<String>) -> Self {
        self.sort_text = Some(key.into());
        self
    }
}

/// The completions at `offset` (clamped into the document and onto a char boundary).
pub fn completion(doc: &Document, offset: usize, config: CompletionConfig) -> Vec<CompletionItem> {
    let offset = doc.clamp(offset);
    let line = doc.line_of(offset);
    let line_start = doc.line_start(line);
    let content = doc.line_text(line);
    // Between `\r` and `\n` of a CRLF break, the cursor is at the end of the line.
    let col = (offset - line_start).min(content.len());
    let offset = line_start + col;
    let syntax = doc.syntax();

    let first = content.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('#') {
        // A comment line (also inside a continuation), unless it is a parser directive.
        return directives(doc, line, &content, col, line_start);
    }
    let Some((instr, found)) = locate(doc, syntax, offset, line) else {
        return Vec::new();
    };
    let start = match found {
        Some(ins) => ins.span.start.min(offset),
        None => {
            let indent = content.len() - content.trim_start().len();
            line_start + indent.min(col)
        }
    };
    let prefix = logical_prefix(doc, start, offset, syntax.escape);
    let suffix = line_suffix(&content[col..], syntax.escape);
    let cx = Cx {
        model: doc.model(),
        config,
        offset,
        prefix,
        suffix,
        instr,
        found,
        escape: syntax.escape,
    };
    let mut items = cx.complete();
    // LSP: an item's edit range must be on one line and contain the cursor. A lone CR is a line
    // break to the editor but not to BuildKit, so the word BuildKit sees may start on an
    // earlier editor line; only the part on the cursor's line is replaced.
    for item in &mut items {
        if item.replace.start < line_start {
            item.replace.start = line_start.min(item.replace.end);
        }
    }
    items
}

/// The instruction at the cursor: its index, or where an instruction typed here would go, and
/// the instruction itself when the syntax has one there. `None` inside a heredoc body.
fn locate<'a>(
    doc: &Document,
    syntax: &'a Syntax,
    offset: usize,
    line: usize,
) -> Option<(usize, Option<&'a Instruction>)> {
    if let Some(i) = syntax.instruction_at(offset) {
        let ins = &syntax.instructions[i];
        for h in &ins.heredocs {
            let in_body = offset >= h.body.start && h.terminator.is_none_or(|t| offset <= t.end);
            if in_body && line > doc.line_of(h.marker.start) {
                return None;
            }
        }
        return Some((i, Some(ins)));
    }
    let at = syntax
        .instructions
        .partition_point(|ins| ins.span.end < offset);
    // A blank line after a trailing escape still continues the previous instruction
    // (BuildKit skips empty and comment lines inside continuations).
    if let Some(prev) = at.checked_sub(1).map(|p| (p, &syntax.instructions[p])) {
        let end_line = doc.line_of(prev.1.span.end);
        let continued = prev.1.heredocs.is_empty()
            && doc.line_text(end_line).trim_end().ends_with(syntax.escape)
            && (end_line + 1..line).all(|l| {
                let t = doc.line_text(l);
                let t = t.trim_start();
                t.is_empty() || t.starts_with('#')
            });
        if continued && line > end_line {
            return Some((prev.0, Some(prev.1)));
        }
    }
    Some((at, None))
}

/// The text BuildKit would see from `start` (an instruction's first byte) to `offset`: escaped
/// line breaks removed, and comment and empty lines inside the continuation dropped.
fn logical_prefix(doc: &Document, start: usize, offset: usize, escape: char) -> Word {
    let first_line = doc.line_of(start);
    let cur_line = doc.line_of(offset);
    let mut text = String::new();
    let mut breaks = Vec::new();
    let mut next_src = start;
    for line in first_line..=cur_line {
        let ls = doc.line_start(line);
        let content = doc.line_text(line);
        let from = if line == first_line {
            (start - ls).min(content.len())
        } else {
            0
        };
        let seg = if line == cur_line {
            &content[from..(offset - ls).min(content.len()).max(from)]
        } else {
            let t = content[from..].trim_start();
            if line > first_line && (t.is_empty() || t.starts_with('#')) {
                continue;
            }
            let seg = &content[from..];
            let trimmed = seg.trim_end_matches([' ', '\t']);
            trimmed.strip_suffix(escape).unwrap_or(seg)
        };
        if seg.is_empty() {
            continue;
        }
        if ls + from != next_src {
            breaks.push((text.len(), ls + from));
        }
        text.push_str(seg);
        next_src = ls + from + seg.len();
    }
    Word {
        text: text.into(),
        span: Span::new(start, offset),
        breaks,
    }
}

/// The cursor line after the cursor, without a trailing line continuation.
fn line_suffix(after: &str, escape: char) -> String {
    let trimmed = after.trim_end_matches([' ', '\t']);
    trimmed.strip_suffix(escape).unwrap_or(after).to_string()
}

/// Byte length of the leading part of `s` whose chars satisfy `keep`.
fn run_len(s: &str, keep: impl Fn(char) -> bool) -> usize {
    s.find(|c: char| !keep(c)).unwrap_or(s.len())
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Unquoted-whitespace-separated words of `s`, as byte ranges.
fn split_words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push((st, i));
                }
            }
            None => {
                if start.is_none() {
                    start = Some(i);
                }
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// Where the stage names are offered: the rules for which stages may be named differ.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StageSite {
    /// `COPY --from=`: names or indexes of any stage that creates no cycle.
    CopyFrom,
    /// `RUN --mount=from=`: names only.
    MountFrom,
    /// `FROM <base>`: names of earlier stages only.
    FromBase,
}

struct Cx<'a> {
    model: &'a Model,
    config: CompletionConfig,
    offset: usize,
    /// The instruction's text from its keyword to the cursor, continuations removed.
    prefix: Word,
    /// The rest of the cursor's line.
    suffix: String,
    /// The instruction's index, or where one typed here would go.
    instr: usize,
    found: Option<&'a Instruction>,
    escape: char,
}

impl Cx<'_> {
    /// The source span from prefix byte `from` to the cursor plus `after` bytes.
    fn span(&self, from: usize, after: usize) -> Span {
        Span::new(self.prefix.source_offset(from), self.offset + after)
    }

    fn complete(&self) -> Vec<CompletionItem> {
        let text = self.prefix.text.as_str();
        let mut words = split_words(text);
        // The word at the cursor; empty after whitespace.
        let cur = match words.last() {
            Some(&(s, e)) if e == text.len() => {
                words.pop();
                (s, e)
            }
            _ => (text.len(), text.len()),
        };
        let Some((&kw_word, mut rest)) = words.split_first() else {
            return self.instructions(cur.0, false);
        };
        let mut keyword = Keyword::parse(&text[kw_word.0..kw_word.1]);
        let mut onbuild = false;
        if keyword == Keyword::Onbuild {
            onbuild = true;
            let Some((&trigger, tail)) = rest.split_first() else {
                return self.instructions(cur.0, true);
            };
            keyword = Keyword::parse(&text[trigger.0..trigger.1]);
            rest = tail;
        }

        let mut in_flags = true;
        let mut arg_index = 0;
        let mut flags_before = Vec::new();
        for &(s, e) in rest {
            let w = &text[s..e];
            if in_flags && w.starts_with("--") && w != "--" {
                flags_before.push(flag_name(w).to_string());
            } else {
                in_flags = false;
                arg_index += 1;
            }
        }
        let word = &text[cur.0..];

        if in_flags && word.starts_with("--") {
            if let Some(eq) = word.find('=') {
                let name = &word[2..eq];
                let value_start = cur.0 + eq + 1;
                match (keyword, name) {
                    (Keyword::Copy, "from") if !onbuild => {
                        let after = run_len(&self.suffix, |c| !c.is_whitespace());
                        return self.stages(StageSite::CopyFrom, self.span(value_start, after));
                    }
                    (Keyword::Run, "mount") => return self.mount(value_start, onbuild),
                    _ => {}
                }
            }
        }
        if !onbuild {
            if let Some(items) = self.variables(keyword) {
                return items;
            }
        }
        if in_flags && word.starts_with('-') {
            return match word.find('=').filter(|_| word.starts_with("--")) {
                Some(eq) => self.flag_values(keyword, &word[2..eq], cur.0 + eq + 1),
                None => self.flags(keyword, cur.0, &flags_before, onbuild),
            };
        }
        let after = run_len(&self.suffix, |c| !c.is_whitespace());
        let replace = self.span(cur.0, after);
        match (keyword, arg_index) {
            (Keyword::From, 0) if !onbuild => self.stages(StageSite::FromBase, replace),
            (Keyword::From, 1) => self.words(&["AS"], word, replace, "name the stage"),
            (Keyword::Healthcheck, 0) => {
                let mut items = self.words(
                    &["CMD"],
                    word,
                    replace,
                    "the command that checks the container",
                );
                items.extend(self.words(
                    &["NONE"],
                    word,
                    replace,
                    "disable the healthcheck of the base image",
                ));
                items
            }
            _ => Vec::new(),
        }
    }

    /// Upper-case `words` (lower-case when the user types in lower case) as keywords.
    fn words(&self, words: &[&str], typed: &str, replace: Span, doc: &str) -> Vec<CompletionItem> {
        let lower = is_lower(typed);
        words
            .iter()
            .map(|w| {
                let w = if lower {
                    w.to_ascii_lowercase()
                } else {
                    (*w).to_string()
                };
                CompletionItem::new(w, CompletionKind::Keyword, replace).detail(doc)
            })
            .collect()
    }

    /// Instruction keywords replacing the word that starts at prefix byte `start`.
    fn instructions(&self, start: usize, onbuild: bool) -> Vec<CompletionItem> {
        let typed = &self.prefix.text[start..];
        if !typed.chars().all(|c| c.is_ascii_alphabetic()) {
            return Vec::new();
        }
        let after = run_len(&self.suffix, |c| c.is_ascii_alphabetic());
        let replace = self.span(start, after);
        // When the line goes on after the word, only the keyword is replaced.
        let bare = !self.suffix[after..].trim().is_empty();
        let lower = is_lower(typed);
        // Before the first FROM only ARG and FROM are allowed: offer them first.
        let global = !onbuild
            && self
                .model
                .stages
                .first()
                .is_none_or(|s| s.instr >= self.instr);
        let mut items = Vec::new();
        for info in &data::INSTRUCTIONS {
            let kw = info.keyword;
            if onbuild && matches!(kw, Keyword::From | Keyword::Onbuild | Keyword::Maintainer) {
                continue;
            }
            let name = if lower {
                kw.as_str().to_ascii_lowercase()
            } else {
                kw.as_str().to_string()
            };
            let documentation = format!(
                "{}.\n\n[Dockerfile reference]({REFERENCE}#{})",
                info.doc,
                kw.as_str().to_ascii_lowercase()
            );
            let mut item = CompletionItem::new(name.clone(), CompletionKind::Keyword, replace);
            item.detail = Some(info.doc.to_string());
            item.documentation = Some(documentation);
            if global {
                let rank = if matches!(kw, Keyword::Arg | Keyword::From) {
                    0
                } else {
                    1
                };
                item.sort_text = Some(format!("{rank}{}", kw.as_str()));
            }
            if bare {
                items.push(item);
                continue;
            }
            if self.config.snippets {
                item.insert_text = format!("{name} {}", info.snippet);
                item.snippet = true;
                if kw == Keyword::Copy && !onbuild {
                    let mut from = item.clone();
                    from.label = format!("{name} --from");
                    from.detail = Some("copy from a build stage".to_string());
                    from.insert_text = format!("{name} {}", data::COPY_FROM_SNIPPET);
                    from.sort_text = item.sort_text.as_ref().map(|s| format!("{s} --from"));
                    items.push(item);
                    items.push(from);
                    continue;
                }
            } else {
                item.insert_text = format!("{name} ");
            }
            items.push(item);
        }
        items
    }

    /// Flag names for the word starting at prefix byte `start` (`-`, `--`, `--fr`).
    fn flags(
        &self,
        keyword: Keyword,
        start: usize,
        before: &[String],
        onbuild: bool,
    ) -> Vec<CompletionItem> {
        let after = run_len(&self.suffix, |c| !c.is_whitespace() && c != '=');
        let replace = self.span(start, after);
        let has_eq = self.suffix[after..].starts_with('=');
        let mut present: Vec<&str> = before.iter().map(String::as_str).collect();
        let ins = self.found.and_then(|ins| {
            if onbuild {
                ins.onbuild.as_deref()
            } else {
                Some(ins)
            }
        });
        if let Some(ins) = ins {
            present.extend(
                ins.flags
                    .iter()
                    .filter(|f| !f.span.touches(self.offset))
                    .map(|f| f.name.text.as_str()),
            );
        }
        data::flags_for(keyword)
            .iter()
            .filter(|f| f.repeatable || !present.contains(&f.name))
            .map(|f: &FlagInfo| {
                let label = format!("--{}", f.name);
                let insert = if f.takes_value && !has_eq {
                    format!("{label}=")
                } else {
                    label.clone()
                };
                CompletionItem::new(label, CompletionKind::Flag, replace)
                    .detail(f.doc)
                    .insert(insert)
            })
            .collect()
    }

    /// Values after `--name=` (the value starts at prefix byte `start`).
    fn flag_values(&self, keyword: Keyword, name: &str, start: usize) -> Vec<CompletionItem> {
        let after = run_len(&self.suffix, |c| !c.is_whitespace());
        let replace = self.span(start, after);
        let Some(flag) = data::flags_for(keyword).iter().find(|f| f.name == name) else {
            return Vec::new();
        };
        let values = if keyword == Keyword::From && name == "platform" {
            data::PLATFORMS
        } else {
            flag.values
        };
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut item =
                    CompletionItem::new(*v, CompletionKind::Value, replace).sort(format!("{i:02}"));
                if let Some((_, doc)) = v
                    .strip_prefix('$')
                    .and_then(|n| AUTOMATIC_PLATFORM_ARGS.iter().find(|(a, _)| *a == n))
                {
                    item.detail = Some((*doc).to_string());
                }
                item
            })
            .collect()
    }

    /// Inside `--mount=`, whose value starts at prefix byte `start`.
    fn mount(&self, start: usize, onbuild: bool) -> Vec<CompletionItem> {
        let text = &self.prefix.text[start..];
        // The field at the cursor starts after the last `,` (or a quote around the value).
        let field_start = text.rfind([',', '"', '\'']).map_or(0, |i| i + 1);
        let field = &text[field_start..];
        let field_abs = start + field_start;
        let after = run_len(&self.suffix, |c| {
            !c.is_whitespace() && !matches!(c, ',' | '"' | '\'')
        });
        let tail_len = run_len(&self.suffix, |c| !c.is_whitespace());
        // The whole mount value, for the type and the keys already given.
        let whole = format!("{text}{}", &self.suffix[..tail_len]);
        let whole = whole.replace(['"', '\''], "");
        let opts = mount::parse_mount(&Word::new(whole, Span::empty(0)));

        if let Some(eq) = field.find('=') {
            let key = field[..eq].to_ascii_lowercase();
            let value_abs = field_abs + eq + 1;
            if key == "from" {
                if onbuild {
                    return Vec::new();
                }
                return self.stages(StageSite::MountFrom, self.span(value_abs, after));
            }
            if let Some(items) = self.variables(Keyword::Run) {
                return items;
            }
            let replace = self.span(value_abs, after);
            return mount::values_for_key(&key)
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let item = CompletionItem::new(*v, CompletionKind::Value, replace)
                        .sort(format!("{i:02}"));
                    match data::mount_type_doc(v) {
                        "" => item,
                        doc if key == "type" => item.detail(doc),
                        _ => item,
                    }
                })
                .collect();
        }
        let ty = opts
            .iter()
            .rev()
            .find(|o| o.key.text == "type")
            .and_then(|o| o.value.as_ref())
            .map_or_else(
                || "bind".to_string(),
                |v| v.text.to_ascii_lowercase().to_string(),
            );
        let typed_key = field.to_ascii_lowercase();
        let present: Vec<&str> = opts
            .iter()
            .map(|o| o.key.text.as_str())
            // The key being typed is not "present".
            .filter(|k| *k != typed_key || opts.iter().filter(|o| o.key.text == *k).count() > 1)
            .collect();
        let allowed = mount::keys_for_type(&ty);
        let replace = self.span(field_abs, after);
        let has_eq = self.suffix[after..].starts_with('=');
        data::MOUNT_KEYS
            .iter()
            .filter(|k| k.key == "type" || allowed.contains(&k.key))
            .filter(|k| !present.contains(&k.key) && !k.aliases.iter().any(|a| present.contains(a)))
            // readonly and readwrite exclude each other.
            .filter(|k| {
                !matches!(k.key, "readonly" | "readwrite")
                    || !present
                        .iter()
                        .any(|p| matches!(*p, "readonly" | "ro" | "readwrite" | "rw"))
            })
            .enumerate()
            .map(|(i, k)| {
                let bare = mount::BOOL_KEYS.contains(&k.key);
                let insert = if bare || has_eq {
                    k.key.to_string()
                } else {
                    format!("{}=", k.key)
                };
                let mut doc = k.doc.to_string();
                if !k.aliases.is_empty() {
                    doc = format!("{doc} (also {})", k.aliases.join(", "));
                }
                CompletionItem::new(k.key, CompletionKind::Property, replace)
                    .detail(doc)
                    .insert(insert)
                    .sort(format!("{i:02}"))
            })
            .collect()
    }

    /// The current stage (`None` before the first FROM).
    fn current_stage(&self) -> Option<usize> {
        if self.found.is_some() {
            if let Some(s) = self.model.instr_stage.get(self.instr).copied().flatten() {
                return Some(s);
            }
        }
        let n = self.model.stages.partition_point(|s| s.instr < self.instr);
        n.checked_sub(1)
    }

    fn stages(&self, site: StageSite, replace: Span) -> Vec<CompletionItem> {
        let m = self.model;
        let current = match site {
            StageSite::FromBase => {
                // The stage this FROM starts (it may not be in the model yet).
                let own = self
                    .found
                    .and_then(|_| m.instr_stage.get(self.instr).copied().flatten())
                    .filter(|&s| m.stages[s].instr == self.instr);
                Some(own.unwrap_or_else(|| m.stages.partition_point(|s| s.instr < self.instr)))
            }
            _ => self.current_stage(),
        };
        let visible = match site {
            StageSite::FromBase => &m.stages[..current.unwrap_or(0).min(m.stages.len())],
            _ => &m.stages[..],
        };
        // A name resolves to the last stage with it among the visible ones.
        let mut by_name: HashMap<&str, usize> = HashMap::new();
        for s in visible {
            if let Some(n) = &s.name {
                by_name.insert(&n.key, s.index);
            }
        }
        let cyclic = current.map(|c| reaching(m, c));
        let allowed = |s: usize| {
            cyclic
                .as_ref()
                .is_none_or(|r| !r.get(s).copied().unwrap_or(false))
        };
        let mut items = Vec::new();
        for s in visible {
            let label = match &s.name {
                Some(n) if by_name.get(n.key.as_str()) == Some(&s.index) => n.key.clone(),
                Some(_) => continue,
                None if site == StageSite::CopyFrom => s.index.to_string(),
                None => continue,
            };
            if !allowed(s.index) {
                continue;
            }
            let detail = if s.base.text.is_empty() {
                format!("stage {}", s.index)
            } else {
                format!("stage {} · FROM {}", s.index, s.base.text)
            };
            items.push(
                CompletionItem::new(label, CompletionKind::Stage, replace)
                    .detail(detail)
                    .sort(format!("{:05}", s.index)),
            );
        }
        items
    }

    /// Variables, when the cursor is on a `$NAME` or `${NAME` being typed.
    fn variables(&self, keyword: Keyword) -> Option<Vec<CompletionItem>> {
        let text = self.prefix.text.as_str();
        let name_start = text.trim_end_matches(is_ident).len();
        let head = &text[..name_start];
        let (dollar, braced) = match head.strip_suffix("${") {
            Some(h) => (h.len(), true),
            None => (head.strip_suffix('$')?.len(), false),
        };
        if text[..dollar].ends_with(self.escape) {
            return None;
        }
        let after = run_len(&self.suffix, is_ident);
        let close = braced && !self.suffix[after..].starts_with('}');
        let replace = self.span(name_start, after);
        let mut items = Vec::new();
        let mut push = |name: &str, detail: String, doc: Option<&str>, builtin: bool| {
            let mut item = CompletionItem::new(name, CompletionKind::Variable, replace)
                .detail(detail)
                .sort(format!("{}{name}", u8::from(builtin)));
            if close {
                item.insert_text = format!("{name}}}");
            }
            item.documentation = doc.map(str::to_string);
            items.push(item);
        };
        let scope = self.scope(keyword);
        let mut names: Vec<&String> = scope.keys().collect();
        names.sort();
        for name in names {
            match scope[name] {
                Some(def) => {
                    let d = &self.model.vars[def];
                    let auto = AUTOMATIC_PLATFORM_ARGS
                        .iter()
                        .find(|(n, _)| *n == name.as_str());
                    push(
                        name,
                        var_detail(self.model, d),
                        auto.map(|(_, doc)| *doc),
                        false,
                    );
                }
                None => {
                    let doc = AUTOMATIC_PLATFORM_ARGS
                        .iter()
                        .find(|(n, _)| *n == name.as_str())
                        .map(|(_, d)| *d);
                    push(name, "automatic platform ARG".to_string(), doc, true);
                }
            }
        }
        if keyword == Keyword::Run {
            for name in PREDEFINED_ARGS {
                if !scope.contains_key(*name) {
                    push(
                        name,
                        "predefined ARG".to_string(),
                        Some("proxy setting passed with `--build-arg`"),
                        true,
                    );
                }
            }
        }
        Some(items)
    }

    /// Names visible before the cursor's instruction: name → definition (`None`: automatic ARG).
    fn scope(&self, keyword: Keyword) -> HashMap<String, Option<usize>> {
        let m = self.model;
        let mut scope = HashMap::new();
        let stage = if keyword == Keyword::From {
            None
        } else {
            self.current_stage()
        };
        let Some(stage) = stage else {
            // FROM lines and global ARG defaults: global ARGs and the automatic platform ARGs.
            for (name, _) in AUTOMATIC_PLATFORM_ARGS {
                scope.insert((*name).to_string(), None);
            }
            for (i, d) in m.vars.iter().enumerate() {
                if d.kind == VarKind::GlobalArg && d.instr < self.instr {
                    scope.insert(d.name.clone(), Some(i));
                }
            }
            return scope;
        };
        // Stages this one is built on (`FROM <stage>`), the root first.
        let mut chain = vec![stage];
        while let Some(&s) = chain.last() {
            let parent = m.stages[s]
                .base_ref
                .and_then(|r| match m.stage_refs[r].target {
                    RefTarget::Stage(t) if t < s => Some(t),
                    _ => None,
                });
            match parent {
                Some(p) => chain.push(p),
                None => break,
            }
        }
        // Shell-form commands run with ARGs and ENVs; CMD and friends run in the container,
        // which only has the ENVs.
        let env_only = matches!(
            keyword,
            Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck
        );
        for &s in chain.iter().rev() {
            for (i, d) in m.vars.iter().enumerate() {
                if d.stage != Some(s) || (s == stage && d.instr >= self.instr) {
                    continue;
                }
                if env_only && d.kind != VarKind::Env {
                    continue;
                }
                scope.insert(d.name.clone(), Some(i));
            }
        }
        scope
    }
}

/// For every stage `s`, whether `target` is reachable from it over dependency edges (base,
/// `--from`, `from=`): [`Model::would_cycle`]`(target, s)` for all stages in one pass over the
/// references, where calling it per stage would be quadratic.
fn reaching(m: &Model, target: usize) -> Vec<bool> {
    let n = m.stages.len();
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in &m.stage_refs {
        if let RefTarget::Stage(t) = r.target {
            if t < n && r.stage < n {
                users[t].push(r.stage);
            }
        }
    }
    let mut seen = vec![false; n];
    let mut stack = vec![target];
    while let Some(s) = stack.pop() {
        if s >= n || seen[s] {
            continue;
        }
        seen[s] = true;
        stack.extend(users[s].iter().copied());
    }
    seen
}

fn var_detail(m: &Model, d: &VarDef) -> String {
    let kind = match d.kind {
        VarKind::GlobalArg => "global ARG",
        VarKind::Arg => "ARG",
        VarKind::Env => "ENV",
    };
    let value = d
        .value
        .as_ref()
        .or_else(|| d.redeclares.and_then(|g| m.vars[g].value.as_ref()))
        .map(|v| v.text.as_str());
    match value {
        Some(v) => format!("{kind} = {v}"),
        None if is_automatic_platform_arg(&d.name) => format!("{kind} · automatic platform"),
        None => kind.to_string(),
    }
}

/// The flag name of a `--name[=value]` word.
fn flag_name(word: &str) -> &str {
    let w = word.trim_start_matches('-');
    w.split_once('=').map_or(w, |(n, _)| n)
}

/// The user types in lower case (so keywords are offered in lower case).
fn is_lower(typed: &str) -> bool {
    !typed.is_empty() && typed.chars().all(|c| !c.is_ascii_uppercase())
}

/// Parser directives: only on the leading comment lines, while each line before is one.
fn directives(
    doc: &Document,
    line: usize,
    content: &str,
    col: usize,
    line_start: usize,
) -> Vec<CompletionItem> {
    let mut present = Vec::new();
    for l in 0..line {
        let text = doc.line_text(l);
        match directive_key(&text) {
            Some(key) => present.push(key),
            None => return Vec::new(),
        }
    }
    let bom = if line == 0 && content.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let Some(hash) = content[bom..].find('#').map(|h| h + bom) else {
        return Vec::new();
    };
    if col <= hash {
        return Vec::new();
    }
    let before = &content[hash + 1..col];
    let rest = &content[col..];
    let at = |i: usize| line_start + i;
    let Some(eq) = before.find('=') else {
        // The key: `#`, spaces, then letters and digits.
        let key = before.trim_start();
        if !key.chars().all(|c| c.is_ascii_alphanumeric())
            || key.starts_with(|c: char| c.is_ascii_digit())
        {
            return Vec::new();
        }
        let after = run_len(rest, |c| c.is_ascii_alphanumeric());
        let replace = Span::new(at(col - key.len()), at(col + after));
        let has_eq = rest[after..].trim_start().starts_with('=');
        return data::DIRECTIVES
            .iter()
            .filter(|(name, _)| !present.iter().any(|p| p == name))
            .map(|(name, doc)| {
                let mut item = CompletionItem::new(*name, CompletionKind::Directive, replace)
                    .detail(*doc)
                    .insert(if has_eq {
                        (*name).to_string()
                    } else {
                        format!("{name}=")
                    });
                item.documentation = Some(format!("[Dockerfile reference]({REFERENCE}#{name})"));
                item
            })
            .collect();
    };
    let key = before[..eq].trim().to_ascii_lowercase();
    let value = &before[eq + 1..];
    let value_start = hash + 1 + eq + 1 + (value.len() - value.trim_start().len());
    let value = value.trim_start();
    let value_item = |(i, v): (usize, &&str), replace: Span| {
        CompletionItem::new(*v, CompletionKind::Value, replace).sort(format!("{i:02}"))
    };
    match key.as_str() {
        "syntax" | "escape" => {
            let after = run_len(rest, |c| !c.is_whitespace());
            let replace = Span::new(at(value_start), at(col + after));
            let values = if key == "syntax" {
                data::SYNTAX_VALUES
            } else {
                data::ESCAPE_VALUES
            };
            values
                .iter()
                .enumerate()
                .map(|iv| value_item(iv, replace))
                .collect()
        }
        "check" => {
            // `skip=A,B;error=true`: `;` separates settings, `,` separates rules.
            let part_start = value.rfind(';').map_or(0, |i| i + 1);
            let part = &value[part_start..];
            let part_abs = value_start + part_start;
            match part.find('=') {
                None => {
                    let after = run_len(rest, |c| c.is_ascii_alphanumeric());
                    let replace = Span::new(at(part_abs), at(col + after));
                    data::CHECK_KEYS
                        .iter()
                        .map(|(k, doc)| {
                            CompletionItem::new(*k, CompletionKind::Property, replace)
                                .detail(*doc)
                                .insert(format!("{k}="))
                        })
                        .collect()
                }
                Some(peq) => {
                    let setting = part[..peq].trim();
                    let list = &part[peq + 1..];
                    let item_start = list.rfind(',').map_or(0, |i| i + 1);
                    let after = run_len(rest, |c| !c.is_whitespace() && c != ',' && c != ';');
                    let replace = Span::new(at(part_abs + peq + 1 + item_start), at(col + after));
                    let values: Vec<&str> = match setting {
                        "error" => data::BOOL_VALUES.to_vec(),
                        "skip" | "experimental" => std::iter::once("all")
                            .chain(data::CHECK_RULES.iter().copied())
                            .collect(),
                        _ => Vec::new(),
                    };
                    values
                        .iter()
                        .enumerate()
                        .map(|iv| value_item(iv, replace))
                        .collect()
                }
            }
        }
        _ => Vec::new(),
    }
}

/// The key of a parser-directive line (`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, a key
/// BuildKit knows), lower-cased.
fn directive_key(line: &str) -> Option<String> {
    let s = line.trim_start_matches('\u{feff}').trim_start();
    let s = s.strip_prefix('#')?.trim_start();
    let key_len = run_len(s, |c| c.is_ascii_alphanumeric());
    let key = &s[..key_len];
    if !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = s[key_len..].trim_start().strip_prefix('=')?;
    if value.trim().is_empty() {
        return None;
    }
    let key = key.to_ascii_lowercase();
    data::DIRECTIVES
        .iter()
        .any(|(k, _)| *k == key)
        .then_some(key)
}
