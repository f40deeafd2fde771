//! Signature help: the usage line of the instruction being typed, with the parameter under the
//! cursor marked.
//!
//! The active parameter comes from where the cursor is: on a flag, that flag's parameter; in
//! the arguments, the argument's index (a cursor after a space starts the next argument), mapped
//! onto the signature (`<src>...` takes every argument but the last, which is `<dest>`). Exec
//! form instructions (`CMD ["exe", "arg"]`) pick the exec-form signature and count JSON
//! elements instead. An `ONBUILD` trigger gets the trigger's signature.
//!
//! Must not know: LSP types; parameter ranges are byte ranges into ASCII labels.

use crate::analysis::syntax::{Instruction, Keyword};
use crate::analysis::Document;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub label: String,
    pub doc: String,
    /// Byte ranges of the parameters inside `label`.
    pub parameters: Vec<(usize, usize)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<Signature>,
    pub active_signature: usize,
    pub active_parameter: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum P {
    /// `[--name=...]`
    Flag(&'static str),
    /// One argument.
    Arg,
    /// Every argument from here on (`<command>...`).
    Rest,
    /// Every argument but the last (`<src>...`); the next parameter is the last argument.
    AllButLast,
    /// A literal word (`AS`, `CMD`).
    Word,
}

/// `(parameter text, kind)` pairs making up one signature.
type Shape = &'static [(&'static str, P)];

const FROM: Shape = &[
    ("[--platform=<platform>]", P::Flag("platform")),
    ("<image>", P::Arg),
    ("[AS", P::Word),
    ("<name>]", P::Arg),
];
const RUN: Shape = &[
    ("[--mount=<mount>]", P::Flag("mount")),
    ("[--network=<network>]", P::Flag("network")),
    ("[--security=<security>]", P::Flag("security")),
    ("<command>...", P::Rest),
];
const COPY: Shape = &[
    ("[--from=<stage>]", P::Flag("from")),
    ("[--chown=<user>:<group>]", P::Flag("chown")),
    ("[--chmod=<perms>]", P::Flag("chmod")),
    ("[--link]", P::Flag("link")),
    ("[--parents]", P::Flag("parents")),
    ("[--exclude=<pattern>]", P::Flag("exclude")),
    ("<src>...", P::AllButLast),
    ("<dest>", P::Arg),
];
const ADD: Shape = &[
    ("[--chown=<user>:<group>]", P::Flag("chown")),
    ("[--chmod=<perms>]", P::Flag("chmod")),
    ("[--link]", P::Flag("link")),
    ("[--checksum=<digest>]", P::Flag("checksum")),
    ("[--keep-git-dir]", P::Flag("keep-git-dir")),
    ("[--unpack]", P::Flag("unpack")),
    ("[--exclude=<pattern>]", P::Flag("exclude")),
    ("<src>...", P::AllButLast),
    ("<dest>", P::Arg),
];
const HEALTHCHECK: Shape = &[
    ("[--interval=<duration>]", P::Flag("interval")),
    ("[--timeout=<duration>]", P::Flag("timeout")),
    ("[--start-period=<duration>]", P::Flag("start-period")),
    ("[--start-interval=<duration>]", P::Flag("start-interval")),
    ("[--retries=<n>]", P::Flag("retries")),
    ("CMD", P::Word),
    ("<command>...", P::Rest),
];
const HEALTHCHECK_NONE: Shape = &[("NONE", P::Word)];
const EXEC: Shape = &[("[\"<executable>\",", P::Arg), ("\"<param>\"...]", P::Rest)];
const EXEC_PARAMS: Shape = &[("[\"<param>\"...]", P::Rest)];
const SHELL_CMD: Shape = &[("<command>...", P::Rest)];
const ARG: Shape = &[("<name>[=<default>]...", P::Rest)];
const KEY_VALUES: Shape = &[("<key>=<value>...", P::Rest)];
const EXPOSE: Shape = &[("<port>[/<protocol>]...", P::Rest)];
const USER: Shape = &[("<user>[:<group>]", P::Arg)];
const PATH: Shape = &[("<path>", P::Arg)];
const PATHS: Shape = &[("<path>...", P::Rest)];
const SIGNAL: Shape = &[("<signal>", P::Arg)];
const SHELL: Shape = &[("[\"<executable>\",", P::Arg), ("\"<param>\"...]", P::Rest)];
const NAME: Shape = &[("<name>", P::Rest)];
const ONBUILD: Shape = &[("<INSTRUCTION>", P::Rest)];

/// The signatures of an instruction with a short description each; the first is the default.
fn shapes(k: Keyword) -> &'static [(Shape, &'static str)] {
    match k {
        Keyword::From => &[(FROM, "start a stage from an image or an earlier stage")],
        Keyword::Run => &[
            (RUN, "run a command in the shell"),
            (EXEC, "run a program directly (exec form)"),
        ],
        Keyword::Copy => &[(COPY, "copy files from the context, a stage or an image")],
        Keyword::Add => &[(ADD, "add files, URLs or Git repositories")],
        Keyword::Cmd => &[
            (EXEC, "default command (exec form)"),
            (EXEC_PARAMS, "default arguments of ENTRYPOINT"),
            (SHELL_CMD, "default command, run by the shell"),
        ],
        Keyword::Entrypoint => &[
            (EXEC, "the program the container runs (exec form)"),
            (SHELL_CMD, "a command run by the shell (ignores CMD)"),
        ],
        Keyword::Healthcheck => &[
            (HEALTHCHECK, "check the container's health with a command"),
            (HEALTHCHECK_NONE, "turn off an inherited health check"),
        ],
        Keyword::Arg => &[(ARG, "declare build arguments")],
        Keyword::Env => &[(KEY_VALUES, "set environment variables")],
        Keyword::Label => &[(KEY_VALUES, "add image metadata")],
        Keyword::Expose => &[(EXPOSE, "document listening ports")],
        Keyword::User => &[(USER, "user (and group) for later instructions")],
        Keyword::Workdir => &[(PATH, "working directory for later instructions")],
        Keyword::Volume => &[
            (PATHS, "mount points for volumes"),
            (EXEC_PARAMS, "mount points for volumes (JSON form)"),
        ],
        Keyword::Stopsignal => &[(SIGNAL, "signal that stops the container")],
        Keyword::Shell => &[(SHELL, "shell for the shell form of RUN, CMD and ENTRYPOINT")],
        Keyword::Maintainer => &[(
            NAME,
            "deprecated: use LABEL org.opencontainers.image.authors",
        )],
        Keyword::Onbuild => &[(ONBUILD, "an instruction to run when the image is a base")],
        Keyword::Unknown => &[],
    }
}

fn signature(k: Keyword, shape: Shape, doc: &str) -> Signature {
    let mut label = k.as_str().to_string();
    let mut parameters = Vec::with_capacity(shape.len());
    for (text, _) in shape {
        label.push(' ');
        let start = label.len();
        label.push_str(text);
        parameters.push((start, label.len()));
    }
    Signature {
        label,
        doc: doc.to_string(),
        parameters,
    }
}

/// Signature help at `offset`, when it is inside an instruction's arguments or flags.
pub fn signature_help(doc: &Document, offset: usize) -> Option<SignatureHelp> {
    let offset = doc.clamp(offset);
    let syntax = doc.syntax();
    let ins = &syntax.instructions[syntax.instruction_at(offset)?];
    let ins = match &ins.onbuild {
        Some(sub) if offset > sub.keyword.span.end => sub.as_ref(),
        _ => ins,
    };
    // On the keyword itself: completion territory, not a signature yet. Past the instruction's
    // last line (a cursor at the start of the next line): nothing.
    if offset <= ins.keyword.span.end || offset > ins.span.end {
        return None;
    }
    let list = shapes(ins.kind);
    if list.is_empty() {
        return None;
    }
    let (active_signature, active_parameter) = active(ins, list, offset);
    Some(SignatureHelp {
        signatures: list
            .iter()
            .map(|(shape, d)| signature(ins.kind, shape, d))
            .collect(),
        active_signature,
        active_parameter,
    })
}

/// An exec-form (JSON array) signature.
fn is_exec(shape: Shape) -> bool {
    shape
        .first()
        .is_some_and(|(text, _)| text.starts_with("[\""))
}

fn active(ins: &Instruction, list: &[(Shape, &str)], offset: usize) -> (usize, Option<usize>) {
    let exec_sig = list.iter().position(|(s, _)| is_exec(s));
    if let (Some(json), Some(sig)) = (&ins.json, exec_sig) {
        // Exec form: element 0 is the executable, the rest are parameters.
        let before = json.iter().filter(|w| w.span.end < offset).count();
        let on = json.iter().position(|w| w.span.touches(offset));
        let index = on.unwrap_or(before);
        return (sig, Some(usize::from(index > 0)));
    }
    let default = list.iter().position(|(s, _)| !is_exec(s)).unwrap_or(0);
    // `HEALTHCHECK NONE`.
    if ins.kind == Keyword::Healthcheck
        && ins
            .args()
            .first()
            .is_some_and(|a| a.text.eq_ignore_ascii_case("none"))
    {
        return (1, Some(0));
    }
    let shape = list[default].0;
    // A flag under the cursor.
    if let Some(f) = ins.flags.iter().find(|f| f.span.touches(offset)) {
        let p = shape
            .iter()
            .position(|(_, p)| matches!(p, P::Flag(n) if *n == f.name.text));
        return (default, p);
    }
    if ins.flags.last().is_some_and(|f| offset < f.span.start) {
        return (default, None);
    }
    let positional: Vec<usize> = shape
        .iter()
        .enumerate()
        .filter(|(_, (_, p))| !matches!(p, P::Flag(_)))
        .map(|(i, _)| i)
        .collect();
    if positional.is_empty() {
        return (default, None);
    }
    // HEALTHCHECK's `CMD` word is an argument like any other here.
    let args = ins.args();
    let on = args.iter().position(|a| a.span.touches(offset));
    let index = on.unwrap_or_else(|| args.iter().filter(|a| a.span.end < offset).count());
    let total = args.len().max(index + 1);
    let mut k = 0;
    for (pi, &si) in positional.iter().enumerate() {
        match shape[si].1 {
            P::Rest => return (default, Some(si)),
            P::AllButLast => {
                // The last argument (once there are two) is the destination.
                let is_last = index + 1 == total && index > k;
                if !is_last {
                    return (default, Some(si));
                }
                return (default, positional.get(pi + 1).copied().or(Some(si)));
            }
            P::Arg | P::Word | P::Flag(_) => {
                if index == k {
                    return (default, Some(si));
                }
                k += 1;
            }
        }
    }
    (default, positional.last().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::doc_with_cursor;
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expect: Expect) {
        let (doc, offset) = doc_with_cursor(fixture);
        let out = match signature_help(&doc, offset) {
            None => "none".to_string(),
            Some(h) => {
                let s = &h.signatures[h.active_signature];
                let param = h
                    .active_parameter
                    .and_then(|p| s.parameters.get(p))
                    .map_or("-", |&(a, b)| &s.label[a..b]);
                format!(
                    "{} ({} of {}) active: {param}",
                    s.label,
                    h.active_signature + 1,
                    h.signatures.len()
                )
            }
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn from_tracks_image_as_and_name() {
        check(
            "FROM <|>",
            expect![[
                r#"FROM [--platform=<platform>] <image> [AS <name>] (1 of 1) active: <image>"#
            ]],
        );
        check(
            "FROM --platform=linux/a<|>md64 alpine",
            expect![[
                r#"FROM [--platform=<platform>] <image> [AS <name>] (1 of 1) active: [--platform=<platform>]"#
            ]],
        );
        check(
            "FROM alpine <|>",
            expect![[r#"FROM [--platform=<platform>] <image> [AS <name>] (1 of 1) active: [AS"#]],
        );
        check(
            "FROM alpine AS b<|>",
            expect![[
                r#"FROM [--platform=<platform>] <image> [AS <name>] (1 of 1) active: <name>]"#
            ]],
        );
        check("FR<|>OM alpine", expect![[r#"none"#]]);
    }

    #[test]
    fn copy_sources_then_destination() {
        let sig = "COPY [--from=<stage>] [--chown=<user>:<group>] [--chmod=<perms>] [--link] [--parents] [--exclude=<pattern>] <src>... <dest>";
        let active = |fixture: &str| {
            let (doc, offset) = doc_with_cursor(fixture);
            let h = signature_help(&doc, offset).unwrap();
            assert_eq!(h.signatures[0].label, sig);
            let (a, b) = h.signatures[0].parameters[h.active_parameter.unwrap()];
            sig[a..b].to_string()
        };
        assert_eq!(active("COPY --from=bu<|>ild a b"), "[--from=<stage>]");
        assert_eq!(active("COPY --chown=1:1 <|>"), "<src>...");
        assert_eq!(active("COPY a <|>"), "<dest>");
        assert_eq!(active("COPY a b <|>"), "<dest>");
        assert_eq!(active("COPY a <|>b c"), "<src>...");
        assert_eq!(active("COPY a b c<|>"), "<dest>");
        assert_eq!(active("COPY --link a \\\n  b <|>"), "<dest>");
    }

    #[test]
    fn exec_form_and_healthcheck() {
        check(
            r#"CMD ["ls", "-<|>l"]"#,
            expect![[r#"CMD ["<executable>", "<param>"...] (1 of 3) active: "<param>"...]"#]],
        );
        check(
            r#"CMD ["l<|>s"]"#,
            expect![[r#"CMD ["<executable>", "<param>"...] (1 of 3) active: ["<executable>","#]],
        );
        check(
            "CMD echo <|>",
            expect![[r#"CMD <command>... (3 of 3) active: <command>..."#]],
        );
        check(
            "HEALTHCHECK --retries=3 CMD cu<|>rl -f http://x",
            expect![[
                r#"HEALTHCHECK [--interval=<duration>] [--timeout=<duration>] [--start-period=<duration>] [--start-interval=<duration>] [--retries=<n>] CMD <command>... (1 of 2) active: <command>..."#
            ]],
        );
        check(
            "HEALTHCHECK --ret<|>ries=3 CMD true",
            expect![[
                r#"HEALTHCHECK [--interval=<duration>] [--timeout=<duration>] [--start-period=<duration>] [--start-interval=<duration>] [--retries=<n>] CMD <command>... (1 of 2) active: [--retries=<n>]"#
            ]],
        );
        check(
            "HEALTHCHECK NONE<|>",
            expect![[r#"HEALTHCHECK NONE (2 of 2) active: NONE"#]],
        );
    }

    #[test]
    fn run_onbuild_and_windows_escape() {
        check(
            "RUN --mount=type=cache,target=/x <|>",
            expect![[
                r#"RUN [--mount=<mount>] [--network=<network>] [--security=<security>] <command>... (1 of 2) active: <command>..."#
            ]],
        );
        check(
            "ONBUILD COPY a <|>",
            expect![[
                r#"COPY [--from=<stage>] [--chown=<user>:<group>] [--chmod=<perms>] [--link] [--parents] [--exclude=<pattern>] <src>... <dest> (1 of 1) active: <dest>"#
            ]],
        );
        check(
            "# escape=`\r\nFROM windows `\r\n  AS <|>b\r\n",
            expect![[
                r#"FROM [--platform=<platform>] <image> [AS <name>] (1 of 1) active: <name>]"#
            ]],
        );
        check("FROM a\n<|>", expect![[r#"none"#]]);
    }
}
