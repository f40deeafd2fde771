//! BuildKit's `SecretsUsedInArgOrEnv`: an `ARG` or `ENV` whose name looks like a secret (one of
//! `apikey auth credential credentials key password pword passwd secret token` as a whole
//! `_`-separated part at the start or end, or between underscores; names with a `public`, `file`
//! or `version` part are exempt). Build args and env end up in the image history and metadata.
//! Global ARGs are checked where a stage re-declares them, as BuildKit does.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::VarKind;

pub(super) static RULE: Rule = Rule {
    name: "SecretsUsedInArgOrEnv",
    aliases: &["DL3064"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an `ARG` or `ENV` name that looks like a secret",
    check,
};

const DENY: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];
const ALLOW: &[&str] = &["public", "file", "version"];

/// Whether one of `tokens` appears in `key` delimited by `_` or the ends (case-insensitive).
fn has_token(key: &str, tokens: &[&str]) -> bool {
    // The `_`-separated parts of the name, compared without allocating (tokens hold no `_`).
    // Split as bytes: `str::split` with a char pattern costs more than these short names.
    key.as_bytes().split(|&b| b == b'_').any(|part| {
        tokens
            .iter()
            .any(|t| part.eq_ignore_ascii_case(t.as_bytes()))
    })
}

pub(super) fn looks_secret(key: &str) -> bool {
    has_token(key, DENY) && !has_token(key, ALLOW)
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for v in &ctx.doc.model().vars {
        let instr = match v.kind {
            VarKind::GlobalArg => continue,
            VarKind::Arg => "ARG",
            VarKind::Env => "ENV",
        };
        if looks_secret(&v.name) {
            acc.push(Diagnostic::new(
                &RULE,
                v.name_span,
                format!(
                    "do not pass sensitive data in `{instr} {}`: it stays in the image metadata; use a secret mount (`RUN --mount=type=secret`)",
                    v.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_hold_no_underscore() {
        // `has_token` compares whole `_`-separated parts.
        assert!(super::DENY
            .iter()
            .chain(super::ALLOW)
            .all(|t| !t.contains('_')));
    }

    use super::super::tests::check_diagnostics;
    use super::looks_secret;
    use expect_test::expect;

    #[test]
    fn names() {
        for yes in [
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "api_key",
            "password",
            "AUTH",
        ] {
            assert!(looks_secret(yes), "{yes}");
        }
        for no in [
            "KEYBOARD",
            "TOKENIZER",
            "PUBLIC_KEY",
            "SECRET_FILE",
            "TOKEN_VERSION",
            "MONKEY",
        ] {
            assert!(!looks_secret(no), "{no}");
        }
    }

    #[test]
    fn arg_and_env() {
        check_diagnostics(
            r#"
ARG NPM_TOKEN
FROM alpine:3.20
ARG NPM_TOKEN
ENV GITHUB_TOKEN=abc APP_NAME=x
"#,
            expect![[r#"
                ARG NPM_TOKEN
                FROM alpine:3.20
                ARG NPM_TOKEN
                    ^^^^^^^^^ warning[SecretsUsedInArgOrEnv]: do not pass sensitive data in `ARG NPM_TOKEN`: it stays in the image metadata; use a secret mount (`RUN --mount=type=secret`)
                ENV GITHUB_TOKEN=abc APP_NAME=x
                    ^^^^^^^^^^^^ warning[SecretsUsedInArgOrEnv]: do not pass sensitive data in `ENV GITHUB_TOKEN`: it stays in the image metadata; use a secret mount (`RUN --mount=type=secret`)
            "#]],
        );
    }
}
