// The extension's settings, split into what the server reads and what only the client reads.
// The server's keys are exactly the `dockerfile-ls.*` properties package.json contributes,
// minus the client-only ones (the server-side test `settings_in_step` keeps package.json equal
// to the server's `Settings`). Pure: no `vscode` import.
import manifest from "../package.json";

export const SECTION = "dockerfile-ls";

/** Settings only the extension reads; never sent to the server. */
export const CLIENT_ONLY = ["server.path", "trace.server"] as const;

interface Manifest {
  contributes: { configuration: { properties: Record<string, unknown> } };
}

/** Every `dockerfile-ls.*` setting in a manifest, without the prefix. */
export function contributedKeys(m: Manifest = manifest as Manifest): string[] {
  return Object.keys(m.contributes.configuration.properties)
    .filter((k) => k.startsWith(`${SECTION}.`))
    .map((k) => k.slice(SECTION.length + 1));
}

/** The settings the server reads, as dotted keys (`diagnostics.rules`, ...). */
export function serverKeys(m: Manifest = manifest as Manifest): string[] {
  return contributedKeys(m).filter((k) => !(CLIENT_ONLY as readonly string[]).includes(k));
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The server's `Settings` object (nested, camelCase, as `initializationOptions` and as the
 * answer to `workspace/configuration` for section `dockerfile-ls`), read through `get`
 * (`WorkspaceConfiguration.get`). Keys that `get` leaves undefined are left out, so the server
 * applies its own default.
 */
export function serverSettings(get: (key: string) => unknown, keys: string[] = serverKeys()): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const key of keys) {
    const value = get(key);
    if (value === undefined) continue;
    const parts = key.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === null || typeof next !== "object" || Array.isArray(next)) {
        node[part] = {};
      }
      node = node[part] as { [key: string]: Json };
    }
    node[parts[parts.length - 1]] = JSON.parse(JSON.stringify(value)) as Json;
  }
  return out;
}

/** A nested `dockerfile-ls` configuration object (as VS Code returns it) without client-only keys. */
export function withoutClientOnly(config: unknown): unknown {
  if (config === null || typeof config !== "object" || Array.isArray(config)) return config;
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(config));
  for (const key of CLIENT_ONLY) {
    const [group, leaf] = key.split(".");
    const sub = copy[group];
    if (sub !== null && typeof sub === "object" && !Array.isArray(sub)) {
      delete (sub as Record<string, unknown>)[leaf];
      if (Object.keys(sub).length === 0) delete copy[group];
    }
  }
  return copy;
}

/** Whether a change to these settings needs a server restart (a new binary). */
export function needsRestart(affects: (key: string) => boolean): boolean {
  return affects(`${SECTION}.server.path`);
}
