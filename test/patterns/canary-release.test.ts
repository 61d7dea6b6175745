import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRelease, CanaryVersion, HeaderMatch, HttpMethod, HttpRetryOn, PathMatch, QueryParamMatch, RequestMatch,
} from '../../src';
import { chart, meshOf, one, ofKind, reviewsCanary } from '../support/fixtures';

describe('CanaryRelease on Istio', () => {
  test('reproduces the seeds\' reviews canary: 90/10 and end-user: jason to v2', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    const out = Testing.synth(c);

    expect(one(out, 'DestinationRule')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        host: 'reviews',
        subsets: [
          { name: 'v1', labels: { app: 'reviews', version: 'v1' } },
          { name: 'v2', labels: { app: 'reviews', version: 'v2' } },
        ],
      },
    });
    expect(one(out, 'VirtualService')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            name: 'canary-match',
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
          },
          {
            name: 'canary-split',
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 10 },
            ],
          },
        ],
      },
    });
    // Istio routes by subsets: no per-version Services.
    expect(ofKind(out, 'Service').map(s => s.metadata.name)).toEqual(['reviews']);
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
  });

  test('the data plane: workloads, one identity, an http port the mesh routes at L7', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    const out = Testing.synth(c);

    const deployments = ofKind(out, 'Deployment');
    expect(deployments.map(d => d.metadata.name)).toEqual(['reviews-v1', 'reviews-v2']);
    for (const d of deployments) {
      const version = d.metadata.labels.version;
      expect(d.spec.selector.matchLabels).toEqual({ app: 'reviews', version });
      expect(d.spec.template.metadata.labels).toMatchObject({ 'app': 'reviews', version, 'sidecar.istio.io/inject': 'true' });
      expect(d.spec.template.metadata.annotations).toEqual({
        'sidecar.istio.io/proxyCPU': '100m',
        'sidecar.istio.io/proxyCPULimit': '2000m',
        'sidecar.istio.io/proxyMemory': '256Mi',
        'sidecar.istio.io/proxyMemoryLimit': '1Gi',
      });
      expect(d.spec.template.spec.serviceAccountName).toBe('reviews');
      expect(d.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 9080, name: 'http' }]);
    }
    expect(one(out, 'ServiceAccount').metadata.name).toBe('reviews');
    const service = one(out, 'Service', 'reviews');
    expect(service.spec.selector).toEqual({ app: 'reviews' });
    expect(service.spec.ports).toEqual([{ name: 'http', appProtocol: 'http', port: 9080, targetPort: 9080 }]);
    expect(release.canaryWeight).toBe(10);
    expect(release.stableWorkload?.deployment.name).toBe('reviews-v1');
  });

  test('mirroring, retries and timeouts land on the routes', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', {
      mirrorPercent: 25,
      timeout: Duration.seconds(10),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.CONNECT_FAILURE] },
    }));
    const http = one(Testing.synth(c), 'VirtualService').spec.http;
    expect(http).toHaveLength(2);
    for (const route of http) {
      expect(route.timeout).toBe('10s');
      expect(route.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' });
    }
    expect(http[1].mirror).toEqual({ host: 'reviews', subset: 'v2' });
    expect(http[1].mirrorPercentage).toEqual({ value: 25 });
    expect(http[0].mirror).toBeUndefined();
  });

  test('retries default to the conditions that are safe to retry', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { retries: { attempts: 2 } }));
    const http = one(Testing.synth(c), 'VirtualService').spec.http;
    expect(http[1].retries).toEqual({ attempts: 2, retryOn: 'connect-failure,refused-stream,gateway-error,reset' });
  });

  test('every kind of match renders', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', {
      canaryMatches: [
        RequestMatch.of({
          path: PathMatch.prefix('/api'),
          headers: [HeaderMatch.exact('X-Canary', 'yes'), HeaderMatch.prefix('user-agent', 'Mobile'), HeaderMatch.regex('x-team', '^(a|b)$')],
          queryParams: [QueryParamMatch.exact('beta', '1'), QueryParamMatch.regex('v', '^2')],
          method: HttpMethod.GET,
        }),
        RequestMatch.cookie('canary', 'always'),
        RequestMatch.pathPrefix('/v2/'),
        RequestMatch.of({ path: PathMatch.exact('/health') }),
        RequestMatch.of({ path: PathMatch.regex('^/items/[0-9]+$') }),
      ],
    }));
    const match = one(Testing.synth(c), 'VirtualService').spec.http[0].match;
    // Header keys lower-cased (Istio matches them so); query names as written (case-sensitive);
    // the prefix /api as whole segments: /api itself or below /api/, never /apis.
    const rest = {
      method: { exact: 'GET' },
      headers: { 'x-canary': { exact: 'yes' }, 'user-agent': { prefix: 'Mobile' }, 'x-team': { regex: '^(a|b)$' } },
      queryParams: { beta: { exact: '1' }, v: { regex: '^2' } },
    };
    expect(match).toEqual([
      { uri: { exact: '/api' }, ...rest },
      { uri: { prefix: '/api/' }, ...rest },
      { headers: { cookie: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } } },
      { uri: { exact: '/v2' } },
      { uri: { prefix: '/v2/' } },
      { uri: { exact: '/health' } },
      { uri: { regex: '^/items/[0-9]+$' } },
    ]);
  });

  test('the cookie match escapes regex characters in the cookie', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { canaryMatches: [RequestMatch.cookie('a.b', 'x+y')] }));
    const header = one(Testing.synth(c), 'VirtualService').spec.http[0].match[0].headers.cookie.regex;
    expect(header).toBe('^(.*?;\\s*)?(a\\.b=x\\+y)(;.*)?$');
    const re = new RegExp(header);
    expect(re.test('session=1; a.b=x+y')).toBe(true);
    expect(re.test('a.b=x+y')).toBe(true);
    expect(re.test('aXb=xxy')).toBe(false);
  });

  test('the last step sends everything to the canary; no header route when none is asked for', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { currentStep: 3, canaryMatches: undefined }));
    const http = one(Testing.synth(c), 'VirtualService').spec.http;
    expect(http).toEqual([{
      name: 'canary-split',
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 0 },
        { destination: { host: 'reviews', subset: 'v2' }, weight: 100 },
      ],
    }]);
  });

  test('v1beta1 for Istio older than 1.22', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio-v1beta1'));
    const out = Testing.synth(c);
    expect(one(out, 'VirtualService').apiVersion).toBe('networking.istio.io/v1beta1');
    expect(one(out, 'DestinationRule').apiVersion).toBe('networking.istio.io/v1beta1');
  });

  test('a pinned control-plane revision labels pods istio.io/rev instead of the inject label', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio-revision'));
    for (const d of ofKind(Testing.synth(c), 'Deployment')) {
      expect(d.spec.template.metadata.labels['istio.io/rev']).toBe('1-24-0');
      expect(d.spec.template.metadata.labels['sidecar.istio.io/inject']).toBeUndefined();
    }
  });
});

describe('CanaryRelease on Gateway API (GAMMA)', () => {
  test.each(['gateway-api', 'istio-gateway-api'])('%s: one HTTPRoute on the Service, per-version backends', (provider) => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary(provider));
    const out = Testing.synth(c);
    expect(one(out, 'HTTPRoute')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }],
        rules: [
          {
            name: 'canary-match',
            matches: [{ headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }] }],
            backendRefs: [{ name: 'reviews-v2', port: 9080 }],
          },
          {
            name: 'canary-split',
            backendRefs: [
              { name: 'reviews-v1', port: 9080, weight: 90 },
              { name: 'reviews-v2', port: 9080, weight: 10 },
            ],
          },
        ],
      },
    });
    expect(ofKind(out, 'VirtualService')).toEqual([]);
    expect(ofKind(out, 'DestinationRule')).toEqual([]);
    const services = ofKind(out, 'Service');
    expect(services.map(s => [s.metadata.name, s.spec.selector])).toEqual([
      ['reviews', { app: 'reviews' }],
      ['reviews-v1', { app: 'reviews', version: 'v1' }],
      ['reviews-v2', { app: 'reviews', version: 'v2' }],
    ]);
  });

  test('mirroring is a RequestMirror filter with percent; timeouts go in timeouts.request', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api', { mirrorPercent: 50, timeout: Duration.millis(1500) }));
    const rules = one(Testing.synth(c), 'HTTPRoute').spec.rules;
    expect(rules[1].filters).toEqual([{
      type: 'RequestMirror',
      requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 }, percent: 50 },
    }]);
    expect(rules.map((r: any) => r.timeouts)).toEqual([{ request: '1500ms' }, { request: '1500ms' }]);
  });

  test('matches render as Gateway API match types', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api', {
      canaryMatches: [
        RequestMatch.of({
          path: PathMatch.prefix('/api'),
          headers: [HeaderMatch.regex('x-team', '^(a|b)$')],
          queryParams: [QueryParamMatch.exact('beta', '1')],
          method: HttpMethod.POST,
        }),
        RequestMatch.cookie('canary', 'always'),
        RequestMatch.of({ path: PathMatch.exact('/health') }),
      ],
    }));
    expect(one(Testing.synth(c), 'HTTPRoute').spec.rules[0].matches).toEqual([
      {
        path: { type: 'PathPrefix', value: '/api' },
        headers: [{ type: 'RegularExpression', name: 'x-team', value: '^(a|b)$' }],
        queryParams: [{ type: 'Exact', name: 'beta', value: '1' }],
        method: 'POST',
      },
      { headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;\\s*)?(canary=always)(;.*)?$' }] },
      { path: { type: 'Exact', value: '/health' } },
    ]);
  });

  test('plain Gateway API leaves injection and proxy sizing to the mesh', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api'));
    for (const d of ofKind(Testing.synth(c), 'Deployment')) {
      expect(d.spec.template.metadata.annotations).toBeUndefined();
      expect(Object.keys(d.spec.template.metadata.labels).filter(k => k.includes('istio') || k.includes('linkerd'))).toEqual([]);
    }
  });
});

describe('CanaryRelease on existing workloads', () => {
  test('fromDeployment routes to a cdk8s-plus Deployment without changing it', () => {
    const c = chart();
    const v1 = new kplus.Deployment(c, 'v1', { select: false, containers: [{ image: 'reviews:v1', portNumber: 9080 }] });
    v1.select(kplus.LabelSelector.of({ labels: { app: 'reviews', track: 'stable' } }));
    v1.podMetadata.addLabel('app', 'reviews');
    v1.podMetadata.addLabel('track', 'stable');
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', {
      stable: CanaryVersion.fromDeployment('stable', v1),
      canary: CanaryVersion.fromLabels('canary', { app: 'reviews', track: 'canary' }),
    }));
    const out = Testing.synth(c);
    expect(ofKind(out, 'Deployment')).toHaveLength(1); // only the user's
    expect(ofKind(out, 'ServiceAccount')).toHaveLength(0);
    expect(one(out, 'Service').spec.selector).toEqual({ app: 'reviews' });
    expect(one(out, 'DestinationRule').spec.subsets).toEqual([
      { name: 'stable', labels: { app: 'reviews', track: 'stable' } },
      { name: 'canary', labels: { app: 'reviews', track: 'canary' } },
    ]);
  });

  test('on Gateway API the per-version Services select the existing pods', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api', {
      stable: CanaryVersion.fromLabels('stable', { app: 'reviews', track: 'stable' }),
      canary: CanaryVersion.deploy({ name: 'canary', image: 'reviews:v2' }),
    }));
    const out = Testing.synth(c);
    expect(ofKind(out, 'Service').map(s => [s.metadata.name, s.spec.selector])).toEqual([
      ['reviews', { app: 'reviews' }],
      ['reviews-stable', { app: 'reviews', track: 'stable' }],
      ['reviews-canary', { app: 'reviews', version: 'canary' }],
    ]);
  });
});

describe('CanaryRelease rejects bad input with the path, the prop, the value and the rule', () => {
  const reject = (overrides: any, message: RegExp, provider = 'istio') => {
    const c = chart();
    expect(() => new CanaryRelease(c, 'reviews', reviewsCanary(provider, overrides))).toThrow(message);
  };
  const STEPS_RULE = 'strictly increasing integers in 0..100 ending at 100';

  test.each([
    [[10, 10, 100]], [[50, 25, 100]], [[0, 0, 100]], [[10, 50]], [[10, 50, 101]], [[10.5, 100]], [[]], [[-5, 100]],
  ])('steps %j', (steps) => {
    reject({ steps }, new RegExp(`^test/reviews: 'steps' \\(${escape(JSON.stringify(steps))}\\) must be ${STEPS_RULE}`));
  });

  test.each([[4], [-1], [1.5]])('currentStep %j', (currentStep) => {
    reject({ currentStep }, new RegExp(`^test/reviews: 'currentStep' \\(${escape(String(currentStep))}\\) must be an index into steps \\(0..3\\)`));
  });

  test('the same name for both versions', () => {
    reject({ canary: CanaryVersion.deploy({ name: 'v1', image: 'x' }) }, /'canary.name' \("v1"\) must be different from the stable version's name/);
  });

  test.each([
    ['serviceName', { serviceName: 'Reviews' }, /'serviceName' \("Reviews"\) must be a DNS-1035 label/],
    ['serviceName starting with a digit', { serviceName: '1reviews' }, /'serviceName' \("1reviews"\) must be a DNS-1035 label/],
    ['namespace', { namespace: 'book_info' }, /'namespace' \("book_info"\) must be a DNS-1123 label/],
    ['stable version', { stable: CanaryVersion.deploy({ name: 'V1', image: 'x' }) }, /'stable.name' \("V1"\) must be a DNS-1123 label/],
    ['canary version', { canary: CanaryVersion.fromLabels('v2!', { app: 'reviews' }) }, /'canary.name' \("v2!"\) must be a DNS-1123 label/],
    ['long per-version Service', { serviceName: 'r'.repeat(62) }, /'per-version Service name' \("r{62}-v1"\) must be a DNS-1035 label/, 'gateway-api'],
  ])('invalid name: %s', (_what, overrides, message, provider = 'istio') => {
    reject(overrides, message as RegExp, provider as string);
  });

  test.each([[0], [65536], [80.5]])('port %j', (port) => {
    reject({ port }, new RegExp(`'port' \\(${escape(String(port))}\\) must be an integer in 1..65535`));
  });

  test('targetPort', () => {
    reject({ targetPort: 70000 }, /'targetPort' \(70000\) must be an integer in 1..65535/);
  });

  test.each([[-1], [100.5], [NaN]])('mirrorPercent %j', (mirrorPercent) => {
    reject({ mirrorPercent }, /'mirrorPercent' \((-1|100.5|NaN)\) must be a number in 0..100/);
  });

  test('a header match with an empty name', () => {
    reject({ canaryMatches: [RequestMatch.header('', 'jason')] }, /'canaryMatches\[0\].headers\[0\].name' \(""\) must be a non-empty name/);
  });

  test('a header name that is not an HTTP token', () => {
    reject({ canaryMatches: [RequestMatch.header('end user', 'jason')] }, /'canaryMatches\[0\].headers\[0\].name' \("end user"\) must be a valid HTTP header name/);
  });

  test('a header match with an empty value', () => {
    reject({ canaryMatches: [RequestMatch.header('end-user', '')] }, /'canaryMatches\[0\].headers\[0\].value' \(""\) must be non-empty/);
  });

  test('a query match with an empty name', () => {
    reject({ canaryMatches: [RequestMatch.of({ queryParams: [QueryParamMatch.exact('', 'x')] })] }, /'canaryMatches\[0\].queryParams\[0\].name' \(""\) must be a non-empty name/);
  });

  test('a match without conditions', () => {
    reject({ canaryMatches: [RequestMatch.of({})] }, /'canaryMatches\[0\]' \(\{\}\) must be at least one condition/);
  });

  test('a path that does not start with /', () => {
    reject({ canaryMatches: [RequestMatch.pathPrefix('api')] }, /'canaryMatches\[0\].path' \("api"\) must be a path that starts with '\/'/);
  });

  test('versions that share no label cannot be selected by one Service', () => {
    reject({
      stable: CanaryVersion.fromLabels('a', { track: 'a' }),
      canary: CanaryVersion.fromLabels('b', { track: 'b' }),
    }, /'version labels' .* must be sharing at least one label/);
  });

  test('a per-try timeout longer than the request timeout', () => {
    reject({ timeout: Duration.seconds(2), retries: { attempts: 3, perTryTimeout: Duration.seconds(5) } },
      /'retries.perTryTimeout' \("5 seconds"\) must be at most the request timeout \(2 seconds\)/);
  });

  test.each([[-1], [1.5], [101]])('retry attempts %j', (attempts) => {
    reject({ retries: { attempts } }, new RegExp(`'retries.attempts' \\(${escape(String(attempts))}\\) must be an integer in 0..100`));
  });

  test('an empty retryOn list', () => {
    reject({ retries: { attempts: 1, retryOn: [] } }, /'retries.retryOn' \(\[\]\) must be non-empty/);
  });

  test('a zero timeout', () => {
    reject({ timeout: Duration.seconds(0) }, /'timeout' \("0 seconds"\) must be a positive duration/);
  });

  test('Gateway API (standard channel) cannot express retries', () => {
    reject({ retries: { attempts: 3 } },
      /^test\/reviews: Gateway API \(gateway.networking.k8s.io\/v1 HTTPRoute\) cannot express retries; the standard channel of Gateway API has no retry field/,
      'gateway-api');
  });

  test('Gateway API cannot express a header prefix match', () => {
    reject({ canaryMatches: [RequestMatch.of({ headers: [HeaderMatch.prefix('user-agent', 'Mobile')] })] },
      /cannot express a prefix match on header 'user-agent'; use HeaderMatch.regex\('user-agent', '\^<prefix>'\)/, 'gateway-api');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
