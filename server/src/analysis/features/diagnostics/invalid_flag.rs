//! Flags what BuildKit's flag parser (`instructions/bflag.go`) rejects: an unknown flag (with
//! "did you mean" and a fix), a flag given twice that may appear once, a missing value, a bad
//! boolean, and the values `RUN --network` and `RUN --security` do not take.
//!
//! The flags each instruction takes are those `instructions/parse.go` registers (the table in
//! `completion::data`). BuildKit never parses flags on `ARG` and `STOPSIGNAL`, nor on
//! `HEALTHCHECK NONE`, so they are not checked there. Values with variables are left alone.

use foldhash::{HashMap, HashMapExt};

use super::{did_you_mean, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::features::completion::data::flags_for;
use crate::analysis::syntax::{Instruction, Keyword, Span};

pub(super) static RULE: Rule = Rule {
    name: "InvalidFlag",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a flag the instruction does not take, given twice, or with a bad value",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    let parses_flags = match ins.kind {
        Keyword::Arg | Keyword::Stopsignal | Keyword::Unknown => false,
        Keyword::Healthcheck => !ins
            .args()
            .first()
            .is_some_and(|a| a.text.eq_ignore_ascii_case("none")),
        _ => true,
    };
    if !parses_flags || ins.flags.is_empty() {
        return;
    }
    let known = flags_for(ins.kind);
    let kw = ins.kind.as_str();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for flag in &ins.flags {
        let name = flag.name.text.as_str();
        let Some(info) = known.iter().find(|f| f.name == name) else {
            let names: Vec<&str> = known.iter().map(|f| f.name).collect();
            let mut d = Diagnostic::new(
                &RULE,
                Span::new(flag.span.start, flag.name.span.end),
                format!("unknown flag `--{name}` for `{kw}`"),
            );
            if let Some(s) = did_you_mean(name, &names) {
                d.message.push_str(&format!("; did you mean `--{s}`?"));
                d = d.with_fix(
                    format!("Change `--{name}` to `--{s}`"),
                    vec![(flag.name.span, s.to_string())],
                );
            } else if names.is_empty() {
                d.message = format!("`{kw}` takes no flags, found `--{name}`");
            }
            acc.push(d);
            continue;
        };
        let count = seen.entry(info.name).or_insert(0);
        *count += 1;
        if *count == 2 && !info.repeatable {
            acc.push(Diagnostic::new(
                &RULE,
                flag.span,
                format!("duplicate flag `--{name}`"),
            ));
            continue;
        }
        match (&flag.value, info.takes_value) {
            (None, true) => acc.push(Diagnostic::new(
                &RULE,
                flag.span,
                format!("missing a value on flag `--{name}`"),
            )),
            (Some(v), false) if v.text.is_empty() => acc.push(Diagnostic::new(
                &RULE,
                flag.span,
                format!("missing a value on flag `--{name}`"),
            )),
            (Some(v), false) => {
                let lower = v.text.to_ascii_lowercase();
                if lower != "true" && lower != "false" && !v.text.contains('$') {
                    acc.push(Diagnostic::new(
                        &RULE,
                        v.span,
                        format!(
                            "expecting a boolean value for flag `--{name}`, not `{}`",
                            v.text
                        ),
                    ));
                }
            }
            (Some(v), true) => {
                if !info.values.is_empty()
                    && matches!(name, "network" | "security")
                    && !v.text.contains('$')
                    && !info.values.contains(&v.text.as_str())
                {
                    let list = info
                        .values
                        .iter()
                        .map(|x| format!("`{x}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    acc.push(Diagnostic::new(
                        &RULE,
                        v.span,
                        format!("invalid {name} mode `{}`: expected one of {list}", v.text),
                    ));
                }
            }
            (None, false) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use crate::analysis::features::code_action::tests::apply_action;
    use expect_test::expect;

    #[test]
    fn unknown_duplicate_and_bad_values() {
        check_diagnostics(
            r#"
FROM --platfrom=linux/amd64 alpine
COPY --link --link=false --chown . /
COPY --from=a --from=b . /
ADD --link=maybe --keep-git-dir= x /
RUN --network=bridge --security=sandbox --mount=type=cache,target=/a --mount=type=tmpfs,target=/b true
WORKDIR --foo /x
HEALTHCHECK --interval=1s --intervall=2s CMD true
"#,
            expect![[r#"
                FROM --platfrom=linux/amd64 alpine
                     ^^^^^^^^^^ error[InvalidFlag]: unknown flag `--platfrom` for `FROM`; did you mean `--platform`?
                COPY --link --link=false --chown . /
                            ^^^^^^^^^^^^ error[InvalidFlag]: duplicate flag `--link`
                                         ^^^^^^^ error[InvalidFlag]: missing a value on flag `--chown`
                COPY --from=a --from=b . /
                              ^^^^^^^^ error[InvalidFlag]: duplicate flag `--from`
                ADD --link=maybe --keep-git-dir= x /
                           ^^^^^ error[InvalidFlag]: expecting a boolean value for flag `--link`, not `maybe`
                                 ^^^^^^^^^^^^^^^ error[InvalidFlag]: missing a value on flag `--keep-git-dir`
                RUN --network=bridge --security=sandbox --mount=type=cache,target=/a --mount=type=tmpfs,target=/b true
                              ^^^^^^ error[InvalidFlag]: invalid network mode `bridge`: expected one of `default`, `none`, `host`
                WORKDIR --foo /x
                        ^^^^^ error[InvalidFlag]: `WORKDIR` takes no flags, found `--foo`
                HEALTHCHECK --interval=1s --intervall=2s CMD true
                                          ^^^^^^^^^^^ error[InvalidFlag]: unknown flag `--intervall` for `HEALTHCHECK`; did you mean `--interval`?
            "#]],
        );
    }

    #[test]
    fn valid_flags_and_unparsed_instructions_are_quiet() {
        check_diagnostics(
            r#"
FROM --platform=$BUILDPLATFORM alpine
ARG --whatever x
COPY --link=FALSE --exclude=a --exclude=b --parents=$P . /
HEALTHCHECK --bogus NONE
STOPSIGNAL --x SIGTERM
"#,
            expect![[r#"
                FROM --platform=$BUILDPLATFORM alpine
                ARG --whatever x
                COPY --link=FALSE --exclude=a --exclude=b --parents=$P . /
                                                                     ^ warning[UndefinedVar]: `P` is not defined by an `ARG` or `ENV` in scope; did you mean `x`?
                HEALTHCHECK --bogus NONE
                STOPSIGNAL --x SIGTERM
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nWORKDIR --foo /x\n",
            &[("invalidflag", "off")],
            expect![[r#"
                FROM alpine
                WORKDIR --foo /x
            "#]],
        );
    }

    #[test]
    fn fix_renames_the_flag() {
        let out = apply_action(
            "FROM --platfrom=$BUILDPLATFORM alpine\n",
            "InvalidFlag",
            "Change",
        );
        assert_eq!(out, "FROM --platform=$BUILDPLATFORM alpine\n");
    }
}
