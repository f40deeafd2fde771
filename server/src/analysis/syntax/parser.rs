//! The instruction splitter: cuts a Dockerfile into instructions exactly where BuildKit's
//! `frontend/dockerfile/parser` does.
//!
//! Owns line splitting (`\n` only; trailing `\r`s dropped; a lone `\r` is not a break), the
//! parser directives at the top, comments, line continuations (also across comment and empty
//! lines), `extractBuilderFlags`, the exec (JSON) form, `ONBUILD` triggers and heredocs. One
//! linear pass; every span is a UTF-8 byte offset into the original text. Parsing never fails:
//! what BuildKit rejects outright becomes a [`SyntaxError`].
//!
//! Must not know: LSP types, what instructions mean (stages, variables), tree-sitter.
//!
//! Known departures from BuildKit, all on input no real Dockerfile has: BuildKit's flag and
//! HEALTHCHECK scanners look at single bytes, so the bytes 0x85 and 0xA0 inside a multi-byte
//! character count as spaces there (we never split a character); and heredoc detection does not
//! expand `${var:-word}` forms, it only checks they are well formed.

use super::{
    Args, Directive, Flag, Heredoc, Instruction, Keyword, Span, Syntax, SyntaxError, Word,
};

/// BuildKit's `bufio.Scanner` gives up on a line (newline included) longer than this.
const MAX_LINE: usize = 64 * 1024;
const MAX_LINE_MESSAGE: &str = "dockerfile line greater than max allowed size of";

/// How deep `${a:-${b:-...}}` may nest before heredoc detection gives up (stack safety).
const MAX_NESTING: u32 = 64;

pub fn parse(text: &ropey::Rope) -> Syntax {
    // One contiguous copy: linear, and far simpler than scanning across chunk edges.
    let mut buf = String::with_capacity(text.len_bytes());
    for chunk in text.chunks() {
        buf.push_str(chunk);
    }
    parse_str(&buf)
}

pub fn parse_str(text: &str) -> Syntax {
    Parser::new(text).run()
}

/// How the text changed since a [`Syntax`] was parsed: bytes `start..old_end` of the old text
/// became `start..new_end` of the new one, and the number of `\n`s changed by `line_delta`.
/// Several edits merge into one covering change (see `Document::edit`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Change {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub line_delta: isize,
}

impl Change {
    /// The change covering `self` followed by `next` (whose offsets are in the text after
    /// `self`).
    pub fn then(self, next: Change) -> Change {
        // Everything outside `self.start..self.new_end` of the intermediate text is unchanged
        // old text, shifted by `self`'s delta after it.
        let start = self.start.min(next.start);
        let mid_end = self.new_end.max(next.old_end);
        let old_end = self.old_end + (mid_end - self.new_end);
        let new_end = (mid_end + next.new_end) - next.old_end;
        Change {
            start,
            old_end,
            new_end,
            line_delta: self.line_delta + next.line_delta,
        }
    }
}

/// The syntax of `text`, reusing `old` (the syntax of the text before `change`) where the change
/// cannot have had an effect: the scan restarts at the line after the last instruction that
/// ends before the change (the scanner's only state there is the escape character, parser
/// directives being over), and stops as soon as it reaches, past the change, the line where an
/// old instruction started; the instructions from there on are the old ones, shifted.
/// Equal to [`parse`] of `text` (a property test checks it); falls back to a full parse where
/// reuse is not simple (a change before the end of the first instruction, over-long lines).
/// Also returns which instructions are the old ones ([`Reuse`]), so that
/// [`Model::rebuild`](crate::analysis::model::Model::rebuild) keeps what they define.
pub fn reparse(old: std::sync::Arc<Syntax>, text: &ropey::Rope, change: Change) -> (Syntax, Reuse) {
    let mut buf = String::with_capacity(text.len_bytes());
    for chunk in text.chunks() {
        buf.push_str(chunk);
    }
    // The old syntax is updated in place when nobody else holds it (the usual case: the
    // previous version of the document is gone by the time the new one is parsed).
    let old = std::sync::Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone());
    incremental(old, &buf, change).unwrap_or_else(|| {
        let syntax = parse_str(&buf);
        let reuse = Reuse::none(syntax.instructions.len());
        (syntax, reuse)
    })
}

/// Which instructions of a reparse are the old ones: the first `head` untouched, and the old
/// instructions from `old_tail` on, now from `new_tail` on, shifted by `delta` bytes and
/// `line_delta` lines (identical otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reuse {
    pub head: usize,
    pub old_tail: usize,
    pub new_tail: usize,
    pub delta: isize,
    pub line_delta: isize,
}

impl Reuse {
    /// Nothing reused: a full parse that gave `len` instructions.
    pub fn none(len: usize) -> Reuse {
        Reuse {
            head: 0,
            old_tail: usize::MAX,
            new_tail: len,
            delta: 0,
            line_delta: 0,
        }
    }
}

pub fn reparse_str(old: Syntax, text: &str, change: Change) -> Syntax {
    incremental(old, text, change).map_or_else(|| parse_str(text), |(syntax, _)| syntax)
}

/// The incremental reparse and which instructions it kept.
fn incremental(mut old: Syntax, text: &str, c: Change) -> Option<(Syntax, Reuse)> {
    let b = text.as_bytes();
    if c.start > c.new_end || c.new_end > b.len() || c.start > c.old_end {
        return None;
    }
    if old
        .errors
        .iter()
        .any(|e| e.message.starts_with(MAX_LINE_MESSAGE))
    {
        return None;
    }
    // The last instruction whose following line starts at or before the change.
    let mut j = old.instructions.partition_point(|x| extent(x) < c.start);
    let (keep, restart) = loop {
        let prev = &old.instructions[j.checked_sub(1)?];
        let end = extent(prev);
        let between = b.get(end..c.start)?;
        // The last instruction may have been cut off by the end of the text (an open line
        // continuation or heredoc), so text added after it may still belong to it: rescan it.
        let open = j == old.instructions.len();
        if let Some(nl) = between.iter().position(|&x| x == b'\n').filter(|_| !open) {
            break (j, end + nl + 1);
        }
        j -= 1;
    };
    let first_line = old.instructions[keep - 1].end_line as usize + 1;
    let mut p = Parser {
        text,
        lines: Vec::new(),
        first_line,
        lazy: Some(restart),
        too_long: false,
        escape: old.escape as u8,
        directives_done: true,
        out: Syntax::default(),
        word_buf: Vec::new(),
    };
    let resync = Resync {
        old: &old.instructions,
        new_end: c.new_end,
        delta: c.new_end as isize - c.old_end as isize,
        line_delta: c.line_delta,
    };
    let synced = p.scan(first_line, Some(&resync));
    if p.too_long {
        return None;
    }
    let (d, dl) = (resync.delta, resync.line_delta);
    let new = p.out;
    // Old instructions from `m` on start where they did before, shifted.
    let m = synced.unwrap_or(old.instructions.len());
    let from = old.instructions.get(m).map_or(usize::MAX, |x| x.span.start);
    let added = new.instructions.len();
    let reuse = Reuse {
        head: keep,
        old_tail: m,
        new_tail: keep + added,
        delta: d,
        line_delta: dl,
    };
    old.instructions.splice(keep..m, new.instructions);
    for ins in &mut old.instructions[keep + added..] {
        shift_instruction(ins, d, dl);
    }
    let first = old.comments.partition_point(|s| s.start < restart);
    let last = old.comments.partition_point(|s| s.start < from);
    let added = new.comments.len();
    old.comments.splice(first..last, new.comments);
    for s in &mut old.comments[first + added..] {
        *s = shift_span(*s, d);
    }
    let mut errors: Vec<SyntaxError> = Vec::with_capacity(old.errors.len() + new.errors.len());
    let (before, after): (Vec<_>, Vec<_>) = std::mem::take(&mut old.errors)
        .into_iter()
        .filter(|e| e.span.start < restart || e.span.start >= from)
        .partition(|e| e.span.start < restart);
    errors.extend(before);
    errors.extend(new.errors);
    errors.extend(after.into_iter().map(|e| SyntaxError {
        span: shift_span(e.span, d),
        message: e.message,
    }));
    old.errors = errors;
    Some((old, reuse))
}

/// Where the text an instruction consumed ends: its span, or its last heredoc (an unterminated
/// body runs past the span, to the end of the text).
fn extent(ins: &Instruction) -> usize {
    ins.heredocs
        .iter()
        .map(|h| h.terminator.map_or(h.body.end, |t| t.end).max(h.body.end))
        .fold(ins.span.end, usize::max)
}

/// Where the scan may stop reusing the old instructions.
struct Resync<'o> {
    old: &'o [Instruction],
    /// End of the changed bytes in the new text.
    new_end: usize,
    delta: isize,
    line_delta: isize,
}

impl Resync<'_> {
    /// The old instruction that started at the same place as an instruction starting at `ts` on
    /// line `line` (starting at `line_start`) of the new text, when that line lies wholly after
    /// the change: the scanner was in the same state there, and sees the same text from there on.
    fn at(&self, line: usize, line_start: usize, ts: usize) -> Option<usize> {
        if line_start <= self.new_end {
            return None;
        }
        let old_ts = usize::try_from(ts as isize - self.delta).ok()?;
        let m = self.old.partition_point(|x| x.span.start < old_ts);
        let ins = self.old.get(m)?;
        (ins.span.start == old_ts && ins.start_line as isize == line as isize - self.line_delta)
            .then_some(m)
    }
}

pub(crate) fn shift_off(o: usize, d: isize) -> usize {
    (o as isize + d) as usize
}

pub(crate) fn shift_span(s: Span, d: isize) -> Span {
    Span::new(shift_off(s.start, d), shift_off(s.end, d))
}

pub(crate) fn shift_word(w: &mut Word, d: isize) {
    w.span = shift_span(w.span, d);
    for (_, src) in &mut w.breaks {
        *src = shift_off(*src, d);
    }
}

fn shift_instruction(ins: &mut Instruction, d: isize, dl: isize) {
    shift_word(&mut ins.keyword, d);
    for f in &mut ins.flags {
        shift_word(&mut f.name, d);
        if let Some(v) = &mut f.value {
            shift_word(v, d);
        }
        f.span = shift_span(f.span, d);
    }
    shift_word(&mut ins.rest, d);
    for w in ins.args.split_mut().into_iter().flatten() {
        shift_word(w, d);
    }
    for w in ins.json.iter_mut().flatten() {
        shift_word(w, d);
    }
    for h in &mut ins.heredocs {
        h.marker = shift_span(h.marker, d);
        h.body = shift_span(h.body, d);
        h.terminator = h.terminator.map(|t| shift_span(t, d));
    }
    if let Some(sub) = &mut ins.onbuild {
        shift_instruction(sub, d, dl);
    }
    ins.span = shift_span(ins.span, d);
    ins.start_line = (ins.start_line as isize + dl) as u32;
    ins.end_line = (ins.end_line as isize + dl) as u32;
    for s in &mut ins.empty_continuation_lines {
        *s = shift_span(*s, d);
    }
}

#[derive(Clone, Copy)]
struct Line {
    start: usize,
    /// End of the content: trailing `\r` (and the `\n`) excluded, as BuildKit's `trimNewline`.
    end: usize,
}

/// The line starting at `start`: where its content ends (before trailing CRs and the `\n`, as
/// BuildKit trims them) and where the next line starts.
fn line_bounds(b: &[u8], start: usize) -> (usize, usize) {
    let nl = b[start..]
        .iter()
        .position(|&c| c == b'\n')
        .map(|p| start + p);
    let next = nl.map_or(b.len(), |p| p + 1);
    let mut end = nl.unwrap_or(b.len());
    while end > start && matches!(b[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    (end, next)
}

fn split_lines(text: &str, errors: &mut Vec<SyntaxError>) -> Vec<Line> {
    let b = text.as_bytes();
    let mut lines = Vec::with_capacity(b.len() / 32 + 1);
    let mut start = 0;
    while start < b.len() {
        let (end, next) = line_bounds(b, start);
        if next - start > MAX_LINE && errors.is_empty() {
            errors.push(SyntaxError {
                span: Span::new(start, end),
                message: format!("{MAX_LINE_MESSAGE} {}", MAX_LINE - 1),
            });
        }
        lines.push(Line { start, end });
        start = next;
    }
    lines
}

/// `unicode.IsSpace` (same set as `char::is_whitespace`).
fn skip_ws(text: &str, from: usize, to: usize) -> usize {
    match text[from..to].find(|c: char| !c.is_whitespace()) {
        Some(p) => from + p,
        None => to,
    }
}

fn trim_ws_end(text: &str, from: usize, to: usize) -> usize {
    from + text[from..to].trim_end_matches(char::is_whitespace).len()
}

/// The bytes `reWhitespace` (`[\t\v\f\r ]`) matches.
fn is_re_ws(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// `unicode.IsSpace(rune(b))` for an ASCII byte (see the module docs for 0x85 / 0xA0).
fn is_byte_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// The length of the UTF-8 sequence that starts with `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0..0x80 => 1,
        0x80..0xE0 => 2,
        0xE0..0xF0 => 3,
        _ => 4,
    }
}

/// `unicode.IsSpace` of the character at `p`, decoding only outside ASCII.
fn is_space_at(text: &str, p: usize) -> bool {
    match text.as_bytes()[p] {
        c @ 0..0x80 => is_byte_space(c),
        _ => text[p..].chars().next().is_some_and(char::is_whitespace),
    }
}

/// An ASCII byte that continues an unquoted word as it is: no space, quote or escape.
fn is_plain(b: u8, esc: u8) -> bool {
    b < 0x80 && !is_byte_space(b) && b != b'\'' && b != b'"' && b != esc
}

/// RE2's `\s`.
fn is_re_s(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// Builds a [`Word`] from pieces of source, recording a break wherever the source jumps.
struct WordBuilder {
    text: Vec<u8>,
    breaks: Vec<(usize, usize)>,
    start: usize,
    next: usize,
}

impl WordBuilder {
    fn new(start: usize) -> WordBuilder {
        WordBuilder {
            text: Vec::new(),
            breaks: Vec::new(),
            start,
            next: start,
        }
    }

    fn push(&mut self, bytes: &[u8], src: usize) {
        if bytes.is_empty() {
            return;
        }
        if src != self.next {
            self.breaks.push((self.text.len(), src));
        }
        self.text.extend_from_slice(bytes);
        self.next = src + bytes.len();
    }

    fn finish(self, end: usize) -> Word {
        Word {
            text: compact_str::CompactString::from_utf8(&self.text)
                .unwrap_or_else(|_| compact_str::CompactString::from_utf8_lossy(&self.text)),
            span: Span::new(self.start, end.max(self.start)),
            breaks: self.breaks,
        }
    }
}

/// An instruction's text after continuations were removed: the concatenation of source ranges.
#[derive(Default)]
struct Logical {
    text: String,
    /// `(offset in text, source offset)` where each source range starts.
    segs: Vec<(usize, usize)>,
    /// Source offset used when `text` is empty.
    origin: usize,
}

impl Logical {
    fn reset(&mut self, origin: usize) {
        self.text.clear();
        self.segs.clear();
        self.origin = origin;
    }

    fn push(&mut self, src: &str, start: usize, end: usize) {
        if start < end {
            self.segs.push((self.text.len(), start));
            self.text.push_str(&src[start..end]);
        }
    }

    fn src(&self, l: usize) -> usize {
        let i = self.segs.partition_point(|s| s.0 <= l);
        if i == 0 {
            return self.origin;
        }
        let (t, s) = self.segs[i - 1];
        s + (l - t)
    }

    /// Source offset just after byte `l - 1` (or of `l` for an empty range).
    fn src_end(&self, start: usize, end: usize) -> usize {
        if end > start {
            self.src(end - 1) + 1
        } else {
            self.src(start)
        }
    }

    /// Pushes `text[a..b]` to the builder, split where the source jumps.
    fn push_range(&self, wb: &mut WordBuilder, a: usize, b: usize) {
        let mut i = self.segs.partition_point(|s| s.0 <= a).saturating_sub(1);
        let mut p = a;
        while p < b {
            let (t, s) = self.segs[i];
            let seg_end = self.segs.get(i + 1).map_or(self.text.len(), |n| n.0);
            let e = seg_end.min(b);
            wb.push(&self.text.as_bytes()[p..e], s + (p - t));
            p = e;
            i += 1;
        }
    }

    /// The end (in `text`) of the segment that holds byte `l`.
    fn seg_end(&self, l: usize) -> usize {
        let i = self.segs.partition_point(|s| s.0 <= l);
        self.segs.get(i).map_or(self.text.len(), |s| s.0)
    }

    /// The word of the bytes of `text` at the positions of `part` (`(byte, position)`, quotes
    /// and escapes left out), from source offset `from` to `to`: pushed a run of consecutive
    /// positions inside one segment at a time (bytes at consecutive positions come from
    /// consecutive source offsets there), not a byte at a time.
    fn word_of(&self, part: &[(u8, usize)], from: usize, to: usize) -> Word {
        let mut wb = WordBuilder::new(from);
        wb.text.reserve(part.len());
        let mut i = 0;
        while i < part.len() {
            let first = part[i].1;
            let seg_end = self.seg_end(first);
            let mut j = i + 1;
            while j < part.len() && part[j].1 == part[j - 1].1 + 1 && part[j].1 < seg_end {
                j += 1;
            }
            wb.push(
                &self.text.as_bytes()[first..first + (j - i)],
                self.src(first),
            );
            i = j;
        }
        wb.finish(to)
    }

    /// [`Logical::word_of`] a byte at a time: the oracle the tests hold it to.
    #[cfg(test)]
    fn word_of_bytes(&self, part: &[(u8, usize)], from: usize, to: usize) -> Word {
        let mut wb = WordBuilder::new(from);
        for &(c, l) in part {
            wb.push(&[c], self.src(l));
        }
        wb.finish(to)
    }

    fn word(&self, a: usize, b: usize) -> Word {
        // Every segment starts where the source jumps (past a removed continuation).
        let first = self.segs.partition_point(|s| s.0 <= a);
        // The usual case: the word lies in the segment of its first byte (one search, not
        // three); the same answer as below.
        if first > 0 && self.segs.get(first).is_none_or(|next| next.0 >= b) {
            let (t, s) = self.segs[first - 1];
            let end = if b > a { s + (b - t) } else { s + (a - t) };
            let word = Word {
                text: self.text[a..b].into(),
                span: Span::new(s + (a - t), end),
                breaks: Vec::new(),
            };
            #[cfg(test)]
            assert_eq!(word, self.word_across(a, b, first));
            return word;
        }
        self.word_across(a, b, first)
    }

    /// [`Logical::word`] for any range; `first` is the first segment that starts after `a`.
    fn word_across(&self, a: usize, b: usize, first: usize) -> Word {
        let breaks = self.segs[first..]
            .iter()
            .take_while(|s| s.0 < b)
            .map(|&(t, s)| (t - a, s))
            .collect();
        Word {
            text: self.text[a..b].into(),
            span: Span::new(self.src(a), self.src_end(a, b)),
            breaks,
        }
    }
}

/// `parseWords` of `lg.text[a..b]` with escape character `esc`, appended to `out`.
fn split_words(lg: &Logical, a: usize, b: usize, esc: u8, out: &mut Vec<Word>) {
    let t = lg.text.as_bytes();
    let mut start: Option<usize> = None;
    let mut end = a;
    let mut quote: Option<u8> = None;
    let mut p = a;
    while p < b {
        let c = t[p];
        let len = utf8_len(c);
        let next = (p + len).min(b);
        match quote {
            None => {
                if is_space_at(&lg.text, p) {
                    if let Some(st) = start.take() {
                        out.push(lg.word(st, end));
                    }
                } else {
                    start.get_or_insert(p);
                    if c == b'\'' || c == b'"' {
                        quote = Some(c);
                        end = next;
                    } else if c == esc {
                        // A lone escape at the end is dropped.
                        if next < b {
                            end = (next + utf8_len(t[next])).min(b);
                            p = end;
                            continue;
                        }
                    } else {
                        // The ASCII bytes after it that are no space, quote or escape
                        // continue the word as it does.
                        let mut q = next;
                        while q < b && is_plain(t[q], esc) {
                            q += 1;
                        }
                        end = q;
                        p = q;
                        continue;
                    }
                }
            }
            Some(q) => {
                if c == q {
                    quote = None;
                    end = next;
                } else if c == esc && q != b'\'' {
                    if next < b {
                        end = (next + utf8_len(t[next])).min(b);
                        p = end;
                        continue;
                    }
                    quote = None;
                } else {
                    // Up to the closing quote or an escape (ASCII bytes, never inside a
                    // multi-byte character): quoted text as it is.
                    let mut r = next;
                    while r < b && t[r] != q && !(t[r] == esc && q != b'\'') {
                        r += 1;
                    }
                    end = r;
                    p = r;
                    continue;
                }
            }
        }
        p = next;
    }
    if let Some(st) = start {
        out.push(lg.word(st, end.max(st)));
    }
}

/// [`Instruction::args`] of an instruction whose `rest` is `rest`: the same words the parser
/// splits from the logical line, split from `rest` (its text is that part of the line, and its
/// breaks are where the line's source ranges start inside it).
pub(crate) fn split_rest(rest: &Word, escape: u8) -> Vec<Word> {
    let mut segs = Vec::with_capacity(rest.breaks.len() + 1);
    if !rest.text.is_empty() {
        segs.push((0, rest.span.start));
    }
    segs.extend_from_slice(&rest.breaks);
    let lg = Logical {
        text: rest.text.to_string(),
        segs,
        origin: rest.span.start,
    };
    let mut out = Vec::new();
    split_words(&lg, 0, lg.text.len(), escape, &mut out);
    out
}

struct Parser<'a> {
    text: &'a str,
    /// The lines split so far; `lines[0]` is line `first_line` of the file.
    lines: Vec<Line>,
    first_line: usize,
    /// Where the next line to split starts, when lines are split on demand (incremental
    /// reparse); `None` once `lines` holds every line.
    lazy: Option<usize>,
    /// A line split on demand was longer than BuildKit allows (the caller parses in full).
    too_long: bool,
    escape: u8,
    directives_done: bool,
    out: Syntax,
    /// Reused by [`Parser::words`].
    word_buf: Vec<Word>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        let mut errors = Vec::new();
        let lines = split_lines(text, &mut errors);
        // Room for an instruction every other line (about what real and generated files have)
        // saves most of the copies of a growing vector of big elements.
        let instructions = Vec::with_capacity(lines.len() / 2 + 1);
        Parser {
            text,
            lines,
            first_line: 0,
            lazy: None,
            too_long: false,
            escape: b'\\',
            directives_done: false,
            out: Syntax {
                errors,
                instructions,
                ..Syntax::default()
            },
            word_buf: Vec::new(),
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.out.errors.push(SyntaxError {
            span,
            message: message.into(),
        });
    }

    fn is_comment(&self, start: usize, end: usize) -> Option<usize> {
        let ws = skip_ws(self.text, start, end);
        (self.text.as_bytes().get(ws) == Some(&b'#') && ws < end).then_some(ws)
    }

    /// BuildKit's `lineContinuationRegex`: the escape character, then only spaces and tabs,
    /// not itself escaped. Returns where the kept text ends and whether the line continues.
    fn continuation(&self, from: usize, end: usize) -> (usize, bool) {
        let b = self.text.as_bytes();
        let mut q = end;
        while q > from && matches!(b[q - 1], b' ' | b'\t') {
            q -= 1;
        }
        if q > from && b[q - 1] == self.escape {
            let p = q - 1;
            if p == from || b[p - 1] != self.escape {
                return (p, true);
            }
        }
        (end, false)
    }

    /// Line `i` of the file, splitting more lines first when they are split on demand.
    fn line(&mut self, i: usize) -> Option<Line> {
        let k = i.checked_sub(self.first_line)?;
        while k >= self.lines.len() {
            let start = self.lazy?;
            let b = self.text.as_bytes();
            if start >= b.len() {
                self.lazy = None;
                return None;
            }
            let (end, next) = line_bounds(b, start);
            if next - start > MAX_LINE {
                self.too_long = true;
            }
            self.lines.push(Line { start, end });
            self.lazy = Some(next);
        }
        Some(self.lines[k])
    }

    fn run(mut self) -> Syntax {
        self.scan(0, None);
        if self.out.instructions.is_empty() {
            let len = self.text.len();
            self.error(Span::empty(len), "file with no instructions");
        }
        self.out.escape = self.escape as char;
        self.out
    }

    /// The main loop from line `first` (where the scanner is between instructions). With
    /// `resync`, stops before an instruction that starts where an old one did and returns that
    /// old instruction's index.
    fn scan(&mut self, first: usize, resync: Option<&Resync>) -> Option<usize> {
        let b = self.text.as_bytes();
        let mut logical = Logical::default();
        let mut i = first;
        while let Some(line) = self.line(i) {
            if self.too_long {
                return None;
            }
            let mut start = line.start;
            if i == 0 && b[start..line.end].starts_with(b"\xEF\xBB\xBF") {
                start += 3;
            }
            let ts = skip_ws(self.text, start, line.end);
            if !self.directives_done {
                self.directive(ts, line.end);
            }
            if ts < line.end && b[ts] == b'#' {
                self.out.comments.push(Span::new(ts, line.end));
                i += 1;
                continue;
            }
            let (cut, mut continues) = self.continuation(ts, line.end);
            if !continues && cut == ts {
                i += 1;
                continue;
            }
            if let Some(m) = resync.and_then(|r| r.at(i, line.start, ts)) {
                return Some(m);
            }

            let first_line = i;
            logical.reset(ts);
            logical.push(self.text, ts, cut);
            let mut last_content_end = line.end;
            let mut empty_continuation_lines = Vec::new();
            while continues {
                let Some(l) = self.line(i + 1) else { break };
                i += 1;
                if let Some(hash) = self.is_comment(l.start, l.end) {
                    self.out.comments.push(Span::new(hash, l.end));
                    continue;
                }
                if skip_ws(self.text, l.start, l.end) == l.end {
                    empty_continuation_lines.push(Span::new(l.start, l.end));
                    continue;
                }
                let (cut, c) = self.continuation(l.start, l.end);
                logical.push(self.text, l.start, cut);
                continues = c;
                last_content_end = l.end;
            }
            let rest_end = last_content_end;

            let mut ins = self.command(&logical, 0, logical.text.len(), rest_end);
            ins.empty_continuation_lines = empty_continuation_lines;

            let (kind, json) = match (&ins.kind, &ins.onbuild) {
                (Keyword::Onbuild, Some(sub)) => (sub.kind, sub.json.is_some()),
                _ => (ins.kind, ins.json.is_some()),
            };
            if kind.allows_heredoc() && !json && logical.text.contains("<<") {
                for (marker, name, chomp, quoted) in heredocs_in(&logical) {
                    let body_start = self.line(i + 1).map_or(b.len(), |l| l.start);
                    let mut terminator = None;
                    while let Some(l) = self.line(i + 1) {
                        i += 1;
                        let mut s = l.start;
                        if chomp {
                            while s < l.end && b[s] == b'\t' {
                                s += 1;
                            }
                        }
                        if &b[s..l.end] == name.as_bytes() {
                            terminator = Some(Span::new(l.start, l.end));
                            break;
                        }
                    }
                    let body_end = terminator.map_or(b.len(), |t| t.start);
                    ins.heredocs.push(Heredoc {
                        name,
                        chomp,
                        quoted,
                        marker,
                        body: Span::new(body_start, body_end.max(body_start)),
                        terminator,
                    });
                    if terminator.is_none() {
                        self.error(marker, "unterminated heredoc");
                        break;
                    }
                }
            }

            let last_end = self.line(i).map_or(b.len(), |l| l.end);
            ins.start_line = first_line as u32;
            ins.end_line = i as u32;
            ins.span = Span::new(ins.keyword.span.start, last_end.max(ins.keyword.span.start));
            // Triggers (also nested ones, `ONBUILD ONBUILD ...`) sit on their ONBUILD's lines.
            let (start_line, end_line) = (ins.start_line, ins.end_line);
            let mut sub = ins.onbuild.as_deref_mut();
            while let Some(s) = sub {
                s.start_line = start_line;
                s.end_line = end_line;
                sub = s.onbuild.as_deref_mut();
            }
            self.out.instructions.push(ins);
            i += 1;
        }
        None
    }

    /// `DirectiveParser.ParseLine`: `# name = value` lines at the very top; the first other line
    /// (an empty one too) ends them.
    fn directive(&mut self, ts: usize, end: usize) {
        let b = self.text.as_bytes();
        if ts >= end || b[ts] != b'#' {
            self.directives_done = true;
            return;
        }
        let name_start = skip_ws(self.text, ts + 1, end);
        let mut p = name_start;
        if p < end && b[p].is_ascii_alphabetic() {
            p += 1;
            while p < end && b[p].is_ascii_alphanumeric() {
                p += 1;
            }
        }
        let name_end = p;
        while p < end && is_re_s(b[p]) {
            p += 1;
        }
        if name_end == name_start || p >= end || b[p] != b'=' || p + 1 >= end {
            self.directives_done = true;
            return;
        }
        let after_eq = p + 1;
        let mut v0 = after_eq;
        while v0 < end && is_re_s(b[v0]) {
            v0 += 1;
        }
        let (v0, v1) = if v0 == end {
            // `(.+?)` needs one character: the greedy `\s*` gives the last one back.
            (end - 1, end)
        } else {
            let mut v1 = end;
            while v1 > v0 && is_re_s(b[v1 - 1]) {
                v1 -= 1;
            }
            (v0, v1)
        };
        let name = self.text[name_start..name_end].to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.directives_done = true;
            return;
        }
        let span = Span::new(ts, end);
        if self.out.directive(&name).is_some() {
            self.error(
                span,
                format!("only one {name} parser directive can be used"),
            );
            return;
        }
        let value = Word::new(&self.text[v0..v1], Span::new(v0, v1));
        if name == "escape" {
            match value.text.as_str() {
                "`" => self.escape = b'`',
                "\\" => self.escape = b'\\',
                v => self.error(
                    value.span,
                    format!("invalid escape token '{v}' does not match ` or \\"),
                ),
            }
        }
        self.out.directives.push(Directive {
            name,
            name_span: Span::new(name_start, name_end),
            value,
            span,
        });
    }

    /// `newNodeFromLine` over `logical.text[a..b]`: keyword, flags, arguments.
    fn command(&mut self, lg: &Logical, a: usize, b: usize, rest_end: usize) -> Instruction {
        let t = lg.text.as_bytes();
        let ta = skip_ws(&lg.text, a, b);
        let tb = trim_ws_end(&lg.text, ta, b);
        let k = (ta..tb).find(|&p| is_re_ws(t[p])).unwrap_or(tb);
        let keyword = lg.word(ta, k);
        let kind = Keyword::parse(&keyword.text);
        let mut r = k;
        while r < tb && is_re_ws(t[r]) {
            r += 1;
        }
        let (rest_start, flags) = if k < tb {
            self.flags(lg, r, tb)
        } else {
            (tb, Vec::new())
        };
        let aa = skip_ws(&lg.text, rest_start, tb);
        let ab = tb;
        let span_all = Span::new(keyword.span.start, rest_end.max(keyword.span.start));

        let mut json = None;
        let mut onbuild = None;
        match kind {
            Keyword::Add
            | Keyword::Copy
            | Keyword::Volume
            | Keyword::Run
            | Keyword::Cmd
            | Keyword::Entrypoint
            | Keyword::Shell => json = self.json(lg, aa, ab, span_all),
            Keyword::Healthcheck => {
                let sep = (aa..ab).find(|&p| is_byte_space(t[p])).unwrap_or(ab);
                let mut next = sep;
                while next < ab && is_byte_space(t[next]) {
                    next += 1;
                }
                if sep > aa && next < ab {
                    json = self.json(lg, next, ab, span_all);
                }
            }
            Keyword::Onbuild if aa < ab => {
                onbuild = Some(Box::new(self.command(lg, aa, ab, rest_end)));
            }
            _ => {}
        }
        let mut rest = lg.word(aa, ab);
        rest.span.end = rest.span.end.max(rest_end);
        let args = if matches!(kind, Keyword::Run | Keyword::Cmd | Keyword::Entrypoint) {
            #[cfg(any(test, fuzzing))]
            {
                let words = self.words(lg, aa, ab);
                assert_eq!(words, split_rest(&rest, self.escape), "split later");
            }
            Args::lazy(self.escape)
        } else {
            let words = self.words(lg, aa, ab);
            #[cfg(any(test, fuzzing))]
            assert_eq!(words, split_rest(&rest, self.escape), "split later");
            if matches!(kind, Keyword::Env | Keyword::Label) {
                self.name_val(lg, (aa, ab), &words, kind, span_all);
            }
            Args::split(self.escape, words)
        };
        #[cfg(test)]
        assert_eq!(
            split_rest(&rest, self.escape),
            self.words_bytewise(lg, aa, ab)
        );
        Instruction {
            kind,
            span: span_all,
            keyword,
            flags,
            rest,
            args,
            json,
            heredocs: Vec::new(),
            onbuild,
            start_line: 0,
            end_line: 0,
            empty_continuation_lines: Vec::new(),
        }
    }

    /// `extractBuilderFlags`: leading `--flag` words, quotes and escapes removed. Returns where
    /// the rest starts.
    fn flags(&self, lg: &Logical, from: usize, end: usize) -> (usize, Vec<Flag>) {
        #[derive(PartialEq)]
        enum Phase {
            Spaces,
            Word,
            Quote,
        }
        let t = lg.text.as_bytes();
        let esc = self.escape;
        let mut flags = Vec::new();
        let mut word: Vec<(u8, usize)> = Vec::new();
        let mut word_start = from;
        let mut word_end = from;
        let mut blank_ok = false;
        let mut quote = 0u8;
        let mut phase = Phase::Spaces;
        let mut pos = from;
        let is_dashdash = |w: &[(u8, usize)]| w.len() == 2 && w[0].0 == b'-' && w[1].0 == b'-';
        while pos <= end {
            let at_end = pos == end;
            let mut ch = if at_end { 0 } else { t[pos] };
            if phase == Phase::Spaces {
                if at_end {
                    break;
                }
                if is_byte_space(ch) {
                    pos += 1;
                    continue;
                }
                if ch != b'-' || pos + 1 == end || t[pos + 1] != b'-' {
                    return (pos, flags);
                }
                phase = Phase::Word;
                word_start = pos;
                if word.capacity() == 0 {
                    // A flag's name and value a byte at a time: room for a typical one at once.
                    word.reserve(64);
                }
            }
            if at_end {
                if !is_dashdash(&word) && (blank_ok || !word.is_empty()) {
                    flags.push(self.flag(lg, &word, word_start, word_end));
                }
                break;
            }
            if phase == Phase::Word {
                if is_byte_space(ch) {
                    phase = Phase::Spaces;
                    if is_dashdash(&word) {
                        return (pos, flags);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(self.flag(lg, &word, word_start, word_end));
                    }
                    word.clear();
                    blank_ok = false;
                    pos += 1;
                    continue;
                }
                if ch == b'\'' || ch == b'"' {
                    quote = ch;
                    blank_ok = true;
                    phase = Phase::Quote;
                    pos += 1;
                    word_end = pos;
                    continue;
                }
                if ch == esc {
                    if pos + 1 == end {
                        pos += 1;
                        word_end = pos;
                        continue;
                    }
                    pos += 1;
                    ch = t[pos];
                }
                word.push((ch, pos));
                pos += 1;
                word_end = pos;
                continue;
            }
            // Phase::Quote
            if ch == quote {
                phase = Phase::Word;
                pos += 1;
                word_end = pos;
                continue;
            }
            if ch == esc {
                if pos + 1 == end {
                    phase = Phase::Word;
                    pos += 1;
                    word_end = pos;
                    continue;
                }
                pos += 1;
                ch = t[pos];
            }
            word.push((ch, pos));
            pos += 1;
            word_end = pos;
        }
        (end, flags)
    }

    fn flag(&self, lg: &Logical, word: &[(u8, usize)], start: usize, end: usize) -> Flag {
        let eq = word
            .iter()
            .skip(2)
            .position(|&(c, _)| c == b'=')
            .map(|p| p + 2);
        let build = |part: &[(u8, usize)], from: usize, to: usize| {
            let word = lg.word_of(part, from, to);
            #[cfg(test)]
            assert_eq!(word, lg.word_of_bytes(part, from, to));
            word
        };
        let src_end = lg.src_end(start, end);
        let name_from = match (word.get(1), word.get(2)) {
            (_, Some(w)) => lg.src(w.1),
            (Some(w), None) => lg.src(w.1) + 1,
            _ => lg.src(start),
        };
        let (name, value) = match eq {
            Some(e) => {
                let eq_src = lg.src(word[e].1);
                (
                    build(&word[2..e], name_from.min(eq_src), eq_src),
                    Some(build(&word[e + 1..], eq_src + 1, src_end)),
                )
            }
            None => (
                build(word.get(2..).unwrap_or(&[]), name_from, src_end),
                None,
            ),
        };
        Flag {
            name,
            value,
            span: Span::new(lg.src(start), src_end),
        }
    }

    /// `parseWords`: split at unquoted whitespace, quotes and escapes kept as written.
    fn words(&mut self, lg: &Logical, a: usize, b: usize) -> Vec<Word> {
        // Collected in a buffer kept between calls, then moved into a vector of the exact size:
        // one allocation per instruction instead of one per doubling.
        let mut buf = std::mem::take(&mut self.word_buf);
        split_words(lg, a, b, self.escape, &mut buf);
        let mut words = Vec::with_capacity(buf.len());
        words.append(&mut buf);
        self.word_buf = buf;
        words
    }

    /// [`Parser::words`] a character at a time: the oracle the tests hold it to.
    #[cfg(test)]
    fn words_bytewise(&self, lg: &Logical, a: usize, b: usize) -> Vec<Word> {
        let t = lg.text.as_bytes();
        let esc = self.escape;
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut end = a;
        let mut quote: Option<u8> = None;
        let mut p = a;
        while p < b {
            let c = t[p];
            let len = utf8_len(c);
            let next = (p + len).min(b);
            match quote {
                None => {
                    if is_space_at(&lg.text, p) {
                        if let Some(st) = start.take() {
                            out.push(lg.word(st, end));
                        }
                    } else {
                        start.get_or_insert(p);
                        if c == b'\'' || c == b'"' {
                            quote = Some(c);
                            end = next;
                        } else if c == esc {
                            // A lone escape at the end is dropped.
                            if next < b {
                                end = (next + utf8_len(t[next])).min(b);
                                p = end;
                                continue;
                            }
                        } else {
                            end = next;
                        }
                    }
                }
                Some(q) => {
                    if c == q {
                        quote = None;
                        end = next;
                    } else if c == esc && q != b'\'' {
                        if next < b {
                            end = (next + utf8_len(t[next])).min(b);
                            p = end;
                            continue;
                        }
                        quote = None;
                    } else {
                        end = next;
                    }
                }
            }
            p = next;
        }
        if let Some(st) = start {
            out.push(lg.word(st, end.max(st)));
        }
        out
    }

    /// `parseNameVal` for ENV and LABEL: only its errors matter here.
    /// `words` are the arguments `a..b` as [`Parser::words`] splits them.
    fn name_val(
        &mut self,
        lg: &Logical,
        (a, b): (usize, usize),
        words: &[Word],
        kind: Keyword,
        span: Span,
    ) {
        let Some(first) = words.first() else { return };
        if !first.text.contains('=') {
            if !lg.text.as_bytes()[a..b].iter().any(|&c| is_re_ws(c)) {
                self.error(span, format!("{} must have two arguments", kind.as_str()));
            }
            return;
        }
        if let Some(w) = words.iter().find(|w| !w.text.contains('=')) {
            let msg = format!(
                "Syntax error - can't find = in {:?}. Must be of the form: name=value",
                w.text
            );
            self.error(w.span, msg);
        }
    }

    /// `parseJSON`: the exec form, when the arguments are a JSON array of strings.
    fn json(&mut self, lg: &Logical, a: usize, b: usize, span: Span) -> Option<Vec<Word>> {
        let t = &lg.text.as_bytes()[..b];
        if t.get(a) != Some(&b'[') {
            return None;
        }
        match json_array(t, a) {
            Ok(elems) => {
                let mut words = Vec::with_capacity(elems.len());
                for e in elems {
                    match e {
                        Some((s, e)) => words.push(json_string(lg, s, e)),
                        None => {
                            self.error(
                                span,
                                "when using JSON array syntax, arrays must be comprised of strings only",
                            );
                            return None;
                        }
                    }
                }
                Some(words)
            }
            Err(()) => None,
        }
    }
}

type Elems = Vec<Option<(usize, usize)>>;

fn json_ws(t: &[u8], mut p: usize) -> usize {
    while p < t.len() && matches!(t[p], b' ' | b'\t' | b'\n' | b'\r') {
        p += 1;
    }
    p
}

/// Validates `t[p..]` as one JSON array and nothing else (Go's `json.Unmarshal` into `[]any`).
/// Returns each element's string literal range, `None` for a non-string.
fn json_array(t: &[u8], p: usize) -> Result<Elems, ()> {
    let mut elems = Vec::new();
    let mut p = json_ws(t, p + 1);
    if t.get(p) == Some(&b']') {
        p += 1;
    } else {
        loop {
            p = json_ws(t, p);
            let start = p;
            if t.get(p) == Some(&b'"') {
                p = json_skip_string(t, p)?;
                elems.push(Some((start, p)));
            } else {
                p = json_skip_value(t, p)?;
                elems.push(None);
            }
            p = json_ws(t, p);
            match t.get(p) {
                Some(b',') => p += 1,
                Some(b']') => {
                    p += 1;
                    break;
                }
                _ => return Err(()),
            }
        }
    }
    if json_ws(t, p) == t.len() {
        Ok(elems)
    } else {
        Err(())
    }
}

fn json_skip_string(t: &[u8], mut p: usize) -> Result<usize, ()> {
    p += 1;
    loop {
        match t.get(p) {
            None => return Err(()),
            Some(b'"') => return Ok(p + 1),
            Some(b'\\') => match t.get(p + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => p += 2,
                Some(b'u') => {
                    if t.len() < p + 6 || !t[p + 2..p + 6].iter().all(u8::is_ascii_hexdigit) {
                        return Err(());
                    }
                    p += 6;
                }
                _ => return Err(()),
            },
            Some(&c) if c < 0x20 => return Err(()),
            Some(_) => p += 1,
        }
    }
}

fn json_skip_number(t: &[u8], mut p: usize) -> Result<usize, ()> {
    let start = p;
    let digits = |p: &mut usize| {
        let s = *p;
        while t.get(*p).is_some_and(u8::is_ascii_digit) {
            *p += 1;
        }
        *p > s
    };
    if t.get(p) == Some(&b'-') {
        p += 1;
    }
    match t.get(p) {
        Some(b'0') => p += 1,
        Some(b'1'..=b'9') => {
            digits(&mut p);
        }
        _ => return Err(()),
    }
    if t.get(p) == Some(&b'.') {
        p += 1;
        if !digits(&mut p) {
            return Err(());
        }
    }
    if matches!(t.get(p), Some(b'e' | b'E')) {
        p += 1;
        if matches!(t.get(p), Some(b'+' | b'-')) {
            p += 1;
        }
        if !digits(&mut p) {
            return Err(());
        }
    }
    // Go fails to convert an out-of-range number into `any`, and BuildKit then takes the
    // arguments as shell form.
    let text = std::str::from_utf8(&t[start..p]).map_err(|_| ())?;
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(p),
        _ => Err(()),
    }
}

/// Skips any JSON value without recursion (Go allows 10000 levels of nesting).
fn json_skip_value(t: &[u8], mut p: usize) -> Result<usize, ()> {
    let mut stack: Vec<u8> = Vec::new();
    loop {
        p = json_ws(t, p);
        match t.get(p) {
            Some(b'"') => p = json_skip_string(t, p)?,
            Some(b'{') => {
                p = json_ws(t, p + 1);
                if t.get(p) == Some(&b'}') {
                    p += 1;
                } else {
                    stack.push(b'{');
                    p = json_key(t, p)?;
                    continue;
                }
            }
            Some(b'[') => {
                p = json_ws(t, p + 1);
                if t.get(p) == Some(&b']') {
                    p += 1;
                } else {
                    stack.push(b'[');
                    continue;
                }
            }
            Some(b't') if t[p..].starts_with(b"true") => p += 4,
            Some(b'f') if t[p..].starts_with(b"false") => p += 5,
            Some(b'n') if t[p..].starts_with(b"null") => p += 4,
            Some(b'-' | b'0'..=b'9') => p = json_skip_number(t, p)?,
            _ => return Err(()),
        }
        if stack.len() > 10_000 {
            return Err(());
        }
        loop {
            let Some(&top) = stack.last() else {
                return Ok(p);
            };
            p = json_ws(t, p);
            match (top, t.get(p)) {
                (_, Some(b',')) => {
                    p += 1;
                    if top == b'{' {
                        p = json_key(t, json_ws(t, p))?;
                    }
                    break;
                }
                (b'[', Some(b']')) | (b'{', Some(b'}')) => {
                    stack.pop();
                    p += 1;
                }
                _ => return Err(()),
            }
        }
    }
}

/// `"key" :` inside an object.
fn json_key(t: &[u8], p: usize) -> Result<usize, ()> {
    if t.get(p) != Some(&b'"') {
        return Err(());
    }
    let p = json_ws(t, json_skip_string(t, p)?);
    if t.get(p) != Some(&b':') {
        return Err(());
    }
    Ok(p + 1)
}

fn hex4(t: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(t.get(..4)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Decodes the (already validated) JSON string literal `lg.text[s..e]`.
fn json_string(lg: &Logical, s: usize, e: usize) -> Word {
    let t = lg.text.as_bytes();
    let mut wb = WordBuilder::new(lg.src(s));
    let mut p = s + 1;
    let end = e - 1;
    let mut run = p;
    let mut buf = [0u8; 4];
    while p < end {
        if t[p] != b'\\' {
            p += 1;
            continue;
        }
        lg.push_range(&mut wb, run, p);
        let at = lg.src(p);
        let (c, len) = match t[p + 1] {
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hi = hex4(&t[p + 2..]).unwrap_or(0xFFFD);
                if (0xD800..0xE000).contains(&hi) {
                    let lo = (t.get(p + 6) == Some(&b'\\') && t.get(p + 7) == Some(&b'u'))
                        .then(|| hex4(&t[p + 8..]))
                        .flatten();
                    match lo {
                        Some(lo)
                            if (0xD800..0xDC00).contains(&hi) && (0xDC00..0xE000).contains(&lo) =>
                        {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            (char::from_u32(c).unwrap_or('\u{FFFD}'), 12)
                        }
                        _ => ('\u{FFFD}', 6),
                    }
                } else {
                    (char::from_u32(hi).unwrap_or('\u{FFFD}'), 6)
                }
            }
            c => (c as char, 2),
        };
        wb.push(c.encode_utf8(&mut buf).as_bytes(), at);
        p += len;
        run = p;
    }
    lg.push_range(&mut wb, run, end.max(run));
    wb.finish(lg.src_end(s, e))
}

/// Heredocs of an instruction, in order: `(marker span, name, chomp, quoted)`.
///
/// BuildKit splits the whole logical line into shell words (quotes and escapes kept) and takes
/// every word matching `^(\d*)<<(-?)\s*([^<]*)$`; a line the shell lexer rejects (an unclosed
/// quote, a bad `${...}`) has none.
fn heredocs_in(lg: &Logical) -> Vec<(Span, String, bool, bool)> {
    let mut lexer = Lexer {
        s: &lg.text,
        pos: 0,
        depth: 0,
        reset: false,
    };
    let Some(words) = lexer.words() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (a, b) in words {
        let w = &lg.text.as_bytes()[a..b];
        let mut p = 0;
        while p < w.len() && w[p].is_ascii_digit() {
            p += 1;
        }
        if !w[p..].starts_with(b"<<") {
            continue;
        }
        p += 2;
        let chomp = w.get(p) == Some(&b'-');
        if chomp {
            p += 1;
        }
        while p < w.len() && is_re_s(w[p]) {
            p += 1;
        }
        let rest = &lg.text[a + p..b];
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        if let Some((name, quoted)) = heredoc_name(rest) {
            out.push((Span::new(lg.src(a), lg.src_end(a, b)), name, chomp, quoted));
        }
    }
    out
}

/// The heredoc word with quotes and escapes removed, when it is one word, and whether any
/// part of it was quoted (BuildKit compares quote counts with and without raw quotes).
fn heredoc_name(rest: &str) -> Option<(String, bool)> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut it = rest.chars();
    while let Some(c) = it.next() {
        match c {
            '\'' => {
                quoted = true;
                loop {
                    match it.next()? {
                        '\'' => break,
                        d => cur.push(d),
                    }
                }
            }
            '"' => {
                quoted = true;
                loop {
                    match it.next()? {
                        '"' => break,
                        '\\' => {
                            let mut peek = it.clone();
                            match peek.next() {
                                Some(d @ ('"' | '$' | '\\')) => {
                                    cur.push(d);
                                    it = peek;
                                }
                                _ => cur.push('\\'),
                            }
                        }
                        d => cur.push(d),
                    }
                }
            }
            '\\' => match it.next() {
                Some(d) => cur.push(d),
                None => break,
            },
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    match <[String; 1]>::try_from(words) {
        Ok([name]) => Some((name, quoted)),
        Err(_) => None,
    }
}

/// Enough of BuildKit's shell lexer (`shell.Lex` with raw quotes and escapes) to find word
/// boundaries and the errors that make `heredocsFromLine` find nothing.
struct Lexer<'a> {
    s: &'a str,
    pos: usize,
    depth: u32,
    /// A `${name<op>...}` ran a nested scan, which empties the lexer's shared word buffer.
    reset: bool,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn words(&mut self) -> Option<Vec<(usize, usize)>> {
        let mut words = Vec::new();
        let mut cur: Option<(usize, usize)> = None;
        let mut in_word = false;
        while let Some(c) = self.peek() {
            let st = self.pos;
            match c {
                '$' | '<' | '\'' | '"' => {
                    match c {
                        '$' => self.dollar()?,
                        '<' => self.angle(),
                        '\'' => self.single()?,
                        _ => self.double()?,
                    }
                    if std::mem::take(&mut self.reset) {
                        cur = None;
                    }
                    let a = cur.map_or(st, |w| w.0);
                    cur = Some((a, self.pos));
                    in_word = true;
                }
                '\\' => {
                    self.bump();
                    let a = cur.map_or(st, |w| w.0);
                    if self.bump().is_none() {
                        cur = Some((a, self.pos));
                        break;
                    }
                    cur = Some((a, self.pos));
                    in_word = true;
                }
                c => {
                    self.bump();
                    if c.is_whitespace() {
                        if in_word {
                            if let Some(w) = cur.take() {
                                words.push(w);
                                in_word = false;
                            }
                        }
                    } else {
                        let a = cur.map_or(st, |w| w.0);
                        cur = Some((a, self.pos));
                        in_word = true;
                    }
                }
            }
        }
        words.extend(cur);
        Some(words)
    }

    fn angle(&mut self) {
        self.bump();
        if self.peek() == Some('<') {
            self.bump();
            while matches!(self.peek(), Some('\t' | '\r' | ' ')) {
                self.bump();
            }
        }
    }

    fn single(&mut self) -> Option<()> {
        self.bump();
        loop {
            if self.bump()? == '\'' {
                return Some(());
            }
        }
    }

    fn double(&mut self) -> Option<()> {
        self.bump();
        loop {
            match self.peek()? {
                '"' => {
                    self.bump();
                    return Some(());
                }
                '$' => self.dollar()?,
                '\\' => {
                    self.bump();
                    if matches!(self.peek(), Some('"' | '$' | '\\')) {
                        self.bump();
                    }
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn name(&mut self) {
        match self.peek() {
            Some(c) if c.is_numeric() => {
                while self.peek().is_some_and(char::is_numeric) {
                    self.bump();
                }
            }
            Some('@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') => {
                self.bump();
            }
            _ => {
                while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    self.bump();
                }
            }
        }
    }

    fn dollar(&mut self) -> Option<()> {
        self.bump();
        if self.peek() != Some('{') {
            self.name();
            return Some(());
        }
        self.bump();
        match self.peek() {
            None | Some('{' | '}' | ':') => return None,
            _ => {}
        }
        self.name();
        match self.bump() {
            Some('}') => Some(()),
            Some(':') => {
                if matches!(self.bump(), Some('#' | '%')) {
                    return None;
                }
                self.stop_on('}')
            }
            Some('+' | '-' | '?' | '#' | '%') => self.stop_on('}'),
            Some('/') => {
                if self.peek() == Some('/') {
                    self.bump();
                }
                self.stop_on('/')?;
                self.stop_on('}')
            }
            _ => None,
        }
    }

    fn stop_on(&mut self, stop: char) -> Option<()> {
        self.reset = true;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return None;
        }
        while let Some(c) = self.peek() {
            if c == stop {
                self.bump();
                self.depth -= 1;
                return Some(());
            }
            match c {
                '$' => self.dollar()?,
                '<' => self.angle(),
                '\'' => self.single()?,
                '"' => self.double()?,
                '\\' => {
                    self.bump();
                    self.bump()?;
                }
                _ => {
                    self.bump();
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use expect_test::{expect, Expect};
    use proptest::prelude::*;

    use super::*;

    /// Every byte of a word that BuildKit copies from the source must map back to that byte.
    fn assert_maps(word: &Word, src: &str) {
        for (i, b) in word.text.bytes().enumerate() {
            let at = word.source_offset(i);
            assert_eq!(src.as_bytes().get(at), Some(&b), "{word:?} byte {i}");
        }
    }

    fn render_ins(out: &mut String, ins: &Instruction, src: &str, indent: &str) {
        let _ = write!(
            out,
            "{indent}{}-{} {:?}",
            ins.start_line + 1,
            ins.end_line + 1,
            ins.keyword.text
        );
        if ins.kind == Keyword::Unknown {
            out.push_str(" (unknown)");
        }
        assert_maps(&ins.keyword, src);
        assert_maps(&ins.rest, src);
        for f in &ins.flags {
            assert_maps(&f.name, src);
            let _ = write!(out, " --{}", f.name.text);
            if let Some(v) = &f.value {
                assert_maps(v, src);
                let _ = write!(out, "={:?}", v.text);
            }
            let _ = write!(out, "@`{}`", &src[f.span.start..f.span.end]);
        }
        for a in ins.args() {
            assert_maps(a, src);
        }
        let args: Vec<&str> = ins.args().iter().map(|a| a.text.as_str()).collect();
        let _ = write!(out, " args={args:?}");
        if let Some(json) = &ins.json {
            let j: Vec<String> = json
                .iter()
                .map(|w| format!("{:?}@`{}`", w.text, &src[w.span.start..w.span.end]))
                .collect();
            let _ = write!(out, " json=[{}]", j.join(", "));
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "{indent}  span={:?}",
            &src[ins.span.start..ins.span.end]
        );
        for h in &ins.heredocs {
            let _ = writeln!(
                out,
                "{indent}  heredoc {:?}{}{} marker=`{}` body={:?} terminator={:?}",
                h.name,
                if h.chomp { " chomp" } else { "" },
                if h.quoted { " quoted" } else { "" },
                &src[h.marker.start..h.marker.end],
                &src[h.body.start..h.body.end],
                h.terminator.map(|t| &src[t.start..t.end]),
            );
        }
        for e in &ins.empty_continuation_lines {
            let _ = writeln!(out, "{indent}  empty continuation line at {e:?}");
        }
        if let Some(sub) = &ins.onbuild {
            render_ins(out, sub, src, "    ");
        }
    }

    fn render(src: &str) -> String {
        let syntax = parse_str(src);
        let mut out = String::new();
        for d in &syntax.directives {
            let _ = writeln!(out, "directive {}={:?}", d.name, d.value.text);
        }
        if syntax.escape != '\\' {
            let _ = writeln!(out, "escape {}", syntax.escape);
        }
        for ins in &syntax.instructions {
            render_ins(&mut out, ins, src, "");
        }
        for c in &syntax.comments {
            let _ = writeln!(out, "comment {:?}", &src[c.start..c.end]);
        }
        for e in &syntax.errors {
            let _ = writeln!(out, "error {:?}: {}", e.span, e.message);
        }
        out
    }

    fn check(src: &str, expect: Expect) {
        expect.assert_eq(&render(src));
        // The rope path gives the same result.
        assert_eq!(parse(&ropey::Rope::from_str(src)), parse_str(src));
    }

    #[test]
    fn continuations_and_comments_inside() {
        check(
            "FROM alpine\nRUN apk add \\\n# a comment\n    curl \\\n  # indented comment\n    git\n",
            expect![[r##"
                1-1 "FROM" args=["alpine"]
                  span="FROM alpine"
                2-6 "RUN" args=["apk", "add", "curl", "git"]
                  span="RUN apk add \\\n# a comment\n    curl \\\n  # indented comment\n    git"
                comment "# a comment"
                comment "# indented comment"
            "##]],
        );
    }

    #[test]
    fn empty_continuation_lines() {
        check(
            "RUN a \\\n\n   \n  b\nRUN c\n",
            expect![[r#"
            1-4 "RUN" args=["a", "b"]
              span="RUN a \\\n\n   \n  b"
              empty continuation line at 8..8
              empty continuation line at 9..12
            5-5 "RUN" args=["c"]
              span="RUN c"
        "#]],
        );
    }

    #[test]
    fn continuation_with_trailing_blanks_and_escaped_escape() {
        check(
            "RUN a \\ \t\n b\nRUN c \\\\\nRUN d\n",
            expect![[r#"
            1-2 "RUN" args=["a", "b"]
              span="RUN a \\ \t\n b"
            3-3 "RUN" args=["c", "\\\\"]
              span="RUN c \\\\"
            4-4 "RUN" args=["d"]
              span="RUN d"
        "#]],
        );
    }

    #[test]
    fn backtick_escape_and_windows_paths() {
        check(
            "# escape=`\nFROM windows\nWORKDIR C:\\\nRUN dir `\n  c:\\\n",
            expect![[r##"
            directive escape="`"
            escape `
            2-2 "FROM" args=["windows"]
              span="FROM windows"
            3-3 "WORKDIR" args=["C:\\"]
              span="WORKDIR C:\\"
            4-5 "RUN" args=["dir", "c:\\"]
              span="RUN dir `\n  c:\\"
            comment "# escape=`"
        "##]],
        );
    }

    #[test]
    fn directives_end_at_first_other_line() {
        check(
            "# syntax=docker/dockerfile:1\n# check=skip=all\n\n# escape=`\nFROM a\nRUN a `\n",
            expect![[r##"
                directive syntax="docker/dockerfile:1"
                directive check="skip=all"
                5-5 "FROM" args=["a"]
                  span="FROM a"
                6-6 "RUN" args=["a", "`"]
                  span="RUN a `"
                comment "# syntax=docker/dockerfile:1"
                comment "# check=skip=all"
                comment "# escape=`"
            "##]],
        );
        check(
            "\u{feff} #  ESCAPE = ` \nFROM a\nRUN a `\n b\n",
            expect![[r##"
            directive escape="`"
            escape `
            2-2 "FROM" args=["a"]
              span="FROM a"
            3-4 "RUN" args=["a", "b"]
              span="RUN a `\n b"
            comment "#  ESCAPE = ` "
        "##]],
        );
    }

    #[test]
    fn directive_errors() {
        check(
            "# escape=x\n# syntax=a\n# Syntax=b\nFROM a\n",
            expect![[r##"
            directive escape="x"
            directive syntax="a"
            4-4 "FROM" args=["a"]
              span="FROM a"
            comment "# escape=x"
            comment "# syntax=a"
            comment "# Syntax=b"
            error 9..10: invalid escape token 'x' does not match ` or \
            error 22..32: only one syntax parser directive can be used
        "##]],
        );
    }

    #[test]
    fn heredocs() {
        check(
            "RUN <<EOF\necho hi\nEOF\nRUN <<-EOF\n\techo hi\n\tEOF\nCOPY <<'A' <<\"B\" /x\na\nA\nb\nB\nRUN 3<<X cat /dev/fd/3\nx\nX\n",
            expect![[r#"
                1-3 "RUN" args=["<<EOF"]
                  span="RUN <<EOF\necho hi\nEOF"
                  heredoc "EOF" marker=`<<EOF` body="echo hi\n" terminator=Some("EOF")
                4-6 "RUN" args=["<<-EOF"]
                  span="RUN <<-EOF\n\techo hi\n\tEOF"
                  heredoc "EOF" chomp marker=`<<-EOF` body="\techo hi\n" terminator=Some("\tEOF")
                7-11 "COPY" args=["<<'A'", "<<\"B\"", "/x"]
                  span="COPY <<'A' <<\"B\" /x\na\nA\nb\nB"
                  heredoc "A" quoted marker=`<<'A'` body="a\n" terminator=Some("A")
                  heredoc "B" quoted marker=`<<"B"` body="b\n" terminator=Some("B")
                12-14 "RUN" args=["3<<X", "cat", "/dev/fd/3"]
                  span="RUN 3<<X cat /dev/fd/3\nx\nX"
                  heredoc "X" marker=`3<<X` body="x\n" terminator=Some("X")
            "#]],
        );
    }

    #[test]
    fn heredoc_edge_cases() {
        check(
            "RUN << EOF\nx\nEOF\nRUN cat \\\n <<EOF\nx\nEOF\nRUN [\"cat\", \"<<EOF\"]\nCMD <<EOF\nRUN echo it's <<EOF\nRUN cat <<EOF>/x\ny\nEOF>/x\n",
            expect![[r#"
                1-3 "RUN" args=["<<", "EOF"]
                  span="RUN << EOF\nx\nEOF"
                  heredoc "EOF" marker=`<< EOF` body="x\n" terminator=Some("EOF")
                4-7 "RUN" args=["cat", "<<EOF"]
                  span="RUN cat \\\n <<EOF\nx\nEOF"
                  heredoc "EOF" marker=`<<EOF` body="x\n" terminator=Some("EOF")
                8-8 "RUN" args=["[\"cat\",", "\"<<EOF\"]"] json=["cat"@`"cat"`, "<<EOF"@`"<<EOF"`]
                  span="RUN [\"cat\", \"<<EOF\"]"
                9-9 "CMD" args=["<<EOF"]
                  span="CMD <<EOF"
                10-10 "RUN" args=["echo", "it's <<EOF"]
                  span="RUN echo it's <<EOF"
                11-13 "RUN" args=["cat", "<<EOF>/x"]
                  span="RUN cat <<EOF>/x\ny\nEOF>/x"
                  heredoc "EOF>/x" marker=`<<EOF>/x` body="y\n" terminator=Some("EOF>/x")
            "#]],
        );
    }

    #[test]
    fn unterminated_heredoc() {
        check(
            "RUN <<EOF\nx\nRUN y\n",
            expect![[r#"
            1-3 "RUN" args=["<<EOF"]
              span="RUN <<EOF\nx\nRUN y"
              heredoc "EOF" marker=`<<EOF` body="x\nRUN y\n" terminator=None
            error 4..9: unterminated heredoc
        "#]],
        );
    }

    #[test]
    fn json_form() {
        check(
            "CMD [\"a\\u00e9\\n\", \"b\"]\nCMD ['a', 'b']\nENTRYPOINT [\"a\" \\\n , \"b\"]\nCMD [\"a\",]\nSHELL []\nRUN [\"a\", 1]\nCMD [\"a\"] # note\n",
            expect![[r##"
                1-1 "CMD" args=["[\"a\\u00e9\\n\",", "\"b\"]"] json=["aé\n"@`"a\u00e9\n"`, "b"@`"b"`]
                  span="CMD [\"a\\u00e9\\n\", \"b\"]"
                2-2 "CMD" args=["['a',", "'b']"]
                  span="CMD ['a', 'b']"
                3-4 "ENTRYPOINT" args=["[\"a\"", ",", "\"b\"]"] json=["a"@`"a"`, "b"@`"b"`]
                  span="ENTRYPOINT [\"a\" \\\n , \"b\"]"
                5-5 "CMD" args=["[\"a\",]"]
                  span="CMD [\"a\",]"
                6-6 "SHELL" args=["[]"] json=[]
                  span="SHELL []"
                7-7 "RUN" args=["[\"a\",", "1]"]
                  span="RUN [\"a\", 1]"
                8-8 "CMD" args=["[\"a\"]", "#", "note"]
                  span="CMD [\"a\"] # note"
                error 84..96: when using JSON array syntax, arrays must be comprised of strings only
            "##]],
        );
    }

    #[test]
    fn line_endings() {
        check(
            "FROM a\r\nRUN a \\\r\n b\r\n",
            expect![[r#"
            1-1 "FROM" args=["a"]
              span="FROM a"
            2-3 "RUN" args=["a", "b"]
              span="RUN a \\\r\n b"
        "#]],
        );
        check(
            "FROM a\rRUN b\nRUN c \\\r\nd",
            expect![[r#"
            1-1 "FROM" args=["a", "RUN", "b"]
              span="FROM a\rRUN b"
            2-3 "RUN" args=["c", "d"]
              span="RUN c \\\r\nd"
        "#]],
        );
        check(
            "RUN b \\",
            expect![[r#"
            1-1 "RUN" args=["b"]
              span="RUN b \\"
        "#]],
        );
    }

    #[test]
    fn empty_and_comment_only_files() {
        check(
            "",
            expect![[r#"
            error 0..0: file with no instructions
        "#]],
        );
        check(
            "# just\n  # comments\n",
            expect![[r##"
            comment "# just"
            comment "# comments"
            error 20..20: file with no instructions
        "##]],
        );
        check(
            "\u{feff}",
            expect![[r#"
            error 3..3: file with no instructions
        "#]],
        );
    }

    #[test]
    fn instructions_without_arguments() {
        check(
            "RUN\nCMD \\\n\nonbuild\nFOO bar\n\\\nUSER x\n",
            expect![[r#"
            1-1 "RUN" args=[]
              span="RUN"
            2-4 "CMD" args=["onbuild"]
              span="CMD \\\n\nonbuild"
              empty continuation line at 10..10
            5-5 "FOO" (unknown) args=["bar"]
              span="FOO bar"
            6-7 "USER" args=["x"]
              span="USER x"
        "#]],
        );
    }

    #[test]
    fn flags() {
        check(
            "FROM --platform=$BUILDPLATFORM golang AS build\nRUN --mount=type=cache,target=/x --network=none echo\nCOPY --from=\"b c\" --link . .\nRUN -- --x y\nRUN --a\\ b --c'd e' x\nRUN --x --\n",
            expect![[r#"
                1-1 "FROM" --platform="$BUILDPLATFORM"@`--platform=$BUILDPLATFORM` args=["golang", "AS", "build"]
                  span="FROM --platform=$BUILDPLATFORM golang AS build"
                2-2 "RUN" --mount="type=cache,target=/x"@`--mount=type=cache,target=/x` --network="none"@`--network=none` args=["echo"]
                  span="RUN --mount=type=cache,target=/x --network=none echo"
                3-3 "COPY" --from="b c"@`--from="b c"` --link@`--link` args=[".", "."]
                  span="COPY --from=\"b c\" --link . ."
                4-4 "RUN" args=["--x", "y"]
                  span="RUN -- --x y"
                5-5 "RUN" --a b@`--a\ b` --cd e@`--c'd e'` args=["x"]
                  span="RUN --a\\ b --c'd e' x"
                6-6 "RUN" --x@`--x` args=[]
                  span="RUN --x --"
            "#]],
        );
    }

    #[test]
    fn onbuild() {
        check(
            "ONBUILD --x=y ADD --chown=1 . /\nonbuild run [\"a\"]\nONBUILD RUN <<EOF\nx\nEOF\n",
            expect![[r#"
            1-1 "ONBUILD" --x="y"@`--x=y` args=["ADD", "--chown=1", ".", "/"]
              span="ONBUILD --x=y ADD --chown=1 . /"
                1-1 "ADD" --chown="1"@`--chown=1` args=[".", "/"]
                  span="ADD --chown=1 . /"
            2-2 "onbuild" args=["run", "[\"a\"]"]
              span="onbuild run [\"a\"]"
                2-2 "run" args=["[\"a\"]"] json=["a"@`"a"`]
                  span="run [\"a\"]"
            3-5 "ONBUILD" args=["RUN", "<<EOF"]
              span="ONBUILD RUN <<EOF\nx\nEOF"
              heredoc "EOF" marker=`<<EOF` body="x\n" terminator=Some("EOF")
                3-5 "RUN" args=["<<EOF"]
                  span="RUN <<EOF"
        "#]],
        );
    }

    #[test]
    fn bracket_starting_a_continued_line() {
        check(
            "RUN echo \\\n[ -f x ] && y\n",
            expect![[r#"
            1-2 "RUN" args=["echo", "[", "-f", "x", "]", "&&", "y"]
              span="RUN echo \\\n[ -f x ] && y"
        "#]],
        );
    }

    #[test]
    fn unicode() {
        check(
            "RUN echo ünï \\\n  日本 \"é x\"\nLABEL a=\"é\"\n",
            expect![[r#"
            1-2 "RUN" args=["echo", "ünï", "日本", "\"é x\""]
              span="RUN echo ünï \\\n  日本 \"é x\""
            3-3 "LABEL" args=["a=\"é\""]
              span="LABEL a=\"é\""
        "#]],
        );
    }

    #[test]
    fn env_and_label_errors() {
        check(
            "ENV a\nENV a=b c\nLABEL x\nENV\n",
            expect![[r#"
            1-1 "ENV" args=["a"]
              span="ENV a"
            2-2 "ENV" args=["a=b", "c"]
              span="ENV a=b c"
            3-3 "LABEL" args=["x"]
              span="LABEL x"
            4-4 "ENV" args=[]
              span="ENV"
            error 0..5: ENV must have two arguments
            error 14..15: Syntax error - can't find = in "c". Must be of the form: name=value
            error 16..23: LABEL must have two arguments
        "#]],
        );
    }

    fn fragment() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "RUN ",
            "FROM ",
            "COPY ",
            "ONBUILD ",
            "CMD ",
            "ENV ",
            "a",
            "é",
            "日",
            "\n",
            "\r",
            "\r\n",
            "\\",
            "`",
            " ",
            "\t",
            "#",
            "# escape=`\n",
            "<<",
            "<<-",
            "EOF",
            "\"",
            "'",
            "[",
            "]",
            ",",
            "$",
            "${",
            "}",
            ":-",
            "--",
            "=",
            "\0",
            "\u{feff}",
            "\u{a0}",
        ])
    }

    proptest! {
        #[test]
        fn never_panics_and_spans_are_sane(parts in prop::collection::vec(fragment(), 0..60)) {
            let src: String = parts.concat();
            let syntax = parse_str(&src);
            let ok = |s: Span| s.start <= s.end && s.end <= src.len()
                && src.is_char_boundary(s.start) && src.is_char_boundary(s.end);
            let word_ok = |w: &Word| ok(w.span) && (0..=w.text.len()).all(|i| w.source_offset(i) <= src.len());
            let mut prev_end = 0;
            let mut prev_line = 0;
            for ins in &syntax.instructions {
                prop_assert!(ok(ins.span), "{:?}", ins.span);
                prop_assert!(ins.span.start >= prev_end);
                prop_assert!(ins.start_line >= prev_line && ins.end_line >= ins.start_line);
                prev_end = ins.span.end;
                prev_line = ins.end_line + 1;
                let mut all: Vec<&Instruction> = vec![ins];
                if let Some(sub) = &ins.onbuild {
                    all.push(sub);
                }
                for i in all {
                    prop_assert!(word_ok(&i.keyword) && word_ok(&i.rest));
                    prop_assert!(i.span.start >= ins.span.start && i.span.end <= ins.span.end);
                    for w in i.args().iter().chain(i.json.iter().flatten()) {
                        prop_assert!(word_ok(w) && w.span.start >= ins.span.start && w.span.end <= ins.span.end);
                    }
                    for f in &i.flags {
                        prop_assert!(ok(f.span) && word_ok(&f.name) && f.value.as_ref().is_none_or(word_ok));
                    }
                }
                for h in &ins.heredocs {
                    prop_assert!(ok(h.marker) && ok(h.body) && h.terminator.is_none_or(ok));
                }
            }
            for s in syntax.comments.iter().chain(syntax.errors.iter().map(|e| &e.span)) {
                prop_assert!(ok(*s));
            }
        }

        /// Any edit of any fragment soup, reparsed incrementally from the old syntax, gives
        /// exactly the syntax of a fresh parse.
        #[test]
        fn incremental_reparse_equals_fresh(
            parts in prop::collection::vec(fragment(), 0..60),
            inserted in prop::collection::vec(fragment(), 0..4),
            at in any::<usize>(),
            len in 0usize..40,
        ) {
            let before = parts.concat();
            let old = parse_str(&before);
            let mut start = at % (before.len() + 1);
            while !before.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(before.len());
            while !before.is_char_boundary(end) {
                end += 1;
            }
            let ins = inserted.concat();
            let after = format!("{}{}{}", &before[..start], ins, &before[end..]);
            let lines = |s: &str| s.bytes().filter(|&b| b == b'\n').count() as isize;
            let change = Change {
                start,
                old_end: end,
                new_end: start + ins.len(),
                line_delta: lines(&ins) - lines(&before[start..end]),
            };
            prop_assert_eq!(reparse_str(old, &after, change), parse_str(&after));
        }
    }
}
