/**
 * examples/bookinfo writes the rollout plan of its `reviews` release, one per chart (routing API),
 * under `cdk8s synth` (the CLI, as a user runs it) and under `app.synth()` in this process, byte
 * for byte the same; its tables agree with its manifests, its diagrams are valid Mermaid and every
 * step's objects pass the validator.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { PROVIDERS, validationTargetOf } from '../support/fixtures';
import { ROOT } from '../support/markdown';
import { defaultRouteWeights, mermaidBlocks, parseMermaid, parseStepManifests, parseTable, readPlan } from '../support/rollout-plan';
import { expectValid, itValidates, ValidationTarget } from '../support/validator';

const EXAMPLE = path.join(ROOT, 'examples', 'bookinfo');
const CHARTS = ['istio', 'istio-gateway-api', 'gateway-api', 'linkerd', 'linkerd-2-15', 'linkerd-policy', 'linkerd-smi'];

/** Every file under `dir`, by relative path, with its bytes. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).forEach(e => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p); else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf-8');
  });
  walk(dir);
  return out;
}

/** Runs examples/bookinfo/main.ts in this process ('cdk8s-mesh' is src/), with CDK8S_OUTDIR = `outdir`. */
function synthInProcess(outdir: string): void {
  const js = ts.transpileModule(fs.readFileSync(path.join(EXAMPLE, 'main.ts'), 'utf-8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const before = process.env.CDK8S_OUTDIR;
  process.env.CDK8S_OUTDIR = outdir;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const req = (id: string) => (id === 'cdk8s-mesh' ? require('../../src') : require(id));
    const module = { exports: {} };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', js)(req, module, module.exports);
  } finally {
    if (before === undefined) delete process.env.CDK8S_OUTDIR; else process.env.CDK8S_OUTDIR = before;
  }
}

let cliOut: string;
let cliListing: string;
let inProcessOut: string;

beforeAll(() => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bookinfo-plan-'));
  cliOut = path.join(tmp, 'cli');
  inProcessOut = path.join(tmp, 'in-process');
  const run = spawnSync('npx', ['--no-install', 'cdk8s', 'synth', '--output', cliOut], {
    cwd: EXAMPLE, encoding: 'utf-8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  if (run.status !== 0) throw new Error(`cdk8s synth failed:\n${run.stdout}\n${run.stderr}`);
  cliListing = run.stdout;
  fs.mkdirSync(inProcessOut);
  synthInProcess(inProcessOut);
}, 180_000);

test('cdk8s synth writes a plan per chart beside the manifests, and lists only the manifests', () => {
  const files = Object.keys(tree(cliOut));
  expect(files.filter(f => f.startsWith('rollout-plans/'))).toEqual(CHARTS.flatMap(c => [
    `rollout-plans/bookinfo-${c}-reviews.md`,
  ]).sort());
  // the CLI (and so its validation plugins) sees the charts' manifests, not the plans
  expect(cliListing).toMatch(/bookinfo-istio\.k8s\.yaml/);
  expect(cliListing).not.toMatch(/rollout-plans/);
});

test('deterministic: cdk8s synth (its own process) and app.synth() (this one) write the same bytes', () => {
  const a = tree(cliOut);
  const b = tree(inProcessOut);
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const f of Object.keys(a)) expect(`${f}\n${b[f]}`).toEqual(`${f}\n${a[f]}`);
});

test.each(CHARTS)('bookinfo-%s: the table\'s weights equal each step\'s rendered routes', chart => {
  const plan = readPlan(cliOut, `rollout-plans/bookinfo-${chart}-reviews.md`);
  const table = parseTable(plan.summary);
  const steps = parseStepManifests(plan.manifests);
  expect(table.map(r => r.weights)).toEqual([10, 25, 50, 100].map(w => ({ v1: 100 - w, v2: w })));
  expect(table.map(r => r.current)).toEqual([true, false, false, false]);
  expect(steps).toHaveLength(4);
  steps.forEach((objects, i) => expect(defaultRouteWeights(objects, 'reviews')).toEqual(table[i].weights));
});

test('the diagrams are valid Mermaid', () => {
  const diagrams = CHARTS.flatMap(c => mermaidBlocks(fs.readFileSync(path.join(cliOut, `rollout-plans/bookinfo-${c}-reviews.md`), 'utf-8')));
  expect(diagrams).toHaveLength(CHARTS.length);
  expect(parseMermaid(diagrams)).toEqual(CHARTS.map(() => ({ ok: true, type: 'flowchart-v2' })));
});

itValidates('every step\'s manifests pass the validator at the versions the chart targets', () => {
  const sets: Record<string, any[]> = {};
  const targets: Record<string, ValidationTarget> = {};
  for (const chart of CHARTS) {
    expect(PROVIDERS[chart]).toBeDefined(); // the chart is named after the provider configuration it uses
    const steps = parseStepManifests(readPlan(cliOut, `rollout-plans/bookinfo-${chart}-reviews.md`).manifests);
    steps.forEach((objects, i) => {
      sets[`bookinfo-${chart}-step-${i}`] = objects;
      targets[`bookinfo-${chart}-step-${i}`] = validationTargetOf(chart);
    });
  }
  expectValid(sets, targets);
});
