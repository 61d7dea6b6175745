/**
 * Reads the rollout plan files the synthesis writes, as a reviewer's tool would: the summary's
 * table and Mermaid block, each step's manifests, and the weights the routing objects give.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

export interface TableRow {
  readonly step: number;
  readonly current: boolean;
  /** percent per version, from the table's weight columns */
  readonly weights: Record<string, number>;
  readonly headerRoutes: string;
  readonly mirror: string;
  readonly gate: string;
}

/** Splits a GFM table row into cells, honouring `\|` escapes. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (body[i] === '|') {
      out.push(cur.trim());
      cur = '';
    } else {
      cur += body[i];
    }
  }
  out.push(cur.trim());
  return out;
}

/** The summary's table: one row per step, weights keyed by the version named in the header. */
export function parseTable(summary: string): TableRow[] {
  const lines = summary.split('\n');
  const start = lines.findIndex(l => l.startsWith('| Step |'));
  if (start < 0) throw new Error('no table in the summary');
  const header = cells(lines[start]);
  const versions = header.slice(1, 3).map(h => /^`([^`]+)`/.exec(h)![1]);
  const rows: TableRow[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const c = cells(line);
    const weights: Record<string, number> = {};
    versions.forEach((v, i) => {
      const m = /^(\d+) %$/.exec(c[1 + i]);
      if (!m) throw new Error(`not a weight: '${c[1 + i]}'`);
      weights[v] = Number(m[1]);
    });
    rows.push({ step: Number(/\d+/.exec(c[0])![0]), current: c[0].includes('current'), weights, headerRoutes: c[3], mirror: c[4], gate: c[5] });
  }
  return rows;
}

/** The ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map(m => m[1]);
}

/** Each step's manifests (the ```yaml block under `### Step <n>`), in step order. */
export function parseStepManifests(markdown: string): any[][] {
  const steps: any[][] = [];
  for (const m of markdown.matchAll(/^### Step (\d+)[^\n]*\n\n```yaml\n([\s\S]*?)\n```/gm)) {
    const docs = parseAllDocuments(m[2]);
    for (const d of docs) if (d.errors.length > 0) throw new Error(`step ${m[1]}: ${d.errors[0].message}`);
    steps[Number(m[1])] = docs.map(d => d.toJS());
  }
  return steps;
}

/**
 * The weights, in percent per version, of the host's default (unmatched) route in a step's
 * routing object: Istio VirtualService subsets, HTTPRoute backendRefs (`<host>-<version>`
 * Services; weight 1 when unset, as Gateway API defaults it), SMI TrafficSplit backends.
 */
export function defaultRouteWeights(manifests: any[], host: string): Record<string, number> {
  const routing = manifests.filter(m => ['VirtualService', 'HTTPRoute', 'TrafficSplit'].includes(m.kind));
  if (routing.length !== 1) throw new Error(`expected one routing object, found ${routing.map(m => m.kind).join(', ')}`);
  const r = routing[0];
  let backends: Array<{ version: string; weight: number }>;
  const version = (service: string) => service.startsWith(`${host}-`) ? service.slice(host.length + 1) : service;
  if (r.kind === 'VirtualService') {
    const route = r.spec.http.filter((h: any) => !h.match);
    if (route.length !== 1) throw new Error('expected one unmatched VirtualService route');
    backends = route[0].route.map((d: any) => ({ version: d.destination.subset, weight: d.weight ?? 100 }));
  } else if (r.kind === 'HTTPRoute') {
    const rules = r.spec.rules.filter((x: any) => !x.matches || x.matches.length === 0);
    if (rules.length !== 1) throw new Error('expected one HTTPRoute rule without matches');
    backends = rules[0].backendRefs.map((b: any) => ({ version: version(b.name), weight: b.weight ?? 1 }));
  } else {
    backends = r.spec.backends.map((b: any) => ({ version: version(b.service), weight: Number(b.weight) }));
  }
  const total = backends.reduce((n, b) => n + b.weight, 0);
  const out: Record<string, number> = {};
  for (const b of backends) out[b.version] = (out[b.version] ?? 0) + Math.round((b.weight * 100) / total);
  return out;
}

/**
 * A plan's file, read from the app's output directory: its summary (table, flowchart, how to
 * move) and its manifests per step (from `## Manifests per step` on).
 */
export function readPlan(outdir: string, file: string): { text: string; summary: string; manifests: string } {
  const text = fs.readFileSync(path.join(outdir, file), 'utf-8');
  const at = text.indexOf('\n## Manifests per step\n');
  if (at < 0) throw new Error(`${file}: no "## Manifests per step" section`);
  return { text, summary: text.slice(0, at + 1), manifests: text.slice(at + 1) };
}

export interface MermaidResult {
  readonly ok: boolean;
  readonly type?: string;
  readonly error?: string;
}

/** Parses diagrams with the `mermaid` package (test/support/mermaid-parse.mjs), in one process. */
export function parseMermaid(diagrams: string[]): MermaidResult[] {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'mermaid-parse.mjs')], {
    input: JSON.stringify(diagrams),
    encoding: 'utf-8',
    cwd: path.join(__dirname, '..', '..'),
  });
  if (run.status !== 0) throw new Error(`mermaid-parse.mjs failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}
