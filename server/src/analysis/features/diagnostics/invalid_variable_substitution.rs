//! Flags variable references BuildKit's shell lexer rejects (`syntax::expand::bad_modifiers`):
//! `${}`, an unterminated `${`, an unsupported modifier such as `${a:=b}`, in the words BuildKit
//! expands itself: the arguments of `ADD`, `COPY`, `ENV`, `EXPOSE`, `LABEL`, `STOPSIGNAL`, `USER`,
//! `VOLUME`, `WORKDIR`, `ARG` and `FROM`, and the values of `--chown`, `--chmod`, `--platform`
//! and `--mount`. Shell text (`RUN`, `CMD`, `ENTRYPOINT`) is the shell's business.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::expand::bad_modifiers;
use crate::analysis::syntax::{Instruction, Keyword};

pub(super) static RULE: Rule = Rule {
    name: "InvalidVariableSubstitution",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a `${...}` reference BuildKit cannot expand",
    check,
};

const EXPANDED_FLAGS: &[&str] = &["chown", "chmod", "platform", "mount"];

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    let escape = ctx.doc.syntax().escape;
    for ins in &ctx.doc.syntax().instructions {
        check_instruction(ins, escape, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, escape: char, acc: &mut Vec<Diagnostic>) {
    let expands_args = matches!(
        ins.kind,
        Keyword::Add
            | Keyword::Copy
            | Keyword::Env
            | Keyword::Expose
            | Keyword::Label
            | Keyword::Stopsignal
            | Keyword::User
            | Keyword::Volume
            | Keyword::Workdir
            | Keyword::Arg
            | Keyword::From
    );
    let flags = ins
        .flags
        .iter()
        .filter(|f| EXPANDED_FLAGS.contains(&f.name.text.as_str()))
        .filter_map(|f| f.value.as_ref());
    let args = (expands_args && ins.json.is_none())
        .then(|| ins.args())
        .into_iter()
        .flatten()
        // Heredoc markers are not expanded.
        .filter(|w| !w.text.starts_with("<<"));
    for w in flags.chain(args) {
        if !w.text.contains('$') {
            continue;
        }
        for (span, message) in bad_modifiers(w, escape) {
            acc.push(Diagnostic::new(&RULE, span, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn bad_references() {
        check_diagnostics(
            r#"
FROM alpine
ENV A=${B:=x}
COPY ${SRC /dst
WORKDIR ${}
"#,
            expect![[r#"
                FROM alpine
                ENV A=${B:=x}
                      ^^^^^^^ error[InvalidVariableSubstitution]: unsupported modifier `:=` in `${B:=x}`
                COPY ${SRC /dst
                     ^^^^^ error[InvalidVariableSubstitution]: `${SRC` is missing a closing `}`
                WORKDIR ${}
                        ^^^ error[InvalidVariableSubstitution]: bad substitution: `${` must be followed by a variable name, not `}`
            "#]],
        );
    }

    #[test]
    fn good_references_and_shell_text() {
        check_diagnostics(
            r#"
FROM alpine
ARG V=1
ENV A=${V:-x} B=${V:+y} C=${V#1} D=${V/1/2}
RUN echo ${A:=x}
"#,
            expect![[r#"
                FROM alpine
                ARG V=1
                ENV A=${V:-x} B=${V:+y} C=${V#1} D=${V/1/2}
                RUN echo ${A:=x}
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nWORKDIR ${}\n",
            &[("InvalidVariableSubstitution", "off")],
            expect![[r#"
                FROM alpine
                WORKDIR ${}
            "#]],
        );
    }
}
