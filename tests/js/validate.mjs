// Validate dbdesign docs output with the tools' own parsers.
//   node validate.mjs FILE...   (.mmd: mermaid.parse; .dbml: @dbml/core Parser)
// Prints one JSON line per file: {"file": ..., "ok": true} or {"file": ..., "ok": false, "error": ...}
// and exits 1 when any file fails.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

// Mermaid expects a browser; parsing needs only a minimal DOM (DOMPurify and d3 look it up).
const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ["Element", "HTMLElement", "Node", "DocumentFragment", "DOMParser"]) {
  globalThis[name] = dom.window[name];
}

const { default: mermaid } = await import("mermaid");
const { Parser } = await import("@dbml/core");
mermaid.initialize({ startOnLoad: false, maxTextSize: 10_000_000 });

let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  try {
    if (file.endsWith(".mmd")) {
      await mermaid.parse(text);
    } else if (file.endsWith(".dbml")) {
      new Parser().parse(text, "dbmlv2");
    } else {
      throw new Error("unknown file type (expected .mmd or .dbml)");
    }
    console.log(JSON.stringify({ file, ok: true }));
  } catch (e) {
    failed += 1;
    const diags = e && e.diags ? e.diags.map((d) => `${d.location?.start?.line}:${d.location?.start?.column} ${d.message}`).join("; ") : "";
    console.log(JSON.stringify({ file, ok: false, error: diags || String(e && e.message ? e.message : e) }));
  }
}
process.exit(failed ? 1 : 0);
