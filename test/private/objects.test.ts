import { execFileSync } from 'child_process';
import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CircuitBreaker, IstioDataPlaneMode, Mesh, MeshAuthorization, MeshProvider, MtlsMode, Peer,
  RoutePolicy, StrictMtlsMigration,
} from '../../src';
import { extend } from '../../src/private/objects';
import { meshOf, twoVersionRelease } from '../support/fixtures';

describe('extend', () => {
  test('gives what a spread gives: the base, then the fields, the base untouched', () => {
    const base = { name: 'split', matches: [], retries: { attempts: 3 } };
    const out = extend(base, { retries: undefined, timeout: 5 });
    expect(out).toEqual({ ...base, retries: undefined, timeout: 5 });
    expect(Object.keys(out)).toEqual(Object.keys({ ...base, retries: undefined, timeout: 5 }));
    expect(base).toEqual({ name: 'split', matches: [], retries: { attempts: 3 } });
    expect(out.matches).toBe(base.matches);
  });

  // Why it exists: V8 gives every object made by a spread followed by a new property a hidden
  // class of its own; objects of one shape made by `extend` share one. Checked in a node process
  // of its own with V8's %HaveSameMap, on the function as compiled here.
  test('objects of one shape share one hidden class (a spread with a new property does not)', () => {
    const script = `
      const extend = ${extend.toString()};
      const base = i => ({ name: 'v' + i, labels: { app: 'a' } });
      const count = make => {
        const out = [];
        for (let i = 0; i < 2000; i++) out.push(make(i));
        let same = 0;
        for (let i = 1; i < out.length; i++) if (%HaveSameMap(out[i], out[i - 1])) same++;
        return same;
      };
      console.log(JSON.stringify({
        extend: count(i => extend(base(i), { source: i })),
        spread: count(i => ({ ...base(i), source: i })),
      }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf-8' }));
    expect(result.extend).toBe(1999);
    // the behaviour extend works around (if V8 stops doing this, extend can go)
    expect(result.spread).toBeLessThan(1000);
  });
});

// constructs keeps a construct's children in an object keyed by id, and the first id of each adds
// a transition to the hidden class every `{}` starts from. V8 keeps about 1,536; past that, every
// object cdk8s serializes gets a class of its own and synthesis slows several times
// (bench/README.md). So a construct of the library never starts its children with an id that
// names something: the same program for other services and namespaces spends no more of them.
describe('first child ids repeat across instances', () => {
  function firstIds(provider: string): Map<string, Set<string>> {
    const app = new App();
    const mesh = provider === 'istio-ambient'
      ? Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) })
      : meshOf(provider);
    for (const ns of ['shop', 'payments', 'orders']) {
      const chart = new Chart(app, ns, { namespace: ns });
      for (const name of [`${ns}-a`, `${ns}-b`]) {
        const release = twoVersionRelease(chart, name, mesh, { rolloutPlan: { enabled: false } });
        new CircuitBreaker(chart, `${name}-breaker`, { host: release, outlierDetection: { consecutive5xxErrors: 5 } });
        new RoutePolicy(chart, `${name}-policy`, { host: release, timeout: Duration.seconds(3) });
        new MeshAuthorization(chart, `${name}-authz`, { mesh, workload: release.workloadSelector, allow: [{ from: [Peer.namespace(ns)] }] });
      }
      new StrictMtlsMigration(chart, 'mtls', {
        mesh,
        stages: [{ name: 'permissive', namespaces: [{ namespace: ns, mode: MtlsMode.PERMISSIVE }] }, { name: 'strict', namespaces: [{ namespace: ns, mode: MtlsMode.STRICT }] }],
        currentStage: 1,
      });
    }
    const ids = new Map<string, Set<string>>();
    for (const c of app.node.findAll()) {
      if (c instanceof Chart || c === app || c.constructor === Construct || c.node.children.length === 0) continue;
      const key = c.constructor.name;
      if (!ids.has(key)) ids.set(key, new Set());
      ids.get(key)!.add(c.node.children[0].node.id);
    }
    return ids;
  }

  test.each(['istio', 'istio-ambient', 'istio-gateway-api', 'linkerd', 'linkerd-policy'])('%s', provider => {
    const ids = firstIds(provider);
    expect(ids.get('StrictMtlsMigration')).toBeDefined();
    expect(ids.get('CanaryRelease')).toBeDefined();
    const varying = [...ids].filter(([, set]) => set.size > 1).map(([cls, set]) => `${cls}: ${[...set].join(', ')}`);
    expect(varying).toEqual([]);
  });
});
