//! Quick fixes for diagnostics: each diagnostic's own certain fixes, plus "ignore" actions that
//! write a suppression comment the engine (and BuildKit or hadolint) honours.
//!
//! - "Ignore `Rule` in this file" adds the rule to the top `# check=skip=` directive, merging into
//!   an existing `# check=` line (BuildKit rejects a second one: "only one check parser directive
//!   can be used"), or adds that line first in the file.
//! - "Ignore `Rule` for this instruction" writes `# check=skip=Rule` in the comment block above the
//!   instruction (frontend 1.21 semantics), merging into the block's `check=` comment if it has
//!   one; for a hadolint rule that is no BuildKit check, `# hadolint ignore=DLxxxx` instead, so
//!   hadolint honours it too.
//!
//! Rules whose findings fail the build ([`is_fatal`]) get no ignore action in the file: BuildKit's
//! skip list cannot hide them; they can still be turned off in the settings. A fatal rule with a
//! hadolint code gets the `# hadolint ignore=` form.
//!
//! Must not know: LSP types (the lsp layer turns an [`Action`] into a `CodeAction`).

use super::diagnostics::suppression::{
    block_check_comment, comment_blocks, comment_text, parse_check_options, parse_pragma, Pragma,
};
use super::diagnostics::{find_rule, hadolint_code, is_fatal, Diagnostic};
use crate::analysis::syntax::Span;
use crate::analysis::Document;

/// BuildKit's build check names (`frontend/dockerfile/linter/ruleset.go`): for these,
/// `# check=skip=` is the suppression BuildKit itself honours.
pub const BUILDKIT_CHECKS: &[&str] = &[
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
];

/// One quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    /// Non-overlapping replacements of source spans.
    pub edits: Vec<(Span, String)>,
    /// The single certain fix of its diagnostic (LSP `isPreferred`).
    pub preferred: bool,
    /// Writes a suppression comment instead of fixing the problem (listed after the fixes).
    pub suppresses: bool,
}

/// The quick fixes for one diagnostic of `doc`: its own fixes first, then the ignore actions.
pub fn actions_for(doc: &Document, d: &Diagnostic) -> Vec<Action> {
    let mut out: Vec<Action> = d
        .fixes
        .iter()
        .map(|f| Action {
            title: f.title.clone(),
            edits: f.edits.clone(),
            preferred: d.fixes.len() == 1,
            suppresses: false,
        })
        .collect();
    out.extend(ignore_in_instruction(doc, d));
    out.extend(ignore_in_file(doc, d));
    out
}

/// "Ignore `Rule` in this file": the top `# check=skip=` directive.
pub fn ignore_in_file(doc: &Document, d: &Diagnostic) -> Option<Action> {
    let rule = find_rule(d.rule)?;
    if is_fatal(rule) {
        return None;
    }
    let title = format!("Ignore `{}` in this file", rule.name);
    let syntax = doc.syntax();
    let edit = match syntax.directive("check") {
        Some(dir) => add_skip(&dir.value.text, dir.value.span.start, rule.name)?,
        None => {
            // Directives may come in any order, so the first line is always a valid place
            // (after a byte-order mark, which BuildKit strips first).
            let at = if doc.text().len_bytes() >= 3 && doc.slice(Span::new(0, 3)) == "\u{feff}" {
                3
            } else {
                0
            };
            (Span::empty(at), format!("# check=skip={}\n", rule.name))
        }
    };
    Some(Action {
        title,
        edits: vec![edit],
        preferred: false,
        suppresses: true,
    })
}

/// "Ignore `Rule` for this instruction": a comment above the instruction the diagnostic is in.
pub fn ignore_in_instruction(doc: &Document, d: &Diagnostic) -> Option<Action> {
    let rule = find_rule(d.rule)?;
    let syntax = doc.syntax();
    let i = syntax.instruction_at(d.span.start)?;
    let ins = &syntax.instructions[i];
    let text = doc.text().to_string();
    let block = comment_blocks(syntax, &text).into_iter().nth(i)?;
    let code = hadolint_code(rule);
    let use_hadolint = match code {
        Some(_) if is_fatal(rule) => true,
        Some(_) => !BUILDKIT_CHECKS.contains(&rule.name),
        None if is_fatal(rule) => return None,
        None => false,
    };
    let line_start = doc.line_start(doc.line_of(ins.span.start));
    let indent: String = text[line_start..ins.span.start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let edit = if use_hadolint {
        let code = code?;
        let existing = syntax.comments[block].iter().copied().find(|&c| {
            matches!(
                parse_pragma(comment_text(&text, c)),
                Some(Pragma::Ignore(_))
            )
        });
        match existing {
            Some(c) => {
                // Append to the code list: it ends before a `# reason` or at the line end.
                let line = &text[c.start..c.end];
                let eq = line.find('=')?;
                let list_end = line[eq..].find(" #").map_or(line.len(), |p| eq + p);
                let list_end = eq + line[eq..list_end].trim_end().len();
                (Span::empty(c.start + list_end), format!(",{code}"))
            }
            None => (
                Span::empty(line_start),
                format!("{indent}# hadolint ignore={code}\n"),
            ),
        }
    } else {
        match block_check_comment(syntax, &text, block) {
            Some((c, Some(_))) => {
                let line = &text[c.start..c.end];
                // `# check=VALUE rest`: the value starts after the first `=` and ends at a space.
                let eq = line.find('=')?;
                let v0 = eq + 1 + (line[eq + 1..].len() - line[eq + 1..].trim_start().len());
                let v1 = line[v0..].find(' ').map_or(line.len(), |p| v0 + p);
                add_skip(&line[v0..v1], c.start + v0, rule.name)?
            }
            // A `check=` comment that does not parse: BuildKit ignores it, and a second one
            // would not be read; leave it to the user.
            Some((_, None)) => return None,
            None => (
                Span::empty(line_start),
                format!("{indent}# check=skip={}\n", rule.name),
            ),
        }
    };
    Some(Action {
        title: format!("Ignore `{}` for this instruction", rule.name),
        edits: vec![edit],
        preferred: false,
        suppresses: true,
    })
}

/// The edit that adds `name` to the `skip` list of the check options `value` (which starts at
/// source offset `at`); `None` if the value does not parse or already skips everything or `name`.
fn add_skip(value: &str, at: usize, name: &str) -> Option<(Span, String)> {
    let opts = parse_check_options(value).ok()?;
    if opts.skip_all || opts.skip.iter().any(|s| s == name) {
        return None;
    }
    // Find the `skip=` part (the last one wins in BuildKit, so extend the last).
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if c == ';' && parts.len() < 2 {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, value.len()));
    let skip_part = parts.iter().rev().find(|(a, b)| {
        value[*a..*b]
            .split_once('=')
            .is_some_and(|(k, _)| k.trim() == "skip")
    });
    match skip_part {
        Some(&(a, b)) => {
            let part = &value[a..b];
            let end = a + part.trim_end().len();
            let (_, v) = part.split_once('=')?;
            let sep = if v.trim().is_empty() { "" } else { "," };
            Some((Span::empty(at + end), format!("{sep}{name}")))
        }
        None if parts.len() < 3 => {
            let end = value.trim_end().len();
            let sep = if value.trim().is_empty() { "" } else { ";" };
            Some((Span::empty(at + end), format!("{sep}skip={name}")))
        }
        None => None,
    }
}

/// `text` with `edits` applied (non-overlapping; any order).
pub fn apply_edits(text: &str, edits: &[(Span, String)]) -> String {
    let mut edits: Vec<&(Span, String)> = edits.iter().collect();
    edits.sort_by_key(|(s, _)| (s.start, s.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (span, new) in edits {
        out.push_str(&text[pos..span.start]);
        out.push_str(new);
        pos = span.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::features::diagnostics::{diagnostics, Diagnostic};

    /// What a diagnostic is, independent of where it sits: rule, message and the text it covers.
    fn identity(doc: &Document, d: &Diagnostic) -> (String, String, String) {
        (d.rule.to_string(), d.message.clone(), doc.slice(d.span))
    }

    /// Applies the action titled `title` (starting with it) for the first diagnostic of `rule` in
    /// `text`, checks that this diagnostic is gone and every other one is unchanged, and returns
    /// the new text.
    pub(crate) fn apply_action(text: &str, rule: &str, title: &str) -> String {
        let doc = Document::new(text, 0);
        let before = diagnostics(&doc);
        let target = before
            .iter()
            .position(|d| d.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} diagnostic in {text:?}: {before:?}"));
        let actions = actions_for(&doc, &before[target]);
        let action = actions
            .iter()
            .find(|a| a.title.starts_with(title))
            .unwrap_or_else(|| panic!("no action `{title}`; have {actions:?}"));
        let new_text = apply_edits(text, &action.edits);
        let new_doc = Document::new(&new_text, 1);
        let after: Vec<_> = diagnostics(&new_doc)
            .iter()
            .map(|d| identity(&new_doc, d))
            .collect();
        let mut expected: Vec<_> = before.iter().map(|d| identity(&doc, d)).collect();
        expected.remove(target);
        // The fixed diagnostic may have had twins (the same rule and message elsewhere); only
        // one occurrence must go.
        assert_eq!(after, expected, "after `{}`:\n{new_text}", action.title);
        new_text
    }

    #[test]
    fn add_skip_merges_into_the_value() {
        assert_eq!(
            add_skip("error=true", 10, "A"),
            Some((Span::empty(20), ";skip=A".into()))
        );
        assert_eq!(
            add_skip("skip=B;error=true", 0, "A"),
            Some((Span::empty(6), ",A".into()))
        );
        assert_eq!(
            add_skip("error=true;skip=B ", 0, "A"),
            Some((Span::empty(17), ",A".into()))
        );
        assert_eq!(add_skip("skip=all", 0, "A"), None);
        assert_eq!(add_skip("skip=A", 0, "A"), None);
        assert_eq!(add_skip("bogus", 0, "A"), None);
    }

    #[test]
    fn apply_edits_in_any_order() {
        let edits = vec![
            (Span::new(4, 5), "X".to_string()),
            (Span::empty(0), ">".to_string()),
        ];
        assert_eq!(apply_edits("abcdef", &edits), ">abcdXf");
    }

    const TYPO: &str = "FROM alpine AS build\nFROM alpine\nCOPY --from=buidl /a /b\n";

    #[test]
    fn ignore_in_file_adds_a_check_directive() {
        let out = apply_action(TYPO, "UnknownStage", "Ignore `UnknownStage` in this file");
        assert!(out.starts_with("# check=skip=UnknownStage\nFROM"), "{out}");
    }

    #[test]
    fn ignore_in_file_merges_into_the_existing_directive() {
        let text = format!("# syntax=docker/dockerfile:1\n# check=error=true\n{TYPO}");
        let out = apply_action(&text, "UnknownStage", "Ignore `UnknownStage` in this file");
        assert!(
            out.contains("# check=error=true;skip=UnknownStage\n"),
            "{out}"
        );
        let text = format!("# check=skip=Foo\n{TYPO}");
        let out = apply_action(&text, "UnknownStage", "Ignore `UnknownStage` in this file");
        assert!(out.starts_with("# check=skip=Foo,UnknownStage\n"), "{out}");
    }

    #[test]
    fn ignore_in_instruction_adds_or_merges_a_comment() {
        let out = apply_action(
            TYPO,
            "UnknownStage",
            "Ignore `UnknownStage` for this instruction",
        );
        // `UnknownStage` answers to hadolint's DL3022 and is no BuildKit check: the hadolint
        // pragma is what other tools understand too.
        assert!(
            out.ends_with("FROM alpine\n# hadolint ignore=DL3022\nCOPY --from=buidl /a /b\n"),
            "{out}"
        );
        let text = TYPO.replace("COPY", "# check=skip=Foo // reason\nCOPY");
        let out = apply_action(
            &text,
            "UnknownStage",
            "Ignore `UnknownStage` for this instruction",
        );
        assert!(
            out.contains("# check=skip=Foo // reason\n# hadolint ignore=DL3022\nCOPY"),
            "{out}"
        );
    }

    #[test]
    fn fatal_rules_get_no_check_skip_action() {
        let doc = Document::new("FROM a AS x\nFROM b AS x\n", 0);
        let all = diagnostics(&doc);
        let d = all.iter().find(|d| d.rule == "DuplicateStageName").unwrap();
        assert_eq!(ignore_in_file(&doc, d), None);
        // BuildKit's `# check=skip` cannot hide a build error, but hadolint's pragma can (DL3024).
        let action = ignore_in_instruction(&doc, d).expect("hadolint pragma");
        assert_eq!(action.edits[0].1, "# hadolint ignore=DL3024\n");
    }
}
