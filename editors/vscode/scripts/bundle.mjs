// Bundles src/extension.ts and its dependencies (vscode-languageclient) into dist/extension.js
// with esbuild; `vscode` is provided by the editor at run time.
import { build } from "esbuild";

await build({
  entryPoints: ["src/extension.ts"],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  outfile: "dist/extension.js",
  minify: true,
  sourcemap: false,
  legalComments: "linked",
  logLevel: "warning",
});
