import { Chart, Duration, Testing } from 'cdk8s';
import { CanaryRelease, CanaryVersion, HttpRetryOn, MeshCluster, MeshProvider, MeshWorkload, RoutePolicy, ServiceHost } from '../../src';
import { MeshHost } from '../../src/model/host';
import { chart, meshOf, one, ofKind, reviewsCanary } from '../support/fixtures';

describe('one object per host per kind', () => {
  test('Istio: a canary and a retry policy on one host give one VirtualService and one DestinationRule', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(c, 'reviews-retries', {
      host: release,
      retries: { attempts: 3, perTryTimeout: Duration.seconds(2), retryOn: [HttpRetryOn.SERVER_ERROR] },
      timeout: Duration.seconds(10),
    });
    const out = Testing.synth(c);
    expect(ofKind(out, 'DestinationRule')).toHaveLength(1);
    const vs = one(out, 'VirtualService');
    expect(vs.spec.http.map((r: any) => [r.name, r.retries, r.timeout])).toEqual([
      ['canary-match', { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' }, '10s'],
      ['canary-split', { attempts: 3, perTryTimeout: '2s', retryOn: '5xx' }, '10s'],
    ]);
    expect(vs.spec.http[1].route.map((r: any) => r.weight)).toEqual([90, 10]);
  });

  test('the policy may come first: order of declaration does not matter', () => {
    const c = chart();
    const mesh = meshOf('istio');
    new RoutePolicy(c, 'policy', { host: ServiceHost.fromAttributes({ mesh, serviceName: 'reviews', port: 9080 }), timeout: Duration.seconds(4) });
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { mesh }));
    const vs = one(Testing.synth(c), 'VirtualService');
    expect(vs.spec.http.map((r: any) => r.timeout)).toEqual(['4s', '4s']);
  });

  test('Gateway API: a canary and a timeout policy give one HTTPRoute', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api'));
    new RoutePolicy(c, 'timeouts', { host: release, timeout: Duration.seconds(10) });
    const route = one(Testing.synth(c), 'HTTPRoute');
    expect(route.spec.rules.map((r: any) => r.timeouts)).toEqual([{ request: '10s' }, { request: '10s' }]);
  });

  test('a policy on a host without a canary routes to the host itself', () => {
    const c = chart();
    const mesh = meshOf('istio');
    new MeshWorkload(c, 'ratings', { mesh, serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
    new RoutePolicy(c, 'ratings-retries', { host: ServiceHost.fromAttributes({ mesh, serviceName: 'ratings', port: 9080 }), retries: { attempts: 2 } });
    const out = Testing.synth(c);
    expect(ofKind(out, 'DestinationRule')).toEqual([]);
    expect(one(out, 'VirtualService').spec).toEqual({
      hosts: ['ratings'],
      http: [{
        name: 'default',
        route: [{ destination: { host: 'ratings' } }],
        retries: { attempts: 2, retryOn: 'connect-failure,refused-stream,gateway-error,reset' },
      }],
    });
  });

  test('the same service name in two namespaces is two hosts', () => {
    const c = chart();
    new CanaryRelease(c, 'a', reviewsCanary('istio', { namespace: 'team-a' }));
    new CanaryRelease(c, 'b', reviewsCanary('istio', { namespace: 'team-b' }));
    const out = Testing.synth(c);
    expect(ofKind(out, 'VirtualService').map(v => v.metadata.namespace)).toEqual(['team-a', 'team-b']);
  });

  test('charts assigned to different clusters are separate scopes', () => {
    const app = Testing.app();
    const dev = new Chart(app, 'dev', { namespace: 'bookinfo' });
    const prod = new Chart(app, 'prod', { namespace: 'bookinfo' });
    MeshCluster.assign(dev, 'dev');
    MeshCluster.assign(prod, 'prod');
    new CanaryRelease(dev, 'reviews', reviewsCanary('gateway-api'));
    new CanaryRelease(prod, 'reviews', reviewsCanary('istio'));
    expect(ofKind(Testing.synth(dev), 'HTTPRoute')).toHaveLength(1);
    expect(ofKind(Testing.synth(prod), 'VirtualService')).toHaveLength(1);
  });
});

describe('conflicts between intents on one host are errors that name both constructs', () => {
  test('retries set on the canary and by a policy', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { retries: { attempts: 1 } }));
    new RoutePolicy(c, 'policy', { host: release, retries: { attempts: 3 } });
    expect(() => Testing.synth(c)).toThrow(/test\/policy: host 'reviews' gets retries both here and from test\/reviews; set it in one place/);
  });

  test('a timeout set on the canary and by a policy', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { timeout: Duration.seconds(3) }));
    new RoutePolicy(c, 'policy', { host: release, timeout: Duration.seconds(5) });
    expect(() => Testing.synth(c)).toThrow(/test\/policy: host 'reviews' gets timeout both here and from test\/reviews; set it in one place/);
  });

  test('a route to a version the host does not have', () => {
    const c = chart();
    const provider = MeshProvider.istio();
    const host = MeshHost.obtain(c, provider._renderers, { name: 'reviews', port: 9080 });
    host.addVersion(c, { name: 'v1', labels: { app: 'reviews', version: 'v1' } });
    expect(() => host.addRoute({ source: c, name: 'r', matches: [], backends: [{ version: 'v3', weight: 100 }] }))
      .toThrow(/^test: 'version' \("v3"\) must be a version declared on host 'reviews' \(v1\)/);
  });

  test('a per-try timeout from a policy longer than the canary\'s timeout', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio', { timeout: Duration.seconds(1) }));
    new RoutePolicy(c, 'policy', { host: release, retries: { attempts: 3, perTryTimeout: Duration.seconds(2) } });
    expect(() => Testing.synth(c)).toThrow(/test\/policy: 'retries.perTryTimeout' \("2 seconds"\) must be at most the request timeout of host 'reviews' \(1 second\)/);
  });

  test('two route policies on one host', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(c, 'one', { host: release, timeout: Duration.seconds(1) });
    expect(() => new RoutePolicy(c, 'two', { host: release, timeout: Duration.seconds(2) }))
      .toThrow(/test\/two: host 'reviews' already has a route policy from test\/one; combine them into one/);
  });

  test('two canaries on one host', () => {
    const c = chart();
    new CanaryRelease(c, 'first', reviewsCanary('istio'));
    expect(() => new CanaryRelease(c, 'second', reviewsCanary('istio', {
      stable: CanaryVersion.fromLabels('v3', { app: 'reviews', version: 'v3' }),
      canary: CanaryVersion.fromLabels('v4', { app: 'reviews', version: 'v4' }),
    }))).toThrow(/test\/second: emits Service reviews, which test\/first emits too; applied to one cluster, one would silently replace the other/);
  });

  test('a version declared twice on one host', () => {
    const c = chart();
    new CanaryRelease(c, 'first', reviewsCanary('istio'));
    expect(() => new CanaryRelease(c, 'second', reviewsCanary('istio', {
      stable: CanaryVersion.fromLabels('v1', { app: 'reviews', version: 'v1' }),
      canary: CanaryVersion.fromLabels('v9', { app: 'reviews', version: 'v9' }),
    }))).toThrow(/test\/second: emits Service reviews, which test\/first emits too/);
  });

  test('two providers on one host', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    expect(() => new RoutePolicy(c, 'policy', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('gateway-api'), serviceName: release.hostName, port: 9080 }),
      timeout: Duration.seconds(1),
    })).toThrow(/test\/policy: host 'reviews' is rendered by Istio \(networking.istio.io\/v1\) for test\/reviews; every construct on one host must use the same mesh provider/);
  });

  test('another port for the same host', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    expect(() => new RoutePolicy(c, 'policy', {
      host: ServiceHost.fromAttributes({ mesh: release.mesh, serviceName: 'reviews', port: 8080 }),
      timeout: Duration.seconds(1),
    })).toThrow(/test\/policy: 'port' \(8080\) must be the port of host 'reviews' as declared by test\/reviews \(9080\)/);
  });

  test('intents added after synthesis', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    Testing.synth(c);
    expect(() => new RoutePolicy(c, 'late', { host: release, timeout: Duration.seconds(1) }))
      .toThrow(/test\/late: host 'reviews' was already synthesized; declare every intent before synthesis/);
  });
});

describe('RoutePolicy input', () => {
  const host = () => ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'reviews', port: 9080 });
  test('nothing to apply', () => {
    expect(() => new RoutePolicy(chart(), 'p', { host: host() })).toThrow(/test\/p: 'retries\/timeout\/fault' \(undefined\) must be set/);
  });
  test('an invalid host name', () => {
    expect(() => new RoutePolicy(chart(), 'p', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'Reviews', port: 9080 }), timeout: Duration.seconds(1),
    })).toThrow(/test\/p: 'host.hostName' \("Reviews"\) must be a DNS-1035 label/);
  });
  test('an invalid port', () => {
    expect(() => new RoutePolicy(chart(), 'p', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'reviews', port: 0 }), timeout: Duration.seconds(1),
    })).toThrow(/test\/p: 'host.port' \(0\) must be an integer in 1..65535/);
  });
  test('a zero timeout', () => {
    expect(() => new RoutePolicy(chart(), 'p', { host: host(), timeout: Duration.millis(0) })).toThrow(/test\/p: 'timeout' \("0 millis"\) must be a positive duration/);
  });
  test('retries on plain Gateway API', () => {
    expect(() => new RoutePolicy(chart(), 'p', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('gateway-api'), serviceName: 'reviews', port: 9080 }), retries: { attempts: 2 },
    })).toThrow(/^test\/p: Gateway API \(gateway.networking.k8s.io\/v1 HTTPRoute\) cannot express retries/);
  });
});
