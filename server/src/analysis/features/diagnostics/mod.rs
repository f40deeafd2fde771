//! Diagnostics: an explicit list of rules, one file each.
//!
//! Every rule has a stable PascalCase name (BuildKit's where one exists, so `# check=skip=Name`
//! can refer to it), a default severity and an entry in `docs/rules.md`.
//!
//! Must not know: LSP types.

mod add_instead_of_copy;
mod circular_dependency;
mod consistent_instruction_casing;
mod copy_multiple_sources_needs_dir_dest;
mod copy_relative_dest_without_workdir;
#[cfg(test)]
mod doc_examples;
mod duplicate_stage_name;
mod env_self_reference;
mod expose_invalid_format;
mod expose_proto_casing;
mod forward_stage_reference;
mod from_as_casing;
mod from_platform_flag_const_disallowed;
mod image_tag;
mod instruction_before_from;
mod invalid_default_arg_in_from;
mod invalid_definition_description;
mod invalid_expose_port;
mod invalid_flag;
mod invalid_from_syntax;
mod invalid_healthcheck;
mod invalid_mount;
mod invalid_onbuild_trigger;
mod invalid_parser_directive;
mod invalid_stage_reference;
mod invalid_stop_signal;
mod invalid_target;
mod invalid_variable_substitution;
mod json_args_recommended;
mod json_in_single_quotes;
mod last_user_root;
mod latest_tag;
mod legacy_key_value_format;
mod maintainer_deprecated;
mod multiple_instructions_disallowed;
mod no_empty_continuation;
mod redundant_target_platform;
mod reserved_stage_name;
mod secrets_used_in_arg_or_env;
mod stage_name_casing;
mod support;
pub mod suppression;
mod syntax_error;
mod undefined_arg_in_from;
mod undefined_var;
mod unknown_instruction;
mod unknown_stage;
mod unreachable_stage;
mod untagged_image;
mod workdir_relative_path;
mod wrong_argument_count;

use crate::analysis::graph::TargetComment;
use crate::analysis::syntax::Instruction;
use crate::analysis::{Document, Span};

/// Where `docs/rules.md` is published; each rule's section is `#<name in lower case>` (the
/// anchor GitHub gives a `## RuleName` heading). The one place to change when the docs move.
pub const RULES_DOC_URL: &str =
    "https://github.com/dockerfile-ls/dockerfile-ls/blob/main/docs/rules.md";

/// The documentation link of a rule (LSP `codeDescription.href`, SARIF `helpUri`).
pub fn rule_doc_url(rule: &str) -> String {
    format!("{RULES_DOC_URL}#{}", rule.to_ascii_lowercase())
}

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

/// What the user asked for one rule: off, or on at a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    /// `off`, `hint`, `info`, `warning` or `error` (ASCII case-insensitive); `information` and
    /// `warn` are accepted too, as editors spell them so.
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "off" | "none" => Level::Off,
            "hint" => Level::On(Severity::Hint),
            "info" | "information" => Level::On(Severity::Info),
            "warning" | "warn" => Level::On(Severity::Warning),
            "error" => Level::On(Severity::Error),
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::On(s) => s.as_str(),
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

    /// Moves every span by `delta` bytes (for findings kept across an edit before them).
    pub fn shift(&mut self, delta: isize) {
        let shift = |s: Span| crate::analysis::syntax::parser::shift_span(s, delta);
        self.span = shift(self.span);
        for (span, _) in &mut self.related {
            *span = shift(*span);
        }
        for fix in &mut self.fixes {
            for (span, _) in &mut fix.edits {
                *span = shift(*span);
            }
        }
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
    /// Per-rule levels, keyed by rule name or alias (see [`find_rule`]); a later entry for the
    /// same rule wins. A level turns on a rule that is off by default; `Level::Off` turns any
    /// rule off. Keys that name no rule are ignored (the caller reports them).
    pub rules: Vec<(String, Level)>,
}

impl DiagnosticsConfig {
    /// The configured level of every rule in [`RULES`], by index; `None` where nothing is set.
    fn levels(&self) -> Vec<Option<Level>> {
        let mut out = vec![None; RULES.len()];
        for (key, level) in &self.rules {
            if let Some(i) = find_rule_index(key) {
                out[i] = Some(*level);
            }
        }
        out
    }
}

/// What a check sees.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub config: &'a DiagnosticsConfig,
    /// The document's target comment, found once for the rules that need it (a scan of every
    /// comment: `InvalidTarget` and `UnreachableStage` both run on every keystroke).
    target_comment: std::sync::OnceLock<Option<TargetComment>>,
}

impl<'a> Ctx<'a> {
    pub fn new(doc: &'a Document, config: &'a DiagnosticsConfig) -> Ctx<'a> {
        Ctx {
            doc,
            config,
            target_comment: std::sync::OnceLock::new(),
        }
    }

    /// [`target_comment`](crate::analysis::graph::target_comment) of the document.
    pub fn target_comment(&self) -> Option<&TargetComment> {
        self.target_comment
            .get_or_init(|| crate::analysis::graph::target_comment(self.doc))
            .as_ref()
    }
}

/// Every rule, in the order their diagnostics are reported.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &unknown_instruction::RULE,
    &wrong_argument_count::RULE,
    &invalid_from_syntax::RULE,
    &invalid_flag::RULE,
    &invalid_mount::RULE,
    &instruction_before_from::RULE,
    &invalid_onbuild_trigger::RULE,
    &invalid_expose_port::RULE,
    &invalid_stop_signal::RULE,
    &invalid_healthcheck::RULE,
    &invalid_parser_directive::RULE,
    &invalid_variable_substitution::RULE,
    &json_in_single_quotes::RULE,
    &duplicate_stage_name::RULE,
    &unknown_stage::RULE,
    &invalid_stage_reference::RULE,
    &circular_dependency::RULE,
    &unreachable_stage::RULE,
    &invalid_target::RULE,
    &forward_stage_reference::RULE,
    // BuildKit build checks.
    &stage_name_casing::RULE,
    &from_as_casing::RULE,
    &no_empty_continuation::RULE,
    &consistent_instruction_casing::RULE,
    &reserved_stage_name::RULE,
    &json_args_recommended::RULE,
    &maintainer_deprecated::RULE,
    &undefined_arg_in_from::RULE,
    &workdir_relative_path::RULE,
    &undefined_var::RULE,
    &multiple_instructions_disallowed::RULE,
    &legacy_key_value_format::RULE,
    &redundant_target_platform::RULE,
    &secrets_used_in_arg_or_env::RULE,
    &invalid_default_arg_in_from::RULE,
    &from_platform_flag_const_disallowed::RULE,
    &invalid_definition_description::RULE,
    &expose_proto_casing::RULE,
    &expose_invalid_format::RULE,
    // hadolint's structural rules.
    &untagged_image::RULE,
    &latest_tag::RULE,
    &last_user_root::RULE,
    &add_instead_of_copy::RULE,
    &copy_multiple_sources_needs_dir_dest::RULE,
    &env_self_reference::RULE,
    &copy_relative_dest_without_workdir::RULE,
];

/// A rule whose findings depend on one instruction alone (and the escape character, which
/// only a full reparse changes): its per-instruction check, and whether it also checks an
/// `ONBUILD` trigger.
struct LocalRule {
    rule: &'static Rule,
    triggers: bool,
    check: fn(&Instruction, char, &mut Vec<Diagnostic>),
}

/// A [`LocalRule`] from a rule module whose `check_instruction(ins, acc)` (or another named
/// function of that shape) checks one instruction; `triggers`: also its `ONBUILD` trigger.
macro_rules! local {
    ($rule:ident, $check:ident, triggers: $triggers:expr) => {
        LocalRule {
            rule: &$rule::RULE,
            triggers: $triggers,
            check: |ins, _, acc| $rule::$check(ins, acc),
        }
    };
}

/// The instruction-local rules. Their findings are kept per instruction with the document
/// ([`local_findings`]): after an edit only the instructions the reparse did not keep are
/// checked again.
static LOCAL: &[LocalRule] = &[
    local!(unknown_instruction, report, triggers: true),
    local!(wrong_argument_count, check_instruction, triggers: true),
    local!(invalid_flag, check_instruction, triggers: true),
    local!(invalid_mount, check_instruction, triggers: true),
    local!(invalid_expose_port, check_instruction, triggers: true),
    local!(invalid_healthcheck, check_instruction, triggers: true),
    // The one that needs the escape character.
    LocalRule {
        rule: &invalid_variable_substitution::RULE,
        triggers: false,
        check: invalid_variable_substitution::check_instruction,
    },
    local!(invalid_from_syntax, check_instruction, triggers: false),
    local!(json_in_single_quotes, check_instruction, triggers: true),
];

/// For every instruction, the findings of the [`LOCAL`] rules on it (and its trigger): the
/// index of the rule in `LOCAL` and the diagnostic, by rule, then as the rule found them.
pub type LocalFindings = Vec<Vec<(u8, Diagnostic)>>;

fn local_findings_of(ins: &Instruction, escape: char) -> Vec<(u8, Diagnostic)> {
    let mut out = Vec::new();
    let mut acc = Vec::new();
    for (k, local) in LOCAL.iter().enumerate() {
        (local.check)(ins, escape, &mut acc);
        if local.triggers {
            if let Some(trigger) = ins.onbuild.as_deref() {
                (local.check)(trigger, escape, &mut acc);
            }
        }
        out.extend(acc.drain(..).map(|d| (k as u8, d)));
    }
    out
}

/// The document's [`LocalFindings`]: those of the instructions the last reparse kept are the
/// previous text's (shifted for the instructions after the change), the others are computed.
fn local_findings(doc: &Document) -> std::sync::Arc<LocalFindings> {
    doc.local_findings(|prior| {
        let syntax = doc.syntax();
        let fresh = |ins: &Instruction| local_findings_of(ins, syntax.escape);
        let len = syntax.instructions.len();
        let Some((old, reuse)) = prior else {
            return syntax.instructions.iter().map(fresh).collect();
        };
        let old_len = old.len();
        let (head, tail) = (reuse.head, reuse.old_tail.min(old_len));
        let fits = head <= tail
            && head <= reuse.new_tail
            && reuse.new_tail <= len
            && old_len - tail == len - reuse.new_tail;
        if !fits {
            return syntax.instructions.iter().map(fresh).collect();
        }
        let mut old = std::sync::Arc::try_unwrap(old).unwrap_or_else(|shared| (*shared).clone());
        let mut kept_tail = old.split_off(tail);
        old.truncate(head);
        for per in &mut kept_tail {
            for (_, d) in per.iter_mut() {
                d.shift(reuse.delta);
            }
        }
        old.extend(syntax.instructions[head..reuse.new_tail].iter().map(fresh));
        old.extend(kept_tail);
        old
    })
}

/// All diagnostics for `doc` with the default configuration, sorted by position.
pub fn diagnostics(doc: &Document) -> Vec<Diagnostic> {
    diagnostics_with(doc, &DiagnosticsConfig::default())
}

/// The rule called `key`: its exact name first, then, ignoring ASCII case, a name or an alias
/// (`dl3006`, `undefinedvar`).
pub fn find_rule(key: &str) -> Option<&'static Rule> {
    find_rule_index(key).map(|i| RULES[i])
}

fn find_rule_index(key: &str) -> Option<usize> {
    let key = key.trim();
    RULES.iter().position(|r| r.name == key).or_else(|| {
        RULES.iter().position(|r| {
            r.name.eq_ignore_ascii_case(key)
                || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
        })
    })
}

/// A rule whose findings make BuildKit fail the build (its default severity is error). BuildKit's
/// `# check=` options only govern build checks, so `skip=` never hides these and `error=true`
/// has nothing to raise.
pub fn is_fatal(rule: &Rule) -> bool {
    rule.severity == Severity::Error
}

/// The hadolint code among a rule's aliases (`DL3006`), if it has one.
pub fn hadolint_code(rule: &Rule) -> Option<&'static str> {
    rule.aliases.iter().copied().find(|a| {
        a.len() == 6
            && a[..2].eq_ignore_ascii_case("DL")
            && a[2..].bytes().all(|b| b.is_ascii_digit())
    })
}

/// All diagnostics for `doc`, sorted by position.
///
/// Order of decisions per rule: the configured level (off, or a severity that replaces the
/// rule's), then the file's suppressions (`# check=skip=`, `# hadolint ignore=`, see
/// [`suppression`]), then `# check=error=true`, which turns the warnings of build checks into
/// errors, as BuildKit then fails the build on them.
pub fn diagnostics_with(doc: &Document, config: &DiagnosticsConfig) -> Vec<Diagnostic> {
    let ctx = Ctx::new(doc, config);
    let levels = config.levels();
    let sup = suppression::Suppressions::new(doc);
    let local = local_findings(doc);
    // The kept findings of each local rule, in instruction order (one walk over all of them).
    let mut by_local: Vec<Vec<&Diagnostic>> = vec![Vec::new(); LOCAL.len()];
    for (k, d) in local.iter().flatten() {
        by_local[usize::from(*k)].push(d);
    }
    let mut acc = Vec::new();
    let mut out = Vec::new();
    for (rule, level) in RULES.iter().zip(levels) {
        let enabled = match level {
            Some(Level::Off) => false,
            Some(Level::On(_)) => true,
            None => rule.enabled_by_default || sup.enables(rule),
        };
        if !enabled || sup.skips_file(rule) {
            continue;
        }
        match LOCAL.iter().position(|l| std::ptr::eq(l.rule, *rule)) {
            // The same findings as `rule.check`, kept per instruction.
            Some(k) => acc.extend(by_local[k].iter().map(|&d| d.clone())),
            None => (rule.check)(&ctx, &mut acc),
        }
        for mut d in acc.drain(..) {
            if sup.skips_at(rule, d.span.start, doc.syntax()) {
                continue;
            }
            if let Some(Level::On(severity)) = level {
                d.severity = severity;
            }
            if sup.error_on_warning() && !is_fatal(rule) && d.severity == Severity::Warning {
                d.severity = Severity::Error;
            }
            out.push(d);
        }
    }
    out.sort_by_key(|d| (d.span.start, d.span.end));
    out
}

/// At most `max` of `diags` (sorted by position): the most severe first, then the earliest;
/// returned in document order with how many were left out. Editors slow to a crawl on hundreds
/// of thousands of diagnostics (a generated 20 MB file has that many), and no one reads them.
pub fn capped(mut diags: Vec<Diagnostic>, max: usize) -> (Vec<Diagnostic>, usize) {
    if diags.len() <= max {
        return (diags, 0);
    }
    let omitted = diags.len() - max;
    // Stable: equal severities keep document order.
    diags.sort_by_key(|d| std::cmp::Reverse(d.severity));
    diags.truncate(max);
    diags.sort_by_key(|d| (d.span.start, d.span.end));
    (diags, omitted)
}

/// The candidate closest to `word` (ignoring ASCII case) within a small edit distance (one edit
/// for words up to four letters, two beyond), as BuildKit's `suggest` offers "did you mean".
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let max = if lower.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .iter()
        .map(|c| (strsim::osa_distance(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The arguments as BuildKit's `parseStringsWhitespaceDelimited` splits them for `FROM`, `ADD`,
/// `COPY`, `EXPOSE` and `VOLUME` in shell form: at runs of `[\t\v\f\r ]`, quotes not
/// considered (unlike [`Instruction::args`](crate::analysis::syntax::Instruction::args)).
pub(crate) fn whitespace_args(
    ins: &crate::analysis::syntax::Instruction,
) -> Vec<crate::analysis::syntax::Word> {
    let text = ins.rest.text.as_bytes();
    let is_ws = |b: u8| matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ');
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if is_ws(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && !is_ws(text[i]) {
            i += 1;
        }
        out.push(ins.rest.slice(start, i));
    }
    out
}

/// How many arguments [`whitespace_args`] finds, without building them.
pub(crate) fn whitespace_arg_count(ins: &crate::analysis::syntax::Instruction) -> usize {
    let is_ws = |b: &u8| matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ');
    ins.rest
        .text
        .as_bytes()
        .split(is_ws)
        .filter(|part| !part.is_empty())
        .count()
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
        check_diagnostics_with(fixture, &super::DiagnosticsConfig::default(), expect);
    }

    /// The count agrees with the words, whitespace of every kind and quotes included.
    #[test]
    fn whitespace_arg_count_counts_whitespace_args() {
        for src in [
            "COPY a b",
            "COPY   a\t\tb  c ",
            "COPY \"a b\" c",
            "COPY",
            "COPY \\\n  a \\\n  b",
            "EXPOSE 80\x0b81\x0c82\r",
        ] {
            let doc = Document::new(src, 0);
            for ins in &doc.syntax().instructions {
                let words = super::whitespace_args(ins);
                assert_eq!(super::whitespace_arg_count(ins), words.len(), "{src:?}");
            }
        }
    }

    /// [`check_diagnostics`] with per-rule levels (`("DL3006", "off")`).
    pub(crate) fn check_diagnostics_config(
        fixture: &str,
        rules: &[(&str, &str)],
        expect: expect_test::Expect,
    ) {
        let config = super::DiagnosticsConfig {
            rules: rules
                .iter()
                .map(|(k, v)| (k.to_string(), super::Level::parse(v).expect("level")))
                .collect(),
            ..super::DiagnosticsConfig::default()
        };
        check_diagnostics_with(fixture, &config, expect);
    }

    /// Renders every diagnostic of `fixture` under `config`, except `UnreachableStage` (see
    /// [`check_diagnostics`]).
    pub(crate) fn check_diagnostics_with(
        fixture: &str,
        config: &super::DiagnosticsConfig,
        expect: expect_test::Expect,
    ) {
        check_filtered(fixture, config, &|rule| rule != "UnreachableStage", expect);
    }

    /// Renders the diagnostics of the rules in `rules` only.
    pub(crate) fn check_rule_diagnostics(
        rules: &[&str],
        fixture: &str,
        expect: expect_test::Expect,
    ) {
        check_filtered(
            fixture,
            &super::DiagnosticsConfig::default(),
            &|rule| rules.contains(&rule),
            expect,
        );
    }

    fn check_filtered(
        fixture: &str,
        config: &super::DiagnosticsConfig,
        keep: &dyn Fn(&str) -> bool,
        expect: expect_test::Expect,
    ) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let spans: Vec<_> = super::diagnostics_with(&doc, config)
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

    fn label(doc: &Document, d: &super::Diagnostic) -> String {
        let mut label = format!("{}[{}]: {}", d.severity.as_str(), d.rule, d.message);
        for (span, msg) in &d.related {
            label.push_str(&format!(
                " (related line {}: {msg})",
                doc.line_of(span.start) + 1
            ));
        }
        label
    }

    /// Renders the diagnostics of one rule only, whether or not it is enabled by default.
    pub(crate) fn check_rule(
        rule: &'static super::Rule,
        fixture: &str,
        expect: expect_test::Expect,
    ) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let config = super::DiagnosticsConfig::default();
        let ctx = super::Ctx::new(&doc, &config);
        let mut acc = Vec::new();
        (rule.check)(&ctx, &mut acc);
        let spans: Vec<_> = acc.iter().map(|d| (d.span, label(&doc, d))).collect();
        expect.assert_eq(&render(&text, &spans));
    }

    /// All diagnostics of every rule (enabled or not), as `(rule, message)` for comparisons.
    fn all_findings(doc: &Document) -> Vec<super::Diagnostic> {
        let config = super::DiagnosticsConfig::default();
        let ctx = super::Ctx::new(doc, &config);
        let mut acc = Vec::new();
        for rule in super::RULES {
            (rule.check)(&ctx, &mut acc);
        }
        acc
    }

    /// Applies the first fix of every `rule` diagnostic in `fixture` and snapshots the fixed
    /// text (`no fix` when none is offered). Asserts that the fixed text has none of those
    /// diagnostics left and that every other rule's findings are unchanged.
    pub(crate) fn check_fix(fixture: &str, rule: &str, expect: expect_test::Expect) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let before = all_findings(&doc);
        let mine: Vec<_> = before.iter().filter(|d| d.rule == rule).collect();
        assert!(!mine.is_empty(), "no {rule} diagnostic in the fixture");
        let mut edits: Vec<(crate::analysis::Span, String)> = mine
            .iter()
            .filter_map(|d| d.fixes.first())
            .flat_map(|f| f.edits.iter().cloned())
            .collect();
        if edits.is_empty() {
            expect.assert_eq("no fix\n");
            return;
        }
        edits.sort_by_key(|(s, _)| std::cmp::Reverse((s.start, s.end)));
        for pair in edits.windows(2) {
            assert!(
                pair[1].0.end <= pair[0].0.start,
                "overlapping edits: {edits:?}"
            );
        }
        let mut fixed = text.clone();
        for (span, new) in &edits {
            fixed.replace_range(span.start..span.end, new);
        }
        let after_doc = Document::new(&fixed, 1);
        let after = all_findings(&after_doc);
        let fixed_count = mine.iter().filter(|d| !d.fixes.is_empty()).count();
        let left = after.iter().filter(|d| d.rule == rule).count();
        assert_eq!(
            left,
            mine.len() - fixed_count,
            "{rule} still reported after the fix: {after:?}"
        );
        let others = |v: &[super::Diagnostic]| {
            let mut o: Vec<(&str, String)> = v
                .iter()
                .filter(|d| d.rule != rule)
                .map(|d| (d.rule, d.message.clone()))
                .collect();
            o.sort();
            o
        };
        assert_eq!(
            others(&before),
            others(&after),
            "the fix changed other findings"
        );
        expect.assert_eq(&fixed);
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

    #[test]
    fn capped_keeps_the_most_severe_in_document_order() {
        // Every line warns (UndefinedVar) or errs (a bad --from), alternately.
        let text = "FROM scratch\n".to_string() + &"ENV X=$NOPE\nCOPY --from=0 / /\n".repeat(10);
        let doc = Document::new(&text, 0);
        let all = super::diagnostics(&doc);
        let errors = all
            .iter()
            .filter(|d| d.severity == super::Severity::Error)
            .count();
        assert!(errors > 0 && errors < all.len(), "{all:#?}");
        let (shown, omitted) = super::capped(all.clone(), errors);
        assert_eq!(omitted, all.len() - errors);
        assert!(shown.iter().all(|d| d.severity == super::Severity::Error));
        assert!(shown.windows(2).all(|w| w[0].span.start <= w[1].span.start));
        let (same, none) = super::capped(all.clone(), all.len());
        assert_eq!((same, none), (all, 0));
    }
}
