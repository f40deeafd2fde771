//! Flags parser directives that do not do what they seem to: a `# check=` value BuildKit cannot
//! parse (the build fails: "failed to parse check options"), a rule name in `check=skip` that no
//! rule has (BuildKit ignores it silently; names are case-sensitive, so `jsonargsrecommended`
//! skips nothing), a per-instruction `# check=` comment that does not parse (BuildKit ignores it),
//! and an `escape` or `syntax` directive below the directive block, which BuildKit reads as an
//! ordinary comment. (A repeated directive and a bad `escape` value are `SyntaxError`s.)

use super::suppression::{
    block_check_comment, comment_blocks, comment_text, parse_check_options, starts_with_check,
};
use super::{did_you_mean, Ctx, Diagnostic, Rule, Severity, RULES};
use crate::analysis::features::code_action::BUILDKIT_CHECKS;
use crate::analysis::syntax::Span;

pub(super) static RULE: Rule = Rule {
    name: "InvalidParserDirective",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a parser directive that is malformed, misplaced or names no rule",
    check,
};

fn known_rule(name: &str) -> bool {
    RULES.iter().any(|r| r.name == name) || BUILDKIT_CHECKS.contains(&name)
}

fn all_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    v.extend(BUILDKIT_CHECKS);
    v
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let syntax = doc.syntax();
    if let Some(dir) = syntax.directive("check") {
        check_value(&dir.value.text, dir.value.span.start, false, acc);
    }
    if syntax.comments.is_empty() {
        return;
    }
    let text_of = |c: Span| doc.text_of(c);
    // Per-instruction `# check=` comments (the text is copied only when a comment may be one).
    let any_check = doc
        .texts_of(&syntax.comments)
        .any(|t| starts_with_check(comment_text(&t, Span::new(0, t.len()))));
    if any_check {
        let text = doc.text().to_string();
        for block in comment_blocks(syntax, &text) {
            if let Some((span, _)) = block_check_comment(syntax, &text, block) {
                let line = &text[span.start..span.end];
                let Some(eq) = line.find('=') else { continue };
                let v0 = eq + 1 + (line[eq + 1..].len() - line[eq + 1..].trim_start().len());
                let v1 = line[v0..].find(' ').map_or(line.len(), |p| v0 + p);
                check_value(&line[v0..v1], span.start + v0, true, acc);
            }
        }
    }
    // Directives after the directive block, before the first instruction.
    let first = syntax
        .instructions
        .first()
        .map_or(doc.len(), |i| i.span.start);
    for &c in &syntax.comments {
        if c.start >= first {
            break;
        }
        if syntax
            .directives
            .iter()
            .any(|d| d.span.start <= c.start && c.start < d.span.end)
        {
            continue;
        }
        let t = text_of(c);
        let t = comment_text(&t, Span::new(0, t.len()));
        let Some((name, value)) = t.split_once('=') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        if matches!(name.as_str(), "escape" | "syntax") && !value.trim().is_empty() {
            let mut d = Diagnostic::new(
                &RULE,
                c,
                format!("this `{name}` directive is ignored: parser directives must come first, before any other comment, blank line or instruction"),
            );
            d.severity = Severity::Warning;
            acc.push(d);
        }
    }
}

/// Checks one `check=` value starting at source offset `at`.
fn check_value(value: &str, at: usize, per_instruction: bool, acc: &mut Vec<Diagnostic>) {
    match parse_check_options(value) {
        Err(e) => {
            let span = Span::new(at + e.range.0, at + e.range.1.max(e.range.0));
            let mut d = Diagnostic::new(&RULE, span, e.message);
            if per_instruction {
                d.message.push_str(" (BuildKit ignores this comment)");
                d.severity = Severity::Warning;
            }
            acc.push(d);
        }
        Ok(opts) => {
            // Find each skipped name in the value to point at it.
            let names = all_names();
            let mut search = 0;
            for name in opts.skip.iter().chain(&opts.experimental) {
                let Some(pos) = value[search..].find(name.as_str()).map(|p| p + search) else {
                    continue;
                };
                search = pos + name.len();
                if name.is_empty() || known_rule(name) {
                    continue;
                }
                let span = Span::new(at + pos, at + pos + name.len());
                let mut d = Diagnostic::new(&RULE, span, format!("no rule is called `{name}`"));
                d.severity = Severity::Warning;
                if let Some(s) = did_you_mean(name, &names) {
                    d.message.push_str(&format!(
                        "; did you mean `{s}`? (rule names are case-sensitive)"
                    ));
                    d = d.with_fix(format!("Change to `{s}`"), vec![(span, s.to_string())]);
                }
                acc.push(d);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use crate::analysis::features::code_action::tests::apply_action;
    use expect_test::expect;

    #[test]
    fn malformed_and_unknown() {
        check_diagnostics(
            r#"
# check=skip=jsonargsrecommended;bogus=1
FROM alpine
"#,
            expect![[r#"
                # check=skip=jsonargsrecommended;bogus=1
                                                 ^^^^^^^ error[InvalidParserDirective]: invalid check option `bogus`: expected `skip`, `error` or `experimental`
                FROM alpine
            "#]],
        );
        check_diagnostics(
            r#"
# check=skip=NoSuchRule,UndefinedVar
# escape=`
FROM alpine
# check=skip
RUN true
"#,
            expect![[r#"
                # check=skip=NoSuchRule,UndefinedVar
                             ^^^^^^^^^^ warning[InvalidParserDirective]: no rule is called `NoSuchRule`
                # escape=`
                FROM alpine
                # check=skip
                        ^^^^ warning[InvalidParserDirective]: invalid check option `skip`: expected `key=value` (BuildKit ignores this comment)
                RUN true
            "#]],
        );
    }

    #[test]
    fn good_directives() {
        check_diagnostics(
            r#"
# syntax=docker/dockerfile:1
# check=skip=JSONArgsRecommended,InvalidFlag;error=true
FROM alpine
# check=skip=all // reason
RUN true
"#,
            expect![[r#"
                # syntax=docker/dockerfile:1
                # check=skip=JSONArgsRecommended,InvalidFlag;error=true
                FROM alpine
                # check=skip=all // reason
                RUN true
            "#]],
        );
    }

    #[test]
    fn fix_and_settings() {
        let out = apply_action(
            "# check=skip=jsonargsrecommended\nFROM alpine\n",
            "InvalidParserDirective",
            "Change",
        );
        assert_eq!(out, "# check=skip=JSONArgsRecommended\nFROM alpine\n");
        check_diagnostics_config(
            "# check=bogus=1\nFROM alpine\n",
            &[("InvalidParserDirective", "off")],
            expect![[r#"
                # check=bogus=1
                FROM alpine
            "#]],
        );
    }
}
