/**
 * Every rejection of a delivery: an engine that cannot drive the provider, routing API or version
 * (an error naming both), options out of range, and releases a controller cannot express.
 */
import { Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, CanaryReleaseProps, CanaryVersion, CircuitBreaker, Delivery, GatewayBackend, GatewayRoute, HeaderMatch, HttpRetryOn,
  IngressGateway, GatewayListener, IstioDataPlaneMode, LinkerdRoutingApi, LinkerdVersion, Mesh, MeshProvider, PathMatch, RequestMatch, RoutePolicy,
  ServiceHost, ServiceProtocol,
} from '../../src';
import { chart, meshOf, reviewsCanary } from '../support/fixtures';

const JASON = [RequestMatch.header('end-user', 'jason')];

function release(provider: string, delivery: Delivery, overrides: Partial<CanaryReleaseProps> = {}) {
  const c = chart('bookinfo');
  const r = new CanaryRelease(c, 'reviews', reviewsCanary(provider, { steps: [5, 25, 50, 100], canaryMatches: undefined, delivery, ...overrides }));
  return { c, r };
}

function rejects(provider: string, delivery: () => Delivery, overrides: Partial<CanaryReleaseProps>, message: RegExp): void {
  expect(() => Testing.synth(release(provider, delivery(), overrides).c)).toThrow(message);
}

describe('an engine that cannot drive the provider, routing API or version: an error naming both', () => {
  const linkerdPolicy = () => Mesh.fromAttributes({ provider: MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.POLICY }) });
  const ambient = () => Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });

  test.each([
    ['Flagger', () => Delivery.flagger(), /Delivery\.flagger\(\) cannot route it; Flagger has no router for policy\.linkerd\.io HTTPRoutes/],
    ['Argo Rollouts', () => Delivery.argoRollouts(), /Delivery\.argoRollouts\(\) cannot route it; no Argo Rollouts router writes policy\.linkerd\.io HTTPRoutes/],
  ])('%s and Linkerd\'s policy.linkerd.io HTTPRoute', (_, delivery, message) => {
    rejects('linkerd', delivery, { mesh: linkerdPolicy() }, /test\/reviews: 'delivery'.*an engine that can drive Linkerd 2\.20 \(policy\.linkerd\.io\/v1beta3 HTTPRoute\)/);
    rejects('linkerd', delivery, { mesh: linkerdPolicy() }, message);
  });

  test.each([
    ['Flagger', () => Delivery.flagger(), /Delivery\.flagger\(\) cannot route it; Flagger routes Istio through sidecars/],
    ['Argo Rollouts', () => Delivery.argoRollouts(), /Delivery\.argoRollouts\(\) cannot route it; route Istio through sidecars/],
  ])('%s and Istio ambient mode', (_, delivery, message) => {
    rejects('istio', delivery, { mesh: ambient() }, /an engine that can drive Istio 1\.31 \(networking\.istio\.io\/v1, ambient mode\)/);
    rejects('istio', delivery, { mesh: ambient() }, message);
  });

  test('Argo Rollouts\' Gateway API plugin and v1beta1 HTTPRoutes (Linkerd before 2.18)', () => {
    rejects('linkerd', () => Delivery.argoRollouts(), { mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd({ version: LinkerdVersion.V2_17 }) }) },
      /an engine that can drive Linkerd 2\.17 \(gateway\.networking\.k8s\.io\/v1beta1 HTTPRoute\): Delivery\.argoRollouts\(\) cannot route it; the argoproj-labs\/gatewayAPI plugin reads gateway\.networking\.k8s\.io\/v1 HTTPRoutes only/);
    // Flagger has a router for each (provider gatewayapi:v1beta1)
    const { c } = release('linkerd', Delivery.flagger(), { mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd({ version: LinkerdVersion.V2_17 }) }) });
    expect(Testing.synth(c).find(o => o.kind === 'Canary').spec.provider).toBe('gatewayapi:v1beta1');
  });

  test('Argo Rollouts analysis on a mesh whose metrics it does not know (plain Gateway API)', () => {
    rejects('gateway-api', () => Delivery.argoRollouts({ analysis: {} }), {},
      /an engine that can drive Gateway API \(gateway\.networking\.k8s\.io\/v1 HTTPRoute\): Delivery\.argoRollouts\(\) cannot analyse the canary/);
    // pauses without analysis are fine there
    expect(() => Testing.synth(release('gateway-api', Delivery.argoRollouts()).c)).not.toThrow();
  });
});

describe('Flagger: releases its strategies cannot express', () => {
  const flagger = (analysis = {}) => () => Delivery.flagger({ analysis });
  test.each<[string, string, () => Delivery, Partial<CanaryReleaseProps>, RegExp]>([
    ['header A/B on SMI', 'linkerd-smi', flagger({ iterations: 5 }), { steps: [0, 100], canaryMatches: [RequestMatch.of({ path: PathMatch.prefix('/api') })] }, /route by request headers \(A\/B\)/],
    ['matched requests to the canary while the rest is split', 'istio', flagger(), { canaryMatches: JASON }, /send matched requests to the canary while splitting the others by weight; its A\/B mode/],
    ['A/B without iterations', 'istio', flagger(), { steps: [0, 100], canaryMatches: JASON }, /set steps \[0, 100\] and analysis\.iterations/],
    ['A/B and mirroring', 'istio', flagger({ iterations: 5 }), { steps: [0, 100], canaryMatches: JASON, mirrorPercent: 10 }, /mirror requests in A\/B mode/],
    ['A/B on a path', 'istio', flagger({ iterations: 5 }), { steps: [0, 100], canaryMatches: [RequestMatch.pathPrefix('/beta')] }, /match requests by path \(analysis\.match has headers and query parameters only\)/],
    ['A/B on a header prefix through Gateway API', 'linkerd', flagger({ iterations: 5 }), { steps: [0, 100], canaryMatches: [RequestMatch.of({ headers: [HeaderMatch.prefix('x-user', 'beta')] })] }, /match a header or query parameter by prefix on Gateway API/],
    ['steps [0, 100] without iterations', 'istio', flagger(), { steps: [0, 100] }, /roll out steps \[0,100\] without analysis\.iterations/],
    ['blue/green mirroring on SMI', 'linkerd-smi', flagger({ iterations: 5 }), { steps: [0, 100], mirrorPercent: 100 }, /Flagger's SMI router has no mirroring/],
    ['blue/green mirroring part of the requests through Gateway API', 'linkerd', flagger({ iterations: 5 }), { steps: [0, 100], mirrorPercent: 50 }, /mirrors every request in blue\/green mode/],
    ['iterations while shifting weights', 'istio', flagger({ iterations: 5 }), {}, /count iterations while shifting weights/],
    ['mirroring before weights through Gateway API', 'istio-gateway-api', flagger(), { steps: [0, 10, 100], mirrorPercent: 10 }, /only Flagger's Istio router mirrors in canary mode/],
    ['mirroring at every step', 'istio', flagger(), { mirrorPercent: 10 }, /mirror requests at every step; Flagger mirrors for one interval before the first weight/],
    ['a fractional mirror weight', 'istio', flagger(), { steps: [0, 10, 100], mirrorPercent: 2.5 }, /Flagger's mirrorWeight is a whole percentage/],
  ])('%s', (_, provider, delivery, overrides, message) => {
    rejects(provider, delivery, overrides, message);
  });

  test('a route policy for some requests only', () => {
    const { c, r } = release('istio', Delivery.flagger());
    expect(() => new RoutePolicy(c, 'policy', { host: r, matches: [RequestMatch.pathPrefix('/api')], timeout: Duration.seconds(3) }))
      .toThrow(/test\/policy: Flagger \(provider istio\) on Istio 1\.31 \(networking\.istio\.io\/v1\) cannot express a route policy for some requests only/);
  });

  test('fault injection', () => {
    const { c, r } = release('istio', Delivery.flagger());
    expect(() => new RoutePolicy(c, 'policy', { host: r, fault: { abort: { httpStatus: 503, percent: 1 } } }))
      .toThrow(/Flagger \(provider istio\) on Istio .* cannot express fault injection/);
  });

  test('retries through Flagger\'s Gateway API router (outside Linkerd\'s annotations)', () => {
    const { c, r } = release('istio-gateway-api-experimental', Delivery.flagger());
    expect(() => new RoutePolicy(c, 'policy', { host: r, retries: { attempts: 2, retryOn: [HttpRetryOn.GATEWAY_ERROR] } }))
      .toThrow(/Flagger \(provider gatewayapi:v1\) on Istio .* cannot express retries; Flagger's Gateway API router writes no retries/);
  });
});

describe('Argo Rollouts: releases its routers cannot express', () => {
  const argo = () => Delivery.argoRollouts();
  test.each<[string, string, Partial<CanaryReleaseProps>, RegExp]>([
    ['no step below 100', 'istio', { steps: [100] }, /roll out steps \[100\]; give at least one step below 100/],
    ['header routes on SMI', 'linkerd-smi', { canaryMatches: [RequestMatch.of({ path: PathMatch.prefix('/api') })] }, /Argo Rollouts' SMI router ignores setHeaderRoute/],
    ['a path match', 'istio', { canaryMatches: [RequestMatch.pathPrefix('/beta')] }, /setHeaderRoute matches headers only/],
    ['a header prefix through the plugin', 'linkerd', { canaryMatches: [RequestMatch.of({ headers: [HeaderMatch.prefix('x-user', 'beta')] })] }, /match a header by prefix on Gateway API/],
    ['several headers at once on Istio', 'istio', { canaryMatches: [RequestMatch.of({ headers: [HeaderMatch.exact('a', '1'), HeaderMatch.exact('b', '2')] })] }, /its Istio header route matches any one of them/],
    ['any of several matches through the plugin', 'linkerd', { canaryMatches: [RequestMatch.header('a', '1'), RequestMatch.header('b', '2')] }, /the plugin's header route requires all their headers at once/],
    ['mirroring through the plugin', 'linkerd', { mirrorPercent: 10 }, /the argoproj-labs\/gatewayAPI plugin ignores setMirrorRoute/],
    ['mirroring through SMI', 'linkerd-smi', { mirrorPercent: 10 }, /SMI has no mirroring/],
    ['a fractional mirror', 'istio', { mirrorPercent: 2.5 }, /setMirrorRoute takes a whole percentage/],
  ])('%s', (_, provider, overrides, message) => {
    rejects(provider, argo, overrides, message);
  });

  test('retries on the requests canaryMatches selects (the header route has none)', () => {
    rejects('istio', () => Delivery.argoRollouts(), { canaryMatches: JASON, retries: { attempts: 2 } },
      /Argo Rollouts \(Istio subset-level traffic routing\) on Istio .* cannot express retries, a timeout, faults or header changes on the requests canaryMatches selects/);
  });

  test('route settings while mirroring (the mirror route copies only destinations)', () => {
    rejects('istio', () => Delivery.argoRollouts(), { mirrorPercent: 10, timeout: Duration.seconds(5) }, /cannot express route settings or matched route policies while mirroring/);
  });
});

describe('options and the release', () => {
  test.each<[string, () => Delivery, RegExp]>([
    ['an interval below a second', () => Delivery.flagger({ analysis: { interval: Duration.millis(1500) } }), /'delivery\.analysis\.interval' \("1 second 500 millis"\) must be a whole number of seconds, at least 1s/],
    ['a threshold of 0', () => Delivery.flagger({ analysis: { threshold: 0 } }), /'delivery\.analysis\.threshold' \(0\) must be an integer in 1\.\.100/],
    ['a threshold above 100', () => Delivery.argoRollouts({ analysis: { threshold: 101 } }), /'delivery\.analysis\.threshold' \(101\) must be an integer in 1\.\.100/],
    ['a success rate of 0', () => Delivery.flagger({ analysis: { successRate: 0 } }), /'delivery\.analysis\.successRate' \(0\) must be a percentage over \(0, 100\]/],
    ['a success rate above 100', () => Delivery.flagger({ analysis: { successRate: 100.5 } }), /'delivery\.analysis\.successRate' \(100\.5\) must be a percentage over \(0, 100\]/],
    ['a sub-millisecond request duration', () => Delivery.flagger({ analysis: { maxRequestDuration: Duration.millis(0.5) } }), /'delivery\.analysis\.maxRequestDuration'/],
    ['zero iterations', () => Delivery.flagger({ analysis: { iterations: 0 } }), /'delivery\.analysis\.iterations' \(0\) must be an integer in 1\.\.1000/],
    ['fewer max than min replicas', () => Delivery.flagger({ autoscaling: { minReplicas: 4, maxReplicas: 2 } }), /'delivery\.autoscaling\.maxReplicas' \(2\) must be at least minReplicas \(4\)/],
    ['no min replicas', () => Delivery.argoRollouts({ autoscaling: { maxReplicas: 2 } as any }), /'delivery\.autoscaling\.minReplicas' \(undefined\) must be set/],
    ['a CPU target of 0', () => Delivery.argoRollouts({ autoscaling: { minReplicas: 1, maxReplicas: 2, cpuUtilization: 0 } }), /'delivery\.autoscaling\.cpuUtilization' \(0\) must be an integer in 1\.\.1000/],
    ['a Prometheus that is not a URL', () => Delivery.flagger({ prometheusAddress: 'prometheus:9090' }), /'delivery\.prometheusAddress' \("prometheus:9090"\) must be an http\(s\) URL/],
    ['a pause below a second', () => Delivery.argoRollouts({ pause: Duration.millis(500) }), /'delivery\.pause' \("500 millis"\) must be a whole number of seconds/],
    ['a progress deadline below a second', () => Delivery.flagger({ progressDeadline: Duration.millis(10) }), /'delivery\.progressDeadline'/],
  ])('%s', (_, delivery, message) => {
    expect(() => release('istio', delivery())).toThrow(message);
  });

  test('a delivery that is not a Delivery', () => {
    expect(() => release('istio', 'flagger' as any)).toThrow(/'delivery' \("flagger"\) must be a Delivery \(Delivery\.steps\(\), \.flagger\(\) or \.argoRollouts\(\)\)/);
  });

  test('currentStep: the controller moves through the steps', () => {
    expect(() => release('istio', Delivery.flagger(), { currentStep: 1 })).toThrow(/'currentStep' \(1\) must be unset with Delivery\.flagger\(\): the controller moves through the steps itself/);
    expect(() => release('istio', Delivery.argoRollouts(), { currentStep: 2 })).toThrow(/must be unset with Delivery\.argoRollouts\(\)/);
  });

  test('a protocol other than HTTP', () => {
    expect(() => release('istio', Delivery.flagger(), { protocol: ServiceProtocol.GRPC }))
      .toThrow(/'protocol' \("grpc"\) must be ServiceProtocol\.HTTP with Delivery\.flagger\(\)/);
  });

  test('a rollout plan (static steps only)', () => {
    expect(() => release('istio', Delivery.flagger(), { rolloutPlan: { directory: 'plans' } }))
      .toThrow(/'rolloutPlan' \(\{"directory":"plans"\}\) must be unset with Delivery\.flagger\(\): the plan shows static steps/);
    // and none is attached by default
    expect(release('istio', Delivery.argoRollouts()).r.rolloutPlan).toBeUndefined();
  });

  test('a canary the release does not deploy', () => {
    expect(() => release('istio', Delivery.flagger(), { canary: CanaryVersion.fromLabels('v2', { app: 'reviews', version: 'v2' }) }))
      .toThrow(/'canary' \("v2"\) must be CanaryVersion\.deploy\(\.\.\.\) with Delivery\.flagger\(\)/);
  });

  test('a version\'s own traffic policy (the controller\'s Services and subsets stand for roles)', () => {
    const canary = CanaryVersion.deploy({ name: 'v2', image: 'reviews:2' }).withTrafficPolicy({ connectionPool: { maxConnections: 10 } });
    expect(() => release('istio', Delivery.argoRollouts(), { canary }))
      .toThrow(/'canary\.trafficPolicy' \("v2"\) must be unset with Delivery\.argoRollouts\(\): its Services and subsets stand for roles/);
  });

  test('a service name too long for the controller\'s objects', () => {
    expect(() => release('istio', Delivery.argoRollouts(), { serviceName: `r${'e'.repeat(55)}` }))
      .toThrow(/'serviceName' \("re+"\) must be at most 55 characters with Delivery\.argoRollouts\(\)/);
  });

  test('a host that already has intents before its release is handed to a controller', () => {
    const c = chart('bookinfo');
    new CircuitBreaker(c, 'breaker', { host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'reviews', port: 9080 }), outlierDetection: { consecutive5xxErrors: 5 } });
    expect(() => new CanaryRelease(c, 'reviews', reviewsCanary('istio', { canaryMatches: undefined, delivery: Delivery.flagger() })))
      .toThrow(/test\/reviews: host 'reviews' already has intents from test\/breaker; declare the release that Flagger \(provider istio\) on Istio 1\.31 \(networking\.istio\.io\/v1\) drives before the constructs that target its host/);
  });

  test('a gateway that splits a controller-driven release by its Git weights', () => {
    const { c, r } = release('istio', Delivery.flagger());
    const gateway = new IngressGateway(c, 'gw', { mesh: meshOf('istio'), listeners: [GatewayListener.http()] });
    expect(() => new GatewayRoute(c, 'route', { gateway, hostnames: ['bookinfo.example.com'], rules: [{ backends: [GatewayBackend.canary(r)] }] })).toThrow(/test\/route: 'rules\[0\]\.backends\[0\]' \("test\/reviews"\) must be GatewayBackend\.host\(release\) for a release that Flagger drives/);
  });
});
