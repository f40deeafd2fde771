//! The `LanguageServer` implementation: the open documents and one short handler per method.
//!
//! Each handler converts the params (`convert`), runs one pure analysis function over an
//! `Arc<Document>` snapshot, and converts the result back. Notifications that change a document
//! finish the change before their first `.await`: tower-lsp-server runs up to four handlers at
//! once, and an `.await` before the change would let the next `didChange` overtake this one.
//!
//! Diagnostics run on their own task, never inline in `didChange`: the change only applies the
//! text edits (syntax and model are computed lazily), swaps the new version in and schedules a
//! pass. The pass skips a version that is no longer current before computing, computes on the
//! blocking pool (so requests are never queued behind it), and publishes only if its version is
//! still current, under a lock, so an older pass can never publish after a newer one. A burst of
//! edits therefore costs one parse and one diagnostics pass for the last version, and each
//! version's diagnostics are computed at most once.
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
    docs: Arc<DashMap<Uri, Arc<Document>>>,
    /// Held while checking that a diagnostics pass is still current and publishing it (and while
    /// `didClose` clears a document's diagnostics), so publishes never go out of order.
    publish_lock: Arc<tokio::sync::Mutex<()>>,
    session: OnceLock<Session>,
    /// Set by `shutdown`: LSP says to exit with code 0 after `exit` only if it came first.
    shutdown: Arc<AtomicBool>,
    /// Settings from `initializationOptions`.
    settings: RwLock<Settings>,
    /// The last semantic tokens sent per document, for `semanticTokens/full/delta`.
    semantic: SemanticCache,
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

impl Backend {
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Backend {
        Backend {
            client,
            docs: Arc::new(DashMap::new()),
            publish_lock: Arc::new(tokio::sync::Mutex::new(())),
            session: OnceLock::new(),
            shutdown,
            settings: RwLock::new(Settings::default()),
            semantic: SemanticCache::default(),
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

    /// Schedules a diagnostics pass for `doc`, the version just stored for `uri`. `retired` is
    /// the version it replaced: it is dropped on the blocking pool rather than in the handler,
    /// and before the new version is parsed, so its syntax can be updated in place.
    fn schedule_diagnostics(&self, uri: Uri, doc: Arc<Document>, retired: Option<Arc<Document>>) {
        let docs = Arc::clone(&self.docs);
        let client = self.client.clone();
        let lock = Arc::clone(&self.publish_lock);
        let enc = self.encoding();
        tokio::spawn(async move {
            let current = |docs: &DashMap<Uri, Arc<Document>>, uri: &Uri, doc: &Arc<Document>| {
                docs.get(uri).is_some_and(|d| Arc::ptr_eq(&d, doc))
            };
            if !current(&docs, &uri, &doc) {
                // A newer version is in: its own pass publishes; this one is never computed.
                drop(retired);
                return;
            }
            let pass = {
                let (doc, uri) = (Arc::clone(&doc), uri.clone());
                tokio::task::spawn_blocking(move || {
                    drop(retired);
                    guarded("diagnostics", || {
                        features::diagnostics(&doc)
                            .iter()
                            .map(|d| convert::diagnostic(&doc, &uri, d, enc))
                            .collect::<Vec<_>>()
                    })
                })
            };
            let Ok(Ok(diags)) = pass.await else { return };
            let _order = lock.lock().await;
            if current(&docs, &uri, &doc) {
                debug!(version = doc.version(), "publishing diagnostics");
                client
                    .publish_diagnostics(uri, diags, Some(doc.version()))
                    .await;
            }
        });
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
}

/// Runs one analysis call; a panic becomes an internal-error response and an error log instead
/// of taking the whole server down.
fn guarded<T>(what: &'static str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
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
        let retired = self.docs.insert(uri.clone(), Arc::clone(&doc));
        self.schedule_diagnostics(uri, doc, retired);
    }

    #[instrument(skip_all, fields(uri = p.text_document.uri.as_str(), version = p.text_document.version))]
    async fn did_change(&self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let version = p.text_document.version;
        // No `.await` until the edit has landed: handlers run concurrently.
        let (doc, retired) = {
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
            // Only the text changes here; syntax and model are computed when first asked for
            // (by the diagnostics pass or a request), so a burst of edits is parsed once.
            let next = guarded("didChange", || {
                let mut next = Document::clone(&entry);
                for change in &p.content_changes {
                    convert::apply_change(&mut next, change, enc);
                }
                next.set_version(version);
                next
            });
            let Ok(next) = next else {
                // The text may now differ from the client's: forget the document rather than
                // answer from a wrong one; the client's next didOpen brings it back.
                drop(entry);
                self.docs.remove(&uri);
                return;
            };
            let retired = std::mem::replace(&mut *entry, Arc::new(next));
            (Arc::clone(&entry), retired)
        };
        self.schedule_diagnostics(uri, doc, Some(retired));
    }

    #[instrument(skip_all, fields(uri = p.text_document.uri.as_str()))]
    async fn did_close(&self, p: DidCloseTextDocumentParams) {
        // Removed before the first `.await` (a following didOpen must not be overtaken); the
        // clear is sent under the publish lock, so no pass of the closed document follows it.
        self.docs.remove(&p.text_document.uri);
        self.semantic.last.remove(&p.text_document.uri);
        let _order = self.publish_lock.lock().await;
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
