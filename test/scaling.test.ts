/**
 * Programs the size of a platform monorepo give what small ones give: the structures that keep
 * them linear (StrictMtlsMigration's modes by namespace, the analyzer's index, the analyzer run
 * once per chart) decide nothing differently. No timing here: `npm run bench` measures
 * (bench/README.md).
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { CanaryRelease, CanaryVersion, MeshAnalyzer, MeshWarnings, MtlsMode, StrictMtlsMigration } from '../src';
import { meshOf, ofKind, one, validationTargetOf } from './support/fixtures';
import { expectValid, itValidates } from './support/validator';

const COUNT = 2000;
const names = Array.from({ length: COUNT }, (_, i) => `ns-${String(i).padStart(4, '0')}`);
/** STRICT in the middle stage: every third namespace; the last stage makes all STRICT but one. */
const strictEarly = (i: number) => i % 3 === 0;
const BACKWARDS = 'ns-0009';

function migration(provider: string) {
  const c = new Chart(Testing.app(), 'security', { namespace: 'monitoring' });
  const m = new StrictMtlsMigration(c, 'migration', {
    mesh: meshOf(provider),
    stages: [
      { name: 'permissive', namespaces: names.map(namespace => ({ namespace, mode: MtlsMode.PERMISSIVE })) },
      { name: 'some-strict', namespaces: names.map((namespace, i) => ({ namespace, mode: strictEarly(i) ? MtlsMode.STRICT : MtlsMode.PERMISSIVE })) },
      // in reverse order: a plan is read by namespace, whatever the order it lists them in
      { name: 'strict', namespaces: [...names].reverse().map(namespace => ({ namespace, mode: namespace === BACKWARDS ? MtlsMode.PERMISSIVE : MtlsMode.STRICT })) },
    ],
    currentStage: 1,
    plaintextAlert: {},
  });
  return { c, m, out: Testing.synth(c) };
}

describe(`StrictMtlsMigration over ${COUNT} namespaces`, () => {
  test('Istio: one PeerAuthentication per namespace in the stage\'s mode; the alert watches what the next stage makes STRICT', () => {
    const { out } = migration('istio');
    const modes = Object.fromEntries(ofKind(out, 'PeerAuthentication').map(pa => [pa.metadata.namespace, pa.spec.mtls.mode]));
    expect(modes).toEqual(Object.fromEntries(names.map((n, i) => [n, strictEarly(i) ? 'STRICT' : 'PERMISSIVE'])));
    const watched = names.filter((n, i) => !strictEarly(i) && n !== BACKWARDS);
    expect(one(out, 'PrometheusRule').spec.groups[0].rules[0].expr).toContain(`destination_workload_namespace=~"${watched.join('|')}"`);
  });

  test('Linkerd: each Namespace annotated with its inbound policy', () => {
    const { out } = migration('linkerd');
    const policies = Object.fromEntries(ofKind(out, 'Namespace').map(ns => [ns.metadata.name, ns.metadata.annotations['config.linkerd.io/default-inbound-policy']]));
    expect(policies).toEqual(Object.fromEntries(names.map((n, i) => [n, strictEarly(i) ? 'all-authenticated' : 'all-unauthenticated'])));
  });

  test('the one namespace that goes backwards, and only it, is warned about', () => {
    const { m } = migration('istio');
    expect(MeshWarnings.list(m).map(w => [w.id, w.message])).toEqual([
      [MeshWarnings.MTLS_PLAN_BACKWARDS, `the plan goes backwards: namespace '${BACKWARDS}' is STRICT in stage 'some-strict' but PERMISSIVE in stage 'strict'`],
      [MeshWarnings.MTLS_PLAN_NOT_STRICT, `the plan does not end STRICT: in its last stage 'strict', namespace '${BACKWARDS}' is PERMISSIVE; add a stage that makes them STRICT`],
    ]);
  });

  itValidates('every object is valid', () => {
    expectValid({ istio: migration('istio').out, linkerd: migration('linkerd').out },
      { istio: validationTargetOf('istio'), linkerd: validationTargetOf('linkerd') });
  });
});

describe('the analyzer on a large app', () => {
  const release = (chart: Chart, name: string) => new CanaryRelease(chart, name, {
    mesh: meshOf('istio'),
    serviceName: name,
    port: 8080,
    stable: CanaryVersion.deploy({ name: 'v1', image: `registry.example.com/${name}:1` }),
    canary: CanaryVersion.deploy({ name: 'v2', image: `registry.example.com/${name}:2` }),
  });

  test('one chart of 500 hosts: the host claimed twice, and only it, fails synthesis', () => {
    const c = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    for (let i = 0; i < 500; i++) release(c, `svc${i}`);
    new ApiObject(c, 'extra', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'svc321-extra' },
      spec: { hosts: ['svc321'], http: [{ route: [{ destination: { host: 'svc321', subset: 'v1' } }] }] },
    });
    expect(() => Testing.synth(c)).toThrow(/^Validation failed with the following errors:\n {2}\[shop\] IST0109 VirtualService shop\/svc321-extra: is the second VirtualService for mesh host 'svc321' \(the first is VirtualService shop\/svc321\)[^\n]*$/);
  });

  test('a chart per namespace: each chart is analyzed on its own objects, its findings recorded once, on its objects', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const charts = Array.from({ length: 40 }, (_, i) => new Chart(app, `ns${i}`, { namespace: `ns${i}` }));
    charts.forEach((c, i) => release(c, `svc${i}`));
    // a subset no workload of the host has: a warning (KIA0203) in that chart only
    new ApiObject(charts[17], 'stray', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'svc17-v3' },
      spec: { host: 'svc17-v3', subsets: [{ name: 'v3', labels: { app: 'svc17', version: 'v3' } }] },
    });
    app.synth();
    const found = charts.map(c => MeshAnalyzer.findings(c).map(f => `${f.rule} ${f.object}`));
    expect(found.filter(f => f.length > 0)).toEqual([['KIA0203 DestinationRule ns17/svc17-v3']]);
    expect(found[17]).toHaveLength(1);
  });
});
