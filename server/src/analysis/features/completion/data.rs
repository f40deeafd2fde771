//! Static completion data: instruction descriptions and snippets, flags per instruction, mount
//! keys per mount type, parser directives, platforms and BuildKit's build-check names.
//!
//! Flags follow BuildKit's `frontend/dockerfile/instructions/parse.go` (`req.flags.Add*`) and the
//! `commands_run*.go` hooks; mount keys follow `commands_runmount.go` (`parseMount`).
//! Must not know: documents, offsets, LSP types.

use crate::analysis::syntax::Keyword;

/// The Dockerfile reference, which has one anchor per instruction (`#from`, `#copy`, ...).
pub(super) const REFERENCE: &str = "https://docs.docker.com/reference/dockerfile/";

pub(super) struct InstructionInfo {
    pub keyword: Keyword,
    pub doc: &'static str,
    /// The snippet after the keyword and a space (`${1:image}` for FROM).
    pub snippet: &'static str,
}

pub(super) const INSTRUCTIONS: [InstructionInfo; 18] = [
    InstructionInfo {
        keyword: Keyword::Add,
        doc: "Copy files, directories or remote URLs into the image, unpacking local archives",
        snippet: "${1:src} ${2:dest}",
    },
    InstructionInfo {
        keyword: Keyword::Arg,
        doc: "Declare a build argument, optionally with a default value",
        snippet: "${1:name}",
    },
    InstructionInfo {
        keyword: Keyword::Cmd,
        doc: "Set the default command of the container",
        snippet: "[\"${1:executable}\"]",
    },
    InstructionInfo {
        keyword: Keyword::Copy,
        doc: "Copy files and directories from the build context, a stage or an image",
        snippet: "${1:src} ${2:dest}",
    },
    InstructionInfo {
        keyword: Keyword::Entrypoint,
        doc: "Set the executable the container runs",
        snippet: "[\"${1:executable}\"]",
    },
    InstructionInfo {
        keyword: Keyword::Env,
        doc: "Set environment variables for later instructions and the container",
        snippet: "${1:key}=${2:value}",
    },
    InstructionInfo {
        keyword: Keyword::Expose,
        doc: "Document the ports the container listens on",
        snippet: "${1:port}",
    },
    InstructionInfo {
        keyword: Keyword::From,
        doc: "Start a new build stage from a base image or an earlier stage",
        snippet: "${1:image}",
    },
    InstructionInfo {
        keyword: Keyword::Healthcheck,
        doc: "Tell how to check that the container still works",
        snippet: "--interval=${1:30s} CMD ${2:command}",
    },
    InstructionInfo {
        keyword: Keyword::Label,
        doc: "Add metadata to the image as key-value pairs",
        snippet: "${1:key}=${2:value}",
    },
    InstructionInfo {
        keyword: Keyword::Maintainer,
        doc: "Set the image author (deprecated: use `LABEL org.opencontainers.image.authors=...`)",
        snippet: "${1:name}",
    },
    InstructionInfo {
        keyword: Keyword::Onbuild,
        doc: "Add a trigger instruction that runs when the image is used as a base",
        snippet: "${1:INSTRUCTION}",
    },
    InstructionInfo {
        keyword: Keyword::Run,
        doc: "Run a command while building the image",
        snippet: "${1:command}",
    },
    InstructionInfo {
        keyword: Keyword::Shell,
        doc: "Set the shell for the shell form of RUN, CMD and ENTRYPOINT",
        snippet: "[\"${1:/bin/sh}\", \"${2:-c}\"]",
    },
    InstructionInfo {
        keyword: Keyword::Stopsignal,
        doc: "Set the signal that stops the container",
        snippet: "${1:SIGTERM}",
    },
    InstructionInfo {
        keyword: Keyword::User,
        doc: "Set the user (and group) for later instructions and the container",
        snippet: "${1:user}",
    },
    InstructionInfo {
        keyword: Keyword::Volume,
        doc: "Create a mount point for externally mounted volumes",
        snippet: "${1:path}",
    },
    InstructionInfo {
        keyword: Keyword::Workdir,
        doc: "Set the working directory for later instructions and the container",
        snippet: "${1:path}",
    },
];

/// The extra `COPY --from` snippet offered next to plain `COPY` when snippets are on.
pub(super) const COPY_FROM_SNIPPET: &str = "--from=${1:stage} ${2:src} ${3:dest}";

pub(super) const BOOL_VALUES: &[&str] = &["true", "false"];

/// A leading `--flag` BuildKit accepts for an instruction.
pub(crate) struct FlagInfo {
    pub name: &'static str,
    /// False for BuildKit's `AddBool` flags, which may be written bare (`--link`).
    pub takes_value: bool,
    /// BuildKit's `AddStrings` flags may be given more than once.
    pub repeatable: bool,
    /// Values offered after `--name=` (besides the special cases: `--from`, `--mount`).
    pub values: &'static [&'static str],
    pub doc: &'static str,
}

const fn string(name: &'static str, doc: &'static str) -> FlagInfo {
    FlagInfo {
        name,
        takes_value: true,
        repeatable: false,
        values: &[],
        doc,
    }
}
const fn strings(name: &'static str, doc: &'static str) -> FlagInfo {
    FlagInfo {
        name,
        takes_value: true,
        repeatable: true,
        values: &[],
        doc,
    }
}
const fn boolean(name: &'static str, doc: &'static str) -> FlagInfo {
    FlagInfo {
        name,
        takes_value: false,
        repeatable: false,
        values: BOOL_VALUES,
        doc,
    }
}

const FROM_FLAGS: &[FlagInfo] = &[string(
    "platform",
    "platform of the base image, e.g. `linux/amd64`",
)];

const COPY_FLAGS: &[FlagInfo] = &[
    string(
        "from",
        "copy from a build stage, a named context or an image",
    ),
    string("chown", "owner `user:group` of the copied files"),
    string("chmod", "permissions of the copied files"),
    boolean("link", "copy into an independent layer"),
    boolean("parents", "keep the parent directories of the sources"),
    strings("exclude", "leave out paths matching a pattern"),
];

const ADD_FLAGS: &[FlagInfo] = &[
    string("chown", "owner `user:group` of the added files"),
    string("chmod", "permissions of the added files"),
    boolean("link", "add into an independent layer"),
    string(
        "checksum",
        "verify the checksum of a remote source (`sha256:...`)",
    ),
    boolean("keep-git-dir", "keep the `.git` directory of a Git source"),
    boolean("unpack", "unpack archives, also from remote URLs"),
    strings("exclude", "leave out paths matching a pattern"),
];

const RUN_FLAGS: &[FlagInfo] = &[
    strings(
        "mount",
        "mount a bind, cache, tmpfs, secret or ssh source while the command runs",
    ),
    FlagInfo {
        values: &["default", "none", "host"],
        ..string(
            "network",
            "network of the command: `default`, `none` or `host`",
        )
    },
    FlagInfo {
        values: &["sandbox", "insecure"],
        ..string(
            "security",
            "`insecure` runs without the sandbox (needs an entitlement)",
        )
    },
    strings("device", "give the command access to a CDI device"),
];

const HEALTHCHECK_FLAGS: &[FlagInfo] = &[
    string("interval", "time between checks (default `30s`)"),
    string(
        "timeout",
        "time before a check counts as failed (default `30s`)",
    ),
    string(
        "start-period",
        "start-up time during which failures do not count (default `0s`)",
    ),
    string(
        "start-interval",
        "time between checks during the start period (default `5s`)",
    ),
    string(
        "retries",
        "failures in a row before the container is unhealthy (default `3`)",
    ),
];

pub(crate) fn flags_for(keyword: Keyword) -> &'static [FlagInfo] {
    match keyword {
        Keyword::From => FROM_FLAGS,
        Keyword::Copy => COPY_FLAGS,
        Keyword::Add => ADD_FLAGS,
        Keyword::Run => RUN_FLAGS,
        Keyword::Healthcheck => HEALTHCHECK_FLAGS,
        _ => &[],
    }
}

/// Offered after `FROM --platform=`.
pub(super) const PLATFORMS: &[&str] = &[
    "$BUILDPLATFORM",
    "$TARGETPLATFORM",
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "windows/amd64",
];

/// Descriptions of the `RUN --mount` types (the types themselves come from `syntax::mount`).
pub(super) fn mount_type_doc(ty: &str) -> &'static str {
    match ty {
        "bind" => "mount a directory of the context, a stage or an image (default)",
        "cache" => "a persistent cache directory for compilers and package managers",
        "tmpfs" => "a tmpfs directory",
        "secret" => "a secret file or environment variable, never stored in the image",
        "ssh" => "the SSH agent socket or keys",
        _ => "",
    }
}

/// A mount key as offered: the canonical spelling, with the aliases `parseMount` also accepts.
pub(super) struct MountKey {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub doc: &'static str,
}

const fn mkey(key: &'static str, aliases: &'static [&'static str], doc: &'static str) -> MountKey {
    MountKey { key, aliases, doc }
}

/// In the order they are offered.
pub(super) const MOUNT_KEYS: &[MountKey] = &[
    mkey(
        "type",
        &[],
        "mount type: bind (default), cache, tmpfs, secret or ssh",
    ),
    mkey("target", &["dst", "destination"], "mount path"),
    mkey("source", &["src"], "path to mount, in `from`"),
    mkey("from", &[], "stage, context or image to mount from"),
    mkey("id", &[], "cache, secret or ssh id"),
    mkey(
        "sharing",
        &[],
        "sharing of the cache between builds: shared, private or locked",
    ),
    mkey("readonly", &["ro"], "mount read-only"),
    mkey(
        "readwrite",
        &["rw"],
        "allow writes (discarded after the command for bind mounts)",
    ),
    mkey("size", &[], "size limit of the tmpfs, e.g. `64m`"),
    mkey("env", &[], "expose the secret as this environment variable"),
    mkey(
        "required",
        &[],
        "fail when the secret or ssh source is missing",
    ),
    mkey("mode", &[], "file mode, octal"),
    mkey("uid", &[], "user id of the mount"),
    mkey("gid", &[], "group id of the mount"),
];

/// Parser directives BuildKit knows (`validDirectives`).
pub(super) const DIRECTIVES: &[(&str, &str)] = &[
    (
        "syntax",
        "frontend image that builds this Dockerfile, e.g. `docker/dockerfile:1`",
    ),
    (
        "escape",
        "escape character for line continuations: `\\` (default) or `` ` ``",
    ),
    (
        "check",
        "build checks: `skip=<rules>|all`, `error=true`, `experimental=<rules>|all`",
    ),
];

pub(super) const SYNTAX_VALUES: &[&str] = &[
    "docker/dockerfile:1",
    "docker/dockerfile:1-labs",
    "docker/dockerfile-upstream:master",
];

pub(super) const ESCAPE_VALUES: &[&str] = &["\\", "`"];

pub(super) const CHECK_KEYS: &[(&str, &str)] = &[
    ("skip", "checks to skip, comma-separated, or `all`"),
    ("error", "fail the build when a check fails"),
    (
        "experimental",
        "experimental checks to enable, comma-separated, or `all`",
    ),
];

/// BuildKit's build checks (`frontend/dockerfile/linter/ruleset.go`).
pub(super) const CHECK_RULES: &[&str] = &[
    "ConsistentInstructionCasing",
    "CopyIgnoredFile",
    "DuplicateStageName",
    "ExposeInvalidFormat",
    "ExposeProtoCasing",
    "FromAsCasing",
    "FromPlatformFlagConstDisallowed",
    "InvalidBaseImagePlatform",
    "InvalidDefaultArgInFrom",
    "InvalidDefinitionDescription",
    "JSONArgsRecommended",
    "LegacyKeyValueFormat",
    "MaintainerDeprecated",
    "MultipleInstructionsDisallowed",
    "NoEmptyContinuation",
    "RedundantTargetPlatform",
    "ReservedStageName",
    "SecretsUsedInArgOrEnv",
    "StageNameCasing",
    "UndefinedArgInFrom",
    "UndefinedVar",
    "WorkdirRelativePath",
];
