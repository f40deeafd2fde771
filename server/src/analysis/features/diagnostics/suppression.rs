//! Suppressions written in the Dockerfile, applied by the engine after the checks.
//!
//! - BuildKit's `# check=` parser directive (`skip=A,B`, `skip=all`, `error=true`,
//!   `experimental=`), parsed like `linter.ParseLintOptions`: at most three `;`-separated
//!   `key=value` parts; an unknown key or a part without `=` is an error (the build fails, and
//!   the directive then suppresses nothing).
//! - BuildKit's per-instruction form (frontend 1.21): the first comment of the block directly
//!   above an instruction (BuildKit's `PrevComment`: the comment lines since the previous
//!   instruction, blank lines allowed in between, an empty `#` line starts the block over) that
//!   reads `check=...` is parsed the same way, its value cut at the first space
//!   (`# check=skip=X // reason`), and its `skip` list applies to that instruction only
//!   (`linter.WithMergedConfigFromComments`).
//! - hadolint's pragmas: `# hadolint ignore=DL3006,DL3008` in the same comment block above an
//!   instruction, `# hadolint global ignore=...` anywhere, and `# hadolint stage ignore=...`
//!   above a `FROM` (that stage only). They match a rule's hadolint alias (or its name).
//!
//! `skip` names a rule by its exact name, as BuildKit does (`skip=jsonargsrecommended` skips
//! nothing), and never hides a rule whose finding fails the build ([`super::is_fatal`]):
//! BuildKit's skip list only governs build checks.
//!
//! Must not know: LSP types, settings (those are [`super::DiagnosticsConfig`]).

use crate::analysis::syntax::{Keyword, Span, Syntax};
use crate::analysis::Document;

use super::{hadolint_code, is_fatal, Rule};

/// BuildKit's experimental build checks, enabled only by `# check=experimental=`.
pub const BUILDKIT_EXPERIMENTAL: &[&str] = &["InvalidDefinitionDescription"];

/// The options of a `check=` value (`linter.Config`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckOptions {
    pub skip_all: bool,
    pub skip: Vec<String>,
    pub error: bool,
    pub experimental_all: bool,
    pub experimental: Vec<String>,
}

/// Why a `check=` value is invalid: the message and the byte range in the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOptionError {
    pub range: (usize, usize),
    pub message: String,
}

/// `linter.ParseLintOptions`: parses a `check=` value (the directive's value, or the value of a
/// per-instruction comment already cut at its first space).
pub fn parse_check_options(value: &str) -> Result<CheckOptions, CheckOptionError> {
    let mut opts = CheckOptions::default();
    let lead = value.len() - value.trim_start().len();
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(opts);
    }
    // `strings.SplitN(s, ";", 3)`: the third part keeps any further `;`.
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in trimmed.char_indices() {
        if c == ';' && parts.len() < 2 {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, trimmed.len()));
    for (a, b) in parts {
        let part = &trimmed[a..b];
        let range = (lead + a, lead + b);
        let Some((k, v)) = part.split_once('=') else {
            return Err(CheckOptionError {
                range,
                message: format!("invalid check option `{part}`: expected `key=value`"),
            });
        };
        let list =
            |v: &str| -> Vec<String> { v.split(',').map(|r| r.trim().to_string()).collect() };
        match k.trim() {
            "skip" => match v.trim() {
                "all" => opts.skip_all = true,
                v => opts.skip = list(v),
            },
            "experimental" => match v.trim() {
                "all" => opts.experimental_all = true,
                v => opts.experimental = list(v),
            },
            "error" => match parse_go_bool(v.trim()) {
                Some(b) => opts.error = b,
                None => {
                    return Err(CheckOptionError {
                        range,
                        message: format!(
                            "invalid check option `{part}`: `{}` is not a boolean",
                            v.trim()
                        ),
                    })
                }
            },
            k => {
                return Err(CheckOptionError {
                    range,
                    message: format!(
                        "invalid check option `{k}`: expected `skip`, `error` or `experimental`"
                    ),
                })
            }
        }
    }
    Ok(opts)
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A hadolint pragma comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pragma {
    /// `hadolint ignore=...`: the next instruction.
    Ignore(Vec<String>),
    /// `hadolint global ignore=...`: the whole file.
    Global(Vec<String>),
    /// `hadolint stage ignore=...` above a `FROM`: that stage.
    Stage(Vec<String>),
}

/// Parses a comment's text (after `#`) as a hadolint pragma: `hadolint` then optionally `global`
/// or `stage`, then `ignore=` and a comma list of codes, optionally followed by `# reason`.
pub fn parse_pragma(comment: &str) -> Option<Pragma> {
    let rest = comment.trim_start().strip_prefix("hadolint")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let (kind, rest) = if let Some(r) = rest.strip_prefix("global") {
        (1, r.trim_start())
    } else if let Some(r) = rest.strip_prefix("stage") {
        (2, r.trim_start())
    } else {
        (0, rest)
    };
    let rest = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?;
    let list = rest.split('#').next().unwrap_or("");
    let codes: Vec<String> = list
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() {
        return None;
    }
    Some(match kind {
        1 => Pragma::Global(codes),
        2 => Pragma::Stage(codes),
        _ => Pragma::Ignore(codes),
    })
}

/// A comment's text as BuildKit keeps it in `PrevComment`: after the `#`, trimmed.
/// Whether a comment's text (see [`comment_text`]) may be a `check=` comment: the cheap test
/// that spares most files a copy of their text.
pub fn starts_with_check(comment: &str) -> bool {
    comment
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("check"))
}

pub fn comment_text(doc_text: &str, span: Span) -> &str {
    let line = doc_text.get(span.start..span.end).unwrap_or("");
    line.trim_start().strip_prefix('#').unwrap_or(line).trim()
}

/// For every instruction, the comments of its `PrevComment` block, as ranges into
/// `syntax.comments` (directive lines excluded; comments inside an instruction belong to none).
pub fn comment_blocks(syntax: &Syntax, text: &str) -> Vec<std::ops::Range<usize>> {
    let comments = &syntax.comments;
    let mut out = Vec::with_capacity(syntax.instructions.len());
    let mut c = 0;
    let mut prev_end = 0;
    for ins in &syntax.instructions {
        // Skip comments inside the previous instruction (continuations) and directives.
        while c < comments.len() && comments[c].start < prev_end {
            c += 1;
        }
        while c < comments.len()
            && syntax
                .directives
                .iter()
                .any(|d| d.span.start <= comments[c].start && comments[c].start < d.span.end)
        {
            c += 1;
        }
        let mut start = c;
        while c < comments.len() && comments[c].start < ins.span.start {
            if comment_text(text, comments[c]).is_empty() {
                start = c + 1;
            }
            c += 1;
        }
        out.push(start..c);
        prev_end = ins.span.end;
    }
    out
}

/// The first `check=` comment of a block, as `WithMergedConfigFromComments` finds it: its span
/// and the parsed options (`None` when it does not parse, which BuildKit then ignores).
pub fn block_check_comment(
    syntax: &Syntax,
    text: &str,
    block: std::ops::Range<usize>,
) -> Option<(Span, Option<CheckOptions>)> {
    for &span in &syntax.comments[block] {
        let t = comment_text(text, span);
        let Some((name, value)) = t.split_once('=') else {
            continue;
        };
        let name = name.trim_end();
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_name || !name.eq_ignore_ascii_case("check") || value.trim().is_empty() {
            continue;
        }
        let value = value.trim_start();
        let value = value.split(' ').next().unwrap_or("");
        return Some((span, parse_check_options(value).ok()));
    }
    None
}

#[derive(Default)]
struct Block {
    skip_all: bool,
    skip: Vec<String>,
    hadolint: Vec<String>,
}

/// The suppressions of one document, looked up per rule and offset.
#[derive(Default)]
pub(super) struct Suppressions {
    file: CheckOptions,
    hadolint_global: Vec<String>,
    /// `(instruction index, block)`, sorted by index.
    blocks: Vec<(usize, Block)>,
    /// `(first instruction, end instruction, codes)` for `hadolint stage ignore=`.
    stages: Vec<(usize, usize, Vec<String>)>,
}

impl Suppressions {
    pub(super) fn new(doc: &Document) -> Suppressions {
        let syntax = doc.syntax();
        let mut sup = Suppressions {
            file: syntax
                .directive("check")
                .and_then(|d| parse_check_options(&d.value.text).ok())
                .unwrap_or_default(),
            ..Suppressions::default()
        };
        if syntax.comments.is_empty() {
            return sup;
        }
        // Fast path, without copying the text: most files have no comment that could suppress
        // anything.
        let relevant = doc.texts_of(&syntax.comments).any(|t| {
            let t = comment_text(&t, Span::new(0, t.len()));
            t.starts_with("hadolint") || starts_with_check(t)
        });
        if !relevant {
            return sup;
        }
        let text = doc.text().to_string();
        for &c in &syntax.comments {
            if let Some(Pragma::Global(codes)) = parse_pragma(comment_text(&text, c)) {
                sup.hadolint_global.extend(codes);
            }
        }
        let blocks = comment_blocks(syntax, &text);
        let from_indexes: Vec<usize> = syntax
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == Keyword::From)
            .map(|(n, _)| n)
            .collect();
        for (i, range) in blocks.into_iter().enumerate() {
            if range.is_empty() {
                continue;
            }
            let mut block = Block::default();
            if let Some((_, Some(opts))) = block_check_comment(syntax, &text, range.clone()) {
                block.skip_all = opts.skip_all;
                block.skip = opts.skip;
            }
            for &c in &syntax.comments[range] {
                match parse_pragma(comment_text(&text, c)) {
                    Some(Pragma::Ignore(codes)) => block.hadolint.extend(codes),
                    Some(Pragma::Stage(codes)) if syntax.instructions[i].kind == Keyword::From => {
                        let end = from_indexes
                            .iter()
                            .copied()
                            .find(|&f| f > i)
                            .unwrap_or(syntax.instructions.len());
                        sup.stages.push((i, end, codes));
                    }
                    _ => {}
                }
            }
            if block.skip_all || !block.skip.is_empty() || !block.hadolint.is_empty() {
                sup.blocks.push((i, block));
            }
        }
        sup
    }

    /// `# check=error=true`: BuildKit fails the build on any check warning.
    pub(super) fn error_on_warning(&self) -> bool {
        self.file.error
    }

    /// `# check=experimental=` names this (default-off, BuildKit-experimental) rule.
    pub(super) fn enables(&self, rule: &Rule) -> bool {
        (self.file.experimental_all && BUILDKIT_EXPERIMENTAL.contains(&rule.name))
            || self.file.experimental.iter().any(|r| r == rule.name)
    }

    /// The whole file skips `rule` (`# check=skip=`, `# hadolint global ignore=`).
    pub(super) fn skips_file(&self, rule: &Rule) -> bool {
        let check = !is_fatal(rule)
            && (self.file.skip_all || self.file.skip.iter().any(|r| r == rule.name));
        check || matches_hadolint(rule, &self.hadolint_global)
    }

    /// A comment above the instruction at `offset` (or its stage) skips `rule`.
    pub(super) fn skips_at(&self, rule: &Rule, offset: usize, syntax: &Syntax) -> bool {
        if self.blocks.is_empty() && self.stages.is_empty() {
            return false;
        }
        let Some(i) = syntax.instruction_at(offset) else {
            return false;
        };
        if let Ok(b) = self.blocks.binary_search_by_key(&i, |(n, _)| *n) {
            let block = &self.blocks[b].1;
            let check =
                !is_fatal(rule) && (block.skip_all || block.skip.iter().any(|r| r == rule.name));
            if check || matches_hadolint(rule, &block.hadolint) {
                return true;
            }
        }
        self.stages
            .iter()
            .any(|(a, b, codes)| (*a..*b).contains(&i) && matches_hadolint(rule, codes))
    }
}

/// A hadolint pragma's code list names `rule` (by its DL alias, or by its own name).
fn matches_hadolint(rule: &Rule, codes: &[String]) -> bool {
    if codes.is_empty() {
        return false;
    }
    let code = hadolint_code(rule);
    codes
        .iter()
        .any(|c| code.is_some_and(|code| code.eq_ignore_ascii_case(c)) || c == rule.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_options_follow_parse_lint_options() {
        let o = parse_check_options("skip=A, B;error=true").unwrap();
        assert_eq!(o.skip, ["A", "B"]);
        assert!(o.error);
        assert!(parse_check_options(" skip = all ").unwrap().skip_all);
        assert_eq!(parse_check_options("").unwrap(), CheckOptions::default());
        assert!(
            parse_check_options("experimental=all")
                .unwrap()
                .experimental_all
        );
        let e = parse_check_options("skip=A;bogus=1").unwrap_err();
        assert_eq!(e.range, (7, 14));
        assert!(e.message.contains("`bogus`"), "{}", e.message);
        assert!(parse_check_options("error=yes").is_err());
        assert!(parse_check_options("skip").is_err());
        // SplitN(…, 3): the third part keeps further `;`, and a later `skip` replaces the first.
        assert_eq!(
            parse_check_options("skip=A;error=1;skip=B;x").unwrap().skip,
            ["B;x"]
        );
    }

    #[test]
    fn hadolint_pragmas() {
        assert_eq!(
            parse_pragma("hadolint ignore=DL3006, DL3008 # because"),
            Some(Pragma::Ignore(vec!["DL3006".into(), "DL3008".into()]))
        );
        assert_eq!(
            parse_pragma("hadolint global ignore=DL3003"),
            Some(Pragma::Global(vec!["DL3003".into()]))
        );
        assert_eq!(
            parse_pragma("hadolint stage ignore = DL3011"),
            Some(Pragma::Stage(vec!["DL3011".into()]))
        );
        assert_eq!(parse_pragma("hadolintignore=DL3006"), None);
        assert_eq!(parse_pragma("hadolint ignore="), None);
        assert_eq!(parse_pragma("just a comment"), None);
    }

    #[test]
    fn comment_blocks_are_prev_comment() {
        let text = "# check=skip=A\n# syntax-like=no\nFROM a\n# one\n\n# two\nRUN x \\\n# inside\n  y\n#\n# three\nCMD z\n";
        let doc = Document::new(text, 0);
        let s = doc.syntax();
        let blocks = comment_blocks(s, text);
        let texts = |r: std::ops::Range<usize>| -> Vec<&str> {
            s.comments[r]
                .iter()
                .map(|&c| comment_text(text, c))
                .collect()
        };
        // The first line is the check directive, not a comment of FROM.
        assert_eq!(texts(blocks[0].clone()), ["syntax-like=no"]);
        assert_eq!(texts(blocks[1].clone()), ["one", "two"]);
        assert_eq!(texts(blocks[2].clone()), ["three"]);
    }

    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn skip_all_hides_checks_but_not_build_errors() {
        check_diagnostics(
            r#"
# check=skip=all
FROM alpine
CMD ['a']
EXPOSE 80/http
"#,
            expect![[r#"
                # check=skip=all
                FROM alpine
                CMD ['a']
                EXPOSE 80/http
                       ^^^^^^^ error[InvalidExposePort]: invalid port `80/http`: unknown protocol `http`, expected `tcp`, `udp` or `sctp`
            "#]],
        );
    }

    #[test]
    fn hadolint_global_and_stage_ignores() {
        check_diagnostics(
            r#"
FROM alpine
# hadolint global ignore=DL3011
EXPOSE 70000
# hadolint stage ignore=DL3043
FROM alpine AS two
ONBUILD FROM x
FROM alpine AS three
ONBUILD FROM y
"#,
            expect![[r#"
                FROM alpine
                # hadolint global ignore=DL3011
                EXPOSE 70000
                # hadolint stage ignore=DL3043
                FROM alpine AS two
                ONBUILD FROM x
                FROM alpine AS three
                ONBUILD FROM y
                        ^^^^ error[InvalidOnbuildTrigger]: `FROM` is not allowed as an `ONBUILD` trigger
            "#]],
        );
    }

    #[test]
    fn an_empty_comment_ends_the_block_and_blank_lines_do_not() {
        check_diagnostics(
            r#"
FROM alpine
# check=skip=JSONInSingleQuotes

CMD ['a']
# check=skip=JSONInSingleQuotes
#
CMD ['b']
"#,
            expect![[r#"
                FROM alpine
                # check=skip=JSONInSingleQuotes

                CMD ['a']
                ^^^ warning[MultipleInstructionsDisallowed]: only the last `CMD` of a stage takes effect: this one is overridden on line 7 (related line 7: the `CMD` that takes effect)
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
                # check=skip=JSONInSingleQuotes
                #
                CMD ['b']
                    ^^^^^ warning[JSONInSingleQuotes]: `CMD` arguments look like a JSON array but use single quotes, so BuildKit does not read them as one: JSON strings need double quotes
                    ^^^^^ warning[JSONArgsRecommended]: use the JSON (exec) form for `CMD` so the program receives OS signals
            "#]],
        );
    }
}
