// extension.ts without VS Code: `vscode` and `vscode-languageclient/node` are replaced by fakes
// through Node's module loader before the extension is loaded.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, test } from "node:test";
import Module = require("node:module");

type Fn = (...args: any[]) => any;

const created: FakeLanguageClient[] = [];
const errors: string[] = [];
const infos: string[] = [];
const executed: { command: string; args: unknown[] }[] = [];
const commands = new Map<string, Fn>();
const panels: FakePanel[] = [];
const shown: { uri: string; selection: unknown }[] = [];
let settings: Record<string, unknown> = {};
let configListener: Fn | undefined;
let changeListener: Fn | undefined;
let errorChoice: string | undefined;

class Uri {
  constructor(readonly value: string) {}
  static parse(v: string) { return new Uri(v); }
  static file(p: string) { return new Uri(`file://${p}`); }
  get path() { return this.value.replace(/^file:\/\//, ""); }
  toString() { return this.value; }
}
class Position { constructor(readonly line: number, readonly character: number) {} }
class Range { constructor(readonly start: Position, readonly end: Position) {} }

class FakePanel {
  html = "";
  disposed = false;
  revealed = 0;
  messageHandler: Fn | undefined;
  disposeHandler: Fn | undefined;
  webview = {
    cspSource: "vscode-webview:",
    set html(v: string) { this.owner.html = v; },
    get html() { return this.owner.html; },
    owner: this as FakePanel,
    onDidReceiveMessage: (fn: Fn) => { this.messageHandler = fn; return { dispose() {} }; },
  };
  constructor(readonly viewType: string, readonly title: string, readonly options: any) {}
  onDidDispose(fn: Fn) { this.disposeHandler = fn; return { dispose() {} }; }
  reveal() { this.revealed++; }
  dispose() { this.disposed = true; this.disposeHandler?.(); }
}

const output = { lines: [] as string[], shown: 0, appendLine(l: string) { this.lines.push(l); }, show() { this.shown++; }, dispose() {} };

const fakeVscode = {
  Uri, Position, Range,
  ViewColumn: { One: 1, Beside: -2 },
  TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
  workspace: {
    getConfiguration: (section: string) => {
      assert.equal(section, "dockerfile-ls");
      return { get: (key: string, dflt?: unknown) => (key in settings ? settings[key] : dflt) };
    },
    onDidChangeConfiguration: (fn: Fn) => { configListener = fn; return { dispose() {} }; },
    onDidChangeTextDocument: (fn: Fn) => { changeListener = fn; return { dispose() {} }; },
    openTextDocument: async (uri: Uri) => ({ uri, lineCount: 20 }),
  },
  window: {
    createOutputChannel: () => output,
    showErrorMessage: async (m: string) => { errors.push(m); return errorChoice; },
    showInformationMessage: async (m: string) => { infos.push(m); },
    createWebviewPanel: (viewType: string, title: string, _column: unknown, options: unknown) => {
      const p = new FakePanel(viewType, title, options);
      panels.push(p);
      return p;
    },
    activeTextEditor: undefined as undefined | { document: { uri: Uri } },
    visibleTextEditors: [] as unknown[],
    showTextDocument: async (doc: { uri: Uri }, opts: { selection: unknown }) => {
      shown.push({ uri: doc.uri.toString(), selection: opts.selection });
      return { revealRange() {} };
    },
  },
  commands: {
    registerCommand: (id: string, fn: Fn) => { commands.set(id, fn); return { dispose() {} }; },
    executeCommand: async (command: string, ...args: unknown[]) => { executed.push({ command, args }); },
  },
};

class FakeLanguageClient {
  started = false;
  stopped = false;
  requests: { method: string; params: any }[] = [];
  notifications: { method: string; params: any }[] = [];
  graphResult: unknown = { rendered: '<svg><g class="stage" data-line="4" data-stage="build"></g></svg>' };
  protocol2CodeConverter = {
    asPosition: (p: { line: number; character: number }) => new Position(p.line, p.character),
    asLocation: (l: { uri: string; range: any }) => ({ uri: Uri.parse(l.uri), range: l.range }),
  };
  constructor(public id: string, public name: string, public serverOptions: any, public clientOptions: any) {
    created.push(this);
  }
  async start() { this.started = true; }
  async stop() { this.stopped = true; }
  isRunning() { return this.started && !this.stopped; }
  async sendRequest(method: string, params: unknown) { this.requests.push({ method, params }); return this.graphResult; }
  async sendNotification(method: string, params: unknown) { this.notifications.push({ method, params }); }
}
const fakeLc = { LanguageClient: FakeLanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };

const fakes: Record<string, unknown> = { vscode: fakeVscode, "vscode-languageclient/node": fakeLc };
const M = Module as any;
const origLoad = M._load;
M._load = function (request: string, ...rest: unknown[]) {
  return request in fakes ? fakes[request] : origLoad.call(this, request, ...rest);
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ext = require("../src/extension");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serverKeys } = require("../src/settings");

/** A distinct value for every server setting package.json contributes, plus an unknown key. */
function sentinels(): Record<string, unknown> {
  const values: Record<string, unknown> = { notASetting: "never sent" };
  for (const key of serverKeys() as string[]) values[key] = `value of ${key}`;
  return values;
}

/** Asserts `sent` is exactly the server settings from `sentinels()`, nested by key path. */
function assertServerSettings(sent: Record<string, unknown>) {
  const keys = serverKeys() as string[];
  for (const key of keys) {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], sent);
    assert.equal(value, `value of ${key}`, key);
  }
  const topLevel = new Set(keys.map((k) => k.split(".")[0]));
  assert.deepEqual(Object.keys(sent).sort(), [...topLevel].sort(), "only the server's settings are sent");
  assert.ok(!("server" in sent) && !("trace" in sent) && !("notASetting" in sent));
}

// a real executable file to stand for the server binary
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockerfile-ls-ext-"));
const serverBin = path.join(dir, "dockerfile-ls");
fs.writeFileSync(serverBin, "#!/bin/sh\n");
fs.chmodSync(serverBin, 0o755);
const context = () => ({ subscriptions: [] as unknown[], extensionPath: path.join(dir, "ext") });
const last = () => created[created.length - 1];

afterEach(async () => {
  await ext.deactivate();
  settings = {};
  errorChoice = undefined;
});

test("activate starts a stdio client for dockerfile documents with the server's settings", async () => {
  settings = { ...sentinels(), "server.path": serverBin, "trace.server": "verbose" };
  await ext.activate(context());
  const c = last();
  assert.equal(c.started, true);
  assert.equal(c.id, "dockerfile-ls", "the id makes vscode-languageclient read dockerfile-ls.trace.server");
  assert.equal(c.serverOptions.run.command, serverBin);
  assert.equal(c.serverOptions.run.transport, 0);
  assert.deepEqual(c.clientOptions.documentSelector.map((s: any) => [s.scheme, s.language]), [["file", "dockerfile"], ["untitled", "dockerfile"]]);
  assertServerSettings(c.clientOptions.initializationOptions);
  assert.equal(c.clientOptions.outputChannel, output);
  for (const id of ["dockerfile-ls.restartServer", "dockerfile-ls.showStageGraph", "dockerfile-ls.showOutput"]) {
    assert.ok(commands.has(id), id);
  }
});

test("restart stops the old client and starts a new one", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const first = last();
  await commands.get("dockerfile-ls.restartServer")!();
  assert.equal(first.stopped, true);
  assert.notEqual(last(), first);
  assert.equal(last().started, true);
});

test("a missing binary shows the error with its fix and starts nothing; Open Settings opens the setting", async () => {
  const before = created.length;
  const savedPath = process.env.PATH;
  process.env.PATH = path.join(dir, "empty");
  errorChoice = "Open Settings";
  try {
    await ext.activate(context());
  } finally {
    process.env.PATH = savedPath;
  }
  assert.equal(created.length, before);
  assert.match(errors[errors.length - 1], /no `dockerfile-ls` found/);
  assert.match(errors[errors.length - 1], /dockerfile-ls\.server\.path/);
  assert.deepEqual(executed[executed.length - 1], { command: "workbench.action.openSettings", args: ["dockerfile-ls.server.path"] });
});

test("the server is found on PATH when nothing is configured", async () => {
  const savedPath = process.env.PATH;
  process.env.PATH = `${path.join(dir, "empty")}:${dir}`;
  try {
    await ext.activate(context());
  } finally {
    process.env.PATH = savedPath;
  }
  assert.equal(last().serverOptions.run.command, serverBin);
});

test("the stageReferences code lens runs on the server and opens the references peek", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const mw = last().clientOptions.middleware;
  const uri = "file:///w/Dockerfile";
  const locations = [
    { uri, range: { start: { line: 0, character: 20 }, end: { line: 0, character: 25 } } },
    { uri, range: { start: { line: 6, character: 12 }, end: { line: 6, character: 17 } } },
  ];
  const sent: unknown[] = [];
  const result = await mw.executeCommand("dockerfile-ls.stageReferences", [uri, 0], async (cmd: string, args: unknown[]) => {
    sent.push([cmd, args]);
    return locations;
  });
  assert.deepEqual(sent, [["dockerfile-ls.stageReferences", [uri, 0]]]);
  assert.equal(result, locations);
  const peek = executed[executed.length - 1];
  assert.equal(peek.command, "editor.action.showReferences");
  assert.equal(String(peek.args[0]), uri);
  assert.deepEqual(peek.args[1], new Position(0, 20));
  assert.equal((peek.args[2] as unknown[]).length, 2);
});

test("the stageGraph code lens opens the webview instead of running on the server; a click reveals the FROM line", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const c = last();
  const uri = "file:///w/Dockerfile";
  let forwarded = false;
  await c.clientOptions.middleware.executeCommand("dockerfile-ls.stageGraph", [uri], async () => { forwarded = true; });
  assert.equal(forwarded, false);
  assert.deepEqual(c.requests[c.requests.length - 1], { method: "dockerfile-ls/stageGraph", params: { textDocument: { uri }, format: "svg" } });
  const panel = panels[panels.length - 1];
  assert.equal(panel.title, "Stages: Dockerfile");
  assert.equal(panel.options.enableScripts, true);
  assert.deepEqual(panel.options.localResourceRoots, []);
  assert.ok(panel.html.includes('data-line="4"'));
  assert.match(panel.html, /Content-Security-Policy/);
  await panel.messageHandler!({ type: "reveal", line: 4 });
  await new Promise((r) => setImmediate(r));
  const s = shown[shown.length - 1];
  assert.equal(s.uri, uri);
  assert.deepEqual(s.selection, new Range(new Position(4, 0), new Position(4, 0)));
  // the same document reuses its panel
  await commands.get("dockerfile-ls.showStageGraph")!(Uri.parse(uri));
  assert.equal(panels[panels.length - 1], panel);
  assert.equal(panel.revealed, 1);
});

test("a server without the stage graph gets an explanation in the view, not a blank page", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  last().graphResult = null;
  await commands.get("dockerfile-ls.showStageGraph")!(Uri.parse("file:///w/other.dockerfile"));
  assert.match(panels[panels.length - 1].html, /no SVG stage graph/);
});

test("the graph re-renders after the document changes", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const c = last();
  const uri = "file:///w/x.dockerfile";
  await commands.get("dockerfile-ls.showStageGraph")!(Uri.parse(uri));
  const n = c.requests.length;
  changeListener!({ document: { uri: Uri.parse(uri) } });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(c.requests.length, n + 1);
});

test("other commands pass through to the server untouched", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const result = await last().clientOptions.middleware.executeCommand("x.y", [1], async () => "done");
  assert.equal(result, "done");
});

test("workspace/configuration answers drop client-only keys for our section only", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const mw = last().clientOptions.middleware;
  const params = { items: [{ section: "dockerfile-ls" }, { section: "editor" }] };
  const res = await mw.workspace.configuration(params, undefined, async () => [
    { server: { path: "/x" }, trace: { server: "off" }, target: null },
    { server: { path: "kept" } },
  ]);
  assert.deepEqual(res, [{ target: null }, { server: { path: "kept" } }]);
});

test("settings changes go to the server as its settings only, through the didChangeConfiguration middleware", async () => {
  settings = { ...sentinels(), "server.path": serverBin, "trace.server": "verbose" };
  await ext.activate(context());
  const c = last();
  const mw = c.clientOptions.middleware;
  let forwarded: unknown;
  await mw.workspace.didChangeConfiguration(["dockerfile-ls"], async (s: unknown) => { forwarded = s; });
  assert.equal(forwarded, undefined, "languageclient's own notification (whole section) is not sent");
  const sent = c.notifications[c.notifications.length - 1];
  assert.equal(sent.method, "workspace/didChangeConfiguration");
  assert.deepEqual(Object.keys(sent.params.settings), ["dockerfile-ls"]);
  assertServerSettings(sent.params.settings["dockerfile-ls"]);
  // other sections (none of ours) pass through
  await mw.workspace.didChangeConfiguration(["editor"], async (s: unknown) => { forwarded = s; });
  assert.deepEqual(forwarded, ["editor"]);
});

test("a new server path restarts the server; other changes do not", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const c = last();
  await configListener!({ affectsConfiguration: (k: string) => k === "dockerfile-ls" || k === "dockerfile-ls.codeLens.enable" });
  assert.equal(c.stopped, false);
  assert.equal(last(), c);
  await configListener!({ affectsConfiguration: (k: string) => k.startsWith("dockerfile-ls") });
  assert.equal(c.stopped, true);
  assert.notEqual(last(), c);
  assert.equal(last().started, true);
});

test("show output log reveals the output channel", async () => {
  settings = { "server.path": serverBin };
  await ext.activate(context());
  const before = output.shown;
  await commands.get("dockerfile-ls.showOutput")!();
  assert.equal(output.shown, before + 1);
  assert.ok(output.lines.some((l) => l.includes(`starting ${serverBin} (from setting)`)));
});
