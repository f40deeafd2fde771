//! Flags the triggers BuildKit refuses after `ONBUILD` (`parseOnBuild`): `ONBUILD ONBUILD`,
//! `ONBUILD FROM` and `ONBUILD MAINTAINER`.

use super::{Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::Keyword;

pub(super) static RULE: Rule = Rule {
    name: "InvalidOnbuildTrigger",
    aliases: &["DL3043"],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "`ONBUILD` followed by `ONBUILD`, `FROM` or `MAINTAINER`",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in &ctx.doc.syntax().instructions {
        let Some(trigger) = &ins.onbuild else {
            continue;
        };
        let message = match trigger.kind {
            Keyword::Onbuild => "chaining `ONBUILD` via `ONBUILD ONBUILD` is not allowed",
            Keyword::From => "`FROM` is not allowed as an `ONBUILD` trigger",
            Keyword::Maintainer => "`MAINTAINER` is not allowed as an `ONBUILD` trigger",
            _ => continue,
        };
        acc.push(Diagnostic::new(&RULE, trigger.keyword.span, message));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn refused_triggers() {
        check_diagnostics(
            r#"
FROM alpine
ONBUILD ONBUILD RUN x
onbuild from alpine
ONBUILD MAINTAINER me
"#,
            expect![[r#"
                FROM alpine
                ONBUILD ONBUILD RUN x
                        ^^^^^^^ error[InvalidOnbuildTrigger]: chaining `ONBUILD` via `ONBUILD ONBUILD` is not allowed
                onbuild from alpine
                ^^^^^^^ warning[ConsistentInstructionCasing]: instruction `onbuild` should match the case of the majority (upper-case)
                        ^^^^ error[InvalidOnbuildTrigger]: `FROM` is not allowed as an `ONBUILD` trigger
                ONBUILD MAINTAINER me
                        ^^^^^^^^^^ error[InvalidOnbuildTrigger]: `MAINTAINER` is not allowed as an `ONBUILD` trigger
            "#]],
        );
    }

    #[test]
    fn allowed_triggers() {
        check_diagnostics(
            "FROM alpine\nONBUILD RUN make\nONBUILD COPY . /src\n",
            expect![[r#"
                FROM alpine
                ONBUILD RUN make
                ONBUILD COPY . /src
            "#]],
        );
    }

    #[test]
    fn suppressed() {
        check_diagnostics(
            "FROM alpine\n# hadolint ignore=DL3043\nONBUILD FROM x\n",
            expect![[r#"
                FROM alpine
                # hadolint ignore=DL3043
                ONBUILD FROM x
            "#]],
        );
        check_diagnostics_config(
            "FROM alpine\nONBUILD FROM x\n",
            &[("InvalidOnbuildTrigger", "off")],
            expect![[r#"
                FROM alpine
                ONBUILD FROM x
            "#]],
        );
    }
}
