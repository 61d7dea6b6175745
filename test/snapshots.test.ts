/**
 * One snapshot per construct per provider: a reviewed record of the exact output, so any change
 * to it shows up in review. Regenerate deliberately with `npx jest --ci=false -u`.
 */
import { Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, CircuitBreaker, HttpMethod, MeshAuthorization, MeshWorkload, MtlsMode, Peer, RoutePolicy, ServiceHost, StrictMtlsMigration,
  WorkloadSelector,
} from '../src';
import { bookinfoIngress, capsOf, chart, meshOf, PROVIDERS, reviewsCanary } from './support/fixtures';

describe.each(Object.keys(PROVIDERS))('%s', (provider) => {
  test('CanaryRelease', () => {
    const c = chart('bookinfo');
    const caps = capsOf(provider);
    new CanaryRelease(c, 'reviews', reviewsCanary(provider, {
      mirrorPercent: caps.mirror ? 5 : undefined,
      timeout: caps.timeout ? Duration.seconds(10) : undefined,
      retries: provider.startsWith('linkerd') ? caps.retries : undefined,
    }));
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('MeshWorkload', () => {
    const c = chart('bookinfo');
    new MeshWorkload(c, 'ratings', { mesh: meshOf(provider), serviceName: 'ratings', version: 'v1', image: 'ratings:1', port: 9080 });
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('RoutePolicy', () => {
    const caps = capsOf(provider);
    const c = chart('bookinfo');
    const policy = () => new RoutePolicy(c, 'ratings', {
      host: ServiceHost.fromAttributes({ mesh: meshOf(provider), serviceName: 'ratings', port: 9080 }),
      timeout: Duration.seconds(3),
    });
    if (!caps.timeout) {
      expect(policy).toThrow(/cannot express a request timeout/);
      return;
    }
    policy();
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('CircuitBreaker', () => {
    const caps = capsOf(provider);
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
    const breaker = () => new CircuitBreaker(c, 'breaker', {
      host: release,
      connectionPool: caps.circuitBreaker === 'istio' ? { maxConnections: 100, http1MaxPendingRequests: 1 } : undefined,
      outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30) },
    });
    if (!caps.circuitBreaker) {
      expect(breaker).toThrow(/cannot express circuit breaking/);
      return;
    }
    breaker();
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('IngressGateway and GatewayRoute', () => {
    const c = chart('bookinfo');
    bookinfoIngress(c, provider);
    expect(Testing.synth(c).filter(o => !['Deployment', 'Service', 'ServiceAccount'].includes(o.kind))).toMatchSnapshot();
  });

  test('StrictMtlsMigration', () => {
    const c = chart('security');
    const migration = () => new StrictMtlsMigration(c, 'migration', {
      mesh: meshOf(provider),
      namespaces: [{ namespace: 'payments', mode: MtlsMode.STRICT }, { namespace: 'orders', mode: MtlsMode.PERMISSIVE }],
      workloads: [{
        workload: WorkloadSelector.labels({ app: 'checkout' }, { namespace: 'orders', ports: [8080] }),
        portExceptions: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
      }],
      plaintextAlert: {},
    });
    if (!capsOf(provider).security) {
      expect(migration).toThrow(/cannot express mTLS modes/);
      return;
    }
    migration();
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('MeshAuthorization', () => {
    const c = chart('bookinfo');
    const policy = () => new MeshAuthorization(c, 'reviews-viewer', {
      mesh: meshOf(provider),
      workload: WorkloadSelector.labels({ app: 'reviews' }, { ports: [9080] }),
      allow: [
        { name: 'productpage', from: [Peer.serviceAccount('productpage', 'bookinfo')], methods: [HttpMethod.GET], paths: ['/reviews/*'] },
        { name: 'probes', paths: ['/health'] },
      ],
    });
    if (!capsOf(provider).security) {
      expect(policy).toThrow(/cannot express authorization policies/);
      return;
    }
    policy();
    expect(Testing.synth(c)).toMatchSnapshot();
  });
});
