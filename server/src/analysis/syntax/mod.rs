//! The syntax layer: what BuildKit's parser sees in a Dockerfile.
//!
//! Owns the typed view of a Dockerfile (directives, instructions, flags, words, heredocs) with
//! UTF-8 byte spans into the document. Instruction boundaries come from [`parser`], a line scanner
//! that follows BuildKit's `frontend/dockerfile/parser` exactly (continuations, comments inside
//! continuations, the escape directive, heredocs, CRLF); the tree-sitter tree ([`tree`]) is kept
//! alongside for the finer structure editor features want, but never decides where an
//! instruction starts or ends, because the grammar has holes (`[` at the start of a continued
//! RUN line) that BuildKit does not.
//!
//! Must not know: LSP types, positions in UTF-16, anything about stages or variables' meaning.

pub mod expand;
pub mod image_ref;
pub mod mount;
pub mod parser;
pub mod tree;

use std::fmt;
use std::sync::OnceLock;

use compact_str::CompactString;

/// A half-open range of UTF-8 byte offsets into the document text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }
    pub const fn len(self) -> usize {
        self.end - self.start
    }
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }
    /// True when `offset` lies inside the span or touches its end (a cursor right after a word
    /// is still "on" the word, as editors expect for navigation and completion).
    pub const fn touches(self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }
    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A piece of instruction text after BuildKit removed line continuations (and comment lines
/// inside them). `text` is what BuildKit sees; `span` covers the source from the first to the
/// last byte of the word. When the word crosses a continuation, `text` is shorter than the
/// source and `breaks` records where, so offsets inside `text` still map back to the source.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Word {
    /// Inline up to 24 bytes: most words are short, and a file has thousands of them.
    pub text: CompactString,
    pub span: Span,
    /// `(offset in text, source offset)` for every byte of `text` that does not directly follow
    /// the previous one in the source. Empty for a word on one line.
    pub breaks: Vec<(usize, usize)>,
}

impl Word {
    pub fn new(text: impl Into<CompactString>, span: Span) -> Word {
        Word {
            text: text.into(),
            span,
            breaks: Vec::new(),
        }
    }

    /// The source offset of byte `i` of `text` (`i == text.len()` gives the end of the span).
    pub fn source_offset(&self, i: usize) -> usize {
        if i >= self.text.len() {
            return self.span.end;
        }
        let (base_text, base_src) = self
            .breaks
            .iter()
            .rev()
            .find(|(t, _)| *t <= i)
            .copied()
            .unwrap_or((0, self.span.start));
        base_src + (i - base_text)
    }

    /// The source span of `text[range]`.
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        let s = self.source_offset(start);
        let e = if end == start {
            s
        } else {
            // The last byte of the range may start a multi-byte char: end after the whole char.
            let last = self.source_offset(end - 1);
            let width = self.text[..end]
                .chars()
                .next_back()
                .map_or(1, |c| c.len_utf8());
            let char_start = self.source_offset(end - width);
            (char_start + width).max(last + 1)
        };
        Span::new(s, e.max(s))
    }

    /// `text[start..end]` as a word of its own, with its source mapping (byte offsets into
    /// `text`, which must be on char boundaries).
    pub fn slice(&self, start: usize, end: usize) -> Word {
        let end = end.min(self.text.len());
        let start = start.min(end);
        let span = self.source_span(start, end);
        let breaks = self
            .breaks
            .iter()
            .filter(|(t, _)| *t > start && *t < end)
            .map(|(t, s)| (t - start, *s))
            .collect();
        Word {
            text: CompactString::from(&self.text[start..end]),
            span,
            breaks,
        }
    }

    /// The offset in `text` of the source offset `source`, if it falls inside the word.
    pub fn text_offset(&self, source: usize) -> Option<usize> {
        if source < self.span.start || source > self.span.end {
            return None;
        }
        if source == self.span.end {
            return Some(self.text.len());
        }
        let mut seg_text = 0;
        let mut seg_src = self.span.start;
        for &(t, s) in &self.breaks {
            if s > source {
                break;
            }
            seg_text = t;
            seg_src = s;
        }
        let i = seg_text + (source - seg_src);
        let next = self
            .breaks
            .iter()
            .find(|(t, _)| *t > seg_text)
            .map_or(self.text.len(), |b| b.0);
        // A source offset inside a removed continuation maps to the next kept byte.
        Some(i.min(next))
    }
}

/// The instruction keywords BuildKit knows (`parser.dispatch`), plus `Unknown`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Keyword {
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    /// Case-insensitive, as BuildKit lowercases the keyword before dispatching.
    pub fn parse(word: &str) -> Keyword {
        Keyword::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
            .unwrap_or(Keyword::Unknown)
    }

    /// The canonical upper-case spelling (`""` for `Unknown`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
            Keyword::Unknown => "",
        }
    }

    /// Instructions whose arguments may contain heredocs (`parser.heredocDirectives`).
    pub const fn allows_heredoc(self) -> bool {
        matches!(self, Keyword::Add | Keyword::Copy | Keyword::Run)
    }
}

/// A leading `--name[=value]` flag, as BuildKit's `extractBuilderFlags` splits it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Flag {
    /// The name without the leading dashes, as written (BuildKit matches it case-sensitively).
    pub name: Word,
    /// The text after `=`, quotes removed as BuildKit removes them; `None` for `--link`.
    pub value: Option<Word>,
    /// The whole flag from the first `-` to the last byte of the value.
    pub span: Span,
}

/// One heredoc of an instruction (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Heredoc {
    /// The delimiter without quotes.
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// The delimiter was quoted, so the body is not expanded.
    pub quoted: bool,
    /// The `<<EOF` marker in the instruction line.
    pub marker: Span,
    /// The body, from the start of the line after the instruction to the end of the line before
    /// the terminator (including that line's newline).
    pub body: Span,
    /// The terminator line's text (without newline); `None` when the heredoc never ends.
    pub terminator: Option<Span>,
}

/// One instruction as BuildKit's parser splits it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Instruction {
    pub kind: Keyword,
    /// The keyword as written (`from`, `Run`, `BOGUS`).
    pub keyword: Word,
    pub flags: Vec<Flag>,
    /// The text after the keyword and the flags, continuations removed, in one [`Word`]; its span
    /// runs to the end of the last logical line (heredoc bodies excluded).
    pub rest: Word,
    /// `rest` split at unquoted whitespace: see [`Instruction::args`].
    pub(in crate::analysis::syntax) args: Args,
    /// Exec (JSON array) form: the decoded strings, each with the span of its JSON literal.
    pub json: Option<Vec<Word>>,
    pub heredocs: Vec<Heredoc>,
    /// The trigger instruction of `ONBUILD`, parsed from `rest` like a top-level instruction.
    pub onbuild: Option<Box<Instruction>>,
    /// From the keyword to the end of the last line (heredoc terminator included), no newline.
    pub span: Span,
    /// 0-based first and last line, inclusive, as BuildKit's `StartLine`/`EndLine` minus one.
    pub start_line: u32,
    pub end_line: u32,
    /// An empty line inside a continuation (BuildKit warns: "Empty continuation line").
    pub empty_continuation_lines: Vec<Span>,
}

impl Instruction {
    /// `rest` split at unquoted whitespace (quotes kept as written), as BuildKit's
    /// `parseStringsWhitespaceDelimited` / `parseMaybeJSONToList` see shell-form arguments.
    pub fn args(&self) -> &[Word] {
        self.args
            .words
            .get_or_init(|| parser::split_rest(&self.rest, self.args.escape))
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name.text == name)
    }
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name.text == name)
    }
}

/// An instruction's arguments, [`Instruction::args`]. The words of `RUN`, `CMD` and
/// `ENTRYPOINT` are split when first asked for: they are most of a file's words (80% of those of
/// lspbench's generated files, the shell commands), and a document is opened, edited and
/// checked without reading them; the other instructions' words are split by the parser.
#[derive(Clone, Default)]
pub struct Args {
    /// The escape character in effect (the words depend on it).
    escape: u8,
    words: OnceLock<Vec<Word>>,
}

impl Args {
    /// Words to split from `rest` when first asked for.
    pub(crate) fn lazy(escape: u8) -> Args {
        Args {
            escape,
            words: OnceLock::new(),
        }
    }

    /// Words already split.
    pub(crate) fn split(escape: u8, words: Vec<Word>) -> Args {
        Args {
            escape,
            words: OnceLock::from(words),
        }
    }

    /// The words if they were split, for shifting them with their instruction.
    pub(crate) fn split_mut(&mut self) -> Option<&mut Vec<Word>> {
        self.words.get_mut()
    }
}

/// The words are a function of the instruction's `rest` (which an instruction's equality
/// compares too) and the escape character, so words not split yet equal any split ones.
impl PartialEq for Args {
    fn eq(&self, other: &Args) -> bool {
        self.escape == other.escape
            && match (self.words.get(), other.words.get()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl Eq for Args {}

impl fmt::Debug for Args {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.words.get() {
            Some(words) => words.fmt(f),
            None => f.write_str("(not split yet)"),
        }
    }
}

/// A parser directive on the first lines (`# syntax=...`, `# escape=...`, `# check=...`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    pub name_span: Span,
    pub value: Word,
    /// The whole comment line, no newline.
    pub span: Span,
}

/// Something BuildKit's parser rejects outright (the build fails before any instruction runs).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// The result of [`parser::parse`]: never fails, broken input yields `errors`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Syntax {
    pub directives: Vec<Directive>,
    /// `\\` by default, `` ` `` with `# escape=``.
    pub escape: char,
    pub instructions: Vec<Instruction>,
    /// Every comment line (`#` first after whitespace), no newline, including directives and
    /// comments inside continuations.
    pub comments: Vec<Span>,
    pub errors: Vec<SyntaxError>,
}

impl Default for Syntax {
    fn default() -> Self {
        Syntax {
            directives: Vec::new(),
            escape: '\\',
            instructions: Vec::new(),
            comments: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl Syntax {
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// Every instruction, each followed by its `ONBUILD` trigger when it has one (BuildKit
    /// parses a trigger like any instruction, so the same checks apply to it).
    pub fn instructions_and_triggers(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .flat_map(|ins| std::iter::once(ins).chain(ins.onbuild.as_deref()))
    }

    /// The index of the instruction whose span touches `offset` (for an offset between
    /// instructions, `None`).
    pub fn instruction_at(&self, offset: usize) -> Option<usize> {
        let i = self
            .instructions
            .partition_point(|ins| ins.span.end < offset);
        (i < self.instructions.len() && self.instructions[i].span.start <= offset).then_some(i)
    }
}
