//! The `LanguageServer` implementation: the open documents and one short handler per method.
//!
//! Each handler converts the params (`convert`), runs one pure analysis function over an
//! `Arc<Document>` snapshot, and converts the result back. Notifications that change a document
//! finish the change before their first `.await`: tower-lsp-server runs up to four handlers at
//! once, and an `.await` before the change would let the next `didChange` overtake this one.
//!
//! Must not know: UTF-16 or any position arithmetic (that is `convert`), analysis internals.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use dashmap::DashMap;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentHighlight, DocumentHighlightParams, GotoDefinitionParams,
    GotoDefinitionResponse, InitializeParams, InitializeResult, InitializedParams, Location,
    PrepareRenameResponse, ReferenceParams, RenameParams, ServerInfo, TextDocumentPositionParams,
    TextEdit, Uri, WorkspaceEdit,
};
use tower_lsp_server::ls_types::{
    DocumentLink, DocumentLinkParams, Hover, HoverParams, InlayHint, InlayHintParams,
    SemanticToken, SemanticTokens, SemanticTokensDelta, SemanticTokensDeltaParams,
    SemanticTokensFullDeltaResult, SemanticTokensParams, SemanticTokensRangeParams,
    SemanticTokensRangeResult, SemanticTokensResult, SignatureHelp, SignatureHelpParams,
};
use tower_lsp_server::{Client, LanguageServer};
use tracing::{debug, error, info, instrument, warn};

use super::capabilities;
use super::config::Settings;
use super::convert::{self, Encoding};
use crate::analysis::features::{self, CompletionConfig, HoverConfig};
use crate::analysis::Document;

/// What `initialize` settled for the rest of the session.
#[derive(Clone, Copy, Debug, Default)]
struct Session {
    encoding: Encoding,
    snippets: bool,
    /// Hover as markdown (else plain text).
    hover_markdown: bool,
    /// Semantic tokens may span lines.
    multiline_tokens: bool,
}

pub struct Backend {
    client: Client,
    docs: DashMap<Uri, Arc<Document>>,
    session: OnceLock<Session>,
    /// Set by `shutdown`: LSP says to exit with code 0 after `exit` only if it came first.
    shutdown: Arc<AtomicBool>,
    /// Settings from `initializationOptions`.
    settings: RwLock<Settings>,
    /// The last semantic tokens sent per document, for `semanticTokens/full/delta`.
    semantic: SemanticCache,
    /// The client's `processId` from `initialize`, watched by `lsp::parent`.
    parent: Arc<OnceLock<u32>>,
}

/// The last `semanticTokens` result per document: its `resultId` and data.
#[derive(Default)]
struct SemanticCache {
    last: DashMap<Uri, (String, Vec<SemanticToken>)>,
    next_id: AtomicU64,
}

impl SemanticCache {
    /// Remembers `data` for `uri` and returns its new result id.
    fn store(&self, uri: &Uri, data: &[SemanticToken]) -> String {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        self.last.insert(uri.clone(), (id.clone(), data.to_vec()));
        id
    }
}

/// Debug builds only: a request whose handler panics, to test that a panic in a handler
/// becomes an internal-error response and the server lives on.
#[cfg(all(debug_assertions, not(fuzzing)))]
pub const DEBUG_PANIC_METHOD: &str = "dockerfile-ls/debugPanic";

/// Debug builds only: `{"textDocument": {"uri"}}` → `{"version", "length", "hash"}` of the
/// server's copy of the text (FNV-1a, 64 bits, of its UTF-8 bytes, as 16 hex digits), to test
/// that the server's text equals the client's; `null` for a document that is not open.
#[cfg(all(debug_assertions, not(fuzzing)))]
pub const DEBUG_TEXT_HASH_METHOD: &str = "dockerfile-ls/debugTextHash";

#[cfg(all(debug_assertions, not(fuzzing)))]
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DebugTextParams {
    text_document: tower_lsp_server::ls_types::TextDocumentIdentifier,
}

impl Backend {
    pub fn new(client: Client, shutdown: Arc<AtomicBool>, parent: Arc<OnceLock<u32>>) -> Backend {
        Backend {
            client,
            docs: DashMap::new(),
            session: OnceLock::new(),
            shutdown,
            settings: RwLock::new(Settings::default()),
            semantic: SemanticCache::default(),
            parent,
        }
    }

    fn session(&self) -> Session {
        self.session.get().copied().unwrap_or_default()
    }

    fn encoding(&self) -> Encoding {
        self.session().encoding
    }

    /// The current document, or `None` (with a debug log) if the client never opened `uri`.
    fn snapshot(&self, uri: &Uri) -> Option<Arc<Document>> {
        let doc = self.docs.get(uri).map(|entry| Arc::clone(&entry));
        if doc.is_none() {
            debug!(
                uri = uri.as_str(),
                "request for a document that is not open"
            );
        }
        doc
    }

    /// Runs `f` over the document at `uri`: `Ok(None)` for unknown documents, an internal error
    /// if the analysis panics.
    fn with_doc<T>(
        &self,
        what: &'static str,
        uri: &Uri,
        f: impl FnOnce(&Document, Encoding) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(doc) = self.snapshot(uri) else {
            return Ok(None);
        };
        let enc = self.encoding();
        guarded(what, || f(&doc, enc))
    }

    /// Publishes diagnostics for `doc`, unless a newer version has replaced it meanwhile (that
    /// change publishes its own).
    async fn publish(&self, uri: Uri, doc: Arc<Document>) {
        let enc = self.encoding();
        let Ok(diags) = guarded("diagnostics", || {
            features::diagnostics(&doc)
                .iter()
                .map(|d| convert::diagnostic(&doc, &uri, d, enc))
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        let current = self.docs.get(&uri).map(|d| d.version());
        if current != Some(doc.version()) {
            return;
        }
        self.client
            .publish_diagnostics(uri, diags, Some(doc.version()))
            .await;
    }

    /// The document's semantic tokens (all, or those in `range`) in LSP's encoding.
    fn encoded_tokens(
        &self,
        uri: &Uri,
        range: Option<tower_lsp_server::ls_types::Range>,
    ) -> Result<Option<Vec<SemanticToken>>> {
        let multiline = self.session().multiline_tokens;
        self.with_doc("semanticTokens", uri, |doc, enc| {
            let span = range.map(|r| convert::span(doc, r, enc));
            let tokens = features::semantic_tokens(doc, span);
            Some(convert::semantic_tokens(doc, &tokens, enc, multiline))
        })
    }

    /// The reply to a frame the transport guard found malformed (see `transport`).
    pub async fn invalid_message(&self) -> Result<()> {
        Err(Error::invalid_request())
    }

    #[cfg(all(debug_assertions, not(fuzzing)))]
    pub async fn debug_panic(&self) -> Result<()> {
        panic!("`{DEBUG_PANIC_METHOD}` was called");
    }

    #[cfg(all(debug_assertions, not(fuzzing)))]
    pub async fn debug_text_hash(&self, p: DebugTextParams) -> Result<Option<serde_json::Value>> {
        let Some(doc) = self.snapshot(&p.text_document.uri) else {
            return Ok(None);
        };
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for chunk in doc.text().chunks() {
            for b in chunk.bytes() {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Ok(Some(serde_json::json!({
            "version": doc.version(),
            "length": doc.len(),
            "hash": format!("{hash:016x}"),
        })))
    }
}

/// Runs one analysis call; a panic becomes an internal-error response and an error log instead
/// of taking the whole server down.
fn guarded<T>(what: &'static str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let why = super::panic_guard::panic_message(payload.as_ref());
        error!("{what} panicked: {why}");
        let mut err = Error::internal_error();
        err.message = format!("internal error in {what}").into();
        err
    })
}

fn position_params(p: &TextDocumentPositionParams) -> (&Uri, tower_lsp_server::ls_types::Position) {
    (&p.text_document.uri, p.position)
}

impl LanguageServer for Backend {
    #[instrument(skip_all)]
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let session = Session {
            encoding: capabilities::negotiate_encoding(&params.capabilities),
            snippets: capabilities::snippet_support(&params.capabilities),
            hover_markdown: capabilities::hover_markdown(&params.capabilities),
            multiline_tokens: capabilities::multiline_tokens(&params.capabilities),
        };
        if let Some(pid) = params.process_id {
            // LSP: exit when the parent process is gone (watched in `lsp::parent`). A
            // `--clientProcessId` from the command line was set first and wins.
            let _ = self.parent.set(pid);
        }
        let settings = Settings::from_init_options(params.initialization_options);
        debug!(?session, ?settings, "initialize");
        if let Ok(mut s) = self.settings.write() {
            *s = settings;
        }
        if self.session.set(session).is_err() {
            warn!("initialize received twice; keeping the first session");
        }
        Ok(InitializeResult {
            capabilities: capabilities::server_capabilities(self.encoding()),
            server_info: Some(ServerInfo {
                name: env!("CARGO_PKG_NAME").to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            // clangd's pre-3.17 extension; `capabilities.positionEncoding` is the standard way.
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        info!("client initialized");
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    #[instrument(skip_all, fields(uri = p.text_document.uri.as_str()))]
    async fn did_open(&self, p: DidOpenTextDocumentParams) {
        let uri = p.text_document.uri;
        let version = p.text_document.version;
        // No `.await` until the document is stored: handlers run concurrently.
        let Ok(doc) = guarded("didOpen", || {
            Arc::new(Document::new(&p.text_document.text, version))
        }) else {
            self.docs.remove(&uri);
            return;
        };
        if self.docs.insert(uri.clone(), Arc::clone(&doc)).is_some() {
            // LSP forbids opening an open document; take the client's new text as the truth.
            warn!("didOpen of a document that is already open: replacing its text");
        }
        self.publish(uri, doc).await;
    }

    #[instrument(skip_all, fields(uri = p.text_document.uri.as_str(), version = p.text_document.version))]
    async fn did_change(&self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let version = p.text_document.version;
        // No `.await` until the edit has landed: handlers run concurrently.
        let doc = {
            let Some(mut entry) = self.docs.get_mut(&uri) else {
                warn!("ignoring a change to a document that is not open");
                return;
            };
            if version <= entry.version() {
                warn!(
                    current = entry.version(),
                    "ignoring a change that is not newer than the document"
                );
                return;
            }
            let enc = self.encoding();
            let next = guarded("didChange", || {
                let mut next = Document::clone(&entry);
                for change in &p.content_changes {
                    convert::apply_change(&mut next, change, enc);
                }
                next.reparse(version);
                next
            });
            let Ok(next) = next else {
                // The text may now differ from the client's: forget the document rather than
                // answer from a wrong one; the client's next didOpen brings it back.
                drop(entry);
                self.docs.remove(&uri);
                return;
            };
            *entry = Arc::new(next);
            Arc::clone(&entry)
        };
        self.publish(uri, doc).await;
    }

    #[instrument(skip_all, fields(uri = p.text_document.uri.as_str()))]
    async fn did_close(&self, p: DidCloseTextDocumentParams) {
        if self.docs.remove(&p.text_document.uri).is_none() {
            warn!("didClose of a document that is not open");
        }
        self.semantic.last.remove(&p.text_document.uri);
        // Diagnostics of a closed file would otherwise stay in the client's problem list.
        self.client
            .publish_diagnostics(p.text_document.uri, Vec::new(), None)
            .await;
    }

    #[instrument(skip_all)]
    async fn goto_definition(
        &self,
        p: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let (uri, pos) = position_params(&p.text_document_position_params);
        self.with_doc("definition", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let targets: Vec<Location> = features::definition(doc, offset)
                .into_iter()
                .map(|span| convert::location(doc, uri, span, enc))
                .collect();
            (!targets.is_empty()).then_some(GotoDefinitionResponse::Array(targets))
        })
    }

    #[instrument(skip_all)]
    async fn references(&self, p: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let (uri, pos) = position_params(&p.text_document_position);
        let include_declaration = p.context.include_declaration;
        self.with_doc("references", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            Some(
                features::references(doc, offset, include_declaration)
                    .into_iter()
                    .map(|span| convert::location(doc, uri, span, enc))
                    .collect(),
            )
        })
    }

    #[instrument(skip_all)]
    async fn document_highlight(
        &self,
        p: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let (uri, pos) = position_params(&p.text_document_position_params);
        self.with_doc("documentHighlight", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            Some(
                features::highlights(doc, offset)
                    .into_iter()
                    .map(|(span, kind)| convert::highlight(doc, span, kind, enc))
                    .collect(),
            )
        })
    }

    #[instrument(skip_all)]
    async fn prepare_rename(
        &self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let (uri, pos) = position_params(&p);
        self.with_doc("prepareRename", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let (span, placeholder) = features::prepare_rename(doc, offset)?;
            Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: convert::range(doc, span, enc),
                placeholder,
            })
        })
    }

    #[instrument(skip_all)]
    async fn rename(&self, p: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let (uri, pos) = position_params(&p.text_document_position);
        let result = self.with_doc("rename", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let edits = features::rename(doc, offset, &p.new_name).map(|edits| {
                edits
                    .into_iter()
                    .map(|(span, text)| TextEdit::new(convert::range(doc, span, enc), text))
                    .collect::<Vec<_>>()
            });
            Some(edits)
        })?;
        match result {
            None => Ok(None),
            Some(Ok(edits)) => {
                let changes = std::iter::once((uri.clone(), edits)).collect();
                Ok(Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }))
            }
            Some(Err(err)) => Err(convert::rename_error(&err)),
        }
    }

    #[instrument(skip_all)]
    async fn completion(&self, p: CompletionParams) -> Result<Option<CompletionResponse>> {
        let (uri, pos) = position_params(&p.text_document_position);
        let config = CompletionConfig {
            snippets: self.session().snippets,
        };
        self.with_doc("completion", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let items = features::completion(doc, offset, config)
                .iter()
                .map(|item| convert::completion_item(doc, item, enc))
                .collect();
            Some(CompletionResponse::Array(items))
        })
    }

    // ---- hover, semantic tokens, links, inlay hints, signature help (issue 5A) ----

    #[instrument(skip_all)]
    async fn hover(&self, p: HoverParams) -> Result<Option<Hover>> {
        let (uri, pos) = position_params(&p.text_document_position_params);
        let markdown = self.session().hover_markdown;
        self.with_doc("hover", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let h = features::hover(doc, offset, HoverConfig { markdown })?;
            Some(convert::hover(doc, &h, markdown, enc))
        })
    }

    #[instrument(skip_all)]
    async fn semantic_tokens_full(
        &self,
        p: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = &p.text_document.uri;
        let data = self.encoded_tokens(uri, None)?;
        Ok(data.map(|data| {
            let id = self.semantic.store(uri, &data);
            SemanticTokensResult::Tokens(SemanticTokens {
                result_id: Some(id),
                data,
            })
        }))
    }

    #[instrument(skip_all)]
    async fn semantic_tokens_full_delta(
        &self,
        p: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = &p.text_document.uri;
        let Some(data) = self.encoded_tokens(uri, None)? else {
            return Ok(None);
        };
        let previous = self
            .semantic
            .last
            .get(uri)
            .filter(|e| e.0 == p.previous_result_id)
            .map(|e| convert::semantic_edits(&e.1, &data));
        let id = self.semantic.store(uri, &data);
        Ok(Some(match previous {
            Some(edits) => SemanticTokensFullDeltaResult::TokensDelta(SemanticTokensDelta {
                result_id: Some(id),
                edits,
            }),
            // An unknown (or superseded) previous result: send everything.
            None => SemanticTokensFullDeltaResult::Tokens(SemanticTokens {
                result_id: Some(id),
                data,
            }),
        }))
    }

    #[instrument(skip_all)]
    async fn semantic_tokens_range(
        &self,
        p: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let data = self.encoded_tokens(&p.text_document.uri, Some(p.range))?;
        Ok(data.map(|data| {
            SemanticTokensRangeResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            })
        }))
    }

    #[instrument(skip_all)]
    async fn document_link(&self, p: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.with_doc("documentLink", &p.text_document.uri, |doc, enc| {
            Some(
                features::document_links(doc)
                    .iter()
                    .map(|l| convert::document_link(doc, l, enc))
                    .collect(),
            )
        })
    }

    #[instrument(skip_all)]
    async fn inlay_hint(&self, p: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let config = self
            .settings
            .read()
            .map(|s| s.inlay_hints.config())
            .unwrap_or_default();
        self.with_doc("inlayHint", &p.text_document.uri, |doc, enc| {
            let span = convert::span(doc, p.range, enc);
            Some(
                features::inlay_hints(doc, span, config)
                    .iter()
                    .map(|h| convert::inlay_hint(doc, h, enc))
                    .collect(),
            )
        })
    }

    #[instrument(skip_all)]
    async fn signature_help(&self, p: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let (uri, pos) = position_params(&p.text_document_position_params);
        self.with_doc("signatureHelp", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            features::signature_help(doc, offset).map(|h| convert::signature_help(&h))
        })
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::jsonrpc::ErrorCode;

    use super::*;

    #[test]
    fn a_panic_in_analysis_becomes_an_internal_error() {
        let err = guarded("definition", || -> usize { panic!("boom") }).unwrap_err();
        assert_eq!(err.code, ErrorCode::InternalError);
        assert_eq!(err.message, "internal error in definition");
        assert_eq!(guarded("definition", || 7).unwrap(), 7);
    }
}
