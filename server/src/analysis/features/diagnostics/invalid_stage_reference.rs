//! Flags `--from` values BuildKit refuses: a stage index out of range ("invalid stage index")
//! and variables, which BuildKit does not expand in `--from`.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::RefTarget;

pub(super) static RULE: Rule = Rule {
    name: "InvalidStageReference",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a `--from` stage index out of range, or a variable in `--from`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let n = m.stages.len();
    for r in &m.stage_refs {
        let message = match r.target {
            RefTarget::BadIndex(i) => {
                let valid = match n {
                    0 => "there are no stages".to_string(),
                    1 => "the only stage is 0".to_string(),
                    _ => format!("stages are numbered 0 to {}", n - 1),
                };
                if i == i64::MAX {
                    format!("stage index `{}` is out of range: {valid}", r.text)
                } else {
                    format!("stage index {i} is out of range: {valid}")
                }
            }
            RefTarget::Variable => format!(
                "variables are not expanded in `--from` (`{}`): define a stage with `FROM ${{...}}` using a global ARG instead",
                r.text
            ),
            _ => continue,
        };
        acc.push(Diagnostic::new(&RULE, r.span, message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn index_out_of_range_and_variable() {
        check_diagnostics(
            r#"
FROM alpine
FROM alpine
COPY --from=1 /a /a
COPY --from=2 /a /a
COPY --from=-1 /a /a
ARG SRC=0
COPY --from=${SRC} /a /a
"#,
            expect![[r#"
                FROM alpine
                FROM alpine
                COPY --from=1 /a /a
                            ^ error[CircularDependency]: stage `1` depends on itself
                COPY --from=2 /a /a
                            ^ error[InvalidStageReference]: stage index 2 is out of range: stages are numbered 0 to 1
                COPY --from=-1 /a /a
                            ^^ error[InvalidStageReference]: stage index -1 is out of range: stages are numbered 0 to 1
                ARG SRC=0
                COPY --from=${SRC} /a /a
                            ^^^^^^ error[InvalidStageReference]: variables are not expanded in `--from` (`${SRC}`): define a stage with `FROM ${...}` using a global ARG instead
            "#]],
        );
    }
}
