//! Flags `RUN --mount=` values BuildKit's `parseMount` (`instructions/commands_runmount.go`)
//! rejects: a value its CSV reader cannot read, an unknown mount type or key (with "did you
//! mean"), a key the mount type does not take, a field without `=` other than `ro`/`rw`/
//! `required`, bad booleans, `sharing`, `mode` (octal), `uid`/`gid` values, variables in `from=`,
//! and the secret-mount rules (no `from`, no `sharing`, a `source`, `target` or `id`; not both
//! `source` and `id`). Values with other variables are expanded by BuildKit first and left alone.

use super::{did_you_mean, Ctx, Diagnostic, Rule, Severity};
use crate::analysis::syntax::mount::{
    key_allowed, parse_bool, parse_mount_checked, ALL_KEYS, BOOL_KEYS, MOUNT_TYPES, SHARING_MODES,
};
use crate::analysis::syntax::{Instruction, Keyword, Span};

pub(super) static RULE: Rule = Rule {
    name: "InvalidMount",
    aliases: &[],
    severity: Severity::Error,
    enabled_by_default: true,
    summary: "a `RUN --mount` value BuildKit rejects",
    check,
};

fn check(ctx: &Ctx, acc: &mut Vec<Diagnostic>) {
    for ins in ctx.doc.syntax().instructions_and_triggers() {
        check_instruction(ins, acc);
    }
}

pub(super) fn check_instruction(ins: &Instruction, acc: &mut Vec<Diagnostic>) {
    if ins.kind != Keyword::Run {
        return;
    }
    for flag in ins.flags_named("mount") {
        let Some(value) = &flag.value else { continue };
        let (opts, error) = parse_mount_checked(value);
        if let Some((span, message)) = error {
            acc.push(Diagnostic::new(
                &RULE,
                span,
                format!("invalid `--mount`: {message}"),
            ));
            continue;
        }
        check_mount(value, &opts, acc);
    }
}

fn check_mount(
    value: &crate::analysis::syntax::Word,
    opts: &[crate::analysis::syntax::mount::MountOpt],
    acc: &mut Vec<Diagnostic>,
) {
    let mut push = |span: Span, m: String| acc.push(Diagnostic::new(&RULE, span, m));
    let typ = opts
        .iter()
        .filter(|o| o.key.text == "type")
        .filter_map(|o| o.value.as_ref())
        .next_back()
        .map_or("bind".to_string(), |v| {
            v.text.to_ascii_lowercase().to_string()
        });
    let typ_known = MOUNT_TYPES.contains(&typ.as_str());
    let has = |k: &[&str]| {
        opts.iter().any(|o| {
            k.contains(&o.key.text.as_str()) && o.value.as_ref().is_some_and(|v| !v.text.is_empty())
        })
    };
    let (has_from, has_sharing) = (has(&["from"]), has(&["sharing"]));
    let (has_source, has_target, has_id) = (
        has(&["source", "src"]),
        has(&["target", "dst", "destination"]),
        has(&["id"]),
    );
    for o in opts {
        let key = o.key.text.as_str();
        if key.is_empty() {
            continue;
        }
        let Some(v) = &o.value else {
            if !BOOL_KEYS.contains(&key) {
                push(
                    o.span,
                    format!("invalid `--mount` field `{key}`: it must be a `key=value` pair"),
                );
            } else if key == "required" && typ_known && !key_allowed(&typ, key) {
                push(
                    o.key.span,
                    format!("`{key}` is not allowed for `{typ}` mounts"),
                );
            }
            continue;
        };
        if !ALL_KEYS.contains(&key) {
            let mut m = format!("unexpected `--mount` key `{key}`");
            if let Some(s) = did_you_mean(key, ALL_KEYS) {
                m.push_str(&format!("; did you mean `{s}`?"));
            }
            push(o.key.span, m);
            continue;
        }
        if key == "from" {
            if let Some(i) = v.text.find('$') {
                if i + 1 != v.text.len() {
                    push(
                        v.span,
                        "`from` does not support variables: define a stage alias instead"
                            .to_string(),
                    );
                }
            }
            if typ_known && !key_allowed(&typ, key) {
                push(
                    o.key.span,
                    format!("`{key}` is not allowed for `{typ}` mounts"),
                );
            }
            continue;
        }
        if v.text.contains('$') {
            continue;
        }
        let text = v.text.as_str();
        match key {
            "type" => {
                if !MOUNT_TYPES.contains(&text.to_ascii_lowercase().as_str()) {
                    let mut m = format!(
                        "unsupported mount type `{text}`: expected one of `bind`, `cache`, `tmpfs`, `secret`, `ssh`"
                    );
                    if let Some(s) = did_you_mean(text, MOUNT_TYPES) {
                        m = format!("unsupported mount type `{text}`; did you mean `{s}`?");
                    }
                    push(v.span, m);
                }
                continue;
            }
            "sharing" if !SHARING_MODES.contains(&text.to_ascii_lowercase().as_str()) => {
                push(v.span, format!("unsupported sharing value `{text}`: expected `shared`, `private` or `locked`"));
            }
            k if BOOL_KEYS.contains(&k) && parse_bool(text).is_none() => {
                push(
                    v.span,
                    format!("invalid value for `{k}`: `{text}` is not a boolean"),
                );
            }
            "mode" if u32::from_str_radix(text, 8).is_err() => {
                push(
                    v.span,
                    format!("invalid value for `mode`: `{text}` is not an octal number"),
                );
            }
            "uid" | "gid" if text.parse::<u32>().is_err() => {
                push(
                    v.span,
                    format!("invalid value for `{key}`: `{text}` is not a number"),
                );
            }
            _ => {}
        }
        if typ_known && !key_allowed(&typ, key) {
            push(
                o.key.span,
                format!("`{key}` is not allowed for `{typ}` mounts"),
            );
        }
    }
    if typ == "secret" && !has_from && !has_sharing && !has_source && !has_target && !has_id {
        push(
            value.span,
            "a secret mount needs a `source`, `target` or `id`".to_string(),
        );
    }
    if typ == "secret" && has_source && has_id {
        push(
            value.span,
            "a secret mount takes `source` or `id`, not both".to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_diagnostics, check_diagnostics_config};
    use expect_test::expect;

    #[test]
    fn bad_mounts() {
        check_diagnostics(
            r#"
FROM alpine
RUN --mount=type=cahce,target=/x true
RUN --mount=type=cache,target=/x,sharing=all,mode=999,uid=me,ro=maybe true
RUN --mount=type=bind,targte=/x,size=10m,cache true
RUN --mount=type=secret,id=a,source=b,from=x true
RUN --mount=type=secret true
RUN --mount=from=$STAGE,target=/x true
RUN --mount=target="/a,b" true
"#,
            expect![[r#"
                FROM alpine
                RUN --mount=type=cahce,target=/x true
                                 ^^^^^ error[InvalidMount]: unsupported mount type `cahce`; did you mean `cache`?
                RUN --mount=type=cache,target=/x,sharing=all,mode=999,uid=me,ro=maybe true
                                                         ^^^ error[InvalidMount]: unsupported sharing value `all`: expected `shared`, `private` or `locked`
                                                                  ^^^ error[InvalidMount]: invalid value for `mode`: `999` is not an octal number
                                                                          ^^ error[InvalidMount]: invalid value for `uid`: `me` is not a number
                                                                                ^^^^^ error[InvalidMount]: invalid value for `ro`: `maybe` is not a boolean
                RUN --mount=type=bind,targte=/x,size=10m,cache true
                                      ^^^^^^ error[InvalidMount]: unexpected `--mount` key `targte`; did you mean `target`?
                                                ^^^^ error[InvalidMount]: `size` is not allowed for `bind` mounts
                                                         ^^^^^ error[InvalidMount]: invalid `--mount` field `cache`: it must be a `key=value` pair
                RUN --mount=type=secret,id=a,source=b,from=x true
                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error[InvalidMount]: a secret mount takes `source` or `id`, not both
                                                      ^^^^ error[InvalidMount]: `from` is not allowed for `secret` mounts
                RUN --mount=type=secret true
                            ^^^^^^^^^^^ error[InvalidMount]: a secret mount needs a `source`, `target` or `id`
                RUN --mount=from=$STAGE,target=/x true
                                 ^^^^^^ error[InvalidMount]: `from` does not support variables: define a stage alias instead
                RUN --mount=target="/a,b" true
                                       ^ error[InvalidMount]: invalid `--mount` field `b`: it must be a `key=value` pair
            "#]],
        );
    }

    #[test]
    fn good_mounts() {
        check_diagnostics(
            r#"
FROM alpine
RUN --mount=type=cache,target=/root/.cache,sharing=locked,mode=0755,uid=1000,id=go \
    --mount=type=secret,id=token,required --mount=type=ssh \
    --mount=type=bind,from=build,source=/out,target=/in,rw \
    --mount=type=tmpfs,target=/tmp,size=64m --mount="type=bind,target=/a" true
RUN --mount=type=$T,target=$DIR true
"#,
            expect![[r#"
                FROM alpine
                RUN --mount=type=cache,target=/root/.cache,sharing=locked,mode=0755,uid=1000,id=go \
                    --mount=type=secret,id=token,required --mount=type=ssh \
                    --mount=type=bind,from=build,source=/out,target=/in,rw \
                    --mount=type=tmpfs,target=/tmp,size=64m --mount="type=bind,target=/a" true
                RUN --mount=type=$T,target=$DIR true
            "#]],
        );
    }

    #[test]
    fn turned_off_in_settings() {
        check_diagnostics_config(
            "FROM alpine\nRUN --mount=type=cahce true\n",
            &[("InvalidMount", "off")],
            expect![[r#"
                FROM alpine
                RUN --mount=type=cahce true
            "#]],
        );
    }
}
