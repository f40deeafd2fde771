//! Diagnostics: an explicit list of rules, one file each.
//!
//! Every rule has a stable PascalCase name (BuildKit's where one exists, so `# check=skip=Name`
//! can refer to it), a default severity and an entry in `docs/rules.md`.
//!
//! Must not know: LSP types.

mod circular_dependency;
mod duplicate_stage_name;
mod invalid_stage_reference;
mod invalid_target;
mod syntax_error;
mod unknown_stage;
mod unreachable_stage;

use crate::analysis::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    Unnecessary,
    Deprecated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub severity: Severity,
    /// The rule's stable PascalCase name.
    pub rule: &'static str,
    pub message: String,
    pub tags: Vec<Tag>,
    /// Other places that matter, with a message each.
    pub related: Vec<(Span, String)>,
    /// Certain fixes, offered as quick fixes (`codeAction`).
    pub fixes: Vec<Fix>,
}

/// A certain fix for a diagnostic: a title and the edits that apply it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Imperative, e.g. "Change `as` to `AS`".
    pub title: String,
    /// Non-overlapping replacements of source spans.
    pub edits: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            severity: rule.severity,
            rule: rule.name,
            message: message.into(),
            tags: Vec::new(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_tag(mut self, tag: Tag) -> Diagnostic {
        self.tags.push(tag);
        self
    }

    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<(Span, String)>) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push((span, message.into()));
        self
    }
}

/// A rule: its name, other names it answers to, default severity, a one-line summary, and the
/// check. Rules only find problems; severity overrides and suppressions are applied afterwards by
/// the engine, so a check never needs to know about configuration.
pub struct Rule {
    /// Stable PascalCase name (BuildKit's where one exists).
    pub name: &'static str,
    /// Other names accepted in settings and suppressions: hadolint codes (`DL3006`), the Node
    /// peer's setting keys.
    pub aliases: &'static [&'static str],
    pub severity: Severity,
    /// Off unless the user turns it on.
    pub enabled_by_default: bool,
    pub summary: &'static str,
    pub check: fn(&Ctx, &mut Vec<Diagnostic>),
}

/// What the user configured that checks may need (the build target, ...). Severity overrides
/// and suppressions are applied by the engine after the checks, not by the checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiagnosticsConfig {
    /// The build target from the settings (`docker build --target`); `None` means BuildKit's
    /// default, the last stage. A `# dockerfile-ls: target=NAME` comment in the file wins.
    pub target: Option<String>,
}

/// What a check sees.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub config: &'a DiagnosticsConfig,
}

/// Every rule, in the order their diagnostics are reported.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &duplicate_stage_name::RULE,
    &unknown_stage::RULE,
    &invalid_stage_reference::RULE,
    &circular_dependency::RULE,
    &unreachable_stage::RULE,
    &invalid_target::RULE,
];

/// All diagnostics for `doc` with the default configuration, sorted by position.
pub fn diagnostics(doc: &Document) -> Vec<Diagnostic> {
    diagnostics_with(doc, &DiagnosticsConfig::default())
}

/// All diagnostics for `doc`, sorted by position.
pub fn diagnostics_with(doc: &Document, config: &DiagnosticsConfig) -> Vec<Diagnostic> {
    let ctx = Ctx { doc, config };
    let mut acc = Vec::new();
    for rule in RULES {
        (rule.check)(&ctx, &mut acc);
    }
    acc.sort_by_key(|d| (d.span.start, d.span.end));
    acc
}

/// 1-based line number of `offset`, for messages.
pub(crate) fn line_number(doc: &Document, offset: usize) -> usize {
    doc.line_of(offset) + 1
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::analysis::test_support::{parse_fixture, render};
    use crate::analysis::Document;

    /// Renders every diagnostic of `fixture` under its source line, except `UnreachableStage`:
    /// whether a stage is built depends on the whole file, so it would show up in most
    /// multi-stage fixtures of other rules; its own tests use [`check_rule_diagnostics`].
    pub(crate) fn check_diagnostics(fixture: &str, expect: expect_test::Expect) {
        check_filtered(fixture, &|rule| rule != "UnreachableStage", expect);
    }

    /// Renders the diagnostics of the rules in `rules` only.
    pub(crate) fn check_rule_diagnostics(
        rules: &[&str],
        fixture: &str,
        expect: expect_test::Expect,
    ) {
        check_filtered(fixture, &|rule| rules.contains(&rule), expect);
    }

    fn check_filtered(fixture: &str, keep: &dyn Fn(&str) -> bool, expect: expect_test::Expect) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let spans: Vec<_> = super::diagnostics(&doc)
            .into_iter()
            .filter(|d| keep(d.rule))
            .map(|d| {
                let mut label = format!("{}[{}]: {}", d.severity.as_str(), d.rule, d.message);
                for (span, msg) in &d.related {
                    label.push_str(&format!(
                        " (related line {}: {msg})",
                        doc.line_of(span.start) + 1
                    ));
                }
                (d.span, label)
            })
            .collect();
        expect.assert_eq(&render(&text, &spans));
    }

    #[test]
    fn every_rule_is_documented() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
        let docs = std::fs::read_to_string(path).expect("docs/rules.md");
        for rule in super::RULES {
            let heading = format!("\n## {}\n", rule.name);
            assert!(
                docs.contains(&heading),
                "rule {} has no section in docs/rules.md",
                rule.name
            );
        }
    }

    #[test]
    fn every_rule_name_is_unique_pascal_case() {
        let mut names: Vec<_> = super::RULES.iter().map(|r| r.name).collect();
        for n in &names {
            assert!(
                n.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                "{n}"
            );
            assert!(n.chars().all(|c| c.is_ascii_alphanumeric()), "{n}");
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
