//! Flags a `STOPSIGNAL` that moby's `signal.ParseSignal` (called by `dispatchStopSignal`)
//! rejects: neither a positive number nor a Linux signal name (with or without `SIG`, any
//! case). Values with variables are expanded by BuildKit first and left alone here.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "InvalidStopSignal",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a `STOPSIGNAL` that is no signal",
    check,
};

/// moby/sys/signal's `SignalMap` on Linux.
const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
];

fn valid(sig: &str) -> bool {
    if let Ok(n) = sig.parse::<u64>() {
        return n > 0;
    }
    let upper = sig.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) {
        return true;
    }
    // RTMIN+1 .. RTMIN+15, RTMAX-14 .. RTMAX-1.
    let offset = |rest: &str| rest.parse::<u32>().is_ok_and(|n| (1..=15).contains(&n));
    name.strip_prefix("RTMIN+").is_some_and(offset)
        || name
            .strip_prefix("RTMAX-")
            .is_some_and(|r| r.parse::<u32>().is_ok_and(|n| (1..=14).contains(&n)))
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        let ins = match &ins.onbuild {
            Some(t) if t.kind == Keyword::Stopsignal => t,
            _ => ins,
        };
        if ins.kind != Keyword::Stopsignal {
            continue;
        }
        let sig = ins.rest.text.trim();
        if sig.is_empty() || sig.contains(['$', '"', '\'']) || valid(sig) {
            continue;
        }
        acc.push(Diagnostic::new(
            &RULE,
            ins.rest.span,
            format!("invalid signal `{sig}`: expected a name such as `SIGTERM` or a number"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn bad_signals() {
        check_diagnostics(
            "FROM alpine\nSTOPSIGNAL SIGFOO\nSTOPSIGNAL 0\nSTOPSIGNAL SIGTERM SIGINT\n",
            expect![[r#"
                FROM alpine
                STOPSIGNAL SIGFOO
                           ^^^^^^ error[InvalidStopSignal]: invalid signal `SIGFOO`: expected a name such as `SIGTERM` or a number
                STOPSIGNAL 0
                           ^ error[InvalidStopSignal]: invalid signal `0`: expected a name such as `SIGTERM` or a number
                STOPSIGNAL SIGTERM SIGINT
                           ^^^^^^^^^^^^^^ error[InvalidStopSignal]: invalid signal `SIGTERM SIGINT`: expected a name such as `SIGTERM` or a number
            "#]],
        );
    }

    #[test]
    fn good_signals() {
        check_diagnostics(
            "FROM alpine\nSTOPSIGNAL SIGTERM\nSTOPSIGNAL quit\nSTOPSIGNAL 9\nSTOPSIGNAL SIGRTMIN+3\nSTOPSIGNAL $SIG\n",
            expect![[r#"
                FROM alpine
                STOPSIGNAL SIGTERM
                STOPSIGNAL quit
                STOPSIGNAL 9
                STOPSIGNAL SIGRTMIN+3
                STOPSIGNAL $SIG
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nSTOPSIGNAL SIGFOO\n",
            &[("InvalidStopSignal", "off")],
            expect![[r#"
                FROM alpine
                STOPSIGNAL SIGFOO
            "#]],
        );
    }
}
