//! Completion fixtures: `<|>` marks the cursor; the rendering shows the replaced range under
//! the text, then one line per item in the order a client sorts them:
//! `label [kind] "insert text" (snippet) // detail`.

use expect_test::{expect, Expect};

use super::{completion, CompletionConfig, CompletionItem};
use crate::analysis::test_support::{doc_with_cursor, render};
use crate::analysis::{Document, Span};

const PLAIN: CompletionConfig = CompletionConfig { snippets: false };
const SNIPPETS: CompletionConfig = CompletionConfig { snippets: true };

fn check(fixture: &str, expect: Expect) {
    check_with(fixture, PLAIN, expect);
}

fn check_with(fixture: &str, config: CompletionConfig, expect: Expect) {
    let (doc, offset) = doc_with_cursor(fixture);
    let items = completion(&doc, offset, config);
    expect.assert_eq(&render_items(&doc, &items));
}

fn sorted(items: &[CompletionItem]) -> Vec<&CompletionItem> {
    let mut items: Vec<&CompletionItem> = items.iter().collect();
    items.sort_by(|a, b| {
        let ka = a.sort_text.as_deref().unwrap_or(&a.label);
        let kb = b.sort_text.as_deref().unwrap_or(&b.label);
        (ka, &a.label).cmp(&(kb, &b.label))
    });
    items
}

fn render_items(doc: &Document, items: &[CompletionItem]) -> String {
    if items.is_empty() {
        return "(none)\n".to_string();
    }
    let mut spans: Vec<Span> = Vec::new();
    for item in items {
        if !spans.contains(&item.replace) {
            spans.push(item.replace);
        }
    }
    let name = |i: usize| {
        if spans.len() == 1 {
            "replace".to_string()
        } else {
            format!("replace {i}")
        }
    };
    let labelled: Vec<(Span, String)> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, name(i)))
        .collect();
    let text = doc.text().to_string();
    let mut out = render(&text, &labelled);
    out.push_str("--\n");
    for item in sorted(items) {
        out.push_str(&format!(
            "{} [{:?}] {:?}",
            item.label, item.kind, item.insert_text
        ));
        if item.snippet {
            out.push_str(" (snippet)");
        }
        if spans.len() > 1 {
            let i = spans.iter().position(|s| *s == item.replace).unwrap_or(0);
            out.push_str(&format!(" @{}", name(i)));
        }
        if let Some(d) = &item.detail {
            out.push_str(&format!(" // {d}"));
        }
        out.push('\n');
    }
    out
}

// ---- instructions ----

#[test]
fn instructions_in_an_empty_document_put_arg_and_from_first() {
    check(
        "<|>",
        expect![[r#"
        --
        ARG [Keyword] "ARG " // Declare a build argument, optionally with a default value
        FROM [Keyword] "FROM " // Start a new build stage from a base image or an earlier stage
        ADD [Keyword] "ADD " // Copy files, directories or remote URLs into the image, unpacking local archives
        CMD [Keyword] "CMD " // Set the default command of the container
        COPY [Keyword] "COPY " // Copy files and directories from the build context, a stage or an image
        ENTRYPOINT [Keyword] "ENTRYPOINT " // Set the executable the container runs
        ENV [Keyword] "ENV " // Set environment variables for later instructions and the container
        EXPOSE [Keyword] "EXPOSE " // Document the ports the container listens on
        HEALTHCHECK [Keyword] "HEALTHCHECK " // Tell how to check that the container still works
        LABEL [Keyword] "LABEL " // Add metadata to the image as key-value pairs
        MAINTAINER [Keyword] "MAINTAINER " // Set the image author (deprecated: use `LABEL org.opencontainers.image.authors=...`)
        ONBUILD [Keyword] "ONBUILD " // Add a trigger instruction that runs when the image is used as a base
        RUN [Keyword] "RUN " // Run a command while building the image
        SHELL [Keyword] "SHELL " // Set the shell for the shell form of RUN, CMD and ENTRYPOINT
        STOPSIGNAL [Keyword] "STOPSIGNAL " // Set the signal that stops the container
        USER [Keyword] "USER " // Set the user (and group) for later instructions and the container
        VOLUME [Keyword] "VOLUME " // Create a mount point for externally mounted volumes
        WORKDIR [Keyword] "WORKDIR " // Set the working directory for later instructions and the container
    "#]],
    );
}

#[test]
fn instructions_keep_a_lower_case_prefix() {
    check(
        r#"
FROM alpine
ru<|>
"#,
        expect![[r#"
            FROM alpine
            ru
            ^^ replace
            --
            add [Keyword] "add " // Copy files, directories or remote URLs into the image, unpacking local archives
            arg [Keyword] "arg " // Declare a build argument, optionally with a default value
            cmd [Keyword] "cmd " // Set the default command of the container
            copy [Keyword] "copy " // Copy files and directories from the build context, a stage or an image
            entrypoint [Keyword] "entrypoint " // Set the executable the container runs
            env [Keyword] "env " // Set environment variables for later instructions and the container
            expose [Keyword] "expose " // Document the ports the container listens on
            from [Keyword] "from " // Start a new build stage from a base image or an earlier stage
            healthcheck [Keyword] "healthcheck " // Tell how to check that the container still works
            label [Keyword] "label " // Add metadata to the image as key-value pairs
            maintainer [Keyword] "maintainer " // Set the image author (deprecated: use `LABEL org.opencontainers.image.authors=...`)
            onbuild [Keyword] "onbuild " // Add a trigger instruction that runs when the image is used as a base
            run [Keyword] "run " // Run a command while building the image
            shell [Keyword] "shell " // Set the shell for the shell form of RUN, CMD and ENTRYPOINT
            stopsignal [Keyword] "stopsignal " // Set the signal that stops the container
            user [Keyword] "user " // Set the user (and group) for later instructions and the container
            volume [Keyword] "volume " // Create a mount point for externally mounted volumes
            workdir [Keyword] "workdir " // Set the working directory for later instructions and the container
        "#]],
    );
}

#[test]
fn instruction_snippets() {
    check_with(
        r#"
FROM alpine
<|>
"#,
        SNIPPETS,
        expect![[r#"
            FROM alpine

            ^ replace
            --
            ADD [Keyword] "ADD ${1:src} ${2:dest}" (snippet) // Copy files, directories or remote URLs into the image, unpacking local archives
            ARG [Keyword] "ARG ${1:name}" (snippet) // Declare a build argument, optionally with a default value
            CMD [Keyword] "CMD [\"${1:executable}\"]" (snippet) // Set the default command of the container
            COPY [Keyword] "COPY ${1:src} ${2:dest}" (snippet) // Copy files and directories from the build context, a stage or an image
            COPY --from [Keyword] "COPY --from=${1:stage} ${2:src} ${3:dest}" (snippet) // copy from a build stage
            ENTRYPOINT [Keyword] "ENTRYPOINT [\"${1:executable}\"]" (snippet) // Set the executable the container runs
            ENV [Keyword] "ENV ${1:key}=${2:value}" (snippet) // Set environment variables for later instructions and the container
            EXPOSE [Keyword] "EXPOSE ${1:port}" (snippet) // Document the ports the container listens on
            FROM [Keyword] "FROM ${1:image}" (snippet) // Start a new build stage from a base image or an earlier stage
            HEALTHCHECK [Keyword] "HEALTHCHECK --interval=${1:30s} CMD ${2:command}" (snippet) // Tell how to check that the container still works
            LABEL [Keyword] "LABEL ${1:key}=${2:value}" (snippet) // Add metadata to the image as key-value pairs
            MAINTAINER [Keyword] "MAINTAINER ${1:name}" (snippet) // Set the image author (deprecated: use `LABEL org.opencontainers.image.authors=...`)
            ONBUILD [Keyword] "ONBUILD ${1:INSTRUCTION}" (snippet) // Add a trigger instruction that runs when the image is used as a base
            RUN [Keyword] "RUN ${1:command}" (snippet) // Run a command while building the image
            SHELL [Keyword] "SHELL [\"${1:/bin/sh}\", \"${2:-c}\"]" (snippet) // Set the shell for the shell form of RUN, CMD and ENTRYPOINT
            STOPSIGNAL [Keyword] "STOPSIGNAL ${1:SIGTERM}" (snippet) // Set the signal that stops the container
            USER [Keyword] "USER ${1:user}" (snippet) // Set the user (and group) for later instructions and the container
            VOLUME [Keyword] "VOLUME ${1:path}" (snippet) // Create a mount point for externally mounted volumes
            WORKDIR [Keyword] "WORKDIR ${1:path}" (snippet) // Set the working directory for later instructions and the container
        "#]],
    );
}

#[test]
fn instruction_documentation_links_the_reference() {
    let (doc, offset) = doc_with_cursor("FROM alpine\nHEALTH<|>\n");
    let items = completion(&doc, offset, PLAIN);
    let item = items
        .iter()
        .find(|i| i.label == "HEALTHCHECK")
        .expect("HEALTHCHECK offered");
    expect![[r#"
        Tell how to check that the container still works.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#healthcheck)"#]]
    .assert_eq(item.documentation.as_deref().unwrap_or(""));
}

#[test]
fn editing_a_keyword_replaces_only_the_keyword() {
    check(
        r#"
FROM alpine
CO<|>PY src dst
"#,
        expect![[r#"
            FROM alpine
            COPY src dst
            ^^^^ replace
            --
            ADD [Keyword] "ADD" // Copy files, directories or remote URLs into the image, unpacking local archives
            ARG [Keyword] "ARG" // Declare a build argument, optionally with a default value
            CMD [Keyword] "CMD" // Set the default command of the container
            COPY [Keyword] "COPY" // Copy files and directories from the build context, a stage or an image
            ENTRYPOINT [Keyword] "ENTRYPOINT" // Set the executable the container runs
            ENV [Keyword] "ENV" // Set environment variables for later instructions and the container
            EXPOSE [Keyword] "EXPOSE" // Document the ports the container listens on
            FROM [Keyword] "FROM" // Start a new build stage from a base image or an earlier stage
            HEALTHCHECK [Keyword] "HEALTHCHECK" // Tell how to check that the container still works
            LABEL [Keyword] "LABEL" // Add metadata to the image as key-value pairs
            MAINTAINER [Keyword] "MAINTAINER" // Set the image author (deprecated: use `LABEL org.opencontainers.image.authors=...`)
            ONBUILD [Keyword] "ONBUILD" // Add a trigger instruction that runs when the image is used as a base
            RUN [Keyword] "RUN" // Run a command while building the image
            SHELL [Keyword] "SHELL" // Set the shell for the shell form of RUN, CMD and ENTRYPOINT
            STOPSIGNAL [Keyword] "STOPSIGNAL" // Set the signal that stops the container
            USER [Keyword] "USER" // Set the user (and group) for later instructions and the container
            VOLUME [Keyword] "VOLUME" // Create a mount point for externally mounted volumes
            WORKDIR [Keyword] "WORKDIR" // Set the working directory for later instructions and the container
        "#]],
    );
}

#[test]
fn onbuild_trigger_leaves_out_from_onbuild_maintainer() {
    check(
        r#"
FROM alpine
ONBUILD <|>
"#,
        expect![[r#"
            FROM alpine
            ONBUILD 
                    ^ replace
            --
            ADD [Keyword] "ADD " // Copy files, directories or remote URLs into the image, unpacking local archives
            ARG [Keyword] "ARG " // Declare a build argument, optionally with a default value
            CMD [Keyword] "CMD " // Set the default command of the container
            COPY [Keyword] "COPY " // Copy files and directories from the build context, a stage or an image
            ENTRYPOINT [Keyword] "ENTRYPOINT " // Set the executable the container runs
            ENV [Keyword] "ENV " // Set environment variables for later instructions and the container
            EXPOSE [Keyword] "EXPOSE " // Document the ports the container listens on
            HEALTHCHECK [Keyword] "HEALTHCHECK " // Tell how to check that the container still works
            LABEL [Keyword] "LABEL " // Add metadata to the image as key-value pairs
            RUN [Keyword] "RUN " // Run a command while building the image
            SHELL [Keyword] "SHELL " // Set the shell for the shell form of RUN, CMD and ENTRYPOINT
            STOPSIGNAL [Keyword] "STOPSIGNAL " // Set the signal that stops the container
            USER [Keyword] "USER " // Set the user (and group) for later instructions and the container
            VOLUME [Keyword] "VOLUME " // Create a mount point for externally mounted volumes
            WORKDIR [Keyword] "WORKDIR " // Set the working directory for later instructions and the container
        "#]],
    );
}

#[test]
fn indented_instruction_line() {
    check(
        r#"
FROM alpine
   W<|>
"#,
        expect![[r#"
            FROM alpine
               W
               ^ replace
            --
            ADD [Keyword] "ADD " // Copy files, directories or remote URLs into the image, unpacking local archives
            ARG [Keyword] "ARG " // Declare a build argument, optionally with a default value
            CMD [Keyword] "CMD " // Set the default command of the container
            COPY [Keyword] "COPY " // Copy files and directories from the build context, a stage or an image
            ENTRYPOINT [Keyword] "ENTRYPOINT " // Set the executable the container runs
            ENV [Keyword] "ENV " // Set environment variables for later instructions and the container
            EXPOSE [Keyword] "EXPOSE " // Document the ports the container listens on
            FROM [Keyword] "FROM " // Start a new build stage from a base image or an earlier stage
            HEALTHCHECK [Keyword] "HEALTHCHECK " // Tell how to check that the container still works
            LABEL [Keyword] "LABEL " // Add metadata to the image as key-value pairs
            MAINTAINER [Keyword] "MAINTAINER " // Set the image author (deprecated: use `LABEL org.opencontainers.image.authors=...`)
            ONBUILD [Keyword] "ONBUILD " // Add a trigger instruction that runs when the image is used as a base
            RUN [Keyword] "RUN " // Run a command while building the image
            SHELL [Keyword] "SHELL " // Set the shell for the shell form of RUN, CMD and ENTRYPOINT
            STOPSIGNAL [Keyword] "STOPSIGNAL " // Set the signal that stops the container
            USER [Keyword] "USER " // Set the user (and group) for later instructions and the container
            VOLUME [Keyword] "VOLUME " // Create a mount point for externally mounted volumes
            WORKDIR [Keyword] "WORKDIR " // Set the working directory for later instructions and the container
        "#]],
    );
}

// ---- flags ----

#[test]
fn copy_flags() {
    check(
        r#"
FROM alpine
COPY --<|>
"#,
        expect![[r#"
            FROM alpine
            COPY --
                 ^^ replace
            --
            --chmod [Flag] "--chmod=" // permissions of the copied files
            --chown [Flag] "--chown=" // owner `user:group` of the copied files
            --exclude [Flag] "--exclude=" // leave out paths matching a pattern
            --from [Flag] "--from=" // copy from a build stage, a named context or an image
            --link [Flag] "--link" // copy into an independent layer
            --parents [Flag] "--parents" // keep the parent directories of the sources
        "#]],
    );
}

#[test]
fn present_flags_are_left_out_unless_repeatable() {
    check(
        r#"
FROM alpine
COPY --link --exclude=*.md --ch<|> --from=x src dst
"#,
        expect![[r#"
            FROM alpine
            COPY --link --exclude=*.md --ch --from=x src dst
                                       ^^^^ replace
            --
            --chmod [Flag] "--chmod=" // permissions of the copied files
            --chown [Flag] "--chown=" // owner `user:group` of the copied files
            --exclude [Flag] "--exclude=" // leave out paths matching a pattern
            --parents [Flag] "--parents" // keep the parent directories of the sources
        "#]],
    );
}

#[test]
fn add_flags_from_a_single_dash() {
    check(
        r#"
FROM alpine
ADD -<|>
"#,
        expect![[r#"
            FROM alpine
            ADD -
                ^ replace
            --
            --checksum [Flag] "--checksum=" // verify the checksum of a remote source (`sha256:...`)
            --chmod [Flag] "--chmod=" // permissions of the added files
            --chown [Flag] "--chown=" // owner `user:group` of the added files
            --exclude [Flag] "--exclude=" // leave out paths matching a pattern
            --keep-git-dir [Flag] "--keep-git-dir" // keep the `.git` directory of a Git source
            --link [Flag] "--link" // add into an independent layer
            --unpack [Flag] "--unpack" // unpack archives, also from remote URLs
        "#]],
    );
}

#[test]
fn run_flags_keep_mount() {
    check(
        r#"
FROM alpine
RUN --mount=type=cache,target=/root/.cache --network=none --<|>
"#,
        expect![[r#"
            FROM alpine
            RUN --mount=type=cache,target=/root/.cache --network=none --
                                                                      ^^ replace
            --
            --device [Flag] "--device=" // give the command access to a CDI device
            --mount [Flag] "--mount=" // mount a bind, cache, tmpfs, secret or ssh source while the command runs
            --security [Flag] "--security=" // `insecure` runs without the sandbox (needs an entitlement)
        "#]],
    );
}

#[test]
fn healthcheck_and_from_flags() {
    check(
        r#"
FROM alpine
HEALTHCHECK --interval=5s --<|>
"#,
        expect![[r#"
            FROM alpine
            HEALTHCHECK --interval=5s --
                                      ^^ replace
            --
            --retries [Flag] "--retries=" // failures in a row before the container is unhealthy (default `3`)
            --start-interval [Flag] "--start-interval=" // time between checks during the start period (default `5s`)
            --start-period [Flag] "--start-period=" // start-up time during which failures do not count (default `0s`)
            --timeout [Flag] "--timeout=" // time before a check counts as failed (default `30s`)
        "#]],
    );
    check(
        r#"
FROM --<|> alpine
"#,
        expect![[r#"
            FROM -- alpine
                 ^^ replace
            --
            --platform [Flag] "--platform=" // platform of the base image, e.g. `linux/amd64`
        "#]],
    );
}

#[test]
fn no_flags_after_the_arguments() {
    check(
        r#"
FROM alpine
RUN apt-get install --<|>
"#,
        expect![[r#"
            (none)
        "#]],
    );
}

#[test]
fn flag_values() {
    check(
        r#"
FROM alpine
RUN --network=<|>
"#,
        expect![[r#"
            FROM alpine
            RUN --network=
                          ^ replace
            --
            default [Value] "default"
            none [Value] "none"
            host [Value] "host"
        "#]],
    );
    check(
        r#"
FROM alpine
RUN --security=ins<|>
"#,
        expect![[r#"
            FROM alpine
            RUN --security=ins
                           ^^^ replace
            --
            sandbox [Value] "sandbox"
            insecure [Value] "insecure"
        "#]],
    );
    check(
        r#"
FROM alpine
COPY --link=<|> a b
"#,
        expect![[r#"
            FROM alpine
            COPY --link= a b
                        ^ replace
            --
            true [Value] "true"
            false [Value] "false"
        "#]],
    );
    check(
        r#"
FROM --platform=<|> alpine
"#,
        expect![[r#"
            FROM --platform= alpine
                            ^ replace
            --
            $BUILDPLATFORM [Value] "$BUILDPLATFORM" // platform of the node performing the build
            $TARGETPLATFORM [Value] "$TARGETPLATFORM" // platform of the build result, e.g. `linux/amd64`
            linux/amd64 [Value] "linux/amd64"
            linux/arm64 [Value] "linux/arm64"
            linux/arm/v7 [Value] "linux/arm/v7"
            linux/arm/v6 [Value] "linux/arm/v6"
            linux/386 [Value] "linux/386"
            linux/ppc64le [Value] "linux/ppc64le"
            linux/s390x [Value] "linux/s390x"
            linux/riscv64 [Value] "linux/riscv64"
            windows/amd64 [Value] "windows/amd64"
        "#]],
    );
}

// ---- --mount ----

#[test]
fn mount_keys_default_to_bind() {
    check(
        r#"
FROM alpine
RUN --mount=<|>
"#,
        expect![[r#"
            FROM alpine
            RUN --mount=
                        ^ replace
            --
            type [Property] "type=" // mount type: bind (default), cache, tmpfs, secret or ssh
            target [Property] "target=" // mount path (also dst, destination)
            source [Property] "source=" // path to mount, in `from` (also src)
            from [Property] "from=" // stage, context or image to mount from
            readonly [Property] "readonly" // mount read-only (also ro)
            readwrite [Property] "readwrite" // allow writes (discarded after the command for bind mounts) (also rw)
        "#]],
    );
}

#[test]
fn mount_keys_for_the_type_not_yet_present() {
    check(
        r#"
FROM alpine
RUN --mount=type=cache,target=/root/.cache,<|> go build
"#,
        expect![[r#"
            FROM alpine
            RUN --mount=type=cache,target=/root/.cache, go build
                                                       ^ replace
            --
            source [Property] "source=" // path to mount, in `from` (also src)
            from [Property] "from=" // stage, context or image to mount from
            id [Property] "id=" // cache, secret or ssh id
            sharing [Property] "sharing=" // sharing of the cache between builds: shared, private or locked
            readonly [Property] "readonly" // mount read-only (also ro)
            readwrite [Property] "readwrite" // allow writes (discarded after the command for bind mounts) (also rw)
            mode [Property] "mode=" // file mode, octal
            uid [Property] "uid=" // user id of the mount
            gid [Property] "gid=" // group id of the mount
        "#]],
    );
    check(
        r#"
FROM alpine
RUN --mount=type=secret,id=npmrc,re<|>
"#,
        expect![[r#"
            FROM alpine
            RUN --mount=type=secret,id=npmrc,re
                                             ^^ replace
            --
            target [Property] "target=" // mount path (also dst, destination)
            env [Property] "env=" // expose the secret as this environment variable
            required [Property] "required" // fail when the secret or ssh source is missing
            mode [Property] "mode=" // file mode, octal
            uid [Property] "uid=" // user id of the mount
            gid [Property] "gid=" // group id of the mount
        "#]],
    );
}

#[test]
fn mount_types_and_sharing() {
    check(
        r#"
FROM alpine
RUN --mount=type=<|>
"#,
        expect![[r#"
            FROM alpine
            RUN --mount=type=
                             ^ replace
            --
            bind [Value] "bind" // mount a directory of the context, a stage or an image (default)
            cache [Value] "cache" // a persistent cache directory for compilers and package managers
            tmpfs [Value] "tmpfs" // a tmpfs directory
            secret [Value] "secret" // a secret file or environment variable, never stored in the image
            ssh [Value] "ssh" // the SSH agent socket or keys
        "#]],
    );
    check(
        r#"
FROM alpine
RUN --mount=type=cache,sharing=<|>,target=/x
"#,
        expect![[r#"
            FROM alpine
            RUN --mount=type=cache,sharing=,target=/x
                                           ^ replace
            --
            shared [Value] "shared"
            private [Value] "private"
            locked [Value] "locked"
        "#]],
    );
}

#[test]
fn mount_from_offers_named_stages() {
    check(
        r#"
FROM golang AS build
FROM alpine
FROM alpine AS final
RUN --mount=from=<|>,target=/src
"#,
        expect![[r#"
            FROM golang AS build
            FROM alpine
            FROM alpine AS final
            RUN --mount=from=,target=/src
                             ^ replace
            --
            build [Stage] "build" // stage 0 · FROM golang
        "#]],
    );
}

// ---- stages ----

#[test]
fn copy_from_replaces_the_partial_name_around_the_cursor() {
    check(
        r#"
FROM golang AS build
FROM alpine AS tools
FROM alpine
COPY --from=bu<|>il /out /bin
"#,
        expect![[r#"
            FROM golang AS build
            FROM alpine AS tools
            FROM alpine
            COPY --from=buil /out /bin
                        ^^^^ replace
            --
            build [Stage] "build" // stage 0 · FROM golang
            tools [Stage] "tools" // stage 1 · FROM alpine
        "#]],
    );
}

#[test]
fn copy_from_leaves_out_the_current_stage_and_cycles_and_names_unnamed_by_index() {
    check(
        r#"
FROM alpine AS a
COPY --from=c /x /x
FROM alpine
FROM alpine AS c
COPY --from=<|>
FROM c AS d
"#,
        expect![[r#"
            FROM alpine AS a
            COPY --from=c /x /x
            FROM alpine
            FROM alpine AS c
            COPY --from=
                        ^ replace
            FROM c AS d
            --
            1 [Stage] "1" // stage 1 · FROM alpine
        "#]],
    );
}

#[test]
fn from_offers_earlier_stages_only() {
    check(
        r#"
FROM golang AS build
FROM alpine
FROM build AS test
FROM <|>
FROM alpine AS later
"#,
        expect![[r#"
            FROM golang AS build
            FROM alpine
            FROM build AS test
            FROM 
                 ^ replace
            FROM alpine AS later
            --
            build [Stage] "build" // stage 0 · FROM golang
            test [Stage] "test" // stage 2 · FROM build
        "#]],
    );
}

#[test]
fn from_second_word_is_as() {
    check(
        r#"
FROM alpine a<|>
"#,
        expect![[r#"
            FROM alpine a
                        ^ replace
            --
            as [Keyword] "as" // name the stage
        "#]],
    );
}

// ---- variables ----

#[test]
fn variables_in_run_see_stage_args_envs_and_proxies() {
    check(
        r#"
ARG GO=1.22
FROM golang:$GO AS build
ARG GO
ENV CGO_ENABLED=0
ARG TARGETOS
RUN echo $<|>
ENV LATER=1
"#,
        expect![[r#"
            ARG GO=1.22
            FROM golang:$GO AS build
            ARG GO
            ENV CGO_ENABLED=0
            ARG TARGETOS
            RUN echo $
                      ^ replace
            ENV LATER=1
            --
            CGO_ENABLED [Variable] "CGO_ENABLED" // ENV = 0
            GO [Variable] "GO" // ARG = 1.22
            TARGETOS [Variable] "TARGETOS" // ARG · automatic platform
            ALL_PROXY [Variable] "ALL_PROXY" // predefined ARG
            FTP_PROXY [Variable] "FTP_PROXY" // predefined ARG
            HTTPS_PROXY [Variable] "HTTPS_PROXY" // predefined ARG
            HTTP_PROXY [Variable] "HTTP_PROXY" // predefined ARG
            NO_PROXY [Variable] "NO_PROXY" // predefined ARG
            all_proxy [Variable] "all_proxy" // predefined ARG
            ftp_proxy [Variable] "ftp_proxy" // predefined ARG
            http_proxy [Variable] "http_proxy" // predefined ARG
            https_proxy [Variable] "https_proxy" // predefined ARG
            no_proxy [Variable] "no_proxy" // predefined ARG
        "#]],
    );
}

#[test]
fn variables_in_from_are_global_args_and_automatic_ones() {
    check(
        r#"
ARG BASE=alpine
FROM ${<|>
"#,
        expect![[r#"
            ARG BASE=alpine
            FROM ${
                   ^ replace
            --
            BASE [Variable] "BASE}" // global ARG = alpine
            BUILDARCH [Variable] "BUILDARCH}" // automatic platform ARG
            BUILDOS [Variable] "BUILDOS}" // automatic platform ARG
            BUILDPLATFORM [Variable] "BUILDPLATFORM}" // automatic platform ARG
            BUILDVARIANT [Variable] "BUILDVARIANT}" // automatic platform ARG
            TARGETARCH [Variable] "TARGETARCH}" // automatic platform ARG
            TARGETOS [Variable] "TARGETOS}" // automatic platform ARG
            TARGETPLATFORM [Variable] "TARGETPLATFORM}" // automatic platform ARG
            TARGETVARIANT [Variable] "TARGETVARIANT}" // automatic platform ARG
        "#]],
    );
}

#[test]
fn variables_are_inherited_through_from_stage() {
    check(
        r#"
FROM alpine AS base
ENV APP=/app
FROM base
WORKDIR ${A<|>}
"#,
        expect![[r#"
            FROM alpine AS base
            ENV APP=/app
            FROM base
            WORKDIR ${A}
                      ^ replace
            --
            APP [Variable] "APP" // ENV = /app
        "#]],
    );
}

#[test]
fn cmd_sees_envs_only() {
    check(
        r#"
FROM alpine
ARG VERSION=1
ENV HOME=/root
CMD echo $<|>
"#,
        expect![[r#"
            FROM alpine
            ARG VERSION=1
            ENV HOME=/root
            CMD echo $
                      ^ replace
            --
            HOME [Variable] "HOME" // ENV = /root
        "#]],
    );
}

#[test]
fn escaped_dollar_is_not_a_variable() {
    check(
        r#"
FROM alpine
ENV A=1
RUN echo \$<|>
"#,
        expect![[r#"
            (none)
        "#]],
    );
}

// ---- directives ----

#[test]
fn directive_keys_on_leading_comment_lines() {
    check(
        r#"
# syntax=docker/dockerfile:1
# <|>
FROM alpine
"#,
        expect![[r##"
            # syntax=docker/dockerfile:1
            # 
              ^ replace
            FROM alpine
            --
            check [Directive] "check=" // build checks: `skip=<rules>|all`, `error=true`, `experimental=<rules>|all`
            escape [Directive] "escape=" // escape character for line continuations: `\` (default) or `` ` ``
        "##]],
    );
}

#[test]
fn directive_values() {
    check(
        "# syntax=<|>\n",
        expect![[r##"
            # syntax=
                     ^ replace
            --
            docker/dockerfile:1 [Value] "docker/dockerfile:1"
            docker/dockerfile:1-labs [Value] "docker/dockerfile:1-labs"
            docker/dockerfile-upstream:master [Value] "docker/dockerfile-upstream:master"
        "##]],
    );
    check(
        "# escape=<|>\n",
        expect![[r##"
        # escape=
                 ^ replace
        --
        \ [Value] "\\"
        ` [Value] "`"
    "##]],
    );
    check(
        "# check=error=true;skip=FromAsCasing,Und<|>\n",
        expect![[r##"
            # check=error=true;skip=FromAsCasing,Und
                                                 ^^^ replace
            --
            all [Value] "all"
            ConsistentInstructionCasing [Value] "ConsistentInstructionCasing"
            CopyIgnoredFile [Value] "CopyIgnoredFile"
            DuplicateStageName [Value] "DuplicateStageName"
            ExposeInvalidFormat [Value] "ExposeInvalidFormat"
            ExposeProtoCasing [Value] "ExposeProtoCasing"
            FromAsCasing [Value] "FromAsCasing"
            FromPlatformFlagConstDisallowed [Value] "FromPlatformFlagConstDisallowed"
            InvalidBaseImagePlatform [Value] "InvalidBaseImagePlatform"
            InvalidDefaultArgInFrom [Value] "InvalidDefaultArgInFrom"
            InvalidDefinitionDescription [Value] "InvalidDefinitionDescription"
            JSONArgsRecommended [Value] "JSONArgsRecommended"
            LegacyKeyValueFormat [Value] "LegacyKeyValueFormat"
            MaintainerDeprecated [Value] "MaintainerDeprecated"
            MultipleInstructionsDisallowed [Value] "MultipleInstructionsDisallowed"
            NoEmptyContinuation [Value] "NoEmptyContinuation"
            RedundantTargetPlatform [Value] "RedundantTargetPlatform"
            ReservedStageName [Value] "ReservedStageName"
            SecretsUsedInArgOrEnv [Value] "SecretsUsedInArgOrEnv"
            StageNameCasing [Value] "StageNameCasing"
            UndefinedArgInFrom [Value] "UndefinedArgInFrom"
            UndefinedVar [Value] "UndefinedVar"
            WorkdirRelativePath [Value] "WorkdirRelativePath"
        "##]],
    );
}

#[test]
fn no_directives_after_the_directive_block() {
    check(
        r#"
# syntax=docker/dockerfile:1

# <|>
FROM alpine
"#,
        expect![[r#"
            (none)
        "#]],
    );
}

#[test]
fn nothing_in_comments() {
    check(
        r#"
FROM alpine
# COPY --<|>
"#,
        expect![[r#"
            (none)
        "#]],
    );
}

// ---- text shapes ----

#[test]
fn multibyte_text_before_the_cursor() {
    check(
        r#"
FROM alpine
ENV GREETING=héllo
RUN echo "héllo wörld" ${G<|>
"#,
        expect![[r#"
            FROM alpine
            ENV GREETING=héllo
            RUN echo "héllo wörld" ${G
                                     ^ replace
            --
            GREETING [Variable] "GREETING}" // ENV = héllo
            ALL_PROXY [Variable] "ALL_PROXY}" // predefined ARG
            FTP_PROXY [Variable] "FTP_PROXY}" // predefined ARG
            HTTPS_PROXY [Variable] "HTTPS_PROXY}" // predefined ARG
            HTTP_PROXY [Variable] "HTTP_PROXY}" // predefined ARG
            NO_PROXY [Variable] "NO_PROXY}" // predefined ARG
            all_proxy [Variable] "all_proxy}" // predefined ARG
            ftp_proxy [Variable] "ftp_proxy}" // predefined ARG
            http_proxy [Variable] "http_proxy}" // predefined ARG
            https_proxy [Variable] "https_proxy}" // predefined ARG
            no_proxy [Variable] "no_proxy}" // predefined ARG
        "#]],
    );
}

#[test]
fn crlf_file() {
    let (doc, offset) =
        doc_with_cursor("FROM golang AS build\r\nFROM alpine\r\nCOPY --from=b<|>\r\nRUN true\r\n");
    expect![[r#"
        FROM golang AS build
        FROM alpine
        COPY --from=b
                    ^ replace
        RUN true
        --
        build [Stage] "build" // stage 0 · FROM golang
    "#]]
    .assert_eq(&render_items(&doc, &completion(&doc, offset, PLAIN)));
}

#[test]
fn backtick_escape_with_a_continued_line() {
    check(
        r#"
# escape=`
FROM mcr.microsoft.com/windows/servercore AS build
FROM mcr.microsoft.com/windows/nanoserver
COPY `
    --from=<|> C:\out C:\app
"#,
        expect![[r##"
            # escape=`
            FROM mcr.microsoft.com/windows/servercore AS build
            FROM mcr.microsoft.com/windows/nanoserver
            COPY `
                --from= C:\out C:\app
                       ^ replace
            --
            build [Stage] "build" // stage 0 · FROM mcr.microsoft.com/windows/servercore
        "##]],
    );
}

#[test]
fn continued_flags_line() {
    check(
        r#"
FROM alpine AS build
FROM alpine
RUN --mount=type=cache,target=/var/cache \
    # a comment inside the continuation
    --mount=<|> \
    true
"#,
        expect![[r#"
            FROM alpine AS build
            FROM alpine
            RUN --mount=type=cache,target=/var/cache \
                # a comment inside the continuation
                --mount= \
                        ^ replace
                true
            --
            type [Property] "type=" // mount type: bind (default), cache, tmpfs, secret or ssh
            target [Property] "target=" // mount path (also dst, destination)
            source [Property] "source=" // path to mount, in `from` (also src)
            from [Property] "from=" // stage, context or image to mount from
            readonly [Property] "readonly" // mount read-only (also ro)
            readwrite [Property] "readwrite" // allow writes (discarded after the command for bind mounts) (also rw)
        "#]],
    );
}

#[test]
fn heredoc_body_gives_nothing() {
    check(
        r#"
FROM alpine
RUN <<EOF
echo $<|>
EOF
"#,
        expect![[r#"
            (none)
        "#]],
    );
}

#[test]
fn any_offset_is_safe() {
    let text = "# syntax=docker/dockerfile:1\r\n# escape=`\nFROM alpine AS bü\nRUN <<EOF\n日本 $\nEOF\nCOPY --from=bü `\n  src dst\nRUN --mount=type=cache,from=\nONBUILD COPY --\n${";
    let doc = Document::new(text, 0);
    for offset in 0..text.len() + 8 {
        for config in [PLAIN, SNIPPETS] {
            for item in completion(&doc, offset, config) {
                assert!(item.replace.start <= item.replace.end && item.replace.end <= text.len());
            }
        }
    }
}

#[test]
fn offset_past_the_end() {
    let (doc, _) = doc_with_cursor("FROM alpine\nRUN echo ${");
    expect![[r#"
        FROM alpine
        RUN echo ${
                   ^ replace
        --
        ALL_PROXY [Variable] "ALL_PROXY}" // predefined ARG
        FTP_PROXY [Variable] "FTP_PROXY}" // predefined ARG
        HTTPS_PROXY [Variable] "HTTPS_PROXY}" // predefined ARG
        HTTP_PROXY [Variable] "HTTP_PROXY}" // predefined ARG
        NO_PROXY [Variable] "NO_PROXY}" // predefined ARG
        all_proxy [Variable] "all_proxy}" // predefined ARG
        ftp_proxy [Variable] "ftp_proxy}" // predefined ARG
        http_proxy [Variable] "http_proxy}" // predefined ARG
        https_proxy [Variable] "https_proxy}" // predefined ARG
        no_proxy [Variable] "no_proxy}" // predefined ARG
    "#]]
    .assert_eq(&render_items(&doc, &completion(&doc, 10_000, PLAIN)));
}

#[test]
fn onbuild_trigger_flags_but_no_stages() {
    check(
        r#"
FROM alpine AS build
FROM alpine
ONBUILD COPY --l<|>
"#,
        expect![[r#"
            FROM alpine AS build
            FROM alpine
            ONBUILD COPY --l
                         ^^^ replace
            --
            --chmod [Flag] "--chmod=" // permissions of the copied files
            --chown [Flag] "--chown=" // owner `user:group` of the copied files
            --exclude [Flag] "--exclude=" // leave out paths matching a pattern
            --from [Flag] "--from=" // copy from a build stage, a named context or an image
            --link [Flag] "--link" // copy into an independent layer
            --parents [Flag] "--parents" // keep the parent directories of the sources
        "#]],
    );
    check(
        r#"
FROM alpine AS build
FROM alpine
ONBUILD COPY --from=<|>
"#,
        expect![[r#"
            (none)
        "#]],
    );
}

#[test]
fn reaching_agrees_with_would_cycle() {
    let doc = Document::new(
        "FROM alpine AS a\nCOPY --from=c /x /x\nFROM a AS b\nFROM alpine AS c\nRUN --mount=from=b true\nFROM c AS d\nFROM alpine\n",
        0,
    );
    let m = doc.model();
    assert_eq!(m.stages.len(), 5);
    for c in 0..m.stages.len() {
        let r = super::reaching(m, c);
        for (s, reaches) in r.iter().enumerate() {
            assert_eq!(*reaches, m.would_cycle(c, s), "current {c}, candidate {s}");
        }
    }
}

#[test]
fn a_lone_cr_starts_a_line_for_the_replace_range() {
    // Found by the `analysis` fuzz target: BuildKit reads `R\rAD` as one word, the editor shows
    // `AD` on a line of its own, and LSP wants each item's range on the cursor's line.
    let text = "FROM alpine\nR\rAD";
    let doc = crate::analysis::Document::new(text, 0);
    for offset in 12..=text.len() {
        let line_start = doc.line_start(doc.line_of(offset));
        let items = super::completion(&doc, offset, super::CompletionConfig { snippets: true });
        assert!(!items.is_empty() || offset < 14, "{offset}: no items");
        for item in &items {
            assert!(
                item.replace.start >= line_start && item.replace.start <= offset,
                "{offset}: {:?} replaces {:?}",
                item.label,
                item.replace
            );
        }
    }
}
