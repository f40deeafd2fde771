//! Flags `EXPOSE` arguments BuildKit's port parser (`dockerfile2llb/convert_expose.go`) rejects:
//! a protocol other than `tcp`, `udp` or `sctp`, a port that is not a number in 0-65535, a
//! reversed range, a bad host port or IP. Arguments with variables or quotes are expanded by
//! BuildKit first and left alone here. (An IP or host port that parses is `ExposeInvalidFormat`'s
//! business, a build check, not an error.)

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::{Instruction, Keyword};

pub(super) static RULE: Rule = Rule {
    name: "InvalidExposePort",
    aliases: &["DL3011"],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "an `EXPOSE` port or protocol BuildKit rejects",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    if ins.kind != Keyword::Expose {
        return;
    }
    for arg in ins.args() {
        let raw = &arg.text;
        if raw.contains(['$', '"', '\'', '\\']) {
            continue;
        }
        if let Err(why) = parse_port(raw) {
            acc.push(Diagnostic::new(
                &RULE,
                arg.span,
                format!("invalid port `{raw}`: {why}"),
            ));
        }
    }
}

/// `portSpecs.parsePort` minus the lint checks: `[ip:][hostPort:]port[-end][/proto]`.
fn parse_port(raw: &str) -> Result<(), String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => ("".to_string(), "", parts[0]),
        2 => ("".to_string(), parts[0], parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return Err("no port specified".into());
    }
    if !matches!(
        proto.to_ascii_lowercase().as_str(),
        "" | "tcp" | "udp" | "sctp"
    ) {
        return Err(format!(
            "unknown protocol `{proto}`, expected `tcp`, `udp` or `sctp`"
        ));
    }
    if !ip.is_empty() {
        let bare = ip
            .strip_prefix('[')
            .and_then(|i| i.strip_suffix(']'))
            .unwrap_or(&ip);
        if bare.parse::<core::net::IpAddr>().is_err() {
            return Err(format!("invalid IP address `{ip}`"));
        }
    }
    let (start, end) =
        port_range(port).map_err(|e| format!("invalid container port `{port}`: {e}"))?;
    if !host.is_empty() {
        let (hs, he) = port_range(host).map_err(|e| format!("invalid host port `{host}`: {e}"))?;
        if end - start != he - hs && end != start {
            return Err(format!(
                "the ranges of container and host ports differ: `{port}` and `{host}`"
            ));
        }
    }
    Ok(())
}

fn port_range(s: &str) -> Result<(u32, u32), String> {
    if s.is_empty() {
        return Err("empty".into());
    }
    let (a, b) = s.split_once('-').map_or((s, None), |(a, b)| (a, Some(b)));
    let start = port_number(a)?;
    match b {
        None => Ok((start, start)),
        Some(b) if b == a => Ok((start, start)),
        Some(b) => {
            let end = port_number(b)?;
            if end < start {
                return Err("the range ends before it starts".into());
            }
            Ok((start, end))
        }
    }
}

/// `strconv.ParseInt(s, 10, 0)` within 0-65535.
fn port_number(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a number"));
    }
    match s.parse::<i64>() {
        Ok(n) if (0..=65535).contains(&n) => Ok(n as u32),
        _ => Err(format!("`{s}` is out of range (0-65535)")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn bad_ports() {
        check_diagnostics(
            r#"
FROM alpine
EXPOSE 80/http 70000 abc 9000-8000 1.2.3:80:80 /tcp
"#,
            expect![[r#"
                FROM alpine
                EXPOSE 80/http 70000 abc 9000-8000 1.2.3:80:80 /tcp
                       ^^^^^^^ error[InvalidExposePort]: invalid port `80/http`: unknown protocol `http`, expected `tcp`, `udp` or `sctp`
                               ^^^^^ error[InvalidExposePort]: invalid port `70000`: invalid container port `70000`: `70000` is out of range (0-65535)
                                     ^^^ error[InvalidExposePort]: invalid port `abc`: invalid container port `abc`: `abc` is not a number
                                         ^^^^^^^^^ error[InvalidExposePort]: invalid port `9000-8000`: invalid container port `9000-8000`: the range ends before it starts
                                                   ^^^^^^^^^^^ error[InvalidExposePort]: invalid port `1.2.3:80:80`: invalid IP address `1.2.3`
                                                   ^^^^^^^^^^^ warning[ExposeInvalidFormat]: `EXPOSE 1.2.3:80:80` should not name an IP address or host port: expose the container port only and publish with `docker run -p`
                                                               ^^^^ error[InvalidExposePort]: invalid port `/tcp`: no port specified
            "#]],
        );
    }

    #[test]
    fn good_ports() {
        check_diagnostics(
            "FROM alpine\nEXPOSE 80 443/tcp 53/UDP 8000-8010 $PORT 127.0.0.1:80:80 [::1]:53:53/udp\n",
            expect![[r#"
                FROM alpine
                EXPOSE 80 443/tcp 53/UDP 8000-8010 $PORT 127.0.0.1:80:80 [::1]:53:53/udp
                                     ^^^ warning[ExposeProtoCasing]: protocol `UDP` in `EXPOSE 53/UDP` should be lower-case
                                                         ^^^^^^^^^^^^^^^ warning[ExposeInvalidFormat]: `EXPOSE 127.0.0.1:80:80` should not name an IP address or host port: expose the container port only and publish with `docker run -p`
                                                                         ^^^^^^^^^^^^^^^ warning[ExposeInvalidFormat]: `EXPOSE [::1]:53:53/udp` should not name an IP address or host port: expose the container port only and publish with `docker run -p`
            "#]],
        );
    }

    #[test]
    fn suppressed() {
        check_diagnostics(
            "FROM alpine\n# hadolint ignore=DL3011\nEXPOSE 70000\n",
            expect![[r#"
                FROM alpine
                # hadolint ignore=DL3011
                EXPOSE 70000
            "#]],
        );
        check_diagnostics_config(
            "FROM alpine\nEXPOSE 70000\n",
            &[("InvalidExposePort", "off")],
            expect![[r#"
                FROM alpine
                EXPOSE 70000
            "#]],
        );
    }
}
