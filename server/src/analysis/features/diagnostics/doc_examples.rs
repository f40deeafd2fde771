//! Every rule against its own documentation: the "Bad" example of its section in
//! `docs/rules.md` must be reported, the "Good" one must not, and each way of turning the rule
//! off must silence the bad example: the setting, `# check=skip=` at the top and above the
//! instruction (build checks only: BuildKit never skips errors), `# hadolint ignore=` above the
//! instruction and `# hadolint global ignore=` (by DL code where the rule has one).

#![cfg(test)]

use super::{find_rule, hadolint_code, is_fatal, DiagnosticsConfig, Level, Rule, RULES};
use crate::analysis::Document;

fn docs() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
    std::fs::read_to_string(path).expect("docs/rules.md")
}

/// The first ```dockerfile block after `label` (`Bad:`, `Good:`, or `Bad (why):`) in `section`.
fn example<'a>(section: &'a str, label: &str) -> Option<&'a str> {
    let at = section
        .find(&format!("\n{label}\n"))
        .or_else(|| section.find(&format!("\n{} (", label.trim_end_matches(':'))))?;
    let after = &section[at..];
    let start = after.find("```dockerfile\n")? + "```dockerfile\n".len();
    let len = after[start..].find("\n```")? + 1;
    Some(&after[start..start + len])
}

/// The rule's findings in `text`, with the rule turned on at its default severity (plus `extra`
/// settings).
fn findings(rule: &Rule, text: &str, level: Level) -> Vec<super::Diagnostic> {
    let config = DiagnosticsConfig {
        rules: vec![(rule.name.to_string(), level)],
        ..DiagnosticsConfig::default()
    };
    let doc = Document::new(text, 0);
    super::diagnostics_with(&doc, &config)
        .into_iter()
        .filter(|d| d.rule == rule.name)
        .collect()
}

fn on(rule: &Rule) -> Level {
    Level::On(rule.severity)
}

/// `text` with `line` inserted after its leading parser directives (a comment that is not a
/// directive would end them, changing what the example means).
fn after_directives(text: &str, line: &str) -> String {
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        let body = l.trim_start().strip_prefix('#').map(str::trim_start);
        let directive = body.is_some_and(|b| {
            b.split_once('=')
                .is_some_and(|(k, _)| !k.trim().is_empty() && !k.trim().contains(' '))
        });
        if !directive {
            break;
        }
        at += l.len();
    }
    format!("{}{line}\n{}", &text[..at], &text[at..])
}

/// `text` with `line` above the instruction of every finding that lies in one.
fn above_each_finding(rule: &Rule, text: &str, line: &str) -> Option<String> {
    let doc = Document::new(text, 0);
    let mut starts: Vec<usize> = findings(rule, text, on(rule))
        .iter()
        .filter_map(|d| doc.syntax().instruction_at(d.span.start))
        .map(|i| {
            let start = doc.syntax().instructions[i].span.start;
            text[..start].rfind('\n').map_or(0, |n| n + 1)
        })
        .collect();
    if starts.is_empty() {
        return None;
    }
    starts.sort_unstable();
    starts.dedup();
    let mut out = text.to_string();
    for &s in starts.iter().rev() {
        out.insert_str(s, &format!("{line}\n"));
    }
    Some(out)
}

#[test]
fn every_rule_is_reported_on_its_bad_example_and_not_its_good_one_and_can_be_suppressed() {
    let docs = docs();
    let mut failures = Vec::new();
    for rule in RULES {
        let heading = format!("\n## {}\n", rule.name);
        let Some(start) = docs.find(&heading) else {
            failures.push(format!("{}: no section", rule.name));
            continue;
        };
        let rest = &docs[start + heading.len()..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        let (Some(bad), Some(good)) = (example(section, "Bad:"), example(section, "Good:")) else {
            failures.push(format!("{}: no Bad and Good examples", rule.name));
            continue;
        };
        let reported = findings(rule, bad, on(rule));
        if reported.is_empty() {
            failures.push(format!("{}: bad example not reported", rule.name));
            continue;
        }
        let good_findings = findings(rule, good, on(rule));
        if !good_findings.is_empty() {
            failures.push(format!(
                "{}: good example reported: {good_findings:?}",
                rule.name
            ));
        }
        let mut variants = vec![("setting off", Some(bad.to_string()), Level::Off)];
        let code = hadolint_code(rule).unwrap_or(rule.name);
        variants.push((
            "hadolint global ignore",
            Some(after_directives(
                bad,
                &format!("# hadolint global ignore={code}"),
            )),
            on(rule),
        ));
        variants.push((
            "hadolint ignore above",
            above_each_finding(rule, bad, &format!("# hadolint ignore={code}")),
            on(rule),
        ));
        if !is_fatal(rule) && !bad.contains("# check=") {
            variants.push((
                "check=skip at the top",
                Some(format!("# check=skip={}\n{bad}", rule.name)),
                on(rule),
            ));
            variants.push((
                "check=skip above",
                above_each_finding(rule, bad, &format!("# check=skip={}", rule.name)),
                on(rule),
            ));
        }
        for (how, text, level) in variants {
            // No finding inside an instruction (a directive, the end of the file): the
            // per-instruction comments do not apply.
            let Some(text) = text else { continue };
            let left = findings(rule, &text, level);
            if !left.is_empty() {
                failures.push(format!("{}: not silenced by {how}:\n{text}", rule.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn aliases_resolve_to_their_rule() {
    for rule in RULES {
        for alias in rule.aliases {
            assert_eq!(find_rule(alias).map(|r| r.name), Some(rule.name), "{alias}");
        }
    }
}

/// The findings kept per instruction for the instruction-local rules are exactly what each
/// rule's own check finds, on every rule's examples, also inside `ONBUILD` and across edits.
#[test]
fn local_findings_are_what_the_local_rules_find() {
    let docs = docs();
    let mut texts: Vec<String> = Vec::new();
    for rule in RULES {
        let heading = format!("\n## {}\n", rule.name);
        let Some(start) = docs.find(&heading) else {
            continue;
        };
        let rest = &docs[start + heading.len()..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        for label in ["Bad:", "Good:"] {
            if let Some(text) = example(section, label) {
                texts.push(text.to_string());
                let onbuild: String = text
                    .lines()
                    .map(|l| match l.split_whitespace().next() {
                        Some(k) if !k.eq_ignore_ascii_case("FROM") && !k.starts_with('#') => {
                            format!("ONBUILD {l}\n")
                        }
                        _ => format!("{l}\n"),
                    })
                    .collect();
                texts.push(onbuild);
            }
        }
    }
    let all = texts.concat();
    texts.push(all.clone());
    let config = super::DiagnosticsConfig::default();
    let compare = |doc: &Document, what: &str| {
        let local = super::local_findings(doc);
        let ctx = super::Ctx::new(doc, &config);
        for (k, l) in super::LOCAL.iter().enumerate() {
            let mut direct = Vec::new();
            (l.rule.check)(&ctx, &mut direct);
            let kept: Vec<_> = local
                .iter()
                .flatten()
                .filter(|(r, _)| usize::from(*r) == k)
                .map(|(_, d)| d.clone())
                .collect();
            assert_eq!(kept, direct, "{} on {what}", l.rule.name);
        }
    };
    let mut found = 0;
    for text in &texts {
        let doc = Document::new(text, 0);
        compare(&doc, text);
        found += super::local_findings(&doc).iter().flatten().count();
    }
    assert!(
        found >= 15,
        "the examples exercise the local rules: {found} findings"
    );
    // Kept across edits: type near the start of a file with findings all along, one character
    // at a time, so that most findings are kept and shifted.
    let mut text = String::from("FROM alpine\nRUN true\n");
    for i in 0..20 {
        text.push_str(&format!(
            "RUN --mount=type=cach,target=/x echo {i}\nEXPOSE 80/tcpp\nCOPY a\n\
             ONBUILD COPY b\nFOOBAR x\nENV A=${{B:=x}}\nCMD ['a']\n"
        ));
    }
    let mut doc = Document::new(&text, 0);
    assert!(super::local_findings(&doc).iter().flatten().count() > 100);
    let mut at = text.find("RUN true").expect("RUN") + 3;
    for (i, c) in "\nRUN --mount=type=cach,x echo\nEXPOSE 80/tcpp"
        .chars()
        .enumerate()
    {
        let mut next = doc.clone();
        next.edit(at, at, &c.to_string());
        next.set_version(i as i32 + 1);
        at += c.len_utf8();
        doc = next;
        compare(&doc, &format!("edit {i}"));
    }
}
