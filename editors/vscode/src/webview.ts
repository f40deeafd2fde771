// The stage-graph webview's HTML and the messages it sends back. The SVG comes from the server
// (`dockerfile-ls/stageGraph`, format `svg`); each stage box is `<g class="stage" data-line=N>`
// and a click asks the extension to reveal that FROM line. Pure: no `vscode` import.
//
// Security: a strict CSP (no network, scripts only with this page's nonce, so any script inside
// the SVG cannot run); the SVG is inlined as markup the server produced and escaped itself.

export interface GraphPage {
  svg: string;
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh per render: only the page's own script carries it. */
  nonce: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Strips what has no business in a server-rendered graph: scripts, event handlers, foreign objects. */
export function sanitizeSvg(svg: string): string {
  return svg
    .replace(/<script[\s\S]*?<\/script\s*>/gi, "")
    .replace(/<foreignObject[\s\S]*?<\/foreignObject\s*>/gi, "")
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "");
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
}

export function graphHtml(p: GraphPage): string {
  const csp = contentSecurityPolicy(p.cspSource, p.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(p.title)}</title>
<style>
  body { padding: 8px; color: var(--vscode-foreground); background: var(--vscode-editor-background); }
  svg { max-width: 100%; height: auto; }
  g.stage { cursor: pointer; }
  g.stage:hover { opacity: 0.8; }
</style>
</head>
<body>
${sanitizeSvg(p.svg)}
<script nonce="${p.nonce}">
  const vscode = acquireVsCodeApi();
  document.addEventListener("click", (event) => {
    const stage = event.target instanceof Element ? event.target.closest("g.stage[data-line]") : null;
    if (stage) vscode.postMessage({ type: "reveal", line: Number(stage.getAttribute("data-line")) });
  });
</script>
</body>
</html>
`;
}

/** The FROM line a webview message asks to reveal, or undefined for anything else. */
export function revealLine(message: unknown): number | undefined {
  const m = message as { type?: unknown; line?: unknown } | null;
  if (m === null || typeof m !== "object" || m.type !== "reveal") return undefined;
  const line = m.line;
  return typeof line === "number" && Number.isInteger(line) && line >= 0 ? line : undefined;
}

/** A nonce for the CSP: 32 characters from `random` (crypto in the extension). */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join("");
}

/** A page with one message and no script (server not running, request failed). */
export function messageHtml(message: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>dockerfile-ls: ${escapeHtml(message)}</p></body></html>
`;
}
