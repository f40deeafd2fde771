//! Flags an instruction with the wrong number of arguments for BuildKit's `instructions/parse.go`:
//! `COPY`/`ADD` without a destination, `EXPOSE`, `VOLUME`, `ARG`, `ENV`, `LABEL`, `ONBUILD`,
//! `HEALTHCHECK` and `SHELL` with none, `WORKDIR`, `USER`, `MAINTAINER` and `STOPSIGNAL` with none
//! (they take the rest of the line as one argument), `SHELL` not in JSON form, and an empty
//! string in `VOLUME [...]`. `FROM` has its own rule (`InvalidFromSyntax`).

use super::{whitespace_arg_count, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::{Instruction, Keyword};

pub(super) static RULE: Rule = Rule {
    name: "WrongArgumentCount",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "an instruction without the arguments BuildKit requires",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    let kw = ins.kind.as_str();
    // ADD, COPY, EXPOSE and VOLUME split at whitespace without looking at quotes. Counted only
    // for the instructions that need it (a `RUN`'s words are split only when asked for).
    let n = || match (&ins.json, ins.kind) {
        (Some(json), _) => json.len(),
        (None, Keyword::Add | Keyword::Copy | Keyword::Expose | Keyword::Volume) => {
            whitespace_arg_count(ins)
        }
        (None, _) => ins.args().len(),
    };
    let at = ins.keyword.span;
    let message = match ins.kind {
        Keyword::Add | Keyword::Copy if n() < 2 => Some(format!(
            "`{kw}` requires at least two arguments, a source and a destination"
        )),
        Keyword::Expose
        | Keyword::Volume
        | Keyword::Arg
        | Keyword::Env
        | Keyword::Label
        | Keyword::Onbuild
        | Keyword::Healthcheck
        | Keyword::Shell
            if n() == 0 =>
        {
            Some(format!("`{kw}` requires at least one argument"))
        }
        Keyword::Workdir | Keyword::User | Keyword::Maintainer | Keyword::Stopsignal
            if ins.rest.text.trim().is_empty() =>
        {
            Some(format!("`{kw}` requires exactly one argument"))
        }
        Keyword::Shell if ins.json.is_none() => {
            acc.push(Diagnostic::new(
                &RULE,
                ins.rest.span,
                "`SHELL` requires the arguments in JSON form, e.g. `[\"/bin/sh\", \"-c\"]`",
            ));
            None
        }
        Keyword::Volume => {
            if let Some(empty) = ins.json.iter().flatten().find(|w| w.text.trim().is_empty()) {
                acc.push(Diagnostic::new(
                    &RULE,
                    empty.span,
                    "`VOLUME` paths can not be empty strings",
                ));
            }
            None
        }
        _ => None,
    };
    if let Some(m) = message {
        acc.push(Diagnostic::new(&RULE, at, m));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn missing_arguments() {
        check_diagnostics(
            r#"
FROM alpine
COPY app
ADD ["x"]
COPY "a b"
EXPOSE
WORKDIR
SHELL /bin/bash -c
SHELL []
VOLUME ["/data", " "]
ONBUILD COPY x
"#,
            expect![[r#"
                FROM alpine
                COPY app
                ^^^^ error[WrongArgumentCount]: `COPY` requires at least two arguments, a source and a destination
                ADD ["x"]
                ^^^ error[WrongArgumentCount]: `ADD` requires at least two arguments, a source and a destination
                COPY "a b"
                EXPOSE
                ^^^^^^ error[WrongArgumentCount]: `EXPOSE` requires at least one argument
                WORKDIR
                ^^^^^^^ error[WrongArgumentCount]: `WORKDIR` requires exactly one argument
                SHELL /bin/bash -c
                      ^^^^^^^^^^^^ error[WrongArgumentCount]: `SHELL` requires the arguments in JSON form, e.g. `["/bin/sh", "-c"]`
                SHELL []
                ^^^^^ error[WrongArgumentCount]: `SHELL` requires at least one argument
                VOLUME ["/data", " "]
                                 ^^^ error[WrongArgumentCount]: `VOLUME` paths can not be empty strings
                ONBUILD COPY x
                        ^^^^ error[WrongArgumentCount]: `COPY` requires at least two arguments, a source and a destination
            "#]],
        );
    }

    #[test]
    fn enough_arguments() {
        check_diagnostics(
            r#"
FROM alpine
COPY <<EOF /x
hi
EOF
ADD ["a", "b"]
EXPOSE 80
WORKDIR /app
USER a b
SHELL ["/bin/bash", "-c"]
RUN
CMD
VOLUME /data
"#,
            expect![[r#"
                FROM alpine
                COPY <<EOF /x
                hi
                EOF
                ADD ["a", "b"]
                EXPOSE 80
                WORKDIR /app
                USER a b
                SHELL ["/bin/bash", "-c"]
                RUN
                CMD
                VOLUME /data
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nEXPOSE\n",
            &[("WrongArgumentCount", "off")],
            expect![[r#"
                FROM alpine
                EXPOSE
            "#]],
        );
    }
}
