//! Formatting: instruction keyword casing, leading and trailing whitespace, continuation-line
//! indentation and (optionally) one blank line between stages, as minimal edits.
//!
//! Invariant: formatting never changes what BuildKit parses. BuildKit keeps the leading
//! whitespace of continuation lines in the joined instruction text (`processLine(.., false)` in
//! `frontend/dockerfile/parser/parser.go`), and RUN/CMD/ENTRYPOINT/SHELL (shell form),
//! HEALTHCHECK, USER, WORKDIR, STOPSIGNAL, MAINTAINER, ONBUILD and legacy `ENV a b` keep that
//! text verbatim (it becomes the command string, hence the cache key and the image history).
//! So a continuation line is re-indented only where the join falls between two tokens of an
//! instruction whose parsed values are tokens: FROM, EXPOSE, shell-form ADD/COPY/VOLUME
//! (whitespace-split), ARG and `ENV`/`LABEL` `k=v` (`parseWords`, outside quotes), any exec (JSON)
//! form outside strings, and the leading flags of every instruction (`extractBuilderFlags`
//! drops the whitespace between them). The exact rules are in `docs/formatting.md`.
//!
//! Belt and braces: the result is re-parsed and compared with the original instruction by
//! instruction (keyword ignoring case, flags, values, exec form, heredoc names and bodies); on
//! any difference the re-indentation is dropped, and if that is not enough, every edit.
//!
//! Heredoc bodies and terminators, parser directives and the comment block at the top of the
//! file are never touched.
//!
//! Must not know: LSP types (`FormattingOptions` arrive as [`FormatConfig::indent`]).

use crate::analysis::syntax::{parser, Instruction, Keyword, Syntax};
use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeywordCase {
    #[default]
    Upper,
    Lower,
    Preserve,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatConfig {
    pub keyword_case: KeywordCase,
    /// Leave the continuation lines of multi-line instructions as they are.
    pub ignore_multiline_instructions: bool,
    /// Exactly one blank line before every `FROM` but the first (above its comments).
    pub blank_line_between_stages: bool,
    /// One level of continuation indentation (from the client's `tabSize`/`insertSpaces`).
    pub indent: String,
}

impl Default for FormatConfig {
    fn default() -> Self {
        FormatConfig {
            keyword_case: KeywordCase::Upper,
            ignore_multiline_instructions: false,
            blank_line_between_stages: false,
            indent: "    ".to_string(),
        }
    }
}

/// A replacement of `span` (UTF-8 bytes of the current text) by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// Formats the document, or only the lines `range` touches. Edits are sorted and disjoint.
pub fn format(doc: &Document, config: &FormatConfig, range: Option<Span>) -> Vec<Edit> {
    let text = doc.text().to_string();
    match range {
        None => checked(doc, &text, config, None),
        Some(r) => {
            let lines = Lines::new(&text);
            let first = lines.start(lines.index(r.start.min(text.len())));
            let last = lines.index(r.end.min(text.len()));
            let end = lines.next_start(last);
            checked(doc, &text, config, Some(Span::new(first, end)))
        }
    }
}

/// On-type formatting after a line break typed at `offset` (the start of the new line): the
/// finished line is formatted, and a new blank continuation line gets its indentation (the
/// previous continuation line's, so hand alignment is kept, or one [`FormatConfig::indent`]).
pub fn format_on_type(doc: &Document, config: &FormatConfig, offset: usize) -> Vec<Edit> {
    let text = doc.text().to_string();
    let offset = doc.clamp(offset);
    let lines = Lines::new(&text);
    let line = lines.index(offset);
    if line == 0 {
        return Vec::new();
    }
    let prev = line - 1;
    let syntax = doc.syntax();
    // Only the finished line and the new one are touched: only their edits are verified.
    let around = Span::new(lines.start(prev), lines.next_start(line));
    let all = checked(doc, &text, config, Some(around));
    let prev_span = Span::new(lines.start(prev), lines.next_start(prev));
    let mut out: Vec<Edit> = all
        .iter()
        .filter(|e| e.span.start >= prev_span.start && e.span.end <= prev_span.end)
        .cloned()
        .collect();
    let (ls, le) = (lines.start(line), lines.end(line));
    let blank = text[ls..le].bytes().all(|b| b == b' ' || b == b'\t');
    let escape = syntax.escape as u8;
    let continues = continuation(&text, lines.start(prev), lines.end(prev), escape).1;
    let in_heredoc = syntax.instructions.iter().any(|ins| {
        ins.heredocs
            .iter()
            .any(|h| h.body.start <= prev_span.start && prev_span.start < h.body.end)
    });
    if blank && continues && !in_heredoc && owned_by_instruction(syntax, prev) {
        // Keep the previous continuation line's indentation when it has one (hand alignment).
        let ps = lines.start(prev);
        let prev_indent: &str = {
            let t = &text[ps..lines.end(prev)];
            &t[..t.len() - t.trim_start_matches([' ', '\t']).len()]
        };
        let is_first = syntax
            .instructions
            .iter()
            .any(|ins| lines.index(ins.span.start) == prev);
        let want = if !is_first && !prev_indent.is_empty() {
            prev_indent.to_string()
        } else {
            config.indent.clone()
        };
        if text[ls..le] != want {
            out.push(Edit {
                span: Span::new(ls, le),
                text: want,
            });
        }
    } else {
        let this = Span::new(ls, lines.next_start(line));
        out.extend(
            all.into_iter()
                .filter(|e| e.span.start >= this.start && e.span.end <= this.end),
        );
    }
    out.sort_by_key(|e| e.span);
    out.dedup();
    out
}

/// Up to this many edits are verified with the document's incremental re-parse and compared
/// around the edits; more (whole-file formatting) with a fresh parse of the result.
const LOCAL_CHECK_EDITS: usize = 16;

/// The [`edits`] inside `window` (all without one), verified by re-parsing (see the module
/// docs). Only those edits are applied for the check, so an edit elsewhere can neither cost
/// time nor veto them; the re-parse is the document's incremental one, so a few edits on a few lines
/// (on-type and range formatting) re-scan only the instructions around them.
fn checked(doc: &Document, text: &str, config: &FormatConfig, window: Option<Span>) -> Vec<Edit> {
    let syntax = doc.syntax();
    let keep = |e: &Edit| window.is_none_or(|w| e.span.start >= w.start && e.span.end <= w.end);
    let select = |indent: bool| -> Vec<Edit> {
        edits_in(text, syntax, config, indent, window)
            .into_iter()
            .filter(|e| keep(e))
            .collect()
    };
    let full = select(true);
    if full.is_empty() {
        return full;
    }
    let same = |edits: &[Edit]| {
        if edits.len() > LOCAL_CHECK_EDITS {
            let formatted = apply(text, edits);
            return signature(&formatted, &parser::parse_str(&formatted))
                == signature(text, syntax);
        }
        let mut after = doc.clone();
        // Back to front, so earlier spans stay valid.
        for e in edits.iter().rev() {
            after.edit(e.span.start, e.span.end, &e.text);
        }
        let (new_text, new_syntax) = (after.text().to_string(), after.syntax());
        // Text outside the edited window is unchanged, so with the same number of
        // instructions and the same instructions in the window, the rest parses the same.
        let (lo, hi) = (edits[0].span.start, edits[edits.len() - 1].span.end);
        new_syntax.instructions.len() == syntax.instructions.len()
            && new_syntax.escape == syntax.escape
            && new_syntax.directives.len() == syntax.directives.len()
            && new_syntax
                .errors
                .iter()
                .map(|e| &e.message)
                .eq(syntax.errors.iter().map(|e| &e.message))
            && syntax
                .instructions
                .iter()
                .zip(&new_syntax.instructions)
                .filter(|(old, _)| old.span.end >= lo && old.span.start <= hi)
                .all(|(old, new)| instruction_sig(text, old) == instruction_sig(&new_text, new))
    };
    if same(&full) {
        return full;
    }
    let safe = select(false);
    if same(&safe) {
        return safe;
    }
    Vec::new()
}

/// The edits before verification (tests check these directly, so the rules themselves are
/// proven, not only the safety net).
#[cfg(test)]
pub(crate) fn edits(text: &str, syntax: &Syntax, config: &FormatConfig, indent: bool) -> Vec<Edit> {
    edits_in(text, syntax, config, indent, None)
}

/// [`edits`], computed only for instructions and lines that touch `window` when one is given
/// (the edits elsewhere are dropped by the caller anyway).
fn edits_in(
    text: &str,
    syntax: &Syntax,
    config: &FormatConfig,
    indent: bool,
    window: Option<Span>,
) -> Vec<Edit> {
    let near = |span: Span| window.is_none_or(|w| span.end >= w.start && span.start <= w.end);
    let lines = Lines::new(text);
    let escape = syntax.escape as u8;
    let n = lines.len();
    let mut out = Vec::new();
    // Lines already decided (inside instructions, heredocs, the blank-line rule).
    let mut owned = vec![false; n];

    // The comment block at the very top may hold parser directives: hands off.
    let mut top = 0;
    while top < n && is_comment_line(text, &lines, top) {
        owned[top] = true;
        top += 1;
    }

    let stage_starts: Vec<usize> = syntax
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, ins)| ins.kind == Keyword::From)
        .map(|(i, _)| i)
        .collect();

    for ins in &syntax.instructions {
        let first = ins.start_line as usize;
        let end = (ins.end_line as usize).min(n.saturating_sub(1));
        for o in owned.iter_mut().take(end + 1).skip(first) {
            *o = true;
        }
        if near(ins.span) {
            instruction(text, &lines, ins, escape, config, indent, &mut out);
        }
    }

    if config.blank_line_between_stages {
        for &i in stage_starts.iter().skip(1) {
            let from_line = syntax.instructions[i].start_line as usize;
            // The comments right above the FROM belong to it.
            let mut header = from_line;
            while header > 0
                && !owned_by_instruction(syntax, header - 1)
                && is_comment_line(text, &lines, header - 1)
            {
                header -= 1;
            }
            let mut gap = header;
            while gap > 0 && !owned[gap - 1] && is_blank_line(text, &lines, gap - 1) {
                gap -= 1;
            }
            if gap == 0 {
                continue;
            }
            let start = lines.start(gap);
            let hs = lines.start(header);
            let eol = if text[..start].ends_with("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let blanks = header - gap;
            if blanks != 1 || text[start..hs] != *eol {
                out.push(Edit {
                    span: Span::new(start, hs),
                    text: eol.to_string(),
                });
            }
            for o in owned.iter_mut().take(header).skip(gap) {
                *o = true;
            }
        }
    }

    // Lines between instructions: blank lines lose their blanks, comments their indentation and
    // trailing blanks.
    for (l, taken) in owned.iter().enumerate() {
        if *taken {
            continue;
        }
        let (s, e) = (lines.start(l), lines.end(l));
        if !near(Span::new(s, e)) || text[s..e].contains('\r') {
            continue;
        }
        let lead = s + leading_blank_len(&text[s..e]);
        if lead < e && text.as_bytes()[lead] == b'#' {
            push_delete(&mut out, s, lead);
            push_delete(&mut out, trim_blank_end(text, lead, e), e);
        } else if lead == e {
            push_delete(&mut out, s, e);
        }
    }

    out.retain(|e| !(e.span.is_empty() && e.text.is_empty()));
    out.sort_by_key(|e| e.span);
    out
}

fn owned_by_instruction(syntax: &Syntax, line: usize) -> bool {
    let i = syntax
        .instructions
        .partition_point(|ins| (ins.end_line as usize) < line);
    syntax
        .instructions
        .get(i)
        .is_some_and(|ins| ins.start_line as usize <= line)
}

/// The edits inside one instruction.
fn instruction(
    text: &str,
    lines: &Lines,
    ins: &Instruction,
    escape: u8,
    config: &FormatConfig,
    indent: bool,
    out: &mut Vec<Edit>,
) {
    let first = ins.start_line as usize;
    // Leading blanks before the keyword (BuildKit trims the first line's leading whitespace).
    let ls = lines.start(first);
    let ls = if first == 0 && text[ls..].starts_with('\u{feff}') {
        ls + 3
    } else {
        ls
    };
    if ls <= ins.keyword.span.start
        && text[ls..ins.keyword.span.start]
            .bytes()
            .all(|b| b == b' ' || b == b'\t')
    {
        push_delete(out, ls, ins.keyword.span.start);
    }
    keyword_case(text, ins, config.keyword_case, out);
    if let Some(sub) = &ins.onbuild {
        keyword_case(text, sub, config.keyword_case, out);
    }

    // The logical lines, as BuildKit's parser walks them; heredoc bodies come after.
    let n = lines.len();
    let mut l = first;
    let (_, mut continues) = continuation(text, lines.start(l), lines.end(l), escape);
    trailing(text, lines, l, escape, out);
    let tokens = token_spans(ins);
    let value_tokens = values_are_tokens(ins);
    let multiline_ok = !config.ignore_multiline_instructions;
    // Whether the joined text so far ends in a blank (so the run at the next join is not
    // empty even when the next line has no indentation).
    let blank = |c: u8| c == b' ' || c == b'\t';
    let first_cut = continuation(text, ins.keyword.span.start, lines.end(l), escape).0;
    let mut tail_blank =
        first_cut > ins.keyword.span.start && blank(text.as_bytes()[first_cut - 1]);
    while continues && l + 1 < n {
        l += 1;
        let (s, e) = (lines.start(l), lines.end(l));
        if text[s..e].contains('\r') {
            // A lone CR: leave the line alone (it is a line break to editors, not to BuildKit).
            let lead = s + leading_ws_len(&text[s..e]);
            if lead < e && text.as_bytes()[lead] == b'#' {
                continue;
            }
            if lead == e {
                continue;
            }
            continues = continuation(text, s, e, escape).1;
            continue;
        }
        let lead = s + leading_blank_len(&text[s..e]);
        let ws_end = s + leading_ws_len(&text[s..e]);
        if ws_end < e && text.as_bytes()[ws_end] == b'#' {
            // A comment inside the instruction: BuildKit drops the whole line.
            push_delete(out, trim_blank_end(text, ws_end, e), e);
            continue;
        }
        if ws_end == e {
            // An empty continuation line: skipped by BuildKit.
            if lead == e {
                push_delete(out, s, e);
            }
            continue;
        }
        let (cut, c) = continuation(text, s, e, escape);
        continues = c;
        let run_exists = lead > s || tail_blank;
        if cut > s {
            tail_blank = blank(text.as_bytes()[cut - 1]);
        }
        trailing(text, lines, l, escape, out);
        if !(indent && multiline_ok) || lead != ws_end || text[s..lead] == *config.indent {
            continue;
        }
        if run_exists && safe_join(ins, lead, &tokens, value_tokens) {
            out.push(Edit {
                span: Span::new(s, lead),
                text: config.indent.clone(),
            });
        }
    }
}

/// Whether the (existing, non-empty) whitespace run before `content` may change length
/// without changing the parsed instruction.
fn safe_join(ins: &Instruction, content: usize, tokens: &[Span], value_tokens: bool) -> bool {
    // The run must lie between tokens (not inside a quoted flag value, JSON string or word).
    if tokens.iter().any(|t| t.start < content && content < t.end) {
        return false;
    }
    if ins.kind == Keyword::Onbuild || ins.kind == Keyword::Unknown {
        return false;
    }
    let in_flags = ins.rest.text.is_empty() || content <= ins.rest.span.start;
    in_flags || value_tokens
}

/// True when the instruction's parsed values are tokens, so the length of a whitespace run
/// between tokens does not matter (see the module docs).
fn values_are_tokens(ins: &Instruction) -> bool {
    if ins.json.is_some() {
        return true;
    }
    match ins.kind {
        Keyword::From
        | Keyword::Expose
        | Keyword::Add
        | Keyword::Copy
        | Keyword::Volume
        | Keyword::Arg => true,
        // `ENV a=b` splits words; legacy `ENV a b` keeps the value's text verbatim.
        Keyword::Env | Keyword::Label => ins.args().first().is_some_and(|a| a.text.contains('=')),
        _ => false,
    }
}

/// Every token whose inside must not be re-spaced: the keyword, flags, words, JSON strings,
/// heredoc markers.
fn token_spans(ins: &Instruction) -> Vec<Span> {
    let mut out = vec![ins.keyword.span];
    out.extend(ins.flags.iter().map(|f| f.span));
    out.extend(ins.args().iter().map(|a| a.span));
    out.extend(ins.json.iter().flatten().map(|a| a.span));
    out.extend(ins.heredocs.iter().map(|h| h.marker));
    if let Some(sub) = &ins.onbuild {
        out.extend(token_spans(sub));
    }
    out
}

fn keyword_case(text: &str, ins: &Instruction, case: KeywordCase, out: &mut Vec<Edit>) {
    let kw = &ins.keyword;
    if ins.kind == Keyword::Unknown
        || !kw.breaks.is_empty()
        || text.get(kw.span.start..kw.span.end) != Some(kw.text.as_str())
    {
        return;
    }
    let want = match case {
        KeywordCase::Upper => kw.text.to_ascii_uppercase(),
        KeywordCase::Lower => kw.text.to_ascii_lowercase(),
        KeywordCase::Preserve => return,
    };
    if want != kw.text {
        out.push(Edit {
            span: kw.span,
            text: want.to_string(),
        });
    }
}

/// Trailing blanks of a content line: after the escape character of a continuation (BuildKit's
/// continuation pattern drops them) or at the end of the instruction (BuildKit trims it).
fn trailing(text: &str, lines: &Lines, l: usize, _escape: u8, out: &mut Vec<Edit>) {
    let (s, e) = (lines.start(l), lines.end(l));
    if text[s..e].contains('\r') {
        return;
    }
    push_delete(out, trim_blank_end(text, s, e), e);
}

fn push_delete(out: &mut Vec<Edit>, start: usize, end: usize) {
    if start < end {
        out.push(Edit {
            span: Span::new(start, end),
            text: String::new(),
        });
    }
}

fn trim_blank_end(text: &str, from: usize, to: usize) -> usize {
    from + text[from..to].trim_end_matches([' ', '\t']).len()
}

fn leading_blank_len(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

fn leading_ws_len(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

fn is_comment_line(text: &str, lines: &Lines, l: usize) -> bool {
    let (s, e) = (lines.start(l), lines.end(l));
    let t = text[s..e].trim_start_matches('\u{feff}').trim_start();
    t.starts_with('#')
}

fn is_blank_line(text: &str, lines: &Lines, l: usize) -> bool {
    let (s, e) = (lines.start(l), lines.end(l));
    text[s..e].bytes().all(|b| b == b' ' || b == b'\t')
}

/// BuildKit's continuation pattern on a line's content: where the kept text ends and whether
/// the line continues (escape, then only spaces and tabs, the escape not itself escaped).
fn continuation(text: &str, start: usize, end: usize, escape: u8) -> (usize, bool) {
    let b = text.as_bytes();
    let mut q = end;
    while q > start && matches!(b[q - 1], b' ' | b'\t') {
        q -= 1;
    }
    if q > start && b[q - 1] == escape {
        let p = q - 1;
        if p == start || b[p - 1] != escape {
            return (p, true);
        }
    }
    (end, false)
}

/// Lines as BuildKit's scanner cuts them: at `\n` only; content ends before trailing `\r`s.
struct Lines {
    starts: Vec<usize>,
    ends: Vec<usize>,
    len: usize,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut ends = Vec::new();
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' {
                ends.push(content_end(b, *starts.last().unwrap_or(&0), i));
                starts.push(i + 1);
            }
        }
        let last = *starts.last().unwrap_or(&0);
        ends.push(content_end(b, last, b.len()));
        Lines {
            starts,
            ends,
            len: b.len(),
        }
    }
    fn len(&self) -> usize {
        self.starts.len()
    }
    fn start(&self, l: usize) -> usize {
        self.starts.get(l).copied().unwrap_or(self.len)
    }
    fn end(&self, l: usize) -> usize {
        self.ends.get(l).copied().unwrap_or(self.len)
    }
    /// Where the line after `l` starts (the end of the text for the last line).
    fn next_start(&self, l: usize) -> usize {
        self.starts.get(l + 1).copied().unwrap_or(self.len)
    }
    fn index(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

fn content_end(b: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(b[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    end
}

/// `text` with `edits` (sorted, disjoint) applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.text);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What must not change, per instruction: keyword (any case), flags, values as BuildKit's
/// dispatch computes them, exec form, heredoc names and bodies; plus the directives, the escape
/// character and the syntax errors.
#[derive(Debug, PartialEq, Eq)]
pub struct InstructionSig {
    keyword: String,
    trigger: Option<String>,
    flags: Vec<(String, Option<String>)>,
    json: Option<Vec<String>>,
    values: Vec<String>,
    heredocs: Vec<(String, String, bool)>,
}

pub fn signature(text: &str, syntax: &Syntax) -> Signature {
    Signature {
        directives: syntax
            .directives
            .iter()
            .map(|d| (d.name.clone(), d.value.text.to_string()))
            .collect(),
        escape: syntax.escape,
        errors: syntax.errors.iter().map(|e| e.message.clone()).collect(),
        instructions: syntax
            .instructions
            .iter()
            .map(|ins| instruction_sig(text, ins))
            .collect(),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Signature {
    directives: Vec<(String, String)>,
    escape: char,
    errors: Vec<String>,
    pub instructions: Vec<InstructionSig>,
}

fn instruction_sig(text: &str, ins: &Instruction) -> InstructionSig {
    let sub = ins.onbuild.as_deref();
    let target = sub.unwrap_or(ins);
    let values = if sub.is_none() && values_are_tokens(ins) {
        match ins.kind {
            Keyword::Arg | Keyword::Env | Keyword::Label => {
                ins.args().iter().map(|a| a.text.to_string()).collect()
            }
            // BuildKit's `reWhitespace` split.
            _ => ins
                .rest
                .text
                .split([' ', '\t', '\x0b', '\x0c', '\r'])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
        }
    } else {
        vec![target.rest.text.trim().to_string()]
    };
    InstructionSig {
        keyword: ins.keyword.text.to_ascii_lowercase().to_string(),
        trigger: sub.map(|s| s.keyword.text.to_ascii_lowercase().to_string()),
        flags: ins
            .flags
            .iter()
            .chain(sub.map(|s| s.flags.iter()).into_iter().flatten())
            .map(|f| {
                (
                    f.name.text.to_string(),
                    f.value.as_ref().map(|v| v.text.to_string()),
                )
            })
            .collect(),
        json: target
            .json
            .as_ref()
            .map(|j| j.iter().map(|w| w.text.to_string()).collect()),
        values,
        heredocs: ins
            .heredocs
            .iter()
            .map(|h| {
                let body = text.get(h.body.start..h.body.end).unwrap_or_default();
                (h.name.clone(), body.to_string(), h.terminator.is_some())
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
