/**
 * The rollout plan of a CanaryRelease with static steps: every step's routing objects and a
 * summary (Markdown table, Mermaid flowchart), written by the synthesis beside the manifests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryRelease, CanaryReleaseProps, CanaryVersion, HeaderMatch, HttpMethod, PathMatch, RequestMatch, RoutePolicy } from '../../src';
import { capsOf, PROVIDERS, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { codeBlocks, userDocs } from '../support/markdown';
import { defaultRouteWeights, mermaidBlocks, parseMermaid, parseStepManifests, parseTable, readPlan } from '../support/rollout-plan';
import { expectValid, itValidates, ValidationTarget } from '../support/validator';

const STEPS = [5, 25, 50, 100];

/** The seeds' `reviews` release with steps [5, 25, 50, 100] at step 1, and what the provider can add. */
function release(provider: string, overrides: Partial<CanaryReleaseProps> = {}) {
  const app = Testing.app();
  const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
  const r = new CanaryRelease(chart, 'reviews', reviewsCanary(provider, {
    steps: STEPS,
    currentStep: 1,
    mirrorPercent: capsOf(provider).mirror ? 20 : undefined,
    ...overrides,
  }));
  const synthesized = Testing.synth(chart);
  const plan = readPlan(app.outdir, r.rolloutPlan!.file);
  return { app, chart, release: r, synthesized, ...plan, table: parseTable(plan.summary), steps: parseStepManifests(plan.manifests) };
}

describe('the rollout plan', () => {
  test('is written by the synthesis beside the manifests: one file per release, <outdir>/rollout-plans/<chart>-<release>.md', () => {
    const p = release('istio');
    expect(p.release.rolloutPlan!.file).toBe('rollout-plans/bookinfo-reviews.md');
    expect(fs.readdirSync(path.join(p.app.outdir, 'rollout-plans')).sort()).toEqual(['bookinfo-reviews.md']);
    // what the file holds is what the plan renders: the summary, then the manifests of every step
    expect(p.text).toBe(p.release.rolloutPlan!.render());
    expect(p.summary).toMatch(/^# Rollout plan: reviews\n[\s\S]*\| Step \|[\s\S]*```mermaid\n[\s\S]*## Moving the release\n/);
    expect(p.summary).toContain('The manifests of every step follow the summary ([Manifests per step](#manifests-per-step)).');
    expect(p.manifests).toMatch(/^## Manifests per step\n/);
    expect(p.steps).toHaveLength(STEPS.length);
  });

  test('the table: weights per version, header routes, mirror and the gate of every step', () => {
    const p = release('istio', {
      canaryMatches: [RequestMatch.header('end-user', 'jason'), RequestMatch.of({ path: PathMatch.prefix('/beta'), method: HttpMethod.GET })],
    });
    expect(p.table.map(r => [r.step, r.current, r.weights])).toEqual([
      [0, false, { v1: 95, v2: 5 }],
      [1, true, { v1: 75, v2: 25 }],
      [2, false, { v1: 50, v2: 50 }],
      [3, false, { v1: 0, v2: 100 }],
    ]);
    expect(p.table[0].headerRoutes).toBe('`header end-user = jason`<br>or `method GET and path prefix /beta` → `v2`');
    expect(p.table.map(r => r.mirror)).toEqual([
      ...[0, 1, 2].map(() => '20 % of `v1`\'s requests copied to `v2`'),
      '—', // nothing goes to v1 at 100 %: nothing to copy, and the step's manifests have no mirror
    ]);
    expect(p.steps[3].find(m => m.kind === 'VirtualService').spec.http.every((h: any) => h.mirror === undefined)).toBe(true);
    expect(p.table.map(r => r.gate)).toEqual([
      'manual: a pull request sets currentStep: 1',
      'manual: a pull request sets currentStep: 2',
      'manual: a pull request sets currentStep: 3',
      'promote: a pull request makes v2 the stable version',
    ]);
    expect(p.summary).toContain('- Next step: `currentStep: 2` (50 % to `v2`).');
    expect(p.summary).toContain('- Roll back: `currentStep: 0` (5 % to `v2`); steps that start at 0 roll back to none.');
  });

  // The table is what a reviewer reads; the manifests are what the mesh would apply. They must agree
  // at every step, on every routing API: Istio subsets, Gateway API and Linkerd HTTPRoute backendRefs,
  // SMI TrafficSplit backends (per mille).
  test.each(Object.keys(PROVIDERS))('%s: the table\'s weights equal the rendered routes\' weights at every step', provider => {
    const p = release(provider);
    expect(p.steps).toHaveLength(STEPS.length);
    expect(p.table).toHaveLength(STEPS.length);
    p.table.forEach((row, i) => {
      expect(row.weights).toEqual({ v1: 100 - STEPS[i], v2: STEPS[i] });
      expect(defaultRouteWeights(p.steps[i], 'reviews')).toEqual(row.weights);
    });
    // matched requests go to the canary in every step's objects, as the table says
    if (capsOf(provider).requestMatches) {
      expect(p.table.every(r => r.headerRoutes === '`header end-user = jason` → `v2`')).toBe(true);
      for (const objects of p.steps) expect(JSON.stringify(objects)).toContain('jason');
    } else {
      expect(p.table.every(r => r.headerRoutes === '—')).toBe(true);
    }
  });

  test.each(Object.keys(PROVIDERS))('%s: the current step\'s manifests are the synthesized objects', provider => {
    const p = release(provider);
    const current = p.steps[1];
    expect(current.length).toBeGreaterThan(0);
    for (const object of current) {
      const same = p.synthesized.filter(o => o.kind === object.kind && o.apiVersion === object.apiVersion
        && o.metadata.name === object.metadata.name);
      expect(same).toEqual([object]);
    }
  });

  itValidates('every step\'s manifests pass the validator, on every provider configuration', () => {
    const sets: Record<string, any[]> = {};
    const targets: Record<string, ValidationTarget> = {};
    for (const provider of Object.keys(PROVIDERS)) {
      const p = release(provider);
      p.steps.forEach((objects, i) => {
        sets[`${provider}-step-${i}`] = objects;
        targets[`${provider}-step-${i}`] = validationTargetOf(provider);
      });
    }
    expect(Object.keys(sets)).toHaveLength(Object.keys(PROVIDERS).length * STEPS.length);
    expectValid(sets, targets);
  });

  test('policies that inherit the default route\'s backends follow each step\'s weights', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    const r = new CanaryRelease(chart, 'reviews', reviewsCanary('istio', { steps: STEPS }));
    new RoutePolicy(chart, 'get-review', {
      host: r,
      matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.regex('/reviews/[^/]*') })],
      timeout: Duration.seconds(5),
    });
    Testing.synth(chart);
    const steps = parseStepManifests(readPlan(app.outdir, r.rolloutPlan!.file).manifests);
    steps.forEach((objects, i) => {
      const vs = objects.find(o => o.kind === 'VirtualService');
      const policy = vs.spec.http.find((h: any) => h.name === 'get-review');
      expect(policy.timeout).toBe('5s');
      expect(policy.route.map((d: any) => d.weight)).toEqual([100 - STEPS[i], STEPS[i]]);
    });
  });

  test('the Mermaid flowchart is valid Mermaid (mermaid.parse), on every routing API and with hostile match values', () => {
    const diagrams = ['istio', 'gateway-api', 'linkerd', 'linkerd-smi'].map(p => mermaidBlocks(release(p).summary)).flat();
    const hostile = mermaidBlocks(release('istio', {
      canaryMatches: [
        RequestMatch.header('x-quote', 'say "hi" #1; <b>&amp;</b> `x` | end'),
        RequestMatch.of({ headers: [HeaderMatch.regex('cookie', '^(.*?;\\s*)?(beta=1)(;.*)?$')] }),
        RequestMatch.cookie('session', 'beta"end'),
      ],
    }).summary);
    expect(diagrams).toHaveLength(4);
    expect(hostile).toHaveLength(1);
    expect(hostile[0]).toContain('#quot;hi#quot;');

    // Negative controls: the same diagrams with a quote left unescaped, a label left open and a
    // subgraph left open must be refused, or the check proves nothing.
    const broken = [
      hostile[0].replace('#quot;hi#quot;', '"hi"'),
      diagrams[0].replace('"95 %"', '"95 %'),
      diagrams[0].replace('  end\n', '\n'),
    ];
    expect(new Set(broken).size).toBe(3);
    expect(broken).not.toContain(diagrams[0]);
    // and the diagrams the docs show (docs/rollout-plan.md)
    const docs = userDocs().flatMap(f => codeBlocks(f)).filter(b => b.lang === 'mermaid');
    expect(docs.length).toBeGreaterThan(0);
    const results = parseMermaid([...diagrams, ...hostile, ...broken, ...docs.map(b => b.code)]);
    expect(results.slice(0, 5)).toEqual(Array(5).fill({ ok: true, type: 'flowchart-v2' }));
    expect(results.slice(5, 8).map(r => r.ok)).toEqual([false, false, false]);
    expect(results.slice(8).map((r, i) => [docs[i].where, r.ok])).toEqual(docs.map(b => [b.where, true]));
  });

  // A dark launch (steps from 0: the canary deployed, reached by header routes and mirroring only)
  // is where a rollback goes.
  itValidates('a 0 % step renders, parses and validates on every routing API', () => {
    const sets: Record<string, any[]> = {};
    const targets: Record<string, ValidationTarget> = {};
    const diagrams: string[] = [];
    for (const provider of ['istio', 'istio-gateway-api', 'gateway-api', 'linkerd', 'linkerd-policy', 'linkerd-smi']) {
      const p = release(provider, { steps: [0, 10, 100], currentStep: 0 });
      expect(p.table.map(r => r.weights)).toEqual([{ v1: 100, v2: 0 }, { v1: 90, v2: 10 }, { v1: 0, v2: 100 }]);
      p.steps.forEach((objects, i) => expect(defaultRouteWeights(objects, 'reviews')).toEqual(p.table[i].weights));
      expect(p.table[0].mirror).toBe(capsOf(provider).mirror ? '20 % of `v1`\'s requests copied to `v2`' : '—');
      expect(p.summary).toContain(`- Roll back: \`currentStep: 0\` (no weighted traffic to \`v2\`${capsOf(provider).requestMatches ? '; header routes still reach it' : ''}).`);
      sets[`${provider}-dark`] = p.steps[0];
      targets[`${provider}-dark`] = validationTargetOf(provider);
      diagrams.push(...mermaidBlocks(p.summary));
    }
    expectValid(sets, targets);
    expect(parseMermaid(diagrams).every(d => d.ok)).toBe(true);
  });

  // The pod templates carry cdk8s-plus's construct-address label, which follows the role (the
  // workloads' construct ids are Stable and Canary): the swap rolls both Deployments once. Nothing
  // else of the workloads changes, and the selectors (immutable) not at all.
  test('promotion (stable and canary swapped) changes the routing only: no workload changes, so no pod restarts', () => {
    const synth = (stable: string, canary: string, currentStep: number) => {
      const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
      const v = (name: string) => CanaryVersion.deploy({ name, image: `docker.io/istio/examples-bookinfo-reviews-${name}:1.20.3` });
      new CanaryRelease(chart, 'reviews', { ...reviewsCanary('istio'), steps: [0, 10, 25, 50, 100], stable: v(stable), canary: v(canary), currentStep });
      return Testing.synth(chart);
    };
    // docs/canary-release.md: steps from 0, at the last step; then swapped, back at step 0
    const before = synth('v1', 'v2', 4);
    const after = synth('v2', 'v1', 0);
    const workloads = (out: any[]) => out.filter(o => ['Deployment', 'Service', 'ServiceAccount'].includes(o.kind))
      .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    expect(workloads(after)).toEqual(workloads(before));
    const addr = (out: any[], name: string) => out.find(o => o.kind === 'Deployment' && o.metadata.name === name).spec.template.metadata.labels['cdk8s.io/metadata.addr'];
    // no pod label follows the construct's address (it moves from Canary to Stable here)
    expect(addr(after, 'reviews-v2')).toBeUndefined();
    const split = (out: any[]) => out.find(o => o.kind === 'VirtualService').spec.http.find((h: any) => h.name === 'canary-split').route;
    expect(split(before).map((d: any) => [d.destination.subset, d.weight])).toEqual([['v1', 0], ['v2', 100]]);
    expect(split(after).map((d: any) => [d.destination.subset, d.weight])).toEqual([['v2', 100], ['v1', 0]]);
  });

  test('deterministic: the same program writes byte-identical plans', () => {
    const files = () => {
      const p = release('istio', { canaryMatches: [RequestMatch.header('end-user', 'jason')] });
      // synthesizing the app again rewrites the same bytes
      p.app.synth();
      return readPlan(p.app.outdir, p.release.rolloutPlan!.file);
    };
    expect(files()).toEqual(files());
  });

  test('written by app.synth() into the app\'s outdir (CDK8S_OUTDIR, as cdk8s synth sets it)', () => {
    const outdir = fs.mkdtempSync(path.join(Testing.app().outdir, 'synth-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new CanaryRelease(chart, 'reviews', reviewsCanary('gateway-api'));
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['rollout-plans', 'shop.k8s.yaml']);
    expect(fs.readdirSync(path.join(outdir, 'rollout-plans')).sort()).toEqual(['shop-reviews.md']);
  });

  test('rolloutPlan.directory places the files; rolloutPlan.enabled: false writes none', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    const placed = new CanaryRelease(chart, 'reviews', { ...reviewsCanary('istio'), rolloutPlan: { directory: 'plans/bookinfo' } });
    const off = new CanaryRelease(chart, 'ratings', {
      ...reviewsCanary('istio'),
      serviceName: 'ratings',
      rolloutPlan: { enabled: false },
      stable: reviewsCanary('istio').stable,
      canary: reviewsCanary('istio').canary,
    });
    Testing.synth(chart);
    expect(placed.rolloutPlan!.file).toBe('plans/bookinfo/bookinfo-reviews.md');
    expect(fs.readdirSync(path.join(app.outdir, 'plans', 'bookinfo')).sort()).toEqual(['bookinfo-reviews.md']);
    expect(off.rolloutPlan).toBeUndefined();
    expect(fs.existsSync(path.join(app.outdir, 'rollout-plans'))).toBe(false);
  });

  test('a chart per namespace: the files are written once, and each later validation pass looks up the plan directory once', () => {
    // cdk8s validates the whole app again for every chart it writes; a lookup per plan file per pass
    // was quadratic in the charts (bench/README.md)
    const outdir = fs.mkdtempSync(path.join(Testing.app().outdir, 'per-ns-'));
    const app = new App({ outdir });
    const charts = 12;
    for (let i = 0; i < charts; i++) {
      const chart = new Chart(app, `ns${i}`, { namespace: `ns${i}` });
      for (const name of ['reviews', 'ratings']) {
        new CanaryRelease(chart, name, { ...reviewsCanary('istio'), serviceName: name });
      }
    }
    // the module object itself (the namespace import is a read-only view of it)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs = require('fs') as typeof fs;
    const exists = jest.spyOn(nodeFs, 'existsSync');
    const writes = jest.spyOn(nodeFs, 'writeFileSync');
    try {
      app.synth();
      const planLookups = exists.mock.calls.filter(([p]) => String(p).includes('rollout-plans')).length;
      const planWrites = writes.mock.calls.filter(([p]) => String(p).includes('rollout-plans')).length;
      expect(planWrites).toBe(charts * 2);
      // one directory lookup per pass (the directory is new: no file is read back first)
      expect(planLookups).toBeLessThanOrEqual(charts + 2);
      // removing the plans between two synths of the same app writes them again
      fs.rmSync(path.join(outdir, 'rollout-plans'), { recursive: true });
      app.synth();
      expect(fs.readdirSync(path.join(outdir, 'rollout-plans'))).toHaveLength(charts * 2);
    } finally {
      exists.mockRestore();
      writes.mockRestore();
    }
  });

  test('a nested release is named by its path in the chart', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
    const r = new CanaryRelease(new Construct(chart, 'Team_A'), 'reviews', reviewsCanary('istio'));
    expect(r.rolloutPlan!.file).toBe('rollout-plans/bookinfo-team-a-reviews.md');
  });

  test('two releases whose plans would be one file are an error naming both', () => {
    const app = Testing.app();
    new CanaryRelease(new Chart(app, 'a-b', { namespace: 'x' }), 'reviews', reviewsCanary('istio'));
    const other = new Construct(new Chart(app, 'a', { namespace: 'y' }), 'b');
    expect(() => new CanaryRelease(other, 'reviews', reviewsCanary('istio')))
      .toThrow(/a\/b\/reviews: its rollout plan 'rollout-plans\/a-b-reviews.md' is also the plan of a-b\/reviews; give one release another id, or its plan another directory/);
  });

  test('rejects a directory that is not relative, and options of the wrong type', () => {
    const c = () => new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
    expect(() => new CanaryRelease(c(), 'reviews', { ...reviewsCanary('istio'), rolloutPlan: { directory: '/tmp/plans' } }))
      .toThrow(/bookinfo\/reviews: 'rolloutPlan.directory' \("\/tmp\/plans"\) must be a directory relative to the app's output directory/);
    expect(() => new CanaryRelease(c(), 'reviews', { ...reviewsCanary('istio'), rolloutPlan: { directory: '' } }))
      .toThrow(/'rolloutPlan.directory' \(""\) must be a directory relative to the app's output directory/);
    expect(() => new CanaryRelease(c(), 'reviews', { ...reviewsCanary('istio'), rolloutPlan: { enabled: 'yes' as any } }))
      .toThrow(/'rolloutPlan.enabled' \("yes"\) must be/);
  });
});
