/**
 * The construct × provider matrix, validated against the upstream schemas in ../shared/crds
 * (strict: unknown fields are errors, CEL rules run). Everything is collected and validated in
 * one validator run so a failure names the construct, provider and step.
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease, HttpRetryOn, MeshWorkload, RequestMatch, RoutePolicy, ServiceHost } from '../src';
import { bookinfoIngress, chart, meshOf, ofKind, PROVIDERS, reviewsCanary } from './support/fixtures';
import { expectValid, itValidates, validate } from './support/validator';

const ROUTING_KINDS = ['VirtualService', 'DestinationRule', 'HTTPRoute', 'Gateway', 'Certificate', 'ReferenceGrant'];
const retriesSupported = (provider: string) => !provider.includes('gateway-api');

/** Every case of the matrix: a name and a function that synthesizes it on a provider. */
const CASES: Record<string, (provider: string) => any[]> = {};

const STEPS = [5, 25, 50, 100];
STEPS.forEach((weight, step) => {
  CASES[`canary-step-${step}-${weight}pct`] = (provider) => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary(provider, { steps: STEPS, currentStep: step }));
    return Testing.synth(c);
  };
});

CASES['canary-full'] = (provider) => {
  const c = chart('shop');
  new CanaryRelease(c, 'cart', reviewsCanary(provider, {
    serviceName: 'cart',
    port: 80,
    targetPort: 8080,
    canaryMatches: [RequestMatch.header('x-canary', 'true'), RequestMatch.cookie('canary', 'always'), RequestMatch.pathPrefix('/beta')],
    mirrorPercent: 20,
    timeout: Duration.seconds(10),
    retries: retriesSupported(provider) ? { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.SERVER_ERROR] } : undefined,
  }));
  return Testing.synth(c);
};

CASES['canary-plus-route-policy'] = (provider) => {
  const c = chart('bookinfo');
  const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  new RoutePolicy(c, 'reviews-resilience', {
    host: release,
    timeout: Duration.seconds(5),
    retries: retriesSupported(provider) ? { attempts: 2, perTryTimeout: Duration.seconds(2) } : undefined,
  });
  return Testing.synth(c);
};

CASES['route-policy-without-canary'] = (provider) => {
  const c = chart('bookinfo');
  const mesh = meshOf(provider);
  new MeshWorkload(c, 'ratings', { mesh, serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
  new RoutePolicy(c, 'ratings-timeout', {
    host: ServiceHost.fromAttributes({ mesh, serviceName: 'ratings', port: 9080 }),
    timeout: Duration.seconds(3),
  });
  return Testing.synth(c);
};

CASES['bookinfo-ingress'] = (provider) => {
  const c = chart('bookinfo');
  bookinfoIngress(c, provider);
  return Testing.synth(c);
};

describe('construct × provider matrix', () => {
  const outputs: Record<string, any[]> = {};
  for (const provider of Object.keys(PROVIDERS)) {
    for (const [name, synth] of Object.entries(CASES)) {
      test(`${name} on ${provider} synthesizes one object per routing kind`, () => {
        const out = synth(provider);
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
        const weights = vs
          ? vs.spec.http[1].route.map((r: any) => r.weight)
          : route.spec.rules[1].backendRefs.map((b: any) => b.weight);
        expect(weights).toEqual([100 - weight, weight]);
      });
    }
  });

  itValidates('all of it passes the upstream CRD and Kubernetes schemas', () => {
    expect(Object.keys(outputs)).toHaveLength(Object.keys(PROVIDERS).length * Object.keys(CASES).length);
    const result = expectValid(outputs);
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
