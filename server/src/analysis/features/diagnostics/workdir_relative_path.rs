//! BuildKit's `WorkdirRelativePath`: the first relative `WORKDIR` of a stage chain, before any
//! absolute one, depends on the base image's working directory. Stages built on a stage inherit
//! whether it set one; the base image's own `WORKDIR` is deliberately ignored, as in BuildKit.
//! A path starting with a variable counts as absolute (its value is unknown), and so does a
//! Windows path with drive and root (`C:\app`; `C:app` is drive-relative). Fix: prepend `/`
//! when the path clearly names a top-level directory (`usr/share/nginx`, `opt/app`) or the stage
//! chain starts at `scratch` (whose working directory is `/`).

use super::support::{parent_stage, rooted_at_scratch};
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;
use crate::analysis::Span;

pub(super) static RULE: Rule = Rule {
    name: "WorkdirRelativePath",
    aliases: &["DL3000"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a relative `WORKDIR` before any absolute one",
    check,
};

/// Top-level directories of the Filesystem Hierarchy Standard.
const ROOT_DIRS: &[&str] = &[
    "bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root",
    "run", "sbin", "srv", "sys", "tmp", "usr", "var",
];

pub(super) fn is_absolute(path: &str) -> bool {
    let p = path.trim_matches(['"', '\'']);
    p.starts_with('/')
        || p.starts_with('$')
        || p.starts_with('\\')
        || (p.len() >= 3
            && p.as_bytes()[0].is_ascii_alphabetic()
            && p.as_bytes()[1] == b':'
            && matches!(p.as_bytes()[2], b'\\' | b'/'))
}

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    let mut set_at_end = vec![false; m.stages.len()];
    for stage in &m.stages {
        let mut set = parent_stage(m, stage.index).is_some_and(|p| set_at_end[p]);
        for i in stage.instrs.clone() {
            let ins = &instrs[i];
            if ins.kind != Keyword::Workdir {
                continue;
            }
            let Some(path) = ins.args().first() else {
                continue;
            };
            if !set && !is_absolute(&path.text) {
                let text = ins.rest.text.trim_end();
                let mut d = Diagnostic::new(
                    &RULE,
                    ins.rest.span,
                    format!("relative `WORKDIR {text}` depends on the base image's working directory: use an absolute path"),
                );
                let first = path.text.split('/').next().unwrap_or("");
                let clear = ROOT_DIRS.contains(&first) || rooted_at_scratch(m, stage.index);
                if clear && ins.args().len() == 1 && !path.text.starts_with(['"', '\'', '.']) {
                    d = d.with_fix(
                        format!("Change to `WORKDIR /{}`", path.text),
                        vec![(Span::empty(path.span.start), "/".to_string())],
                    );
                }
                acc.push(d);
            }
            set = true;
        }
        set_at_end[stage.index] = set;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn first_relative_only() {
        check_diagnostics(
            r#"
FROM nginx:1.27 AS a
WORKDIR usr/share/nginx/html
WORKDIR more
FROM alpine:3.20 AS b
WORKDIR /app
WORKDIR src
FROM b
WORKDIR lib
FROM alpine:3.20
WORKDIR $HOME/x
FROM alpine:3.20
WORKDIR C:\\app
FROM alpine:3.20
WORKDIR C:app
"#,
            expect![[r#"
                FROM nginx:1.27 AS a
                WORKDIR usr/share/nginx/html
                        ^^^^^^^^^^^^^^^^^^^^ warning[WorkdirRelativePath]: relative `WORKDIR usr/share/nginx/html` depends on the base image's working directory: use an absolute path
                WORKDIR more
                FROM alpine:3.20 AS b
                WORKDIR /app
                WORKDIR src
                FROM b
                WORKDIR lib
                FROM alpine:3.20
                WORKDIR $HOME/x
                FROM alpine:3.20
                WORKDIR C:\\app
                FROM alpine:3.20
                WORKDIR C:app
                        ^^^^^ warning[WorkdirRelativePath]: relative `WORKDIR C:app` depends on the base image's working directory: use an absolute path
            "#]],
        );
    }

    #[test]
    fn fix_when_clear() {
        check_fix(
            "FROM nginx:1.27\nWORKDIR usr/share/nginx/html\n",
            "WorkdirRelativePath",
            expect![[r#"
                FROM nginx:1.27
                WORKDIR /usr/share/nginx/html
            "#]],
        );
        check_fix(
            "FROM node:22\nWORKDIR app\n",
            "WorkdirRelativePath",
            expect![[r#"
                no fix
            "#]],
        );
    }
}
