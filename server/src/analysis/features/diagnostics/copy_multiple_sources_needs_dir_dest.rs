//! hadolint's DL3021, and a BuildKit build error: `COPY`/`ADD` with several sources needs a
//! destination that ends with `/` ("When using COPY with more than one source file, the
//! destination must be a directory and end with a /"). A destination that ends with a variable
//! is skipped; so is a single wildcard source (how many files it matches is not in the text).

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "CopyMultipleSourcesNeedsDirDest",
    aliases: &["DL3021"],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "several sources copied to a destination without a trailing `/`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        if !matches!(ins.kind, Keyword::Copy | Keyword::Add) || !ins.heredocs.is_empty() {
            continue;
        }
        // `--chown 1:1 a /b` (no `=`) fails as a flag error first; its value is no source.
        let valueless = |n: &str| !matches!(n, "link" | "parents" | "keep-git-dir" | "unpack");
        if ins
            .flags
            .iter()
            .any(|f| f.value.is_none() && valueless(&f.name.text))
        {
            continue;
        }
        let words: Vec<&crate::analysis::syntax::Word> = match &ins.json {
            Some(j) => j.iter().collect(),
            None => ins.args().iter().collect(),
        };
        if words.len() < 3 {
            continue;
        }
        let dest = words[words.len() - 1];
        let d = dest.text.trim_matches(['"', '\'']);
        if d.ends_with('/') || d.ends_with('\\') || d.contains('$') {
            continue;
        }
        let name = ins.kind.as_str();
        acc.push(Diagnostic::new(
            &RULE,
            dest.span,
            format!(
                "`{name}` with {} sources needs a directory destination ending with `/`: `{d}/`",
                words.len() - 1
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn needs_slash() {
        check_diagnostics(
            r#"
FROM alpine:3.20
COPY a b /dest
COPY a b /dest/
COPY a /dest
COPY ["a", "b", "/c"]
COPY a b $DEST
COPY --chown 1:1 a /b
"#,
            expect![[r#"
                FROM alpine:3.20
                COPY a b /dest
                         ^^^^^ error[CopyMultipleSourcesNeedsDirDest]: `COPY` with 2 sources needs a directory destination ending with `/`: `/dest/`
                COPY a b /dest/
                COPY a /dest
                COPY ["a", "b", "/c"]
                                ^^^^ error[CopyMultipleSourcesNeedsDirDest]: `COPY` with 2 sources needs a directory destination ending with `/`: `/c/`
                COPY a b $DEST
                COPY --chown 1:1 a /b
                     ^^^^^^^ error[InvalidFlag]: missing a value on flag `--chown`
            "#]],
        );
    }
}
