//! Helpers shared by several rules: "did you mean" suggestions, stage ancestry, the image
//! reference grammar and edit helpers for fixes.
//!
//! Must not know: LSP types, any single rule's policy.

use crate::analysis::model::{Model, RefTarget};
use crate::analysis::{Document, Span};

/// The closest candidate to `name` within a small edit distance (one edit up to five letters,
/// two from six), or one that differs only in letter case. Never `name` itself.
pub(super) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let max = if name.len() >= 6 { 2 } else { 1 };
    candidates
        .into_iter()
        .filter(|c| *c != name && !c.is_empty())
        // A length difference above `max` needs more than `max` edits: skip the distance.
        .filter(|c| c.len().abs_diff(name.len()) <= max)
        .map(|c| {
            let d = if c.to_ascii_lowercase() == lower {
                0
            } else {
                strsim::osa_distance(&lower, &c.to_ascii_lowercase())
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `stage` and the stages it is built on (`FROM <stage>`), nearest first. Stops on a loop.
pub(super) fn ancestry(m: &Model, stage: usize) -> Vec<usize> {
    let mut out = vec![stage];
    let mut cur = stage;
    while let Some(parent) = parent_stage(m, cur) {
        if out.contains(&parent) {
            break;
        }
        out.push(parent);
        cur = parent;
    }
    out
}

/// The stage `stage` is built on, when its base is an earlier stage.
pub(super) fn parent_stage(m: &Model, stage: usize) -> Option<usize> {
    let r = m.stages.get(stage)?.base_ref?;
    match m.stage_refs.get(r)?.target {
        RefTarget::Stage(t) if t < stage => Some(t),
        _ => None,
    }
}

/// True when the chain of bases of `stage` ends at `scratch`, so no external image config (ENV,
/// WORKDIR, SHELL, USER) is inherited.
pub(super) fn rooted_at_scratch(m: &Model, stage: usize) -> bool {
    let chain = ancestry(m, stage);
    let root = chain[chain.len() - 1];
    let s = &m.stages[root];
    parent_stage(m, root).is_none()
        && s.base_resolved
            .as_deref()
            .is_some_and(|b| b.eq_ignore_ascii_case("scratch"))
}

/// [`rooted_at_scratch`] for every stage at once, in one pass (parents come before children).
pub(super) fn scratch_roots(m: &Model) -> Vec<bool> {
    let mut out: Vec<bool> = Vec::with_capacity(m.stages.len());
    for s in &m.stages {
        let rooted = match parent_stage(m, s.index) {
            Some(p) => out[p],
            None => s
                .base_resolved
                .as_deref()
                .is_some_and(|b| b.eq_ignore_ascii_case("scratch")),
        };
        out.push(rooted);
    }
    out
}

/// The span of the line containing `span.start` including its line break, for deleting the
/// whole line.
pub(super) fn whole_line(doc: &Document, offset: usize) -> Span {
    let line = doc.line_of(offset);
    Span::new(doc.line_start(line), doc.line_start(line + 1))
}

/// Whether `s` is a valid image reference for `reference.ParseNormalizedNamed` (name, optional
/// `:tag`, optional `@digest`), as distribution's grammar defines it.
pub(crate) fn is_valid_image_reference(s: &str) -> bool {
    if s.is_empty() || s.len() > 255 + 128 + 200 {
        return false;
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return false;
        };
        let algo_ok = !algo.is_empty()
            && algo
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+._-".contains(&b));
        if !algo_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
    }
    // A tag follows the last `:` after the last `/`.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let mut bytes = t.bytes();
        let first_ok = bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !first_ok
            || t.len() > 128
            || !bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        {
            return false;
        }
    }
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    if name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return false;
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // The first component is a domain when it has a `.` or `:` or is `localhost`.
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains(['.', ':']) || first == "localhost" {
            if !is_domain(first) {
                return false;
            }
            parts.remove(0);
        }
    }
    parts.iter().all(|p| is_path_component(p))
}

fn is_domain(d: &str) -> bool {
    let host = match d.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        Some(_) => return false,
        None => d,
    };
    if host.starts_with('[') {
        return host.ends_with(']');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_path_component(p: &str) -> bool {
    let b = p.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &p[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        for ok in [
            "alpine",
            "alpine:3.20",
            "library/alpine:latest",
            "ghcr.io/owner/repo:v1.2",
            "localhost:5000/x",
            "my_repo/a__b/c-d--e",
            "alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(is_valid_image_reference(ok), "{ok}");
        }
        for bad in [
            "",
            "alpine:",
            "Alpine",
            ":3",
            "a//b",
            "-x",
            "x-",
            "a:b:c",
            "alpine@sha256",
        ] {
            assert!(!is_valid_image_reference(bad), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("buidler", ["builder", "base"]), Some("builder"));
        assert_eq!(suggest("BUILD", ["build"]), Some("build"));
        assert_eq!(suggest("xyz", ["builder"]), None);
        assert_eq!(suggest("a", ["a"]), None);
    }
}
