//! Semantic tokens: what each meaningful piece of a Dockerfile is, for editor colouring.
//!
//! Built from the syntax (keywords, flags, `--mount` fields, JSON strings, heredoc delimiters,
//! comments, directives) and the model (stage names and references, variable definitions and
//! uses, image references), never from a re-parse. The result is sorted by start offset and free
//! of overlaps; a token may span a line continuation, and `lsp::convert` splits such tokens into
//! one per line when the client cannot take multi-line tokens. One `Vec` push per token and one
//! nearly-sorted sort per request: a 10,000-line file takes a few milliseconds.
//!
//! Must not know: LSP types, UTF-16, the legend's wire format (it only fixes the order).

use crate::analysis::model::{is_automatic_platform_arg, RefTarget, PREDEFINED_ARGS};
use crate::analysis::syntax::image_ref::ImageRef;
use crate::analysis::syntax::mount::parse_mount;
use crate::analysis::syntax::{Instruction, Keyword, Word};
use crate::analysis::{Document, Span};

/// Token types, in legend order (the index is the wire value).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum TokenType {
    /// Instruction keywords, `AS`, `HEALTHCHECK CMD`/`NONE`.
    Keyword,
    /// Flag names (`--from`).
    Parameter,
    /// `--mount` keys and `LABEL` keys.
    Property,
    /// Enumerated values: `--mount` types and sharing modes, `--network`, `--security`.
    EnumMember,
    /// Stage names, declared after `AS` and referenced by `FROM`, `--from`, `from=`.
    Class,
    /// Image references (registry and repository).
    Namespace,
    /// ARG and ENV names and `$NAME` uses.
    Variable,
    /// Exec-form strings, image tags and digests, directive values.
    String,
    Comment,
    /// `=` between names and values, variable modifiers (`:-`).
    Operator,
    /// Parser directive names (`syntax`, `escape`, `check`).
    Macro,
    /// Heredoc delimiters (`<<EOF` and its terminator).
    Decorator,
}

impl TokenType {
    pub const ALL: [TokenType; 12] = [
        TokenType::Keyword,
        TokenType::Parameter,
        TokenType::Property,
        TokenType::EnumMember,
        TokenType::Class,
        TokenType::Namespace,
        TokenType::Variable,
        TokenType::String,
        TokenType::Comment,
        TokenType::Operator,
        TokenType::Macro,
        TokenType::Decorator,
    ];

    /// The LSP name (`SemanticTokenTypes`).
    pub const fn name(self) -> &'static str {
        match self {
            TokenType::Keyword => "keyword",
            TokenType::Parameter => "parameter",
            TokenType::Property => "property",
            TokenType::EnumMember => "enumMember",
            TokenType::Class => "class",
            TokenType::Namespace => "namespace",
            TokenType::Variable => "variable",
            TokenType::String => "string",
            TokenType::Comment => "comment",
            TokenType::Operator => "operator",
            TokenType::Macro => "macro",
            TokenType::Decorator => "decorator",
        }
    }

    pub const fn index(self) -> u32 {
        self as u32
    }
}

/// Token modifiers: bit `i` is `MODIFIERS[i]`.
pub mod modifier {
    /// `AS name`, `ARG NAME`, `ENV NAME=`.
    pub const DECLARATION: u32 = 1 << 0;
    /// Variables BuildKit sets itself (automatic platform ARGs, proxy ARGs).
    pub const READONLY: u32 = 1 << 1;
    /// Provided by BuildKit rather than the file: builtin variables, `scratch`.
    pub const DEFAULT_LIBRARY: u32 = 1 << 2;
    /// `MAINTAINER`.
    pub const DEPRECATED: u32 = 1 << 3;
}

/// The LSP names of the modifiers, in bit order.
pub const MODIFIERS: [&str; 4] = ["declaration", "readonly", "defaultLibrary", "deprecated"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SemanticToken {
    /// Never empty; may cross a line break (see the module docs).
    pub span: Span,
    pub ty: TokenType,
    /// A set of [`modifier`] bits.
    pub modifiers: u32,
}

/// Every token of the document, or only those overlapping `range`, sorted and disjoint.
pub fn semantic_tokens(doc: &Document, range: Option<Span>) -> Vec<SemanticToken> {
    let mut b = Builder {
        doc,
        out: Vec::with_capacity(doc.syntax().instructions.len() * 4),
    };
    b.comments_and_directives();
    for ins in &doc.syntax().instructions {
        b.instruction(ins);
    }
    b.model();
    let mut out = b.out;
    // Mostly in order already (one pass per kind of token): a stable sort on nearly sorted
    // input is close to linear. Longer first at equal starts, so the outer token wins.
    out.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    let mut end = 0;
    out.retain(|t| {
        let keep = t.span.start >= end && !t.span.is_empty();
        if keep {
            end = t.span.end;
        }
        keep
    });
    if let Some(r) = range {
        out.retain(|t| t.span.start < r.end && t.span.end > r.start);
    }
    out
}

struct Builder<'a> {
    doc: &'a Document,
    out: Vec<SemanticToken>,
}

impl Builder<'_> {
    fn push(&mut self, span: Span, ty: TokenType, modifiers: u32) {
        let len = self.doc.len();
        if span.start < span.end && span.end <= len {
            self.out.push(SemanticToken {
                span,
                ty,
                modifiers,
            });
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        (at < self.doc.len()).then(|| self.doc.text().byte(at))
    }

    /// An `=` right at `at`.
    fn eq_at(&mut self, at: usize) {
        if self.byte(at) == Some(b'=') {
            self.push(Span::new(at, at + 1), TokenType::Operator, 0);
        }
    }

    fn comments_and_directives(&mut self) {
        let syntax = self.doc.syntax();
        let mut directives = syntax.directives.iter().peekable();
        for &c in &syntax.comments {
            while directives.peek().is_some_and(|d| d.span.end < c.start) {
                directives.next();
            }
            match directives.peek() {
                Some(d) if d.span == c => {
                    // `# ` as a comment, then name, `=`, value.
                    self.push(Span::new(c.start, d.name_span.start), TokenType::Comment, 0);
                    self.push(d.name_span, TokenType::Macro, 0);
                    let mut at = d.name_span.end;
                    while matches!(self.byte(at), Some(b' ' | b'\t')) {
                        at += 1;
                    }
                    self.eq_at(at);
                    self.push(d.value.span, TokenType::String, 0);
                }
                _ => self.push(c, TokenType::Comment, 0),
            }
        }
    }

    fn instruction(&mut self, ins: &Instruction) {
        let mods = if ins.kind == Keyword::Maintainer {
            modifier::DEPRECATED
        } else {
            0
        };
        if ins.kind != Keyword::Unknown {
            self.push(ins.keyword.span, TokenType::Keyword, mods);
        }
        for f in &ins.flags {
            self.push(
                Span::new(f.span.start, f.name.span.end),
                TokenType::Parameter,
                0,
            );
            let Some(v) = &f.value else { continue };
            self.eq_at(f.name.span.end);
            match (ins.kind, f.name.text.as_str()) {
                (Keyword::Run, "mount") => self.mount(v),
                (Keyword::Run, "network" | "security") if !v.text.contains('$') => {
                    self.push(v.span, TokenType::EnumMember, 0);
                }
                _ => {}
            }
        }
        match ins.kind {
            Keyword::From => {
                if let Some(as_kw) = ins
                    .args()
                    .get(1)
                    .filter(|w| w.text.eq_ignore_ascii_case("as"))
                {
                    self.push(as_kw.span, TokenType::Keyword, 0);
                }
            }
            Keyword::Arg | Keyword::Env | Keyword::Label => {
                for w in ins.args() {
                    if let Some(eq) = w.text.find('=') {
                        if ins.kind == Keyword::Label && !w.text[..eq].contains('$') {
                            self.push(w.source_span(0, eq), TokenType::Property, 0);
                        }
                        let at = w.source_offset(eq);
                        self.eq_at(at);
                    }
                }
            }
            Keyword::Healthcheck => {
                if let Some(w) = ins.args().first().filter(|w| {
                    w.text.eq_ignore_ascii_case("cmd") || w.text.eq_ignore_ascii_case("none")
                }) {
                    self.push(w.span, TokenType::Keyword, 0);
                }
            }
            _ => {}
        }
        if let Some(json) = &ins.json {
            for s in json {
                self.push(s.span, TokenType::String, 0);
            }
        }
        for h in &ins.heredocs {
            self.push(h.marker, TokenType::Decorator, 0);
            if let Some(t) = h.terminator {
                // The terminator line may carry leading tabs (`<<-`): colour the name only.
                let text = self.doc.slice(t);
                let lead = text.len() - text.trim_start_matches('\t').len();
                self.push(Span::new(t.start + lead, t.end), TokenType::Decorator, 0);
            }
        }
        if let Some(sub) = &ins.onbuild {
            self.instruction(sub);
        }
    }

    fn mount(&mut self, value: &Word) {
        for opt in parse_mount(value) {
            if opt.key.text.is_empty() {
                continue;
            }
            self.push(opt.key.span, TokenType::Property, 0);
            let Some(v) = &opt.value else { continue };
            self.eq_at(opt.key.span.end);
            if matches!(opt.key.text.as_str(), "type" | "sharing") && !v.text.contains('$') {
                self.push(v.span, TokenType::EnumMember, 0);
            }
        }
    }

    fn model(&mut self) {
        let m = self.doc.model();
        for s in &m.stages {
            if let Some(n) = &s.name {
                self.push(n.span, TokenType::Class, modifier::DECLARATION);
            }
        }
        for r in &m.stage_refs {
            if r.text.contains('$') {
                continue;
            }
            match r.target {
                RefTarget::Stage(_) => self.push(r.span, TokenType::Class, 0),
                RefTarget::Image => self.image(r.span, &r.text),
                RefTarget::BadIndex(_) | RefTarget::Variable => {}
            }
        }
        for d in &m.vars {
            let builtin = is_automatic_platform_arg(&d.name) && d.value.is_none();
            let mods = modifier::DECLARATION
                | if builtin {
                    modifier::READONLY | modifier::DEFAULT_LIBRARY
                } else {
                    0
                };
            self.push(d.name_span, TokenType::Variable, mods);
        }
        for u in &m.var_uses {
            let builtin = u.builtin
                || u.def.is_some_and(|d| {
                    let d = &m.vars[d];
                    d.value.is_none()
                        && d.redeclares.is_none()
                        && is_automatic_platform_arg(&d.name)
                })
                || (u.def.is_none() && PREDEFINED_ARGS.contains(&u.name.as_str()));
            let mods = if builtin {
                modifier::READONLY | modifier::DEFAULT_LIBRARY
            } else {
                0
            };
            // `$NAME`, `${NAME` (and `}` when there is no modifier).
            let end = if u.operator.is_none() && u.span.end > u.name_span.end {
                u.span.end
            } else {
                u.name_span.end
            };
            self.push(Span::new(u.span.start, end), TokenType::Variable, mods);
            if let Some(op) = &u.operator {
                let at = u.name_span.end;
                if at + op.len() <= self.doc.len()
                    && self.doc.slice(Span::new(at, at + op.len())) == *op
                {
                    self.push(Span::new(at, at + op.len()), TokenType::Operator, 0);
                }
            }
        }
    }

    /// An image reference written without variables: registry and repository, then tag and
    /// digest. `scratch` is BuildKit's empty image.
    fn image(&mut self, span: Span, text: &str) {
        if text.eq_ignore_ascii_case("scratch") {
            self.push(span, TokenType::Namespace, modifier::DEFAULT_LIBRARY);
            return;
        }
        // Only when the source is exactly the text (no quotes, no continuation inside).
        if span.len() != text.len() {
            self.push(span, TokenType::Namespace, 0);
            return;
        }
        match ImageRef::parse(text) {
            Ok(r) => {
                let at = |i: usize| span.start + i;
                self.push(
                    Span::new(at(r.name_range.start), at(r.name_range.end)),
                    TokenType::Namespace,
                    0,
                );
                let rest_start = r.name_range.end;
                if rest_start < text.len() {
                    self.push(Span::new(at(rest_start), span.end), TokenType::String, 0);
                }
            }
            Err(_) => self.push(span, TokenType::Namespace, 0),
        }
    }
}

#[cfg(test)]
mod tests;
