/**
 * The library's work at synthesis costs per chart and per object, not per pair of them. Hosts
 * render and rollout plans are written in one validation per chart: cdk8s validates the whole app
 * again for every chart it writes, so a validation per host or release is called charts × hosts
 * times (bench/README.md). A host finds a Service it did not create in an index of its chart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Node } from 'constructs';
import { CircuitBreaker, RoutePolicy, ServiceHost } from '../src';
import { meshOf, twoVersionRelease } from './support/fixtures';
import { expectValid, itValidates } from './support/validator';

function service(chart: Chart, name: string): void {
  const mesh = meshOf('istio');
  const release = twoVersionRelease(chart, name, mesh, { currentStep: 1 });
  new CircuitBreaker(chart, `${name}-breaker`, { host: release, outlierDetection: { consecutive5xxErrors: 5 } });
  new RoutePolicy(chart, `${name}-policy`, { host: release, retries: { attempts: 2 } });
}

/** The validations the library registers while `build` runs. */
function validationsRegistered(build: () => void): number {
  const spy = jest.spyOn(Node.prototype, 'addValidation');
  try {
    build();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

const folderApp = () => new App({
  outdir: fs.mkdtempSync(path.join(Testing.app().outdir, 'folders-')),
  yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE,
});
const written = (outdir: string) => fs.readdirSync(outdir, { recursive: true }).map(String)
  .filter(f => f.endsWith('.k8s.yaml')).flatMap(f => Yaml.load(path.join(outdir, f)));

describe('synthesis work', () => {
  test('one validation per chart, whatever the number of hosts and releases in it', () => {
    const count = (services: number) => validationsRegistered(() => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      for (let i = 0; i < services; i++) service(chart, `svc${i}`);
    });
    expect(count(20)).toBe(count(2));
    // and the work still runs: every host rendered, every plan written
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    for (let i = 0; i < 3; i++) service(chart, `svc${i}`);
    const out = Testing.synth(chart);
    const routes = out.filter(o => o.kind === 'VirtualService');
    expect(routes.map(o => o.spec.http[0].route.map((r: any) => r.weight))).toEqual([[50, 50], [50, 50], [50, 50]]);
    expect(routes.map(o => o.spec.http[0].retries)).toEqual(Array(3).fill({ attempts: 2, retryOn: expect.any(String) }));
    expect(out.filter(o => o.kind === 'DestinationRule').map(o => o.spec.trafficPolicy.outlierDetection.consecutive5xxErrors)).toEqual([5, 5, 5]);
    expect(fs.readdirSync(path.join(app.outdir, 'rollout-plans')).sort()).toEqual(['shop-svc0.md', 'shop-svc1.md', 'shop-svc2.md']);
  });

  test('Services declared apart from their hosts are found with one walk of the chart, whatever the number of hosts', () => {
    // Linkerd's failure accrual annotates each host's Service; a search of the chart per host
    // made a chart of many hosts quadratic
    const synth = (hosts: number) => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const mesh = meshOf('linkerd');
      for (let i = 0; i < hosts; i++) {
        new kplus.Service(chart, `svc${i}`, { metadata: { name: `svc${i}` }, ports: [{ port: 8080 }] });
        const host = ServiceHost.fromAttributes({ mesh, serviceName: `svc${i}`, port: 8080 });
        new CircuitBreaker(chart, `svc${i}-breaker`, { host, outlierDetection: { consecutive5xxErrors: 5 } });
      }
      const walks: unknown[] = [];
      const findAll = Node.prototype.findAll;
      const spy = jest.spyOn(Node.prototype, 'findAll').mockImplementation(function (this: Node, ...args) {
        walks.push(this);
        return findAll.apply(this, args);
      });
      try {
        const out = Testing.synth(chart);
        return { out, chartWalks: walks.filter(n => n === chart.node).length };
      } finally {
        spy.mockRestore();
      }
    };
    const few = synth(3);
    const many = synth(30);
    expect(many.chartWalks).toBe(few.chartWalks);
    const annotated = many.out.filter(o => o.kind === 'Service' && o.metadata.annotations?.['balancer.linkerd.io/failure-accrual'] === 'consecutive');
    expect(annotated.map(o => o.metadata.name)).toEqual(Array.from({ length: 30 }, (_, i) => `svc${i}`));
  });

  describe('a folder per chart, a file per object (the analyzer runs at validation there)', () => {
    const app = folderApp;

    test('the objects are complete when written', () => {
      const a = app();
      service(new Chart(a, 'shop', { namespace: 'shop' }), 'cart');
      a.synth();
      const route = written(a.outdir).find(o => o.kind === 'VirtualService');
      expect(route.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1', 50], ['v2', 50]]);
    });

    test('the analyzer reads the rendered objects: a second VirtualService for a host fails synthesis', () => {
      const a = app();
      const chart = new Chart(a, 'shop', { namespace: 'shop' });
      service(chart, 'cart');
      new ApiObject(chart, 'extra', {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'cart-extra' },
        spec: { hosts: ['cart'], http: [{ route: [{ destination: { host: 'cart', subset: 'v1' } }] }] },
      });
      expect(() => a.synth()).toThrow(/\[shop\] IST0109 VirtualService shop\/cart-extra: is the second VirtualService for mesh host 'cart'/);
    });
  });
});

itValidates('what these programs write passes the upstream schemas', () => {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  for (let i = 0; i < 3; i++) service(chart, `svc${i}`);
  const a = folderApp();
  service(new Chart(a, 'shop', { namespace: 'shop' }), 'cart');
  a.synth();
  expectValid({ 'one-chart': Testing.synth(chart), 'folder-per-chart': written(a.outdir) });
});
