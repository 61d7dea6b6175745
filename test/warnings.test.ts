import { App, Chart, Testing } from 'cdk8s';
import { HttpRetryOn, Mesh, MeshProvider, MeshWarnings, RoutePolicy, ServiceHost } from '../src';
import { printedWarnings } from './support/warnings';
import { WARNING_METADATA } from '../src/private/warnings';

const risky = (scope: Chart, id: string) => new RoutePolicy(scope, id, {
  host: ServiceHost.fromAttributes({ mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }), serviceName: id, port: 80 }),
  retries: { retryOn: [HttpRetryOn.SERVER_ERROR] },
});

beforeEach(() => printedWarnings(true));

test('a warning is construct metadata with an id, and one printed line, once, without a stack', () => {
  const chart = Testing.chart();
  const policy = risky(chart, 'orders');
  expect(policy.node.metadata.filter(m => m.type === WARNING_METADATA).map(m => m.data)).toEqual([
    { id: MeshWarnings.NON_IDEMPOTENT_RETRIES, path: 'test/orders', message: expect.stringContaining('retries on 5xx may repeat') },
  ]);
  expect(printedWarnings()).toEqual([]); // printed when the app synthesizes, not before
  Testing.synth(chart);
  Testing.synth(chart);
  const lines = printedWarnings();
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^\[WARNING\] test\/orders: retries on 5xx may repeat .* \[cdk8s-mesh:non-idempotent-retries\]$/);
  expect(lines[0]).not.toContain('\n');
});

test('acknowledged on the construct, after it was created, or on a scope: not listed and not printed', () => {
  const app = Testing.app();
  const a = new Chart(app, 'a');
  const b = new Chart(app, 'b');
  const c = new Chart(app, 'c');
  MeshWarnings.acknowledge(b, MeshWarnings.NON_IDEMPOTENT_RETRIES, 'the orders API is idempotent by request id');
  const onA = risky(a, 'orders');
  risky(b, 'payments');
  risky(c, 'stock');
  MeshWarnings.acknowledge(onA, MeshWarnings.NON_IDEMPOTENT_RETRIES);
  MeshWarnings.acknowledge(c, MeshWarnings.MTLS_PLAN_BACKWARDS); // another id: no effect
  expect(MeshWarnings.list(app).map(w => w.path)).toEqual(['c/stock']);
  app.synth();
  expect(printedWarnings()).toEqual([expect.stringMatching(/^\[WARNING\] c\/stock: /)]);
});

test('App.synth() prints the same line; nothing is written through console', () => {
  const spies = (['log', 'warn', 'error', 'info'] as const).map(m => jest.spyOn(console, m));
  try {
    const app = new App({ outdir: Testing.app().outdir });
    risky(new Chart(app, 'shop'), 'orders');
    app.synth();
    expect(printedWarnings()).toEqual([expect.stringMatching(/^\[WARNING\] shop\/orders: /)]);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  } finally {
    spies.forEach(s => s.mockRestore());
  }
});

test('the library warns about none of its defaults', () => {
  const chart = Testing.chart();
  new RoutePolicy(chart, 'p', {
    host: ServiceHost.fromAttributes({ mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }), serviceName: 'p', port: 80 }),
    retries: {},
  });
  Testing.synth(chart);
  expect(MeshWarnings.list(chart)).toEqual([]);
  expect(printedWarnings()).toEqual([]);
});
