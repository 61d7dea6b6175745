/**
 * Issue 12, items 3 and 10: retry and duration fields as the control planes parse them.
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease, CircuitBreaker, HttpRetryOn, RoutePolicy, ServiceHost } from '../../src';
import { chart, meshOf, one, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

describe('Istio retries always carry attempts (item 3)', () => {
  // istio/istio pilot/pkg/networking/core/route/retry/retry.go ConvertPolicy: `if in.Attempts <= 0
  // { return nil }` — a `retries` block without attempts switches retries off, Istio's default of
  // 2 attempts applies only when `retries` is absent.
  for (const provider of ['istio', 'istio-v1beta1']) {
    test(`${provider}: retries without attempts render Istio's default (2), never an attempts-less block`, () => {
      const c = chart('bookinfo');
      const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
      new RoutePolicy(c, 'retries', { host: release, retries: { retryOn: [HttpRetryOn.GATEWAY_ERROR], perTryTimeout: Duration.seconds(2) } });
      const http = one(Testing.synth(c), 'VirtualService').spec.http;
      for (const r of http) expect(r.retries).toEqual({ attempts: 2, perTryTimeout: '2s', retryOn: 'gateway-error' });
    });
  }

  test('explicit attempts are kept, and 0 still means "no retries" (what ConvertPolicy does with it)', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(c, 'retries', { host: release, retries: { attempts: 0 } });
    for (const r of one(Testing.synth(c), 'VirtualService').spec.http) expect(r.retries.attempts).toBe(0);
  });
});

describe('Linkerd annotations use durations its parser reads (item 10)', () => {
  // linkerd/linkerd2 policy-controller/k8s/index/src/outbound/index.rs parse_duration: one integer
  // magnitude and one unit (ms, s, m, h, d); `1m30s` is a parse error and the whole retry or
  // failure-accrual config is dropped with a log line.
  const SINGLE_UNIT = /^\d+(ms|s|m|h)$/;

  test('retry.linkerd.io/timeout 90s, not 1m30s', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd', { timeout: Duration.minutes(5) }));
    new RoutePolicy(c, 'retries', { host: release, retries: { attempts: 3, perTryTimeout: Duration.seconds(90), retryOn: [HttpRetryOn.GATEWAY_ERROR] } });
    const route = one(Testing.synth(c), 'HTTPRoute');
    expect(route.metadata.annotations['retry.linkerd.io/timeout']).toBe('90s');
    expect(route.metadata.annotations['retry.linkerd.io/limit']).toBe('3');
  });

  test('failure-accrual penalties 150m and 1500ms, not 2h30m and 1.5s', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd'));
    new CircuitBreaker(c, 'breaker', {
      host: release,
      outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.millis(1500), maxEjectionTime: Duration.minutes(150) },
    });
    const out = Testing.synth(c).filter(m => m.metadata.name === 'reviews');
    const a = one(out, 'Service').metadata.annotations;
    expect(a['balancer.linkerd.io/failure-accrual-consecutive-min-penalty']).toBe('1500ms');
    expect(a['balancer.linkerd.io/failure-accrual-consecutive-max-penalty']).toBe('150m');
    for (const k of Object.keys(a).filter(x => x.endsWith('penalty'))) expect(a[k]).toMatch(SINGLE_UNIT);
  });

  // parse_consecutive_params: max-penalty defaults to 60s, min-penalty to 1s, and
  // `ensure!(min_penalty <= max_penalty)` rejects the whole config otherwise.
  test('a min-penalty above the default 60s max-penalty is an error unless maxEjectionTime is set', () => {
    const host = () => ServiceHost.fromAttributes({ mesh: meshOf('linkerd'), serviceName: 'reviews', port: 9080 });
    const c = chart('bookinfo');
    expect(() => new CircuitBreaker(c, 'breaker', { host: host(), outlierDetection: { baseEjectionTime: Duration.seconds(90) } })).toThrow(/breaker: .*baseEjectionTime \(1 minute 30 seconds\) above Linkerd's default max-penalty \(60s\).*set outlierDetection.maxEjectionTime/);
    const ok = chart('bookinfo');
    const release = new CanaryRelease(ok, 'reviews', reviewsCanary('linkerd'));
    new CircuitBreaker(ok, 'breaker', { host: release, outlierDetection: { baseEjectionTime: Duration.seconds(90), maxEjectionTime: Duration.minutes(5) } });
    expect(one(Testing.synth(ok), 'Service', 'reviews').metadata.annotations['balancer.linkerd.io/failure-accrual-consecutive-min-penalty']).toBe('90s');
  });

  test('a max-penalty below the default 1s min-penalty is an error unless baseEjectionTime is set', () => {
    const c = chart('bookinfo');
    expect(() => new CircuitBreaker(c, 'breaker', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('linkerd'), serviceName: 'reviews', port: 9080 }),
      outlierDetection: { maxEjectionTime: Duration.millis(500) },
    })).toThrow(/breaker: .*maxEjectionTime \(500 millis\) below Linkerd's default min-penalty \(1s\)/);
  });

  // http.rs parse_http_retry: `.filter(|v| *v != 0)` — a limit of 0 is dropped and the default applies.
  test('retries.attempts 0 is an error: retry.linkerd.io/limit "0" means the default limit', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd'));
    expect(() => new RoutePolicy(c, 'retries', { host: release, retries: { attempts: 0, retryOn: [HttpRetryOn.GATEWAY_ERROR] } }))
      .toThrow(/retries: .*zero retry attempts .*drop retries to not retry/);
  });

  itValidates('what these tests emit passes the schemas', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('linkerd', { timeout: Duration.minutes(5) }));
    new RoutePolicy(c, 'retries', { host: release, retries: { attempts: 3, perTryTimeout: Duration.seconds(90), retryOn: [HttpRetryOn.GATEWAY_ERROR] } });
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: { baseEjectionTime: Duration.seconds(90), maxEjectionTime: Duration.minutes(150) } });
    const i = chart('bookinfo');
    const r2 = new CanaryRelease(i, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(i, 'retries', { host: r2, retries: { retryOn: [HttpRetryOn.GATEWAY_ERROR] } });
    expectValid({ linkerd: Testing.synth(c), istio: Testing.synth(i) });
  });
});
