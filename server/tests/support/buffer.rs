//! A reference model of an editor's text buffer, written independently of the server: lines end
//! at `\r\n`, `\n` or a lone `\r` (as VS Code splits them), positions count UTF-16 code units
//! (or UTF-8 bytes), and an edit replaces a range given as two positions. Tests apply the same
//! edits here and to the server and require byte-equal text.
#![allow(dead_code)] // Each test binary uses its own subset.

#[derive(Clone, Debug, Default)]
pub struct Buffer {
    pub text: String,
}

/// An LSP position: line and character in the negotiated unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub character: u32,
}

impl Buffer {
    pub fn new(text: &str) -> Buffer {
        Buffer {
            text: text.to_string(),
        }
    }

    /// `(start, end)` byte offsets of each line's content (without its line break).
    pub fn lines(&self) -> Vec<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let mut out = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    out.push((start, i));
                    start = i + 1;
                }
                b'\r' => {
                    out.push((start, i));
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        out.push((start, bytes.len()));
        out
    }

    /// The byte offset of a valid position (`character` at a character boundary, not past the
    /// line's end); panics otherwise, since a client never sends anything else.
    pub fn offset(&self, pos: Pos, utf8: bool) -> usize {
        let lines = self.lines();
        let (start, end) = lines[pos.line as usize];
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units == pos.character as usize {
                return start + i;
            }
            units += if utf8 { c.len_utf8() } else { c.len_utf16() };
        }
        assert_eq!(
            units, pos.character as usize,
            "position {pos:?} is not valid"
        );
        end
    }

    /// Every valid position on `line`.
    pub fn positions_on(&self, line: u32, utf8: bool) -> Vec<Pos> {
        let (start, end) = self.lines()[line as usize];
        let mut out = vec![Pos { line, character: 0 }];
        let mut units = 0;
        for c in self.text[start..end].chars() {
            units += if utf8 { c.len_utf8() } else { c.len_utf16() };
            out.push(Pos {
                line,
                character: u32::try_from(units).unwrap(),
            });
        }
        out
    }

    pub fn line_count(&self) -> u32 {
        u32::try_from(self.lines().len()).unwrap()
    }

    /// Replaces `start..end` (in order) with `new_text`.
    pub fn edit(&mut self, start: Pos, end: Pos, new_text: &str, utf8: bool) {
        let (a, b) = (self.offset(start, utf8), self.offset(end, utf8));
        assert!(a <= b, "reversed range {start:?}..{end:?}");
        self.text.replace_range(a..b, new_text);
    }

    /// FNV-1a (64 bits) of the UTF-8 bytes, as the server's `dockerfile-ls/debugTextHash`.
    pub fn hash(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.text.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }
}

/// Pieces of text that stress position conversion: emoji (surrogate pairs), combining marks,
/// CRLF, lone CR, multibyte letters, Dockerfile syntax.
pub const FRAGMENTS: &[&str] = &[
    "a", "FROM ", " AS b", "\n", "\r\n", "\r", "😀", "👍🏽", "e\u{301}", "\u{301}", "é", "안",
    "\\\n", "$A", "--from=b", "\u{0}", "\t", "",
];

/// A small deterministic generator (xorshift64*), so stress tests need no dependency and
/// replay exactly.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
}

/// A random valid range and replacement text for `buf`.
pub fn random_edit(buf: &Buffer, rng: &mut Rng, utf8: bool) -> (Pos, Pos, String) {
    let lines = buf.line_count();
    let l1 = u32::try_from(rng.below(lines as usize)).unwrap();
    let l2 = (l1 + u32::try_from(rng.below(2)).unwrap()).min(lines - 1);
    let p1 = buf.positions_on(l1, utf8);
    let p2 = buf.positions_on(l2, utf8);
    let mut a = p1[rng.below(p1.len())];
    let mut b = p2[rng.below(p2.len())];
    if b < a {
        std::mem::swap(&mut a, &mut b);
    }
    if rng.below(3) == 0 {
        b = a;
    }
    let text: String = (0..rng.below(3))
        .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
        .collect();
    (a, b, text)
}
