//! Flags a `HEALTHCHECK` BuildKit's `parseHealthcheck` rejects: a type other than `CMD` or
//! `NONE`, arguments after `NONE`, `CMD` without a command, a duration flag that Go's
//! `time.ParseDuration` cannot read or that is below 1ms (0 means "the default"), and a
//! `--retries` that is not a non-negative 32-bit integer. Values with variables are left alone:
//! BuildKit does not expand them, but a build arg may not be meant for them either.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::{Instruction, Keyword};

pub(super) static RULE: Rule = Rule {
    name: "InvalidHealthcheck",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a `HEALTHCHECK` type, command or option BuildKit rejects",
    check,
};

const DURATION_FLAGS: &[&str] = &["interval", "timeout", "start-period", "start-interval"];

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    if ins.kind != Keyword::Healthcheck {
        return;
    }
    let Some(typ) = ins.args().first() else {
        return; // WrongArgumentCount
    };
    let rest = &ins.args()[1..];
    match typ.text.to_ascii_uppercase().as_str() {
        "NONE" => {
            if let (Some(first), Some(last)) = (rest.first(), rest.last()) {
                acc.push(Diagnostic::new(
                    &RULE,
                    first.span.cover(last.span),
                    "`HEALTHCHECK NONE` takes no arguments",
                ));
            }
            return;
        }
        "CMD" => {
            let empty_json = rest.len() == 1 && rest[0].text.trim() == "[]";
            if rest.is_empty() || empty_json {
                acc.push(Diagnostic::new(
                    &RULE,
                    typ.span,
                    "missing command after `HEALTHCHECK CMD`",
                ));
            }
        }
        _ => acc.push(Diagnostic::new(
            &RULE,
            typ.span,
            format!("unknown type `{}` in `HEALTHCHECK` (try `CMD`)", typ.text),
        )),
    }
    for flag in &ins.flags {
        let Some(value) = &flag.value else { continue };
        let name = flag.name.text.as_str();
        let v = value.text.as_str();
        if v.is_empty() || v.contains('$') {
            continue;
        }
        let problem = if DURATION_FLAGS.contains(&name) {
            match parse_duration(v) {
                Err(e) => Some(e),
                Ok(ns) if ns != 0.0 && ns < 1e6 => {
                    Some(format!("`--{name}` cannot be less than 1ms"))
                }
                Ok(_) => None,
            }
        } else if name == "retries" {
            match v.parse::<i32>() {
                Err(_) => Some(format!("`--retries` must be a whole number, not `{v}`")),
                Ok(n) if n < 0 => Some(format!("`--retries` cannot be negative ({n})")),
                Ok(_) => None,
            }
        } else {
            None
        };
        if let Some(p) = problem {
            acc.push(Diagnostic::new(&RULE, value.span, p));
        }
    }
}

/// Go's `time.ParseDuration`, in nanoseconds: `[-+]?([0-9]*(\.[0-9]*)?unit)+` or `0`.
fn parse_duration(s: &str) -> Result<f64, String> {
    let invalid = || format!("invalid duration `{s}`");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0.0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "" => return Err(format!("missing unit in duration `{s}`")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            u => {
                return Err(format!(
                    "unknown unit `{u}` in duration `{s}` (use `ns`, `us`, `ms`, `s`, `m` or `h`)"
                ))
            }
        };
        let value: f64 = num.parse().map_err(|_| invalid())?;
        total += value * scale;
    }
    Ok(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use super::parse_duration;
    use expect_test::expect;

    #[test]
    fn durations_follow_go() {
        assert_eq!(parse_duration("1h30m"), Ok(5400e9));
        assert_eq!(parse_duration("1.5s"), Ok(1.5e9));
        assert_eq!(parse_duration("0"), Ok(0.0));
        assert_eq!(parse_duration("-2ms"), Ok(-2e6));
        assert!(parse_duration("10").unwrap_err().contains("missing unit"));
        assert!(parse_duration("3d")
            .unwrap_err()
            .contains("unknown unit `d`"));
        assert!(parse_duration("s")
            .unwrap_err()
            .contains("invalid duration"));
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn bad_healthchecks() {
        check_diagnostics(
            r#"
FROM alpine
HEALTHCHECK NONE --x
HEALTHCHECK CMD
HEALTHCHECK RUN curl localhost
HEALTHCHECK --interval=10 --timeout=3d --start-period=10us --retries=-1 CMD true
HEALTHCHECK --retries=two CMD ["true"]
"#,
            expect![[r#"
                FROM alpine
                HEALTHCHECK NONE --x
                ^^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `HEALTHCHECK` of a stage takes effect: this one is overridden on line 3 (related line 3: the `HEALTHCHECK` that takes effect)
                                 ^^^ error[InvalidHealthcheck]: `HEALTHCHECK NONE` takes no arguments
                HEALTHCHECK CMD
                ^^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `HEALTHCHECK` of a stage takes effect: this one is overridden on line 4 (related line 4: the `HEALTHCHECK` that takes effect)
                            ^^^ error[InvalidHealthcheck]: missing command after `HEALTHCHECK CMD`
                HEALTHCHECK RUN curl localhost
                ^^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `HEALTHCHECK` of a stage takes effect: this one is overridden on line 5 (related line 5: the `HEALTHCHECK` that takes effect)
                            ^^^ error[InvalidHealthcheck]: unknown type `RUN` in `HEALTHCHECK` (try `CMD`)
                HEALTHCHECK --interval=10 --timeout=3d --start-period=10us --retries=-1 CMD true
                ^^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `HEALTHCHECK` of a stage takes effect: this one is overridden on line 6 (related line 6: the `HEALTHCHECK` that takes effect)
                                       ^^ error[InvalidHealthcheck]: missing unit in duration `10`
                                                    ^^ error[InvalidHealthcheck]: unknown unit `d` in duration `3d` (use `ns`, `us`, `ms`, `s`, `m` or `h`)
                                                                      ^^^^ error[InvalidHealthcheck]: `--start-period` cannot be less than 1ms
                                                                                     ^^ error[InvalidHealthcheck]: `--retries` cannot be negative (-1)
                HEALTHCHECK --retries=two CMD ["true"]
                                      ^^^ error[InvalidHealthcheck]: `--retries` must be a whole number, not `two`
            "#]],
        );
    }

    #[test]
    fn good_healthchecks() {
        check_diagnostics(
            r#"
FROM alpine
HEALTHCHECK NONE
HEALTHCHECK --interval=30s --timeout=1m30s --start-period=0 --start-interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1
healthcheck cmd ["true"]
"#,
            expect![[r#"
                FROM alpine
                HEALTHCHECK NONE
                ^^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `HEALTHCHECK` of a stage takes effect: this one is overridden on line 3 (related line 3: the `HEALTHCHECK` that takes effect)
                HEALTHCHECK --interval=30s --timeout=1m30s --start-period=0 --start-interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1
                ^^^^^^^^^^^ warning[MultipleInstructionsDisallowed]: only the last `HEALTHCHECK` of a stage takes effect: this one is overridden on line 4 (related line 4: the `HEALTHCHECK` that takes effect)
                healthcheck cmd ["true"]
                ^^^^^^^^^^^ warning[ConsistentInstructionCasing]: instruction `healthcheck` should match the case of the majority (upper-case)
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nHEALTHCHECK CMD\n",
            &[("InvalidHealthcheck", "off")],
            expect![[r#"
                FROM alpine
                HEALTHCHECK CMD
            "#]],
        );
    }
}
