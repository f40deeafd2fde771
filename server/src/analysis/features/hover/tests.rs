//! Hover fixtures: the hovered span rendered under the text, then the hover text.

use expect_test::{expect, Expect};

use super::*;
use crate::analysis::test_support::{doc_with_cursor, render};

fn check_with(fixture: &str, markdown: bool, expect: Expect) {
    let (doc, offset) = doc_with_cursor(fixture);
    let out = match hover(&doc, offset, HoverConfig { markdown }) {
        None => "no hover\n".to_string(),
        Some(h) => {
            let text = doc.text().to_string();
            let line = doc.line_of(h.span.start);
            let first = doc.line_start(line);
            let rendered = render(&text, &[(h.span, "hover".to_string())]);
            // Only the hovered line and its marker.
            let lines: Vec<&str> = rendered.lines().collect();
            let src_line = text[first..].lines().next().unwrap_or("");
            let i = lines.iter().position(|l| *l == src_line).unwrap_or(0);
            let marker = lines.get(i + 1).copied().unwrap_or("");
            format!("{src_line}\n{marker}\n---\n{}\n", h.text)
        }
    };
    expect.assert_eq(&out);
}

fn check(fixture: &str, expect: Expect) {
    check_with(fixture, true, expect);
}

#[test]
fn instruction_keyword() {
    check(
        "FROM alpine\nco<|>py . /app\n",
        expect![[r#"
            copy . /app
            ^^^^ hover
            ---
            **`COPY`**

            ```dockerfile
            COPY [--from=<stage|image|context>] [--chown=...] [--chmod=...] [--link] [--parents] [--exclude=...] <src>... <dest>
            ```

            Copies files from the build context, or with `--from` from a stage, an image or a named context, into the stage.

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#copy)
        "#]],
    );
}

#[test]
fn flags_of_run_copy_add_from_and_healthcheck() {
    check(
        "FROM a\nRUN --net<|>work=none true\n",
        expect![[r#"
        RUN --network=none true
            ^^^^^^^^^ hover
        ---
        **`RUN --network`**

        ```dockerfile
        --network=default|none|host
        ```

        The network of the command: `default`, `none` (loopback only) or `host` (needs the `network.host` entitlement).

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---network)
    "#]],
    );
    check(
        "FROM a\nRUN --security=insec<|>ure true\n",
        expect![[r#"
        RUN --security=insecure true
                       ^^^^^^^^ hover
        ---
        **`RUN --security`**

        ```dockerfile
        --security=sandbox|insecure
        ```

        `insecure` runs the command without the sandbox, like `docker run --privileged`; it needs the `security.insecure` entitlement. `sandbox` is the default.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---security)
    "#]],
    );
    check(
        "FROM a\nRUN --device=nvidia.com/gpu=all<|> true\n",
        expect![[r#"
        RUN --device=nvidia.com/gpu=all true
                     ^^^^^^^^^^^^^^^^^^ hover
        ---
        **`RUN --device`**

        ```dockerfile
        --device=<name>[,required]
        ```

        Makes a CDI device (e.g. `nvidia.com/gpu=all`) available to the command. Labs syntax (`docker/dockerfile:1-labs`), needs the `device` entitlement.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---device)
    "#]],
    );
    check(
        "FROM a\nCOPY --li<|>nk . /\n",
        expect![[r#"
        COPY --link . /
             ^^^^^^ hover
        ---
        **`COPY --link`**

        ```dockerfile
        --link[=<bool>]
        ```

        Copies into an independent layer that does not depend on the earlier ones, so it can be reused when they change, and rebased without a rebuild.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#copy---link)
    "#]],
    );
    check(
        "FROM a\nCOPY --parents<|> ./x/ /\n",
        expect![[r#"
        COPY --parents ./x/ /
             ^^^^^^^^^ hover
        ---
        **`COPY --parents`**

        ```dockerfile
        --parents[=<bool>]
        ```

        Keeps the parent directories of each source under the destination; `/./` in a source marks where the kept part starts.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#copy---parents)
    "#]],
    );
    check(
        "FROM a\nCOPY --exclude=*.md<|> . /\n",
        expect![[r#"
        COPY --exclude=*.md . /
                       ^^^^ hover
        ---
        **`COPY --exclude`**

        ```dockerfile
        --exclude=<pattern>
        ```

        Leaves out the sources matching a path pattern (wildcards as in Go's `filepath.Match`). May be repeated.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#copy---exclude)
    "#]],
    );
    check(
        "FROM a\nCOPY --chown=1:1 --ch<|>mod=755 . /\n",
        expect![[r#"
        COPY --chown=1:1 --chmod=755 . /
                         ^^^^^^^ hover
        ---
        **`COPY --chmod`**

        ```dockerfile
        --chmod=<perms>
        ```

        Permissions of the copied files, in octal (`755`) or, since Dockerfile 1.14, symbolic form (`u=rwX,go=rX`). Not supported for Windows containers.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#copy---chmod)
    "#]],
    );
    check(
        "FROM a\nADD --checksum<|>=sha256:abc https://x/y /\n",
        expect![[r#"
        ADD --checksum=sha256:abc https://x/y /
            ^^^^^^^^^^ hover
        ---
        **`ADD --checksum`**

        ```dockerfile
        --checksum=<sha256:hex|commit>
        ```

        Verifies a remote source: the `sha256:` digest of an HTTP download, or the commit (or a prefix of it) of a Git source.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#add---checksum)
    "#]],
    );
    check(
        "FROM a\nADD --keep-git-dir<|> https://github.com/a/b.git /\n",
        expect![[r#"
        ADD --keep-git-dir https://github.com/a/b.git /
            ^^^^^^^^^^^^^^ hover
        ---
        **`ADD --keep-git-dir`**

        ```dockerfile
        --keep-git-dir[=<bool>]
        ```

        Keeps the `.git` directory when adding a Git repository (it is left out by default).

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#add---keep-git-dir)
    "#]],
    );
    check(
        "FROM a\nADD --unpack=true<|> https://x/a.tgz /\n",
        expect![[r#"
        ADD --unpack=true https://x/a.tgz /
                     ^^^^ hover
        ---
        **`ADD --unpack`**

        ```dockerfile
        --unpack[=<bool>]
        ```

        Whether tar archives are unpacked. Local archives are unpacked by default, remote ones are not; `--unpack=true` unpacks a downloaded archive too.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#add---unpack)
    "#]],
    );
    check(
        "FROM --plat<|>form=linux/arm64 alpine\n",
        expect![[r#"
        FROM --platform=linux/arm64 alpine
             ^^^^^^^^^^ hover
        ---
        **`FROM --platform`**

        ```dockerfile
        --platform=<os>/<arch>[/<variant>]
        ```

        Picks a platform of a multi-platform base image, e.g. `linux/arm64`. Without it, the target platform of the build is used. `--platform=$BUILDPLATFORM` runs the stage natively to cross-compile.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#from)
    "#]],
    );
    check(
        "FROM a\nHEALTHCHECK --start-interval<|>=1s CMD true\n",
        expect![[r#"
        HEALTHCHECK --start-interval=1s CMD true
                    ^^^^^^^^^^^^^^^^ hover
        ---
        **`HEALTHCHECK --start-interval`**

        ```dockerfile
        --start-interval=<duration>
        ```

        Time between checks during the start period (default `5s`).

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#healthcheck)
    "#]],
    );
    check(
        "FROM a\nCOPY --bogus<|>=1 . /\n",
        expect![[r#"
        COPY --bogus=1 . /
             ^^^^^^^ hover
        ---
        **`--bogus`**

        `COPY` has no flag `--bogus`
    "#]],
    );
}

#[test]
fn mount_types_and_keys() {
    check(
        "FROM a\nRUN --mount=type=ca<|>che,target=/root/.cache go build\n",
        expect![[r#"
            RUN --mount=type=cache,target=/root/.cache go build
                             ^^^^^ hover
            ---
            **`RUN --mount type=cache`**

            ```dockerfile
            type=cache
            ```

            A directory kept between builds for compilers and package managers. Its contents are not part of the layer and may be emptied at any time.

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---mounttypecache)
        "#]],
    );
    check(
        "FROM a\nRUN --mount=type=cache,shar<|>ing=locked,target=/var/cache/apt true\n",
        expect![[r#"
            RUN --mount=type=cache,sharing=locked,target=/var/cache/apt true
                                   ^^^^^^^^^^^^^^ hover
            ---
            **`--mount` `sharing` (`type=cache`)**

            how parallel builds share the cache: `shared` (default), `private` (a new cache per writer) or `locked` (writers wait)

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---mounttypecache)
        "#]],
    );
    check(
        "FROM a\nRUN --mount=type=secret,id=aws,mo<|>de=0400 true\n",
        expect![[r#"
            RUN --mount=type=secret,id=aws,mode=0400 true
                                           ^^^^^^^^^ hover
            ---
            **`--mount` `mode` (`type=secret`)**

            file mode of the secret file, octal (default `0400`)

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---mounttypesecret)
        "#]],
    );
    check(
        "FROM a\nRUN --mount=ta<|>rget=/src true\n",
        expect![[r#"
            RUN --mount=target=/src true
                        ^^^^^^^^^^^ hover
            ---
            **`--mount` `target` (`type=bind`)**

            where the mount appears in the container

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run---mounttypebind)
        "#]],
    );
}

#[test]
fn directives() {
    check(
        "# synt<|>ax=docker/dockerfile:1\nFROM a\n",
        expect![[r#"
        # syntax=docker/dockerfile:1
        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hover
        ---
        **`# syntax`**

        ```dockerfile
        # syntax=<frontend image>
        ```

        The BuildKit frontend image that builds this Dockerfile, e.g. `docker/dockerfile:1` (latest stable 1.x) or `docker/dockerfile:1-labs`. Must come before any instruction.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#syntax)
    "#]],
    );
    check(
        "# escape=<|>`\nFROM a\n",
        expect![[r#"
        # escape=`
        ^^^^^^^^^^ hover
        ---
        **`# escape`**

        ```dockerfile
        # escape=\ | `
        ```

        The escape character for line continuations and escaping: `\` (default) or `` ` `` (handy on Windows, where `\` separates paths).

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#escape)
    "#]],
    );
    check(
        "# check=skip=all<|>\nFROM a\n",
        expect![[r#"
        # check=skip=all
        ^^^^^^^^^^^^^^^^ hover
        ---
        **`# check`**

        ```dockerfile
        # check=skip=<rules>|all[;error=<bool>][;experimental=<rules>|all]
        ```

        Configures build checks: which rules to skip, whether a failed check fails the build, which experimental rules to run.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#check)
    "#]],
    );
}

#[test]
fn variables_with_values_and_origins() {
    check(
        r#"
ARG GO_VERSION=1.22
FROM golang:${GO_V<|>ERSION}-alpine AS build
"#,
        expect![[r#"
            FROM golang:${GO_VERSION}-alpine AS build
                        ^^^^^^^^^^^^^ hover
            ---
            **`GO_VERSION` = `1.22`**

            - defined by the global `ARG` on line 1
            - default: `1.22`
            - `--build-arg GO_VERSION=...` overrides the default
        "#]],
    );
    check(
        r#"
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION}-alpine AS build
ARG GO_VERSION
ENV GOROOT=/usr/local/go/$GO_VERSION
FROM build AS test
ENV PATH=$GOROOT/bin:$PATH
RUN echo $PA<|>TH
"#,
        expect![[r#"
            RUN echo $PATH
                     ^^^^^ hover
            ---
            **`PATH`**

            - defined by the `ENV` on line 6
            - value: `$GOROOT/bin:$PATH`
            - `$GOROOT` = `/usr/local/go/1.22` from the `ENV` on line 4, inherited from stage `build`
            - `$PATH`: not defined here (empty unless the base image sets it)
        "#]],
    );
    check(
        r#"
ARG V=1
FROM a
RUN echo $V<|>
"#,
        expect![[r#"
            RUN echo $V
                     ^^ hover
            ---
            **`V`**

            the global `ARG` on line 1 is not visible inside a stage until `ARG V` declares it again

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#understand-how-arg-and-from-interact)
        "#]],
    );
    check(
        r#"
FROM a
ARG NAME
RUN echo ${NAME:-world}<|>
"#,
        expect![[r#"
            RUN echo ${NAME:-world}
                     ^^^^^^^^^^^^^^ hover
            ---
            **`NAME`**

            - defined by the `ARG` on line 2
            - no default: set only with `--build-arg`
            - `:-` gives the word after `:-` when unset or empty
        "#]],
    );
}

#[test]
fn builtin_args() {
    check(
        "FROM --platform=$BUILDPLAT<|>FORM golang\n",
        expect![[r#"
            FROM --platform=$BUILDPLATFORM golang
                            ^^^^^^^^^^^^^^ hover
            ---
            **`BUILDPLATFORM`**

            automatic platform ARG set by BuildKit: platform of the node performing the build. Usable in `FROM` lines; inside a stage only after `ARG BUILDPLATFORM`

            [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope)
        "#]],
    );
    check(
        "FROM a\nARG TARGETA<|>RCH\n",
        expect![[r#"
        ARG TARGETARCH
            ^^^^^^^^^^ hover
        ---
        **`TARGETARCH`**

        - defined by the `ARG` on line 2

        automatic platform ARG set by BuildKit: architecture component of TARGETPLATFORM. Usable in `FROM` lines; inside a stage only after `ARG TARGETARCH`

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#automatic-platform-args-in-the-global-scope)
    "#]],
    );
    check(
        "FROM a\nRUN curl --proxy $HTTP_PRO<|>XY x\n",
        expect![[r#"
        RUN curl --proxy $HTTP_PROXY x
                         ^^^^^^^^^^^ hover
        ---
        **`HTTP_PROXY`**

        predefined proxy ARG: set with `--build-arg` without an `ARG` instruction, seen by `RUN`, and left out of the image history and the cache key

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#predefined-args)
    "#]],
    );
    check(
        "FROM a\nRUN echo $HO<|>ME\n",
        expect![[r#"
        RUN echo $HOME
                 ^^^^^ hover
        ---
        **`HOME`**

        not an ARG or ENV of this stage: the shell expands it when the command runs (from the base image's environment or the script)
    "#]],
    );
}

#[test]
fn stages_and_their_references() {
    let text = r#"
FROM golang:1.22 AS deps
FROM deps AS build
RUN --mount=from=deps,target=/d true
FROM alpine
COPY --from=bu<|>ild /out /app
COPY --from=nginx:latest /etc/nginx /etc/nginx
"#;
    check(
        text,
        expect![[r#"
        COPY --from=build /out /app
                    ^^^^^ hover
        ---
        **stage `build` (index 1, line 2)**

        - base: stage `deps` (line 1)
        - mounts from: stage `deps` (line 3)
        - used by: stage 2 (COPY --from, line 5)
        - 2 instructions, lines 2–3
    "#]],
    );
    check(
        &text
            .replace("bu<|>ild", "build")
            .replace("AS deps", "AS de<|>ps"),
        expect![[r#"
        FROM golang:1.22 AS deps
                            ^^^^ hover
        ---
        **stage `deps` (index 0, line 1)**

        - base: image `golang:1.22`
        - used by: stage `build` (FROM, line 2), stage `build` (RUN --mount, line 3)
        - 1 instruction, line 1
    "#]],
    );
    check(
        &text
            .replace("bu<|>ild", "build")
            .replace("FROM alpine", "FROM alp<|>ine"),
        expect![[r#"
        FROM alpine
             ^^^^^^ hover
        ---
        **image `alpine`**

        - registry: `docker.io` (Docker Hub)
        - repository: `library/alpine` (official image)
        - tag: `latest` (default)
        - pulls `docker.io/library/alpine:latest`
    "#]],
    );
    check(
        &text
            .replace("bu<|>ild", "build")
            .replace("nginx:latest", "ngi<|>nx:latest"),
        expect![[r#"
        COPY --from=nginx:latest /etc/nginx /etc/nginx
                    ^^^^^^^^^^^^ hover
        ---
        **image `nginx:latest`**

        - registry: `docker.io` (Docker Hub)
        - repository: `library/nginx` (official image)
        - tag: `latest`
        - pulls `docker.io/library/nginx:latest`

        not a stage of this file: a named build context (`--build-context`) of this name, otherwise this image
    "#]],
    );
    check(
        "FROM a\nFROM b\nCOPY --from=7<|> / /\n",
        expect![[r#"
        COPY --from=7 / /
                    ^ hover
        ---
        **`--from=7`**

        no stage has index 7: this file has 2 stages (indexes start at 0)
    "#]],
    );
}

#[test]
fn image_references() {
    check(
        "ARG BASE=node:20\nFROM ${BA<|>SE}x\n",
        expect![[r#"
        FROM ${BASE}x
             ^^^^^^^ hover
        ---
        **`BASE` = `node:20`**

        - defined by the global `ARG` on line 1
        - default: `node:20`
        - `--build-arg BASE=...` overrides the default
    "#]],
    );
    check(
        "ARG BASE=node:20\nFROM $BASE<|>\n",
        expect![[r#"
        FROM $BASE
             ^^^^^ hover
        ---
        **`BASE` = `node:20`**

        - defined by the global `ARG` on line 1
        - default: `node:20`
        - `--build-arg BASE=...` overrides the default
    "#]],
    );
    check(
        "ARG BASE\nFROM $BASE <|>AS x\n",
        expect![[r#"
        FROM $BASE AS x
                   ^^ hover
        ---
        **`FROM`**

        ```dockerfile
        FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]
        ```

        Starts a build stage. The base is an image, or an earlier stage when the name matches an earlier `AS` name. Only global ARGs (declared before the first `FROM`) can be used in this line.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#from)
    "#]],
    );
    check("FROM ghcr.io/owner/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef<|>\n", expect![[r#"
        FROM ghcr.io/owner/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ hover
        ---
        **image `ghcr.io/owner/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`**

        - registry: `ghcr.io` (GitHub Container Registry)
        - repository: `owner/app`
        - tag: `v1`
        - digest: `sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef` (pins the image; the tag is ignored)
        - pulls `ghcr.io/owner/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`
    "#]]);
    check(
        "FROM scra<|>tch\n",
        expect![[r#"
        FROM scratch
             ^^^^^^^ hover
        ---
        **image `scratch`**

        `scratch` is the empty image: the stage starts from an empty file system
    "#]],
    );
    check(
        "FROM Bad<|>Name\n",
        expect![[r#"
        FROM BadName
             ^^^^^^^ hover
        ---
        **image `BadName`**

        not a valid image reference: invalid reference format: repository name (`BadName`) must be lowercase
    "#]],
    );
}

#[test]
fn heredoc_delimiters() {
    check(
        "FROM a\nRUN <<E<|>OF\necho $HOME\nEOF\n",
        expect![[r#"
        RUN <<EOF
            ^^^^^ hover
        ---
        **`<<EOF`**

        ```dockerfile
        <<[-]["]NAME["]
        ```

        A here-document: the lines up to a line with only `NAME` are the input. For `RUN` it is a script run by the shell; for `COPY`/`ADD` the contents of a file. `<<-` strips leading tabs; a quoted name turns off variable expansion in the body.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#here-documents)

        body: line 3; variables in the body are expanded by the shell
    "#]],
    );
    check(
        "FROM a\nCOPY <<-\"CONF\" /x\n\tk=v\n\tCO<|>NF\n",
        expect![[r#"
        	CONF
        ^^^^^ hover
        ---
        **`<<CONF`**

        ```dockerfile
        <<[-]["]NAME["]
        ```

        A here-document: the lines up to a line with only `NAME` are the input. For `RUN` it is a script run by the shell; for `COPY`/`ADD` the contents of a file. `<<-` strips leading tabs; a quoted name turns off variable expansion in the body.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#here-documents)

        body: line 3; variables in the body are not expanded (quoted delimiter); leading tabs are stripped
    "#]],
    );
    check(
        "FROM a\nRUN <<EOF<|>\necho\n",
        expect![[r#"
        RUN <<EOF
            ^^^^^ hover
        ---
        **`<<EOF`**

        ```dockerfile
        <<[-]["]NAME["]
        ```

        A here-document: the lines up to a line with only `NAME` are the input. For `RUN` it is a script run by the shell; for `COPY`/`ADD` the contents of a file. `<<-` strips leading tabs; a quoted name turns off variable expansion in the body.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#here-documents)

        never terminated: no line is exactly `EOF`; variables in the body are expanded by the shell
    "#]],
    );
}

#[test]
fn plain_text_for_clients_without_markdown() {
    check_with(
        "# esc<|>ape=`\nFROM a\n",
        false,
        expect![[r#"
        # escape=`
        ^^^^^^^^^^ hover
        ---
        # escape

        # escape=\ | `

        The escape character for line continuations and escaping: \ (default) or ` (handy on Windows, where \ separates paths).

        Dockerfile reference: https://docs.docker.com/reference/dockerfile/#escape
    "#]],
    );
    check_with(
        "FROM a AS b\nFROM b\nCOPY --from=b<|> / /\n",
        false,
        expect![[r#"
        COPY --from=b / /
                    ^ hover
        ---
        stage b (index 0, line 1)

        - base: image a
        - used by: stage 1 (FROM, line 2), stage 1 (COPY --from, line 3)
        - 1 instruction, line 1
    "#]],
    );
}

#[test]
fn onbuild_trigger_crlf_backtick_and_utf8() {
    check(
        "FROM a\r\nONBUILD RU<|>N make\r\n",
        expect![[r#"
        ONBUILD RUN make
                ^^^ hover
        ---
        **`RUN`**

        ```dockerfile
        RUN [--mount=...] [--network=...] [--security=...] <command> | ["exe", "arg"...]
        ```

        Runs a command in a new layer on top of the current stage. The shell form goes through `SHELL` (`/bin/sh -c` by default); the exec form runs the program directly, without variable expansion by a shell.

        [Dockerfile reference](https://docs.docker.com/reference/dockerfile/#run)
    "#]],
    );
    check(
        "# escape=`\r\nFROM a AS 🦀b\r\nRUN echo `\r\n  hi\r\nCOPY --from=🦀<|>b C:\\x C:\\y\r\n",
        expect![[r#"
        COPY --from=🦀b C:\x C:\y
                    ^^ hover
        ---
        **stage `🦀b` (index 0, line 2)**

        - base: image `a`
        - copies from: stage `🦀b` (line 5)
        - used by: stage `🦀b` (COPY --from, line 5)
        - 3 instructions, lines 2–5
    "#]],
    );
    check(
        "FROM a\nRUN echo hi<|>\n",
        expect![[r#"
        no hover
    "#]],
    );
    check(
        "",
        expect![[r#"
        no hover
    "#]],
    );
}
