/**
 * Issue 16: one release spec, three ways to roll it out — static steps, Flagger, Argo Rollouts —
 * with the same steps and the same analysis, validated against the upstream CRDs (Flagger
 * v1.44.0, Argo Rollouts v1.9.1, Istio, Gateway API) at the releases each provider targets.
 */
import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import { EnvValue } from 'cdk8s-plus-28';
import * as yaml from 'yaml';
import {
  CanaryRelease, CanaryReleaseProps, CanaryVersion, CircuitBreaker, Delivery, H2UpgradePolicy, HttpRetryOn, LoadBalancer, QueryParamMatch,
  RequestMatch, RoutePolicy, UpstreamTls,
} from '../../src';
import { chart, meshOf, ofKind, one, PROVIDERS, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { expectValid } from '../support/validator';

/** The release: bookinfo `reviews`, v1 → v2 in steps [5, 25, 50, 100]. */
function reviews(provider: string, delivery: Delivery, overrides: Partial<CanaryReleaseProps> = {}): { release: CanaryRelease; out: any[] } {
  const c = chart('bookinfo');
  const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery, ...overrides }));
  return { release, out: Testing.synth(c) };
}

const ENGINES: Record<string, () => Delivery> = {
  'static steps': () => Delivery.steps(),
  'Flagger': () => Delivery.flagger(),
  'Argo Rollouts': () => Delivery.argoRollouts({ analysis: {} }),
};

describe('the reviews release [5, 25, 50, 100] as static steps, Flagger and Argo Rollouts, on Istio and on Linkerd (Gateway API routing)', () => {
  // 'linkerd' routes through Gateway API HTTPRoutes (LinkerdRoutingApi.GATEWAY_API, the default).
  for (const provider of ['istio', 'linkerd']) {
    for (const [engine, delivery] of Object.entries(ENGINES)) {
      test(`${engine} on ${provider}: every object passes the validator`, () => {
        const { out } = reviews(provider, delivery());
        expectValid({ [`${provider}-${engine}`]: out }, { [`${provider}-${engine}`]: validationTargetOf(provider) });
      });
    }
  }

  test('static steps: the current step (5 %) as plain routing', () => {
    const { out } = reviews('istio', Delivery.steps());
    expect(one(out, 'VirtualService').spec.http[0].route.map((r: any) => r.weight)).toEqual([95, 5]);
    expect(ofKind(out, 'Deployment').map(d => d.metadata.name)).toEqual(['reviews-v1', 'reviews-v2']);
    expect(ofKind(out, 'Canary')).toEqual([]);
    expect(ofKind(out, 'Rollout')).toEqual([]);
  });

  test.each([['istio', 'istio'], ['linkerd', 'gatewayapi:v1']])('Flagger on %s: a Canary (provider %s) from the same steps, and only what Flagger does not own', (provider, flaggerProvider) => {
    const { out } = reviews(provider, Delivery.flagger());
    const canary = one(out, 'Canary');
    expect(canary.spec.provider).toBe(flaggerProvider);
    expect(canary.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' });
    // The final 100 is Flagger's promotion; the weights before it are the analysis steps.
    expect(canary.spec.analysis).toMatchObject({ interval: '1m', threshold: 5, stepWeights: [5, 25, 50] });
    // Flagger owns the routing objects and the primary/canary Services and Deployment.
    for (const kind of ['VirtualService', 'DestinationRule', 'HTTPRoute', 'TrafficSplit']) expect(ofKind(out, kind)).toEqual([]);
    expect(ofKind(out, 'Service').map(s => s.metadata.name)).toEqual(['reviews']);
    const deployments = ofKind(out, 'Deployment');
    expect(deployments.map(d => d.metadata.name)).toEqual(['reviews']);
    // The Deployment holds the version rolled out (v2); Flagger's primary serves the stable one.
    expect(deployments[0].spec.template.spec.containers[0].image).toContain('reviews-v2');
  });

  test.each(['istio', 'linkerd'])('Argo Rollouts on %s: a Rollout in place of the canary\'s Deployment, setWeight and pause from the same steps', (provider) => {
    const { out } = reviews(provider, Delivery.argoRollouts({ analysis: {} }));
    expect(ofKind(out, 'Deployment')).toEqual([]);
    const rollout = one(out, 'Rollout');
    expect(rollout.spec.replicas).toBe(2);
    expect(rollout.spec.selector).toEqual({ matchLabels: { app: 'reviews' } });
    expect(rollout.spec.template.spec.containers[0].image).toContain('reviews-v2');
    expect(rollout.spec.strategy.canary.steps).toEqual([
      { setWeight: 5 }, { pause: { duration: '1m' } },
      { setWeight: 25 }, { pause: { duration: '1m' } },
      { setWeight: 50 }, { pause: { duration: '1m' } },
    ]);
    expect(rollout.spec.strategy.canary.analysis).toMatchObject({ templates: [{ templateName: 'reviews' }], startingStep: 0 });
  });
});

test('every provider configuration of the matrix: each engine\'s output passes the validator at the releases it targets, or the engine is refused naming both', () => {
  const sets: Record<string, any[]> = {};
  const targets: Record<string, ReturnType<typeof validationTargetOf>> = {};
  const refused: string[] = [];
  for (const provider of Object.keys(PROVIDERS)) {
    const engines: Record<string, () => Delivery> = {
      flagger: () => Delivery.flagger(),
      // analysis where the mesh's metrics are known; pauses on plain Gateway API
      argo: () => Delivery.argoRollouts(provider.startsWith('gateway-api') ? {} : { analysis: {} }),
    };
    for (const [engine, delivery] of Object.entries(engines)) {
      try {
        sets[`${provider}-${engine}`] = reviews(provider, delivery()).out;
        targets[`${provider}-${engine}`] = validationTargetOf(provider);
      } catch (e) {
        expect((e as Error).message).toMatch(/^test\/reviews: 'delivery' \(".*"\) must be an engine that can drive .+: Delivery\.\w+\(\) cannot .+; .+/);
        refused.push(`${provider}-${engine}`);
      }
    }
  }
  // Linkerd's policy.linkerd.io routes have no controller; Argo's plugin reads v1 HTTPRoutes only.
  expect(refused).toEqual(['gateway-api-v1beta1-argo', 'linkerd-2-15-argo', 'linkerd-policy-flagger', 'linkerd-policy-argo', 'linkerd-policy-2-14-flagger', 'linkerd-policy-2-14-argo']);
  expectValid(sets, targets);
});

describe('Flagger', () => {
  test('reproduces the seeds\' Flagger Canary (interval 1m, threshold 5, maxWeight 50, stepWeight 10, success rate ≥ 99 %, duration ≤ 500 ms)', () => {
    // seeds/002 "Automated canary with Flagger", verbatim.
    const seed = yaml.parse(`
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: reviews
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: reviews
  service:
    port: 9080
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
    - name: request-success-rate
      thresholdRange:
        min: 99
      interval: 1m
    - name: request-duration
      thresholdRange:
        max: 500
      interval: 1m
`);
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', {
      mesh: meshOf('istio'),
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
      steps: [10, 20, 30, 40, 50, 100],
      delivery: Delivery.flagger({
        analysis: { interval: Duration.minutes(1), threshold: 5, successRate: 99, maxRequestDuration: Duration.millis(500) },
      }),
    });
    const out = Testing.synth(c);
    const canary = one(out, 'Canary');
    // field by field
    expect(canary.apiVersion).toBe(seed.apiVersion);
    expect(canary.metadata.name).toBe(seed.metadata.name);
    expect(canary.spec.targetRef).toEqual(seed.spec.targetRef);
    expect(canary.spec.service.port).toBe(seed.spec.service.port);
    for (const field of ['interval', 'threshold', 'maxWeight', 'stepWeight']) {
      expect([field, canary.spec.analysis[field]]).toEqual([field, seed.spec.analysis[field]]);
    }
    expect(canary.spec.analysis.metrics).toEqual(seed.spec.analysis.metrics);
    // and the whole seed is contained in it; what the library adds is what Flagger needs to be told
    expect(canary).toMatchObject(seed);
    expect(canary.spec.analysis.stepWeights).toBeUndefined();
    // the analysis defaults are the seed's
    const c2 = chart('bookinfo');
    new CanaryRelease(c2, 'reviews', {
      ...reviewsCanary('istio', { canaryMatches: undefined }), steps: [10, 20, 30, 40, 50, 100], delivery: Delivery.flagger(),
    });
    expect(one(Testing.synth(c2), 'Canary').spec.analysis).toEqual(canary.spec.analysis);
    expectValid({ seed: out }, { seed: validationTargetOf('istio') });
  });

  test('the host\'s circuit breaker, retries and timeout go into the Canary\'s service (Istio), where they survive Flagger\'s reconciliation', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.flagger() }));
    new RoutePolicy(c, 'policy', { host: release, timeout: Duration.seconds(10), retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.GATEWAY_ERROR] } });
    new CircuitBreaker(c, 'breaker', { host: release, connectionPool: { http1MaxPendingRequests: 100 }, outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30) } });
    const out = Testing.synth(c);
    // Flagger's Istio router copies service.retries/timeout into every route of its VirtualService
    // and service.trafficPolicy into both DestinationRules (pkg/router/istio.go).
    expect(one(out, 'Canary').spec.service).toMatchObject({
      retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error' },
      timeout: '10s',
      trafficPolicy: {
        connectionPool: { http: { http1MaxPendingRequests: 100 } },
        outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: '30s' },
      },
    });
    expect(ofKind(out, 'VirtualService')).toEqual([]);
    expect(ofKind(out, 'DestinationRule')).toEqual([]);
    expectValid({ out }, { out: validationTargetOf('istio') });
  });

  test('the whole Istio traffic policy (load balancing, locality, HTTP/2 upgrade, TLS) is valid in the Canary\'s service.trafficPolicy', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.flagger() }));
    new CircuitBreaker(c, 'breaker', {
      host: release,
      loadBalancer: LoadBalancer.consistentHashByHeader('x-user'),
      h2UpgradePolicy: H2UpgradePolicy.UPGRADE,
      localityLoadBalancing: { failover: [{ from: 'us-east', to: 'us-west' }] },
      tls: UpstreamTls.istioMutual(),
      outlierDetection: { consecutive5xxErrors: 5 },
    });
    const out = Testing.synth(c);
    expect(Object.keys(one(out, 'Canary').spec.service.trafficPolicy).sort()).toEqual(['connectionPool', 'loadBalancer', 'outlierDetection', 'tls']);
    expectValid({ out }, { out: validationTargetOf('istio') });
  });

  test('Linkerd with Gateway API routing: retries as the HTTPRoute annotations Flagger copies from service.apex, timeout in service.timeout, failure accrual on the apex Service', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.flagger() }));
    new RoutePolicy(c, 'policy', { host: release, timeout: Duration.seconds(10), retries: { attempts: 3, retryOn: [HttpRetryOn.SERVER_ERROR] } });
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: { consecutive5xxErrors: 7 } });
    const out = Testing.synth(c);
    const service = one(out, 'Canary').spec.service;
    // pkg/router/gateway_api.go: the HTTPRoute's metadata is service.apex; timeouts from service.timeout.
    expect(service.apex).toEqual({ annotations: { 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '3' } });
    expect(service.timeout).toBe('10s');
    expect(service.gatewayRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews', namespace: 'bookinfo', port: 9080 }]);
    expect(one(out, 'Service', 'reviews').metadata.annotations).toEqual({
      'balancer.linkerd.io/failure-accrual': 'consecutive',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '7',
    });
    // Flagger's built-in checks with provider gatewayapi read the application's metrics: the mesh's come as templates.
    expect(one(out, 'Canary').spec.analysis.metrics.map((m: any) => m.templateRef)).toEqual([
      { name: 'reviews-request-success-rate', namespace: 'bookinfo' },
      { name: 'reviews-request-duration', namespace: 'bookinfo' },
    ]);
    expect(ofKind(out, 'MetricTemplate').map(t => [t.metadata.name, t.spec.provider])).toEqual([
      ['reviews-request-success-rate', { type: 'prometheus', address: 'http://prometheus.linkerd-viz:9090' }],
      ['reviews-request-duration', { type: 'prometheus', address: 'http://prometheus.linkerd-viz:9090' }],
    ]);
    expect(ofKind(out, 'MetricTemplate')[0].spec.query).toContain('response_total{namespace="{{ namespace }}",deployment=~"{{ target }}"');
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
    expectValid({ out }, { out: validationTargetOf('linkerd') });
  });

  test('Istio with Gateway API routing: the circuit breaker in DestinationRules for the primary and canary Services, which Flagger\'s gatewayapi router leaves alone', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio-gateway-api', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.flagger() }));
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: { consecutive5xxErrors: 5 } });
    const out = Testing.synth(c);
    expect(ofKind(out, 'DestinationRule').map(d => [d.metadata.name, d.spec])).toEqual([
      ['reviews', { host: 'reviews', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } }],
      ['reviews-canary', { host: 'reviews-canary', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } }],
      ['reviews-primary', { host: 'reviews-primary', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } } }],
    ]);
    expect(one(out, 'Canary').spec.provider).toBe('gatewayapi:v1');
    expect(ofKind(out, 'MetricTemplate')[0].spec.query).toContain('istio_requests_total{reporter="destination"');
    expectValid({ out }, { out: validationTargetOf('istio-gateway-api') });
  });

  test('uniform steps are stepWeight/maxWeight, any other series stepWeights', () => {
    expect(one(reviews('istio', Delivery.flagger(), { steps: [20, 40, 60, 100] }).out, 'Canary').spec.analysis).toMatchObject({ stepWeight: 20, maxWeight: 60 });
    expect(one(reviews('istio', Delivery.flagger(), { steps: [5, 25, 50, 100] }).out, 'Canary').spec.analysis.stepWeight).toBeUndefined();
  });

  test('header A/B: canaryMatches with steps [0, 100] and iterations is analysis.match + iterations', () => {
    const { out } = reviews('istio', Delivery.flagger({ analysis: { iterations: 10 } }), {
      steps: [0, 100], canaryMatches: reviewsCanary('istio').canaryMatches,
    });
    const analysis = one(out, 'Canary').spec.analysis;
    expect(analysis).toMatchObject({ iterations: 10, match: [{ headers: { 'end-user': { exact: 'jason' } } }] });
    expect(analysis.stepWeights).toBeUndefined();
    expectValid({ out }, { out: validationTargetOf('istio') });
  });

  test('header A/B on Linkerd through Gateway API', () => {
    const { out } = reviews('linkerd', Delivery.flagger({ analysis: { iterations: 10 } }), {
      steps: [0, 100], canaryMatches: [RequestMatch.header('end-user', 'jason'), RequestMatch.of({ queryParams: [QueryParamMatch.exact('beta', '1')] })],
    });
    expect(one(out, 'Canary').spec.analysis.match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }, { queryParams: { beta: { exact: '1' } } }]);
    expectValid({ out }, { out: validationTargetOf('linkerd') });
  });

  test('mirroring: a dark-launch step at 0 is Flagger\'s mirror step (mirror, mirrorWeight) on Istio; steps [0, 100] are blue/green', () => {
    const canary = one(reviews('istio', Delivery.flagger(), { steps: [0, 10, 50, 100], mirrorPercent: 20 }).out, 'Canary');
    expect(canary.spec.analysis).toMatchObject({ mirror: true, mirrorWeight: 20, stepWeights: [10, 50] });
    const blueGreen = reviews('linkerd', Delivery.flagger({ analysis: { iterations: 5 } }), { steps: [0, 100] });
    expect(one(blueGreen.out, 'Canary').spec.analysis).toMatchObject({ iterations: 5 });
    expectValid({ bg: blueGreen.out }, { bg: validationTargetOf('linkerd') });
  });

  test('Linkerd with SMI: provider linkerd (SMI TrafficSplit v1alpha1) or smi:v1alpha2; the ServiceProfile stays ours', () => {
    const smi = reviews('linkerd-smi', Delivery.flagger());
    expect(one(smi.out, 'Canary').spec.provider).toBe('linkerd');
    expect(ofKind(smi.out, 'TrafficSplit')).toEqual([]);
    expect(one(reviews('linkerd-smi-v1alpha2', Delivery.flagger()).out, 'Canary').spec.provider).toBe('smi:v1alpha2');
  });
});

describe('Argo Rollouts', () => {
  test('Istio: the VirtualService route and DestinationRule subsets the Rollout manages, at stable 100 / canary 0', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.argoRollouts({ analysis: {} }) }));
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: { consecutive5xxErrors: 5 } });
    const out = Testing.synth(c);
    expect(one(out, 'VirtualService').spec.http).toEqual([{
      name: 'canary-split',
      route: [{ destination: { host: 'reviews', subset: 'stable' }, weight: 100 }, { destination: { host: 'reviews', subset: 'canary' }, weight: 0 }],
    }]);
    // istio.go UpdateHash adds rollouts-pod-template-hash to these subsets' labels.
    expect(one(out, 'DestinationRule').spec).toEqual({
      host: 'reviews',
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } },
      subsets: [{ name: 'stable', labels: { app: 'reviews' } }, { name: 'canary', labels: { app: 'reviews' } }],
    });
    expect(one(out, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({
      istio: {
        virtualService: { name: 'reviews', routes: ['canary-split'] },
        destinationRule: { name: 'reviews', stableSubsetName: 'stable', canarySubsetName: 'canary' },
      },
    });
    expectValid({ out }, { out: validationTargetOf('istio') });
  });

  test('a RoutePolicy for some requests on Istio: its route moves with the weights too', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.argoRollouts() }));
    new RoutePolicy(c, 'api', { host: release, matches: [RequestMatch.pathPrefix('/api')], timeout: Duration.seconds(3) });
    const out = Testing.synth(c);
    expect(one(out, 'VirtualService').spec.http.map((r: any) => [r.name, r.route.map((d: any) => [d.destination.subset, d.weight])])).toEqual([
      ['api', [['stable', 100], ['canary', 0]]],
      ['canary-split', [['stable', 100], ['canary', 0]]],
    ]);
    expect(one(out, 'Rollout').spec.strategy.canary.trafficRouting.istio.virtualService.routes).toEqual(['api', 'canary-split']);
  });

  test('the AnalysisTemplate: the mesh\'s Prometheus queries, one check per interval, rollback after threshold failures', () => {
    const istio = one(reviews('istio', Delivery.argoRollouts({ analysis: { threshold: 3, successRate: 99.5, maxRequestDuration: Duration.millis(300) } })).out, 'AnalysisTemplate');
    expect(istio.spec.args).toEqual([{ name: 'service' }, { name: 'namespace' }, { name: 'canary-version' }]);
    expect(istio.spec.metrics.map((m: any) => [m.name, m.interval, m.failureLimit, m.successCondition])).toEqual([
      ['request-success-rate', '1m', 2, 'len(result) > 0 && result[0] >= 99.5'],
      ['request-duration', '1m', 2, 'len(result) > 0 && result[0] <= 300'],
    ]);
    expect(istio.spec.metrics[0].provider.prometheus.query).toContain('istio_requests_total{reporter="destination"');
    expect(istio.spec.metrics[0].provider.prometheus.query).toContain('destination_canonical_revision="{{args.canary-version}}"');
    expect(istio.spec.metrics[1].provider.prometheus.query).toContain('istio_request_duration_milliseconds_bucket');
    const linkerd = reviews('linkerd', Delivery.argoRollouts({ analysis: {} })).out;
    const template = one(linkerd, 'AnalysisTemplate');
    expect(template.spec.metrics[0].provider.prometheus).toMatchObject({ address: 'http://prometheus.linkerd-viz:9090' });
    expect(template.spec.metrics[0].provider.prometheus.query).toContain('response_total{');
    expect(template.spec.metrics[1].provider.prometheus.query).toContain('response_latency_ms_bucket{');
    // the canary's pods, told apart by their pod template hash
    expect(one(linkerd, 'Rollout').spec.strategy.canary.analysis.args[2]).toEqual({ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } });
  });

  test('Linkerd with Gateway API routing: the argoproj-labs/gatewayAPI plugin moves the HTTPRoute between the stable and canary Services', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd', { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery: Delivery.argoRollouts({ analysis: {} }) }));
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: { consecutive5xxErrors: 7 } });
    const out = Testing.synth(c);
    // failure accrual on the parent Service clients address
    expect(one(out, 'Service', 'reviews').metadata.annotations).toMatchObject({ 'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '7' });
    expect(one(out, 'HTTPRoute').spec.rules).toEqual([{
      backendRefs: [{ name: 'reviews-stable', port: 9080, weight: 100 }, { name: 'reviews-canary', port: 9080, weight: 0 }],
    }]);
    expect(ofKind(out, 'Service').map(s => [s.metadata.name, s.spec.selector])).toEqual([
      ['reviews', { app: 'reviews' }], ['reviews-stable', { app: 'reviews' }], ['reviews-canary', { app: 'reviews' }],
    ]);
    expect(one(out, 'Rollout').spec.strategy.canary).toMatchObject({
      stableService: 'reviews-stable',
      canaryService: 'reviews-canary',
      trafficRouting: { plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: [{ name: 'reviews' }], namespace: 'bookinfo' } } },
    });
  });

  test('Linkerd with SMI: the Rollout creates and owns the TrafficSplit, so none is emitted', () => {
    const { out } = reviews('linkerd-smi', Delivery.argoRollouts({ analysis: {} }));
    expect(ofKind(out, 'TrafficSplit')).toEqual([]);
    expect(one(out, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ smi: { rootService: 'reviews', trafficSplitName: 'reviews' } });
    expectValid({ out }, { out: validationTargetOf('linkerd-smi') });
  });

  test('canaryMatches: a setHeaderRoute step and a managed route, not a route in Git; mirrorPercent: setMirrorRoute', () => {
    const { out } = reviews('istio', Delivery.argoRollouts({ analysis: {} }), { canaryMatches: reviewsCanary('istio').canaryMatches, mirrorPercent: 10 });
    const canary = one(out, 'Rollout').spec.strategy.canary;
    expect(canary.steps.slice(0, 2)).toEqual([
      { setHeaderRoute: { name: 'canary-match', match: [{ headerName: 'end-user', headerValue: { exact: 'jason' } }] } },
      { setMirrorRoute: { name: 'canary-mirror', percentage: 10, match: [{ path: { prefix: '/' } }] } },
    ]);
    expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'canary-match' }, { name: 'canary-mirror' }]);
    expect(one(out, 'VirtualService').spec.http.map((r: any) => r.name)).toEqual(['canary-split']);
    expectValid({ out }, { out: validationTargetOf('istio') });
  });

  test('escape hatches: the canary\'s workload shapes the Rollout\'s template; JSON patches go on the Rollout', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { canaryMatches: undefined, delivery: Delivery.argoRollouts() }));
    release.canaryWorkload!.deployment.containers[0].env.addVariable('LOG_LEVEL', EnvValue.fromValue('debug'));
    expect(release.routing.ofKind('Rollout')).toHaveLength(1);
    release.routing.ofKind('Rollout')[0].addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 3));
    const rollout = one(Testing.synth(c), 'Rollout');
    expect(rollout.spec.template.spec.containers[0].env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(rollout.spec.revisionHistoryLimit).toBe(3);
    expect(release.stableWorkload).toBeUndefined();
  });

  test('pauses without analysis: indefinite (promoted by hand) or `pause` long', () => {
    const manual = one(reviews('istio', Delivery.argoRollouts()).out, 'Rollout').spec.strategy.canary;
    expect(manual.steps[1]).toEqual({ pause: {} });
    expect(manual.analysis).toBeUndefined();
    const timed = reviews('istio', Delivery.argoRollouts({ pause: Duration.minutes(10) }));
    expect(one(timed.out, 'Rollout').spec.strategy.canary.steps[1]).toEqual({ pause: { duration: '10m' } });
    expect(ofKind(timed.out, 'AnalysisTemplate')).toEqual([]);
    expectValid({ timed: timed.out }, { timed: validationTargetOf('istio') });
  });
});

describe('no fights with GitOps', () => {
  test('Flagger: the Deployment carries no replicas (Flagger scales it), an autoscaler pinned to the canary\'s replicas owns them, and nothing Flagger writes is emitted', () => {
    const { release, out } = reviews('istio', Delivery.flagger());
    expect(one(out, 'Deployment').spec.replicas).toBeUndefined();
    expect(one(out, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: 'reviews' } });
    expect(one(out, 'Canary').spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'reviews' });
    expect(release.ignoreDifferences).toEqual([]);
  });

  test('Flagger: the apex Service is exactly what Flagger reconciles it to (selector <app>-primary, port http), so neither writes it in turn', () => {
    const { out } = reviews('istio', Delivery.flagger());
    const service = one(out, 'Service', 'reviews');
    // pkg/router/kubernetes_default.go reconcileService: selector {app: <app>-primary}, one port named
    // service.portName with service.port, service.targetPort and service.appProtocol.
    expect(service.spec.selector).toEqual({ app: 'reviews-primary' });
    expect(service.spec.ports).toEqual([{ name: 'http', port: 9080, targetPort: 9080, appProtocol: 'http' }]);
    expect(one(out, 'Canary').spec.service).toMatchObject({ name: 'reviews', port: 9080, targetPort: 9080, portName: 'http', appProtocol: 'http' });
  });

  test('Flagger: explicit autoscaling', () => {
    const { out } = reviews('istio', Delivery.flagger({ autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70 } }));
    expect(one(out, 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 2, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
  });

  test('Argo Rollouts on Istio: the objects whose weights and subsets the controller moves are applied once by Flux, and listed for Argo CD', () => {
    const { release, out } = reviews('istio', Delivery.argoRollouts({ analysis: {} }), { canaryMatches: reviewsCanary('istio').canaryMatches });
    for (const kind of ['VirtualService', 'DestinationRule']) {
      expect(one(out, kind).metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' });
    }
    expect(one(out, 'Rollout').metadata.annotations).toBeUndefined();
    expect(release.ignoreDifferences).toEqual([
      {
        group: 'networking.istio.io',
        kind: 'VirtualService',
        name: 'reviews',
        namespace: 'bookinfo',
        jqPathExpressions: ['.spec.http[].route[].weight', '.spec.http[] | select(.name == "canary-match")'],
      },
      {
        group: 'networking.istio.io',
        kind: 'DestinationRule',
        name: 'reviews',
        namespace: 'bookinfo',
        jsonPointers: ['/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'],
        jqPathExpressions: ['.spec.subsets[].labels["rollouts-pod-template-hash"]'],
      },
    ]);
  });

  test('Argo Rollouts with the Gateway API plugin: the HTTPRoute and the stable/canary Services (whose selectors the controller pins)', () => {
    const { release, out } = reviews('linkerd', Delivery.argoRollouts({ analysis: {} }));
    for (const name of ['reviews-stable', 'reviews-canary']) {
      expect(one(out, 'Service', name).metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' });
    }
    expect(one(out, 'HTTPRoute').metadata.annotations).toEqual({ 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' });
    expect(one(out, 'Service', 'reviews').metadata.annotations).toBeUndefined();
    expect(release.ignoreDifferences.map(d => [d.kind, d.name, d.jsonPointers, d.jqPathExpressions])).toEqual([
      ['HTTPRoute', 'reviews', ['/metadata/labels/rollouts.argoproj.io~1gatewayapi-canary'], ['.spec.rules[].backendRefs[].weight']],
      ['Service', 'reviews-stable', ['/spec/selector/rollouts-pod-template-hash', '/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'], undefined],
      ['Service', 'reviews-canary', ['/spec/selector/rollouts-pod-template-hash', '/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'], undefined],
    ]);
  });

  test('the ignoreDifferences entries are valid in an Argo CD Application', () => {
    const { release } = reviews('istio', Delivery.argoRollouts({ analysis: {} }), { canaryMatches: reviewsCanary('istio').canaryMatches, mirrorPercent: 5 });
    const application = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'bookinfo', namespace: 'argocd' },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'bookinfo' },
        source: { repoURL: 'https://git.example.com/bookinfo.git', path: 'dist', targetRevision: 'main' },
        syncPolicy: { syncOptions: ['RespectIgnoreDifferences=true'] },
        ignoreDifferences: release.ignoreDifferences,
      },
    };
    expectValid({ application: [JSON.parse(JSON.stringify(application))] });
  });

  test('Argo Rollouts with an autoscaler: the Rollout carries no replicas, the autoscaler targets it', () => {
    const { out } = reviews('istio', Delivery.argoRollouts({ autoscaling: { minReplicas: 3, maxReplicas: 9 } }));
    expect(one(out, 'Rollout').spec.replicas).toBeUndefined();
    expect(one(out, 'HorizontalPodAutoscaler').spec).toMatchObject({
      minReplicas: 3, maxReplicas: 9, scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'reviews' },
    });
    expectValid({ out }, { out: validationTargetOf('istio') });
  });
});
