import { Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, CircuitBreaker, HttpMethod, HttpRetryOn, IstioRoutingApi, LinkerdRoutingApi, LoadBalancer, Mesh, MeshProvider, RequestMatch,
  MeshWarnings, RoutePolicy, ServiceHost,
} from '../../src';
import { chart, meshOf, one, ofKind, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';
import { printedWarnings } from '../support/warnings';

const SEED_BREAKER = {
  connectionPool: { maxConnections: 100, http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
  outlierDetection: {
    consecutive5xxErrors: 5, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50, minHealthPercent: 40,
  },
};
const SEED_TRAFFIC_POLICY = {
  connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } },
  outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50, minHealthPercent: 40 },
};
const reviewsHost = (provider: string) => ServiceHost.fromAttributes({ mesh: meshOf(provider), serviceName: 'reviews', port: 9080 });

describe('CircuitBreaker on Istio', () => {
  test('reproduces the seeds\' reviews circuit breaker', () => {
    const c = chart('bookinfo');
    new CircuitBreaker(c, 'breaker', { host: reviewsHost('istio'), ...SEED_BREAKER });
    expect(one(Testing.synth(c), 'DestinationRule')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: { host: 'reviews', trafficPolicy: SEED_TRAFFIC_POLICY },
    });
  });

  test('canary + circuit breaker + retries on one host: exactly one DestinationRule and one VirtualService, all fields present', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new CircuitBreaker(c, 'breaker', { host: release, ...SEED_BREAKER, loadBalancer: LoadBalancer.leastRequest() });
    new RoutePolicy(c, 'retries', { host: release, retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.GATEWAY_ERROR] } });
    const out = Testing.synth(c);
    expect(ofKind(out, 'DestinationRule')).toHaveLength(1);
    expect(ofKind(out, 'VirtualService')).toHaveLength(1);
    expect(one(out, 'DestinationRule').spec).toEqual({
      host: 'reviews',
      trafficPolicy: { ...SEED_TRAFFIC_POLICY, loadBalancer: { simple: 'LEAST_REQUEST' } },
      subsets: [
        { name: 'v1', labels: { app: 'reviews', version: 'v1' } },
        { name: 'v2', labels: { app: 'reviews', version: 'v2' } },
      ],
    });
    const http = one(out, 'VirtualService').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['canary-match', 'canary-split']);
    for (const r of http) expect(r.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error' });
    expect(http[1].route.map((d: any) => d.weight)).toEqual([90, 10]);
  });

  test('all connection-pool fields and consistent hashing', () => {
    const c = chart('bookinfo');
    new CircuitBreaker(c, 'breaker', {
      host: reviewsHost('istio'),
      connectionPool: {
        maxConnections: 10,
        connectTimeout: Duration.millis(250),
        http1MaxPendingRequests: 5,
        http2MaxRequests: 50,
        maxRequestsPerConnection: 2,
        maxRetries: 3,
        idleTimeout: Duration.minutes(5),
      },
      outlierDetection: { consecutiveGatewayErrors: 3 },
      loadBalancer: LoadBalancer.consistentHashByHeader('x-user'),
    });
    expect(one(Testing.synth(c), 'DestinationRule').spec.trafficPolicy).toEqual({
      connectionPool: {
        tcp: { maxConnections: 10, connectTimeout: '250ms' },
        http: { http1MaxPendingRequests: 5, http2MaxRequests: 50, maxRequestsPerConnection: 2, maxRetries: 3, idleTimeout: '5m' },
      },
      outlierDetection: { consecutiveGatewayErrors: 3 },
      loadBalancer: { consistentHash: { httpHeaderName: 'x-user' } },
    });
  });

  test.each([
    [LoadBalancer.roundRobin(), { simple: 'ROUND_ROBIN' }],
    [LoadBalancer.random(), { simple: 'RANDOM' }],
    [LoadBalancer.consistentHashByCookie('session', Duration.hours(1)), { consistentHash: { httpCookie: { name: 'session', ttl: '1h' } } }],
    [LoadBalancer.consistentHashByCookie('session'), { consistentHash: { httpCookie: { name: 'session' } } }],
  ])('load balancer %#', (lb, expected) => {
    const c = chart('bookinfo');
    new CircuitBreaker(c, 'lb', { host: reviewsHost('istio'), loadBalancer: lb });
    expect(one(Testing.synth(c), 'DestinationRule').spec.trafficPolicy).toEqual({ loadBalancer: expected });
  });

  test('with Gateway API routing, Istio keeps a DestinationRule for the breaker (no subsets) on the host and on every routed-to host', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio-gateway-api'));
    new CircuitBreaker(c, 'breaker', { host: release, ...SEED_BREAKER });
    const out = Testing.synth(c);
    expect(one(out, 'DestinationRule', 'reviews').spec).toEqual({ host: 'reviews', trafficPolicy: SEED_TRAFFIC_POLICY });
    expect(one(out, 'DestinationRule', 'reviews-v1').spec).toEqual({ host: 'reviews-v1', trafficPolicy: SEED_TRAFFIC_POLICY });
    expect(one(out, 'HTTPRoute').spec.rules).toHaveLength(2);
  });
});

describe('CircuitBreaker on Linkerd: failure accrual on the host\'s Service', () => {
  test('canary + circuit breaker + retries: the annotations land on the apex Service, retries on the route', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd'));
    new CircuitBreaker(c, 'breaker', {
      host: release,
      outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30), maxEjectionTime: Duration.minutes(5), jitterRatio: 0.5 },
    });
    new RoutePolicy(c, 'retries', { host: release, retries: { attempts: 3, retryOn: [HttpRetryOn.SERVER_ERROR] } });
    const out = Testing.synth(c);
    expect(one(out, 'Service', 'reviews').metadata.annotations).toEqual({
      'balancer.linkerd.io/failure-accrual': 'consecutive',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '5',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '30s',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '5m',
      'balancer.linkerd.io/failure-accrual-consecutive-jitter-ratio': '0.5',
    });
    for (const name of ['reviews-v1', 'reviews-v2']) expect(one(out, 'Service', name).metadata.annotations).toBeUndefined();
    expect(one(out, 'HTTPRoute').metadata.annotations).toEqual({ 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '3' });
    expect(ofKind(out, 'DestinationRule')).toEqual([]);
  });

  test('the policy HTTPRoute API works the same way; defaults stay Linkerd\'s', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd-policy'));
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: {} });
    expect(one(Testing.synth(c), 'Service', 'reviews').metadata.annotations).toEqual({ 'balancer.linkerd.io/failure-accrual': 'consecutive' });
  });
});

describe('fault injection', () => {
  test('reproduces the seeds\' fault-injection VirtualService (500ms delay to 10 %, 503 to 5 %, by test header)', () => {
    const c = chart('bookinfo');
    const host = reviewsHost('istio');
    new RoutePolicy(c, 'test-delay', { host, matches: [RequestMatch.header('test-delay', 'true')], fault: { delay: { fixedDelay: Duration.millis(500), percent: 10 } } });
    new RoutePolicy(c, 'test-error', { host, matches: [RequestMatch.header('test-error', 'true')], fault: { abort: { httpStatus: 503, percent: 5 } } });
    expect(one(Testing.synth(c), 'VirtualService').spec).toEqual({
      hosts: ['reviews'],
      http: [
        { name: 'test-delay', match: [{ headers: { 'test-delay': { exact: 'true' } } }], fault: { delay: { percentage: { value: 10 }, fixedDelay: '500ms' } }, route: [{ destination: { host: 'reviews' } }] },
        { name: 'test-error', match: [{ headers: { 'test-error': { exact: 'true' } } }], fault: { abort: { percentage: { value: 5 }, httpStatus: 503 } }, route: [{ destination: { host: 'reviews' } }] },
        { name: 'default', route: [{ destination: { host: 'reviews' } }] },
      ],
    });
  });

  test('a host-wide fault (the seeds\' ratings: 5s delay to 10 % and 503 to 5 %) next to a canary keeps its split', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(c, 'chaos', { host: release, fault: { delay: { fixedDelay: Duration.seconds(5), percent: 10 }, abort: { httpStatus: 503, percent: 5 } } });
    const http = one(Testing.synth(c), 'VirtualService').spec.http;
    for (const r of http) expect(r.fault).toEqual({ delay: { percentage: { value: 10 }, fixedDelay: '5s' }, abort: { percentage: { value: 5 }, httpStatus: 503 } });
    expect(http[1].route.map((d: any) => d.weight)).toEqual([90, 10]);
  });
});

describe('Gateway API retries on the experimental channel', () => {
  test('attempts, status codes and per-try timeouts go into the rule', () => {
    const c = chart('bookinfo');
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.gatewayApi({ experimentalChannel: true }) });
    const release = new CanaryRelease(c, 'reviews', { ...reviewsCanary('gateway-api'), mesh });
    new RoutePolicy(c, 'retries', {
      host: release,
      timeout: Duration.seconds(10),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.RETRIABLE_4XX] },
    });
    const rule = one(Testing.synth(c), 'HTTPRoute').spec.rules[1];
    expect(rule.retry).toEqual({ attempts: 2, codes: [409, 502, 503, 504] });
    expect(rule.timeouts).toEqual({ request: '10s', backendRequest: '3s' });
  });

  test('without explicit conditions: gateway errors; the mesh decides the attempts', () => {
    const c = chart('bookinfo');
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API, experimentalChannel: true }) });
    new RoutePolicy(c, 'retries', { host: ServiceHost.fromAttributes({ mesh, serviceName: 'ratings', port: 9080 }), retries: {} });
    expect(one(Testing.synth(c), 'HTTPRoute').spec.rules[0].retry).toEqual({ codes: [502, 503, 504] });
  });
});

describe('retries of non-idempotent requests warn', () => {
  test('listed conditions that come after a response warn; the defaults, connection-level and opted-in ones do not', () => {
    printedWarnings(true);
    const c = chart('bookinfo');
    const host = (name: string) => ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: name, port: 80 });
    new RoutePolicy(c, 'a', { host: host('a'), retries: { attempts: 2, retryOn: [HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.RESET] } });
    new RoutePolicy(c, 'b', { host: host('b'), retries: { attempts: 2, retryOn: [HttpRetryOn.CONNECT_FAILURE] } });
    new RoutePolicy(c, 'c', { host: host('c'), retries: { attempts: 2, retryOn: [HttpRetryOn.SERVER_ERROR], retryNonIdempotent: true } });
    new RoutePolicy(c, 'd', {
      host: host('d'),
      matches: [RequestMatch.of({ method: HttpMethod.GET })],
      retries: { attempts: 2, retryOn: [HttpRetryOn.SERVER_ERROR] },
    });
    // the library's own default conditions (which include gateway errors) never warn
    new RoutePolicy(c, 'e', { host: host('e'), retries: { attempts: 2 } });
    expect(MeshWarnings.list(c)).toEqual([{
      id: MeshWarnings.NON_IDEMPOTENT_RETRIES,
      path: 'test/a',
      message: expect.stringMatching(/^retries on gateway-error may repeat non-idempotent requests .*retryNonIdempotent: true/),
    }]);
    Testing.synth(c);
    expect(printedWarnings()).toEqual([expect.stringMatching(/^\[WARNING\] test\/a: retries on gateway-error .* \[cdk8s-mesh:non-idempotent-retries\]$/)]);
  });
});

describe('rejected input', () => {
  const breaker = (props: object, provider = 'istio') => () => new CircuitBreaker(chart('bookinfo'), 'cb', { host: reviewsHost(provider), ...props });

  test.each([
    [{}, /'connectionPool\/outlierDetection\/loadBalancer\/h2UpgradePolicy\/localityLoadBalancing\/tls' \(undefined\) must be set/],
    [{ connectionPool: {} }, /'connectionPool' \(\{\}\) must be at least one limit/],
    [{ connectionPool: { maxConnections: 0 } }, /'connectionPool.maxConnections' \(0\) must be an integer in 1..2147483647/],
    [{ connectionPool: { http1MaxPendingRequests: 1.5 } }, /'connectionPool.http1MaxPendingRequests' \(1.5\) must be an integer/],
    [{ connectionPool: { maxRetries: -1 } }, /'connectionPool.maxRetries' \(-1\) must be an integer in 0..2147483647/],
    [{ connectionPool: { connectTimeout: Duration.millis(0) } }, /'connectionPool.connectTimeout' \("0 millis"\) must be a positive duration/],
    [{ outlierDetection: { consecutive5xxErrors: 0 } }, /'outlierDetection.consecutive5xxErrors' \(0\) must be an integer in 1/],
    [{ outlierDetection: { interval: Duration.millis(0) } }, /'outlierDetection.interval' \("0 millis"\) must be a positive duration/],
    [{ outlierDetection: { maxEjectionPercent: 101 } }, /'outlierDetection.maxEjectionPercent' \(101\) must be an integer percentage in 0..100/],
    [{ outlierDetection: { minHealthPercent: 12.5 } }, /'outlierDetection.minHealthPercent' \(12.5\) must be an integer percentage/],
    [{ outlierDetection: { jitterRatio: -1 } }, /'outlierDetection.jitterRatio' \(-1\) must be a number in 0..100/],
  ])('%p', (props, message) => {
    expect(breaker(props)).toThrow(new RegExp(`^test/cb: ${message.source}`));
  });

  test('min penalty above max penalty', () => {
    expect(breaker({ outlierDetection: { baseEjectionTime: Duration.minutes(2), maxEjectionTime: Duration.minutes(1) } }, 'linkerd'))
      .toThrow(/'outlierDetection.baseEjectionTime' \("2 minutes"\) must be at most maxEjectionTime \(1 minute\)/);
  });

  test('two circuit breakers on one host', () => {
    const c = chart('bookinfo');
    new CircuitBreaker(c, 'one', { host: reviewsHost('istio'), loadBalancer: LoadBalancer.random() });
    expect(() => new CircuitBreaker(c, 'two', { host: reviewsHost('istio'), loadBalancer: LoadBalancer.random() }))
      .toThrow(/test\/two: host 'reviews' already has a circuit breaker from test\/one; combine them into one/);
  });

  test.each([
    [{ fault: {} }, /'fault' \(\{\}\) must be a delay, an abort or both/],
    [{ fault: { abort: { httpStatus: 700, percent: 1 } } }, /'fault.abort.httpStatus' \(700\) must be an HTTP status in 200..599/],
    [{ fault: { abort: { httpStatus: 503, percent: 120 } } }, /'fault.abort.percent' \(120\) must be a number in 0..100/],
    [{ fault: { delay: { fixedDelay: Duration.millis(0), percent: 10 } } }, /'fault.delay.fixedDelay' \("0 millis"\) must be a positive duration/],
    [{ fault: { delay: { fixedDelay: Duration.seconds(1), percent: -5 } } }, /'fault.delay.percent' \(-5\) must be a number in 0..100/],
  ])('fault %p', (props, message) => {
    expect(() => new RoutePolicy(chart('bookinfo'), 'p', { host: reviewsHost('istio'), ...props })).toThrow(new RegExp(`^test/p: ${message.source}`));
  });

  test('a fault set host-wide and on a route', () => {
    const c = chart('bookinfo');
    const host = reviewsHost('istio');
    new RoutePolicy(c, 'hostwide', { host, fault: { abort: { httpStatus: 503, percent: 1 } } });
    new RoutePolicy(c, 'matched', { host, matches: [RequestMatch.pathPrefix('/x')], fault: { abort: { httpStatus: 500, percent: 1 } } });
    expect(() => Testing.synth(c)).toThrow(/test\/hostwide: host 'reviews' gets fault both here and from test\/matched; set it in one place/);
  });

  test('experimentalChannel only with Gateway API routing on Istio', () => {
    expect(() => MeshProvider.istio({ experimentalChannel: true }))
      .toThrow(/MeshProvider.istio: 'experimentalChannel' \(true\) must be used only with routingApi IstioRoutingApi.GATEWAY_API/);
  });
});

describe('capability errors', () => {
  const cases: [string, string, () => void, RegExp][] = [
    ['circuit breaking', 'gateway-api', () => new CircuitBreaker(chart('b'), 'cb', { host: reviewsHost('gateway-api'), outlierDetection: {} }),
      /^test\/cb: Gateway API .* cannot express circuit breaking or load balancing; Gateway API has no standard circuit breaking; choose the mesh/],
    ['connection-pool limits', 'linkerd', () => new CircuitBreaker(chart('b'), 'cb', { host: reviewsHost('linkerd'), connectionPool: { maxConnections: 1 } }),
      /^test\/cb: Linkerd 2.20 .* cannot express connection-pool limits; Linkerd has no connection pool limits/],
    ['a load balancer', 'linkerd', () => new CircuitBreaker(chart('b'), 'cb', { host: reviewsHost('linkerd-policy'), loadBalancer: LoadBalancer.random() }),
      /cannot express a load balancer choice; Linkerd always balances by latency/],
    ['Istio-only outlier settings', 'linkerd', () => new CircuitBreaker(chart('b'), 'cb', {
      host: reviewsHost('linkerd'), outlierDetection: { interval: Duration.seconds(10), maxEjectionPercent: 50 },
    }), /cannot express outlierDetection.interval, outlierDetection.maxEjectionPercent; Linkerd failure accrual counts consecutive failures/],
    ['circuit breaking with SMI', 'smi', () => new CircuitBreaker(chart('b'), 'cb', {
      host: ServiceHost.fromAttributes({ mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.SMI }) }), serviceName: 'r', port: 80 }),
      outlierDetection: {},
    }), /Linkerd SMI .* cannot express circuit breaking; Linkerd does not break circuits for a Service that has a ServiceProfile/],
    ['a maximum ejection time', 'istio', () => new CircuitBreaker(chart('b'), 'cb', { host: reviewsHost('istio'), outlierDetection: { maxEjectionTime: Duration.minutes(1) } }),
      /Istio \(networking.istio.io\/v1\) cannot express a maximum ejection time/],
    ['a jitter ratio', 'istio', () => new CircuitBreaker(chart('b'), 'cb', { host: reviewsHost('istio-gateway-api'), outlierDetection: { jitterRatio: 1 } }),
      /Istio \(gateway.networking.k8s.io\/v1 HTTPRoute\) cannot express an ejection jitter ratio/],
    ['fault injection on Gateway API', 'gateway-api', () => new RoutePolicy(chart('b'), 'f', { host: reviewsHost('istio-gateway-api'), fault: { abort: { httpStatus: 503, percent: 1 } } }),
      /^test\/f: Istio \(gateway.networking.k8s.io\/v1 HTTPRoute\) cannot express fault injection; HTTPRoute has no fault injection/],
    ['fault injection on Linkerd', 'linkerd', () => new RoutePolicy(chart('b'), 'f', { host: reviewsHost('linkerd'), fault: { abort: { httpStatus: 503, percent: 1 } } }),
      /cannot express fault injection; Linkerd has no fault injection; use MeshProvider.istio\(\)/],
    ['fault injection on SMI', 'smi', () => new RoutePolicy(chart('b'), 'f', { host: reviewsHost('linkerd-smi'), fault: { delay: { fixedDelay: Duration.seconds(1), percent: 1 } } }),
      /Linkerd SMI .* cannot express fault injection/],
    ['experimental retries on connection failures', 'gateway-api', () => new RoutePolicy(chart('b'), 'r', {
      host: ServiceHost.fromAttributes({ mesh: Mesh.fromAttributes({ provider: MeshProvider.gatewayApi({ experimentalChannel: true }) }), serviceName: 'r', port: 80 }),
      retries: { attempts: 0, retryOn: [HttpRetryOn.RESET] },
    }), /cannot express retrying on reset; HTTPRoute retry.codes name response statuses[^\n]*\n.*cannot express zero retry attempts/],
    ['standard-channel retries point at the experimental channel', 'gateway-api', () => new RoutePolicy(chart('b'), 'r', { host: reviewsHost('gateway-api'), retries: { attempts: 1 } }),
      /cannot express retries; the standard channel of Gateway API has no retry field; opt into the experimental channel/],
  ];
  test.each(cases)('%s (%s)', (_name, _provider, build, message) => {
    expect(build).toThrow(message);
  });

  test('failure accrual needs the Service in this chart', () => {
    const c = chart('bookinfo');
    new CircuitBreaker(c, 'cb', { host: reviewsHost('linkerd'), outlierDetection: { consecutive5xxErrors: 3 } });
    expect(() => Testing.synth(c)).toThrow(/test\/cb: Linkerd 2.20 .* configures failure accrual \(circuit breaking\) with annotations on the Service 'reviews', which no construct in this chart declares/);
  });
});

itValidates('the seeds\' breakers, faults and experimental retries pass the upstream schemas', () => {
  const sets: Record<string, any[]> = {};
  for (const provider of ['istio', 'istio-v1beta1', 'istio-gateway-api', 'linkerd', 'linkerd-policy']) {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
    new CircuitBreaker(c, 'breaker', provider.startsWith('istio')
      ? { host: release, ...SEED_BREAKER, loadBalancer: LoadBalancer.consistentHashByCookie('s', Duration.seconds(30)) }
      : {
        host: release,
        outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(1), maxEjectionTime: Duration.minutes(1), jitterRatio: 25 },
      });
    sets[provider] = Testing.synth(c);
  }
  const c = chart('bookinfo');
  const mesh = Mesh.fromAttributes({ provider: MeshProvider.gatewayApi({ experimentalChannel: true }) });
  new RoutePolicy(c, 'retries', {
    host: ServiceHost.fromAttributes({ mesh, serviceName: 'ratings', port: 9080 }),
    timeout: Duration.seconds(5),
    retries: { attempts: 3, perTryTimeout: Duration.seconds(1), retryOn: [HttpRetryOn.SERVER_ERROR] },
  });
  sets['gateway-api-experimental'] = Testing.synth(c);
  expectValid(sets);
});
