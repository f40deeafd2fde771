//! Flags stages that depend on themselves through `COPY --from` / `RUN --mount=from=` edges,
//! which BuildKit rejects ("circular dependency detected on stage").

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::RefTarget;

pub(super) static RULE: Rule = Rule {
    name: "CircularDependency",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "stages that depend on each other in a cycle",
    check,
};

/// Related notes per diagnostic: enough to show the cycle, one per pair of stages, never one per
/// edge (a stage that copies from itself 28,000 times made 28,000² notes, 22 GB, found by the
/// robustness tests).
const MAX_RELATED: usize = 8;

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    for cycle in &m.cycles {
        let names: Vec<String> = cycle
            .stages
            .iter()
            .map(|&s| format!("`{}`", m.stages[s].label()))
            .collect();
        // The first edge of each pair of different stages, in order.
        let mut shown: Vec<(usize, (usize, usize))> = Vec::new();
        for &ri in &cycle.refs {
            let r = &m.stage_refs[ri];
            if let RefTarget::Stage(t) = r.target {
                let pair = (r.stage, t);
                if t != r.stage && shown.len() <= MAX_RELATED && !shown.iter().any(|s| s.1 == pair)
                {
                    shown.push((ri, pair));
                }
            }
        }
        for &ri in &cycle.refs {
            let r = &m.stage_refs[ri];
            let RefTarget::Stage(t) = r.target else {
                continue;
            };
            let from = m.stages[r.stage].label();
            let message = if t == r.stage {
                format!("stage `{from}` depends on itself")
            } else {
                format!("circular dependency between stages {}", names.join(", "))
            };
            let mut d = Diagnostic::new(&RULE, r.span, message);
            for &(other, _) in shown.iter().filter(|&&(o, _)| o != ri).take(MAX_RELATED) {
                let o = &m.stage_refs[other];
                if let RefTarget::Stage(ot) = o.target {
                    d = d.with_related(
                        o.span,
                        format!(
                            "`{}` depends on `{}`",
                            m.stages[o.stage].label(),
                            m.stages[ot].label()
                        ),
                    );
                }
            }
            acc.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::check_diagnostics;
    use expect_test::expect;

    #[test]
    fn self_and_mutual() {
        check_diagnostics(
            r#"
FROM alpine AS a
COPY --from=b /x /x
FROM alpine AS b
RUN --mount=from=a,target=/a true
FROM alpine AS c
COPY --from=c /x /y
"#,
            expect![[r#"
                FROM alpine AS a
                COPY --from=b /x /x
                            ^ error[CircularDependency]: circular dependency between stages `a`, `b` (related line 4: `b` depends on `a`)
                FROM alpine AS b
                RUN --mount=from=a,target=/a true
                                 ^ error[CircularDependency]: circular dependency between stages `a`, `b` (related line 2: `a` depends on `b`)
                FROM alpine AS c
                COPY --from=c /x /y
                            ^ error[CircularDependency]: stage `c` depends on itself
            "#]],
        );
    }

    #[test]
    fn base_edges_are_not_cycles() {
        // BuildKit only follows --from/from= edges when it looks for cycles.
        check_diagnostics(
            r#"
FROM alpine AS a
COPY --from=b /x /x
FROM a AS b
"#,
            expect![[r#"
                FROM alpine AS a
                COPY --from=b /x /x
                FROM a AS b
            "#]],
        );
    }
}
