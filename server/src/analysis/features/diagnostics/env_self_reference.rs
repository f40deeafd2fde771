//! hadolint's DL3044: an `ENV` that uses a variable it defines earlier in the same instruction
//! (`ENV A=1 B=$A`). BuildKit expands every value with the environment from *before* the
//! instruction, so `$A` is not `1` there. `ENV PATH=/x:$PATH` (the old value) is fine.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "EnvSelfReference",
    aliases: &["DL3044"],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "an `ENV` value using a variable defined earlier in the same `ENV`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    for u in &m.var_uses {
        if instrs.get(u.instr).map(|i| i.kind) != Some(Keyword::Env) {
            continue;
        }
        // Definitions are in instruction order: look only at this instruction's.
        let from = m.vars.partition_point(|d| d.instr < u.instr);
        let to = m.vars.partition_point(|d| d.instr <= u.instr);
        let same = m.vars[from..to].iter().find(|d| {
            d.instr == u.instr
                && d.name == u.name
                && d.name_span.end <= u.span.start
                && d.value.as_ref().is_none_or(|v| v.span.end <= u.span.start)
        });
        if let Some(def) = same {
            acc.push(
                Diagnostic::new(
                    &RULE,
                    u.name_span,
                    format!(
                        "`{}` is set in this same `ENV`, but values are expanded before it: this is its previous value",
                        u.name
                    ),
                )
                .with_related(def.name_span, format!("`{}` set here", u.name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn same_instruction() {
        check_diagnostics(
            r#"
FROM alpine:3.20
ENV A=1 B=$A
ENV PATH=/x:$PATH C=$B
"#,
            expect![[r#"
                FROM alpine:3.20
                ENV A=1 B=$A
                           ^ warning[EnvSelfReference]: `A` is set in this same `ENV`, but values are expanded before it: this is its previous value (related line 2: `A` set here)
                ENV PATH=/x:$PATH C=$B
            "#]],
        );
    }
}
