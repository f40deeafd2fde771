//! BuildKit's `FromPlatformFlagConstDisallowed`: `FROM --platform=` with a constant (no
//! variable) pins the stage to one platform. Exempt, as in BuildKit, when the stage name contains
//! that platform's OS or architecture (`AS build-arm64`), and when the value is no valid
//! platform (the build fails on it anyway).

use super::{Ctx, Diagnostic, Rule, Severity};

pub(super) static RULE: Rule = Rule {
    name: "FromPlatformFlagConstDisallowed",
    aliases: &["DL3029"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "`FROM --platform=` with a constant value",
    check,
};

const OSES: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];

/// `(os, arch)` of a platform specifier as containerd's `platforms.Parse` normalises it.
fn parse_platform(p: &str) -> Option<(String, String)> {
    let lower = p.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let norm_arch = |a: &str| -> Option<String> {
        let a = match a {
            "x86_64" | "x86-64" | "amd64" => "amd64",
            "aarch64" | "arm64" => "arm64",
            "i386" | "386" => "386",
            "armhf" | "armel" | "arm" => "arm",
            other => other,
        };
        (!a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| a.to_string())
    };
    match parts.as_slice() {
        [one] => {
            if OSES.contains(one) {
                Some((one.to_string(), "amd64".to_string()))
            } else {
                Some(("linux".to_string(), norm_arch(one)?))
            }
        }
        [os, arch] | [os, arch, _] if OSES.contains(os) => Some((os.to_string(), norm_arch(arch)?)),
        _ => None,
    }
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for stage in &ctx.doc.model().stages {
        let Some(p) = &stage.platform else { continue };
        if p.text.contains('$') || p.text.is_empty() {
            continue;
        }
        let Some((os, arch)) = parse_platform(&p.text) else {
            continue;
        };
        let name = stage.name.as_ref().map_or("", |n| n.key.as_str());
        if name.contains(os.as_str()) || name.contains(arch.as_str()) {
            continue;
        }
        acc.push(Diagnostic::new(
            &RULE,
            p.span,
            format!(
                "`FROM --platform` should not use the constant `{}`: use `$BUILDPLATFORM` or `$TARGETPLATFORM`",
                p.text
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn constant_platform() {
        check_diagnostics(
            r#"
FROM --platform=linux/amd64 alpine:3.20 AS base
FROM --platform=linux/arm64 alpine:3.20 AS build-arm64
FROM --platform=$BUILDPLATFORM alpine:3.20 AS b
"#,
            expect![[r#"
                FROM --platform=linux/amd64 alpine:3.20 AS base
                                ^^^^^^^^^^^ warning[FromPlatformFlagConstDisallowed]: `FROM --platform` should not use the constant `linux/amd64`: use `$BUILDPLATFORM` or `$TARGETPLATFORM`
                FROM --platform=linux/arm64 alpine:3.20 AS build-arm64
                FROM --platform=$BUILDPLATFORM alpine:3.20 AS b
            "#]],
        );
    }
}
