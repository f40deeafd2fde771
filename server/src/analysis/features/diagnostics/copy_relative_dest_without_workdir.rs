//! hadolint's DL3045 (off by default): `COPY` to a relative destination before any `WORKDIR` in
//! the stage chain lands wherever the base image's working directory is. Stages built on
//! `scratch` are exempt: their working directory is `/`.

use super::support::{parent_stage, scratch_roots};
use super::workdir_relative_path::is_absolute;
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "CopyRelativeDestWithoutWorkdir",
    aliases: &["DL3045"],
    severity: Severity::Warning,
    enabled_by_default: false,
    summary: "`COPY` to a relative destination with no `WORKDIR` set",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    let roots = scratch_roots(m);
    // Whether a WORKDIR was set by the end of each stage (its chain included).
    let mut set_at_end = vec![false; m.stages.len()];
    for stage in &m.stages {
        let mut workdir = parent_stage(m, stage.index).is_some_and(|p| set_at_end[p]);
        let exempt = roots[stage.index];
        for i in stage.instrs.clone() {
            let ins = &instrs[i];
            if ins.kind == Keyword::Workdir {
                workdir = true;
            }
            if ins.kind != Keyword::Copy || workdir || exempt || !ins.heredocs.is_empty() {
                continue;
            }
            let dest = match &ins.json {
                Some(j) => j.last(),
                None => ins.args().last(),
            };
            let Some(dest) = dest else { continue };
            if ins.json.as_ref().map_or(ins.args().len(), |j| j.len()) < 2
                || is_absolute(&dest.text)
            {
                continue;
            }
            acc.push(Diagnostic::new(
                &RULE,
                dest.span,
                format!("`COPY` to the relative path `{}` with no `WORKDIR` set: use an absolute path or set `WORKDIR`", dest.text),
            ));
        }
        set_at_end[stage.index] = workdir;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_rule;
    use expect_test::expect;

    #[test]
    fn relative_dest() {
        check_rule(
            &super::RULE,
            r#"
FROM alpine:3.20 AS a
COPY app.py app/
COPY x /abs/
WORKDIR /w
COPY y .
FROM a
COPY z .
FROM scratch
COPY --from=a /out .
"#,
            expect![[r#"
                FROM alpine:3.20 AS a
                COPY app.py app/
                            ^^^^ warning[CopyRelativeDestWithoutWorkdir]: `COPY` to the relative path `app/` with no `WORKDIR` set: use an absolute path or set `WORKDIR`
                COPY x /abs/
                WORKDIR /w
                COPY y .
                FROM a
                COPY z .
                FROM scratch
                COPY --from=a /out .
            "#]],
        );
    }
}
