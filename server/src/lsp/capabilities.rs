//! What the server advertises in `initialize`, and what it reads from the client's capabilities.
//!
//! Invariant: advertise only what a handler in `server.rs` implements; a capability without a
//! handler makes clients send requests that fail.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CompletionOptions, DocumentLinkOptions, HoverProviderCapability,
    MarkupKind, OneOf, PositionEncodingKind, RenameOptions, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensServerCapabilities, ServerCapabilities,
    SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, WorkDoneProgressOptions,
};

use super::convert::{self, Encoding};

/// Characters after which the client should ask for completions: `-` starts a flag (`--from`),
/// `=` starts a flag or mount value (`--from=`, `type=`), `,` the next mount option, `$` and `{`
/// a variable, and a space the next word (an instruction's arguments, `AS`).
pub const TRIGGER_CHARACTERS: &[&str] = &["-", "=", ",", "$", "{", " "];

/// UTF-8 if the client offers it (no conversion work, and the LSP 3.17 way), else the mandatory
/// UTF-16. LSP: "If the client didn't provide any position encodings the only valid value that
/// a server can return is 'utf-16'."
pub fn negotiate_encoding(caps: &ClientCapabilities) -> Encoding {
    let offered = caps
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// `textDocument.completion.completionItem.snippetSupport`.
pub fn snippet_support(caps: &ClientCapabilities) -> bool {
    caps.text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false)
}

/// `textDocument.hover.contentFormat` lists markdown (LSP: plaintext otherwise).
pub fn hover_markdown(caps: &ClientCapabilities) -> bool {
    caps.text_document
        .as_ref()
        .and_then(|t| t.hover.as_ref())
        .and_then(|h| h.content_format.as_ref())
        .is_some_and(|f| f.contains(&MarkupKind::Markdown))
}

/// `textDocument.semanticTokens.multilineTokenSupport`.
pub fn multiline_tokens(caps: &ClientCapabilities) -> bool {
    caps.text_document
        .as_ref()
        .and_then(|t| t.semantic_tokens.as_ref())
        .and_then(|s| s.multiline_token_support)
        .unwrap_or(false)
}

/// Signature help opens on a space (the next argument) and follows `,` inside exec-form arrays.
pub const SIGNATURE_TRIGGER_CHARACTERS: &[&str] = &[" "];
pub const SIGNATURE_RETRIGGER_CHARACTERS: &[&str] = &[","];

/// Hover, semantic tokens (full, delta, range), document links, inlay hints, signature help.
fn editor_feature_capabilities(caps: &mut ServerCapabilities) {
    caps.hover_provider = Some(HoverProviderCapability::Simple(true));
    caps.semantic_tokens_provider = Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
        SemanticTokensOptions {
            legend: convert::semantic_legend(),
            range: Some(true),
            full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        },
    ));
    caps.document_link_provider = Some(DocumentLinkOptions {
        resolve_provider: Some(false),
        work_done_progress_options: WorkDoneProgressOptions::default(),
    });
    caps.inlay_hint_provider = Some(OneOf::Left(true));
    caps.signature_help_provider = Some(SignatureHelpOptions {
        trigger_characters: Some(
            SIGNATURE_TRIGGER_CHARACTERS
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        retrigger_characters: Some(
            SIGNATURE_RETRIGGER_CHARACTERS
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        work_done_progress_options: WorkDoneProgressOptions::default(),
    });
}

pub fn server_capabilities(encoding: Encoding) -> ServerCapabilities {
    let mut caps = base_capabilities(encoding);
    editor_feature_capabilities(&mut caps);
    caps
}

fn base_capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(TRIGGER_CHARACTERS.iter().map(ToString::to_string).collect()),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn caps(v: serde_json::Value) -> ClientCapabilities {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn prefers_utf8_when_offered() {
        let c = caps(json!({"general": {"positionEncodings": ["utf-16", "utf-8"]}}));
        assert_eq!(negotiate_encoding(&c), Encoding::Utf8);
        let c = caps(json!({"general": {"positionEncodings": ["utf-32", "utf-16"]}}));
        assert_eq!(negotiate_encoding(&c), Encoding::Utf16);
        assert_eq!(negotiate_encoding(&caps(json!({}))), Encoding::Utf16);
    }

    #[test]
    fn snippets_only_when_the_client_says_so() {
        assert!(!snippet_support(&caps(json!({}))));
        let c = caps(
            json!({"textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}}),
        );
        assert!(snippet_support(&c));
    }

    #[test]
    fn advertises_only_implemented_features() {
        let v = serde_json::to_value(server_capabilities(Encoding::Utf16)).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "completionProvider",
                "definitionProvider",
                "documentHighlightProvider",
                "documentLinkProvider",
                "hoverProvider",
                "inlayHintProvider",
                "positionEncoding",
                "referencesProvider",
                "renameProvider",
                "semanticTokensProvider",
                "signatureHelpProvider",
                "textDocumentSync",
            ]
        );
    }

    #[test]
    fn hover_format_and_multiline_tokens_follow_the_client() {
        assert!(!hover_markdown(&caps(json!({}))));
        let c =
            caps(json!({"textDocument": {"hover": {"contentFormat": ["plaintext", "markdown"]}}}));
        assert!(hover_markdown(&c));
        assert!(!multiline_tokens(&caps(json!({}))));
        let c = caps(json!({"textDocument": {"semanticTokens": {
            "requests": {}, "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"],
            "multilineTokenSupport": true
        }}}));
        assert!(multiline_tokens(&c));
    }
}
