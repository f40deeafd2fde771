// The VS Code side of dockerfile-ls: starts the server over stdio for `dockerfile` documents,
// registers the extension's commands, maps the server's code-lens commands to editor UI and
// hosts the stage-graph webview. The decisions live in vscode-free modules (discovery,
// settings, commands, webview); this file only wires them to the VS Code API.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  Middleware,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

import { COMMANDS, STAGE_GRAPH_REQUEST, intercept, referencesView, renderedSvg, stageGraphParams } from "./commands";
import { SETTING, discoverServer } from "./discovery";
import { SECTION, needsRestart, serverSettings, withoutClientOnly } from "./settings";
import { graphHtml, makeNonce, messageHtml, revealLine } from "./webview";

export const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "dockerfile" },
  { scheme: "untitled", language: "dockerfile" },
];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;
const graphs = new Map<string, GraphView>();

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function currentServerSettings() {
  const cfg = config();
  return serverSettings((key) => cfg.get(key));
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("dockerfile-ls");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand(COMMANDS.restart, () => restart(context)),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => output?.show(true)),
    vscode.commands.registerCommand(COMMANDS.showStageGraph, (uri?: vscode.Uri) => showStageGraph(uri)),
    // other settings reach the server through workspace/didChangeConfiguration (middleware)
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (needsRestart((key) => event.affectsConfiguration(key))) {
        await restart(context);
      }
    }),
    vscode.workspace.onDidChangeTextDocument((event) => graphs.get(event.document.uri.toString())?.scheduleRefresh()),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  for (const view of [...graphs.values()]) view.panel.dispose();
  await stop();
}

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  if (!old) return;
  try {
    await old.stop();
  } catch (err) {
    output?.appendLine(`stopping the server: ${String(err)}`);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const found = discoverServer({
    configuredPath: config().get<string | null>("server.path"),
    extensionPath: context.extensionPath,
    platform: process.platform,
    arch: process.arch,
    pathEnv: process.env.PATH,
    isExecutable,
  });
  if (!found.ok) {
    output?.appendLine(`dockerfile-ls: ${found.message}. ${found.fix}`);
    const choice = await vscode.window.showErrorMessage(`dockerfile-ls: ${found.message}. ${found.fix}`, "Open Settings");
    if (choice === "Open Settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", SETTING);
    }
    return;
  }
  output?.appendLine(`starting ${found.command} (from ${found.source})`);
  const run = { command: found.command, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    initializationOptions: currentServerSettings(),
    middleware: middleware(),
  };
  client = new LanguageClient(SECTION, "dockerfile-ls", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    output?.appendLine(`the server did not start: ${String(err)}`);
    void vscode.window.showErrorMessage(`dockerfile-ls: the server at ${found.command} did not start: ${String(err)}`);
  }
}

function middleware(): Middleware {
  return {
    // code lenses carry the server's commands; run them and show the result as editor UI
    executeCommand: async (command, args, next) => {
      const plan = intercept(command, args);
      if (plan.kind === "graph") {
        await showStageGraph(vscode.Uri.parse(plan.uri));
        return undefined;
      }
      const result = await next(command, args);
      if (plan.kind === "references") {
        await showReferences(plan.uri, result);
      }
      return result;
    },
    workspace: {
      // The server registers for workspace/didChangeConfiguration with section `dockerfile-ls`;
      // send it the server's settings only (languageclient would send the whole section).
      didChangeConfiguration: async (sections, next) => {
        const list = typeof sections === "string" ? [sections] : sections;
        if (list?.includes(SECTION) && client) {
          await client.sendNotification("workspace/didChangeConfiguration", {
            settings: { [SECTION]: currentServerSettings() },
          });
          const others = list.filter((s) => s !== SECTION);
          if (others.length > 0) await next(others);
          return;
        }
        await next(sections);
      },
      // answer `workspace/configuration` for our section without the client-only keys
      configuration: async (params, token, next) => {
        const result = await next(params, token);
        if (!Array.isArray(result)) return result;
        return result.map((value, i) => (params.items[i]?.section === SECTION ? withoutClientOnly(value) : value));
      },
    },
  };
}

async function showReferences(uri: string, result: unknown): Promise<void> {
  const view = referencesView(uri, result);
  if (!view || !client) {
    void vscode.window.showInformationMessage("dockerfile-ls: no references to this stage");
    return;
  }
  const c = client.protocol2CodeConverter;
  await vscode.commands.executeCommand(
    "editor.action.showReferences",
    vscode.Uri.parse(view.uri),
    c.asPosition(view.position),
    view.locations.map((l) => c.asLocation(l)),
  );
}

/** One webview per Dockerfile, re-rendered when the document changes. */
class GraphView {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly uri: vscode.Uri,
    readonly panel: vscode.WebviewPanel,
  ) {
    panel.onDidDispose(() => {
      if (this.timer) clearTimeout(this.timer);
      graphs.delete(uri.toString());
    });
    panel.webview.onDidReceiveMessage((message) => this.reveal(revealLine(message)));
  }

  scheduleRefresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.render(), 400);
  }

  async render(): Promise<void> {
    if (!client) {
      this.panel.webview.html = messageHtml("the dockerfile-ls server is not running");
      return;
    }
    let result: unknown;
    try {
      result = await client.sendRequest(STAGE_GRAPH_REQUEST, stageGraphParams(this.uri.toString()));
    } catch (err) {
      this.panel.webview.html = messageHtml(`the stage graph request failed: ${String(err)}`);
      return;
    }
    const svg = renderedSvg(result);
    this.panel.webview.html =
      "svg" in svg
        ? graphHtml({
            svg: svg.svg,
            title: this.panel.title,
            cspSource: this.panel.webview.cspSource,
            nonce: makeNonce((n) => crypto.randomBytes(n)),
          })
        : messageHtml(svg.error);
  }

  private async reveal(line: number | undefined): Promise<void> {
    if (line === undefined) return;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    const at = new vscode.Position(Math.min(line, Math.max(doc.lineCount - 1, 0)), 0);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri.toString());
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      selection: new vscode.Range(at, at),
    });
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

async function showStageGraph(uri?: vscode.Uri): Promise<void> {
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showErrorMessage("dockerfile-ls: open a Dockerfile to show its stage graph");
    return;
  }
  const key = target.toString();
  let view = graphs.get(key);
  if (view) {
    view.panel.reveal(undefined, true);
  } else {
    const panel = vscode.window.createWebviewPanel(
      "dockerfile-ls.stageGraph",
      `Stages: ${path.basename(target.path)}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] },
    );
    view = new GraphView(target, panel);
    graphs.set(key, view);
  }
  await view.render();
}
