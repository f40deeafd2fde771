//! Document links: image references to their page on the registry's website.
//!
//! Covered: `FROM` bases and `COPY --from` / `RUN --mount=from=` values that are images, not
//! stages. URL schemes (public pages that need no login for public images):
//! - Docker Hub: `https://hub.docker.com/_/<name>` for official images (`library/<name>`),
//!   `https://hub.docker.com/r/<namespace>/<name>` otherwise;
//! - GitHub Container Registry: `https://ghcr.io/<owner>/<name>`, which GitHub redirects to the
//!   package page (under `/users/` or `/orgs/`, which the reference alone cannot tell);
//! - Quay: `https://quay.io/repository/<namespace>/<name>`;
//! - Microsoft Artifact Registry: `https://mcr.microsoft.com/en-us/artifact/mar/<repository>`.
//!
//! No link for `scratch`, stages, invalid references, other registries (no known page scheme),
//! or references whose variables have no default in the file. A reference written with
//! variables that resolve from defaults (`FROM ${BASE}` with `ARG BASE=alpine`) links the page of
//! the resolved image over the whole word.
//!
//! Must not know: LSP types.

use crate::analysis::model::{RefKind, RefTarget};
use crate::analysis::syntax::image_ref::ImageRef;
use crate::analysis::{Document, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentLink {
    pub span: Span,
    pub target: String,
    pub tooltip: String,
}

pub fn document_links(doc: &Document) -> Vec<DocumentLink> {
    let m = doc.model();
    let mut out = Vec::new();
    for r in &m.stage_refs {
        if r.target != RefTarget::Image {
            continue;
        }
        let text = match r.kind {
            RefKind::Base => match &m.stages[r.stage].base_resolved {
                Some(t) => t.as_str(),
                None => continue,
            },
            // `--from` is never expanded; `from=` is, but only from the stage's own scope.
            RefKind::Copy | RefKind::Mount if r.text.contains('$') => continue,
            RefKind::Copy | RefKind::Mount => r.text.as_str(),
        };
        if text.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let Ok(image) = ImageRef::parse(text) else {
            continue;
        };
        let Some(target) = registry_page(&image) else {
            continue;
        };
        // A literal reference links its name only (the tag is not part of the page).
        let span = if text == r.text && r.span.len() == r.text.len() {
            Span::new(
                r.span.start + image.name_range.start,
                r.span.start + image.name_range.end,
            )
        } else {
            r.span
        };
        out.push(DocumentLink {
            span,
            tooltip: format!(
                "open `{}/{}` on the registry's website",
                image.registry, image.repository
            ),
            target,
        });
    }
    out.sort_by_key(|l| l.span.start);
    out
}

/// The public web page of an image's repository, for the registries with a known scheme.
pub fn registry_page(image: &ImageRef) -> Option<String> {
    let repo = image.repository.as_str();
    match image.registry.as_str() {
        "docker.io" => Some(match repo.strip_prefix("library/") {
            Some(name) if !name.contains('/') => format!("https://hub.docker.com/_/{name}"),
            _ => format!("https://hub.docker.com/r/{repo}"),
        }),
        "ghcr.io" if repo.contains('/') => Some(format!("https://ghcr.io/{repo}")),
        "quay.io" if repo.contains('/') => Some(format!("https://quay.io/repository/{repo}")),
        "mcr.microsoft.com" => Some(format!(
            "https://mcr.microsoft.com/en-us/artifact/mar/{repo}"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{parse_fixture, render};
    use expect_test::{expect, Expect};

    fn check(fixture: &str, expect: Expect) {
        let (text, _) = parse_fixture(fixture);
        let doc = Document::new(&text, 0);
        let spans: Vec<_> = document_links(&doc)
            .into_iter()
            .map(|l| (l.span, l.target))
            .collect();
        expect.assert_eq(&render(&text, &spans));
    }

    #[test]
    fn registries_stages_scratch_and_variables() {
        check(
            r#"
ARG BASE=node:20
ARG NODEFAULT
FROM alpine:3.20 AS a
FROM bitnami/redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
FROM ghcr.io/owner/tool:v1
FROM quay.io/prometheus/node-exporter
FROM mcr.microsoft.com/dotnet/sdk:8.0
FROM registry.example.com/team/app
FROM docker.io/library/busybox
FROM a
FROM scratch
FROM ${BASE}
FROM ${NODEFAULT}
COPY --from=nginx:latest /etc/nginx /etc/nginx
COPY --from=a / /
RUN --mount=from=golang:1.22,target=/go true
"#,
            expect![[r#"
                ARG BASE=node:20
                ARG NODEFAULT
                FROM alpine:3.20 AS a
                     ^^^^^^ https://hub.docker.com/_/alpine
                FROM bitnami/redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                     ^^^^^^^^^^^^^ https://hub.docker.com/r/bitnami/redis
                FROM ghcr.io/owner/tool:v1
                     ^^^^^^^^^^^^^^^^^^ https://ghcr.io/owner/tool
                FROM quay.io/prometheus/node-exporter
                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ https://quay.io/repository/prometheus/node-exporter
                FROM mcr.microsoft.com/dotnet/sdk:8.0
                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ https://mcr.microsoft.com/en-us/artifact/mar/dotnet/sdk
                FROM registry.example.com/team/app
                FROM docker.io/library/busybox
                     ^^^^^^^^^^^^^^^^^^^^^^^^^ https://hub.docker.com/_/busybox
                FROM a
                FROM scratch
                FROM ${BASE}
                     ^^^^^^^ https://hub.docker.com/_/node
                FROM ${NODEFAULT}
                COPY --from=nginx:latest /etc/nginx /etc/nginx
                            ^^^^^ https://hub.docker.com/_/nginx
                COPY --from=a / /
                RUN --mount=from=golang:1.22,target=/go true
                                 ^^^^^^ https://hub.docker.com/_/golang
            "#]],
        );
    }
}
