// Where the dockerfile-ls binary comes from: the `dockerfile-ls.server.path` setting, then the
// binary bundled in the extension for this platform (`server/<platform>-<arch>/`), then PATH.
// Pure: no `vscode` import, file-system access injected, so `node --test` covers every branch.
import * as os from "os";
import * as path from "path";

export interface DiscoveryInput {
  /** `dockerfile-ls.server.path` (null, undefined or blank: not set). */
  configuredPath: string | null | undefined;
  /** The extension's install folder (`context.extensionPath`). */
  extensionPath: string;
  platform: NodeJS.Platform;
  arch: string;
  /** `process.env.PATH`. */
  pathEnv: string | undefined;
  /** Whether an executable file exists at the path. */
  isExecutable: (p: string) => boolean;
  homeDir?: string;
}

export type Discovery =
  | { ok: true; command: string; source: "setting" | "bundled" | "PATH" }
  | { ok: false; message: string; fix: string };

export const SETTING = "dockerfile-ls.server.path";

export function binaryName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "dockerfile-ls.exe" : "dockerfile-ls";
}

/** The folder a platform-specific .vsix bundles its binary in, e.g. `server/linux-x64`. */
export function bundledDir(platform: NodeJS.Platform, arch: string): string {
  return path.posix.join("server", `${platform}-${arch}`);
}

function expandHome(p: string, home: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p;
}

export function discoverServer(i: DiscoveryInput): Discovery {
  const exe = binaryName(i.platform);
  const configured = (i.configuredPath ?? "").trim();
  if (configured !== "") {
    const command = expandHome(configured, i.homeDir ?? os.homedir());
    if (i.isExecutable(command)) {
      return { ok: true, command, source: "setting" };
    }
    return {
      ok: false,
      message: `\`${SETTING}\` is \`${configured}\`, but no executable \`dockerfile-ls\` is there`,
      fix: `Point \`${SETTING}\` at the dockerfile-ls binary (an absolute path), or clear it to use the bundled binary or the one on PATH.`,
    };
  }
  const bundled = path.join(i.extensionPath, bundledDir(i.platform, i.arch), exe);
  if (i.isExecutable(bundled)) {
    return { ok: true, command: bundled, source: "bundled" };
  }
  const sep = i.platform === "win32" ? ";" : ":";
  for (const dir of (i.pathEnv ?? "").split(sep)) {
    if (dir === "") continue;
    const candidate = path.join(dir, exe);
    if (i.isExecutable(candidate)) {
      return { ok: true, command: candidate, source: "PATH" };
    }
  }
  return {
    ok: false,
    message: `no \`${exe}\` found: this extension bundles none for ${i.platform}-${i.arch} and none is on PATH`,
    fix: `Install dockerfile-ls (\`cargo install --locked --path server\` in a checkout of dockerfile-ls, or a release binary) and put it on PATH, or set \`${SETTING}\` to its absolute path.`,
  };
}
