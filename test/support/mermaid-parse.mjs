#!/usr/bin/env node
// Parses Mermaid diagrams with Mermaid's own parser (the `mermaid` package, as GitHub and GitLab
// render it), offline. Reads a JSON array of diagram texts on stdin and prints a JSON array of
// results, one per diagram: { ok: true, type } or { ok: false, error }.
//
// mermaid.parse() sanitizes labels with DOMPurify, which needs a DOM ("DOMPurify.addHook is not
// a function" without one): jsdom provides window and document before mermaid is loaded. An
// ES module of its own because mermaid 11 is ESM only (jest runs the tests as CommonJS).
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ['Element', 'HTMLElement', 'Node', 'DOMParser', 'SVGElement']) {
  if (!(name in globalThis)) globalThis[name] = dom.window[name];
}

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(text);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (e) {
    results.push({ ok: false, error: String(e?.message ?? e).split('\n').slice(0, 4).join('\n') });
  }
}
process.stdout.write(JSON.stringify(results));
