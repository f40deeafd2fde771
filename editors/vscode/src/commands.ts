// What the extension does with the server's code-lens commands and its own commands. The
// server executes `dockerfile-ls.stageReferences` / `dockerfile-ls.stageGraph` and returns data;
// the extension intercepts them (languageclient middleware `executeCommand`) to show UI.
// Pure: no `vscode` import; positions and locations are LSP-shaped plain objects.

export const COMMANDS = {
  restart: "dockerfile-ls.restartServer",
  showStageGraph: "dockerfile-ls.showStageGraph",
  showOutput: "dockerfile-ls.showOutput",
} as const;

/** Commands the server lists in `executeCommandProvider`, carried by its code lenses. */
export const SERVER_COMMANDS = {
  stageReferences: "dockerfile-ls.stageReferences",
  stageGraph: "dockerfile-ls.stageGraph",
} as const;

/** The custom request behind the stage graph. */
export const STAGE_GRAPH_REQUEST = "dockerfile-ls/stageGraph";

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}
export interface LspLocation {
  uri: string;
  range: LspRange;
}

export type Interception =
  /** Let the server run it, then show the returned locations as references. */
  | { kind: "references"; uri: string }
  /** Do not send it: open the stage graph view of `uri`. */
  | { kind: "graph"; uri: string }
  /** Not ours, or malformed: pass it to the server unchanged. */
  | { kind: "passthrough" };

export function intercept(command: string, args: readonly unknown[]): Interception {
  const uri = typeof args[0] === "string" ? args[0] : undefined;
  if (command === SERVER_COMMANDS.stageReferences && uri !== undefined) {
    return { kind: "references", uri };
  }
  if (command === SERVER_COMMANDS.stageGraph && uri !== undefined) {
    return { kind: "graph", uri };
  }
  return { kind: "passthrough" };
}

function isLocation(v: unknown): v is LspLocation {
  const l = v as LspLocation;
  return (
    typeof l === "object" &&
    l !== null &&
    typeof l.uri === "string" &&
    typeof l.range?.start?.line === "number" &&
    typeof l.range?.start?.character === "number"
  );
}

/**
 * What `editor.action.showReferences` needs from a `stageReferences` result: the document, the
 * position the peek opens at (the stage's declaration, which the server lists first) and the
 * locations. Undefined when the server returned nothing usable.
 */
export function referencesView(
  uri: string,
  result: unknown,
): { uri: string; position: LspPosition; locations: LspLocation[] } | undefined {
  if (!Array.isArray(result)) return undefined;
  const locations = result.filter(isLocation);
  if (locations.length === 0) return undefined;
  const inDoc = locations.find((l) => l.uri === uri) ?? locations[0];
  return { uri, position: inDoc.range.start, locations };
}

/** Params of the `dockerfile-ls/stageGraph` request for the webview. */
export function stageGraphParams(uri: string, target?: string): { textDocument: { uri: string }; format: "svg"; target?: string } {
  return target ? { textDocument: { uri }, format: "svg", target } : { textDocument: { uri }, format: "svg" };
}

/** The SVG out of a stage-graph result, or an error message. */
export function renderedSvg(result: unknown): { svg: string } | { error: string } {
  const rendered = (result as { rendered?: unknown } | null)?.rendered;
  if (typeof rendered !== "string" || !rendered.includes("<svg")) {
    return { error: "the server returned no SVG stage graph" };
  }
  return { svg: rendered };
}
