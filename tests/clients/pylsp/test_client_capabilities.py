"""Capability negotiation with the recorded client capabilities of real editors.

pytest-lsp ships the `ClientCapabilities` that VS Code, Neovim and Emacs (eglot) send in
`initialize`; each test here runs once per editor against the real `dockerfile-ls` binary
($DOCKERFILE_LS_BIN) and checks that what the server does fits what that editor said it can
handle: position encodings, snippets, hierarchical document symbols, Markdown or plain text in
hover and completion documentation, line-only folding, dynamic registration and
`workspace/configuration`. pytest-lsp also checks every result against the capabilities
(`LspSpecificationWarning`, turned into an error by pytest.ini).
"""

import asyncio
import os

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities, make_test_lsp_client

SERVER = [os.environ.get("DOCKERFILE_LS_BIN", "dockerfile-ls")]
TIMEOUT = 10

CLIENTS = {
    # id: pytest-lsp's recorded capability set
    "vscode-1.65": "visual-studio-code@v1.65.2",
    "neovim-0.7": "neovim@v0.7.0",
    "neovim-0.11": "neovim@v0.11.0",
    "emacs-29-eglot": "emacs@v29.1",
}

# line 12 puts the stage reference after non-ASCII text, so its column differs per encoding
DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM alpine:3.20 AS builder
RUN echo built > /out.txt

FROM alpine:3.20 AS tools
RUN echo tools > /tools.txt

FROM alpine:3.20 AS tools
RUN echo again

FROM alpine:3.20
COPY --chown=é🐳 --from=builder /out.txt /out.txt
RUN --mount=from=builder,target=/b cat /b/out.txt
"""
EMOJI_LINE = 11


def client_factory() -> LanguageClient:
    client = make_test_lsp_client()
    client.registrations = []
    client.configuration_requests = []
    client.code_lens_refreshes = 0

    # pytest-lsp's client does not answer client/registerCapability on its own
    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams):
        ls.registrations.extend(params.registrations)

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def code_lens_refresh(ls: LanguageClient, params: None):
        ls.code_lens_refreshes += 1

    # record workspace/configuration requests; the default handler answers them (with null:
    # no settings are set)
    answer = client.get_configuration

    def get_configuration(*, section=None, scope_uri=None):
        client.configuration_requests.append(section)
        return answer(section=section, scope_uri=scope_uri)

    client.get_configuration = get_configuration

    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER, client_factory=client_factory),
    params=list(CLIENTS),
)
async def client(lsp_client: LanguageClient, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    caps = client_capabilities(CLIENTS[request.param])
    lsp_client.capabilities = caps
    result = await asyncio.wait_for(
        lsp_client.initialize_async(
            types.InitializeParams(
                process_id=os.getpid(),
                capabilities=caps,
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            )
        ),
        TIMEOUT,
    )
    lsp_client.initialized(types.InitializedParams())
    lsp_client.root = root
    lsp_client.init_result = result
    lsp_client.editor = request.param
    yield
    await asyncio.wait_for(lsp_client.shutdown_async(None), TIMEOUT)
    lsp_client.exit(None)
    assert await asyncio.wait_for(lsp_client._server.wait(), TIMEOUT) == 0


def open_doc(client: LanguageClient, text: str = DOCKERFILE, name: str = "Dockerfile") -> str:
    path = client.root / name
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)
        )
    )
    return uri


async def diagnostics(client: LanguageClient, uri: str):
    await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), TIMEOUT)
    return client.diagnostics[uri]


def name(kind) -> str:
    return getattr(kind, "value", kind)


def offered_encodings(client: LanguageClient) -> list:
    general = client.capabilities.general
    return [name(e) for e in (general.position_encodings or [])] if general else []


def negotiated(client: LanguageClient) -> str:
    enc = client.init_result.capabilities.position_encoding
    return name(enc) if enc is not None else "utf-16"


def column(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


SYNC_METHODS = {"didOpen", "didChange", "didClose", "didSave", "willSave", "willSaveWaitUntil"}


def snake(camel: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in camel)


def say(client: LanguageClient, what: str):
    print(f"[{client.editor}] {what}")


async def test_position_encoding(client: LanguageClient):
    offered = offered_encodings(client)
    enc = negotiated(client)
    # the server must pick one the client offered, and UTF-16 when it offered none
    if offered:
        assert enc in offered
    else:
        assert enc == "utf-16"
    uri = open_doc(client)
    await diagnostics(client, uri)
    line = DOCKERFILE.splitlines()[EMOJI_LINE]
    prefix = line[: line.index("--from=builder") + len("--from=")]
    res = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=len("FROM alpine:3.20 AS ")),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    on_line = [loc.range.start.character for loc in res if loc.range.start.line == EMOJI_LINE]
    assert on_line == [column(prefix, enc)], (on_line, enc)
    # and back: a definition request at that column (in the client's units) finds the stage
    res = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=EMOJI_LINE, character=column(prefix, enc) + 2),
        )
    )
    locs = res if isinstance(res, list) else [res]
    assert [(loc.range.start.line, loc.range.start.character) for loc in locs] == [(1, 20)]
    say(client, f"offered {offered or 'nothing'}, negotiated {enc}; columns after é🐳 match")


async def test_diagnostics_definition_completion_snippets(client: LanguageClient):
    uri = open_doc(client)
    diags = await diagnostics(client, uri)
    dup = [d for d in diags if d.range.start.line == 7 and d.severity == types.DiagnosticSeverity.Error]
    assert dup and "tools" in dup[0].message, diags

    res = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=12, character=len("RUN --mount=from=bu")),
        )
    )
    locs = res if isinstance(res, list) else [res]
    assert [loc.range.start.line for loc in locs] == [1]

    # stages after --from=
    res = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=12, character=len("RUN --mount=from=")),
        )
    )
    items = res.items if isinstance(res, types.CompletionList) else res
    assert {"builder", "tools"} <= {i.label for i in items}

    # instruction keywords on the empty line: snippets only for clients that support them
    res = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=9, character=0),
        )
    )
    items = res.items if isinstance(res, types.CompletionList) else res
    assert {"FROM", "RUN", "COPY"} <= {i.label for i in items}
    snippet_items = [i for i in items if i.insert_text_format == types.InsertTextFormat.Snippet]
    item_caps = client.capabilities.text_document.completion.completion_item
    supports = bool(item_caps and item_caps.snippet_support)
    if supports:
        assert snippet_items, "client supports snippets but got none"
    else:
        assert not snippet_items, f"snippets sent to a client without snippetSupport: {snippet_items[:2]}"
    say(client, f"diagnostics, definition, --from= completion; snippetSupport={supports}, "
        f"{len(snippet_items)} snippet items")


async def test_document_symbols_shape(client: LanguageClient):
    assert client.init_result.capabilities.document_symbol_provider, "no documentSymbolProvider"
    uri = open_doc(client)
    await diagnostics(client, uri)
    res = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    sym_caps = client.capabilities.text_document.document_symbol
    hierarchical = bool(sym_caps and sym_caps.hierarchical_document_symbol_support)
    assert res, "no symbols"
    if hierarchical:
        assert all(isinstance(s, types.DocumentSymbol) for s in res)
    else:
        assert all(isinstance(s, types.SymbolInformation) for s in res)
    names = {s.name for s in res}
    assert any("builder" in n for n in names), names
    say(client, f"document symbols: hierarchical={hierarchical}, {len(res)} top-level")


def lists_markdown(formats) -> bool:
    return bool(formats) and types.MarkupKind.Markdown in formats


async def test_markup_and_folding_follow_the_client(client: LanguageClient):
    """Hover and completion documentation are Markdown only for clients that list it; folding
    ranges carry no columns for `lineFoldingOnly` clients."""
    caps = client.init_result.capabilities
    assert caps.hover_provider and caps.folding_range_provider, "hover and folding advertised"
    uri = open_doc(client)
    await diagnostics(client, uri)
    doc = types.TextDocumentIdentifier(uri=uri)
    td = client.capabilities.text_document

    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=doc, position=types.Position(line=1, character=1))
    )
    assert hover is not None, "no hover on FROM"
    hover_md = lists_markdown(td.hover.content_format if td.hover else None)
    assert isinstance(hover.contents, types.MarkupContent), hover.contents
    assert "FROM" in hover.contents.value
    expected = types.MarkupKind.Markdown if hover_md else types.MarkupKind.PlainText
    assert hover.contents.kind == expected, (hover.contents.kind, hover_md)

    res = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc, position=types.Position(line=9, character=0))
    )
    items = res.items if isinstance(res, types.CompletionList) else res
    documented = [i for i in items if i.documentation is not None]
    assert documented, "no completion item has documentation"
    item_caps = td.completion.completion_item if td.completion else None
    completion_md = lists_markdown(item_caps.documentation_format if item_caps else None)
    for item in documented:
        if completion_md:
            assert isinstance(item.documentation, types.MarkupContent), item.label
            assert item.documentation.kind == types.MarkupKind.Markdown, item.label
        else:
            assert isinstance(item.documentation, str), (item.label, item.documentation)

    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=doc))
    assert folds, "no folding ranges"
    line_only = bool(td.folding_range and td.folding_range.line_folding_only)
    if line_only:
        assert all(f.start_character is None and f.end_character is None for f in folds), folds
    # every stage (FROM lines 1, 4, 7, 10) starts a fold
    assert {1, 4, 7} <= {f.start_line for f in folds}, folds
    say(client, f"hover markdown={hover_md}, completion docs markdown={completion_md} "
        f"({len(documented)} documented items), {len(folds)} folds, lineFoldingOnly={line_only}")


async def test_dynamic_registration_and_configuration(client: LanguageClient):
    uri = open_doc(client)
    await diagnostics(client, uri)
    # let any registration or configuration request that follows `initialized` arrive
    await asyncio.sleep(0.2)
    caps = client.capabilities
    for reg in client.registrations:
        group, _, feature = reg.method.partition("/")
        section = caps.text_document if group == "textDocument" else caps.workspace
        name = "synchronization" if feature in SYNC_METHODS else snake(feature.split("/")[0])
        feature_caps = getattr(section, name, None) if section else None
        assert feature_caps is not None and getattr(feature_caps, "dynamic_registration", False), (
            f"server registered {reg.method} dynamically but {client.editor} does not allow it"
        )
    ws = caps.workspace
    lens_refresh = bool(ws and ws.code_lens and ws.code_lens.refresh_support)
    assert lens_refresh or client.code_lens_refreshes == 0, (
        "server sent workspace/codeLens/refresh to a client without refreshSupport"
    )
    asked = bool(client.configuration_requests)
    allowed = bool(caps.workspace and caps.workspace.configuration)
    assert allowed or not asked, "server sent workspace/configuration to a client that did not advertise it"
    # with no settings answered (null), the defaults still give the diagnostics
    assert any(d.severity == types.DiagnosticSeverity.Error for d in client.diagnostics[uri])
    say(client, f"{len(client.registrations)} dynamic registrations "
        f"({', '.join(r.method for r in client.registrations) or 'none'}); "
        f"workspace/configuration asked={asked}, allowed={allowed}; "
        f"codeLens/refresh sent {client.code_lens_refreshes}x, allowed={lens_refresh}")


async def test_incremental_change_clears_diagnostic(client: LanguageClient):
    uri = open_doc(client)
    assert len(await diagnostics(client, uri)) > 0
    # rename the duplicate stage with an incremental edit (the server advertises incremental sync)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=7, character=20),
                                      end=types.Position(line=7, character=25)),
                    text="other",
                )
            ],
        )
    )
    diags = await diagnostics(client, uri)
    assert not [d for d in diags if d.severity == types.DiagnosticSeverity.Error], diags
    say(client, "incremental didChange cleared the duplicate-stage error")


async def test_code_lens_commands(client: LanguageClient):
    caps = client.init_result.capabilities
    if not caps.code_lens_provider:
        say(client, "skipped: server has no code lenses")
        pytest.skip("server has no codeLensProvider")
    uri = open_doc(client)
    await diagnostics(client, uri)
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert lenses, "no code lenses"
    if caps.code_lens_provider.resolve_provider:
        lenses = [await client.code_lens_resolve_async(lens) for lens in lenses]
    from_lines = {i for i, line in enumerate(DOCKERFILE.splitlines()) if line.startswith("FROM ")}
    assert {lens.range.start.line for lens in lenses} <= from_lines, "lenses off FROM lines"
    commands = (caps.execute_command_provider.commands if caps.execute_command_provider else []) or []
    for lens in lenses:
        assert lens.command is not None, "an unresolved lens"
        if lens.command.command.startswith("dockerfile-ls."):
            assert lens.command.command in commands, f"{lens.command.command} not in executeCommandProvider"
    refs = [lens for lens in lenses if lens.command.command == "dockerfile-ls.stageReferences"]
    if refs:
        # what the editors do when the lens is clicked: ask the server for the locations
        lens = next(lens for lens in refs if lens.range.start.line == 1)
        res = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=lens.command.command, arguments=lens.command.arguments)
        )
        lines = sorted(loc["range"]["start"]["line"] if isinstance(loc, dict) else loc.range.start.line for loc in res)
        assert lines == [1, 11, 12], lines
    say(client, f"{len(lenses)} code lenses on FROM lines; commands {sorted({lens.command.command for lens in lenses})}")
