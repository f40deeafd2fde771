//! Hover documentation: our own short texts for instructions, flags, `--mount` types and keys,
//! parser directives, heredocs and BuildKit's builtin build args, each with the anchor of its
//! section in the Dockerfile reference. Facts checked against BuildKit's
//! `frontend/dockerfile/instructions` and `docs/reference.md`; the wording is ours.
//!
//! Must not know: documents, offsets, LSP types.

use crate::analysis::syntax::Keyword;

pub const REFERENCE: &str = "https://docs.docker.com/reference/dockerfile/";

/// One documented item.
pub struct Entry {
    /// The usage line, shown as code.
    pub syntax: &'static str,
    pub doc: &'static str,
    /// Anchor in the Dockerfile reference, without `#`.
    pub anchor: &'static str,
}

const fn e(syntax: &'static str, doc: &'static str, anchor: &'static str) -> Entry {
    Entry {
        syntax,
        doc,
        anchor,
    }
}

pub fn instruction(k: Keyword) -> Option<Entry> {
    Some(match k {
        Keyword::From => e(
            "FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]",
            "Starts a build stage. The base is an image, or an earlier stage when the name matches \
             an earlier `AS` name. Only global ARGs (declared before the first `FROM`) can be used \
             in this line.",
            "from",
        ),
        Keyword::Run => e(
            "RUN [--mount=...] [--network=...] [--security=...] <command> | [\"exe\", \"arg\"...]",
            "Runs a command in a new layer on top of the current stage. The shell form goes through \
             `SHELL` (`/bin/sh -c` by default); the exec form runs the program directly, without \
             variable expansion by a shell.",
            "run",
        ),
        Keyword::Cmd => e(
            "CMD <command> | [\"exe\", \"arg\"...] | [\"arg\"...]",
            "The default command (or the default arguments of `ENTRYPOINT`) of containers started \
             from the image. Only the last `CMD` of a stage counts.",
            "cmd",
        ),
        Keyword::Label => e(
            "LABEL <key>=<value> [<key>=<value>...]",
            "Adds metadata to the image. Labels of the base image are inherited.",
            "label",
        ),
        Keyword::Maintainer => e(
            "MAINTAINER <name>",
            "Deprecated: sets the author field. Use `LABEL org.opencontainers.image.authors=...` \
             instead.",
            "maintainer-deprecated",
        ),
        Keyword::Expose => e(
            "EXPOSE <port>[/<protocol>]...",
            "Documents the ports the container listens on (`tcp` unless `/udp` is given). It does \
             not publish them.",
            "expose",
        ),
        Keyword::Env => e(
            "ENV <key>=<value> [<key>=<value>...]",
            "Sets environment variables for the following instructions of the stage, stages built \
             on it, and containers started from the image. Values are expanded with the \
             environment from before the instruction.",
            "env",
        ),
        Keyword::Add => e(
            "ADD [--chown=...] [--chmod=...] [--link] [--checksum=...] [--keep-git-dir] [--unpack] [--exclude=...] <src>... <dest>",
            "Copies files from the context, remote URLs or Git repositories into the stage; local \
             tar archives are unpacked. Prefer `COPY` for plain files.",
            "add",
        ),
        Keyword::Copy => e(
            "COPY [--from=<stage|image|context>] [--chown=...] [--chmod=...] [--link] [--parents] [--exclude=...] <src>... <dest>",
            "Copies files from the build context, or with `--from` from a stage, an image or a \
             named context, into the stage.",
            "copy",
        ),
        Keyword::Entrypoint => e(
            "ENTRYPOINT [\"exe\", \"arg\"...] | <command>",
            "The program containers run; `CMD` supplies its default arguments in exec form. The \
             shell form ignores `CMD` and runs under `/bin/sh -c`.",
            "entrypoint",
        ),
        Keyword::Volume => e(
            "VOLUME <path>... | [\"<path>\"...]",
            "Marks paths as mount points for external volumes; a new volume starts with what the \
             image holds at that path.",
            "volume",
        ),
        Keyword::User => e(
            "USER <user>[:<group>]",
            "The user (and group) for the following `RUN`, `CMD` and `ENTRYPOINT` and for \
             containers started from the image.",
            "user",
        ),
        Keyword::Workdir => e(
            "WORKDIR <path>",
            "Sets the working directory for the following instructions, creating it if needed. A \
             relative path is resolved against the previous `WORKDIR`.",
            "workdir",
        ),
        Keyword::Arg => e(
            "ARG <name>[=<default>] [<name>[=<default>]...]",
            "Declares a build argument, set with `--build-arg`. Before the first `FROM` it is a \
             global ARG, usable in `FROM` lines; inside a stage it is visible from here to the end \
             of the stage. `ARG NAME` without a default brings a global ARG into the stage.",
            "arg",
        ),
        Keyword::Onbuild => e(
            "ONBUILD <INSTRUCTION>",
            "Stores an instruction that runs later, when the image is used as the base of another \
             build.",
            "onbuild",
        ),
        Keyword::Stopsignal => e(
            "STOPSIGNAL <signal>",
            "The signal sent to stop containers of the image (`SIGTERM` by default), by name or \
             number.",
            "stopsignal",
        ),
        Keyword::Healthcheck => e(
            "HEALTHCHECK [--interval=...] [--timeout=...] [--start-period=...] [--start-interval=...] [--retries=...] CMD <command> | NONE",
            "How to check that a container still works; `NONE` turns off a check inherited from \
             the base image. Only the last `HEALTHCHECK` of a stage counts.",
            "healthcheck",
        ),
        Keyword::Shell => e(
            "SHELL [\"exe\", \"arg\"...]",
            "The shell for the shell form of `RUN`, `CMD` and `ENTRYPOINT` in the rest of the stage \
             (`[\"/bin/sh\", \"-c\"]` on Linux, `[\"cmd\", \"/S\", \"/C\"]` on Windows).",
            "shell",
        ),
        Keyword::Unknown => return None,
    })
}

/// A flag of an instruction (`name` without dashes).
pub fn flag(k: Keyword, name: &str) -> Option<Entry> {
    Some(match (k, name) {
        (Keyword::From, "platform") => e(
            "--platform=<os>/<arch>[/<variant>]",
            "Picks a platform of a multi-platform base image, e.g. `linux/arm64`. Without it, the \
             target platform of the build is used. `--platform=$BUILDPLATFORM` runs the stage \
             natively to cross-compile.",
            "from",
        ),
        (Keyword::Run, "mount") => e(
            "--mount=[type=bind|cache|tmpfs|secret|ssh][,<key>=<value>...]",
            "Mounts something for this command only: a context or stage directory (`bind`, the \
             default), a persistent cache, a tmpfs, a secret or the SSH agent. Nothing mounted \
             ends up in the layer.",
            "run---mount",
        ),
        (Keyword::Run, "network") => e(
            "--network=default|none|host",
            "The network of the command: `default`, `none` (loopback only) or `host` (needs the \
             `network.host` entitlement).",
            "run---network",
        ),
        (Keyword::Run, "security") => e(
            "--security=sandbox|insecure",
            "`insecure` runs the command without the sandbox, like `docker run --privileged`; it \
             needs the `security.insecure` entitlement. `sandbox` is the default.",
            "run---security",
        ),
        (Keyword::Run, "device") => e(
            "--device=<name>[,required]",
            "Makes a CDI device (e.g. `nvidia.com/gpu=all`) available to the command. Labs syntax \
             (`docker/dockerfile:1-labs`), needs the `device` entitlement.",
            "run---device",
        ),
        (Keyword::Copy, "from") => e(
            "--from=<stage|index|image|context>",
            "Copies from a build stage (by name or index), a named build context or an image \
             instead of the build context. Source paths are taken from its root. Variables are \
             not expanded here.",
            "copy---from",
        ),
        (Keyword::Copy | Keyword::Add, "chown") => e(
            "--chown=<user>[:<group>]",
            "Owner of the copied files, by name or numeric id (default `0:0`). Names are looked up \
             in the stage's `/etc/passwd` and `/etc/group`. Not supported for Windows containers.",
            "copy---chown",
        ),
        (Keyword::Copy | Keyword::Add, "chmod") => e(
            "--chmod=<perms>",
            "Permissions of the copied files, in octal (`755`) or, since Dockerfile 1.14, symbolic \
             form (`u=rwX,go=rX`). Not supported for Windows containers.",
            "copy---chmod",
        ),
        (Keyword::Copy | Keyword::Add, "link") => e(
            "--link[=<bool>]",
            "Copies into an independent layer that does not depend on the earlier ones, so it \
             can be reused when they change, and rebased without a rebuild.",
            "copy---link",
        ),
        (Keyword::Copy, "parents") => e(
            "--parents[=<bool>]",
            "Keeps the parent directories of each source under the destination; `/./` in a \
             source marks where the kept part starts.",
            "copy---parents",
        ),
        (Keyword::Copy | Keyword::Add, "exclude") => e(
            "--exclude=<pattern>",
            "Leaves out the sources matching a path pattern (wildcards as in Go's \
             `filepath.Match`). May be repeated.",
            "copy---exclude",
        ),
        (Keyword::Add, "checksum") => e(
            "--checksum=<sha256:hex|commit>",
            "Verifies a remote source: the `sha256:` digest of an HTTP download, or the commit \
             (or a prefix of it) of a Git source.",
            "add---checksum",
        ),
        (Keyword::Add, "keep-git-dir") => e(
            "--keep-git-dir[=<bool>]",
            "Keeps the `.git` directory when adding a Git repository (it is left out by default).",
            "add---keep-git-dir",
        ),
        (Keyword::Add, "unpack") => e(
            "--unpack[=<bool>]",
            "Whether tar archives are unpacked. Local archives are unpacked by default, remote \
             ones are not; `--unpack=true` unpacks a downloaded archive too.",
            "add---unpack",
        ),
        (Keyword::Healthcheck, "interval") => e(
            "--interval=<duration>",
            "Time between checks, e.g. `30s` (the default).",
            "healthcheck",
        ),
        (Keyword::Healthcheck, "timeout") => e(
            "--timeout=<duration>",
            "Time after which a running check counts as failed (default `30s`).",
            "healthcheck",
        ),
        (Keyword::Healthcheck, "start-period") => e(
            "--start-period=<duration>",
            "Start-up time during which failed checks do not count (default `0s`).",
            "healthcheck",
        ),
        (Keyword::Healthcheck, "start-interval") => e(
            "--start-interval=<duration>",
            "Time between checks during the start period (default `5s`).",
            "healthcheck",
        ),
        (Keyword::Healthcheck, "retries") => e(
            "--retries=<n>",
            "Consecutive failures after which the container is unhealthy (default `3`).",
            "healthcheck",
        ),
        _ => return None,
    })
}

/// A `--mount` type.
pub fn mount_type(t: &str) -> Option<Entry> {
    Some(match t {
        "bind" => e(
            "type=bind",
            "Binds a directory of the build context, a stage or an image, read-only unless `rw` \
             is set (writes are thrown away after the command). The default type.",
            "run---mounttypebind",
        ),
        "cache" => e(
            "type=cache",
            "A directory kept between builds for compilers and package managers. Its contents \
             are not part of the layer and may be emptied at any time.",
            "run---mounttypecache",
        ),
        "tmpfs" => e(
            "type=tmpfs",
            "An in-memory file system for this command.",
            "run---mounttypetmpfs",
        ),
        "secret" => e(
            "type=secret",
            "A secret passed with `--secret`, as a file (`/run/secrets/<id>` by default) or an \
             environment variable (`env=`); never stored in the image or cache.",
            "run---mounttypesecret",
        ),
        "ssh" => e(
            "type=ssh",
            "The SSH agent socket (or keys) passed with `--ssh`, for `git` or `ssh` in the \
             command.",
            "run---mounttypessh",
        ),
        _ => return None,
    })
}

/// A `--mount` key (lower-case, aliases accepted) for a mount type.
pub fn mount_key(t: &str, key: &str) -> Option<String> {
    let text = match (key, t) {
        ("type", _) => "mount type: `bind` (default), `cache`, `tmpfs`, `secret` or `ssh`".into(),
        ("target" | "dst" | "destination", "secret") => {
            "path of the secret file (default `/run/secrets/<id>` unless `env` is set)".into()
        }
        ("target" | "dst" | "destination", "ssh") => {
            "path of the agent socket (default `/run/buildkit/ssh_agent.<n>`)".into()
        }
        ("target" | "dst" | "destination", _) => "where the mount appears in the container".into(),
        ("source" | "src", "cache") => "subpath of `from` to mount (default: its root)".into(),
        ("source" | "src", _) => {
            "path inside `from` (or the build context) to mount (default: its root)".into()
        }
        ("from", "cache") => {
            "stage, context or image whose contents seed the cache (default: empty)".into()
        }
        ("from", _) => {
            "stage, named context or image to mount from (default: the build context)".into()
        }
        ("id", "cache") => {
            "cache id; mounts with the same id share a cache (default: the target)".into()
        }
        ("id", "secret") => {
            "id of the secret passed with `--secret id=...` (default: the target's file name)"
                .into()
        }
        ("id", "ssh") => {
            "id of the SSH agent or key passed with `--ssh` (default `default`)".into()
        }
        ("id", _) => "id of the mount".into(),
        ("sharing", _) => {
            "how parallel builds share the cache: `shared` (default), `private` (a new cache per \
             writer) or `locked` (writers wait)"
                .into()
        }
        ("readonly" | "ro", _) => "mount read-only".into(),
        ("readwrite" | "rw", _) => {
            "allow writes; for a bind mount they are discarded after the command".into()
        }
        ("size", _) => "size limit of the tmpfs, e.g. `64m`".into(),
        ("env", _) => "also (or only) expose the secret as this environment variable".into(),
        ("required", _) => {
            "fail the build when the secret or SSH source is missing (default `false`)".into()
        }
        ("mode", "cache") => "file mode of a new cache directory, octal (default `0755`)".into(),
        ("mode", "secret") => "file mode of the secret file, octal (default `0400`)".into(),
        ("mode", "ssh") => "file mode of the socket, octal (default `0600`)".into(),
        ("mode", _) => "file mode, octal".into(),
        ("uid", _) => "user id of the mounted path (default `0`)".into(),
        ("gid", _) => "group id of the mounted path (default `0`)".into(),
        _ => return None,
    };
    Some(text)
}

pub fn directive(name: &str) -> Option<Entry> {
    Some(match name {
        "syntax" => e(
            "# syntax=<frontend image>",
            "The BuildKit frontend image that builds this Dockerfile, e.g. `docker/dockerfile:1` \
             (latest stable 1.x) or `docker/dockerfile:1-labs`. Must come before any instruction.",
            "syntax",
        ),
        "escape" => e(
            "# escape=\\ | `",
            "The escape character for line continuations and escaping: `\\` (default) or `` ` `` \
             (handy on Windows, where `\\` separates paths).",
            "escape",
        ),
        "check" => e(
            "# check=skip=<rules>|all[;error=<bool>][;experimental=<rules>|all]",
            "Configures build checks: which rules to skip, whether a failed check fails the build, \
             which experimental rules to run.",
            "check",
        ),
        _ => return None,
    })
}

pub const HEREDOC: Entry = e(
    "<<[-][\"]NAME[\"]",
    "A here-document: the lines up to a line with only `NAME` are the input. For `RUN` it is a \
     script run by the shell; for `COPY`/`ADD` the contents of a file. `<<-` strips leading tabs; \
     a quoted name turns off variable expansion in the body.",
    "here-documents",
);

pub const AUTOMATIC_ARGS_ANCHOR: &str = "automatic-platform-args-in-the-global-scope";
pub const PREDEFINED_ARGS_ANCHOR: &str = "predefined-args";
pub const BUILDKIT_ARGS_ANCHOR: &str = "buildkit-built-in-build-args";
pub const ARG_FROM_ANCHOR: &str = "understand-how-arg-and-from-interact";

/// What a BuildKit built-in build arg changes.
pub fn buildkit_arg(name: &str) -> Option<&'static str> {
    Some(match name {
        "BUILDKIT_CACHE_MOUNT_NS" => "namespace for the ids of cache mounts",
        "BUILDKIT_CONTEXT_KEEP_GIT_DIR" => "keep the `.git` directory of a Git build context",
        "BUILDKIT_INLINE_CACHE" => "write cache metadata into the image config",
        "BUILDKIT_MULTI_PLATFORM" => "always produce a multi-platform result",
        "BUILDKIT_SANDBOX_HOSTNAME" => "host name of the containers that run `RUN`",
        "BUILDKIT_SYNTAX" => "frontend image to use, like a `# syntax=` directive",
        "SOURCE_DATE_EPOCH" => "timestamp used for created images and layers (reproducible builds)",
        _ => return None,
    })
}
