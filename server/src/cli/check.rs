//! `dockerfile-ls check [PATHS|-]`: diagnostics on the command line, for people and for CI.
//!
//! Owns finding Dockerfiles under directories (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`,
//! `*.dockerfile`, `Containerfile`, `Containerfile.*`; `.git`, `node_modules` and `target` are
//! skipped, symlinked directories are not followed), checking them in parallel, and the output
//! formats: `human` (source line and carets, colour only on a terminal), `json`, `sarif` (2.1.0),
//! `github` (workflow commands) and `checkstyle` (XML). Lines and columns are 1-based; columns
//! count characters (Unicode code points).
//!
//! Exit code: 2 for a usage or I/O error (a file that cannot be read or is not UTF-8, nothing to
//! check), else 1 if a finding is at or above `--fail-level`, else 0.
//!
//! Must not know: LSP types, rule logic.

use std::fmt::Write as _;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::EXIT_USAGE;
use crate::analysis::features::diagnostics::{find_rule, rule_doc_url, Level, RULES};
use crate::analysis::features::{diagnostics_with, Diagnostic, DiagnosticsConfig, Severity};
use crate::analysis::graph::svg::xml_escape;
use crate::analysis::{Document, Span};
use crate::hadolint_config;

/// The source line under a diagnostic is indented by this much.
const INDENT: &str = "    ";

/// Directories never searched.
const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Checkstyle,
}

/// The lowest severity that makes `check` exit 1 (`never`: always exit 0 unless I/O fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailLevel {
    Hint,
    Info,
    Warning,
    Error,
    Never,
}

impl FailLevel {
    fn fails(self, s: Severity) -> bool {
        match self {
            FailLevel::Hint => true,
            FailLevel::Info => s >= Severity::Info,
            FailLevel::Warning => s >= Severity::Warning,
            FailLevel::Error => s >= Severity::Error,
            FailLevel::Never => false,
        }
    }
}

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub fail_level: FailLevel,
    /// `--rule NAME=LEVEL`, as written.
    pub rules: Vec<String>,
    /// `--ignore NAME`.
    pub ignore: Vec<String>,
}

/// One checked file.
pub struct Checked {
    pub name: String,
    pub doc: Document,
    pub diags: Vec<Diagnostic>,
}

pub fn run(opts: &Options) -> ExitCode {
    let config = match config(opts, Path::new(".")) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("dockerfile-ls: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let mut io_error = false;
    let mut inputs = Vec::new();
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    for p in &paths {
        if p.as_os_str() == "-" || !p.is_dir() {
            inputs.push(p.clone());
            continue;
        }
        if let Err(err) = discover(p, &mut inputs) {
            eprintln!(
                "dockerfile-ls: cannot read directory `{}`: {err}",
                p.display()
            );
            io_error = true;
        }
    }
    if inputs.is_empty() {
        eprintln!("dockerfile-ls: no Dockerfiles found");
        return ExitCode::from(EXIT_USAGE);
    }
    let results = check_all(&inputs, &config);
    let mut checked = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(c) => checked.push(c),
            Err(message) => {
                eprintln!("dockerfile-ls: {message}");
                io_error = true;
            }
        }
    }
    let colour = opts.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if checked.is_empty() {
        // Every input failed to read; the messages are on stderr.
        return ExitCode::from(EXIT_USAGE);
    }
    let report = match opts.format {
        Format::Human => human(&checked, colour),
        Format::Json => json(&checked),
        Format::Sarif => sarif(&checked),
        Format::Github => github(&checked),
        Format::Checkstyle => checkstyle(&checked),
    };
    super::emit(&report);
    let failed = checked
        .iter()
        .flat_map(|c| &c.diags)
        .any(|d| opts.fail_level.fails(d.severity));
    if io_error {
        ExitCode::from(EXIT_USAGE)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The diagnostics config: `.hadolint.yaml` in `dir`, then `--rule`, then `--ignore`.
pub fn config(opts: &Options, dir: &Path) -> Result<DiagnosticsConfig, String> {
    let mut rules = match hadolint_config::load(dir)? {
        Some((_, levels)) => levels,
        None => Vec::new(),
    };
    for r in &opts.rules {
        let Some((name, level)) = r.split_once('=') else {
            return Err(format!("`--rule {r}`: expected `NAME=LEVEL`"));
        };
        let Some(level) = Level::parse(level) else {
            return Err(format!(
                "`--rule {r}`: `{level}` is not one of `off`, `hint`, `info`, `warning`, `error`"
            ));
        };
        rules.push((known(name)?, level));
    }
    for name in &opts.ignore {
        rules.push((known(name)?, Level::Off));
    }
    Ok(DiagnosticsConfig {
        rules,
        ..DiagnosticsConfig::default()
    })
}

fn known(name: &str) -> Result<String, String> {
    find_rule(name)
        .map(|r| r.name.to_string())
        .ok_or_else(|| format!("no rule is called `{name}`"))
}

/// Whether `name` is a Dockerfile's file name.
pub fn is_dockerfile_name(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

/// Appends the Dockerfiles under `dir`, sorted, to `out`.
fn discover(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if ft.is_dir() {
            if !SKIP_DIRS.contains(&name.as_ref()) {
                // An unreadable subdirectory is skipped, not fatal: the tree may hold anything.
                if let Err(err) = discover(&e.path(), out) {
                    tracing::warn!("skipping `{}`: {err}", e.path().display());
                }
            }
        } else if is_dockerfile_name(&name) && (ft.is_file() || e.path().is_file()) {
            out.push(e.path());
        }
    }
    Ok(())
}

/// Checks every input on all cores; results in input order.
pub fn check_all(inputs: &[PathBuf], config: &DiagnosticsConfig) -> Vec<Result<Checked, String>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(inputs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, Result<Checked, String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = inputs.get(i) else { break };
                        mine.push((i, check_one(path, config)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn check_one(path: &Path, config: &DiagnosticsConfig) -> Result<Checked, String> {
    let (name, text) = read(path)?;
    let doc = Document::new(&text, 0);
    let diags = diagnostics_with(&doc, config);
    Ok(Checked { name, doc, diags })
}

/// The display name and text of `path` (`-` is stdin), or a one-line error message.
pub(super) fn read(path: &Path) -> Result<(String, String), String> {
    let (name, bytes) = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|err| format!("cannot read stdin: {err}"))?;
        ("<stdin>".to_string(), bytes)
    } else {
        let name = path.display().to_string();
        let name = name.strip_prefix("./").map(str::to_string).unwrap_or(name);
        let bytes = std::fs::read(path).map_err(|err| format!("cannot read `{name}`: {err}"))?;
        (name, bytes)
    };
    decode(&name, bytes).map(|text| (name, text))
}

fn decode(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "`{name}` is not valid UTF-8 (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        )
    })
}

/// 1-based line and character column of `offset`.
fn position(doc: &Document, offset: usize) -> (usize, usize) {
    let (line, byte_col) = doc.line_col(offset);
    let line_start = doc.line_start(line);
    let chars = doc
        .slice(Span::new(line_start, line_start + byte_col))
        .chars()
        .count();
    (line + 1, chars + 1)
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// "2 errors, 1 warning in 3 files" or "no problems in 3 files".
pub fn summary(checked: &[Checked]) -> String {
    let count = |s: Severity| {
        checked
            .iter()
            .flat_map(|c| &c.diags)
            .filter(|d| d.severity == s)
            .count()
    };
    let parts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Info, "info"),
        (Severity::Hint, "hint"),
    ]
    .iter()
    .map(|(s, name)| (count(*s), *name))
    .filter(|(n, _)| *n > 0)
    .map(|(n, name)| plural(n, name))
    .collect();
    let files = plural(checked.len(), "file");
    if parts.is_empty() {
        format!("no problems in {files}")
    } else {
        format!("{} in {files}", parts.join(", "))
    }
}

fn colour_of(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[1;33m",
        Severity::Info => "\x1b[1;34m",
        Severity::Hint => "\x1b[1;36m",
    }
}

const RESET: &str = "\x1b[0m";

/// Every file's report, then the summary line.
pub fn human(checked: &[Checked], colour: bool) -> String {
    let mut out = String::new();
    for c in checked {
        out.push_str(&render(&c.name, &c.doc, &c.diags, colour));
    }
    out.push_str(&summary(checked));
    out.push('\n');
    out
}

/// The report for one file: a header line, the source line and a caret line per diagnostic.
pub fn render(name: &str, doc: &Document, diags: &[Diagnostic], colour: bool) -> String {
    let mut out = String::new();
    for d in diags {
        let (line, col) = position(doc, d.span.start);
        let (on, off) = if colour {
            (colour_of(d.severity), RESET)
        } else {
            ("", "")
        };
        let _ = writeln!(
            out,
            "{name}:{line}:{col}: {on}{}[{}]{off}: {}",
            d.severity.as_str(),
            d.rule,
            d.message
        );
        let source = doc.line_text(line - 1);
        let _ = writeln!(out, "{INDENT}{source}");
        let _ = writeln!(
            out,
            "{INDENT}{on}{}{off}",
            carets(&source, col - 1, doc, d.span)
        );
        for (span, message) in &d.related {
            let (line, col) = position(doc, span.start);
            let _ = writeln!(out, "{name}:{line}:{col}: note: {message}");
        }
    }
    out
}

/// Spaces up to character column `col` of `source` (tabs kept, so the carets line up), then one
/// `^` per character of `span` on that line (at least one).
fn carets(source: &str, col: usize, doc: &Document, span: Span) -> String {
    let pad: String = source
        .chars()
        .take(col)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let on_line = doc.slice(span);
    let on_line = on_line.split(['\n', '\r']).next().unwrap_or("");
    let width = on_line.chars().count().max(1);
    format!("{pad}{}", "^".repeat(width))
}

fn json_range(doc: &Document, span: Span) -> serde_json::Value {
    let (sl, sc) = position(doc, span.start);
    let (el, ec) = position(doc, span.end);
    serde_json::json!({
        "start": {"line": sl, "column": sc, "offset": span.start},
        "end": {"line": el, "column": ec, "offset": span.end},
    })
}

/// `{"files": [{"path", "diagnostics": [...]}], "summary": {...}}`.
pub fn json(checked: &[Checked]) -> String {
    let files: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| {
            let diags: Vec<serde_json::Value> = c
                .diags
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "rule": d.rule,
                        "severity": d.severity.as_str(),
                        "message": d.message,
                        "range": json_range(&c.doc, d.span),
                        "url": rule_doc_url(d.rule),
                        "related": d.related.iter().map(|(s, m)| serde_json::json!({
                            "range": json_range(&c.doc, *s), "message": m
                        })).collect::<Vec<_>>(),
                        "fixes": d.fixes.iter().map(|f| serde_json::json!({
                            "title": f.title,
                            "edits": f.edits.iter().map(|(s, t)| serde_json::json!({
                                "range": json_range(&c.doc, *s), "newText": t
                            })).collect::<Vec<_>>(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({"path": c.name, "diagnostics": diags})
        })
        .collect();
    let count = |s: Severity| {
        checked
            .iter()
            .flat_map(|c| &c.diags)
            .filter(|d| d.severity == s)
            .count()
    };
    let v = serde_json::json!({
        "files": files,
        "summary": {
            "files": checked.len(),
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
            "hints": count(Severity::Hint),
        }
    });
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A relative path as a URI reference: `/` separators, reserved characters percent-encoded.
fn uri_reference(name: &str) -> String {
    let mut out = String::new();
    for b in name.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn sarif_region(doc: &Document, span: Span) -> serde_json::Value {
    let (sl, sc) = position(doc, span.start);
    let (el, ec) = position(doc, span.end);
    serde_json::json!({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec})
}

/// SARIF 2.1.0: one run, every rule described, one result per diagnostic.
pub fn sarif(checked: &[Checked]) -> String {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.name,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "helpUri": rule_doc_url(r.name),
                "defaultConfiguration": {
                    "enabled": r.enabled_by_default,
                    "level": sarif_level(r.severity),
                },
            })
        })
        .collect();
    let mut results = Vec::new();
    for c in checked {
        let uri = uri_reference(&c.name);
        for d in &c.diags {
            let location = |span: Span| {
                serde_json::json!({"physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": sarif_region(&c.doc, span),
                }})
            };
            let mut result = serde_json::json!({
                "ruleId": d.rule,
                "level": sarif_level(d.severity),
                "message": {"text": d.message},
                "locations": [location(d.span)],
            });
            if let Some(i) = RULES.iter().position(|r| r.name == d.rule) {
                result["ruleIndex"] = serde_json::json!(i);
            }
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, (span, message))| {
                        let mut l = location(*span);
                        l["id"] = serde_json::json!(i);
                        l["message"] = serde_json::json!({"text": message});
                        l
                    })
                    .collect();
            }
            results.push(result);
        }
    }
    let v = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dockerfile-ls",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": crate::analysis::features::diagnostics::RULES_DOC_URL,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
}

/// GitHub Actions workflow-command escaping: data escapes `%`, CR and LF; properties also `:`
/// and `,`.
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// `::error file=...,line=...,col=...,endLine=...,endColumn=...,title=Rule::message`.
pub fn github(checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        for d in &c.diags {
            let cmd = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "notice",
            };
            let (sl, sc) = position(&c.doc, d.span.start);
            let (el, ec) = position(&c.doc, d.span.end);
            let _ = writeln!(
                out,
                "::{cmd} file={},line={sl},col={sc},endLine={el},endColumn={ec},title={}::{}",
                gh_escape(&c.name, true),
                gh_escape(d.rule, true),
                gh_escape(&d.message, false)
            );
        }
    }
    out
}

/// Checkstyle XML, as hadolint and most CI report viewers read it.
pub fn checkstyle(checked: &[Checked]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for c in checked {
        let _ = writeln!(out, "  <file name=\"{}\">", xml_escape(&c.name));
        for d in &c.diags {
            let (line, col) = position(&c.doc, d.span.start);
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "info",
            };
            let _ = writeln!(
                out,
                "    <error line=\"{line}\" column=\"{col}\" severity=\"{severity}\" message=\"{}\" source=\"dockerfile-ls.{}\"/>",
                xml_escape(&d.message),
                d.rule
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::features::Tag;

    fn diag(span: Span, severity: Severity, message: &str) -> Diagnostic {
        Diagnostic {
            span,
            severity,
            rule: "DuplicateStageName",
            message: message.to_string(),
            tags: Vec::<Tag>::new(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    #[test]
    fn renders_location_source_and_carets() {
        let text = "FROM golang AS build\nFROM alpine AS build\n";
        let doc = Document::new(text, 0);
        let start = text.rfind("build").unwrap();
        let mut d = diag(
            Span::new(start, start + 5),
            Severity::Error,
            "stage `build` is already defined on line 1",
        );
        d.related
            .push((Span::new(15, 20), "first defined here".to_string()));
        let expected = "\
Dockerfile:2:16: error[DuplicateStageName]: stage `build` is already defined on line 1
    FROM alpine AS build
                   ^^^^^
Dockerfile:1:16: note: first defined here
";
        assert_eq!(render("Dockerfile", &doc, &[d.clone()], false), expected);
        let coloured = render("Dockerfile", &doc, &[d], true);
        assert!(
            coloured.contains("\x1b[1;31merror[DuplicateStageName]\x1b[0m"),
            "{coloured}"
        );
    }

    #[test]
    fn columns_count_characters_and_keep_tabs() {
        let text = "FROM a\n\tRUN é x\r\n";
        let doc = Document::new(text, 0);
        let start = text.find('x').unwrap();
        let d = diag(Span::new(start, start), Severity::Warning, "m");
        let expected = "f:2:8: warning[DuplicateStageName]: m\n    \tRUN é x\n    \t      ^\n";
        assert_eq!(render("f", &doc, &[d], false), expected);
    }

    #[test]
    fn multi_line_spans_underline_to_the_end_of_the_first_line() {
        let text = "RUN a \\\n  b\n";
        let doc = Document::new(text, 0);
        let d = diag(Span::new(4, 11), Severity::Hint, "m");
        assert_eq!(
            render("f", &doc, &[d], false),
            "f:1:5: hint[DuplicateStageName]: m\n    RUN a \\\n        ^^^\n"
        );
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = decode("Dockerfile", b"FROM a\xff".to_vec()).unwrap_err();
        assert_eq!(
            err,
            "`Dockerfile` is not valid UTF-8 (invalid byte at offset 6)"
        );
    }

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "api.dockerfile",
            "Containerfile",
            "Containerfile.arm64",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "dockerfile",
            "Dockerfiles",
            "README.md",
            "Dockerfile-old",
            "x.Dockerfile.bak",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    fn checked(text: &str) -> Vec<Checked> {
        let doc = Document::new(text, 0);
        let diags = crate::analysis::features::diagnostics(&doc);
        vec![Checked {
            name: "dir/My Dockerfile".to_string(),
            doc,
            diags,
        }]
    }

    #[test]
    fn summary_counts_and_clean_line() {
        assert_eq!(summary(&checked("FROM alpine\n")), "no problems in 1 file");
        let c = checked("FROM alpine AS a\nFROM alpine AS a\nCMD ['x']\n");
        // The first `a` is not built for the last stage: an `UnreachableStage` hint.
        assert_eq!(summary(&c), "1 error, 2 warnings, 1 hint in 1 file");
    }

    #[test]
    fn github_commands_escape_properties_and_data() {
        let out = github(&checked("FROM alpine\nEXPOSE 80/http\n"));
        assert_eq!(
            out,
            "::error file=dir/My Dockerfile,line=2,col=8,endLine=2,endColumn=15,title=InvalidExposePort::invalid port `80/http`: unknown protocol `http`, expected `tcp`, `udp` or `sctp`\n"
        );
        assert_eq!(gh_escape("a:b,c%\n", true), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn checkstyle_is_escaped_xml() {
        let out = checkstyle(&checked("FROM alpine\nCMD ['a&b']\n"));
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n  <file name=\"dir/My Dockerfile\">\n"), "{out}");
        assert!(out.contains("severity=\"warning\""), "{out}");
        assert!(out.contains("CMD` arguments"), "{out}");
        assert!(
            out.contains("source=\"dockerfile-ls.JSONInSingleQuotes\""),
            "{out}"
        );
    }

    #[test]
    fn json_and_sarif_shapes() {
        let c = checked("FROM alpine AS a\nFROM alpine AS a\n");
        let v: serde_json::Value = serde_json::from_str(&json(&c)).unwrap();
        // Sorted by position: the `UnreachableStage` hint on the first `a` comes first.
        assert_eq!(v["files"][0]["diagnostics"][0]["rule"], "UnreachableStage");
        assert_eq!(
            v["files"][0]["diagnostics"][1]["rule"],
            "DuplicateStageName"
        );
        assert_eq!(v["files"][0]["diagnostics"][1]["range"]["start"]["line"], 2);
        assert_eq!(v["summary"]["errors"], 1);
        let s: serde_json::Value = serde_json::from_str(&sarif(&c)).unwrap();
        let r = &s["runs"][0]["results"][1];
        assert_eq!(r["ruleId"], "DuplicateStageName");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "dir/My%20Dockerfile"
        );
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            s["runs"][0]["tool"]["driver"]["rules"][idx]["id"],
            "DuplicateStageName"
        );
        assert_eq!(
            r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
            1
        );
    }

    #[test]
    fn fail_levels() {
        assert!(FailLevel::Warning.fails(Severity::Error));
        assert!(FailLevel::Warning.fails(Severity::Warning));
        assert!(!FailLevel::Warning.fails(Severity::Info));
        assert!(!FailLevel::Never.fails(Severity::Error));
        assert!(FailLevel::Hint.fails(Severity::Hint));
    }

    #[test]
    fn rule_options_map_to_levels_and_reject_unknown_names() {
        let opts = |rules: &[&str], ignore: &[&str]| Options {
            paths: Vec::new(),
            format: Format::Human,
            fail_level: FailLevel::Error,
            rules: rules.iter().map(ToString::to_string).collect(),
            ignore: ignore.iter().map(ToString::to_string).collect(),
        };
        let dir = std::env::temp_dir().join(format!("dfls-check-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".hadolint.yaml"), "ignored: [DL3061]\n").unwrap();
        let c = config(&opts(&["jsoninsinglequotes=error"], &["InvalidFlag"]), &dir).unwrap();
        assert_eq!(
            c.rules,
            [
                ("DL3061".to_string(), Level::Off),
                ("JSONInSingleQuotes".to_string(), Level::On(Severity::Error)),
                ("InvalidFlag".to_string(), Level::Off),
            ]
        );
        assert!(config(&opts(&["Nope=off"], &[]), &dir)
            .unwrap_err()
            .contains("`Nope`"));
        assert!(config(&opts(&["InvalidFlag=loud"], &[]), &dir).is_err());
        assert!(config(&opts(&["InvalidFlag"], &[]), &dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
