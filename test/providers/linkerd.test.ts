import { Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  CanaryRelease, CanaryVersion, GatewayApiVersion, HeaderMatch, HttpMethod, HttpRetryOn, LinkerdRoutingApi, LinkerdVersion, Mesh,
  MeshProvider, MeshWorkload, PathMatch, RequestMatch, RoutePolicy, ServiceHost, SmiApiVersion,
} from '../../src';
import { chart, one, ofKind, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const linkerd = (options = {}) => Mesh.fromAttributes({ provider: MeshProvider.linkerd(options) });
const smi = (options = {}) => linkerd({ routingApi: LinkerdRoutingApi.SMI, ...options });

/** The seeds' bookinfo reviews v1/v2, on a Linkerd mesh. */
function reviews(mesh: Mesh, extra: object = {}) {
  return {
    ...reviewsCanary('istio', { canaryMatches: undefined }),
    mesh,
    ...extra,
  };
}

describe('Linkerd data plane', () => {
  test('pods are injected by annotation, with proxy resources', () => {
    const c = chart('shop');
    new MeshWorkload(c, 'cart', {
      mesh: linkerd(),
      serviceName: 'cart',
      version: 'v1',
      image: 'cart:1',
      port: 8080,
      proxy: { cpuRequest: Cpu.millis(50), cpuLimit: Cpu.millis(500), memoryRequest: Size.mebibytes(20), memoryLimit: Size.mebibytes(250) },
    });
    const pod = one(Testing.synth(c), 'Deployment').spec.template.metadata;
    expect(pod.annotations).toEqual({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/proxy-cpu-request': '50m',
      'config.linkerd.io/proxy-cpu-limit': '500m',
      'config.linkerd.io/proxy-memory-request': '20Mi',
      'config.linkerd.io/proxy-memory-limit': '250Mi',
    });
    expect(pod.labels).not.toHaveProperty('sidecar.istio.io/inject');
  });

  test('the opt-out is linkerd.io/inject: disabled, without proxy settings', () => {
    const c = chart('shop');
    new MeshWorkload(c, 'batch', { mesh: linkerd(), serviceName: 'batch', version: 'v1', image: 'batch:1', port: 8080, meshed: false });
    expect(one(Testing.synth(c), 'Deployment').spec.template.metadata.annotations).toEqual({ 'linkerd.io/inject': 'disabled' });
  });
});

describe('CanaryRelease on Linkerd through Gateway API', () => {
  test('Linkerd 2.20 (the default) emits a v1 HTTPRoute on the apex Service, to per-version Services, without rules[].name (Linkerd honours Gateway API v1.2.1 fields only)', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviews(linkerd(), { canaryMatches: [RequestMatch.header('end-user', 'jason')] }));
    const out = Testing.synth(c);
    const route = one(out, 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', port: 9080 }]);
    expect(route.spec.rules).toEqual([
      { matches: [{ headers: [{ type: 'Exact', name: 'end-user', value: 'jason' }] }], backendRefs: [{ name: 'reviews-v2', port: 9080 }] },
      { backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }] },
    ]);
    expect(ofKind(out, 'Service').map(s => s.metadata.name)).toEqual(['reviews', 'reviews-v1', 'reviews-v2']);
  });

  test.each([
    [LinkerdVersion.V2_14, 'v1beta1'],
    [LinkerdVersion.V2_15, 'v1beta1'],
    [LinkerdVersion.V2_17, 'v1beta1'],
    [LinkerdVersion.V2_18, 'v1'],
    [LinkerdVersion.of('2.19.1'), 'v1'],
  ])('Linkerd %p reads HTTPRoute %s', (version, apiVersion) => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviews(linkerd({ version })));
    expect(one(Testing.synth(c), 'HTTPRoute').apiVersion).toBe(`gateway.networking.k8s.io/${apiVersion}`);
  });

  test('an explicit HTTPRoute version overrides the version\'s default', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviews(linkerd({ version: LinkerdVersion.V2_17, gatewayApiVersion: GatewayApiVersion.V1 })));
    expect(one(Testing.synth(c), 'HTTPRoute').apiVersion).toBe('gateway.networking.k8s.io/v1');
  });

  test('retries become retry.linkerd.io annotations on the route, timeouts the rules\' timeouts (2.16+)', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviews(linkerd({ version: LinkerdVersion.V2_16 }), {
      retries: { attempts: 3, perTryTimeout: Duration.millis(500), retryOn: [HttpRetryOn.SERVER_ERROR, HttpRetryOn.RETRIABLE_4XX] },
      timeout: Duration.seconds(5),
    }));
    const route = one(Testing.synth(c), 'HTTPRoute');
    expect(route.metadata.annotations).toEqual({
      'retry.linkerd.io/http': '5xx,409',
      'retry.linkerd.io/limit': '3',
      'retry.linkerd.io/timeout': '500ms',
    });
    expect(route.spec.rules[0].timeouts).toEqual({ request: '5s' });
  });

  test('without explicit conditions Linkerd retries gateway errors, and the mesh default limit applies', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviews(linkerd()));
    new RoutePolicy(c, 'resilience', { host: release, retries: {} });
    expect(one(Testing.synth(c), 'HTTPRoute').metadata.annotations).toEqual({ 'retry.linkerd.io/http': 'gateway-error' });
  });

  test('a matched policy sends its requests where the default route does', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviews(linkerd()));
    new RoutePolicy(c, 'post-reviews', {
      host: release,
      matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/reviews') })],
      timeout: Duration.seconds(10),
    });
    const rules = one(Testing.synth(c), 'HTTPRoute').spec.rules;
    expect(rules[0]).toEqual({
      matches: [{ method: 'POST', path: { type: 'Exact', value: '/reviews' } }],
      backendRefs: rules[1].backendRefs,
      timeouts: { request: '10s' },
    });
    expect(rules[1].name).toBeUndefined(); // Linkerd 2.20 honours Gateway API v1.2.1 fields only
  });
});

describe('CanaryRelease on Linkerd\'s policy.linkerd.io HTTPRoute', () => {
  test('same rules without names (the kind has none)', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviews(linkerd({ routingApi: LinkerdRoutingApi.POLICY }), {
      canaryMatches: [RequestMatch.header('end-user', 'jason')],
      timeout: Duration.seconds(3),
    }));
    const route = one(Testing.synth(c), 'HTTPRoute');
    expect(route.apiVersion).toBe('policy.linkerd.io/v1beta3');
    expect(route.spec.rules.map((r: any) => r.name)).toEqual([undefined, undefined]);
    expect(route.spec.rules[1]).toEqual({
      backendRefs: [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }],
      timeouts: { request: '3s' },
    });
  });
});

describe('CanaryRelease on Linkerd with SMI (linkerd-smi)', () => {
  test('reproduces the seeds\' TrafficSplit: reviews-v1 900 / reviews-v2 100', () => {
    const c = chart('default');
    new CanaryRelease(c, 'reviews', reviews(smi()));
    const out = Testing.synth(c);
    expect(one(out, 'TrafficSplit')).toEqual({
      apiVersion: 'split.smi-spec.io/v1alpha1',
      kind: 'TrafficSplit',
      metadata: { name: 'reviews-split', namespace: 'default' },
      spec: { service: 'reviews', backends: [{ service: 'reviews-v1', weight: 900 }, { service: 'reviews-v2', weight: 100 }] },
    });
    // the seeds' per-version Services
    expect(one(out, 'Service', 'reviews-v2').spec.selector).toEqual({ app: 'reviews', version: 'v2' });
    expect(ofKind(out, 'ServiceProfile')).toEqual([]);
  });

  test('v1alpha2 and every step render the step\'s percentages faithfully', () => {
    [5, 25, 50, 100].forEach((weight, step) => {
      const c = chart('default');
      new CanaryRelease(c, 'reviews', reviews(smi({ smiApiVersion: SmiApiVersion.V1ALPHA2 }), { steps: [5, 25, 50, 100], currentStep: step }));
      const split = one(Testing.synth(c), 'TrafficSplit');
      expect(split.apiVersion).toBe('split.smi-spec.io/v1alpha2');
      expect(split.spec.backends.map((b: any) => b.weight)).toEqual([(100 - weight) * 10, weight * 10]);
    });
  });

  test('reproduces the seeds\' ServiceProfile: GET /reviews/{id}, 5s timeout, retry budget 0.2 / 10 rps / 10s', () => {
    const c = chart('default');
    const host = ServiceHost.fromAttributes({ mesh: smi({ version: LinkerdVersion.V2_14 }), serviceName: 'reviews', port: 9080 });
    new RoutePolicy(c, 'get-review', {
      host,
      description: 'GET /reviews/{id}',
      matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.regex('/reviews/[^/]*') })],
      timeout: Duration.seconds(5),
      retries: { budget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: Duration.seconds(10) } },
    });
    new RoutePolicy(c, 'post-review', {
      host,
      description: 'POST /reviews',
      matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/reviews') })],
      timeout: Duration.seconds(10),
    });
    const out = Testing.synth(c);
    expect(one(out, 'ServiceProfile')).toEqual({
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: 'reviews.default.svc.cluster.local', namespace: 'default' },
      spec: {
        routes: [
          { name: 'GET /reviews/{id}', condition: { method: 'GET', pathRegex: '/reviews/[^/]*' }, timeout: '5s', isRetryable: true },
          { name: 'POST /reviews', condition: { method: 'POST', pathRegex: '/reviews' }, timeout: '10s' },
        ],
        retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
      },
    });
    // no split: the host has no versions; and no annotations anywhere (the ServiceProfile wins)
    expect(ofKind(out, 'TrafficSplit')).toEqual([]);
    expect(JSON.stringify(out)).not.toMatch(/retry\.linkerd\.io|timeout\.linkerd\.io/);
  });

  test('a canary\'s retries and timeout go into the ServiceProfile next to its TrafficSplit; prefixes become anchored regexes', () => {
    const c = chart('default');
    const release = new CanaryRelease(c, 'reviews', reviews(smi(), { timeout: Duration.seconds(2), retries: { budget: {} } }));
    new RoutePolicy(c, 'api', { host: release, matches: [RequestMatch.pathPrefix('/api.v1'), RequestMatch.of({ method: HttpMethod.GET })], timeout: Duration.seconds(1) });
    const profile = one(Testing.synth(c), 'ServiceProfile');
    expect(profile.metadata.name).toBe('reviews.default.svc.cluster.local');
    expect(profile.spec).toEqual({
      routes: [
        // the policy overrides the timeout and keeps the release's retries (it does not set any)
        { name: 'api', condition: { any: [{ pathRegex: '/api\\.v1(/.*)?' }, { method: 'GET' }] }, timeout: '1s', isRetryable: true },
        { name: 'canary-split', condition: { pathRegex: '.*' }, timeout: '2s', isRetryable: true },
      ],
      retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
    });
  });

  test('the cluster domain is part of the ServiceProfile name', () => {
    const c = chart('default');
    new CanaryRelease(c, 'reviews', reviews(smi({ clusterDomain: 'prod.example' }), { timeout: Duration.seconds(2) }));
    expect(one(Testing.synth(c), 'ServiceProfile').metadata.name).toBe('reviews.default.svc.prod.example');
  });
});

describe('what Linkerd cannot express is a synth-time error', () => {
  const ALL_APIS: [string, () => Mesh][] = [
    ['gateway-api', () => linkerd()],
    ['policy', () => linkerd({ routingApi: LinkerdRoutingApi.POLICY })],
    ['smi', () => smi()],
  ];

  test.each(ALL_APIS)('mirroring requests (%s)', (_api, mesh) => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(mesh(), { mirrorPercent: 10 })))
      .toThrow(/^test\/reviews: Linkerd.* cannot express mirroring requests; Linkerd has no request mirroring; use MeshProvider\.istio\(\)/);
  });

  test('header matches through SMI', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(smi(), { canaryMatches: [RequestMatch.header('end-user', 'jason')] })))
      .toThrow(/test\/reviews: Linkerd SMI \(split\.smi-spec\.io\/v1alpha1 TrafficSplit\) cannot express header matches through SMI; .*LinkerdRoutingApi\.GATEWAY_API/);
  });

  test('path matches through SMI', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(smi(), { canaryMatches: [RequestMatch.pathPrefix('/beta')] })))
      .toThrow(/cannot express request matches through SMI/);
  });

  test('a ServiceProfile route on headers', () => {
    const release = new CanaryRelease(chart('bookinfo'), 'reviews', reviews(smi()));
    expect(() => new RoutePolicy(release.node.scope!, 'by-header', { host: release, matches: [RequestMatch.header('x-test', '1')], timeout: Duration.seconds(1) }))
      .toThrow(/test\/by-header: .* cannot express a ServiceProfile route on headers or query parameters; match on method and path only/);
  });

  test('a retry count, a per-try timeout or other conditions in a ServiceProfile', () => {
    const c = chart('bookinfo');
    expect(() => new CanaryRelease(c, 'a', reviews(smi(), { serviceName: 'a', retries: { attempts: 2 } })))
      .toThrow(/cannot express a retry count in a ServiceProfile; .*set retries\.budget/);
    expect(() => new CanaryRelease(c, 'b', reviews(smi(), { serviceName: 'b', retries: { perTryTimeout: Duration.seconds(1) } })))
      .toThrow(/cannot express a per-try timeout in a ServiceProfile/);
    expect(() => new CanaryRelease(c, 'd', reviews(smi(), { serviceName: 'd', retries: { retryOn: [HttpRetryOn.RESET] } })))
      .toThrow(/cannot express retrying on reset in a ServiceProfile; .*HttpRetryOn\.SERVER_ERROR/);
  });

  test('two retry budgets on one ServiceProfile', () => {
    const c = chart('default');
    const release = new CanaryRelease(c, 'reviews', reviews(smi(), { retries: { budget: { retryRatio: 0.1 } } }));
    new RoutePolicy(c, 'get', { host: release, matches: [RequestMatch.of({ method: HttpMethod.GET })], retries: { budget: { retryRatio: 0.3 } } });
    expect(() => Testing.synth(c)).toThrow(/Linkerd cannot express different retry budgets for one host/);
  });

  test('a ServiceProfile needs the host\'s namespace', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviews(smi(), { timeout: Duration.seconds(1) }));
    expect(() => Testing.synth(c)).toThrow(/test\/reviews: a ServiceProfile is named after the host's FQDN .*'namespace' \(undefined\) must be set/);
  });

  test('retries on an HTTPRoute before 2.16 (they need a ServiceProfile, which would override the route)', () => {
    for (const routingApi of [LinkerdRoutingApi.GATEWAY_API, LinkerdRoutingApi.POLICY]) {
      expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(linkerd({ version: LinkerdVersion.V2_15, routingApi }), { retries: { attempts: 2 } })))
        .toThrow(/cannot express retries on an HTTPRoute before Linkerd 2\.16 \(targeting Linkerd 2\.15\); .*LinkerdRoutingApi\.SMI/);
    }
  });

  test('a timeout on a Gateway API HTTPRoute before 2.16; the policy HTTPRoute has them from 2.14', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(linkerd({ version: LinkerdVersion.V2_15 }), { timeout: Duration.seconds(2) })))
      .toThrow(/cannot express a request timeout on this HTTPRoute kind before Linkerd 2\.16 .*LinkerdRoutingApi\.POLICY/);
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(linkerd({ version: LinkerdVersion.V2_14, routingApi: LinkerdRoutingApi.POLICY }), { timeout: Duration.seconds(2) })))
      .not.toThrow();
  });

  test('a retry budget or connection-level conditions with retry annotations', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(linkerd(), { retries: { budget: {} } })))
      .toThrow(/cannot express a retry budget with retry annotations; set retries\.attempts/);
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(linkerd(), { retries: { retryOn: [HttpRetryOn.CONNECT_FAILURE, HttpRetryOn.SERVER_ERROR] } })))
      .toThrow(/cannot express retrying on connect-failure; retry\.linkerd\.io\/http retries by response status/);
  });

  test('different retries for the routes of one HTTPRoute', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviews(linkerd()));
    new RoutePolicy(c, 'get', { host: release, matches: [RequestMatch.of({ method: HttpMethod.GET })], retries: { attempts: 2 } });
    expect(() => Testing.synth(c)).toThrow(/test\/reviews: Linkerd cannot express different retries for the routes of one host; .*routes 'get' \(test\/get\) and 'canary-split'/);
  });

  test('header prefix matches (Gateway API has none)', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviews(linkerd({ routingApi: LinkerdRoutingApi.POLICY }), {
      canaryMatches: [RequestMatch.of({ headers: [HeaderMatch.prefix('user-agent', 'curl')] })],
    }))).toThrow(/cannot express a prefix match on header 'user-agent'/);
  });

  test('a retry budget on Istio', () => {
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviewsCanary('istio', { retries: { budget: {} } })))
      .toThrow(/Istio \(networking\.istio\.io\/v1\) cannot express a retry budget; .*retries\.attempts/);
  });
});

describe('MeshProvider.linkerd options', () => {
  test('versions', () => {
    expect(LinkerdVersion.of('2.16').minor).toBe(16);
    expect(LinkerdVersion.of('2.17.3').version).toBe('2.17');
    for (const bad of ['2', '3.1', 'edge-24.11.8', '2.9', 'latest']) {
      expect(() => LinkerdVersion.of(bad)).toThrow(new RegExp(`LinkerdVersion.of: 'version' \\(${JSON.stringify(bad).replace(/\./g, '\\.')}\\) must be a Linkerd 2 release from 2\\.10 on`));
    }
  });

  test('rejects options for another routing API, HTTPRoutes before 2.14 and a bad cluster domain', () => {
    expect(() => MeshProvider.linkerd({ smiApiVersion: SmiApiVersion.V1ALPHA2 }))
      .toThrow(/MeshProvider.linkerd: 'smiApiVersion' \("v1alpha2"\) must be used only with routingApi LinkerdRoutingApi.SMI \(routingApi is "gateway-api"\)/);
    expect(() => MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.SMI, gatewayApiVersion: GatewayApiVersion.V1 }))
      .toThrow(/'gatewayApiVersion' \("v1"\) must be used only with routingApi LinkerdRoutingApi.GATEWAY_API/);
    expect(() => MeshProvider.linkerd({ version: LinkerdVersion.of('2.12') }))
      .toThrow(/'routingApi' \("gateway-api"\) must be LinkerdRoutingApi.SMI for Linkerd 2.12: HTTPRoutes for mesh traffic need Linkerd 2.14 or later/);
    expect(() => MeshProvider.linkerd({ clusterDomain: 'Cluster_Local' })).toThrow(/'clusterDomain' \("Cluster_Local"\) must be a DNS name/);
    expect(MeshProvider.linkerd({ version: LinkerdVersion.of('2.12'), routingApi: LinkerdRoutingApi.SMI }).name).toBe('linkerd');
  });

  test('configurations with different APIs are different providers on one host', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviews(linkerd()));
    expect(() => new RoutePolicy(c, 'p', {
      host: ServiceHost.fromAttributes({ mesh: smi(), serviceName: 'reviews', port: 9080 }), timeout: Duration.seconds(1),
    })).toThrow(/every construct on one host must use the same mesh provider/);
  });
});

itValidates('the seeds\' Linkerd objects pass the upstream schemas (linkerd, linkerd-smi, Gateway API)', () => {
  const sets: Record<string, any[]> = {};
  for (const [name, mesh] of [['smi-v1alpha1', smi()], ['smi-v1alpha2', smi({ smiApiVersion: SmiApiVersion.V1ALPHA2 })]] as const) {
    const c = chart('default');
    const release = new CanaryRelease(c, 'reviews', reviews(mesh, { timeout: Duration.seconds(10), retries: { budget: {} } }));
    new RoutePolicy(c, 'get-review', {
      host: release,
      description: 'GET /reviews/{id}',
      matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.regex('/reviews/[^/]*') }), RequestMatch.pathPrefix('/api')],
      timeout: Duration.seconds(5),
    });
    sets[name] = Testing.synth(c);
  }
  const c = chart('bookinfo');
  new CanaryRelease(c, 'reviews', reviews(linkerd({ version: LinkerdVersion.V2_16 }), {
    retries: { attempts: 3, perTryTimeout: Duration.millis(500), retryOn: [HttpRetryOn.GATEWAY_ERROR] },
    // a regex header (a regex path could not be kept ahead of the split: its precedence is the implementation's)
    canaryMatches: [RequestMatch.of({ headers: [HeaderMatch.regex('user-agent', '.*Firefox.*')], path: PathMatch.prefix('/v2') })],
  }));
  sets['gateway-api-v1beta1-retries'] = Testing.synth(c);
  expectValid(sets);
});

test('CanaryVersion.fromLabels works on Linkerd when per-version Services are created', () => {
  const c = chart('bookinfo');
  new CanaryRelease(c, 'reviews', reviews(linkerd(), {
    stable: CanaryVersion.fromLabels('v1', { app: 'reviews', version: 'v1' }),
    canary: CanaryVersion.fromLabels('v2', { app: 'reviews', version: 'v2' }),
  }));
  const out = Testing.synth(c);
  expect(ofKind(out, 'Deployment')).toEqual([]);
  expect(one(out, 'Service', 'reviews-v1').spec.selector).toEqual({ app: 'reviews', version: 'v1' });
});
