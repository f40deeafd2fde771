//! Variable references in words, as BuildKit's shell lexer sees them
//! (`frontend/dockerfile/shell/lex.go`, `ProcessWord`).
//!
//! Owns three views of one scan over a [`Word`]'s `text`: the references ([`var_refs`]), the
//! references the lexer rejects ([`bad_modifiers`]) and the expanded value ([`expand`]). The scan
//! follows the lexer step by step: single quotes are literal, double quotes allow expansion, the
//! escape character (`\` or `` ` `` from `# escape=`) makes the next character literal, and the
//! modifier words of `${NAME:-word}` are lexed again with the same rules, so references nested
//! in them are found too. All spans are source spans (through [`Word::source_span`]), so a word
//! crossing a line continuation still maps back to the document.
//!
//! BuildKit stops at the first error; this scan recovers and keeps going, so an editor still sees
//! every reference in a half-typed word.
//!
//! Must not know: which instructions BuildKit expands, ARG/ENV scopes (callers pass `lookup`).

use super::{Span, Word};

/// One `$NAME` / `${NAME...}` reference that BuildKit would look up.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VarRef {
    /// The variable name as written (never empty: `${+x}`, which BuildKit looks up as the empty
    /// name, gives no reference).
    pub name: String,
    pub name_span: Span,
    /// The whole reference: `$NAME`, `${NAME}`, `${NAME:-word}`. For an unterminated `${NAME...`
    /// it runs to the end of the word.
    pub span: Span,
    pub braced: bool,
    /// The modifier operator (`:-`, `-`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%`, `/`, `//`), if
    /// any. A modifier BuildKit rejects is kept as written (`:i` in `${a:install}`), and
    /// [`bad_modifiers`] reports it.
    pub operator: Option<String>,
    /// The modifier's word (its own references are returned separately). For `/` and `//` it
    /// covers `pattern/replacement`.
    pub operand: Option<Span>,
    /// A positional or special parameter (`$1`, `$@`, `$*`, `$#`, `$?`, `$-`, `$$`, `$!`, `$0`).
    /// BuildKit looks these up like any other name (they are never set, so they expand to the
    /// empty string); callers usually skip them when reporting undefined variables.
    pub special: bool,
    /// False for `${NAME` without its closing `}` (a partial reference, kept for completion).
    pub closed: bool,
}

/// Every variable reference in `word`, including those nested in modifiers, in source order.
pub fn var_refs(word: &Word, escape: char) -> Vec<VarRef> {
    let mut lx = Lexer::new(word, escape, None);
    lx.run();
    lx.refs
}

/// The references in `word` that BuildKit's lexer rejects, with a message each: `${}`, `${:x}`,
/// an unterminated `${`, an unsupported modifier (`${templateOption:installZsh}`, `${a:=b}`),
/// `${a/x` without its second `/`, and a literal `#`/`%`/`/` pattern with a bad escape.
///
/// Only errors that do not depend on variable values are listed (`${a?}` fails only when `a` is
/// unset). Unterminated quotes outside references are not reported here.
pub fn bad_modifiers(word: &Word, escape: char) -> Vec<(Span, String)> {
    let mut lx = Lexer::new(word, escape, None);
    lx.run();
    // Inner references fail first; report in source order.
    lx.errors.sort_by_key(|(span, _)| span.start);
    lx.errors
}

/// The value of `word` after BuildKit's `ProcessWord`: references replaced, modifiers applied,
/// quotes and escape characters removed.
///
/// `lookup` returns a variable's value, or `None` when it is not set here. Because such a
/// variable may still come from `--build-arg`, the result is `None` whenever it depends on the
/// value of a variable `lookup` does not know (`$NAME`, `${NAME}`, `${NAME#pat}`, `${NAME/a/b}`,
/// `${NAME?}`). Modifiers that supply a value for an unset variable are applied as BuildKit
/// does: `${NAME:-word}` gives `word` and `${NAME:+word}` gives the empty string. `None` also
/// when BuildKit would fail (bad syntax, unterminated quotes, `${NAME:?message}`).
pub fn expand(
    word: &Word,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut lx = Lexer::new(word, escape, Some(lookup));
    let value = lx.run();
    if lx.failed {
        return None;
    }
    value
}

/// Deeper nesting is treated as a failure instead of risking the stack on hostile input.
const MAX_DEPTH: usize = 200;

/// The parameters `isSpecialParam` accepts as a one-character name.
fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

/// Go's `unicode.IsDigit` (category Nd), approximated for non-ASCII characters.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// Go's `unicode.IsLetter` (category L), approximated by the Alphabetic property.
fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

/// A piece of the result; `None` when it depends on a value `lookup` does not know.
type Val = Option<String>;

/// A variable's value, `None` when unset.
type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn append(out: &mut Val, piece: Val) {
    match (out.as_mut(), piece) {
        (Some(o), Some(p)) => o.push_str(&p),
        _ => *out = None,
    }
}

struct Lexer<'a> {
    word: &'a Word,
    text: &'a str,
    pos: usize,
    escape: char,
    raw_escapes: bool,
    depth: usize,
    lookup: Option<Lookup<'a>>,
    refs: Vec<VarRef>,
    errors: Vec<(Span, String)>,
    /// BuildKit would return an error for this word.
    failed: bool,
    /// Whether the `${` being lexed found its `}` (set by `modifier` and `replace`).
    closed: bool,
    /// Unset variables expand to the empty string, as in BuildKit, instead of making the result
    /// unknown (tests compare with BuildKit's own table this way).
    exact: bool,
}

impl<'a> Lexer<'a> {
    fn new(word: &'a Word, escape: char, lookup: Option<Lookup<'a>>) -> Self {
        Lexer {
            word,
            text: &word.text,
            pos: 0,
            escape,
            raw_escapes: false,
            depth: 0,
            lookup,
            refs: Vec::new(),
            errors: Vec::new(),
            failed: false,
            exact: false,
            closed: false,
        }
    }

    fn run(&mut self) -> Val {
        self.stop_on(None, false).0
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.word.source_span(start, end)
    }

    fn error(&mut self, start: usize, end: usize, message: String) {
        self.failed = true;
        let span = self.span(start, end);
        self.errors.push((span, message));
    }

    /// `processStopOn`: lex until `stop` (consumed) or the end of the word. The flag says whether
    /// `stop` was found (always true without one).
    fn stop_on(&mut self, stop: Option<char>, raw_escapes: bool) -> (Val, bool) {
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let mut out = Some(String::new());
        let mut found = stop.is_none();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.next();
                found = true;
                break;
            }
            match c {
                '$' => {
                    let v = self.dollar();
                    append(&mut out, v);
                }
                '\'' => {
                    let v = self.single_quote();
                    append(&mut out, Some(v));
                }
                '"' => {
                    let v = self.double_quote();
                    append(&mut out, v);
                }
                _ => {
                    self.next();
                    let mut lit = c;
                    if c == self.escape {
                        if self.raw_escapes {
                            append(&mut out, Some(c.to_string()));
                        }
                        // An escape at the very end is dropped.
                        let Some(n) = self.next() else { break };
                        lit = n;
                    }
                    if let Some(o) = out.as_mut() {
                        o.push(lit);
                    }
                }
            }
        }
        if !found {
            self.failed = true;
        }
        self.raw_escapes = saved;
        (out, found)
    }

    /// `processSingleQuote`: everything up to the next `'` is literal, no escapes.
    fn single_quote(&mut self) -> String {
        self.next();
        let start = self.pos;
        match self.text[start..].find('\'') {
            Some(i) => {
                self.pos = start + i + 1;
                self.text[start..start + i].to_string()
            }
            None => {
                self.failed = true;
                self.pos = self.text.len();
                self.text[start..].to_string()
            }
        }
    }

    /// `processDoubleQuote`: `$` expands, the escape character escapes only `"`, `$` and itself.
    fn double_quote(&mut self) -> Val {
        self.next();
        let mut out = Some(String::new());
        loop {
            match self.peek() {
                None => {
                    self.failed = true;
                    return out;
                }
                Some('"') => {
                    self.next();
                    return out;
                }
                Some('$') => {
                    let v = self.dollar();
                    append(&mut out, v);
                }
                Some(_) => {
                    let mut c = self.next().unwrap_or_default();
                    if c == self.escape {
                        if self.raw_escapes {
                            append(&mut out, Some(c.to_string()));
                        }
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                c = self.next().unwrap_or_default();
                            }
                            Some(_) => {}
                        }
                    }
                    if let Some(o) = out.as_mut() {
                        o.push(c);
                    }
                }
            }
        }
    }

    /// `processName`: a run of digits, one special parameter, or letters, digits and `_`.
    fn name(&mut self) -> (String, bool) {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_digit(c) => {
                while self.peek().is_some_and(is_digit) {
                    self.next();
                }
                return (self.text[start..self.pos].to_string(), true);
            }
            Some(c) if is_special_param(c) => {
                self.next();
                return (c.to_string(), true);
            }
            _ => {}
        }
        while self
            .peek()
            .is_some_and(|c| is_letter(c) || is_digit(c) || c == '_')
        {
            self.next();
        }
        (self.text[start..self.pos].to_string(), false)
    }

    /// The value of `name`: `Some(Some(v))` when set, `Some(None)` when unset, `None` when this
    /// scan has no `lookup` (only references and errors are wanted).
    fn get(&self, name: &str) -> Option<Option<String>> {
        self.lookup.map(|l| l(name))
    }

    /// A value used as is: unknown when unset (unless `exact`).
    fn used(&self, value: Option<String>) -> Val {
        value.or_else(|| self.exact.then(String::new))
    }

    fn dollar(&mut self) -> Val {
        let start = self.pos;
        if self.depth >= MAX_DEPTH {
            self.failed = true;
            self.pos = self.text.len();
            return None;
        }
        self.depth += 1;
        let v = self.dollar_inner(start);
        self.depth -= 1;
        v
    }

    fn dollar_inner(&mut self, start: usize) -> Val {
        self.next();
        if self.peek() != Some('{') {
            let name_start = self.pos;
            let (name, special) = self.name();
            if name.is_empty() {
                return Some("$".to_string());
            }
            self.refs.push(VarRef {
                name_span: self.span(name_start, self.pos),
                span: self.span(start, self.pos),
                name: name.clone(),
                braced: false,
                operator: None,
                operand: None,
                special,
                closed: true,
            });
            let value = self.get(&name)?;
            return self.used(value);
        }
        self.next();
        match self.peek() {
            None => {
                self.error(start, self.pos, "`${` is missing a closing `}`".to_string());
                return None;
            }
            Some(c @ ('{' | '}' | ':')) => {
                if c == '}' {
                    self.next();
                }
                let msg = format!(
                    "bad substitution: `${{` must be followed by a variable name, not `{c}`"
                );
                self.error(start, self.pos, msg);
                return None;
            }
            Some(_) => {}
        }
        let name_start = self.pos;
        let (name, special) = self.name();
        let name_end = self.pos;
        let index = (!name.is_empty()).then(|| {
            self.refs.push(VarRef {
                name_span: self.span(name_start, name_end),
                span: self.span(start, name_end),
                name: name.clone(),
                braced: true,
                operator: None,
                operand: None,
                special,
                closed: false,
            });
            self.refs.len() - 1
        });
        let op_start = self.pos;
        let (result, closed) = match self.next() {
            Some('}') => (self.get(&name).and_then(|v| self.used(v)), true),
            None => {
                let msg = format!("`{}` is missing a closing `}}`", &self.text[start..]);
                self.error(start, self.pos, msg);
                (None, false)
            }
            Some('/') => self.replace(start, &name, index),
            Some(first) => self.modifier(start, first, op_start, &name, index),
        };
        if let Some(i) = index {
            let span = self.span(start, self.pos);
            let r = &mut self.refs[i];
            r.span = span;
            r.closed = closed;
        }
        result
    }

    fn set_modifier(&mut self, index: Option<usize>, op: &str, operand: (usize, usize)) {
        let span = self.span(operand.0, operand.1);
        if let Some(r) = index.map(|i| &mut self.refs[i]) {
            r.operator = Some(op.to_string());
            r.operand = Some(span);
        }
    }

    /// The word of a modifier up to `}`: its value, its text range, and whether `}` was found.
    fn modifier_word(&mut self, raw_escapes: bool) -> (Val, (usize, usize), bool) {
        let word_start = self.pos;
        let (word, found) = self.stop_on(Some('}'), raw_escapes);
        let word_end = if found { self.pos - 1 } else { self.pos };
        (word, (word_start, word_end), found)
    }

    fn missing_brace(&mut self, start: usize) {
        let msg = format!(
            "`{}` is missing a closing `}}`",
            &self.text[start..self.pos]
        );
        self.error(start, self.pos, msg);
    }

    /// `${NAME<op>word}` for every operator but `/`; `first` is the character after the name.
    /// Returns the value and whether the closing `}` was found.
    fn modifier(
        &mut self,
        start: usize,
        first: char,
        op_start: usize,
        name: &str,
        index: Option<usize>,
    ) -> (Val, bool) {
        let v = self.modifier_value(start, first, op_start, name, index);
        (v, self.closed)
    }

    fn modifier_value(
        &mut self,
        start: usize,
        first: char,
        op_start: usize,
        name: &str,
        index: Option<usize>,
    ) -> Val {
        let null_is_unset = first == ':';
        let op = if null_is_unset {
            self.next()
        } else {
            Some(first)
        };
        let op_char = op.unwrap_or('}');
        let trims = matches!(op, Some('#' | '%'));
        // `##` and `%%`: BuildKit looks for the doubled character at the start of the lexed word.
        let mut display = self.text[op_start..self.pos].to_string();
        if trims && !null_is_unset && self.peek() == op {
            display.push(op_char);
        }
        let (word, range, found) = self.modifier_word(trims);
        self.closed = found;
        let operand_start = (op_start + display.len()).min(range.1).max(range.0);
        self.set_modifier(index, &display, (operand_start, range.1));
        if !found {
            self.missing_brace(start);
            return None;
        }
        let supported =
            matches!(op, Some('+' | '-' | '?' | '#' | '%')) && !(null_is_unset && trims);
        if !supported {
            let msg = format!(
                "unsupported modifier `{display}` in `{}`",
                &self.text[start..self.pos]
            );
            self.error(start, self.pos, msg);
            return None;
        }
        if trims {
            if let Some(pattern) = &word {
                if let Err(msg) = compile(pattern) {
                    self.error(start, self.pos, msg);
                    return None;
                }
            }
        }
        let value = self.get(name)?;
        let empty = !value
            .as_deref()
            .is_some_and(|v| !v.is_empty() || !null_is_unset);
        match op_char {
            '-' if empty => word,
            '-' => self.used(value),
            '+' if empty => Some(String::new()),
            '+' => word,
            '?' if empty => {
                self.failed = true;
                None
            }
            '?' => self.used(value),
            _ => {
                let (value, mut pattern) = (self.used(value)?, word?);
                let greedy = pattern.starts_with(op_char);
                if greedy {
                    pattern.remove(0);
                }
                if op_char == '%' {
                    trim_suffix(&pattern, &value, greedy)
                } else {
                    trim_prefix(&pattern, &value, greedy)
                }
            }
        }
    }

    /// `${NAME/pattern/replacement}` and `${NAME//pattern/replacement}`.
    fn replace(&mut self, start: usize, name: &str, index: Option<usize>) -> (Val, bool) {
        self.closed = false;
        let v = self.replace_value(start, name, index);
        (v, self.closed)
    }

    fn replace_value(&mut self, start: usize, name: &str, index: Option<usize>) -> Val {
        let text = self.text;
        let op_start = self.pos - 1;
        let all = self.peek() == Some('/');
        if all {
            self.next();
        }
        let op = &text[op_start..self.pos];
        let operand_start = self.pos;
        let (pattern, found) = self.stop_on(Some('/'), true);
        if !found {
            self.closed = false;
            self.set_modifier(index, op, (operand_start, self.pos));
            let msg = format!(
                "`{}` is missing the `/` before the replacement",
                &self.text[start..self.pos]
            );
            self.error(start, self.pos, msg);
            return None;
        }
        let (replacement, range, found) = self.modifier_word(true);
        self.closed = found;
        self.set_modifier(index, op, (operand_start, range.1));
        if !found {
            self.missing_brace(start);
            return None;
        }
        let tokens = match pattern.as_deref().map(compile) {
            Some(Err(msg)) => {
                self.error(start, self.pos, msg);
                return None;
            }
            Some(Ok(t)) => Some(t),
            None => None,
        };
        let value = self.get(name)?;
        let (value, tokens, replacement) = (self.used(value)?, tokens?, replacement?);
        replace(&tokens, &value, &replacement, all)
    }
}

/// One element of a `#`/`%`/`/` pattern (`convertShellPatternToRegex`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    Star,
    Any,
    Lit(char),
}

/// Patterns and values beyond these sizes are not matched (the expansion becomes unknown), so
/// the backtracking matcher stays cheap on hostile input.
const MAX_PATTERN: usize = 64;
const MAX_VALUE: usize = 1024;

/// `convertShellPatternToRegex` without the regex: `*`, `?`, and `\` escaping `*`, `?`, `\`; a `\`
/// before `}` or `/` only protected it from the lexer and is dropped.
fn compile(pattern: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' => Tok::Star,
            '?' => Tok::Any,
            '\\' => match chars.peek() {
                Some('}' | '/') => continue,
                _ => match chars.next() {
                    Some(e @ ('*' | '?' | '\\')) => Tok::Lit(e),
                    Some(e) => {
                        return Err(format!(
                            "invalid pattern `{pattern}`: `\\{e}` is not an escape, only `\\*`, `\\?` and `\\\\` are"
                        ));
                    }
                    None => return Err(format!("invalid pattern `{pattern}`: it ends with `\\`")),
                },
            },
            c => Tok::Lit(c),
        });
    }
    Ok(out)
}

/// Matches a compiled pattern against one value, preferring what Go's leftmost-first regexp
/// prefers: each `*` as long (greedy) or as short (lazy) as possible, tried in order. `.` in Go
/// does not match `\n`, so neither `*` nor `?` does here.
struct Matcher<'a> {
    toks: &'a [Tok],
    s: Vec<char>,
    greedy: bool,
    /// The end of the preferred match of `toks[t..]` at `s[i..]`, which does not depend on where
    /// the whole match started, so it is shared by every start.
    memo: std::collections::HashMap<(usize, usize), Option<usize>>,
}

impl<'a> Matcher<'a> {
    /// `None` when the inputs are too large to match here.
    fn new(toks: &'a [Tok], value: &str, greedy: bool) -> Option<Matcher<'a>> {
        let s: Vec<char> = value.chars().collect();
        (toks.len() <= MAX_PATTERN && s.len() <= MAX_VALUE).then(|| Matcher {
            toks,
            s,
            greedy,
            memo: std::collections::HashMap::new(),
        })
    }

    /// The end (char index) of the preferred match starting at char `start`. Recursion happens
    /// only at `*`, so its depth is bounded by `MAX_PATTERN`.
    fn at(&mut self, t: usize, i: usize) -> Option<usize> {
        if let Some(r) = self.memo.get(&(t, i)) {
            return *r;
        }
        let (mut t2, mut i2) = (t, i);
        let r = loop {
            match self.toks.get(t2) {
                None => break Some(i2),
                Some(Tok::Lit(c)) if self.s.get(i2) == Some(c) => {}
                Some(Tok::Any) if self.s.get(i2).is_some_and(|&c| c != '\n') => {}
                Some(Tok::Star) => {
                    let max = self.s[i2..].iter().take_while(|&&c| c != '\n').count();
                    let mut found = None;
                    for k in 0..=max {
                        let k = if self.greedy { max - k } else { k };
                        if let Some(e) = self.at(t2 + 1, i2 + k) {
                            found = Some(e);
                            break;
                        }
                    }
                    break found;
                }
                Some(_) => break None,
            }
            t2 += 1;
            i2 += 1;
        };
        self.memo.insert((t, i), r);
        r
    }

    /// The leftmost match at or after char `from`: `(start, end)`.
    fn find(&mut self, from: usize) -> Option<(usize, usize)> {
        (from..=self.s.len()).find_map(|st| self.at(0, st).map(|e| (st, e)))
    }

    fn slice(&self, a: usize, b: usize) -> String {
        self.s[a..b].iter().collect()
    }
}

/// `trimPrefix`: remove the (shortest or greedy) match anchored at the start.
fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Val {
    let toks = compile(pattern).ok()?;
    let mut m = Matcher::new(&toks, value, greedy)?;
    Some(match m.at(0, 0) {
        Some(end) => m.slice(end, m.s.len()),
        None => value.to_string(),
    })
}

/// `trimSuffix`: BuildKit reverses the pattern (keeping `\x` pairs in order) and the value, and
/// trims a prefix.
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Val {
    let p: Vec<char> = pattern.chars().collect();
    let mut rev = vec![' '; p.len()];
    let last = p.len().saturating_sub(1);
    let mut i = 0;
    while i < p.len() {
        if p[i] == '\\' && i != last {
            rev[last - i - 1] = '\\';
            rev[last - i] = p[i + 1];
            i += 2;
        } else {
            rev[last - i] = p[i];
            i += 1;
        }
    }
    let rev_pattern: String = rev.into_iter().collect();
    let rev_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&rev_pattern, &rev_value, greedy)?;
    Some(trimmed.chars().rev().collect())
}

/// `${NAME/pattern/replacement}` (first match, replacement inserted as is) and `//` (Go's
/// `ReplaceAllString`, which expands `$name`/`${name}` in the replacement as match groups).
fn replace(toks: &[Tok], value: &str, replacement: &str, all: bool) -> Val {
    let mut m = Matcher::new(toks, value, true)?;
    let len = m.s.len();
    if !all {
        return Some(match m.find(0) {
            Some((a, b)) => format!("{}{replacement}{}", m.slice(0, a), m.slice(b, len)),
            None => value.to_string(),
        });
    }
    let mut out = String::new();
    let (mut search, mut last_end) = (0, 0);
    while search <= len {
        let Some((a, b)) = m.find(search) else { break };
        out.push_str(&m.slice(last_end, a));
        if b > last_end || a == 0 {
            out.push_str(&expand_template(replacement, &m.slice(a, b)));
        }
        last_end = b;
        // Always advance at least one character past the search position.
        search = if search + 1 > b { search + 1 } else { b };
    }
    out.push_str(&m.slice(last_end, len));
    Some(out)
}

/// Go's `Regexp.Expand` for a pattern without groups: `$$` is `$`, `$0`/`${0}` the match, any
/// other `$name`/`${name}` empty, and a `$` not starting a name stays.
fn expand_template(template: &str, matched: &str) -> String {
    let is_name = |c: char| is_letter(c) || is_digit(c) || c == '_';
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        } else if let Some(r) = after.strip_prefix('{') {
            match r.find('}') {
                Some(j) if j > 0 && r[..j].chars().all(is_name) => (&r[..j], &r[j + 1..]),
                _ => ("", after),
            }
        } else {
            let j = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
            (&after[..j], &after[j..])
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        // Only group 0 exists: every other number or name is empty.
        if name.bytes().all(|b| b == b'0') {
            out.push_str(matched);
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use expect_test::{expect, Expect};
    use proptest::prelude::*;

    /// Builds a word from `src` where `⏎` marks a line continuation (`\` + newline in the
    /// source, nothing in the text), recorded in `breaks` as the parser records it.
    pub(crate) fn word(src: &str) -> (String, Word) {
        let mut source = String::new();
        let mut text = String::new();
        let mut breaks = Vec::new();
        let (mut first, mut end, mut pending) = (None, 0, false);
        for c in src.chars() {
            if c == '⏎' {
                source.push_str("\\\n");
                pending = true;
                continue;
            }
            if pending && !text.is_empty() {
                breaks.push((text.len(), source.len()));
            }
            pending = false;
            first.get_or_insert(source.len());
            text.push(c);
            source.push(c);
            end = source.len();
        }
        let start = first.unwrap_or(0);
        (
            source,
            Word {
                text: text.into(),
                span: Span::new(start, end.max(start)),
                breaks,
            },
        )
    }

    /// The source with `^^^ label` under each span, on every line it covers (a `|` marks an
    /// empty span).
    pub(crate) fn render(source: &str, spans: &[(Span, String)]) -> String {
        let mut out = String::new();
        let mut line_start = 0;
        for line in source.split_inclusive('\n') {
            let text = line.trim_end_matches('\n');
            let line_end = line_start + text.len();
            out.push_str(text);
            out.push('\n');
            for (span, label) in spans {
                let (a, b) = (span.start.max(line_start), span.end.min(line_end));
                let shown = if span.is_empty() {
                    (line_start..=line_end).contains(&span.start)
                } else {
                    a < b
                };
                if !shown {
                    continue;
                }
                let col = source[line_start..a].chars().count();
                let width = source[a..b].chars().count();
                let marks = if width == 0 {
                    "|".to_string()
                } else {
                    "^".repeat(width)
                };
                out.push_str(&format!("{}{marks} {label}\n", " ".repeat(col)));
            }
            line_start += line.len();
        }
        out
    }

    fn check(src: &str, escape: char, expect: Expect) {
        let (source, w) = word(src);
        let mut spans = Vec::new();
        for r in var_refs(&w, escape) {
            let mut label = format!("ref `{}`", r.name);
            if let Some(op) = &r.operator {
                label.push_str(&format!(" {op}"));
            }
            if r.special {
                label.push_str(" special");
            }
            if !r.closed {
                label.push_str(" unclosed");
            }
            spans.push((r.span, label));
            spans.push((r.name_span, "name".to_string()));
            if let Some(o) = r.operand {
                spans.push((o, "operand".to_string()));
            }
        }
        for (span, msg) in bad_modifiers(&w, escape) {
            spans.push((span, format!("error: {msg}")));
        }
        expect.assert_eq(&render(&source, &spans));
    }

    #[test]
    fn plain_and_braced() {
        check(
            "he$PWD/${HOME}x",
            '\\',
            expect![[r#"
                he$PWD/${HOME}x
                  ^^^^ ref `PWD`
                   ^^^ name
                       ^^^^^^^ ref `HOME`
                         ^^^^ name
            "#]],
        );
    }

    #[test]
    fn modifiers() {
        check(
            "${A:-x}${B-y}${C:+z}${D+w}${E:?m}${F?}${G#p}${H##p}${I%s}${J%%s}${K/a/b}${L//a/b}",
            '\\',
            expect![[r#"
                ${A:-x}${B-y}${C:+z}${D+w}${E:?m}${F?}${G#p}${H##p}${I%s}${J%%s}${K/a/b}${L//a/b}
                ^^^^^^^ ref `A` :-
                  ^ name
                     ^ operand
                       ^^^^^^ ref `B` -
                         ^ name
                           ^ operand
                             ^^^^^^^ ref `C` :+
                               ^ name
                                  ^ operand
                                    ^^^^^^ ref `D` +
                                      ^ name
                                        ^ operand
                                          ^^^^^^^ ref `E` :?
                                            ^ name
                                               ^ operand
                                                 ^^^^^ ref `F` ?
                                                   ^ name
                                                     | operand
                                                      ^^^^^^ ref `G` #
                                                        ^ name
                                                          ^ operand
                                                            ^^^^^^^ ref `H` ##
                                                              ^ name
                                                                 ^ operand
                                                                   ^^^^^^ ref `I` %
                                                                     ^ name
                                                                       ^ operand
                                                                         ^^^^^^^ ref `J` %%
                                                                           ^ name
                                                                              ^ operand
                                                                                ^^^^^^^^ ref `K` /
                                                                                  ^ name
                                                                                    ^^^ operand
                                                                                        ^^^^^^^^^ ref `L` //
                                                                                          ^ name
                                                                                             ^^^ operand
            "#]],
        );
    }

    #[test]
    fn nested_in_source_order() {
        check(
            "${XXX:-${PWD:-$Y}}-${a/$b/${c}}",
            '\\',
            expect![[r#"
                ${XXX:-${PWD:-$Y}}-${a/$b/${c}}
                ^^^^^^^^^^^^^^^^^^ ref `XXX` :-
                  ^^^ name
                       ^^^^^^^^^^ operand
                       ^^^^^^^^^^ ref `PWD` :-
                         ^^^ name
                              ^^ operand
                              ^^ ref `Y`
                               ^ name
                                   ^^^^^^^^^^^^ ref `a` /
                                     ^ name
                                       ^^^^^^^ operand
                                       ^^ ref `b`
                                        ^ name
                                          ^^^^ ref `c`
                                            ^ name
            "#]],
        );
    }

    #[test]
    fn quotes_and_escapes() {
        check(
            r#"'$A' "$B" \$C \\$D "\$E" "'$F'" ${G:-'$H'}"#,
            '\\',
            expect![[r#"
                '$A' "$B" \$C \\$D "\$E" "'$F'" ${G:-'$H'}
                      ^^ ref `B`
                       ^ name
                                ^^ ref `D`
                                 ^ name
                                           ^^ ref `F`
                                            ^ name
                                                ^^^^^^^^^^ ref `G` :-
                                                  ^ name
                                                     ^^^^ operand
            "#]],
        );
    }

    #[test]
    fn backtick_escape() {
        check(
            r#"`$A \$B "`$C" `${D}"#,
            '`',
            expect![[r#"
                `$A \$B "`$C" `${D}
                     ^^ ref `B`
                      ^ name
            "#]],
        );
    }

    #[test]
    fn special_params_and_names() {
        check(
            "$1x $@@ ${#} $$ $001a $. $é_9 ${_a1}",
            '\\',
            expect![[r#"
                $1x $@@ ${#} $$ $001a $. $é_9 ${_a1}
                ^^ ref `1` special
                 ^ name
                    ^^ ref `@` special
                     ^ name
                        ^^^^ ref `#` special
                          ^ name
                             ^^ ref `$` special
                              ^ name
                                ^^^^ ref `001` special
                                 ^^^ name
                                         ^^^^ ref `é_9`
                                          ^^^ name
                                              ^^^^^^ ref `_a1`
                                                ^^^ name
            "#]],
        );
    }

    #[test]
    fn unicode_before_reference() {
        check(
            "안녕${KOREAN}é$X",
            '\\',
            expect![[r#"
                안녕${KOREAN}é$X
                  ^^^^^^^^^ ref `KOREAN`
                    ^^^^^^ name
                            ^^ ref `X`
                             ^ name
            "#]],
        );
    }

    #[test]
    fn across_continuation() {
        check(
            "go:${GO_⏎VER:-1.⏎22}$A⏎B",
            '\\',
            expect![[r#"
                go:${GO_\
                   ^^^^^^ ref `GO_VER` :-
                     ^^^^ name
                VER:-1.\
                ^^^^^^^^ ref `GO_VER` :-
                ^^^ name
                     ^^^ operand
                22}$A\
                ^^^ ref `GO_VER` :-
                ^^ operand
                   ^^^ ref `AB`
                    ^^ name
                B
                ^ ref `AB`
                ^ name
            "#]],
        );
    }

    #[test]
    fn errors() {
        check(
            "${templateOption:installZsh} ${} ${:-x} ${a:=b} ${a:#x} ${a.b}",
            '\\',
            expect![[r#"
                ${templateOption:installZsh} ${} ${:-x} ${a:=b} ${a:#x} ${a.b}
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ ref `templateOption` :i
                  ^^^^^^^^^^^^^^ name
                                  ^^^^^^^^^ operand
                                                        ^^^^^^^ ref `a` :=
                                                          ^ name
                                                             ^ operand
                                                                ^^^^^^^ ref `a` :#
                                                                  ^ name
                                                                     ^ operand
                                                                        ^^^^^^ ref `a` .
                                                                          ^ name
                                                                            ^ operand
                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error: unsupported modifier `:i` in `${templateOption:installZsh}`
                                             ^^^ error: bad substitution: `${` must be followed by a variable name, not `}`
                                                 ^^ error: bad substitution: `${` must be followed by a variable name, not `:`
                                                        ^^^^^^^ error: unsupported modifier `:=` in `${a:=b}`
                                                                ^^^^^^^ error: unsupported modifier `:#` in `${a:#x}`
                                                                        ^^^^^^ error: unsupported modifier `.` in `${a.b}`
            "#]],
        );
    }

    #[test]
    fn unterminated() {
        check(
            "x${FOO",
            '\\',
            expect![[r#"
                x${FOO
                 ^^^^^ ref `FOO` unclosed
                   ^^^ name
                 ^^^^^ error: `${FOO` is missing a closing `}`
            "#]],
        );
        check(
            "${a:-${b:-'}'",
            '\\',
            expect![[r#"
                ${a:-${b:-'}'
                ^^^^^^^^^^^^^ ref `a` :- unclosed
                  ^ name
                     ^^^^^^^^ operand
                     ^^^^^^^^ ref `b` :- unclosed
                       ^ name
                          ^^^ operand
                ^^^^^^^^^^^^^ error: `${a:-${b:-'}'` is missing a closing `}`
                     ^^^^^^^^ error: `${b:-'}'` is missing a closing `}`
            "#]],
        );
        check(
            "${ ${a/b",
            '\\',
            expect![[r#"
                ${ ${a/b
                   ^^^^^ ref `a` / unclosed
                     ^ name
                       ^ operand
                ^^^^^^^^ error: `${ ${a/b` is missing a closing `}`
                   ^^^^^ error: `${a/b` is missing the `/` before the replacement
            "#]],
        );
        check(
            "$",
            '\\',
            expect![[r#"
                $
            "#]],
        );
        check(
            "${",
            '\\',
            expect![[r#"
                ${
                ^^ error: `${` is missing a closing `}`
            "#]],
        );
    }

    #[test]
    fn bad_pattern() {
        check(
            r"${a#\x}${b/\}/x}",
            '\\',
            expect![[r#"
            ${a#\x}${b/\}/x}
            ^^^^^^^ ref `a` #
              ^ name
                ^^ operand
                   ^^^^^^^^^ ref `b` /
                     ^ name
                       ^^^^ operand
            ^^^^^^^ error: invalid pattern `\x`: `\x` is not an escape, only `\*`, `\?` and `\\` are
        "#]],
        );
    }

    /// Cases from BuildKit's `envVarTest` table and `TestProcessWithMatches`, restated: in
    /// `exact` mode (unset is empty, as in `ProcessWord`) the result must be BuildKit's, `None`
    /// where BuildKit fails.
    #[test]
    fn expansion_matches_buildkit() {
        let env = |n: &str| match n {
            "PWD" => Some("/home".to_string()),
            "SHELL" => Some("bash".to_string()),
            "KOREAN" => Some("한국어".to_string()),
            "NULL" => Some(String::new()),
            "FOO" => Some("xxyy".to_string()),
            "P" => Some("/foo*/*/*.txt".to_string()),
            "NEEDLE" => Some("\\*/".to_string()),
            "T" => Some("/tmp/tmp/bar.txt".to_string()),
            "A" => Some("/a/foo/b/c.txt".to_string()),
            "SPECIAL" => Some("()[]{}^$.*?|\\x".to_string()),
            "STARS" => Some("a***yy*".to_string()),
            _ => None,
        };
        let cases: &[(&str, Option<&str>)] = &[
            ("hello", Some("hello")),
            ("he'll'o", Some("hello")),
            ("he'llo", None),
            (r"he\'llo", Some("he'llo")),
            (r"he\\'llo", None),
            (r"abc\tdef", Some("abctdef")),
            (r#""abc\tdef""#, Some(r"abc\tdef")),
            (r#""abc\\tdef""#, Some(r"abc\tdef")),
            (r"'abc\tdef'", Some(r"abc\tdef")),
            (r"hello\", Some("hello")),
            (r"hello\\", Some(r"hello\")),
            (r#""hello"#, None),
            (r#""hello\""#, None),
            (r#""hel'lo""#, Some("hel'lo")),
            (r"'hello\'", Some(r"hello\")),
            (r#""''""#, Some("''")),
            ("$.", Some("$.")),
            ("he$.x", Some("he$.x")),
            ("he$PWD", Some("he/home")),
            (r"he\$PWD", Some("he$PWD")),
            (r"he\\$PWD", Some(r"he\/home")),
            (r#""he\$PWD""#, Some("he$PWD")),
            (r#""he\\$PWD""#, Some(r"he\/home")),
            (r"\${}aaa", Some("${}aaa")),
            ("he${}xx", None),
            ("he${PWD}", Some("he/home")),
            ("he${.}", None),
            ("he${XXX:-000}xx", Some("he000xx")),
            ("he${PWD:-000}xx", Some("he/homexx")),
            ("he${XXX:-$PWD}xx", Some("he/homexx")),
            ("he${XXX:-${PWD:-yyy}}xx", Some("he/homexx")),
            ("he${XXX:-${YYY:-yyy}}xx", Some("heyyyxx")),
            ("he${XXX:YYY}", None),
            ("he${XXX?}", None),
            ("he${XXX:?}", None),
            ("he${PWD?}", Some("he/home")),
            ("he${PWD:?}", Some("he/home")),
            ("he${NULL?}", Some("he")),
            ("he${NULL:?}", None),
            ("he${XXX:+${PWD}}xx", Some("hexx")),
            ("he${PWD:+${SHELL}}xx", Some("hebashxx")),
            ("he${PWD:+000}xx", Some("he000xx")),
            ("'he${XX}'", Some("he${XX}")),
            (r#""he'$PWD'""#, Some("he'/home'")),
            (r"'\$PWD'", Some(r"\$PWD")),
            ("he${PWD", None),
            ("he${PWD:=000}xx", None),
            ("he${PWD:+${PWD}:}xx", Some("he/home:xx")),
            (r"he${XXX:-\$PWD:}xx", Some("he$PWD:xx")),
            (r"he${XXX:-\${PWD}z}xx", Some("he${PWDz}xx")),
            ("안녕$KOREAN", Some("안녕한국어")),
            ("${aaa:-bbb}}", Some("bbb}")),
            ("${aaa:-bbb ${foo}", None),
            ("${aaa:-bbb {foo}", Some("bbb {foo")),
            ("${:+bbb}", None),
            ("${999:-bbb}aaa", Some("bbbaaa")),
            ("${001:+bbb}aaa", Some("aaa")),
            ("${@:-bbb}aaa", Some("bbbaaa")),
            ("${$:-bbb}", Some("bbb")),
            ("${FOO-aaa} ${NULL-bbb} ${BAZ-ccc}", Some("xxyy  ccc")),
            ("${FOO:-aaa} ${NULL:-bbb} ${BAZ:-ccc}", Some("xxyy bbb ccc")),
            ("${FOO+aaa} ${NULL+bbb} ${BAZ+ccc}", Some("aaa bbb ")),
            ("${FOO:+aaa} ${NULL:+bbb} ${BAZ:+ccc}", Some("aaa  ")),
            ("${FOO=aaa}", None),
            (r"${SPECIAL#()[]{\}^$.\*\?|\\}", Some("x")),
            (r"${STARS%%\**\*}", Some("a")),
            ("${FOO#*x*y}", Some("y")),
            ("${FOO#*}", Some("xxyy")),
            ("${FOO#}", Some("xxyy")),
            ("${FOO##*x}", Some("yy")),
            ("${FOO%x}", Some("xxyy")),
            ("${FOO%y}", Some("xxy")),
            ("${FOO%%y*}", Some("xx")),
            ("${FOO%y*}", Some("xxy")),
            ("${FOO:#}", None),
            ("${FOO:%%}", None),
            (
                "${P/$NEEDLE/.} - ${P//$NEEDLE/.}",
                Some("/foo.*/*.txt - /foo..*.txt"),
            ),
            (
                "${T/\\/tmp/} - ${T//\\/tmp/}",
                Some("/tmp/bar.txt - /bar.txt"),
            ),
            (
                "${A/\\/?\\//\\/} - ${A//\\/?\\//\\/}",
                Some("\\/foo/b/c.txt - \\/foo\\/c.txt"),
            ),
            (r"${T//\//\/}", Some(r"\/tmp\/tmp\/bar.txt")),
            ("${FOO///ww}", Some("wwxwwxwwywwyww")),
            ("${FOO//ww}", None),
            ("${FOO//}", None),
            ("${FOO//x/[$$0]}", Some("[0][0]yy")),
            (r"${FOO//x/[\$0]}", Some(r"[\x][\x]yy")),
            (r"${FOO#\q}", None),
        ];
        let mut failures = Vec::new();
        for (input, want) in cases {
            let (_, w) = word(input);
            let mut lx = Lexer::new(&w, '\\', Some(&env));
            lx.exact = true;
            let got = lx.run().filter(|_| !lx.failed);
            if got.as_deref() != *want {
                failures.push(format!("{input:?}: got {got:?}, want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn unknown_values() {
        let env = |n: &str| (n == "V").then(|| "1.22".to_string());
        let run = |s: &str| expand(&word(s).1, '\\', &env);
        assert_eq!(run("golang:${V}"), Some("golang:1.22".to_string()));
        assert_eq!(run("golang:$U"), None);
        assert_eq!(run("golang:${U:-1.21}"), Some("golang:1.21".to_string()));
        assert_eq!(run("golang:${U:+x}"), Some("golang:".to_string()));
        assert_eq!(run("golang:${U#x}"), None);
        assert_eq!(run("${V:+$U}x"), None);
        assert_eq!(run("${U:+$U}x"), Some("x".to_string()));
        assert_eq!(run("\"a b\"'c'"), Some("a bc".to_string()));
        assert_eq!(
            expand(&word("a`$Vb").1, '`', &env),
            Some("a$Vb".to_string())
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in r#"[$\{\}:\-+?#%/'"\\`a-c_1@* é안⏎\n]{0,40}"#) {
            let (source, w) = word(&s);
            for escape in ['\\', '`'] {
                let mut spans: Vec<Span> = Vec::new();
                for r in var_refs(&w, escape) {
                    spans.extend([r.span, r.name_span]);
                    spans.extend(r.operand);
                }
                spans.extend(bad_modifiers(&w, escape).into_iter().map(|(s, _)| s));
                for sp in spans {
                    prop_assert!(w.span.start <= sp.start && sp.start <= sp.end && sp.end <= w.span.end, "{sp:?} in {:?}", w.span);
                    prop_assert!(source.is_char_boundary(sp.start) && source.is_char_boundary(sp.end));
                }
                let _ = expand(&w, escape, &|n: &str| n.contains('a').then(|| n.repeat(2)));
            }
        }
    }
}
