//! BuildKit's `UndefinedVar`: a `$NAME` that BuildKit expands (ENV, LABEL, ADD, COPY and their
//! flags, WORKDIR, USER, VOLUME, EXPOSE, STOPSIGNAL, ARG defaults, RUN flags) but that no `ARG` or
//! `ENV` in scope defines. Shell text (RUN, CMD, ENTRYPOINT commands) is never checked: the shell
//! expands it, as in BuildKit. `FROM` lines belong to `UndefinedArgInFrom`.
//!
//! BuildKit also counts the base image's `ENV`, which needs the registry. So the check is exact
//! only for stages whose chain of bases ends at `scratch`; for other stages a name is reported
//! only when no base image is plausibly the source: a global `ARG` of that name exists (the
//! usual mistake: it needs `ARG NAME` inside the stage), or the name is a close misspelling of a
//! variable in scope ("did you mean"). `PATH` is always defined.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::support::{ancestry, scratch_roots, suggest};
use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::model::{StageLists, VarKind};
use crate::analysis::syntax::Keyword;
use crate::analysis::Span;

pub(super) static RULE: Rule = Rule {
    name: "UndefinedVar",
    aliases: &[],
    severity: Severity::Warning,
    enabled_by_default: true,
    summary: "a variable BuildKit expands that no `ARG` or `ENV` in scope defines",
    check,
};

/// Build args BuildKit never puts in the environment.
const NON_ENV: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    let m = doc.model();
    let instrs = &doc.syntax().instructions;
    let mut arg_fix_offered: HashSet<(usize, &str)> = HashSet::new();
    let roots = scratch_roots(m);
    let globals: HashSet<&str> = m
        .vars
        .iter()
        .filter(|v| v.kind == VarKind::GlobalArg)
        .map(|v| v.name.as_str())
        .collect();
    // Per stage, the ARG/ENV definitions of the stage and the stages it is built on, as
    // (name, stage, instruction); built only for stages with an undefined use.
    let vars_by_stage = StageLists::new(m.stages.len(), || {
        m.vars
            .iter()
            .enumerate()
            .filter_map(|(i, v)| match (v.stage, v.kind) {
                (Some(s), VarKind::Arg | VarKind::Env) => Some((s, i)),
                _ => None,
            })
    });
    let mut chain_defs: HashMap<usize, Vec<(&str, usize, usize)>> = HashMap::new();
    for u in &m.var_uses {
        if u.shell
            || u.def.is_some()
            || u.builtin
            || u.name == "PATH"
            || NON_ENV.contains(&u.name.as_str())
        {
            continue;
        }
        let Some(stage) = u.stage else { continue };
        if instrs.get(u.instr).is_none_or(|i| i.kind == Keyword::From) {
            continue;
        }
        let defs = chain_defs.entry(stage).or_insert_with(|| {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for s in ancestry(m, stage) {
                for &v in vars_by_stage.get(s) {
                    let d = &m.vars[v];
                    // Nearest definition of each name only: enough for suggestions.
                    if seen.insert((d.name.as_str(), s == stage)) {
                        out.push((d.name.as_str(), s, d.instr));
                    }
                }
            }
            out
        });
        let in_scope = defs
            .iter()
            .filter(|(_, s, i)| *s != stage || *i < u.instr)
            .map(|(n, _, _)| *n);
        let global = globals.contains(u.name.as_str());
        let hint = suggest(&u.name, in_scope);
        if !(roots[stage] || global || hint.is_some()) {
            continue;
        }
        let mut message = format!("`{}` is not defined by an `ARG` or `ENV` in scope", u.name);
        if global {
            message.push_str(&format!(
                ": the global `ARG {}` is visible inside a stage only after `ARG {}`",
                u.name, u.name
            ));
        } else if let Some(h) = hint {
            message.push_str(&format!("; did you mean `{h}`?"));
        }
        let mut d = Diagnostic::new(&RULE, u.name_span, message);
        if global {
            if arg_fix_offered.insert((stage, u.name.as_str())) {
                let at = instrs[u.instr].span.start;
                d = d.with_fix(
                    format!("Add `ARG {}` before this instruction", u.name),
                    vec![(Span::empty(at), format!("ARG {}\n", u.name))],
                );
            }
        } else if let Some(h) = hint {
            d = d.with_fix(
                format!("Change to `{h}`"),
                vec![(u.name_span, h.to_string())],
            );
        }
        acc.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_fix};
    use expect_test::expect;

    #[test]
    fn scratch_is_exact() {
        check_diagnostics(
            r#"
FROM scratch AS base
ENV APP=/app
COPY $foo $APP/
FROM base
WORKDIR $APP/$SUB
RUN echo $UNSET
"#,
            expect![[r#"
                FROM scratch AS base
                ENV APP=/app
                COPY $foo $APP/
                      ^^^ warning[UndefinedVar]: `foo` is not defined by an `ARG` or `ENV` in scope
                FROM base
                WORKDIR $APP/$SUB
                              ^^^ warning[UndefinedVar]: `SUB` is not defined by an `ARG` or `ENV` in scope
                RUN echo $UNSET
            "#]],
        );
    }

    #[test]
    fn external_base_only_typos_and_globals() {
        check_diagnostics(
            r#"
ARG VERSION=1
FROM python:3.12
ENV APP_HOME=/app
COPY . $APP_HOEM
ENV PATH=$PATH:$PYTHON_HOME/bin
LABEL version=$VERSION
"#,
            expect![[r#"
                ARG VERSION=1
                FROM python:3.12
                ENV APP_HOME=/app
                COPY . $APP_HOEM
                        ^^^^^^^^ warning[UndefinedVar]: `APP_HOEM` is not defined by an `ARG` or `ENV` in scope; did you mean `APP_HOME`?
                ENV PATH=$PATH:$PYTHON_HOME/bin
                LABEL version=$VERSION
                               ^^^^^^^ warning[UndefinedVar]: `VERSION` is not defined by an `ARG` or `ENV` in scope: the global `ARG VERSION` is visible inside a stage only after `ARG VERSION`
            "#]],
        );
    }

    #[test]
    fn fixes() {
        check_fix(
            "FROM python:3.12\nENV APP_HOME=/app\nCOPY . $APP_HOEM\n",
            "UndefinedVar",
            expect![[r#"
                FROM python:3.12
                ENV APP_HOME=/app
                COPY . $APP_HOME
            "#]],
        );
        check_fix(
            "ARG VERSION=1\nFROM python:3.12\nLABEL version=$VERSION\n",
            "UndefinedVar",
            expect![[r#"
                ARG VERSION=1
                FROM python:3.12
                ARG VERSION
                LABEL version=$VERSION
            "#]],
        );
    }
}
