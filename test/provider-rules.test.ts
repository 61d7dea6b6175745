/**
 * What each construct must emit on each provider configuration of the matrix (PROVIDERS), stated
 * as rules: which kinds, with which apiVersion, names and namespaces, and the fields that carry the
 * meaning (weights, subsets, backends, retries and timeouts, selectors, modes). The scenarios are
 * in support/scenarios.ts; snapshots.test.ts records their mesh objects for review.
 */
import { PROVIDERS, capsOf, one, ofKind, validationTargetOf } from './support/fixtures';
import { addedOrChanged, expressible, meshMetadata, meshObjects, SCENARIOS, synthOf } from './support/scenarios';
import { expectValid, itValidates, ValidationTarget } from './support/validator';

type Metadata = { labels?: Record<string, string>; annotations?: Record<string, string> };

/** What a provider configuration emits, written out here rather than read from src/. */
interface Rules {
  /**
   * How the mesh routes: Istio's VirtualService + DestinationRule, a Gateway API HTTPRoute
   * attached to the Service (GAMMA), Linkerd's own HTTPRoute, or an SMI TrafficSplit.
   */
  readonly routing: 'istio' | 'gamma' | 'linkerd-policy' | 'smi';
  /** apiVersion of the mesh's routing objects */
  readonly routingApi: string;
  /** apiVersion of the ingress Gateway and the routes attached to it */
  readonly ingressApi: string;
  /** apiVersion of the DestinationRule that Istio keeps next to GAMMA routes for circuit breaking */
  readonly destinationRuleApi?: string;
  /** apiVersion of Istio's PeerAuthentication and AuthorizationPolicy */
  readonly istioSecurityApi?: string;
  /** the Linkerd release (2.<minor>) and the apiVersion of the Server it serves */
  readonly linkerd?: { readonly minor: number; readonly serverApi: string };
  /** what the mesh reads on a pod template: injection and proxy sizing */
  readonly podMetadata: Metadata;
  /**
   * Whether Gateway API rules carry `name` (mesh routes, ingress routes): only where the targeted
   * Gateway API serves it (standard from v1.4) and the mesh honours it (Linkerd: v1.2.1 fields only)
   */
  readonly ruleNames?: { readonly mesh: boolean; readonly ingress: boolean };
}
const NAMED = { mesh: true, ingress: true };
const UNNAMED = { mesh: false, ingress: false };

const ISTIO_PROXY = {
  'sidecar.istio.io/proxyCPU': '100m',
  'sidecar.istio.io/proxyCPULimit': '2000m',
  'sidecar.istio.io/proxyMemory': '256Mi',
  'sidecar.istio.io/proxyMemoryLimit': '1Gi',
};
const ISTIO_SIDECAR: Metadata = { labels: { 'sidecar.istio.io/inject': 'true' }, annotations: ISTIO_PROXY };
const LINKERD_PROXY: Metadata = {
  annotations: {
    'linkerd.io/inject': 'enabled',
    'config.linkerd.io/proxy-cpu-request': '100m',
    'config.linkerd.io/proxy-cpu-limit': '2000m',
    'config.linkerd.io/proxy-memory-request': '256Mi',
    'config.linkerd.io/proxy-memory-limit': '1Gi',
  },
};
const GATEWAY_V1 = 'gateway.networking.k8s.io/v1';
const GATEWAY_V1BETA1 = 'gateway.networking.k8s.io/v1beta1';

const RULES: Record<string, Rules> = {
  'istio': {
    routing: 'istio', routingApi: 'networking.istio.io/v1', ingressApi: 'networking.istio.io/v1', istioSecurityApi: 'security.istio.io/v1', podMetadata: ISTIO_SIDECAR,
  },
  // Istio before 1.22 serves neither networking.istio.io/v1 nor security.istio.io/v1
  'istio-v1beta1': {
    routing: 'istio',
    routingApi: 'networking.istio.io/v1beta1',
    ingressApi: 'networking.istio.io/v1beta1',
    istioSecurityApi: 'security.istio.io/v1beta1',
    podMetadata: ISTIO_SIDECAR,
  },
  // the revision label instead of the injection label: pods join that revision's control plane
  'istio-revision': {
    routing: 'istio',
    routingApi: 'networking.istio.io/v1',
    ingressApi: 'networking.istio.io/v1',
    istioSecurityApi: 'security.istio.io/v1',
    podMetadata: { labels: { 'istio.io/rev': '1-24-0' }, annotations: ISTIO_PROXY },
  },
  // Istio 1.24 (the default install of earlier versions): the same v1 APIs
  'istio-1-24': {
    routing: 'istio', routingApi: 'networking.istio.io/v1', ingressApi: 'networking.istio.io/v1', istioSecurityApi: 'security.istio.io/v1', podMetadata: ISTIO_SIDECAR,
  },
  'istio-gateway-api': {
    routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, destinationRuleApi: 'networking.istio.io/v1', istioSecurityApi: 'security.istio.io/v1', podMetadata: ISTIO_SIDECAR, ruleNames: NAMED,
  },
  // Istio 1.24 with the Gateway API it is built against (v1.2.1, standard channel): no rules[].name (v1.4)
  'istio-gateway-api-1-24': {
    routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, destinationRuleApi: 'networking.istio.io/v1', istioSecurityApi: 'security.istio.io/v1', podMetadata: ISTIO_SIDECAR, ruleNames: UNNAMED,
  },
  // Istio 1.28 on a cluster with Gateway API v1.3: mirror percent yes (v1.3), rules[].name no (v1.4)
  'istio-gateway-api-1-28-v1-3': {
    routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, destinationRuleApi: 'networking.istio.io/v1', istioSecurityApi: 'security.istio.io/v1', podMetadata: ISTIO_SIDECAR, ruleNames: UNNAMED,
  },
  'istio-gateway-api-experimental': {
    routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, destinationRuleApi: 'networking.istio.io/v1', istioSecurityApi: 'security.istio.io/v1', podMetadata: ISTIO_SIDECAR, ruleNames: NAMED,
  },
  // any GAMMA mesh: injection is left to the mesh's namespace configuration
  'gateway-api': { routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, podMetadata: {}, ruleNames: NAMED },
  'gateway-api-v1beta1': { routing: 'gamma', routingApi: GATEWAY_V1BETA1, ingressApi: GATEWAY_V1BETA1, podMetadata: {}, ruleNames: NAMED },
  // a cluster with Gateway API v1.1: no timeouts (v1.2), no mirror percent (v1.3), no rule names (v1.4)
  'gateway-api-v1-1': { routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, podMetadata: {}, ruleNames: UNNAMED },
  // Linkerd reads gateway.networking.k8s.io/v1 HTTPRoutes from 2.18, v1beta1 before; ingress routes are
  // read by the gateway implementation and stay v1. Linkerd 2.18-2.20 honour Gateway API v1.2.1 only
  // (2.15-2.17: v1.1.1), so no rules[].name; the default Gateway API of the cluster is that release.
  'linkerd': {
    routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, linkerd: { minor: 20, serverApi: 'policy.linkerd.io/v1beta3' }, podMetadata: LINKERD_PROXY, ruleNames: UNNAMED,
  },
  'linkerd-2-18': {
    routing: 'gamma', routingApi: GATEWAY_V1, ingressApi: GATEWAY_V1, linkerd: { minor: 18, serverApi: 'policy.linkerd.io/v1beta3' }, podMetadata: LINKERD_PROXY, ruleNames: UNNAMED,
  },
  'linkerd-2-15': {
    routing: 'gamma', routingApi: GATEWAY_V1BETA1, ingressApi: GATEWAY_V1, linkerd: { minor: 15, serverApi: 'policy.linkerd.io/v1beta2' }, podMetadata: LINKERD_PROXY, ruleNames: UNNAMED,
  },
  'linkerd-policy': {
    routing: 'linkerd-policy',
    routingApi: 'policy.linkerd.io/v1beta3',
    ingressApi: GATEWAY_V1,
    linkerd: { minor: 20, serverApi: 'policy.linkerd.io/v1beta3' },
    podMetadata: LINKERD_PROXY,
    ruleNames: UNNAMED,
  },
  'linkerd-policy-2-14': {
    routing: 'linkerd-policy',
    routingApi: 'policy.linkerd.io/v1beta3',
    ingressApi: GATEWAY_V1,
    linkerd: { minor: 14, serverApi: 'policy.linkerd.io/v1beta1' },
    podMetadata: LINKERD_PROXY,
    ruleNames: UNNAMED,
  },
  'linkerd-smi': {
    routing: 'smi', routingApi: 'split.smi-spec.io/v1alpha1', ingressApi: GATEWAY_V1, linkerd: { minor: 14, serverApi: 'policy.linkerd.io/v1beta1' }, podMetadata: LINKERD_PROXY, ruleNames: UNNAMED,
  },
  'linkerd-smi-v1alpha2': {
    routing: 'smi', routingApi: 'split.smi-spec.io/v1alpha2', ingressApi: GATEWAY_V1, linkerd: { minor: 20, serverApi: 'policy.linkerd.io/v1beta3' }, podMetadata: LINKERD_PROXY, ruleNames: UNNAMED,
  },
};

type Row = Rules & { readonly provider: string };
const ROWS: Row[] = Object.entries(RULES).map(([provider, rules]) => ({ provider, ...rules }));
const rows = (pred: (r: Row) => boolean): Row[] => ROWS.filter(pred);

/** `<apiVersion> <kind> <namespace>/<name>` of each object, sorted. */
function inventory(manifests: any[]): string[] {
  return manifests.map(m => `${m.apiVersion} ${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`).sort();
}

/** Exactly these objects (`<apiVersion> <kind> <namespace>/<name>`), in any order. */
function expectObjects(manifests: any[], expected: string[]): void {
  expect(inventory(manifests)).toEqual([...expected].sort());
}

/** The mesh objects a scenario synthesizes on a provider. */
const meshObjectsOf = (scenario: string, provider: string) => meshObjects(synthOf(scenario, provider));
/** What a construct added to the canary adds or changes. */
const addedBy = (scenario: string, provider: string) => addedOrChanged(SCENARIOS[scenario].base!(provider), synthOf(scenario, provider));

const SPLIT_90_10 = [{ name: 'reviews-v1', port: 9080, weight: 90 }, { name: 'reviews-v2', port: 9080, weight: 10 }];
const JASON = [{ headers: [{ name: 'end-user', type: 'Exact', value: 'jason' }] }];
const REVIEWS_SUBSETS = [{ name: 'v1', labels: { app: 'reviews', version: 'v1' } }, { name: 'v2', labels: { app: 'reviews', version: 'v2' } }];
const SERVICE_PARENT = (name: string) => [{ group: '', kind: 'Service', name, port: 9080 }];
const LINKERD_RETRIES = { 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '3', 'retry.linkerd.io/timeout': '3s' };
const ISTIO_BREAKER = {
  connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 1 } },
  outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: '30s' },
};

test('every provider configuration of the matrix has its rules written here', () => {
  expect(Object.keys(RULES).sort()).toEqual(Object.keys(PROVIDERS).sort());
});

describe('capability errors', () => {
  for (const [scenario, { notExpressible }] of Object.entries(SCENARIOS)) {
    if (!notExpressible) continue;
    for (const provider of Object.keys(PROVIDERS).filter(p => !expressible(scenario, p))) {
      test(`${scenario} on ${provider} fails at synth time with ${notExpressible.error}, never a dropped setting`, () => {
        expect(() => SCENARIOS[scenario].synth(provider)).toThrow(notExpressible.error);
      });
    }
  }
});

describe('CanaryRelease', () => {
  for (const { provider, routingApi } of rows(r => r.routing === 'istio')) {
    test(`${provider}: a ${routingApi} DestinationRule reviews with subsets v1/v2 by version label, and a VirtualService reviews: end-user: jason to v2, `
      + 'then v1 90 / v2 10 with 5 % mirrored to v2, a 10s timeout on both routes', () => {
      const out = meshObjectsOf('CanaryRelease', provider);
      expectObjects(out, [`${routingApi} DestinationRule bookinfo/reviews`, `${routingApi} VirtualService bookinfo/reviews`]);
      expect(one(out, 'DestinationRule').spec).toEqual({ host: 'reviews', subsets: REVIEWS_SUBSETS });
      expect(one(out, 'VirtualService').spec).toEqual({
        hosts: ['reviews'],
        http: [
          {
            name: 'canary-match',
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            route: [{ destination: { host: 'reviews', subset: 'v2' } }],
            timeout: '10s',
          },
          {
            name: 'canary-split',
            route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }],
            mirror: { host: 'reviews', subset: 'v2' },
            mirrorPercentage: { value: 5 },
            timeout: '10s',
          },
        ],
      });
    });
  }

  for (const { provider, routing, routingApi, ruleNames } of rows(r => r.routing === 'gamma' || r.routing === 'linkerd-policy')) {
    const named = routing === 'gamma' && ruleNames!.mesh;
    test(`${provider}: one ${routingApi} HTTPRoute reviews attached to Service reviews:9080: end-user: jason to reviews-v2, `
      + `then reviews-v1 90 / reviews-v2 10${named ? ', rules named canary-match and canary-split' : ', rules unnamed (no name field in that schema, or the target does not honour it)'}`, () => {
      const out = meshObjectsOf('CanaryRelease', provider);
      expectObjects(out, [`${routingApi} HTTPRoute bookinfo/reviews`]);
      const route = one(out, 'HTTPRoute');
      expect(route.spec.parentRefs).toEqual(SERVICE_PARENT('reviews'));
      expect(route.spec.rules).toHaveLength(2);
      const [match, split] = route.spec.rules;
      expect(match.matches).toEqual(JASON);
      expect(match.backendRefs).toEqual([{ name: 'reviews-v2', port: 9080 }]);
      expect(split.matches).toBeUndefined();
      expect(split.backendRefs).toEqual(SPLIT_90_10);
      expect(route.spec.rules.map((r: any) => r.name)).toEqual(named ? ['canary-match', 'canary-split'] : [undefined, undefined]);
    });

    const caps = capsOf(provider);
    test(caps.mirror ? `${provider}: 5 % of the split is mirrored to reviews-v2 by a RequestMirror filter; the header route is not mirrored`
      : `${provider}: no mirroring asked (the provider has none), no filters`, () => {
      const [match, split] = one(meshObjectsOf('CanaryRelease', provider), 'HTTPRoute').spec.rules;
      expect(match.filters).toBeUndefined();
      expect(split.filters).toEqual(caps.mirror ? [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 }, percent: 5 } }] : undefined);
    });

    test(caps.timeout ? `${provider}: the 10s timeout is timeouts.request on both rules`
      : `${provider}: no timeout asked (this Linkerd ignores HTTPRoute timeouts), no timeouts field`, () => {
      const rules = one(meshObjectsOf('CanaryRelease', provider), 'HTTPRoute').spec.rules;
      expect(rules.map((r: any) => r.timeouts)).toEqual(caps.timeout ? [{ request: '10s' }, { request: '10s' }] : [undefined, undefined]);
    });

    const linkerdRetries = provider.startsWith('linkerd') && caps.retries !== undefined;
    test(linkerdRetries ? `${provider}: retries are retry.linkerd.io annotations on the HTTPRoute: on 5xx, at most 3, 3s per try`
      : `${provider}: no retries asked, no retry annotations or fields`, () => {
      const route = one(meshObjectsOf('CanaryRelease', provider), 'HTTPRoute');
      expect(route.metadata.annotations).toEqual(linkerdRetries ? LINKERD_RETRIES : undefined);
      for (const rule of route.spec.rules) expect(rule.retry).toBeUndefined();
    });
  }

  for (const { provider, routingApi } of rows(r => r.routing === 'smi')) {
    test(`${provider}: a ${routingApi} TrafficSplit reviews-split of Service reviews, reviews-v1 900 / reviews-v2 100 (per mille), and a linkerd.io/v1alpha2 `
      + 'ServiceProfile reviews.bookinfo.svc.cluster.local with the retry budget and a 10s timeout on a catch-all route; no header route (SMI cannot match)', () => {
      const out = meshObjectsOf('CanaryRelease', provider);
      expectObjects(out, [
        'linkerd.io/v1alpha2 ServiceProfile bookinfo/reviews.bookinfo.svc.cluster.local',
        `${routingApi} TrafficSplit bookinfo/reviews-split`,
      ]);
      expect(one(out, 'TrafficSplit').spec).toEqual({ service: 'reviews', backends: [{ service: 'reviews-v1', weight: 900 }, { service: 'reviews-v2', weight: 100 }] });
      expect(one(out, 'ServiceProfile').spec).toEqual({
        retryBudget: { retryRatio: 0.25, minRetriesPerSecond: 5, ttl: '10s' },
        routes: [{ name: 'canary-split', condition: { pathRegex: '.*' }, isRetryable: true, timeout: '10s' }],
      });
    });
  }

  for (const { provider, routing } of ROWS) {
    const services = routing === 'istio' ? ['reviews'] : ['reviews', 'reviews-v1', 'reviews-v2'];
    test(`${provider}: ${routing === 'istio' ? 'routes to subsets of the one Service reviews' : 'routes to per-version Services reviews-v1 and reviews-v2 beside Service reviews'}; `
      + 'Deployments reviews-v1 and reviews-v2 carry app and version labels', () => {
      const out = synthOf('CanaryRelease', provider);
      expect(ofKind(out, 'Service').map(s => s.metadata.name)).toEqual(services);
      for (const version of ['v1', 'v2']) {
        const deployment = one(out, 'Deployment', `reviews-${version}`);
        expect(deployment.metadata.namespace).toBe('bookinfo');
        expect(deployment.spec.selector.matchLabels).toEqual({ app: 'reviews', version });
      }
      for (const name of services.slice(1)) {
        expect(one(out, 'Service', name).spec.selector).toEqual({ app: 'reviews', version: name.slice('reviews-'.length) });
      }
    });
  }
});

describe('MeshWorkload', () => {
  for (const { provider, podMetadata } of ROWS) {
    const how = podMetadata.labels?.['istio.io/rev'] ? 'the istio.io/rev label of its control-plane revision'
      : podMetadata.labels ? 'the sidecar.istio.io/inject label'
        : podMetadata.annotations ? 'the linkerd.io/inject annotation' : undefined;
    test(how ? `${provider}: no mesh objects; the pods join the mesh by ${how}, the proxy sized 100m/256Mi requested, 2000m/1Gi limits`
      : `${provider}: no mesh objects and no mesh metadata (injection is the mesh's namespace configuration)`, () => {
      const out = synthOf('MeshWorkload', provider);
      expect(meshObjects(out)).toEqual([]);
      expect(meshMetadata(one(out, 'Deployment', 'ratings-v1'))).toEqual(podMetadata);
    });

    test(`${provider}: Deployment ratings-v1 in bookinfo selects app: ratings, version: v1 and runs as its own ServiceAccount ratings-v1 (its mesh identity)`, () => {
      const out = synthOf('MeshWorkload', provider);
      const deployment = one(out, 'Deployment', 'ratings-v1');
      expect(deployment.metadata.namespace).toBe('bookinfo');
      expect(deployment.spec.selector.matchLabels).toEqual({ app: 'ratings', version: 'v1' });
      expect(deployment.spec.template.spec.serviceAccountName).toBe('ratings-v1');
      expect(one(out, 'ServiceAccount', 'ratings-v1').metadata.namespace).toBe('bookinfo');
    });
  }
});

describe('RoutePolicy', () => {
  for (const { provider, routingApi } of rows(r => r.routing === 'istio')) {
    test(`${provider}: a ${routingApi} VirtualService ratings for host ratings, one route named default with a 3s timeout; no DestinationRule (no subsets)`, () => {
      const out = meshObjectsOf('RoutePolicy', provider);
      expectObjects(out, [`${routingApi} VirtualService bookinfo/ratings`]);
      expect(one(out, 'VirtualService').spec).toEqual({ hosts: ['ratings'], http: [{ name: 'default', route: [{ destination: { host: 'ratings' } }], timeout: '3s' }] });
    });
  }

  for (const { provider, routing, routingApi, ruleNames } of rows(r => (r.routing === 'gamma' || r.routing === 'linkerd-policy') && expressible('RoutePolicy', r.provider))) {
    const named = routing === 'gamma' && ruleNames!.mesh;
    test(`${provider}: a ${routingApi} HTTPRoute ratings attached to Service ratings:9080, one rule${named ? ' named default' : ''} to ratings:9080 with timeouts.request 3s`, () => {
      const out = meshObjectsOf('RoutePolicy', provider);
      expectObjects(out, [`${routingApi} HTTPRoute bookinfo/ratings`]);
      expect(one(out, 'HTTPRoute').spec).toEqual({
        parentRefs: SERVICE_PARENT('ratings'),
        rules: [{ ...(named && { name: 'default' }), backendRefs: [{ name: 'ratings', port: 9080 }], timeouts: { request: '3s' } }],
      });
    });
  }

  for (const { provider } of rows(r => r.routing === 'smi')) {
    test(`${provider}: a linkerd.io/v1alpha2 ServiceProfile ratings.bookinfo.svc.cluster.local with one catch-all route (pathRegex .*) and a 3s timeout; no TrafficSplit`, () => {
      const out = meshObjectsOf('RoutePolicy', provider);
      expectObjects(out, ['linkerd.io/v1alpha2 ServiceProfile bookinfo/ratings.bookinfo.svc.cluster.local']);
      expect(one(out, 'ServiceProfile').spec).toEqual({ routes: [{ name: 'default', condition: { pathRegex: '.*' }, timeout: '3s' }] });
    });
  }
});

describe('CircuitBreaker', () => {
  for (const { provider, routingApi } of rows(r => r.routing === 'istio')) {
    test(`${provider}: the breaker joins the canary's ${routingApi} DestinationRule reviews (still one, subsets kept): at most 100 connections and 1 pending `
      + 'HTTP/1 request, a backend ejected for 30s after 5 consecutive 5xx; the VirtualService unchanged', () => {
      expectObjects(meshObjectsOf('CircuitBreaker', provider), [`${routingApi} DestinationRule bookinfo/reviews`, `${routingApi} VirtualService bookinfo/reviews`]);
      const changed = addedBy('CircuitBreaker', provider);
      expectObjects(changed, [`${routingApi} DestinationRule bookinfo/reviews`]);
      expect(one(changed, 'DestinationRule').spec).toEqual({ host: 'reviews', subsets: REVIEWS_SUBSETS, trafficPolicy: ISTIO_BREAKER });
    });
  }

  for (const { provider, routingApi, destinationRuleApi } of rows(r => r.routing === 'gamma' && capsOf(r.provider).circuitBreaker === 'istio')) {
    test(`${provider}: ${destinationRuleApi} DestinationRules without subsets (versions are per-version Services) with the same trafficPolicy `
      + `for reviews and for each routed-to host reviews-v1, reviews-v2 (a DestinationRule applies to its own host only), next to the canary's unchanged ${routingApi} HTTPRoute`, () => {
      const rules = ['reviews', 'reviews-v1', 'reviews-v2'].map(h => `${destinationRuleApi} DestinationRule bookinfo/${h}`);
      expectObjects(meshObjectsOf('CircuitBreaker', provider), [...rules, `${routingApi} HTTPRoute bookinfo/reviews`]);
      const added = addedBy('CircuitBreaker', provider);
      expectObjects(added, rules);
      expect(added.map(d => d.spec)).toEqual(['reviews', 'reviews-v1', 'reviews-v2'].map(host => ({ host, trafficPolicy: ISTIO_BREAKER })));
    });
  }

  for (const { provider } of rows(r => capsOf(r.provider).circuitBreaker === 'linkerd')) {
    test(`${provider}: failure accrual as balancer.linkerd.io annotations on Service reviews (consecutive, 5 failures, 30s minimum penalty); `
      + 'no mesh object added or changed', () => {
      const changed = addedBy('CircuitBreaker', provider);
      expectObjects(changed, ['v1 Service bookinfo/reviews']);
      expect(changed[0].metadata.annotations).toEqual({
        'balancer.linkerd.io/failure-accrual': 'consecutive',
        'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '5',
        'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '30s',
      });
    });
  }
});

describe('IngressGateway and GatewayRoute', () => {
  for (const { provider, ingressApi } of rows(r => r.routing === 'istio')) {
    test(`${provider}: an Istio ${ingressApi} Gateway bookinfo-gateway on the istio: ingressgateway pods, HTTP :80 redirecting to HTTPS and HTTPS :443 `
      + 'for bookinfo.example.com terminating with secret bookinfo-tls, which a cert-manager.io/v1 Certificate from ClusterIssuer letsencrypt fills beside the gateway pods (istio-system)', () => {
      const added = addedBy('IngressGateway', provider);
      expectObjects(added, [
        // Istio reads credentialName in the gateway workload's namespace (pilot/pkg/model/credentials)
        'cert-manager.io/v1 Certificate istio-system/bookinfo-tls',
        `${ingressApi} Gateway bookinfo/bookinfo-gateway`,
        `${ingressApi} VirtualService bookinfo/bookinfo`,
      ]);
      expect(one(added, 'Gateway').spec).toEqual({
        selector: { istio: 'ingressgateway' },
        servers: [
          { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'], tls: { httpsRedirect: true } },
          { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['bookinfo.example.com'], tls: { mode: 'SIMPLE', credentialName: 'bookinfo-tls' } },
        ],
      });
      expect(one(added, 'Certificate').spec).toEqual({
        secretName: 'bookinfo-tls',
        dnsNames: ['bookinfo.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' },
      });
    });

    test(`${provider}: VirtualService bookinfo on gateway bookinfo-gateway for bookinfo.example.com sends the productpage paths to productpage:9080 `
      + 'with a 15s timeout, and /reviews, rewritten to / with header changes, to the canary\'s subsets 90/10', () => {
      const vs = one(addedBy('IngressGateway', provider), 'VirtualService');
      expect(vs.spec.gateways).toEqual(['bookinfo-gateway']);
      expect(vs.spec.hosts).toEqual(['bookinfo.example.com']);
      expect(vs.spec.http).toEqual([
        {
          name: 'productpage',
          match: [...['/productpage', '/login', '/logout'].map(exact => ({ uri: { exact } })), ...['/static', '/api/v1/products'].flatMap(p => [{ uri: { exact: p } }, { uri: { prefix: `${p}/` } }])],
          route: [{ destination: { host: 'productpage', port: { number: 9080 } } }],
          timeout: '15s',
        },
        {
          name: 'reviews',
          match: [{ uri: { exact: '/reviews' } }, { uri: { prefix: '/reviews/' } }],
          rewrite: { uri: '/' },
          headers: { request: { set: { 'x-forwarded-by': 'bookinfo-gateway' } }, response: { remove: ['server'] } },
          route: [
            { destination: { host: 'reviews', port: { number: 9080 }, subset: 'v1' }, weight: 90 },
            { destination: { host: 'reviews', port: { number: 9080 }, subset: 'v2' }, weight: 10 },
          ],
        },
      ]);
    });
  }

  for (const { provider, ingressApi, ruleNames } of rows(r => r.routing !== 'istio' && expressible('IngressGateway', r.provider))) {
    const named = <T>(name: string, rule: T) => (ruleNames!.ingress ? { name, ...rule } : rule);
    test(`${provider}: a ${ingressApi} Gateway bookinfo-gateway of class istio, listener http :80 and https :443 for bookinfo.example.com terminating `
      + `with bookinfo-tls (a cert-manager.io/v1 Certificate), routes from all namespaces; two ${ingressApi} HTTPRoutes; the canary's mesh objects unchanged`, () => {
      const added = addedBy('IngressGateway', provider);
      expectObjects(added, [
        'cert-manager.io/v1 Certificate bookinfo/bookinfo-tls',
        `${ingressApi} Gateway bookinfo/bookinfo-gateway`,
        `${ingressApi} HTTPRoute bookinfo/bookinfo`,
        `${ingressApi} HTTPRoute bookinfo/bookinfo-gateway-http-https-redirect`,
      ]);
      const all = { namespaces: { from: 'All' } };
      expect(one(added, 'Gateway').spec).toEqual({
        gatewayClassName: 'istio',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: all },
          {
            name: 'https',
            port: 443,
            protocol: 'HTTPS',
            hostname: 'bookinfo.example.com',
            allowedRoutes: all,
            tls: { mode: 'Terminate', certificateRefs: [{ name: 'bookinfo-tls' }] },
          },
        ],
      });
      expect(one(added, 'Certificate').spec.secretName).toBe('bookinfo-tls');
    });

    test(`${provider}: HTTPRoute bookinfo-gateway-http-https-redirect on the http listener redirects to https with 301; HTTPRoute bookinfo on the https `
      + 'listener sends the productpage paths to productpage:9080 with a 15s timeout and /reviews, rewritten to / with header changes, to reviews-v1 90 / reviews-v2 10', () => {
      const added = addedBy('IngressGateway', provider);
      expect(one(added, 'HTTPRoute', 'bookinfo-gateway-http-https-redirect').spec).toEqual({
        parentRefs: [{ name: 'bookinfo-gateway', sectionName: 'http' }],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      });
      const route = one(added, 'HTTPRoute', 'bookinfo').spec;
      expect(route.parentRefs).toEqual([{ name: 'bookinfo-gateway', sectionName: 'https' }]);
      expect(route.hostnames).toEqual(['bookinfo.example.com']);
      expect(route.rules).toEqual([
        named('productpage', {
          matches: [
            ...['/productpage', '/login', '/logout'].map(value => ({ path: { type: 'Exact', value } })),
            ...['/static', '/api/v1/products'].map(value => ({ path: { type: 'PathPrefix', value } })),
          ],
          backendRefs: [{ name: 'productpage', port: 9080 }],
          timeouts: { request: '15s' },
        }),
        named('reviews', {
          matches: [{ path: { type: 'PathPrefix', value: '/reviews' } }],
          filters: [
            { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-forwarded-by', value: 'bookinfo-gateway' }] } },
            { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['server'] } },
          ],
          backendRefs: SPLIT_90_10,
        }),
      ]);
    });
  }
});

describe('StrictMtlsMigration', () => {
  for (const { provider, istioSecurityApi } of rows(r => r.istioSecurityApi !== undefined)) {
    test(`${provider}: ${istioSecurityApi} PeerAuthentications: default in payments STRICT, default in orders PERMISSIVE, `
      + 'checkout in orders (app: checkout) with port 9090 PERMISSIVE', () => {
      const out = meshObjectsOf('StrictMtlsMigration', provider);
      expectObjects(ofKind(out, 'PeerAuthentication'), [
        `${istioSecurityApi} PeerAuthentication orders/checkout`,
        `${istioSecurityApi} PeerAuthentication orders/default`,
        `${istioSecurityApi} PeerAuthentication payments/default`,
      ]);
      const byNamespace = (ns: string, name: string) => ofKind(out, 'PeerAuthentication').find(p => p.metadata.namespace === ns && p.metadata.name === name).spec;
      expect(byNamespace('payments', 'default')).toEqual({ mtls: { mode: 'STRICT' } });
      expect(byNamespace('orders', 'default')).toEqual({ mtls: { mode: 'PERMISSIVE' } });
      expect(byNamespace('orders', 'checkout')).toEqual({ selector: { matchLabels: { app: 'checkout' } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } });
    });
  }

  for (const { provider, linkerd } of rows(r => r.linkerd !== undefined)) {
    const { minor, serverApi } = linkerd!;
    test(`${provider}: Namespace payments gets default-inbound-policy all-authenticated (STRICT), orders all-unauthenticated (PERMISSIVE), `
      + 'both kept from pruning by Argo CD and Flux', () => {
      const out = meshObjectsOf('StrictMtlsMigration', provider);
      const keep = { 'argocd.argoproj.io/sync-options': 'Prune=false', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' };
      expectObjects(ofKind(out, 'Namespace'), ['v1 Namespace /orders', 'v1 Namespace /payments']);
      expect(one(out, 'Namespace', 'payments').metadata.annotations).toEqual({ ...keep, 'config.linkerd.io/default-inbound-policy': 'all-authenticated' });
      expect(one(out, 'Namespace', 'orders').metadata.annotations).toEqual({ ...keep, 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' });
    });

    test(minor >= 16
      ? `${provider}: checkout's port 9090 stays PERMISSIVE through a ${serverApi} Server checkout-9090 in orders with accessPolicy all-unauthenticated`
      : `${provider}: checkout's port 9090 stays PERMISSIVE through a ${serverApi} Server checkout-9090 in orders authorized for all networks by a `
        + 'v1alpha1 NetworkAuthentication and AuthorizationPolicy (no accessPolicy before Linkerd 2.16)', () => {
      const out = meshObjectsOf('StrictMtlsMigration', provider).filter(o => ['Server', 'NetworkAuthentication', 'AuthorizationPolicy'].includes(o.kind));
      const server = { podSelector: { matchLabels: { app: 'checkout' } }, port: 9090 };
      if (minor >= 16) {
        expectObjects(out, [`${serverApi} Server orders/checkout-9090`]);
        expect(one(out, 'Server').spec).toEqual({ ...server, accessPolicy: 'all-unauthenticated' });
        return;
      }
      expectObjects(out, [
        'policy.linkerd.io/v1alpha1 AuthorizationPolicy orders/checkout-9090',
        'policy.linkerd.io/v1alpha1 NetworkAuthentication orders/checkout-9090',
        `${serverApi} Server orders/checkout-9090`,
      ]);
      expect(one(out, 'Server').spec).toEqual(server);
      expect(one(out, 'NetworkAuthentication').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] });
      expect(one(out, 'AuthorizationPolicy').spec).toEqual({
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'checkout-9090' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'checkout-9090' }],
      });
    });
  }

  for (const { provider, linkerd } of rows(r => expressible('StrictMtlsMigration', r.provider))) {
    const metric = linkerd ? 'Linkerd\'s request_total with tls!="true"' : 'Istio\'s istio_requests_total without mutual_tls';
    test(`${provider}: a monitoring.coreos.com/v1 PrometheusRule migration-plaintext in the chart's namespace alerts (10m, warning) on ${metric} `
      + 'into orders, the namespace not yet STRICT', () => {
      const out = meshObjectsOf('StrictMtlsMigration', provider);
      const rule = one(out, 'PrometheusRule');
      expectObjects([rule], ['monitoring.coreos.com/v1 PrometheusRule security/migration-plaintext']);
      const [alert] = rule.spec.groups.flatMap((g: any) => g.rules);
      expect(rule.spec.groups.flatMap((g: any) => g.rules)).toHaveLength(1);
      expect(alert).toMatchObject({ alert: 'PlaintextRequestsBeforeStrictMtls', for: '10m', labels: { severity: 'warning' } });
      expect(alert.expr).toContain(linkerd ? 'request_total{direction="inbound", tls!="true", namespace=~"orders"}'
        : 'istio_requests_total{reporter="destination", connection_security_policy!="mutual_tls", destination_workload_namespace=~"orders"}');
    });
  }
});

describe('MeshAuthorization', () => {
  for (const { provider, istioSecurityApi } of rows(r => r.istioSecurityApi !== undefined)) {
    test(`${provider}: one ${istioSecurityApi} AuthorizationPolicy reviews-viewer in bookinfo (ALLOW) for app: reviews: productpage's principal `
      + 'cluster.local/ns/bookinfo/sa/productpage may GET /reviews/*, anyone may reach /health', () => {
      const out = meshObjectsOf('MeshAuthorization', provider);
      expectObjects(out, [`${istioSecurityApi} AuthorizationPolicy bookinfo/reviews-viewer`]);
      expect(one(out, 'AuthorizationPolicy').spec).toEqual({
        selector: { matchLabels: { app: 'reviews' } },
        action: 'ALLOW',
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/bookinfo/sa/productpage'] } }],
            to: [{ operation: { methods: ['GET'], paths: ['/reviews/*'] } }],
          },
          { to: [{ operation: { paths: ['/health'] } }] },
        ],
      });
    });
  }

  for (const { provider, linkerd } of rows(r => r.linkerd !== undefined)) {
    const { serverApi } = linkerd!;
    test(`${provider}: a ${serverApi} Server reviews-viewer-9080 for app: reviews port 9080; per allow rule a policy.linkerd.io/v1beta3 HTTPRoute `
      + 'on that Server and a v1alpha1 AuthorizationPolicy requiring productpage\'s ServiceAccount (MeshTLSAuthentication; GET, paths under /reviews/ by regex) '
      + 'or any network (NetworkAuthentication; exactly /health)', () => {
      const out = meshObjectsOf('MeshAuthorization', provider);
      const v1alpha1 = 'policy.linkerd.io/v1alpha1';
      expectObjects(out, [
        `${v1alpha1} AuthorizationPolicy bookinfo/reviews-viewer-probes`,
        `${v1alpha1} AuthorizationPolicy bookinfo/reviews-viewer-productpage`,
        `${v1alpha1} MeshTLSAuthentication bookinfo/reviews-viewer-productpage`,
        `${v1alpha1} NetworkAuthentication bookinfo/reviews-viewer-probes`,
        'policy.linkerd.io/v1beta3 HTTPRoute bookinfo/reviews-viewer-probes',
        'policy.linkerd.io/v1beta3 HTTPRoute bookinfo/reviews-viewer-productpage',
        `${serverApi} Server bookinfo/reviews-viewer-9080`,
      ]);
      expect(one(out, 'Server').spec).toEqual({ podSelector: { matchLabels: { app: 'reviews' } }, port: 9080 });
      const onServer = [{ group: 'policy.linkerd.io', kind: 'Server', name: 'reviews-viewer-9080' }];
      expect(one(out, 'HTTPRoute', 'reviews-viewer-productpage').spec).toEqual({
        parentRefs: onServer, rules: [{ matches: [{ method: 'GET', path: { type: 'RegularExpression', value: '^/reviews/.*$' } }] }],
      });
      expect(one(out, 'HTTPRoute', 'reviews-viewer-probes').spec).toEqual({ parentRefs: onServer, rules: [{ matches: [{ path: { type: 'Exact', value: '/health' } }] }] });
      expect(one(out, 'MeshTLSAuthentication').spec).toEqual({ identityRefs: [{ kind: 'ServiceAccount', name: 'productpage', namespace: 'bookinfo' }] });
      expect(one(out, 'NetworkAuthentication').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] });
      for (const [name, authn] of [['reviews-viewer-productpage', 'MeshTLSAuthentication'], ['reviews-viewer-probes', 'NetworkAuthentication']]) {
        expect(one(out, 'AuthorizationPolicy', name).spec).toEqual({
          targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name },
          requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: authn, name }],
        });
      }
    });
  }
});

describe('upstream schemas', () => {
  itValidates('everything these scenarios synthesize passes the upstream CRD and Kubernetes schemas of the releases each configuration targets', () => {
    const sets: Record<string, any[]> = {};
    const targets: Record<string, ValidationTarget> = {};
    for (const provider of Object.keys(PROVIDERS)) {
      for (const scenario of Object.keys(SCENARIOS).filter(s => expressible(s, provider))) {
        sets[`${scenario}--${provider}`] = synthOf(scenario, provider);
        targets[`${scenario}--${provider}`] = validationTargetOf(provider);
      }
    }
    const result = expectValid(sets, targets);
    const count = Number(/validated (\d+) objects/.exec(result.summary)?.[1]);
    expect(count).toBe(Object.values(sets).reduce((n, docs) => n + docs.length, 0));
  });
});
