//! Image references (`alpine:3.20`, `ghcr.io/org/app@sha256:...`) split and normalised the way
//! `github.com/distribution/reference` does it (`ParseNormalizedNamed`), which BuildKit uses for
//! `FROM` and `COPY --from`.
//!
//! Grammar (from `regexp.go` there):
//! `reference := name [":" tag] ["@" digest]`, `name := [domain "/"] path ("/" path)*`,
//! `path := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*`, `tag := [\w][\w.-]{0,127}`,
//! `digest := algorithm ":" hex{32,}`. The first path element is a domain when it contains `.` or
//! `:`, is `localhost`, or has an upper-case letter; otherwise the registry is `docker.io`, and a
//! one-element Docker Hub name gets the `library/` namespace of official images.
//!
//! Must not know: documents, variables (callers pass the expanded text), LSP types.

use std::fmt;
use std::ops::Range;

pub const DEFAULT_REGISTRY: &str = "docker.io";
pub const OFFICIAL_NAMESPACE: &str = "library/";
pub const DEFAULT_TAG: &str = "latest";
/// `NameTotalLengthMax` in distribution/reference.
const NAME_MAX: usize = 255;

/// A parsed reference; ranges index the parsed text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImageRef {
    /// The registry host (and port), normalised: `docker.io` when none is written, and for
    /// `index.docker.io`.
    pub registry: String,
    /// The repository path inside the registry, with `library/` for official Docker Hub images.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// The name as written (domain and path, no tag or digest).
    pub name_range: Range<usize>,
    pub tag_range: Option<Range<usize>>,
    pub digest_range: Option<Range<usize>>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImageRefError(pub String);

impl fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, ImageRefError> {
    Err(ImageRefError(msg.into()))
}

impl ImageRef {
    pub fn parse(s: &str) -> Result<ImageRef, ImageRefError> {
        if s.is_empty() {
            return err("invalid reference format: empty reference");
        }
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return err(format!(
                "invalid repository name (`{s}`): cannot specify 64-byte hexadecimal strings"
            ));
        }
        let (name_tag, digest) = match s.find('@') {
            Some(at) => (&s[..at], Some(at + 1..s.len())),
            None => (s, None),
        };
        if let Some(d) = &digest {
            check_digest(&s[d.clone()])?;
        }
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name_end, tag) = match name_tag[last_slash..].rfind(':') {
            Some(c) => (last_slash + c, Some(last_slash + c + 1..name_tag.len())),
            None => (name_tag.len(), None),
        };
        if let Some(t) = &tag {
            check_tag(&s[t.clone()])?;
        }
        let name = &s[..name_end];
        if name.is_empty() {
            return err("invalid reference format: missing repository name");
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first == "localhost"
                    || first.contains(['.', ':'])
                    || first.to_lowercase() != first =>
            {
                check_domain(first)?;
                (Some(first), rest)
            }
            _ => (None, name),
        };
        if path.to_lowercase() != path {
            return err(format!(
                "invalid reference format: repository name (`{path}`) must be lowercase"
            ));
        }
        for component in path.split('/') {
            check_path_component(component)?;
        }
        if name.len() > NAME_MAX {
            return err(format!(
                "repository name must not be more than {NAME_MAX} characters"
            ));
        }
        let registry = match domain {
            None | Some("index.docker.io") => DEFAULT_REGISTRY.to_string(),
            Some(d) => d.to_string(),
        };
        let repository = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("{OFFICIAL_NAMESPACE}{path}")
        } else {
            path.to_string()
        };
        Ok(ImageRef {
            registry,
            repository,
            tag: tag.clone().map(|t| s[t].to_string()),
            digest: digest.clone().map(|d| s[d].to_string()),
            name_range: 0..name_end,
            tag_range: tag,
            digest_range: digest,
        })
    }

    /// A Docker Hub official image (`docker.io/library/...`).
    pub fn is_official(&self) -> bool {
        self.registry == DEFAULT_REGISTRY && self.repository.starts_with(OFFICIAL_NAMESPACE)
    }

    pub fn is_docker_hub(&self) -> bool {
        self.registry == DEFAULT_REGISTRY
    }

    /// The fully qualified reference BuildKit pulls: `docker.io/library/alpine:latest` for
    /// `alpine`; a digest wins over a tag, as in `ParseDockerRef`.
    pub fn canonical(&self) -> String {
        let base = format!("{}/{}", self.registry, self.repository);
        match (&self.digest, &self.tag) {
            (Some(d), _) => format!("{base}@{d}"),
            (None, Some(t)) => format!("{base}:{t}"),
            (None, None) => format!("{base}:{DEFAULT_TAG}"),
        }
    }
}

fn check_tag(tag: &str) -> Result<(), ImageRefError> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 128
        && word(bytes[0])
        && bytes[1..]
            .iter()
            .all(|&b| word(b) || b == b'.' || b == b'-');
    if ok {
        Ok(())
    } else {
        err(format!("invalid reference format: bad tag `{tag}`"))
    }
}

fn check_digest(d: &str) -> Result<(), ImageRefError> {
    let bad = || err(format!("invalid reference format: bad digest `{d}`"));
    let Some((alg, hex)) = d.split_once(':') else {
        return bad();
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|c| {
        let mut cs = c.bytes();
        cs.next().is_some_and(|b| b.is_ascii_alphabetic()) && cs.all(|b| b.is_ascii_alphanumeric())
    });
    if !alg_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return bad();
    }
    // go-digest then checks the length for the algorithms it knows.
    let want = match alg {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    match want {
        Some(n) if hex.len() != n => err(format!(
            "invalid checksum digest length: `{alg}` takes {n} hex digits"
        )),
        None => err(format!("unsupported digest algorithm `{alg}`")),
        Some(_) if hex.bytes().any(|b| b.is_ascii_uppercase()) => {
            err("invalid checksum digest format: hex digits must be lowercase")
        }
        Some(_) => Ok(()),
    }
}

/// `[a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*`
fn check_path_component(c: &str) -> Result<(), ImageRefError> {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    let mut ok = !b.is_empty();
    while ok && i < b.len() {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            ok = false;
            break;
        }
        if i == b.len() {
            break;
        }
        let sep = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => {}
        }
        if i == sep || i == b.len() {
            ok = false;
        }
    }
    if ok {
        Ok(())
    } else if c.is_empty() {
        err("invalid reference format: empty path component")
    } else {
        err(format!(
            "invalid reference format: bad repository path component `{c}`"
        ))
    }
}

/// `host [":" port]`, host a DNS name (`[A-Za-z0-9]` components joined by `.`, inner `-`) or a
/// bracketed IPv6 address.
fn check_domain(d: &str) -> Result<(), ImageRefError> {
    let bad = || err(format!("invalid reference format: bad registry `{d}`"));
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return bad();
        };
        let inner = &rest[..close];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return bad();
        }
        let after = &rest[close + 1..];
        match after.strip_prefix(':') {
            Some(p) => ("", Some(p)),
            None if after.is_empty() => ("", None),
            None => return bad(),
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return bad();
        }
    }
    if !d.starts_with('[') {
        let component_ok = |c: &str| {
            let b = c.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        };
        if !host.split('.').all(component_ok) {
            return bad();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        match ImageRef::parse(s) {
            Ok(r) => format!(
                "{} | {} | {:?} | {:?} | official={} | {}",
                r.registry,
                r.repository,
                r.tag,
                r.digest,
                r.is_official(),
                r.canonical()
            ),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn normalises_like_distribution_reference() {
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let cases = [
            "alpine".to_string(),
            "alpine:3.20".to_string(),
            "bitnami/redis:7".to_string(),
            "docker.io/nginx".to_string(),
            "index.docker.io/library/nginx:1".to_string(),
            "ghcr.io/owner/app/sub:v1".to_string(),
            "localhost/app".to_string(),
            "localhost:5000/app:dev".to_string(),
            "localhost:5000".to_string(),
            "Registry/app".to_string(),
            "[::1]:5000/app".to_string(),
            format!("busybox:latest@{d}"),
            format!("quay.io/ns/img@{d}"),
            "mcr.microsoft.com/dotnet/sdk:8.0".to_string(),
            "a__b/c.d-e---f".to_string(),
        ];
        let out: Vec<String> = cases
            .iter()
            .map(|c| format!("{c} => {}", show(c)))
            .collect();
        expect_test::expect![[r#"
            alpine => docker.io | library/alpine | None | None | official=true | docker.io/library/alpine:latest
            alpine:3.20 => docker.io | library/alpine | Some("3.20") | None | official=true | docker.io/library/alpine:3.20
            bitnami/redis:7 => docker.io | bitnami/redis | Some("7") | None | official=false | docker.io/bitnami/redis:7
            docker.io/nginx => docker.io | library/nginx | None | None | official=true | docker.io/library/nginx:latest
            index.docker.io/library/nginx:1 => docker.io | library/nginx | Some("1") | None | official=true | docker.io/library/nginx:1
            ghcr.io/owner/app/sub:v1 => ghcr.io | owner/app/sub | Some("v1") | None | official=false | ghcr.io/owner/app/sub:v1
            localhost/app => localhost | app | None | None | official=false | localhost/app:latest
            localhost:5000/app:dev => localhost:5000 | app | Some("dev") | None | official=false | localhost:5000/app:dev
            localhost:5000 => docker.io | library/localhost | Some("5000") | None | official=true | docker.io/library/localhost:5000
            Registry/app => Registry | app | None | None | official=false | Registry/app:latest
            [::1]:5000/app => [::1]:5000 | app | None | None | official=false | [::1]:5000/app:latest
            busybox:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef => docker.io | library/busybox | Some("latest") | Some("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") | official=true | docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            quay.io/ns/img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef => quay.io | ns/img | None | Some("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") | official=false | quay.io/ns/img@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            mcr.microsoft.com/dotnet/sdk:8.0 => mcr.microsoft.com | dotnet/sdk | Some("8.0") | None | official=false | mcr.microsoft.com/dotnet/sdk:8.0
            a__b/c.d-e---f => docker.io | a__b/c.d-e---f | None | None | official=false | docker.io/a__b/c.d-e---f:latest
        "#]]
        .assert_eq(&(out.join("\n") + "\n"));
    }

    #[test]
    fn rejects_what_distribution_reference_rejects() {
        let hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let cases = [
            "".to_string(),
            "Alpine".to_string(),
            "alpine:".to_string(),
            "alpine:-x".to_string(),
            "alpine@sha256:abc".to_string(),
            "a_-b".to_string(),
            "a..b".to_string(),
            "ns//x".to_string(),
            "ex-.com/x".to_string(),
            "host:port/x".to_string(),
            hex64.to_string(),
            format!("a@md5:{hex64}"),
            "a".repeat(256),
            "$BASE".to_string(),
        ];
        let out: Vec<String> = cases
            .iter()
            .map(|c| format!("{c} => {}", show(c)))
            .collect();
        expect_test::expect![[r#"
             => error: invalid reference format: empty reference
            Alpine => error: invalid reference format: repository name (`Alpine`) must be lowercase
            alpine: => error: invalid reference format: bad tag ``
            alpine:-x => error: invalid reference format: bad tag `-x`
            alpine@sha256:abc => error: invalid reference format: bad digest `sha256:abc`
            a_-b => error: invalid reference format: bad repository path component `a_-b`
            a..b => error: invalid reference format: bad repository path component `a..b`
            ns//x => error: invalid reference format: empty path component
            ex-.com/x => error: invalid reference format: bad registry `ex-.com`
            host:port/x => error: invalid reference format: bad registry `host:port`
            0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef => error: invalid repository name (`0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`): cannot specify 64-byte hexadecimal strings
            a@md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef => error: unsupported digest algorithm `md5`
            aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa => error: repository name must not be more than 255 characters
            $BASE => error: invalid reference format: repository name (`$BASE`) must be lowercase
        "#]]
        .assert_eq(&(out.join("\n") + "\n"));
    }
}
