//! hadolint's DL3020 (off by default): `ADD` of local files or folders; `COPY` does the same
//! without `ADD`'s surprises (remote URLs, automatic extraction). Reported when any source is a
//! local file or folder; URLs, git repositories, local archives and sources with variables are
//! fine.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "AddInsteadOfCopy",
    aliases: &["DL3020"],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "`ADD` of local files, where `COPY` is enough",
    check,
};

const ARCHIVES: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tb2",
    ".tar.xz",
    ".txz",
    ".tar.lz",
    ".tlz",
    ".tar.lzma",
    ".tar.z",
    ".tz",
    ".tar.zst",
    ".tzst",
    ".gz",
    ".bz2",
    ".xz",
    ".lzma",
    ".zst",
    ".zip",
];

fn is_remote_or_archive(src: &str) -> bool {
    let s = src.trim_matches(['"', '\'']).to_ascii_lowercase();
    s.contains("://")
        || s.starts_with("git@")
        || s.contains('$')
        || ARCHIVES.iter().any(|a| s.ends_with(a))
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        if ins.kind != Keyword::Add || !ins.heredocs.is_empty() {
            continue;
        }
        let words: Vec<&str> = match &ins.json {
            Some(j) => j.iter().map(|w| w.text.as_str()).collect(),
            None => ins.args().iter().map(|w| w.text.as_str()).collect(),
        };
        if words.len() < 2 {
            continue;
        }
        let sources = &words[..words.len() - 1];
        if sources.iter().any(|s| !is_remote_or_archive(s)) {
            acc.push(Diagnostic::new(
                &RULE,
                ins.keyword.span,
                "use `COPY` instead of `ADD` for local files and folders",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn local_add() {
        check_rule(
            &super::RULE,
            r#"
FROM alpine:3.20
ADD app.py /app/
ADD rootfs.tar.gz /
ADD https://example.com/x.sh /x.sh
ADD ["a b", "/c/"]
ADD https://example.com/x.tar.gz local.txt /d/
"#,
            expect![[r#"
                FROM alpine:3.20
                ADD app.py /app/
                ^^^ warning[AddInsteadOfCopy]: use `COPY` instead of `ADD` for local files and folders
                ADD rootfs.tar.gz /
                ADD https://example.com/x.sh /x.sh
                ADD ["a b", "/c/"]
                ^^^ warning[AddInsteadOfCopy]: use `COPY` instead of `ADD` for local files and folders
                ADD https://example.com/x.tar.gz local.txt /d/
                ^^^ warning[AddInsteadOfCopy]: use `COPY` instead of `ADD` for local files and folders
            "#]],
        );
    }
}
