//! `RUN --mount=` option lists, as BuildKit's `parseMount`
//! (`frontend/dockerfile/instructions/commands_runmount.go`) splits them, and the mount types,
//! keys and enumerated values it accepts, as data for completion and diagnostics.
//!
//! The value is one CSV record (`go-csvvalue`, the rules of `encoding/csv` for one line): fields
//! are separated by `,`, and a field that starts with `"` is quoted (`""` inside it is one `"`), so
//! `"target=/a,b"` is one field. A quote anywhere else is an error (`target="/a,b"` fails). Each
//! field is `key=value` (split at the first `=`) or a bare `key` (`ro`, `rw`, `required`); keys
//! are case-insensitive. Spans are source spans (through [`Word::source_offset`]).
//!
//! Must not know: what a stage or a secret is, whether the values make sense together.

use super::{Span, Word};

/// One field of a `--mount` value.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MountOpt {
    /// Lower-cased key (ASCII lower-casing: no key BuildKit knows has a non-ASCII letter whose
    /// Unicode lower case is ASCII). Empty for an empty field (`type=cache,,target=/x`).
    pub key: Word,
    /// The text after the first `=`; `None` for a bare key.
    pub value: Option<Word>,
    /// The whole field, quotes included.
    pub span: Span,
}

/// The mount types BuildKit accepts (`type=` is case-insensitive; the default is `bind`).
pub const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];

/// The values of `sharing=` (case-insensitive).
pub const SHARING_MODES: &[&str] = &["shared", "private", "locked"];

/// Every key `parseMount` accepts on some type; any other key fails the build ("unexpected key").
pub const ALL_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "src",
    "target",
    "dst",
    "destination",
    "readonly",
    "ro",
    "readwrite",
    "rw",
    "required",
    "size",
    "id",
    "sharing",
    "mode",
    "uid",
    "gid",
    "env",
];

/// Keys that may be written without a value (`ro`, `rw`, `required`); with one, it must parse as
/// a Go boolean ([`parse_bool`]).
pub const BOOL_KEYS: &[&str] = &["readonly", "ro", "readwrite", "rw", "required"];

/// The keys documented for a mount type (with BuildKit's aliases), `type` itself left out; empty
/// for an unknown type. BuildKit is laxer: it accepts any key of [`ALL_KEYS`] on any type except
/// `required` (secret, ssh only), `size` (tmpfs only), `mode`/`uid`/`gid` (cache, secret, ssh
/// only), `sharing` (cache only) and `from` (not secret), see [`key_allowed`].
pub fn keys_for_type(t: &str) -> &'static [&'static str] {
    match t.to_ascii_lowercase().as_str() {
        "bind" => &[
            "target",
            "dst",
            "destination",
            "source",
            "src",
            "from",
            "readwrite",
            "rw",
            "readonly",
            "ro",
        ],
        "cache" => &[
            "id",
            "target",
            "dst",
            "destination",
            "readonly",
            "ro",
            "readwrite",
            "rw",
            "sharing",
            "from",
            "source",
            "src",
            "mode",
            "uid",
            "gid",
        ],
        "tmpfs" => &["target", "dst", "destination", "size"],
        "secret" => &[
            "id",
            "target",
            "dst",
            "destination",
            "env",
            "required",
            "mode",
            "uid",
            "gid",
        ],
        "ssh" => &[
            "id",
            "target",
            "dst",
            "destination",
            "required",
            "mode",
            "uid",
            "gid",
        ],
        _ => &[],
    }
}

/// Whether `parseMount` accepts `key` (lower-case) on a mount of type `t` (lower-case): the
/// per-type rules it enforces, not the documentation's lists.
pub fn key_allowed(t: &str, key: &str) -> bool {
    if !ALL_KEYS.contains(&key) {
        return false;
    }
    match key {
        "required" => matches!(t, "secret" | "ssh"),
        "size" => t == "tmpfs",
        "mode" | "uid" | "gid" => matches!(t, "cache" | "secret" | "ssh"),
        "sharing" => t == "cache",
        "from" => t != "secret",
        _ => true,
    }
}

/// The values a key takes from a fixed set (`type`, `sharing`, the boolean keys); empty for a
/// free-form key.
pub fn values_for_key(key: &str) -> &'static [&'static str] {
    match key {
        "type" => MOUNT_TYPES,
        "sharing" => SHARING_MODES,
        k if BOOL_KEYS.contains(&k) => &["true", "false"],
        _ => &[],
    }
}

/// Go's `strconv.ParseBool`, which BuildKit uses for `ro=`, `rw=` and `required=`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The fields of a `--mount` value. Never fails: where BuildKit's CSV reader stops with an error
/// ([`mount_syntax_error`]), the rest is read as `encoding/csv` does with `LazyQuotes`, so
/// completion still sees every field being typed.
pub fn parse_mount(value: &Word) -> Vec<MountOpt> {
    Csv::new(value).run().0
}

/// Why BuildKit's CSV reader rejects a `--mount` value ("failed to parse csv mounts"), if it does:
/// an empty value, a `"` inside an unquoted field, a quoted field that never closes or is
/// followed by more text.
pub fn mount_syntax_error(value: &Word) -> Option<(Span, String)> {
    Csv::new(value).run().1
}

/// [`parse_mount`] and [`mount_syntax_error`] in one pass.
pub fn parse_mount_checked(value: &Word) -> (Vec<MountOpt>, Option<(Span, String)>) {
    Csv::new(value).run()
}

/// One field: an unquoted one is a range of the value's `text` as it is (the usual case, no
/// copy); a quoted one is decoded, with each byte's offset in `text`.
struct Field {
    decoded: Option<(String, Vec<usize>)>,
    /// Text range of the whole field, quotes included.
    range: (usize, usize),
}

impl Field {
    fn text<'v>(&'v self, value: &'v str) -> &'v str {
        match &self.decoded {
            Some((text, _)) => text,
            None => &value[self.range.0..self.range.1],
        }
    }

    /// The offset in the value's `text` of byte `i` of the field's text.
    fn at(&self, i: usize) -> usize {
        match &self.decoded {
            Some((_, at)) => at[i],
            None => self.range.0 + i,
        }
    }
}

struct Csv<'a> {
    value: &'a Word,
    bytes: &'a [u8],
    pos: usize,
    error: Option<(Span, String)>,
}

impl<'a> Csv<'a> {
    fn new(value: &'a Word) -> Self {
        Csv {
            value,
            bytes: value.text.as_bytes(),
            pos: 0,
            error: None,
        }
    }

    fn fail(&mut self, at: usize, len: usize, message: &str) {
        if self.error.is_none() {
            self.error = Some((self.value.source_span(at, at + len), message.to_string()));
        }
    }

    /// Copies `text[a..b]` (never splitting a character: `a` and `b` sit next to ASCII `"` or
    /// `,` or at the ends) into `field`.
    fn copy(&self, field: &mut Field, a: usize, b: usize) {
        let (text, at) = field.decoded.get_or_insert_with(Default::default);
        text.push_str(&self.value.text[a..b]);
        at.extend(a..b);
    }

    fn run(mut self) -> (Vec<MountOpt>, Option<(Span, String)>) {
        let len = self.bytes.len();
        if len == 0 {
            self.fail(0, 0, "empty `--mount` value");
            return (Vec::new(), self.error);
        }
        let mut fields = Vec::new();
        loop {
            let start = self.pos;
            let mut field = Field {
                decoded: None,
                range: (start, start),
            };
            let more = if self.bytes.get(start) == Some(&b'"') {
                // Decoded even when empty (`""`), so its text is never the quotes themselves.
                field.decoded = Some(Default::default());
                self.quoted(&mut field)
            } else {
                let end = self.bytes[start..]
                    .iter()
                    .position(|&b| b == b',')
                    .map_or(len, |i| start + i);
                if let Some(q) = self.bytes[start..end].iter().position(|&b| b == b'"') {
                    self.fail(
                        start + q,
                        1,
                        "bare `\"` in an unquoted field: quote the whole field instead",
                    );
                }
                self.pos = end;
                self.bytes.get(end) == Some(&b',')
            };
            field.range.1 = self.pos;
            fields.push(field);
            if !more {
                break;
            }
            self.pos += 1;
        }
        let opts = fields.iter().map(|f| self.opt(f)).collect();
        (opts, self.error)
    }

    /// A field starting with `"`; leaves `pos` after it and says whether a `,` follows.
    fn quoted(&mut self, field: &mut Field) -> bool {
        let open = self.pos;
        self.pos += 1;
        loop {
            let from = self.pos;
            let Some(i) = self.bytes[from..].iter().position(|&b| b == b'"') else {
                self.fail(open, 1, "quoted field has no closing `\"`");
                self.copy(field, from, self.bytes.len());
                self.pos = self.bytes.len();
                return false;
            };
            let q = from + i;
            self.copy(field, from, q);
            self.pos = q + 1;
            match self.bytes.get(self.pos) {
                // `""` is one quote.
                Some(b'"') => {
                    self.copy(field, self.pos, self.pos + 1);
                    self.pos += 1;
                }
                Some(b',') => return true,
                None => return false,
                Some(_) => {
                    // A lazy reader keeps the quote and reads on.
                    self.fail(
                        q,
                        1,
                        "unexpected `\"` in a quoted field: only `,` may follow its closing quote",
                    );
                    self.copy(field, q, q + 1);
                }
            }
        }
    }

    /// A sub-word of the value made of the field's bytes `a..b`.
    fn word(&self, f: &Field, a: usize, b: usize, empty_at: usize) -> Word {
        if a >= b {
            return Word::new("", Span::empty(self.value.source_offset(empty_at)));
        }
        let src = |i: usize| self.value.source_offset(f.at(i));
        // The usual case: one run of the value's text, no line continuation in the value.
        let plain = self.value.breaks.is_empty() && f.at(b - 1) - f.at(a) == b - 1 - a;
        let breaks = if plain {
            Vec::new()
        } else {
            (a + 1..b)
                .filter(|&i| src(i) != src(i - 1) + 1)
                .map(|i| (i - a, src(i)))
                .collect()
        };
        Word {
            text: f.text(&self.value.text)[a..b].into(),
            span: Span::new(src(a), src(b - 1) + 1),
            breaks,
        }
    }

    fn opt(&self, f: &Field) -> MountOpt {
        let span = self.value.source_span(f.range.0, f.range.1);
        // Where an empty key or value sits: after the opening quote, or after the `=`.
        let text_start = if self.bytes.get(f.range.0) == Some(&b'"') {
            f.range.0 + 1
        } else {
            f.range.0
        };
        let text_start = text_start.min(f.range.1);
        let text = f.text(&self.value.text);
        match text.find('=') {
            Some(eq) => {
                let mut key = self.word(f, 0, eq, text_start);
                key.text.make_ascii_lowercase();
                let value_at = f.at(eq) + 1;
                let value = self.word(f, eq + 1, text.len(), value_at);
                MountOpt {
                    key,
                    value: Some(value),
                    span,
                }
            }
            None => {
                let mut key = self.word(f, 0, text.len(), text_start);
                key.text.make_ascii_lowercase();
                MountOpt {
                    key,
                    value: None,
                    span,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::syntax::expand::tests::{render, word};
    use expect_test::{expect, Expect};
    use proptest::prelude::*;

    fn check(src: &str, expect: Expect) {
        let (source, w) = word(src);
        let mut spans = Vec::new();
        for o in parse_mount(&w) {
            spans.push((o.span, "field".to_string()));
            spans.push((o.key.span, format!("key `{}`", o.key.text)));
            if let Some(v) = o.value {
                spans.push((v.span, format!("value `{}`", v.text)));
            }
        }
        if let Some((span, msg)) = mount_syntax_error(&w) {
            spans.push((span, format!("error: {msg}")));
        }
        expect.assert_eq(&render(&source, &spans));
    }

    #[test]
    fn fields() {
        check(
            "type=cache,Target=/root/.cache,ro,sharing=locked",
            expect![[r#"
                type=cache,Target=/root/.cache,ro,sharing=locked
                ^^^^^^^^^^ field
                ^^^^ key `type`
                     ^^^^^ value `cache`
                           ^^^^^^^^^^^^^^^^^^^ field
                           ^^^^^^ key `target`
                                  ^^^^^^^^^^^^ value `/root/.cache`
                                               ^^ field
                                               ^^ key `ro`
                                                  ^^^^^^^^^^^^^^ field
                                                  ^^^^^^^ key `sharing`
                                                          ^^^^^^ value `locked`
            "#]],
        );
    }

    #[test]
    fn quoted_fields() {
        check(
            r#""target=/a,b",id="#,
            expect![[r#"
            "target=/a,b",id=
            ^^^^^^^^^^^^^ field
             ^^^^^^ key `target`
                    ^^^^ value `/a,b`
                          ^^^ field
                          ^^ key `id`
                             | value ``
        "#]],
        );
        check(
            r#""src=a""b""#,
            expect![[r#"
            "src=a""b"
            ^^^^^^^^^^ field
             ^^^ key `src`
                 ^^^^ value `a"b`
        "#]],
        );
    }

    #[test]
    fn empty_fields_and_values() {
        check(
            "type=bind,,target=,",
            expect![[r#"
            type=bind,,target=,
            ^^^^^^^^^ field
            ^^^^ key `type`
                 ^^^^ value `bind`
                      | field
                      | key ``
                       ^^^^^^^ field
                       ^^^^^^ key `target`
                              | value ``
                               | field
                               | key ``
        "#]],
        );
        let empty = Word::new("", Span::empty(5));
        assert!(parse_mount(&empty).is_empty());
        assert_eq!(
            mount_syntax_error(&empty),
            Some((Span::empty(5), "empty `--mount` value".to_string()))
        );
    }

    #[test]
    fn csv_errors() {
        check(
            r#"target="/a,b""#,
            expect![[r#"
            target="/a,b"
            ^^^^^^^^^^ field
            ^^^^^^ key `target`
                   ^^^ value `"/a`
                       ^^ field
                       ^^ key `b"`
                   ^ error: bare `"` in an unquoted field: quote the whole field instead
        "#]],
        );
        check(
            r#""target=/a"x,ro"#,
            expect![[r#"
            "target=/a"x,ro
            ^^^^^^^^^^^^^^^ field
             ^^^^^^ key `target`
                    ^^^^^^^ value `/a"x,ro`
                      ^ error: unexpected `"` in a quoted field: only `,` may follow its closing quote
        "#]],
        );
        check(
            r#"type=secret,"id=x"#,
            expect![[r#"
            type=secret,"id=x
            ^^^^^^^^^^^ field
            ^^^^ key `type`
                 ^^^^^^ value `secret`
                        ^^^^^ field
                         ^^ key `id`
                            ^ value `x`
                        ^ error: quoted field has no closing `"`
        "#]],
        );
    }

    #[test]
    fn across_continuation_and_unicode() {
        check(
            "type=cache,⏎target=/ü⏎/x,ID=é",
            expect![[r#"
            type=cache,\
            ^^^^^^^^^^ field
            ^^^^ key `type`
                 ^^^^^ value `cache`
            target=/ü\
            ^^^^^^^^^^ field
            ^^^^^^ key `target`
                   ^^^ value `/ü/x`
            /x,ID=é
            ^^ field
            ^^ value `/ü/x`
               ^^^^ field
               ^^ key `id`
                  ^ value `é`
        "#]],
        );
    }

    #[test]
    fn tables() {
        for t in MOUNT_TYPES {
            assert!(!keys_for_type(t).is_empty(), "{t}");
            for k in keys_for_type(t) {
                assert!(key_allowed(t, k), "{t} {k}");
            }
        }
        assert_eq!(keys_for_type("CACHE"), keys_for_type("cache"));
        assert!(keys_for_type("volume").is_empty());
        assert!(!key_allowed("bind", "size"));
        assert!(!key_allowed("secret", "from"));
        assert!(!key_allowed("cache", "bogus"));
        assert_eq!(values_for_key("sharing"), SHARING_MODES);
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("yes"), None);
    }

    proptest! {
        #[test]
        fn never_panics(s in r#"[a-c=,"é ⏎]{0,30}"#) {
            let (source, w) = word(&s);
            let mut spans = Vec::new();
            for o in parse_mount(&w) {
                spans.extend([o.span, o.key.span]);
                spans.extend(o.value.map(|v| v.span));
            }
            spans.extend(mount_syntax_error(&w).map(|e| e.0));
            for sp in spans {
                prop_assert!(w.span.start <= sp.start && sp.start <= sp.end && sp.end <= w.span.end, "{sp:?} in {:?}", w.span);
                prop_assert!(source.is_char_boundary(sp.start) && source.is_char_boundary(sp.end));
            }
        }
    }
}
