/**
 * Issue 15: TrafficRoutes writes the seeds' routing manifests in a few typed lines, on Istio field
 * by field; the same programs give their objects or the documented capability error on Linkerd
 * and Gateway API.
 */
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { reviewsVersions, SEED_PROGRAMS } from './seed-programs';
import {
  CanaryRelease, CanaryVersion, HeaderMatch, HttpMethod, PathMatch, QueryParamMatch, RequestMatch, RouteDestination, TrafficRoutes,
  TrafficRoutesProps,
} from '../../src';
import { evaluate, TestRequest } from '../support/evaluator';
import { chart, meshOf, ofKind, one, PROVIDERS, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const subsets = (names: string[]) => names.map(v => ({ name: v, labels: { app: 'reviews', version: v } }));
const dest = (subset: string, weight?: number) => ({ destination: { host: 'reviews', subset }, ...(weight !== undefined ? { weight } : {}) });

function synthSeed(seed: string, provider: string): any[] {
  const c = chart('bookinfo');
  SEED_PROGRAMS[seed](c, provider);
  return Testing.synth(c);
}

describe('the seeds on Istio, field by field', () => {
  // The seeds' subsets select `version: vN` only; ours also carry `app: reviews`, the label the
  // versions share and the Service selects (a subset is an intersection with the Service's pods,
  // so the two select the same pods).
  test('seed 001 canary-deployment.yaml: tester to v3, v1 90 / v2 10, three subsets', () => {
    const out = synthSeed('canary-three-versions', 'istio');
    expect(one(out, 'VirtualService').spec).toEqual({
      hosts: ['reviews'],
      http: [
        { name: 'rule-1', match: [{ headers: { user: { exact: 'tester' } } }], route: [dest('v3')] },
        { name: 'default', route: [dest('v1', 90), dest('v2', 10)] },
      ],
    });
    expect(one(out, 'DestinationRule').spec).toEqual({ host: 'reviews', subsets: subsets(['v1', 'v2', 'v3']) });
    // the versions exist elsewhere: only the Service that selects them all is created
    expect(out.map(o => o.kind).sort()).toEqual(['DestinationRule', 'Service', 'VirtualService']);
    expect(one(out, 'Service').spec.selector).toEqual({ app: 'reviews' });
  });

  test('seed 001 advanced-routing.yaml: user agent, URI, query parameter, then v1 with retries and a timeout', () => {
    const http = one(synthSeed('advanced-routing', 'istio'), 'VirtualService').spec.http;
    expect(http).toEqual([
      { name: 'rule-1', match: [{ headers: { 'user-agent': { regex: '.*Mobile.*' } } }], route: [dest('v2')] },
      // `/api/v2` matches whole segments on every provider (Gateway API's PathPrefix): Istio's own
      // string prefix would also match `/api/v2x`, so it is written as exact + `/api/v2/`.
      { name: 'rule-2', match: [{ uri: { exact: '/api/v2' } }, { uri: { prefix: '/api/v2/' } }], route: [dest('v3')] },
      { name: 'rule-3', match: [{ queryParams: { version: { exact: 'v3' } } }], route: [dest('v3')] },
      // the retries and timeout apply to the default route alone, as in the seed
      {
        name: 'default',
        route: [dest('v1')],
        retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,reset,connect-failure' },
        timeout: '10s',
      },
    ]);
  });

  test('seed 002 reviews-mirror: every request to v1, a copy to v2 (mirrorPercentage 100)', () => {
    const out = synthSeed('dark-launch', 'istio');
    expect(one(out, 'VirtualService').spec.http).toEqual([
      { name: 'default', route: [dest('v1')], mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 100 } },
    ]);
    expect(one(out, 'DestinationRule').spec.subsets).toEqual(subsets(['v1', 'v2']));
  });

  test('seed 001 fault-injection.yaml: a 500ms delay for 10 %, a 503 for 5 %, every route to v1 only', () => {
    expect(one(synthSeed('fault-injection', 'istio'), 'VirtualService').spec.http).toEqual([
      { name: 'rule-1', match: [{ headers: { 'test-delay': { exact: 'true' } } }], route: [dest('v1')], fault: { delay: { percentage: { value: 10 }, fixedDelay: '500ms' } } },
      { name: 'rule-2', match: [{ headers: { 'test-error': { exact: 'true' } } }], route: [dest('v1')], fault: { abort: { percentage: { value: 5 }, httpStatus: 503 } } },
      { name: 'default', route: [dest('v1')] },
    ]);
  });

  test('seed 001 dark-launch.yaml (pattern 2): opted-in requests to v2 with a copy to v1, the rest to v1', () => {
    const c = chart('bookinfo');
    new TrafficRoutes(c, 'myservice', {
      mesh: meshOf('istio'),
      serviceName: 'myservice',
      port: 8080,
      versions: ['v1', 'v2'].map(v => CanaryVersion.fromLabels(v, { app: 'myservice', version: v })),
      rules: [{ matches: [RequestMatch.header('x-dark-launch', 'true')], destination: RouteDestination.version('v2'), mirror: { version: 'v1' } }],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
    expect(one(Testing.synth(c), 'VirtualService').spec.http).toEqual([
      {
        name: 'rule-1',
        match: [{ headers: { 'x-dark-launch': { exact: 'true' } } }],
        route: [{ destination: { host: 'myservice', subset: 'v2' } }],
        mirror: { host: 'myservice', subset: 'v1' },
        mirrorPercentage: { value: 100 },
      },
      { name: 'default', route: [{ destination: { host: 'myservice', subset: 'v1' } }] },
    ]);
  });

  test('seed 001 progressive-rollout.yaml (pattern 1) is a CanaryRelease: internal users to v2, the rest v1 95 / v2 5', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'myservice', {
      mesh: meshOf('istio'),
      serviceName: 'myservice',
      port: 8080,
      stable: CanaryVersion.fromLabels('v1', { app: 'myservice', version: 'v1' }),
      canary: CanaryVersion.fromLabels('v2', { app: 'myservice', version: 'v2' }),
      steps: [5, 50, 100],
      canaryMatches: [RequestMatch.header('x-user-group', 'internal')],
    });
    const my = (subset: string, weight?: number) => ({ destination: { host: 'myservice', subset }, ...(weight !== undefined ? { weight } : {}) });
    expect(one(Testing.synth(c), 'VirtualService').spec.http).toEqual([
      { name: 'canary-match', match: [{ headers: { 'x-user-group': { exact: 'internal' } } }], route: [my('v2')] },
      { name: 'canary-split', route: [my('v1', 95), my('v2', 5)] },
    ]);
  });
});

/** What each seed program gives on each provider configuration: its routing kind, or the capability error. */
const OUTCOMES: Record<string, Record<string, string | RegExp>> = {
  'canary-three-versions': {
    istio: 'VirtualService',
    gamma: 'HTTPRoute',
    linkerd: 'HTTPRoute',
    smi: /cannot express header matches through SMI/,
  },
  'advanced-routing': {
    istio: 'VirtualService',
    // the standard channel has no retries; the experimental one and Linkerd retry on statuses only
    gamma: /cannot express (retries; the standard channel|retrying on reset, connect-failure|retries)/,
    linkerd: /cannot express (retrying on reset, connect-failure|retries on an HTTPRoute before Linkerd 2.16)/,
    smi: /cannot express header matches through SMI/,
  },
  'dark-launch': { istio: 'VirtualService', gamma: 'HTTPRoute', linkerd: /cannot express mirroring requests; Linkerd has no request mirroring/, smi: /cannot express mirroring requests/ },
  'fault-injection': {
    istio: 'VirtualService',
    gamma: /cannot express fault injection; HTTPRoute has no fault injection/,
    linkerd: /cannot express fault injection; Linkerd has no fault injection/,
    smi: /cannot express header matches through SMI/,
  },
};

function family(provider: string): string {
  if (provider.startsWith('linkerd-smi')) return 'smi';
  if (provider.startsWith('linkerd')) return 'linkerd';
  if (provider.startsWith('istio') && !provider.includes('gateway-api')) return 'istio';
  return 'gamma';
}

describe('the same programs on every provider configuration', () => {
  const produced: Record<string, any[]> = {};
  for (const [seed, expected] of Object.entries(OUTCOMES)) {
    for (const provider of Object.keys(PROVIDERS)) {
      const want = expected[family(provider)];
      test(`${seed} on ${provider}: ${want instanceof RegExp ? 'capability error' : want}`, () => {
        if (want instanceof RegExp) {
          expect(() => synthSeed(seed, provider)).toThrow(want);
          // one line per problem, each naming the construct and the provider
          try { synthSeed(seed, provider); } catch (e) {
            for (const line of (e as Error).message.split('\n')) expect(line).toMatch(/^test\/reviews: .+ cannot express .+; .+/);
          }
          return;
        }
        const out = synthSeed(seed, provider);
        expect(ofKind(out, want)).toHaveLength(1);
        // no fault, retries or mirror silently dropped: what the provider cannot say is an error above
        produced[`${seed}-${provider}`] = out;
      });
    }
  }

  itValidates('every object produced passes the validator at the versions each configuration targets', () => {
    const targets = Object.fromEntries(Object.keys(produced).map(k => [k, validationTargetOf(Object.keys(PROVIDERS).find(p => k.endsWith(`-${p}`) && k === `${k.slice(0, k.length - p.length - 1)}-${p}`)!)]));
    expect(Object.keys(produced).length).toBeGreaterThan(20);
    expectValid(produced, targets);
  });
});

describe('first match wins on every provider', () => {
  // advanced routing without the retries Gateway API cannot express: the same requests reach the
  // same versions on Istio (ordered), Gateway API and Linkerd (ordered by specificity, rendered so
  // the declared order holds).
  const requests: Record<string, TestRequest> = {
    'mobile /api/v2/x': { method: 'GET', path: '/api/v2/x', headers: { 'user-agent': 'Mozilla Mobile Safari' } },
    'desktop /api/v2/x': { method: 'GET', path: '/api/v2/x', headers: { 'user-agent': 'Mozilla' } },
    'desktop /api/v2x': { method: 'GET', path: '/api/v2x' },
    'desktop /?version=v3': { method: 'GET', path: '/', query: { version: 'v3' } },
    'mobile /?version=v3': { method: 'GET', path: '/', headers: { 'user-agent': 'x Mobile' }, query: { version: 'v3' } },
    'desktop /': { method: 'GET', path: '/' },
  };
  const expected: Record<string, string[]> = {
    'mobile /api/v2/x': ['v2:100'],
    'desktop /api/v2/x': ['v3:100'],
    'desktop /api/v2x': ['v1:100'],
    'desktop /?version=v3': ['v3:100'],
    'mobile /?version=v3': ['v2:100'],
    'desktop /': ['v1:100'],
  };
  for (const provider of ['istio', 'istio-gateway-api', 'gateway-api', 'linkerd', 'linkerd-policy']) {
    test(provider, () => {
      const c = chart('bookinfo');
      new TrafficRoutes(c, 'reviews', {
        mesh: meshOf(provider),
        serviceName: 'reviews',
        port: 9080,
        versions: reviewsVersions(),
        rules: [
          { matches: [RequestMatch.of({ headers: [HeaderMatch.regex('user-agent', '.*Mobile.*')] })], destination: RouteDestination.version('v2') },
          { matches: [RequestMatch.of({ path: PathMatch.prefix('/api/v2') })], destination: RouteDestination.version('v3') },
          { matches: [RequestMatch.of({ queryParams: [QueryParamMatch.exact('version', 'v3')] })], destination: RouteDestination.version('v3') },
        ],
        defaultRoute: { destination: RouteDestination.version('v1') },
      });
      const out = Testing.synth(c);
      for (const [name, r] of Object.entries(requests)) {
        expect([name, evaluate(out, 'reviews', r)?.backends]).toEqual([name, expected[name]]);
      }
    });
  }
});

describe('TrafficRoutes features', () => {
  test('deployed versions: one Deployment each, one ServiceAccount, the Service selects what they share', () => {
    const c = chart('shop');
    const routes = new TrafficRoutes(c, 'cart', {
      mesh: meshOf('istio'),
      serviceName: 'cart',
      port: 8080,
      versions: ['v1', 'v2', 'v3'].map(v => CanaryVersion.deploy({ name: v, image: `registry.example.com/cart:${v}` })),
      defaultRoute: { destination: RouteDestination.weighted([{ version: 'v1', weight: 80 }, { version: 'v2', weight: 20 }, { version: 'v3', weight: 0 }]) },
    });
    const out = Testing.synth(c);
    expect(ofKind(out, 'Deployment').map(d => d.metadata.name)).toEqual(['cart-v1', 'cart-v2', 'cart-v3']);
    expect(ofKind(out, 'ServiceAccount')).toHaveLength(1);
    expect(routes.workload('v2')).toBeDefined();
    expect(routes.workload('v9')).toBeUndefined();
    expect(routes.identity).toBeDefined();
    // a version at 0 stays in the split: the next step is a change of numbers only
    expect(one(out, 'VirtualService').spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1', 80], ['v2', 20], ['v3', 0]]);
  });

  test('existing Deployments (cdk8s-plus) and label selectors can be mixed', () => {
    const c = chart('shop');
    const v1 = new kplus.Deployment(c, 'cart-v1', { containers: [{ image: 'cart:1', portNumber: 8080 }], select: false });
    v1.select(kplus.LabelSelector.of({ labels: { app: 'cart', version: 'v1' } }));
    new TrafficRoutes(c, 'cart', {
      mesh: meshOf('gateway-api'),
      serviceName: 'cart',
      port: 8080,
      versions: [CanaryVersion.fromDeployment('v1', v1), CanaryVersion.fromLabels('v2', { app: 'cart', version: 'v2' })],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
    const out = Testing.synth(c);
    expect(ofKind(out, 'Service').map(s => s.metadata.name).sort()).toEqual(['cart', 'cart-v1', 'cart-v2']);
    expect(one(out, 'HTTPRoute').spec.rules).toEqual([{ name: 'default', backendRefs: [{ name: 'cart-v1', port: 8080 }] }]);
  });

  const headersProgram = (provider: string) => {
    const c = chart('bookinfo');
    new TrafficRoutes(c, 'reviews', {
      mesh: meshOf(provider),
      serviceName: 'reviews',
      port: 9080,
      versions: reviewsVersions(['v1', 'v2']),
      rules: [{
        matches: [RequestMatch.cookie('beta', 'yes')],
        destination: RouteDestination.version('v2'),
        requestHeaders: { set: { 'x-release': 'v2' }, remove: ['x-debug'] },
        responseHeaders: { add: { 'x-served-by': 'reviews-v2' } },
      }],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
    return Testing.synth(c);
  };

  test('header changes: Istio `headers`', () => {
    const rule = one(headersProgram('istio'), 'VirtualService').spec.http[0];
    expect(rule.headers).toEqual({ request: { set: { 'x-release': 'v2' }, remove: ['x-debug'] }, response: { add: { 'x-served-by': 'reviews-v2' } } });
  });

  for (const provider of ['gateway-api', 'linkerd']) {
    test(`header changes: HTTPRoute header filters (${provider})`, () => {
      const rule = one(headersProgram(provider), 'HTTPRoute').spec.rules.find((r: any) => r.matches);
      expect(rule.filters).toEqual([
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-release', value: 'v2' }], remove: ['x-debug'] } },
        { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-served-by', value: 'reviews-v2' }] } },
      ]);
    });
  }

  test('header changes through SMI are a capability error', () => {
    expect(() => headersProgram('linkerd-smi')).toThrow(/cannot express header changes through SMI/);
  });

  test('Linkerd\'s own HTTPRoute changes request headers only (its CRD has no ResponseHeaderModifier)', () => {
    expect(() => headersProgram('linkerd-policy')).toThrow(/cannot express response header changes on a policy.linkerd.io HTTPRoute; use LinkerdRoutingApi.GATEWAY_API/);
  });

  itValidates('header-change programs pass the validator', () => {
    const providers = ['istio', 'gateway-api', 'linkerd'];
    expectValid(Object.fromEntries(providers.map(p => [p, headersProgram(p)])), Object.fromEntries(providers.map(p => [p, validationTargetOf(p)])));
  });

  test('a CanaryRelease may start at 0 %: a dark launch with mirroring, then the steps', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { steps: [0, 10, 100], currentStep: 0, mirrorPercent: 50, canaryMatches: undefined }));
    const http = one(Testing.synth(c), 'VirtualService').spec.http;
    expect(http).toEqual([{ name: 'canary-split', route: [dest('v1', 100), dest('v2', 0)], mirror: { host: 'reviews', subset: 'v2' }, mirrorPercentage: { value: 50 } }]);
  });

  test('a rule by method and path, weighted across three versions', () => {
    const c = chart('bookinfo');
    new TrafficRoutes(c, 'reviews', {
      mesh: meshOf('istio'),
      serviceName: 'reviews',
      port: 9080,
      versions: reviewsVersions(),
      rules: [{
        name: 'writes',
        matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/reviews') })],
        destination: RouteDestination.weighted([{ version: 'v2', weight: 50 }, { version: 'v3', weight: 50 }]),
        timeout: Duration.seconds(3),
      }],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
    expect(one(Testing.synth(c), 'VirtualService').spec.http[0]).toEqual({
      name: 'writes', match: [{ uri: { exact: '/reviews' }, method: { exact: 'POST' } }], route: [dest('v2', 50), dest('v3', 50)], timeout: '3s',
    });
  });
});

describe('TrafficRoutes rejects bad input with the path, the prop, the value and the rule', () => {
  const base = (): TrafficRoutesProps => ({
    mesh: meshOf('istio'),
    serviceName: 'reviews',
    port: 9080,
    versions: reviewsVersions(),
    defaultRoute: { destination: RouteDestination.version('v1') },
  });
  const reject = (overrides: Record<string, unknown>, message: RegExp) => {
    expect(() => new TrafficRoutes(chart(), 'reviews', { ...base(), ...overrides } as TrafficRoutesProps)).toThrow(message);
  };
  const v = (version: string, weight: number) => ({ version, weight });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no versions', { versions: [] }, /^test\/reviews: 'versions' \(\[\]\) must be /],
    ['a version twice', { versions: reviewsVersions(['v1', 'v1']) }, /'versions' \("v1"\) must be versions with unique names/],
    ['not a CanaryVersion', { versions: [{ name: 'v1' }] }, /'versions\[0\]' .* must be a CanaryVersion/],
    ['no default route', { defaultRoute: undefined }, /'defaultRoute' \(undefined\) must be /],
    ['a destination that is not a RouteDestination', { defaultRoute: { destination: 'v1' } }, /'defaultRoute.destination' \("v1"\) must be a RouteDestination/],
    ['an unknown version', { defaultRoute: { destination: RouteDestination.version('v9') } },
      /'defaultRoute.destination.weights\[0\].version' \("v9"\) must be a version declared in versions \(v1, v2, v3\)/],
    ['weights that do not add up to 100', { defaultRoute: { destination: RouteDestination.weighted([v('v1', 90), v('v2', 20)]) } },
      /'defaultRoute.destination.weights' \("v1=90, v2=20"\) must be weights that add up to 100 \(they add up to 110\)/],
    ['a weighted destination of one version', { defaultRoute: { destination: RouteDestination.weighted([v('v1', 100)]) } },
      /'defaultRoute.destination.weights' .* must be /],
    ['a fractional weight', { defaultRoute: { destination: RouteDestination.weighted([v('v1', 90.5), v('v2', 9.5)]) } },
      /'defaultRoute.destination.weights\[0\].weight' \(90.5\) must be an integer percentage in 0..100/],
    ['a version twice in a split', { defaultRoute: { destination: RouteDestination.weighted([v('v1', 50), v('v1', 50)]) } },
      /'defaultRoute.destination.weights' \("v1"\) must be each version once/],
    ['a rule without matches', { rules: [{ matches: [], destination: RouteDestination.version('v2') }] }, /'rules\[0\].matches' \(\[\]\) must be /],
    ['a rule named like the default route', { rules: [{ name: 'default', matches: [RequestMatch.header('a', 'b')], destination: RouteDestination.version('v2') }] },
      /'rules' \("default"\) must be rule names unique on the host/],
    ['two rules of one name', {
      rules: [
        { name: 'x', matches: [RequestMatch.header('a', 'b')], destination: RouteDestination.version('v2') },
        { name: 'x', matches: [RequestMatch.header('a', 'c')], destination: RouteDestination.version('v3') },
      ],
    }, /'rules' \("x"\) must be rule names unique on the host/],
    ['a mirror to the version that gets every request', { defaultRoute: { destination: RouteDestination.version('v1'), mirror: { version: 'v1' } } },
      /'defaultRoute.mirror.version' \("v1"\) must be a version other than the one that receives every request of the route/],
    ['a mirror of 0 %', { defaultRoute: { destination: RouteDestination.version('v1'), mirror: { version: 'v2', percent: 0 } } },
      /'defaultRoute.mirror.percent' \(0\) must be above 0/],
    ['a mirror to an unknown version', { defaultRoute: { destination: RouteDestination.version('v1'), mirror: { version: 'v9' } } },
      /'defaultRoute.mirror.version' \("v9"\) must be a version declared in versions/],
    ['a per-try timeout longer than the timeout', {
      defaultRoute: { destination: RouteDestination.version('v1'), timeout: Duration.seconds(1), retries: { perTryTimeout: Duration.seconds(2) } },
    }, /'defaultRoute.retries.perTryTimeout' \("2 seconds"\) must be at most the request timeout/],
    ['a fault with neither delay nor abort', { defaultRoute: { destination: RouteDestination.version('v1'), fault: {} } }, /'defaultRoute.fault' \(\{\}\) must be a delay, an abort or both/],
    ['a header both set and removed', { defaultRoute: { destination: RouteDestination.version('v1'), requestHeaders: { set: { 'x-a': '1' }, remove: ['X-A'] } } },
      /'defaultRoute.requestHeaders' \("X-A"\) must be named once across set, add and remove/],
    ['empty header changes', { defaultRoute: { destination: RouteDestination.version('v1'), responseHeaders: {} } },
      /'defaultRoute.responseHeaders' \(\{\}\) must be at least one header to set, add or remove/],
  ])('%s', (_name, overrides, message) => reject(overrides, message));

  test('every problem is reported in one error', () => {
    expect(() => new TrafficRoutes(chart(), 'reviews', {
      ...base(),
      rules: [{ matches: [RequestMatch.header('a', 'b')], destination: RouteDestination.version('v9') }],
      defaultRoute: { destination: RouteDestination.weighted([v('v1', 10), v('v2', 10)]) },
    })).toThrow(/'rules\[0\].destination.weights\[0\].version' \("v9"\)[\s\S]*'defaultRoute.destination.weights' \("v1=10, v2=10"\)/);
  });

  test('plain-JS callers get the same errors, never a TypeError', () => {
    for (const props of [undefined, null, 42, { ...base(), rules: 'x' }, { ...base(), defaultRoute: { destination: null } }, { ...base(), versions: [null] }]) {
      let error: unknown;
      try { new TrafficRoutes(chart(), 'reviews', props as any); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/^test\/reviews: '/);
    }
  });

  test('a second construct on the host conflicts by name: one default route per host', () => {
    const c = chart();
    new TrafficRoutes(c, 'reviews', base());
    expect(() => new TrafficRoutes(c, 'reviews2', base())).toThrow(/reviews/);
  });
});
