/**
 * The same program routes the same requests the same way on every provider: Istio evaluates a
 * VirtualService's routes in order (first match wins), Gateway API orders an HTTPRoute's rules by
 * specificity. The evaluator (test/support/evaluator.ts) applies each API's own matching rules to
 * what the library emits; every request must reach the same versions with the same timeout,
 * retries and mirror on Istio, Istio via Gateway API, Linkerd and plain Gateway API.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, HttpMethod, HttpRetryOn, IngressGateway, PathMatch,
  RequestMatch, RoutePolicy,
} from '../src';
import { Decision, evaluate, evaluateHttpRoute, evaluateVirtualService, TestRequest } from './support/evaluator';
import { chart, meshOf, reviewsCanary } from './support/fixtures';
import { expectValid, itValidates } from './support/validator';
import { forSpecificity, matchAnd, routeSpecificity } from '../src/model/precedence';

const jason = { 'end-user': 'jason' };
const REQUESTS: Record<string, TestRequest> = {
  'jason GET /reviews/1': { method: 'GET', path: '/reviews/1', headers: jason },
  'jason POST /reviews': { method: 'POST', path: '/reviews', headers: jason },
  'jason GET /': { method: 'GET', path: '/', headers: jason },
  'GET /reviews/1': { method: 'GET', path: '/reviews/1' },
  'GET /reviews': { method: 'GET', path: '/reviews' },
  'GET /reviewsx (another segment)': { method: 'GET', path: '/reviewsx' },
  'POST /reviews': { method: 'POST', path: '/reviews' },
  'DELETE /reviews/1': { method: 'DELETE', path: '/reviews/1' },
  'GET /ratings?beta=1': { method: 'GET', path: '/ratings', query: { beta: '1' } },
};

type Program = (c: Chart, provider: string) => void;

/** examples/bookinfo: the canary with jason's override and the seeds' per-route policies. */
const bookinfo: Program = (c, provider) => {
  const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { timeout: Duration.seconds(20) }));
  new RoutePolicy(c, 'get-review', {
    host: reviews, matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.prefix('/reviews/') })], timeout: Duration.seconds(5),
  });
  new RoutePolicy(c, 'post-review', {
    host: reviews, matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/reviews') })], timeout: Duration.seconds(10),
  });
};

/** Issue 12's case: a canary header rule declared before a policy on method and path prefix. */
const headerBeforePolicy: Program = (c, provider) => {
  const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  new RoutePolicy(c, 'reviews-get', {
    host: reviews, matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.prefix('/reviews') })], timeout: Duration.seconds(3),
  });
};

/** examples/resilience: the canary at 25 %, host-wide retries and timeout, a matched override. */
const resilience: Program = (c, provider) => {
  const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { currentStep: 1 }));
  new RoutePolicy(c, 'reviews-retries', {
    host: reviews,
    timeout: Duration.seconds(10),
    retries: { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.GATEWAY_ERROR], retryNonIdempotent: true },
  });
};

/** The same with the stable version's traffic mirrored to the canary (not on Linkerd: no mirroring). */
const mirrored: Program = (c, provider) => {
  const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { mirrorPercent: 20 }));
  new RoutePolicy(c, 'reviews-get', {
    host: reviews, matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.prefix('/reviews') })], timeout: Duration.seconds(3),
  });
};

const ROUTING = ['istio', 'istio-gateway-api', 'linkerd', 'linkerd-policy', 'gateway-api'];
const PROGRAMS: [string, Program, string[]][] = [
  ['bookinfo', bookinfo, ROUTING],
  ['a canary header rule before a method+path policy', headerBeforePolicy, ROUTING],
  ['the same, mirrored', mirrored, ['istio', 'istio-gateway-api', 'gateway-api']],
  ['resilience', resilience, ['istio', 'istio-gateway-api-experimental', 'linkerd', 'linkerd-policy']],
];

function decisions(program: Program, provider: string): Record<string, Decision | undefined> {
  const c = chart('bookinfo');
  program(c, provider);
  const out = Testing.synth(c);
  return Object.fromEntries(Object.entries(REQUESTS).map(([name, r]) => [name, evaluate(out, 'reviews', r)]));
}

describe.each(PROGRAMS)('%s', (_name, program, providers) => {
  const reference = decisions(program, providers[0]);
  test.each(providers.slice(1))(`routes every request as ${providers[0]} does on %s`, provider => {
    expect(decisions(program, provider)).toEqual(reference);
  });
});

describe('what the program means, request by request', () => {
  test('jason keeps his canary on GET /reviews/1 and gets the policy\'s timeout (first match wins, policies overlay)', () => {
    for (const provider of ROUTING) {
      const d = decisions(headerBeforePolicy, provider);
      expect([provider, d['jason GET /reviews/1']]).toEqual([provider, expect.objectContaining({ backends: ['v2:100'], timeout: '3s' })]);
      expect([provider, d['GET /reviews/1']]).toEqual([provider, expect.objectContaining({ backends: ['v1:90', 'v2:10'], timeout: '3s' })]);
      expect([provider, d['GET /reviewsx (another segment)']]).toEqual([provider, { backends: ['v1:90', 'v2:10'] }]);
      expect([provider, d['POST /reviews']]).toEqual([provider, expect.objectContaining({ backends: ['v1:90', 'v2:10'] })]);
    }
  });

  test('a matched policy keeps the split\'s mirror and the release\'s timeout where it sets none (item 6)', () => {
    const d = decisions(mirrored, 'istio');
    expect(d['GET /reviews/1']).toEqual({ backends: ['v1:90', 'v2:10'], timeout: '3s', mirror: 'v2:20' });
    expect(d['jason GET /reviews/1']).toEqual({ backends: ['v2:100'], timeout: '3s' });
    const b = decisions(bookinfo, 'istio-gateway-api');
    expect(b['GET /reviews/1']).toEqual({ backends: ['v1:90', 'v2:10'], timeout: '5s' });
    expect(b['DELETE /reviews/1']).toEqual({ backends: ['v1:90', 'v2:10'], timeout: '20s' });
    expect(b['jason POST /reviews']).toEqual({ backends: ['v2:100'], timeout: '10s' });
  });

  test('host-wide retries reach every route, on every provider that has them', () => {
    for (const provider of ['istio', 'istio-gateway-api-experimental', 'linkerd']) {
      const d = decisions(resilience, provider);
      expect([provider, d['jason GET /']]).toEqual([provider, { backends: ['v2:100'], timeout: '10s', retryAttempts: 3 }]);
      expect([provider, d['GET /reviews']]).toEqual([provider, { backends: ['v1:75', 'v2:25'], timeout: '10s', retryAttempts: 3 }]);
    }
  });

  itValidates('every program validates on every provider', () => {
    const sets: Record<string, any[]> = {};
    for (const [name, program, providers] of PROGRAMS) {
      for (const provider of providers) {
        const c = chart('bookinfo');
        program(c, provider);
        sets[`precedence-${name.replace(/[^a-z]+/g, '-')}-${provider}`] = Testing.synth(c);
      }
    }
    expectValid(sets);
  });
});

describe('the conjunction rules Gateway API gets', () => {
  test('an overlap gets one rule with the earlier route\'s action, listed first; a route that is its own conjunction keeps its name', () => {
    const c = chart('bookinfo');
    headerBeforePolicy(c, 'gateway-api');
    const route = Testing.synth(c).find(o => o.kind === 'HTTPRoute');
    expect(route.spec.rules.map((r: any) => r.name)).toEqual(['canary-match-reviews-get', 'canary-match', 'reviews-get', 'canary-split']);
    expect(route.spec.rules[0].matches).toEqual([{
      path: { type: 'PathPrefix', value: '/reviews' },
      headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }],
      method: 'GET',
    }]);
  });

  test('matches that cannot overlap need no conjunction', () => {
    expect(matchAnd({ headers: [], queryParams: [], method: 'GET' }, { headers: [], queryParams: [], method: 'POST' })).toBeNull();
    expect(matchAnd({ path: { kind: 'prefix', value: '/api' }, headers: [], queryParams: [] }, { path: { kind: 'prefix', value: '/apis' }, headers: [], queryParams: [] }))
      .toBeNull();
    expect(matchAnd({ path: { kind: 'exact', value: '/a/b' }, headers: [], queryParams: [] }, { path: { kind: 'prefix', value: '/a' }, headers: [], queryParams: [] }))
      .toEqual({ path: { kind: 'exact', value: '/a/b' }, headers: [], queryParams: [], method: undefined });
    expect(matchAnd({ headers: [{ name: 'X-A', kind: 'exact', value: '1' }], queryParams: [] }, { headers: [{ name: 'x-a', kind: 'exact', value: '2' }], queryParams: [] }))
      .toBeNull();
  });

  test('two different regular expressions that may overlap, with different actions: an error for Gateway API, fine on Istio', () => {
    const program = (c: Chart, provider: string) => {
      const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider, {
        canaryMatches: [RequestMatch.of({ path: PathMatch.regex('/reviews/[0-9]+') })],
      }));
      new RoutePolicy(c, 'slow', { host: reviews, matches: [RequestMatch.of({ path: PathMatch.regex('/reviews/1.*') })], timeout: Duration.seconds(9) });
    };
    const istio = chart('bookinfo');
    program(istio, 'istio');
    expect(() => Testing.synth(istio)).toThrow(/test\/slow: the matches of policy 'slow' and of route 'canary-match' \(test\/reviews\) overlap in a way one match cannot state/);
  });

  test('a regex path that must win over a later overlapping route: an error on Gateway API (implementation-specific precedence), fine on Istio', () => {
    const program = (c: Chart, provider: string) => {
      const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { canaryMatches: undefined }));
      new RoutePolicy(c, 'get-review', { host: reviews, matches: [RequestMatch.of({ path: PathMatch.regex('/reviews/[0-9]+') })], timeout: Duration.seconds(5) });
    };
    const istio = chart('bookinfo');
    program(istio, 'istio');
    expect(evaluate(Testing.synth(istio), 'reviews', { method: 'GET', path: '/reviews/7' })?.timeout).toBe('5s');
    const gamma = chart('bookinfo');
    program(gamma, 'istio-gateway-api');
    expect(() => Testing.synth(gamma)).toThrow(/test\/get-review: Istio \(gateway.networking.k8s.io\/v1 HTTPRoute\) orders rules by specificity and leaves the precedence of a regular-expression path to the implementation \(Istio ranks it below every prefix\), so route 'get-review' \(path "\/reviews\/\[0-9\]\+"\) cannot be kept ahead of the overlapping route 'canary-split'/);
  });

  test('more overlaps than an HTTPRoute holds: an error that says why', () => {
    const routes = Array.from({ length: 6 }, (_, i) => ({
      source: chart(),
      name: `r${i}`,
      matches: [{ headers: [{ name: `h${i}`, kind: 'exact' as const, value: 'x' }], queryParams: [] }],
      backends: [{ version: `v${i}`, weight: 100 }],
    }));
    expect(() => forSpecificity(routes, routeSpecificity('Gateway API'))).toThrow(/Gateway API orders rules by specificity; keeping the declared order of these routes needs \d+ rules \(one per overlap\), more than an HTTPRoute holds \(16 rules of 64 matches\)/);
  });
});

describe('ingress rules keep their declared order on Gateway API too', () => {
  // rules in order of precedence: a beta header first, then the API prefix (rewritten), then all else
  function edge(provider: string) {
    const c = chart('ingress');
    const gateway = new IngressGateway(c, 'edge', {
      mesh: meshOf(provider), implementation: GatewayImplementation.istio(), listeners: [GatewayListener.http()],
    });
    new GatewayRoute(c, 'shop', {
      gateway,
      hostnames: ['shop.example.com'],
      rules: [
        { name: 'beta', matches: [RequestMatch.header('x-beta', 'yes')], backends: [GatewayBackend.service('beta', 80)] },
        { name: 'api', matches: [RequestMatch.pathPrefix('/api')], rewrite: { pathPrefix: '/v1' }, backends: [GatewayBackend.service('api', 80)] },
        { name: 'exact-health', matches: [RequestMatch.of({ path: PathMatch.exact('/api/health') })], backends: [GatewayBackend.service('health', 80)] },
        { name: 'web', backends: [GatewayBackend.service('web', 80)] },
      ],
    });
    return Testing.synth(c);
  }
  const requests: Record<string, TestRequest> = {
    'beta GET /api/x': { method: 'GET', path: '/api/x', headers: { 'x-beta': 'yes' } },
    'GET /api/x': { method: 'GET', path: '/api/x' },
    'GET /api': { method: 'GET', path: '/api' },
    'GET /api/health (shadowed by /api, which comes first)': { method: 'GET', path: '/api/health' },
    'GET /apis': { method: 'GET', path: '/apis' },
    'beta GET /': { method: 'GET', path: '/', headers: { 'x-beta': 'yes' } },
  };
  const decide = (provider: string) => {
    const out = edge(provider);
    const vs = out.find(o => o.kind === 'VirtualService');
    const route = out.find(o => o.kind === 'HTTPRoute' && o.metadata.name === 'shop');
    return Object.fromEntries(Object.entries(requests).map(([n, r]) => [n, vs ? evaluateVirtualService(vs, r, '') : evaluateHttpRoute(route, '', r)]));
  };

  test.each(['istio-gateway-api', 'gateway-api', 'linkerd'])('%s routes every request as Istio\'s own API does', provider => {
    expect(decide(provider)).toEqual(decide('istio'));
  });

  test('what that is', () => {
    const d = decide('gateway-api');
    expect(d['beta GET /api/x']).toEqual({ backends: ['beta:100'] });
    expect(d['GET /api/x']).toEqual({ backends: ['api:100'], rewrittenPath: '/v1/x' });
    expect(d['GET /api/health (shadowed by /api, which comes first)']).toEqual({ backends: ['api:100'], rewrittenPath: '/v1/health' });
    expect(d['GET /apis']).toEqual({ backends: ['web:100'] });
  });

  itValidates('validates', () => {
    expectValid({ 'precedence-ingress-gateway-api': edge('gateway-api'), 'precedence-ingress-istio': edge('istio') });
  });
});
