/**
 * The construct × provider matrix, validated against the upstream schemas in ../shared/crds
 * (strict: unknown fields are errors, CEL rules run). Everything is collected and validated in
 * one validator run so a failure names the construct, provider and step.
 */
import { Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, CircuitBreaker, HttpMethod, LoadBalancer, MeshAuthorization, MeshWorkload, MtlsMode, MtlsStage, PathMatch, Peer, RequestMatch,
  RoutePolicy, ServiceHost, StrictMtlsMigration, WorkloadSelector,
} from '../src';
import { bookinfoIngress, Capabilities, capsOf, chart, meshOf, ofKind, PROVIDERS, reviewsCanary, validationTargetOf } from './support/fixtures';
import { expectValid, itValidates, validate } from './support/validator';

const ROUTING_KINDS = ['VirtualService', 'DestinationRule', 'HTTPRoute', 'TrafficSplit', 'ServiceProfile', 'Gateway', 'Certificate', 'ReferenceGrant'];

/** Every case of the matrix: a name and a function that synthesizes it on a provider. */
const CASES: Record<string, (provider: string) => any[]> = {};
/** Cases a provider cannot express at all: they must fail with a capability error instead. */
const NOT_EXPRESSIBLE: Record<string, (caps: Capabilities) => boolean> = {};
const noPolicy = (caps: Capabilities) => !caps.timeout && !caps.retries;

const STEPS = [5, 25, 50, 100];
STEPS.forEach((weight, step) => {
  CASES[`canary-step-${step}-${weight}pct`] = (provider) => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary(provider, { steps: STEPS, currentStep: step }));
    return Testing.synth(c);
  };
});

// Everything the provider can express, at once.
CASES['canary-full'] = (provider) => {
  const caps = capsOf(provider);
  const c = chart('shop');
  new CanaryRelease(c, 'cart', reviewsCanary(provider, {
    serviceName: 'cart',
    port: 80,
    targetPort: 8080,
    canaryMatches: caps.requestMatches
      ? [RequestMatch.header('x-canary', 'true'), RequestMatch.cookie('canary', 'always'), RequestMatch.pathPrefix('/beta')]
      : undefined,
    mirrorPercent: caps.mirror ? 20 : undefined,
    timeout: caps.timeout ? Duration.seconds(10) : undefined,
    retries: caps.retries,
  }));
  return Testing.synth(c);
};

CASES['canary-plus-route-policy'] = (provider) => {
  const caps = capsOf(provider);
  const c = chart('bookinfo');
  const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  new RoutePolicy(c, 'reviews-resilience', {
    host: release,
    timeout: caps.timeout ? Duration.seconds(5) : undefined,
    retries: caps.retries,
  });
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['canary-plus-route-policy'] = noPolicy;

// A policy for some requests only, next to a canary: on SMI it becomes a ServiceProfile route.
CASES['canary-plus-matched-policy'] = (provider) => {
  const c = chart('bookinfo');
  const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  new RoutePolicy(c, 'post-reviews', {
    host: release,
    description: 'POST /reviews',
    matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/reviews') })],
    timeout: Duration.seconds(10),
  });
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['canary-plus-matched-policy'] = caps => !caps.timeout;

// The combined case of the resilience issue: canary + circuit breaker + retries on one host.
CASES['canary-circuit-breaker-retries'] = (provider) => {
  const caps = capsOf(provider);
  const c = chart('bookinfo');
  const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  new CircuitBreaker(c, 'reviews-breaker', {
    host: release,
    connectionPool: caps.circuitBreaker === 'istio' ? { maxConnections: 100, http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } : undefined,
    outlierDetection: caps.circuitBreaker === 'istio'
      ? {
        consecutive5xxErrors: 5, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50, minHealthPercent: 40,
      }
      : { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(1), maxEjectionTime: Duration.minutes(1), jitterRatio: 0.5 },
    loadBalancer: caps.circuitBreaker === 'istio' ? LoadBalancer.consistentHashByCookie('session', Duration.minutes(30)) : undefined,
  });
  if (caps.retries) new RoutePolicy(c, 'reviews-retries', { host: release, retries: caps.retries });
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['canary-circuit-breaker-retries'] = caps => caps.circuitBreaker === undefined;

// The seeds' fault injection: delays and aborts for requests with test headers.
CASES['fault-injection'] = (provider) => {
  const c = chart('bookinfo');
  const host = ServiceHost.fromAttributes({ mesh: meshOf(provider), serviceName: 'ratings', port: 9080 });
  new RoutePolicy(c, 'test-delay', {
    host,
    matches: [RequestMatch.header('test-delay', 'true')],
    fault: { delay: { fixedDelay: Duration.millis(500), percent: 10 } },
  });
  new RoutePolicy(c, 'test-error', {
    host,
    matches: [RequestMatch.header('test-error', 'true')],
    fault: { abort: { httpStatus: 503, percent: 5 } },
  });
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['fault-injection'] = caps => !caps.fault;

CASES['route-policy-without-canary'] = (provider) => {
  const caps = capsOf(provider);
  const c = chart('bookinfo');
  const mesh = meshOf(provider);
  new MeshWorkload(c, 'ratings', { mesh, serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
  new RoutePolicy(c, 'ratings-timeout', {
    host: ServiceHost.fromAttributes({ mesh, serviceName: 'ratings', port: 9080 }),
    timeout: caps.timeout ? Duration.seconds(3) : undefined,
    retries: caps.timeout ? undefined : caps.retries,
  });
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['route-policy-without-canary'] = noPolicy;

CASES['bookinfo-ingress'] = (provider) => {
  const c = chart('bookinfo');
  bookinfoIngress(c, provider);
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['bookinfo-ingress'] = caps => caps.ingressTimeout === false;

// A 3-stage mTLS plan over three namespaces, namespace by namespace (mesh-wide modes are Istio only).
const NAMESPACES = ['payments', 'orders', 'catalog'];
const MTLS_PLAN: MtlsStage[] = [
  { name: 'permissive', namespaces: NAMESPACES.map(namespace => ({ namespace, mode: MtlsMode.PERMISSIVE })) },
  {
    name: 'payments-strict',
    namespaces: NAMESPACES.map(namespace => ({ namespace, mode: namespace === 'payments' ? MtlsMode.STRICT : MtlsMode.PERMISSIVE })),
    workloads: [{
      workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'payments', ports: [8080, 9090] }),
      portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
    }],
  },
  {
    name: 'all-strict',
    namespaces: NAMESPACES.map(namespace => ({ namespace, mode: MtlsMode.STRICT })),
    workloads: [{
      workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'payments', ports: [8080, 9090] }),
      portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
    }],
  },
];
const noSecurity = (caps: Capabilities) => !caps.security;
MTLS_PLAN.forEach((stage, i) => {
  const name = `mtls-stage-${i}-${stage.name}`;
  CASES[name] = (provider) => {
    const c = chart('security');
    new StrictMtlsMigration(c, 'migration', { mesh: meshOf(provider), stages: MTLS_PLAN, currentStage: i, plaintextAlert: {} });
    return Testing.synth(c);
  };
  NOT_EXPRESSIBLE[name] = noSecurity;
});

// Zero trust next to a canary: only productpage may GET the release's /reviews/*.
CASES['authorization-for-canary'] = (provider) => {
  const c = chart('bookinfo');
  const mesh = meshOf(provider);
  const productpage = new MeshWorkload(c, 'productpage', { mesh, serviceName: 'productpage', version: 'v1', image: 'pp:1', port: 9080 });
  const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  new MeshAuthorization(c, 'reviews-viewer', {
    mesh,
    workload: release.workloadSelector,
    allow: [{ name: 'productpage', from: [Peer.identity(productpage.identity)], methods: [HttpMethod.GET], paths: ['/reviews/*'] }],
  });
  return Testing.synth(c);
};
NOT_EXPRESSIBLE['authorization-for-canary'] = noSecurity;

describe('construct × provider matrix', () => {
  const outputs: Record<string, any[]> = {};
  for (const provider of Object.keys(PROVIDERS)) {
    for (const [name, synth] of Object.entries(CASES)) {
      if (NOT_EXPRESSIBLE[name]?.(capsOf(provider))) {
        test(`${name} on ${provider} is a capability error`, () => {
          expect(() => synth(provider)).toThrow(/cannot express|must be set/);
        });
        continue;
      }
      test(`${name} on ${provider} synthesizes one object per routing kind`, () => {
        const out = synth(provider);
        if (capsOf(provider).legacyServer) {
          // validated against Linkerd 2.14's own CRDs (its profile), where v1beta1 is the Server there is
          for (const server of ofKind(out, 'Server')) expect(server.apiVersion).toBe('policy.linkerd.io/v1beta1');
        }
        outputs[`${name}--${provider}`] = out;
        for (const kind of ROUTING_KINDS) {
          const names = ofKind(out, kind).map(o => `${o.metadata.namespace}/${o.metadata.name}`);
          expect(new Set(names).size).toBe(names.length);
        }
        expect(out.length).toBeGreaterThan(0);
      });
    }
  }

  test('every step of the 4-step release routes the step\'s weight', () => {
    for (const provider of Object.keys(PROVIDERS)) {
      STEPS.forEach((weight, step) => {
        const out = outputs[`canary-step-${step}-${weight}pct--${provider}`];
        const vs = ofKind(out, 'VirtualService')[0];
        const route = ofKind(out, 'HTTPRoute')[0];
        const split = ofKind(out, 'TrafficSplit')[0];
        const weights = vs ? vs.spec.http[vs.spec.http.length - 1].route.map((r: any) => r.weight)
          : route ? route.spec.rules[route.spec.rules.length - 1].backendRefs.map((b: any) => b.weight)
            // SMI weights are relative, in per mille
            : split.spec.backends.map((b: any) => b.weight / 10);
        expect(weights).toEqual([100 - weight, weight]);
      });
    }
  });

  itValidates('all of it passes the upstream CRD and Kubernetes schemas', () => {
    const expressible = Object.keys(PROVIDERS).flatMap(p => Object.keys(CASES)
      .filter(n => !NOT_EXPRESSIBLE[n]?.(capsOf(p))));
    expect(Object.keys(outputs)).toHaveLength(expressible.length);
    // each (provider configuration, case) against the CRDs of the releases it targets
    const targets = Object.fromEntries(Object.keys(outputs).map(k => [k, validationTargetOf(k.split('--')[1])]));
    const result = expectValid(outputs, targets);
    const count = Number(/validated (\d+) objects/.exec(result.summary)?.[1]);
    expect(count).toBe(Object.values(outputs).reduce((n, docs) => n + docs.length, 0));
  });

  itValidates('the harness is not vacuous: an unknown field fails', () => {
    const c = chart();
    new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    const out = Testing.synth(c);
    const vs = ofKind(out, 'VirtualService')[0];
    vs.spec.http[1].route[0].wieght = 5;
    const result = validate({ broken: out });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/VirtualService\/reviews .*wieght/);
  });
});
