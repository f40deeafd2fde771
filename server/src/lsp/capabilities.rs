//! What the server advertises in `initialize`, and what it reads from the client's capabilities.
//!
//! Invariant: advertise only what a handler in `server.rs` implements; a capability without a
//! handler makes clients send requests that fail.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, CompletionOptions, DocumentLinkOptions, ExecuteCommandOptions,
    HoverProviderCapability, MarkupKind, OneOf, PositionEncodingKind, RenameOptions,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensServerCapabilities,
    ServerCapabilities, SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, WorkDoneProgressOptions,
};
use tower_lsp_server::ls_types::{
    DocumentOnTypeFormattingOptions, FoldingRangeProviderCapability,
    LinkedEditingRangeServerCapabilities, SelectionRangeProviderCapability,
};

use super::convert::{self, Encoding, CMD_STAGE_GRAPH, CMD_STAGE_REFERENCES};

/// The commands the server executes (`workspace/executeCommand`).
pub const COMMANDS: &[&str] = &[CMD_STAGE_REFERENCES, CMD_STAGE_GRAPH];

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

/// `workspace.configuration`: the client answers `workspace/configuration` requests.
pub fn configuration_support(caps: &ClientCapabilities) -> bool {
    caps.workspace
        .as_ref()
        .and_then(|w| w.configuration)
        .unwrap_or(false)
}

/// `workspace.didChangeConfiguration.dynamicRegistration`: the client wants the server to
/// register for configuration changes (vscode-languageclient sends them only then).
pub fn did_change_configuration_registration(caps: &ClientCapabilities) -> bool {
    caps.workspace
        .as_ref()
        .and_then(|w| w.did_change_configuration.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// `workspace.codeLens.refreshSupport`: the client honours `workspace/codeLens/refresh`.
pub fn code_lens_refresh_support(caps: &ClientCapabilities) -> bool {
    caps.workspace
        .as_ref()
        .and_then(|w| w.code_lens.as_ref())
        .and_then(|c| c.refresh_support)
        .unwrap_or(false)
}

/// `textDocument.codeLens.resolveSupport.properties` contains `command` (LSP 3.18): the client
/// resolves lenses lazily. `ls_types` does not model this field yet, so it is read from the raw
/// capabilities JSON.
pub fn code_lens_resolve_support(raw: Option<&serde_json::Value>) -> bool {
    raw.and_then(|c| c.pointer("/textDocument/codeLens/resolveSupport/properties"))
        .and_then(serde_json::Value::as_array)
        .is_some_and(|props| props.iter().any(|p| p == "command"))
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

/// Whether completion items may carry Markdown documentation: the client lists `markdown` in
/// `completionItem.documentationFormat` (eglot and older clients list nothing: plain text).
pub fn completion_markdown(caps: &ClientCapabilities) -> bool {
    caps.text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.documentation_format.as_ref())
        .is_some_and(|formats| formats.contains(&MarkupKind::Markdown))
}

/// Issue 5B: what the client says about outlines and folding.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeatureCaps {
    /// `textDocument.documentSymbol.hierarchicalDocumentSymbolSupport`.
    pub hierarchical_symbols: bool,
    /// `textDocument.foldingRange.lineFoldingOnly`.
    pub line_folding_only: bool,
    /// `textDocument.foldingRange.rangeLimit`.
    pub folding_range_limit: Option<u32>,
}

pub fn feature_caps(caps: &ClientCapabilities) -> FeatureCaps {
    let td = caps.text_document.as_ref();
    let folding = td.and_then(|t| t.folding_range.as_ref());
    FeatureCaps {
        hierarchical_symbols: td
            .and_then(|t| t.document_symbol.as_ref())
            .and_then(|d| d.hierarchical_document_symbol_support)
            .unwrap_or(false),
        line_folding_only: folding.and_then(|f| f.line_folding_only).unwrap_or(false),
        folding_range_limit: folding.and_then(|f| f.range_limit),
    }
}

/// On-type formatting runs after a line break (see `docs/formatting.md`).
pub const ON_TYPE_FORMATTING_TRIGGER: &str = "\n";
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
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(true),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: COMMANDS.iter().map(ToString::to_string).collect(),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        // Issue 5B: outline, folding, selection, linked editing, formatting.
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
        linked_editing_range_provider: Some(LinkedEditingRangeServerCapabilities::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        document_on_type_formatting_provider: Some(DocumentOnTypeFormattingOptions {
            first_trigger_character: ON_TYPE_FORMATTING_TRIGGER.to_string(),
            more_trigger_character: None,
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
    fn code_lens_and_configuration_capabilities() {
        assert!(!code_lens_resolve_support(None));
        let raw =
            json!({"textDocument": {"codeLens": {"resolveSupport": {"properties": ["command"]}}}});
        assert!(code_lens_resolve_support(Some(&raw)));
        let raw = json!({"textDocument": {"codeLens": {"resolveSupport": {"properties": []}}}});
        assert!(!code_lens_resolve_support(Some(&raw)));
        assert!(!code_lens_refresh_support(&caps(json!({}))));
        assert!(code_lens_refresh_support(&caps(
            json!({"workspace": {"codeLens": {"refreshSupport": true}}})
        )));
    }

    #[test]
    fn configuration_pull_only_when_the_client_says_so() {
        assert!(!configuration_support(&caps(json!({}))));
        assert!(configuration_support(&caps(
            json!({"workspace": {"configuration": true}})
        )));
        assert!(did_change_configuration_registration(&caps(
            json!({"workspace": {"didChangeConfiguration": {"dynamicRegistration": true}}})
        )));
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
    fn markdown_completion_docs_only_when_listed() {
        assert!(!completion_markdown(&caps(json!({}))));
        let item = |formats: serde_json::Value| {
            caps(
                json!({"textDocument": {"completion": {"completionItem": {"documentationFormat": formats}}}}),
            )
        };
        assert!(!completion_markdown(&item(json!([]))));
        assert!(!completion_markdown(&item(json!(["plaintext"]))));
        assert!(completion_markdown(&item(json!(["markdown", "plaintext"]))));
    }

    #[test]
    fn advertises_only_implemented_features() {
        let v = serde_json::to_value(server_capabilities(Encoding::Utf16)).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "codeActionProvider",
                "codeLensProvider",
                "completionProvider",
                "definitionProvider",
                "documentFormattingProvider",
                "documentHighlightProvider",
                "documentLinkProvider",
                "documentOnTypeFormattingProvider",
                "documentRangeFormattingProvider",
                "documentSymbolProvider",
                "executeCommandProvider",
                "foldingRangeProvider",
                "hoverProvider",
                "inlayHintProvider",
                "linkedEditingRangeProvider",
                "positionEncoding",
                "referencesProvider",
                "renameProvider",
                "selectionRangeProvider",
                "semanticTokensProvider",
                "signatureHelpProvider",
                "textDocumentSync",
                "workspaceSymbolProvider",
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
