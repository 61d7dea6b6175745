/**
 * Traffic policy per version (CanaryVersion.withTrafficPolicy) and the DestinationRule settings
 * beyond circuit breaking: h2UpgradePolicy, locality load balancing, TLS to the upstream. Istio
 * renders them; Gateway API has BackendTLSPolicy for TLS origination; the rest is a capability
 * error on the providers that have no equivalent.
 */
import { Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, CanaryVersion, CircuitBreaker, GatewayApiBundle, H2UpgradePolicy, IstioDataPlaneMode, IstioVersion,
  LinkerdRoutingApi, LoadBalancer, Mesh, MeshProvider, RequestMatch, RouteDestination, ServiceHost, TrafficPolicyOptions, TrafficRoutes, UpstreamTls,
} from '../../src';
import { chart, meshOf, one, ofKind, reviewsCanary, validationTargetOf } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const v = (name: string, key = 'version') => CanaryVersion.fromLabels(name, { app: 'reviews', [key]: name });

/** bookinfo `reviews` with three existing versions selected by labels, 90/10 v1/v2, `end-user: jason` to v3. */
function reviewsRoutes(provider: string, versions = [v('v1'), v('v2'), v('v3')], mesh = meshOf(provider)) {
  const c = chart('bookinfo');
  const routes = new TrafficRoutes(c, 'reviews', {
    mesh,
    serviceName: 'reviews',
    port: 9080,
    versions,
    rules: [{ name: 'jason', matches: [RequestMatch.header('end-user', 'jason')], destination: RouteDestination.version(versions[2]?.name ?? 'v2') }],
    defaultRoute: { destination: RouteDestination.weighted([{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }]) },
  });
  return { c, routes };
}

/**
 * What an Istio proxy applies to a subset's cluster: the DestinationRule's policy with each group
 * the subset sets replaced whole (pilot/pkg/networking/core/cluster_builder.go buildSubsetCluster →
 * util.MergeTrafficPolicy: connectionPool, outlierDetection, loadBalancer and tls are taken from
 * the subset when it has them, else from the host).
 */
function istioMerge(host: any, subset: any): any {
  if (!subset) return host;
  const out: any = { ...host };
  for (const group of ['connectionPool', 'outlierDetection', 'loadBalancer', 'tls']) if (subset[group] !== undefined) out[group] = subset[group];
  return Object.fromEntries(Object.entries(out).filter(([, x]) => x !== undefined));
}

describe('the seeds\' DestinationRules, field by field', () => {
  test('seed 003: h2UpgradePolicy UPGRADE with pool limits, round robin, outlier detection and three subsets', () => {
    const { c, routes } = reviewsRoutes('istio');
    new CircuitBreaker(c, 'breaker', {
      host: routes,
      connectionPool: { maxConnections: 100, http1MaxPendingRequests: 100 },
      h2UpgradePolicy: H2UpgradePolicy.UPGRADE,
      loadBalancer: LoadBalancer.roundRobin(),
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30) },
    });
    const out = Testing.synth(c);
    expect(ofKind(out, 'DestinationRule')).toHaveLength(1);
    // The seed names its DestinationRule `reviews-destination`; the library names the host's one
    // DestinationRule after the host. Subsets also carry `app: reviews`, which every endpoint of the
    // host has (the Service selects it), so they select the same pods as the seed's `version` alone.
    expect(one(out, 'DestinationRule').spec).toEqual({
      host: 'reviews',
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 100 }, http: { h2UpgradePolicy: 'UPGRADE', http1MaxPendingRequests: 100 } },
        loadBalancer: { simple: 'ROUND_ROBIN' },
        outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s' },
      },
      subsets: ['v1', 'v2', 'v3'].map(name => ({ name, labels: { app: 'reviews', version: name } })),
    });
  });

  test('seed 001 canary: RANDOM, pool limits, outlier detection and three subsets of TrafficRoutes versions', () => {
    const { c, routes } = reviewsRoutes('istio');
    new CircuitBreaker(c, 'breaker', {
      host: routes,
      loadBalancer: LoadBalancer.random(),
      connectionPool: { maxConnections: 100, http1MaxPendingRequests: 50, http2MaxRequests: 100, maxRequestsPerConnection: 2 },
      // The seed's `consecutiveErrors: 5` is the deprecated field istiod no longer reads
      // (cluster_traffic_policy.go applyOutlierDetection reads consecutive5xxErrors and
      // consecutiveGatewayErrors only); it meant 502/503/504 (istio/api#617), which is
      // consecutiveGatewayErrors.
      outlierDetection: {
        consecutiveGatewayErrors: 5, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50,
      },
    });
    const out = Testing.synth(c);
    expect(one(out, 'DestinationRule').spec).toEqual({
      host: 'reviews',
      trafficPolicy: {
        loadBalancer: { simple: 'RANDOM' },
        connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, http2MaxRequests: 100, maxRequestsPerConnection: 2 } },
        outlierDetection: { consecutiveGatewayErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      },
      subsets: ['v1', 'v2', 'v3'].map(name => ({ name, labels: { app: 'reviews', version: name } })),
    });
    expect(one(out, 'VirtualService').spec.http.map((r: any) => r.name)).toEqual(['jason', 'default']);
  });

  test('seed 001 multi-region failover: locality weights (distribute) and two subsets by region label', () => {
    const c = chart('shop');
    const regions = ['us-east', 'us-west'].map(r => CanaryVersion.fromLabels(r, { app: 'myservice', region: r }));
    const routes = new TrafficRoutes(c, 'myservice', {
      mesh: meshOf('istio'),
      serviceName: 'myservice',
      port: 8080,
      versions: regions,
      defaultRoute: { destination: RouteDestination.weighted([{ version: 'us-east', weight: 50 }, { version: 'us-west', weight: 50 }]) },
    });
    new CircuitBreaker(c, 'multi-region', {
      host: routes,
      localityLoadBalancing: { enabled: true, distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] },
      // seed: `consecutiveErrors: 3` (see the canary case above)
      outlierDetection: { consecutiveGatewayErrors: 3, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30) },
    });
    expect(one(Testing.synth(c), 'DestinationRule').spec).toEqual({
      host: 'myservice',
      trafficPolicy: {
        loadBalancer: { localityLbSetting: { enabled: true, distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] } },
        outlierDetection: { consecutiveGatewayErrors: 3, interval: '30s', baseEjectionTime: '30s' },
      },
      subsets: [
        { name: 'us-east', labels: { app: 'myservice', region: 'us-east' } },
        { name: 'us-west', labels: { app: 'myservice', region: 'us-west' } },
      ],
    });
  });

  test('locality failover with priorities, and upstream TLS, on the host', () => {
    const c = chart('shop');
    new CircuitBreaker(c, 'failover', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'payments', port: 8443 }),
      outlierDetection: { consecutive5xxErrors: 3 },
      localityLoadBalancing: { failover: [{ from: 'us-east', to: 'us-west' }, { from: 'us-west', to: 'us-east' }], failoverPriority: ['topology.istio.io/network'] },
      tls: UpstreamTls.simple({ sni: 'payments.example.com', subjectAltNames: ['payments.example.com'] }),
    });
    expect(one(Testing.synth(c), 'DestinationRule').spec.trafficPolicy).toEqual({
      outlierDetection: { consecutive5xxErrors: 3 },
      loadBalancer: {
        localityLbSetting: {
          failover: [{ from: 'us-east', to: 'us-west' }, { from: 'us-west', to: 'us-east' }],
          failoverPriority: ['topology.istio.io/network'],
        },
      },
      tls: { mode: 'SIMPLE', sni: 'payments.example.com', subjectAltNames: ['payments.example.com'] },
    });
  });

  test.each([
    [UpstreamTls.disable(), { mode: 'DISABLE' }],
    [UpstreamTls.istioMutual(), { mode: 'ISTIO_MUTUAL' }],
    [UpstreamTls.simple(), { mode: 'SIMPLE' }],
    [UpstreamTls.simple({ caCertificates: '/etc/certs/ca.pem', sni: 'r.example.com' }), { mode: 'SIMPLE', caCertificates: '/etc/certs/ca.pem', sni: 'r.example.com' }],
    [UpstreamTls.simple({ insecureSkipVerify: true }), { mode: 'SIMPLE', insecureSkipVerify: true }],
    [UpstreamTls.mutual({ clientCertificate: '/etc/certs/client.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem' }),
      { mode: 'MUTUAL', clientCertificate: '/etc/certs/client.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem' }],
  ])('tls %#', (tls, expected) => {
    const c = chart('shop');
    new CircuitBreaker(c, 'tls', { host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'db', port: 5432 }), tls });
    expect(one(Testing.synth(c), 'DestinationRule').spec.trafficPolicy).toEqual({ tls: expected });
  });

  test.each([H2UpgradePolicy.DEFAULT, H2UpgradePolicy.DO_NOT_UPGRADE])('h2UpgradePolicy %s alone', h2 => {
    const c = chart('shop');
    new CircuitBreaker(c, 'h2', { host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'r', port: 80 }), h2UpgradePolicy: h2 });
    expect(one(Testing.synth(c), 'DestinationRule').spec.trafficPolicy).toEqual({ connectionPool: { http: { h2UpgradePolicy: h2 } } });
  });
});

describe('a version\'s own policy (Istio subset trafficPolicy)', () => {
  const HOST: Omit<TrafficPolicyOptions, 'tls'> & { tls: UpstreamTls } = {
    connectionPool: { maxConnections: 100, http1MaxPendingRequests: 10 },
    outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10) },
    loadBalancer: LoadBalancer.roundRobin(),
    h2UpgradePolicy: H2UpgradePolicy.UPGRADE,
    tls: UpstreamTls.istioMutual(),
  };

  test('each setting overrides the host\'s, field by field; the subset writes the groups it changes whole', () => {
    const versions = [
      v('v1'),
      v('v2').withTrafficPolicy({ connectionPool: { maxConnections: 10 }, loadBalancer: LoadBalancer.leastRequest() }),
      v('v3').withTrafficPolicy({
        h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE,
        outlierDetection: { baseEjectionTime: Duration.minutes(1) },
        localityLoadBalancing: { distribute: [{ from: 'eu/*', to: { 'eu/*': 100 } }] },
      }),
    ];
    const { c, routes } = reviewsRoutes('istio', versions);
    new CircuitBreaker(c, 'breaker', { host: routes, ...HOST });
    const dr = one(Testing.synth(c), 'DestinationRule').spec;
    const hostPolicy = {
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'UPGRADE' } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
      loadBalancer: { simple: 'ROUND_ROBIN' },
      tls: { mode: 'ISTIO_MUTUAL' },
    };
    expect(dr.trafficPolicy).toEqual(hostPolicy);
    expect(dr.subsets[0]).toEqual({ name: 'v1', labels: { app: 'reviews', version: 'v1' } });
    // v2 changes one limit: the subset's connectionPool keeps the host's other limit and the upgrade
    expect(dr.subsets[1].trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 10 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'UPGRADE' } },
      loadBalancer: { simple: 'LEAST_REQUEST' },
    });
    // v3 changes the upgrade (inside connectionPool), one outlier field, and adds locality weights
    // (inside loadBalancer, next to the host's algorithm)
    expect(dr.subsets[2].trafficPolicy).toEqual({
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'DO_NOT_UPGRADE' } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '1m' },
      loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { distribute: [{ from: 'eu/*', to: { 'eu/*': 100 } }] } },
    });
    // What the proxies apply (Istio's group-wise merge) is the host's policy with the version's settings over it:
    expect(istioMerge(dr.trafficPolicy, dr.subsets[1].trafficPolicy)).toEqual({
      ...hostPolicy,
      connectionPool: { tcp: { maxConnections: 10 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'UPGRADE' } },
      loadBalancer: { simple: 'LEAST_REQUEST' },
    });
    expect(istioMerge(dr.trafficPolicy, dr.subsets[2].trafficPolicy)).toEqual({
      ...hostPolicy,
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'DO_NOT_UPGRADE' } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '1m' },
      loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { distribute: [{ from: 'eu/*', to: { 'eu/*': 100 } }] } },
    });
  });

  test('a version\'s policy without a host policy; the TLS group is replaced whole', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ tls: UpstreamTls.simple({ sni: 'reviews-v2.example.com' }) }), v('v3')];
    const { c } = reviewsRoutes('istio', versions);
    const dr = one(Testing.synth(c), 'DestinationRule').spec;
    expect(dr.trafficPolicy).toBeUndefined();
    expect(dr.subsets.map((s: any) => s.trafficPolicy)).toEqual([undefined, { tls: { mode: 'SIMPLE', sni: 'reviews-v2.example.com' } }, undefined]);
  });

  test('a canary with its own limits through CanaryRelease; withTrafficPolicy returns a new version', () => {
    const c = chart('bookinfo');
    const canary = CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' });
    const limited = canary.withTrafficPolicy({ connectionPool: { http2MaxRequests: 10 }, outlierDetection: { consecutive5xxErrors: 1 } });
    expect(limited).not.toBe(canary);
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { canary: limited }));
    const dr = one(Testing.synth(c), 'DestinationRule').spec;
    expect(dr.subsets).toEqual([
      { name: 'v1', labels: { app: 'reviews', version: 'v1' } },
      {
        name: 'v2',
        labels: { app: 'reviews', version: 'v2' },
        trafficPolicy: { connectionPool: { http: { http2MaxRequests: 10 } }, outlierDetection: { consecutive5xxErrors: 1 } },
      },
    ]);
    // the original version has no policy
    const c2 = chart('bookinfo');
    new CanaryRelease(c2, 'reviews', reviewsCanary('istio', { canary }));
    expect(one(Testing.synth(c2), 'DestinationRule').spec.subsets[1].trafficPolicy).toBeUndefined();
  });

  test('Istio with Gateway API routing: each per-version Service\'s DestinationRule holds the version\'s effective policy', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ connectionPool: { maxConnections: 10 } }), v('v3').withTrafficPolicy({ tls: UpstreamTls.disable() })];
    const { c, routes } = reviewsRoutes('istio-gateway-api', versions);
    new CircuitBreaker(c, 'breaker', { host: routes, connectionPool: { maxConnections: 100, http1MaxPendingRequests: 10 }, h2UpgradePolicy: H2UpgradePolicy.UPGRADE });
    const out = Testing.synth(c);
    const host = { connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'UPGRADE' } } };
    expect(one(out, 'DestinationRule', 'reviews').spec).toEqual({ host: 'reviews', trafficPolicy: host });
    expect(one(out, 'DestinationRule', 'reviews-v1').spec).toEqual({ host: 'reviews-v1', trafficPolicy: host });
    expect(one(out, 'DestinationRule', 'reviews-v2').spec).toEqual({
      host: 'reviews-v2',
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 }, http: { http1MaxPendingRequests: 10, h2UpgradePolicy: 'UPGRADE' } } },
    });
    expect(one(out, 'DestinationRule', 'reviews-v3').spec).toEqual({ host: 'reviews-v3', trafficPolicy: { ...host, tls: { mode: 'DISABLE' } } });
  });

  test('Istio with Gateway API routing: a version\'s policy alone gets its Service a DestinationRule, no other', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ loadBalancer: LoadBalancer.random() }), v('v3')];
    const { c } = reviewsRoutes('istio-gateway-api', versions);
    const drs = ofKind(Testing.synth(c), 'DestinationRule');
    expect(drs.map(d => d.spec)).toEqual([{ host: 'reviews-v2', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }]);
  });

  test('ambient mode keeps the waypoint path: the subsets carry their policies', () => {
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });
    const versions = [v('v1'), v('v2').withTrafficPolicy({ outlierDetection: { consecutive5xxErrors: 2 } }), v('v3')];
    const { c } = reviewsRoutes('istio', versions, mesh);
    const out = Testing.synth(c);
    expect(one(out, 'DestinationRule').spec.subsets[1].trafficPolicy).toEqual({ outlierDetection: { consecutive5xxErrors: 2 } });
    expect(one(out, 'Service', 'reviews').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
  });
});

describe('Gateway API: TLS origination as BackendTLSPolicy', () => {
  test('the host\'s TLS on the host\'s Service and every per-version Service; a version\'s own on its Service', () => {
    const versions = [v('v1'), v('v2'), v('v3').withTrafficPolicy({ tls: UpstreamTls.simple({ sni: 'v3.reviews.example.com' }) })];
    const { c, routes } = reviewsRoutes('gateway-api', versions);
    new CircuitBreaker(c, 'tls', {
      host: routes,
      tls: UpstreamTls.simple({ sni: 'reviews.example.com', subjectAltNames: ['reviews.example.com', 'spiffe://cluster.local/ns/bookinfo/sa/reviews'] }),
    });
    const out = Testing.synth(c);
    const policies = ofKind(out, 'BackendTLSPolicy');
    expect(policies.map(p => p.metadata.name).sort()).toEqual(['reviews', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
    expect(one(out, 'BackendTLSPolicy', 'reviews')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
        validation: {
          hostname: 'reviews.example.com',
          wellKnownCACertificates: 'System',
          subjectAltNames: [{ type: 'Hostname', hostname: 'reviews.example.com' }, { type: 'URI', uri: 'spiffe://cluster.local/ns/bookinfo/sa/reviews' }],
        },
      },
    });
    expect(one(out, 'BackendTLSPolicy', 'reviews-v3').spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'reviews-v3' }],
      validation: { hostname: 'v3.reviews.example.com', wellKnownCACertificates: 'System' },
    });
    // the routes still reach the per-version Services
    expect(one(out, 'HTTPRoute').spec.rules.flatMap((r: any) => r.backendRefs.map((b: any) => b.name))).toEqual(['reviews-v3', 'reviews-v1', 'reviews-v2']);
  });

  test.each([
    ['locality', { localityLoadBalancing: { distribute: [{ from: 'a', to: { a: 100 } }] } },
      /^test\/cb: Gateway API \(gateway.networking.k8s.io\/v1 HTTPRoute\) cannot express localityLoadBalancing \(.*"distribute".*\); Gateway API has no locality load balancing; .*trafficDistribution: PreferClose/],
    ['h2 upgrade', { h2UpgradePolicy: H2UpgradePolicy.UPGRADE },
      /cannot express h2UpgradePolicy \("UPGRADE"\); Gateway API picks the protocol to a backend from its Service port's appProtocol \(kubernetes.io\/h2c/],
    ['mutual TLS', { tls: UpstreamTls.mutual({ clientCertificate: '/c.pem', privateKey: '/k.pem' }) },
      /cannot express tls \(mode MUTUAL\); BackendTLSPolicy verifies the backend but presents no client certificate/],
    ['the mesh\'s mTLS', { tls: UpstreamTls.istioMutual() }, /cannot express tls \(mode ISTIO_MUTUAL\); Gateway API has no setting for the mesh's own mTLS/],
    ['TLS without SNI', { tls: UpstreamTls.simple() }, /cannot express tls without sni; BackendTLSPolicy needs the hostname/],
    ['a CA file', { tls: UpstreamTls.simple({ sni: 'a.example.com', caCertificates: '/ca.pem' }) },
      /cannot express tls.caCertificates \("\/ca.pem", a file in the client's proxy\); BackendTLSPolicy takes CA certificates from a ConfigMap/],
    ['skipping verification', { tls: UpstreamTls.simple({ sni: 'a.example.com', insecureSkipVerify: true }) }, /cannot express tls.insecureSkipVerify; BackendTLSPolicy always verifies/],
    ['six names', { tls: UpstreamTls.simple({ sni: 'a.example.com', subjectAltNames: ['a.x', 'b.x', 'c.x', 'd.x', 'e.x', 'f.x'] }) }, /cannot express tls.subjectAltNames with 6 names; BackendTLSPolicy holds at most 5/],
    ['an upper-case name', { tls: UpstreamTls.simple({ sni: 'a.example.com', subjectAltNames: ['A.example.com'] }) }, /cannot express tls.subjectAltNames \["A.example.com"\]/],
  ])('%s is an error', (_name, props, message) => {
    expect(() => new CircuitBreaker(chart('b'), 'cb', { host: ServiceHost.fromAttributes({ mesh: meshOf('gateway-api'), serviceName: 'r', port: 80 }), ...props }))
      .toThrow(message);
  });

  test('a Gateway API bundle before v1.4 has no BackendTLSPolicy v1', () => {
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_3 }) });
    expect(() => new CircuitBreaker(chart('b'), 'cb', { host: ServiceHost.fromAttributes({ mesh, serviceName: 'r', port: 80 }), tls: UpstreamTls.simple({ sni: 'r.example.com' }) }))
      .toThrow(/cannot express tls \(TLS to the backend\) \(BackendTLSPolicy v1, in Gateway API v1.4 \(experimental channel: v1.4\)\); the target is Gateway API v1.3 \(standard channel\)/);
  });

  test('a version\'s limits are an error naming the version', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ connectionPool: { maxConnections: 1 }, h2UpgradePolicy: H2UpgradePolicy.UPGRADE }), v('v3')];
    expect(() => reviewsRoutes('gateway-api', versions)).toThrow(new RegExp([
      '^test/reviews: Gateway API .* cannot express circuit breaking or load balancing for version \'v2\'; Gateway API has no standard circuit breaking[^\\n]*',
      'test/reviews: Gateway API .* cannot express version \'v2\' trafficPolicy.h2UpgradePolicy \\("UPGRADE"\\); Gateway API picks the protocol',
    ].join('\n')));
  });
});

describe('Linkerd: no per-version policy, HTTP/2 upgrade, locality or upstream TLS', () => {
  const linkerd = (api?: LinkerdRoutingApi) => Mesh.fromAttributes({ provider: MeshProvider.linkerd({ routingApi: api }) });
  const host = (api?: LinkerdRoutingApi) => ServiceHost.fromAttributes({ mesh: linkerd(api), serviceName: 'reviews', port: 9080 });

  test.each([
    ['gateway-api', LinkerdRoutingApi.GATEWAY_API],
    ['policy', LinkerdRoutingApi.POLICY],
    ['smi', LinkerdRoutingApi.SMI],
  ])('a version\'s own policy (%s)', (_name, api) => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ outlierDetection: { consecutive5xxErrors: 3 } })];
    const c = chart('bookinfo');
    expect(() => new TrafficRoutes(c, 'reviews', {
      mesh: linkerd(api),
      serviceName: 'reviews',
      port: 9080,
      versions,
      defaultRoute: { destination: RouteDestination.weighted([{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }]) },
    })).toThrow(/^test\/reviews: Linkerd .* cannot express a traffic policy for version 'v2' alone \(trafficPolicy outlierDetection\); Linkerd configures circuit breaking on the Service clients address/);
  });

  test.each([
    ['h2UpgradePolicy', { h2UpgradePolicy: H2UpgradePolicy.UPGRADE }, /cannot express h2UpgradePolicy \("UPGRADE"\); Linkerd proxies always carry HTTP\/1.1 between each other over HTTP\/2/],
    ['locality', { localityLoadBalancing: { distribute: [{ from: 'a', to: { a: 100 } }] } },
      /cannot express localityLoadBalancing \(\{"distribute":\[\{"from":"a","to":\{"a":100\}\}\]\}\); Linkerd balances requests by latency \(EWMA\)/],
    ['TLS origination', { tls: UpstreamTls.simple({ sni: 'r.example.com' }) }, /cannot express tls \(mode SIMPLE\); Linkerd encrypts traffic between meshed pods with its own mTLS/],
    ['the mesh\'s mTLS', { tls: UpstreamTls.istioMutual() }, /cannot express tls \(mode ISTIO_MUTUAL\); Linkerd encrypts/],
  ])('%s on the host', (_name, props, message) => {
    for (const api of [LinkerdRoutingApi.GATEWAY_API, LinkerdRoutingApi.POLICY, LinkerdRoutingApi.SMI]) {
      expect(() => new CircuitBreaker(chart('b'), 'cb', { host: host(api), ...props })).toThrow(new RegExp(`^test/cb: Linkerd .*${message.source}`));
    }
  });

  test('each problem is its own line', () => {
    expect(() => new CircuitBreaker(chart('b'), 'cb', { host: host(), h2UpgradePolicy: H2UpgradePolicy.DEFAULT, tls: UpstreamTls.disable() }))
      .toThrow(/cannot express h2UpgradePolicy \("DEFAULT"\);.*\ntest\/cb: Linkerd .* cannot express tls \(mode DISABLE\)/);
  });
});

describe('rejected input', () => {
  const istioHost = () => ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'reviews', port: 9080 });
  const breaker = (props: object) => () => new CircuitBreaker(chart('bookinfo'), 'cb', { host: istioHost(), ...props });
  const OD = { outlierDetection: { consecutive5xxErrors: 3 } };

  test.each([
    [{ h2UpgradePolicy: 'SOMETIMES' }, /'h2UpgradePolicy' \("SOMETIMES"\) must be a H2UpgradePolicy \("DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"\)/],
    [{ tls: { mode: 'SIMPLE' } }, /'tls' \(\{"mode":"SIMPLE"\}\) must be a UpstreamTls \(UpstreamTls.istioMutual\(\), .simple\(\), .mutual\(\), .disable\(\)\)/],
    [{ tls: UpstreamTls.simple({ sni: 'Not A Host' }) }, /'tls.sni' \("Not A Host"\) must be a lower-case DNS name/],
    [{ tls: UpstreamTls.simple({ caCertificates: 'ca.pem' }) }, /'tls.caCertificates' \("ca.pem"\) must be an absolute file path in the client's proxy/],
    [{ tls: UpstreamTls.simple({ subjectAltNames: [] }) }, /'tls.subjectAltNames' \(\[\]\) must be non-empty/],
    [{ tls: UpstreamTls.simple({ insecureSkipVerify: true, caCertificates: '/ca.pem' }) }, /'tls.insecureSkipVerify' \(true\) must be left out when caCertificates or subjectAltNames is set/],
    [{ tls: UpstreamTls.mutual({} as any) }, /'tls.clientCertificate' \(undefined\) must be set \(it is required\)\n.*'tls.privateKey' \(undefined\) must be set/],
    [{ localityLoadBalancing: { distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 10 } }] } },
      /'localityLoadBalancing.distribute\[0\].to' \(\{"us-east\/\*":80,"us-west\/\*":10\}\) must be weights that add up to 100 \(they add up to 90\)/],
    [{ localityLoadBalancing: { distribute: [{ from: 'us-east', to: { 'us-east': 0, 'us-west': 100 } }] } }, /'localityLoadBalancing.distribute\[0\].to.us-east' \(0\) must be an integer weight in 1..100/],
    [{ localityLoadBalancing: { distribute: [{ from: 'us-*', to: { a: 100 } }] } }, /'localityLoadBalancing.distribute\[0\].from' \("us-\*"\) must be a locality: region, region\/zone or region\/zone\/subzone/],
    [{ localityLoadBalancing: { distribute: [{ from: 'a//b', to: { a: 100 } }] } }, /'localityLoadBalancing.distribute\[0\].from' \("a\/\/b"\) must be a locality/],
    [{ localityLoadBalancing: { distribute: [{ from: 'a/b/c/d', to: { a: 100 } }] } }, /'localityLoadBalancing.distribute\[0\].from' \("a\/b\/c\/d"\) must be a locality/],
    [{ localityLoadBalancing: { distribute: [{ from: 'a', to: { 'b/*': 50, 'b/z1': 50 } }] } }, /'localityLoadBalancing.distribute\[0\].to' \(\["b\/\*","b\/z1"\]\) must be localities that do not overlap/],
    [{ localityLoadBalancing: { distribute: [{ from: '*', to: { a: 100 } }, { from: 'b', to: { b: 100 } }] } }, /'localityLoadBalancing.distribute' \(\["\*","b"\]\) must be entries whose from localities do not overlap/],
    [{ ...OD, localityLoadBalancing: { distribute: [{ from: 'a', to: { a: 100 } }], failover: [{ from: 'a', to: 'b' }] } },
      /'localityLoadBalancing.distribute' \(\["a"\]\) must be left out when failover is set \(Istio rejects both/],
    [{ localityLoadBalancing: { distribute: [{ from: 'a', to: { a: 100 } }], failoverPriority: ['topology.istio.io/network'] } },
      /'localityLoadBalancing.failoverPriority' \(\["topology.istio.io\/network"\]\) must be left out when distribute is set \(Istio applies the weights and ignores the priority\)/],
    [{ ...OD, localityLoadBalancing: { failover: [{ from: 'a', to: 'b' }], failoverPriority: ['topology.kubernetes.io/zone'] } },
      /'localityLoadBalancing.failoverPriority' \(\["topology.kubernetes.io\/zone"\]\) must be free of the topology labels/],
    [{ ...OD, localityLoadBalancing: { failover: [{ from: 'us-east/z1', to: 'b' }] } }, /'localityLoadBalancing.failover\[0\].from' \("us-east\/z1"\) must be a region \(Istio fails over between regions/],
    [{ ...OD, localityLoadBalancing: { failover: [{ from: 'a', to: '*' }] } }, /'localityLoadBalancing.failover\[0\].to' \("\*"\) must be a region/],
    [{ ...OD, localityLoadBalancing: { failover: [{ from: 'a', to: 'a' }] } }, /'localityLoadBalancing.failover\[0\].to' \("a"\) must be a region other than from \(a\)/],
    [{ ...OD, localityLoadBalancing: { failover: [{ from: 'a', to: 'b' }, { from: 'a', to: 'c' }] } },
      /'localityLoadBalancing.failover\[1\].from' \("a"\) must be unique \(Istio reads only the first failover of a region, failover\[0\]\)/],
    [{ ...OD, localityLoadBalancing: { failoverPriority: ['not a label'] } }, /'localityLoadBalancing.failoverPriority\[0\]' \("not a label"\) must be a label key, or <label key>=<label value>/],
    [{ ...OD, localityLoadBalancing: { enabled: false, failover: [{ from: 'a', to: 'b' }] } }, /'localityLoadBalancing.enabled' \(false\) must be true or left out when failover/],
    [{ localityLoadBalancing: { failover: [{ from: 'a', to: 'b' }] } },
      /'localityLoadBalancing' \(\{"failover":\[\{"from":"a","to":"b"\}\]\}\) must be used with outlierDetection \(Istio moves requests to another locality only when it ejects endpoints/],
    [{ localityLoadBalancing: {} }, /'localityLoadBalancing' \(\{\}\) must be used with outlierDetection/],
    [{ localityLoadBalancing: { failoverPriority: ['topology.istio.io/network=net1'] } }, /'localityLoadBalancing' .* must be used with outlierDetection/],
  ])('%j', (props, message) => {
    expect(breaker(props)).toThrow(new RegExp(`^test/cb: ${message.source}`));
  });

  test.each([
    [{ localityLoadBalancing: { distribute: [{ from: 'a', to: { a: 100 } }] } }],
    [{ localityLoadBalancing: { enabled: false } }],
    [{ ...OD, localityLoadBalancing: { enabled: true } }],
    [{ ...OD, localityLoadBalancing: { failoverPriority: ['topology.istio.io/network=net1', 'topology.kubernetes.io/region'] } }],
  ])('accepted: %j', props => {
    expect(breaker(props)).not.toThrow();
  });

  test('a version\'s policy: problems named under the version', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ connectionPool: { maxConnections: 0 }, h2UpgradePolicy: 'X' as any }), v('v3').withTrafficPolicy({})];
    expect(() => reviewsRoutes('istio', versions)).toThrow(new RegExp([
      '^test/reviews: \'versions\\[1\\].trafficPolicy.connectionPool.maxConnections\' \\(0\\) must be an integer in 1..2147483647',
      'test/reviews: \'versions\\[1\\].trafficPolicy.h2UpgradePolicy\' \\("X"\\) must be a H2UpgradePolicy[^\\n]*',
      'test/reviews: \'versions\\[2\\].trafficPolicy\' \\(\\{\\}\\) must be at least one of connectionPool, outlierDetection, loadBalancer, h2UpgradePolicy, localityLoadBalancing, tls',
    ].join('\n')));
  });

  test('a canary\'s policy is named under canary', () => {
    const canary = CanaryVersion.deploy({ name: 'v2', image: 'i' }).withTrafficPolicy({ tls: UpstreamTls.simple({ caCertificates: 'x' }) });
    expect(() => new CanaryRelease(chart('bookinfo'), 'reviews', reviewsCanary('istio', { canary })))
      .toThrow(/^test\/reviews: 'canary.trafficPolicy.tls.caCertificates' \("x"\) must be an absolute file path/);
  });

  test('a version\'s failover without outlier detection on the version or the host fails at synthesis', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ localityLoadBalancing: { failover: [{ from: 'a', to: 'b' }] } }), v('v3')];
    const { c } = reviewsRoutes('istio', versions);
    expect(() => Testing.synth(c)).toThrow(/test\/reviews: 'version v2 trafficPolicy.localityLoadBalancing' \(.*\) must be used with outlierDetection .* on the version or the host \(CircuitBreaker\)/);
  });

  test('the host\'s outlier detection serves a version\'s failover', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ localityLoadBalancing: { failover: [{ from: 'a', to: 'b' }] } }), v('v3')];
    const { c, routes } = reviewsRoutes('istio', versions);
    new CircuitBreaker(c, 'breaker', { host: routes, outlierDetection: { consecutive5xxErrors: 3 } });
    expect(one(Testing.synth(c), 'DestinationRule').spec.subsets[1].trafficPolicy).toEqual({
      loadBalancer: { localityLbSetting: { failover: [{ from: 'a', to: 'b' }] } },
    });
  });

  test('a circuit breaker needs at least one setting', () => {
    expect(breaker({})).toThrow(/'connectionPool\/outlierDetection\/loadBalancer\/h2UpgradePolicy\/localityLoadBalancing\/tls' \(undefined\) must be set/);
  });

  test('Istio-only outlier fields of a version are judged like the host\'s', () => {
    const versions = [v('v1'), v('v2').withTrafficPolicy({ outlierDetection: { maxEjectionTime: Duration.minutes(1) } }), v('v3')];
    expect(() => reviewsRoutes('istio', versions)).toThrow(/^test\/reviews: Istio \(networking.istio.io\/v1\) cannot express a maximum ejection time/);
  });
});

itValidates('every traffic policy passes the upstream schemas at the targeted versions', () => {
  const full = (provider: string) => {
    const versions = [
      v('v1').withTrafficPolicy({ tls: UpstreamTls.mutual({ clientCertificate: '/etc/c.pem', privateKey: '/etc/k.pem', subjectAltNames: ['reviews.example.com'] }) }),
      v('v2').withTrafficPolicy({ connectionPool: { maxConnections: 10 }, h2UpgradePolicy: H2UpgradePolicy.DO_NOT_UPGRADE, loadBalancer: LoadBalancer.consistentHashByCookie('s', Duration.minutes(5)) }),
      v('v3').withTrafficPolicy({ localityLoadBalancing: { failover: [{ from: 'us-east', to: 'us-west' }], failoverPriority: ['topology.istio.io/network=net1'] } }),
    ];
    const { c, routes } = reviewsRoutes(provider, versions);
    new CircuitBreaker(c, 'breaker', {
      host: routes,
      connectionPool: { maxConnections: 100, http1MaxPendingRequests: 100 },
      h2UpgradePolicy: H2UpgradePolicy.UPGRADE,
      loadBalancer: LoadBalancer.roundRobin(),
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30) },
      localityLoadBalancing: { enabled: true, distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] },
      tls: UpstreamTls.istioMutual(),
    });
    return Testing.synth(c);
  };
  const sets: Record<string, any[]> = {};
  const targets: Record<string, ReturnType<typeof validationTargetOf>> = {};
  for (const provider of ['istio', 'istio-v1beta1', 'istio-1-24', 'istio-gateway-api', 'istio-gateway-api-1-24']) {
    sets[provider] = full(provider);
    targets[provider] = validationTargetOf(provider);
  }
  const ambient = Mesh.fromAttributes({
    provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT, istioVersion: IstioVersion.V1_24 }),
  });
  const a = reviewsRoutes('istio', [v('v1'), v('v2').withTrafficPolicy({ h2UpgradePolicy: H2UpgradePolicy.UPGRADE }), v('v3')], ambient);
  sets['istio-ambient-1-24'] = Testing.synth(a.c);
  targets['istio-ambient-1-24'] = validationTargetOf('istio-1-24');
  for (const provider of ['gateway-api', 'gateway-api-v1beta1']) {
    const g = reviewsRoutes(provider, [v('v1'), v('v2'), v('v3').withTrafficPolicy({ tls: UpstreamTls.simple({ sni: 'v3.example.com' }) })]);
    new CircuitBreaker(g.c, 'tls', { host: g.routes, tls: UpstreamTls.simple({ sni: 'reviews.example.com', subjectAltNames: ['spiffe://cluster.local/ns/bookinfo/sa/reviews'] }) });
    sets[provider] = Testing.synth(g.c);
    targets[provider] = validationTargetOf(provider);
  }
  const v14 = Mesh.fromAttributes({ provider: MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_4 }) });
  const g14 = reviewsRoutes('gateway-api', [v('v1'), v('v2'), v('v3')], v14);
  new CircuitBreaker(g14.c, 'tls', { host: g14.routes, tls: UpstreamTls.simple({ sni: 'reviews.example.com' }) });
  sets['gateway-api-1-4'] = Testing.synth(g14.c);
  targets['gateway-api-1-4'] = { profiles: ['gateway-api@v1.4.1'], channel: 'standard' };
  expect(ofKind(sets['gateway-api-1-4'], 'BackendTLSPolicy')).toHaveLength(4);
  expectValid(sets, targets);
});

