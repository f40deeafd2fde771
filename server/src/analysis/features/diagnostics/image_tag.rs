//! Shared by `UntaggedImage` and `LatestTag`: the tag and digest of a `FROM` image.
//!
//! Must not know: rule policy.

/// `(tag, has_digest)` of an image reference as written.
pub(super) fn tag_of(image: &str) -> (Option<&str>, bool) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, _)) => (r, true),
        None => (image, false),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let tag = rest[last_slash..]
        .rfind(':')
        .map(|i| &rest[last_slash + i + 1..]);
    (tag, digest)
}
