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
//! blocking pool (so requests are never queued behind it) unless the document's last pass took
//! at most [`INLINE_PASS`], or it is the first pass of a document of at most
//! [`INLINE_FIRST_PASS_BYTES`] (then on its own task, which saves two hand-overs between
//! threads), and publishes only if its version is still current, under a lock, so an older pass can never
//! publish after a newer one. A burst of edits therefore costs one parse and one diagnostics pass
//! for the last version, and each version's diagnostics are computed at most once.
//!
//! Requests of [`answers_directly`] reach their handler through [`ANSWER_METHOD`] when the server
//! runs on stdio (see [`super::Intercept`]); the handler is the same.
//!
//! Must not know: UTF-16 or any position arithmetic (that is `convert`), analysis internals.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use dashmap::DashMap;
use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::notification::{Notification, PublishDiagnostics};
use tower_lsp_server::ls_types::{self as lsp, PublishDiagnosticsParams};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, CodeLens,
    CodeLensParams, CompletionParams, CompletionResponse, ConfigurationItem,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentHighlight, DocumentHighlightParams, ExecuteCommandParams,
    GotoDefinitionParams, GotoDefinitionResponse, InitializeParams, InitializeResult,
    InitializedParams, Location, MessageType, PrepareRenameResponse, ReferenceParams, Registration,
    RenameParams, ServerInfo, TextDocumentIdentifier, TextDocumentPositionParams, TextEdit, Uri,
    WorkspaceEdit,
};
use tower_lsp_server::ls_types::{
    DocumentFormattingParams, DocumentLink, DocumentLinkParams, DocumentOnTypeFormattingParams,
    DocumentRangeFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, FoldingRange,
    FoldingRangeParams, Hover, HoverParams, InlayHint, InlayHintParams, LinkedEditingRangeParams,
    LinkedEditingRanges, SelectionRange, SelectionRangeParams, SemanticToken, SemanticTokens,
    SemanticTokensDelta, SemanticTokensDeltaParams, SemanticTokensFullDeltaResult,
    SemanticTokensParams, SemanticTokensRangeParams, SemanticTokensRangeResult,
    SemanticTokensResult, SignatureHelp, SignatureHelpParams, SymbolInformation,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};
use tracing::{debug, error, info, instrument, warn};

use super::capabilities;
use super::config::{PeerSettings, Settings, PEER_SECTION, SECTION};
use super::convert::{self, Encoding};
use super::output::{self, Output};
use super::workspace;
use crate::analysis::features::{self, CompletionConfig, DiagnosticsConfig, HoverConfig, Level};
use crate::analysis::graph::{self, text::Charset, StageGraph};
use crate::analysis::Document;
use crate::hadolint_config;

/// How long to wait for the client's answer to `workspace/configuration`.
const CONFIGURATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long the server waits for the client to answer one of its requests.
const CLIENT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What `initialize` settled for the rest of the session.
#[derive(Clone, Copy, Debug, Default)]
struct Session {
    encoding: Encoding,
    snippets: bool,
    /// Completion documentation as Markdown (else as a plain string).
    completion_markdown: bool,
    /// The client resolves code lenses lazily (`codeLens/resolve`).
    code_lens_resolve: bool,
    /// The client honours `workspace/codeLens/refresh`.
    code_lens_refresh: bool,
    /// The client wants a registration for `workspace/didChangeConfiguration`.
    register_configuration: bool,
    /// Issue 5B: outline and folding capabilities of the client.
    features: capabilities::FeatureCaps,
    /// Hover as markdown (else plain text).
    hover_markdown: bool,
    /// Semantic tokens may span lines.
    multiline_tokens: bool,
    /// The client answers `workspace/configuration`.
    configuration: bool,
}

/// Everything the user configured: our settings, the Node peer's keys, and the `.hadolint.yaml`
/// of each workspace folder.
#[derive(Debug, Default)]
struct UserConfig {
    settings: Settings,
    peer: PeerSettings,
    /// `(workspace folder, levels from its .hadolint.yaml)`.
    hadolint: Vec<(PathBuf, Vec<(String, Level)>)>,
}

pub struct Backend {
    client: Client,
    /// Where `publishDiagnostics` go.
    publisher: Publisher,
    docs: Arc<DashMap<Uri, Arc<Document>>>,
    /// Held while checking that a diagnostics pass is still current and publishing it (and while
    /// `didClose` clears a document's diagnostics), so publishes never go out of order.
    publish_lock: Arc<tokio::sync::Mutex<()>>,
    session: OnceLock<Session>,
    /// Set by `shutdown`: LSP says to exit with code 0 after `exit` only if it came first.
    shutdown: Arc<AtomicBool>,
    /// The client's capabilities as sent, for fields `ls_types` does not model (filled by
    /// `lsp::serve_stdio` before `initialize` runs).
    raw_capabilities: Arc<OnceLock<Value>>,
    /// True once the client can no longer answer our requests (see `lsp::serve_stdio`).
    stopping: Arc<tokio::sync::watch::Sender<bool>>,
    config: RwLock<UserConfig>,
    /// The workspace folders the client named in `initialize` (the only places a
    /// `.hadolint.yaml` is read from).
    folders: OnceLock<Vec<PathBuf>>,
    /// The same folders resolved: the boundary every file read goes through.
    workspace: OnceLock<workspace::Workspace>,
    /// Configuration problems already shown to the user (each is shown once).
    shown: Mutex<HashSet<String>>,
    /// Problems found before the client could be told (in `initialize`).
    pending: Mutex<Vec<String>>,
    /// Set once `initialized` has read the configuration. Before that, documents are stored but
    /// not published (they would flicker with diagnostics the settings turn off);
    /// `initialized` publishes them all.
    config_ready: AtomicBool,
    /// The last semantic tokens sent per document, for `semanticTokens/full/delta`.
    semantic: SemanticCache,
    /// The stage-graph signature last computed per document (by a diagnostics pass), so an
    /// edit that changes the graph refreshes code lenses without re-parsing the old version.
    graph_signatures: Arc<DashMap<Uri, u64>>,
    /// How long the last published diagnostics pass of each document took (see
    /// [`INLINE_PASS`]).
    pass_costs: Arc<DashMap<Uri, Duration>>,
    /// The client's `processId` from `initialize`, watched by `lsp::parent`.
    parent: Arc<OnceLock<u32>>,
}

/// Sends `publishDiagnostics`: serialised straight to the output queue when serving stdio,
/// through the client otherwise (in-process harnesses read the client socket).
#[derive(Clone)]
struct Publisher {
    client: Client,
    output: Option<Output>,
}

/// A `publishDiagnostics` ready to send: serialised already when it goes to the output queue
/// (so that work stays with the pass, on the blocking pool when the pass is there).
enum Publication {
    Frame(Output, output::Frame),
    Params(PublishDiagnosticsParams),
}

impl Publisher {
    fn prepare(&self, params: PublishDiagnosticsParams) -> Publication {
        if let Some(output) = &self.output {
            let frame = output::notification_with(PublishDiagnostics::METHOD, |out| {
                convert::write_publish_diagnostics(out, &params)
            });
            if let Some(frame) = frame {
                return Publication::Frame(output.clone(), frame);
            }
        }
        Publication::Params(params)
    }

    /// The publication of a diagnostics pass over `doc`: `shown` (what the cap kept) after a
    /// note when `omitted` more were left out. Written straight from the analysis's
    /// diagnostics into the frame ([`convert::write_pass_diagnostics`]) when serving stdio.
    fn prepare_pass(
        &self,
        doc: &Document,
        uri: Uri,
        shown: &[features::Diagnostic],
        omitted: usize,
        enc: Encoding,
    ) -> Publication {
        let version = Some(doc.version());
        if let Some(output) = &self.output {
            let frame = output::notification_with(PublishDiagnostics::METHOD, |out| {
                let capped = (omitted, MAX_PUBLISHED_DIAGNOSTICS);
                convert::write_pass_diagnostics(out, doc, &uri, version, shown, capped, enc)
            });
            if let Some(frame) = frame {
                return Publication::Frame(output.clone(), frame);
            }
        }
        let mut diagnostics = convert::diagnostics(doc, &uri, shown, enc);
        if omitted > 0 {
            let note = convert::omitted_note(omitted, MAX_PUBLISHED_DIAGNOSTICS);
            diagnostics.insert(0, note);
        }
        Publication::Params(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        })
    }

    async fn send(&self, publication: Publication) {
        match publication {
            Publication::Frame(output, frame) => {
                if !output.send(frame).await {
                    debug!("publishDiagnostics not sent: the client's end is closed");
                }
            }
            Publication::Params(p) => {
                self.client
                    .publish_diagnostics(p.uri, p.diagnostics, p.version)
                    .await;
            }
        }
    }

    async fn publish(&self, uri: Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        let publication = self.prepare(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
        self.send(publication).await;
    }
}

/// Why a diagnostics pass runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pass {
    /// The document was opened.
    Open,
    /// The document was edited: code lenses are refreshed if the stage graph changed.
    Change,
    /// The settings changed: every open document is published again.
    Republish,
}

/// Shards of the per-document maps. `DashMap::new` picks four per core, which it learns from
/// the cgroup files and `sched_getaffinity` (21 system calls at start-up); one event-loop
/// thread and a few pool threads share these maps, so a fixed few are plenty.
const SHARDS: usize = 4;

/// An empty per-document map with [`SHARDS`] shards.
fn doc_map<V>() -> DashMap<Uri, V> {
    DashMap::with_shard_amount(SHARDS)
}

/// The last `semanticTokens` result per document: its `resultId` and data.
struct SemanticCache {
    last: DashMap<Uri, (String, Vec<SemanticToken>)>,
    next_id: AtomicU64,
}

impl Default for SemanticCache {
    fn default() -> Self {
        SemanticCache {
            last: doc_map(),
            next_id: AtomicU64::new(0),
        }
    }
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
    pub fn new(
        client: Client,
        shutdown: Arc<AtomicBool>,
        stopping: Arc<tokio::sync::watch::Sender<bool>>,
        parent: Arc<OnceLock<u32>>,
    ) -> Backend {
        Backend {
            publisher: Publisher {
                client: client.clone(),
                output: None,
            },
            client,
            docs: Arc::new(doc_map()),
            publish_lock: Arc::new(tokio::sync::Mutex::new(())),
            session: OnceLock::new(),
            shutdown,
            raw_capabilities: Arc::new(OnceLock::new()),
            semantic: SemanticCache::default(),
            stopping,
            config: RwLock::new(UserConfig::default()),
            folders: OnceLock::new(),
            workspace: OnceLock::new(),
            shown: Mutex::new(HashSet::new()),
            pending: Mutex::new(Vec::new()),
            config_ready: AtomicBool::new(false),
            graph_signatures: Arc::new(doc_map()),
            pass_costs: Arc::new(doc_map()),
            parent,
        }
    }

    /// Publishes diagnostics straight to `output` (see [`Output`]) instead of through the
    /// client, which turns every message into a `serde_json::Value` first.
    pub fn with_output(mut self, output: Output) -> Backend {
        self.publisher.output = Some(output);
        self
    }

    /// The diagnostics configuration for the document at `uri`; `None` when diagnostics are
    /// turned off. The `.hadolint.yaml` of the innermost workspace folder holding the document
    /// applies.
    fn diagnostics_config(&self, uri: &Uri) -> Option<DiagnosticsConfig> {
        let cfg = self.config.read().unwrap_or_else(PoisonError::into_inner);
        if !cfg.settings.diagnostics.enable {
            return None;
        }
        let path = uri.to_file_path();
        let hadolint = path
            .as_ref()
            .and_then(|p| {
                cfg.hadolint
                    .iter()
                    .filter(|(folder, _)| p.starts_with(folder))
                    .max_by_key(|(folder, _)| folder.as_os_str().len())
            })
            .map_or(&[][..], |(_, levels)| levels.as_slice());
        Some(cfg.settings.diagnostics_config(&cfg.peer, hadolint))
    }

    /// Shows each configuration problem once (`window/showMessage`, warning) and logs it.
    async fn report(&self, problems: Vec<String>) {
        for p in problems {
            let new = self
                .shown
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(p.clone());
            if new {
                warn!("configuration: {p}");
                self.client
                    .show_message(MessageType::WARNING, format!("dockerfile-ls: {p}"))
                    .await;
            }
        }
    }

    /// Re-reads the `.hadolint.yaml` of every workspace folder.
    fn load_hadolint(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut loaded = Vec::new();
        for folder in self.folders.get().map_or(&[][..], Vec::as_slice) {
            // Found and read only through the workspace boundary (docs/security.md).
            let Some(ws) = self.workspace.get() else {
                break;
            };
            let Some(path) = ws.find(folder, hadolint_config::FILE_NAMES) else {
                continue;
            };
            match ws.read(&path) {
                Ok(text) => match hadolint_config::parse(&text) {
                    Ok(levels) => {
                        debug!(path = %path.display(), "read hadolint configuration");
                        loaded.push((folder.clone(), levels));
                    }
                    Err(e) => problems.push(format!("invalid `{}`: {e}", path.display())),
                },
                Err(e) => problems.push(e.to_string()),
            }
        }
        self.config
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .hadolint = loaded;
        problems
    }

    /// Takes the sections a client sent: ours and the peer's (`None` or `null` = not sent,
    /// keep what we have).
    fn apply_sections(&self, ours: Option<&Value>, peer: Option<&Value>) -> Vec<String> {
        let mut problems = Vec::new();
        let mut cfg = self.config.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = ours.filter(|v| !v.is_null()) {
            let (settings, p) = cfg.settings.replaced(Some(v));
            cfg.settings = settings;
            problems.extend(p);
        }
        if let Some(v) = peer.filter(|v| !v.is_null()) {
            let (peer, p) = cfg.peer.replaced(Some(v));
            cfg.peer = peer;
            problems.extend(p);
        }
        debug!(settings = ?cfg.settings, peer = ?cfg.peer, "configuration");
        problems
    }

    /// Asks the client for both sections (`workspace/configuration`).
    async fn pull_configuration(&self) -> Vec<String> {
        let item = |section: &str| ConfigurationItem {
            scope_uri: None,
            section: Some(section.to_string()),
        };
        let request = self
            .client
            .configuration(vec![item(SECTION), item(PEER_SECTION)]);
        let mut stopping = self.stopping.subscribe();
        // Never wait forever: a client that stops (or never answers) must not keep the server
        // from exiting, nor hold back the first diagnostics.
        let answer = tokio::select! {
            r = tokio::time::timeout(CONFIGURATION_TIMEOUT, request) => r,
            _ = stopping.wait_for(|stop| *stop) => return Vec::new(),
        };
        match answer {
            Ok(Ok(values)) => self.apply_sections(values.first(), values.get(1)),
            Ok(Err(err)) => {
                warn!("workspace/configuration failed: {err}");
                Vec::new()
            }
            Err(_) => {
                warn!("workspace/configuration: no answer within {CONFIGURATION_TIMEOUT:?}; keeping the current settings");
                Vec::new()
            }
        }
    }

    /// Publishes diagnostics for every open document again (after a settings change).
    async fn republish_all(&self) {
        let docs: Vec<(Uri, Arc<Document>)> = self
            .docs
            .iter()
            .map(|e| (e.key().clone(), Arc::clone(e.value())))
            .collect();
        for (uri, doc) in docs {
            self.schedule_diagnostics(uri, doc, None, Pass::Republish);
        }
    }

    /// Shares the slot where the transport puts the raw `initialize` capabilities.
    pub fn with_raw_capabilities(mut self, raw: Arc<OnceLock<Value>>) -> Backend {
        self.raw_capabilities = raw;
        self
    }

    /// Awaits a request to the client, giving up on `shutdown`, at the end of the client's input,
    /// or after [`CLIENT_TIMEOUT`]:
    /// tower-lsp-server waits for every running handler before it exits, and a client that
    /// answers after `exit` (or never) would otherwise keep the process alive.
    async fn until_shutdown<T>(&self, request: impl std::future::Future<Output = T>) -> Option<T> {
        let mut stop = self.stopping.subscribe();
        tokio::select! {
            answer = tokio::time::timeout(CLIENT_TIMEOUT, request) => answer.ok(),
            _ = stop.wait_for(|stopped| *stopped) => None,
        }
    }

    /// Refreshes code lenses when a setting they show (`target`, `codeLens.*`) differs from `old`.
    fn refresh_if_lenses_changed(&self, old: &Settings) {
        let new = self.settings();
        if new.target() != old.target() || new.code_lens != old.code_lens {
            self.refresh_code_lenses();
        }
    }

    /// Asks the client to re-request code lenses (only if it said it can), without waiting for
    /// its answer: a handler must not stall on the client.
    fn refresh_code_lenses(&self) {
        if !self.session().code_lens_refresh {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            if let Err(err) = client.code_lens_refresh().await {
                debug!("workspace/codeLens/refresh failed: {err}");
            }
        });
    }

    /// The graph of `doc` for the current `target` setting.
    fn graph(&self, doc: &Document) -> StageGraph {
        StageGraph::build(doc, self.settings().target())
    }

    /// The result of `dockerfile-ls/stageGraph` and the `dockerfile-ls.stageGraph` command:
    /// the graph JSON, plus `rendered` for any format but JSON. `Ok(None)` for an unknown
    /// document; an unknown `target` is an `InvalidParams` error.
    fn stage_graph_result(
        &self,
        uri: &Uri,
        format: GraphFormat,
        target: Option<&str>,
    ) -> Result<Option<Value>> {
        let settings = self.settings();
        let result = self.with_doc("stageGraph", uri, |doc, enc| {
            let g = match target {
                Some(t) => {
                    let g = StageGraph::build_for_target(doc, t);
                    if g.unknown_target.is_some() {
                        return Some(Err(t.to_string()));
                    }
                    g
                }
                None => StageGraph::build(doc, settings.target()),
            };
            let mut value = convert::stage_graph(doc, &g, enc);
            let rendered = match format {
                GraphFormat::Json => None,
                GraphFormat::Text => Some(graph::render(&g, graph::Format::Text(Charset::Unicode))),
                GraphFormat::Mermaid => Some(graph::render(&g, graph::Format::Mermaid)),
                GraphFormat::Dot => Some(graph::render(&g, graph::Format::Dot)),
                GraphFormat::Svg => Some(graph::render(&g, graph::Format::Svg)),
            };
            if let (Some(r), Some(o)) = (rendered, value.as_object_mut()) {
                o.insert("rendered".to_string(), Value::String(r));
            }
            Some(Ok(value))
        })?;
        match result {
            None => Ok(None),
            Some(Ok(v)) => Ok(Some(v)),
            Some(Err(t)) => Err(Error::invalid_params(format!(
                "target stage `{t}` could not be found"
            ))),
        }
    }

    /// [`ANSWER_METHOD`]: answers the client's request `a.id` with a frame serialised straight
    /// from the handler's result (see [`super::Intercept`]). A panic in the handler is answered
    /// with an internal error, as [`super::panic_guard`] answers it on the other path.
    pub async fn answer(&self, a: Answer) {
        let Some(output) = self.publisher.output.clone() else {
            // The intercept only routes requests here when the backend has an output.
            error!("`{}` without an output: not answered", a.method);
            return;
        };
        let (id, method) = (a.id.clone(), a.method.clone());
        let frame = match super::panic_guard::caught(self.answer_frame(a)).await {
            Ok(frame) => frame,
            Err(payload) => output::response::<()>(
                &id,
                Err(super::panic_guard::panic_error(&method, payload.as_ref())),
            ),
        };
        if !output.send(frame).await {
            debug!("`{method}` not answered: the client's end is closed");
        }
    }

    /// `dockerfile-ls/stageGraph`.
    pub async fn stage_graph_request(&self, p: StageGraphParams) -> Result<Option<Value>> {
        self.stage_graph_result(
            &p.text_document.uri,
            p.format.unwrap_or_default(),
            p.target.as_deref().map(str::trim).filter(|t| !t.is_empty()),
        )
    }

    fn session(&self) -> Session {
        self.session.get().copied().unwrap_or_default()
    }

    fn settings(&self) -> Settings {
        self.config
            .read()
            .map(|c| c.settings.clone())
            .unwrap_or_default()
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
    /// the version it replaced: it is dropped by the pass rather than in the handler, and
    /// before the new version is parsed, so its syntax can be updated in place. Nothing is
    /// published before `initialized` has read the configuration (it then republishes every
    /// document); with diagnostics turned off an empty list is published. For `Pass::Change`,
    /// code lenses are refreshed when the stage graph differs from the one last seen.
    fn schedule_diagnostics(
        &self,
        uri: Uri,
        doc: Arc<Document>,
        retired: Option<Arc<Document>>,
        pass: Pass,
    ) {
        // The document is stored before this check, and `initialized` sets the flag before it
        // takes its snapshot of the documents: every document is published by one or the other.
        if !self.config_ready.load(Ordering::SeqCst) {
            return;
        }
        let docs = Arc::clone(&self.docs);
        let client = self.client.clone();
        let publisher = self.publisher.clone();
        let lock = Arc::clone(&self.publish_lock);
        let costs = Arc::clone(&self.pass_costs);
        let enc = self.encoding();
        let config = self.diagnostics_config(&uri);
        // The graph is only tracked for clients that honour `workspace/codeLens/refresh`, and
        // while code lenses are on (turning them on refreshes them anyway).
        let settings = self.settings();
        let lenses = (self.session().code_lens_refresh
            && settings.code_lens.enable
            && pass != Pass::Republish)
            .then(|| {
                (
                    Arc::clone(&self.graph_signatures),
                    settings.target().map(str::to_string),
                )
            });
        tokio::spawn(async move {
            let current = |docs: &DashMap<Uri, Arc<Document>>, uri: &Uri, doc: &Arc<Document>| {
                docs.get(uri).is_some_and(|d| Arc::ptr_eq(&d, doc))
            };
            if !current(&docs, &uri, &doc) {
                // A newer version is in: its own pass publishes; this one is never computed.
                drop(retired);
                return;
            }
            // A pass as cheap as the document's last one was, after a small edit, or the first
            // pass of a small document, runs here; any other on the blocking pool (see
            // `INLINE_PASS` and `INLINE_FIRST_PASS_BYTES`).
            let small_change = doc
                .pending_change()
                .is_some_and(|bytes| bytes <= INLINE_CHANGE_BYTES);
            let cheap = match costs.get(&uri) {
                Some(cost) => *cost <= INLINE_PASS,
                None => doc.len() <= INLINE_FIRST_PASS_BYTES,
            };
            let inline = small_change && cheap;
            let work = {
                let (doc, uri, publisher) = (Arc::clone(&doc), uri.clone(), publisher.clone());
                move || {
                    let started = Instant::now();
                    drop(retired);
                    let diags = guarded("diagnostics", || {
                        let Some(config) = config else {
                            return (Vec::new(), 0);
                        };
                        let all = features::diagnostics_with(&doc, &config);
                        features::capped(all, MAX_PUBLISHED_DIAGNOSTICS)
                    });
                    let refresh = lenses.and_then(|(signatures, target)| {
                        let signature = guarded("graph", || {
                            StageGraph::build(&doc, target.as_deref()).signature()
                        })
                        .ok()?;
                        let previous = signatures.insert(uri.clone(), signature);
                        let changed = previous != Some(signature);
                        Some(pass == Pass::Change && changed)
                    });
                    let publication = diags.ok().and_then(|(shown, omitted)| {
                        guarded("diagnostics", || {
                            publisher.prepare_pass(&doc, uri, &shown, omitted, enc)
                        })
                        .ok()
                    });
                    (publication, refresh.unwrap_or(false), started.elapsed())
                }
            };
            let done = if inline {
                Ok(work())
            } else {
                tokio::task::spawn_blocking(work).await
            };
            let Ok((Some(publication), refresh, cost)) = done else {
                return;
            };
            if refresh {
                let client = client.clone();
                tokio::spawn(async move {
                    if let Err(err) = client.code_lens_refresh().await {
                        debug!("workspace/codeLens/refresh failed: {err}");
                    }
                });
            }
            let _order = lock.lock().await;
            if current(&docs, &uri, &doc) {
                costs.insert(uri.clone(), cost);
                debug!(version = doc.version(), "publishing diagnostics");
                publisher.send(publication).await;
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

/// The notification [`super::Intercept`] turns a request of [`answers_directly`] into, so that its
/// answer is serialised straight from the handler's result instead of through a
/// `serde_json::Value`, which costs more than computing most answers (documentSymbol of a
/// 1,000-line file: 457 symbols, 107 KB).
pub const ANSWER_METHOD: &str = "dockerfile-ls/answer";

/// The parameters of [`ANSWER_METHOD`]: the client's request.
#[derive(Deserialize)]
pub struct Answer {
    pub id: tower_lsp_server::jsonrpc::Id,
    pub method: String,
    /// `Some(Value::Null)` for `"params": null`, `None` without `params`, as tower-lsp-server
    /// tells them apart (their errors differ).
    #[serde(default, deserialize_with = "present")]
    pub params: Option<Value>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// The request's params as the handler takes them; the errors are tower-lsp-server's.
fn typed_params<P: serde::de::DeserializeOwned>(params: Option<Value>) -> Result<P> {
    let params = params.ok_or_else(|| Error::invalid_params("Missing params field"))?;
    serde_json::from_value(params).map_err(|e| Error::invalid_params(e.to_string()))
}

/// The requests answered through [`ANSWER_METHOD`], each with its `LanguageServer` handler, or
/// with a handler of the backend's own that writes the answer the `LanguageServer` one gives,
/// at less cost (`lsp::tests::direct_answers_equal_tower_lsp_servers` holds both paths to the
/// same answers).
macro_rules! direct_answers {
    (
        $($method:literal => $handler:ident,)*
        own: $($own_method:literal => $own_handler:ident,)*
    ) => {
        /// Whether a request for `method` can be answered through [`ANSWER_METHOD`].
        pub fn answers_directly(method: &str) -> bool {
            matches!(method, $($method)|* $(| $own_method)*)
        }

        impl Backend {
            async fn answer_frame(&self, a: Answer) -> output::Frame {
                match a.method.as_str() {
                    $($method => {
                        let result = match typed_params(a.params) {
                            Ok(params) => LanguageServer::$handler(self, params).await,
                            Err(err) => Err(err),
                        };
                        output::response(&a.id, result)
                    })*
                    $($own_method => match typed_params(a.params) {
                        Ok(params) => self.$own_handler(&a.id, params),
                        Err(err) => output::response::<()>(&a.id, Err(err)),
                    })*
                    _ => output::response::<()>(&a.id, Err(Error::method_not_found())),
                }
            }
        }
    };
}

direct_answers! {
    "textDocument/completion" => completion,
    "textDocument/hover" => hover,
    "textDocument/signatureHelp" => signature_help,
    "textDocument/definition" => goto_definition,
    "textDocument/references" => references,
    "textDocument/documentHighlight" => document_highlight,
    "textDocument/selectionRange" => selection_range,
    "textDocument/linkedEditingRange" => linked_editing_range,
    "textDocument/semanticTokens/full" => semantic_tokens_full,
    "textDocument/semanticTokens/full/delta" => semantic_tokens_full_delta,
    "textDocument/semanticTokens/range" => semantic_tokens_range,
    "textDocument/codeLens" => code_lens,
    "codeLens/resolve" => code_lens_resolve,
    "textDocument/codeAction" => code_action,
    "textDocument/formatting" => formatting,
    "textDocument/rangeFormatting" => range_formatting,
    "textDocument/onTypeFormatting" => on_type_formatting,
    "textDocument/documentLink" => document_link,
    "textDocument/inlayHint" => inlay_hint,
    "textDocument/prepareRename" => prepare_rename,
    "textDocument/rename" => rename,
    "workspace/symbol" => symbol,
    own:
    "textDocument/documentSymbol" => outline,
    "textDocument/foldingRange" => folds,
}

impl Backend {
    /// The answer to `textDocument/documentSymbol`, [`LanguageServer::document_symbol`]'s, with
    /// a hierarchical outline written straight from the analysis (see
    /// [`convert::write_outline`]).
    fn outline(
        &self,
        id: &tower_lsp_server::jsonrpc::Id,
        p: DocumentSymbolParams,
    ) -> output::Frame {
        let uri = &p.text_document.uri;
        let hierarchical = self.session().features.hierarchical_symbols;
        let answer = self.with_doc("documentSymbol", uri, |doc, enc| {
            Some(if hierarchical {
                output::response_with(id, |out| convert::write_outline(doc, enc, out))
            } else {
                let symbols = features::document_symbols(doc);
                let symbols = convert::symbol_information(doc, uri, &symbols, enc);
                output::response(id, Ok(symbols))
            })
        });
        match answer {
            Ok(Some(frame)) => frame,
            Ok(None) => output::response(id, Ok(None::<()>)),
            Err(err) => output::response::<()>(id, Err(err)),
        }
    }
}

impl Backend {
    /// The folding ranges of a document, as `textDocument/foldingRange` answers.
    fn folding(&self, p: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let caps = self.session().features;
        self.with_doc("foldingRange", &p.text_document.uri, |doc, enc| {
            let limit = caps.folding_range_limit.map(|l| l as usize);
            let folds = features::folding_ranges(doc, limit);
            Some(convert::folding_ranges(
                doc,
                &folds,
                caps.line_folding_only,
                enc,
            ))
        })
    }

    /// The answer to `textDocument/foldingRange`, [`LanguageServer::folding_range`]'s, written
    /// without serde's machinery per field ([`convert::write_folding_ranges`]).
    fn folds(&self, id: &tower_lsp_server::jsonrpc::Id, p: FoldingRangeParams) -> output::Frame {
        match self.folding(p) {
            Ok(Some(folds)) => {
                output::response_with(id, |out| convert::write_folding_ranges(out, &folds))
            }
            Ok(None) => output::response(id, Ok(None::<()>)),
            Err(err) => output::response::<()>(id, Err(err)),
        }
    }
}

/// A diagnostics pass runs on the task that schedules it, without going to the blocking pool and
/// back, when the document's last pass took at most this long and the edits since span at most
/// [`INLINE_CHANGE_BYTES`]: typing in a 1,000-line file costs a tenth of a millisecond a pass,
/// less than those two hand-overs between threads. A pass after a big edit (a paste, a
/// whole-text replacement: a bigger reparse), every pass of a document whose last one took
/// longer, and the first pass of a document bigger than [`INLINE_FIRST_PASS_BYTES`] go to the
/// blocking pool, so a request waits at most about this long (or a small document's first
/// pass) behind a diagnostics pass.
const INLINE_PASS: Duration = Duration::from_micros(300);

/// The most bytes the edits before an inline pass may span (see [`INLINE_PASS`]).
const INLINE_CHANGE_BYTES: usize = 1024;

/// The largest document whose first pass (no cost recorded yet: none has published) runs
/// inline, when the edits since its syntax and model were computed span at most
/// [`INLINE_CHANGE_BYTES`]: the syntax and model of an opened document are built when it is
/// opened, on the runtime thread, and its diagnostics cost about a third as much (0.35 ms for
/// 38 KB, a 1,000-line file), less than starting a thread of the blocking pool for them. 48 KiB
/// is about 1,250 lines: nearly every real Dockerfile.
const INLINE_FIRST_PASS_BYTES: usize = 48 * 1024;

/// The most diagnostics published for one document; the rest are summed up in one more
/// (`dockerfile-ls check` lists them all). See [`features::capped`].
pub const MAX_PUBLISHED_DIAGNOSTICS: usize = 1000;

/// LSP `ContentModified`: the document changed so that the request's result is no longer valid.
fn content_modified() -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32801),
        message: "the document changed".into(),
        data: None,
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

/// Params of `dockerfile-ls/stageGraph`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageGraphParams {
    pub text_document: TextDocumentIdentifier,
    pub format: Option<GraphFormat>,
    pub target: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphFormat {
    #[default]
    Json,
    Text,
    Mermaid,
    Dot,
    Svg,
}

fn invalid_params(message: impl Into<String>) -> Error {
    Error::invalid_params(message.into())
}

fn position_params(p: &TextDocumentPositionParams) -> (&Uri, tower_lsp_server::ls_types::Position) {
    (&p.text_document.uri, p.position)
}

impl LanguageServer for Backend {
    #[instrument(skip_all)]
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let session = Session {
            encoding: capabilities::negotiate_encoding(caps),
            snippets: capabilities::snippet_support(caps),
            code_lens_resolve: capabilities::code_lens_resolve_support(self.raw_capabilities.get()),
            code_lens_refresh: capabilities::code_lens_refresh_support(caps),
            register_configuration: capabilities::did_change_configuration_registration(caps),
            completion_markdown: capabilities::completion_markdown(caps),
            features: capabilities::feature_caps(caps),
            hover_markdown: capabilities::hover_markdown(caps),
            multiline_tokens: capabilities::multiline_tokens(caps),
            configuration: capabilities::configuration_support(caps),
        };
        if let Some(pid) = params.process_id {
            // LSP: exit when the parent process is gone (watched in `lsp::parent`). A
            // `--clientProcessId` from the command line was set first and wins.
            let _ = self.parent.set(pid);
        }
        let (settings, problems) =
            Settings::default().replaced(params.initialization_options.as_ref());
        debug!(?session, ?settings, "initialize");
        if self.session.set(session).is_err() {
            warn!("initialize received twice; keeping the first session");
        }
        self.config
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .settings = settings;
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(problems);
        #[allow(deprecated)] // `rootUri` is how pre-3.6 clients name their one folder.
        let folders: Vec<PathBuf> = match &params.workspace_folders {
            Some(folders) => folders
                .iter()
                .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
                .collect(),
            None => params
                .root_uri
                .iter()
                .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
                .collect(),
        };
        let _ = self.folders.set(folders);
        let _ = self
            .workspace
            .set(workspace::Workspace::from_initialize(&params));
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
        let old = self.settings();
        let mut problems =
            std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
        problems.extend(self.load_hadolint());
        // The registration does not hold up the configuration: a document opened right after
        // `initialized` is published once the configuration is in, one round trip to the
        // client after it, not two.
        let register = async {
            if !self.session().register_configuration {
                return;
            }
            let registration = Registration {
                id: "dockerfile-ls/didChangeConfiguration".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                register_options: Some(serde_json::json!({"section": SECTION})),
            };
            let answer = self
                .until_shutdown(self.client.register_capability(vec![registration]))
                .await;
            if let Some(Err(err)) = answer {
                warn!("registering for configuration changes failed: {err}");
            }
        };
        let configure = async {
            if self.session().configuration {
                problems.extend(self.pull_configuration().await);
            }
            self.config_ready.store(true, Ordering::SeqCst);
            self.report(problems).await;
            self.republish_all().await;
            self.refresh_if_lenses_changed(&old);
        };
        tokio::join!(register, configure);
    }

    #[instrument(skip_all)]
    async fn did_change_configuration(&self, p: DidChangeConfigurationParams) {
        let old = self.settings();
        let mut problems = self.load_hadolint();
        let s = &p.settings;
        let ours = s.get(SECTION).or_else(|| {
            // A client that pushes our section's contents directly.
            [
                "diagnostics",
                "formatting",
                "target",
                "codeLens",
                "inlayHints",
            ]
            .iter()
            .any(|k| s.get(k).is_some())
            .then_some(s)
        });
        let peer = s
            .get("docker")
            .and_then(|d| d.get("languageserver"))
            .or_else(|| s.get(PEER_SECTION));
        if ours.is_some() || peer.is_some() {
            // The client pushed the settings themselves: take them as they are.
            problems.extend(self.apply_sections(ours, peer));
        } else if self.session().configuration {
            // LSP: the pushed `settings` may be anything (often `null`); pull the sections.
            problems.extend(self.pull_configuration().await);
        }
        self.report(problems).await;
        self.republish_all().await;
        self.refresh_if_lenses_changed(&old);
    }

    #[instrument(skip_all)]
    async fn code_lens(&self, p: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let settings = self.settings();
        if !settings.code_lens.enable {
            return Ok(Some(Vec::new()));
        }
        let lazy = self.session().code_lens_resolve;
        let uri = &p.text_document.uri;
        self.with_doc("codeLens", uri, |doc, enc| {
            let g = StageGraph::build(doc, settings.target());
            let lenses = features::code_lenses(doc, &g);
            Some(
                lenses
                    .iter()
                    .filter_map(|l| {
                        if lazy {
                            return Some(convert::code_lens_unresolved(doc, uri, l, enc));
                        }
                        let r = features::code_lens::resolve(&g, l.stage, l.kind)?;
                        Some(convert::code_lens_resolved(doc, uri, l.span, &r, enc))
                    })
                    .collect(),
            )
        })
    }

    #[instrument(skip_all)]
    async fn code_lens_resolve(&self, lens: CodeLens) -> Result<CodeLens> {
        if lens.command.is_some() {
            return Ok(lens);
        }
        let Some((uri, stage, kind)) = convert::code_lens_data(lens.data.as_ref()) else {
            return Err(invalid_params("code lens without dockerfile-ls data"));
        };
        let Some(doc) = self.snapshot(&uri) else {
            return Err(content_modified());
        };
        let g = self.graph(&doc);
        let resolved = guarded("codeLens/resolve", || {
            features::code_lens::resolve(&g, stage, kind)
        })?;
        match resolved {
            Some(r) => Ok(CodeLens {
                range: lens.range,
                command: Some(convert::lens_command(&uri, &r)),
                data: None,
            }),
            // The stage is gone (the document changed since the lenses were listed).
            None => Err(content_modified()),
        }
    }

    #[instrument(skip_all, fields(command = p.command.as_str()))]
    async fn execute_command(&self, p: ExecuteCommandParams) -> Result<Option<Value>> {
        let args = &p.arguments;
        let uri = args
            .first()
            .and_then(Value::as_str)
            .and_then(|u| u.parse::<Uri>().ok());
        match p.command.as_str() {
            convert::CMD_STAGE_REFERENCES => {
                let (Some(uri), Some(stage)) = (uri, args.get(1).and_then(Value::as_u64)) else {
                    return Err(invalid_params(format!(
                        "`{}` takes [uri, stageIndex]",
                        convert::CMD_STAGE_REFERENCES
                    )));
                };
                let stage = usize::try_from(stage).unwrap_or(usize::MAX);
                let locations = self.with_doc("stageReferences", &uri, |doc, enc| {
                    Some(
                        features::stage_references(doc, stage)
                            .into_iter()
                            .map(|span| convert::location(doc, &uri, span, enc))
                            .collect::<Vec<Location>>(),
                    )
                })?;
                Ok(locations.map(|l| serde_json::to_value(l).unwrap_or(Value::Null)))
            }
            convert::CMD_STAGE_GRAPH => {
                let Some(uri) = uri else {
                    return Err(invalid_params(format!(
                        "`{}` takes [uri, format?]",
                        convert::CMD_STAGE_GRAPH
                    )));
                };
                let format = match args.get(1) {
                    None | Some(Value::Null) => GraphFormat::Json,
                    Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                        invalid_params(format!(
                            "unknown graph format {v}; use `json`, `text`, `mermaid`, `dot` or `svg`"
                        ))
                    })?,
                };
                self.stage_graph_result(&uri, format, None)
            }
            other => Err(invalid_params(format!("unknown command `{other}`"))),
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        self.stopping.send_replace(true);
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
        if retired.is_some() {
            // LSP forbids opening an open document; take the client's new text as the truth.
            warn!("didOpen of a document that is already open: replacing its text");
        }
        self.schedule_diagnostics(uri, doc, retired, Pass::Open);
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
        self.schedule_diagnostics(uri, doc, Some(retired), Pass::Change);
    }

    #[instrument(skip_all, fields(uri = p.text_document.uri.as_str()))]
    async fn did_close(&self, p: DidCloseTextDocumentParams) {
        // Removed before the first `.await` (a following didOpen must not be overtaken); the
        // clear is sent under the publish lock, so no pass of the closed document follows it.
        if self.docs.remove(&p.text_document.uri).is_none() {
            warn!("didClose of a document that is not open");
        }
        self.semantic.last.remove(&p.text_document.uri);
        self.graph_signatures.remove(&p.text_document.uri);
        self.pass_costs.remove(&p.text_document.uri);
        let _order = self.publish_lock.lock().await;
        // Diagnostics of a closed file would otherwise stay in the client's problem list.
        self.publisher
            .publish(p.text_document.uri, Vec::new(), None)
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
    async fn code_action(&self, p: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        // LSP `only`: the kinds the client wants; we only have `quickfix` actions, which the
        // kinds `quickfix` and `""` (every kind) cover.
        if let Some(only) = &p.context.only {
            let quickfix = CodeActionKind::QUICKFIX;
            let wanted = only
                .iter()
                .any(|k| k.as_str().is_empty() || k.as_str() == quickfix.as_str());
            if !wanted {
                return Ok(None);
            }
        }
        let uri = &p.text_document.uri;
        let Some(config) = self.diagnostics_config(uri) else {
            return Ok(None);
        };
        self.with_doc("codeAction", uri, |doc, enc| {
            let want = convert::span(doc, p.range, enc);
            let mut fixes = Vec::new();
            let mut ignores: Vec<CodeActionOrCommand> = Vec::new();
            let mut seen = HashSet::new();
            for d in features::diagnostics_with(doc, &config) {
                // The range is the cursor or the selection: offer what touches it.
                if d.span.start > want.end || want.start > d.span.end {
                    continue;
                }
                let lsp_diag = convert::diagnostic(doc, uri, &d, enc);
                for a in features::actions_for(doc, &d) {
                    if !seen.insert((a.title.clone(), a.edits.clone())) {
                        continue;
                    }
                    let action = CodeActionOrCommand::CodeAction(convert::code_action(
                        doc,
                        uri,
                        &a,
                        vec![lsp_diag.clone()],
                        enc,
                    ));
                    if a.suppresses {
                        ignores.push(action);
                    } else {
                        fixes.push(action);
                    }
                }
            }
            fixes.extend(ignores);
            Some(fixes)
        })
    }

    #[instrument(skip_all)]
    async fn completion(&self, p: CompletionParams) -> Result<Option<CompletionResponse>> {
        let (uri, pos) = position_params(&p.text_document_position);
        let session = self.session();
        let config = CompletionConfig {
            snippets: session.snippets,
        };
        self.with_doc("completion", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let items = features::completion(doc, offset, config)
                .iter()
                .map(|item| convert::completion_item(doc, item, enc, session.completion_markdown))
                .collect();
            Some(CompletionResponse::Array(items))
        })
    }

    // ---- Issue 5B: outline, folding, selection, linked editing, formatting ----

    #[instrument(skip_all)]
    async fn document_symbol(
        &self,
        p: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = &p.text_document.uri;
        let hierarchical = self.session().features.hierarchical_symbols;
        self.with_doc("documentSymbol", uri, |doc, enc| {
            let symbols = features::document_symbols(doc);
            Some(if hierarchical {
                DocumentSymbolResponse::Nested(convert::document_symbols(doc, &symbols, enc))
            } else {
                DocumentSymbolResponse::Flat(convert::symbol_information(doc, uri, &symbols, enc))
            })
        })
    }

    #[instrument(skip_all)]
    async fn symbol(&self, p: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let enc = self.encoding();
        let docs: Vec<(Uri, Arc<Document>)> = self
            .docs
            .iter()
            .map(|e| (e.key().clone(), Arc::clone(e.value())))
            .collect();
        let mut found = guarded("workspace/symbol", || {
            let mut found: Vec<(u8, SymbolInformation)> = Vec::new();
            for (uri, doc) in &docs {
                for s in features::workspace_symbols(doc, &p.query) {
                    found.push((s.score, convert::workspace_symbol(doc, uri, &s, enc)));
                }
            }
            found
        })?;
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        Ok(Some(WorkspaceSymbolResponse::Flat(
            found.into_iter().map(|(_, s)| s).collect(),
        )))
    }

    #[instrument(skip_all)]
    async fn folding_range(&self, p: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.folding(p)
    }

    #[instrument(skip_all)]
    async fn selection_range(
        &self,
        p: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        self.with_doc("selectionRange", &p.text_document.uri, |doc, enc| {
            let offsets: Vec<usize> = p
                .positions
                .iter()
                .map(|pos| convert::offset(doc, *pos, enc))
                .collect();
            Some(
                features::selection_ranges(doc, &offsets)
                    .iter()
                    .map(|spans| convert::selection_range(doc, spans, enc))
                    .collect(),
            )
        })
    }

    #[instrument(skip_all)]
    async fn linked_editing_range(
        &self,
        p: LinkedEditingRangeParams,
    ) -> Result<Option<LinkedEditingRanges>> {
        let (uri, pos) = position_params(&p.text_document_position_params);
        self.with_doc("linkedEditingRange", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            let spans = features::linked_editing_ranges(doc, offset)?;
            Some(LinkedEditingRanges {
                ranges: spans.iter().map(|s| convert::range(doc, *s, enc)).collect(),
                word_pattern: Some(features::STAGE_NAME_PATTERN.to_string()),
            })
        })
    }

    #[instrument(skip_all)]
    async fn formatting(&self, p: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let config = self
            .settings()
            .formatting
            .config(convert::indent_unit(&p.options));
        self.with_doc("formatting", &p.text_document.uri, |doc, enc| {
            Some(convert::text_edits(
                doc,
                &features::format(doc, &config, None),
                enc,
            ))
        })
    }

    #[instrument(skip_all)]
    async fn range_formatting(
        &self,
        p: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let config = self
            .settings()
            .formatting
            .config(convert::indent_unit(&p.options));
        self.with_doc("rangeFormatting", &p.text_document.uri, |doc, enc| {
            let span = convert::span(doc, p.range, enc);
            Some(convert::text_edits(
                doc,
                &features::format(doc, &config, Some(span)),
                enc,
            ))
        })
    }

    #[instrument(skip_all)]
    async fn on_type_formatting(
        &self,
        p: DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        if p.ch != capabilities::ON_TYPE_FORMATTING_TRIGGER {
            return Ok(None);
        }
        let config = self
            .settings()
            .formatting
            .config(convert::indent_unit(&p.options));
        let (uri, pos) = position_params(&p.text_document_position);
        self.with_doc("onTypeFormatting", uri, |doc, enc| {
            let offset = convert::offset(doc, pos, enc);
            Some(convert::text_edits(
                doc,
                &features::format_on_type(doc, &config, offset),
                enc,
            ))
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
            .config
            .read()
            .map(|c| c.settings.inlay_hints.config())
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
