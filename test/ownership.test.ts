/**
 * One owner for every object: two constructs never emit the same (group, kind, namespace, name).
 * Where the meaning is additive the owners share one object; otherwise synthesis fails with an
 * error that names both constructs and how to resolve it. Every case below synthesized two
 * objects of one identity before, and whichever was applied last silently won.
 */
import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import {
  CanaryRelease, CircuitBreaker, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, HttpMethod, IngressGateway, InstallMethod,
  IstioApiVersion, IstioDataPlaneMode, IstioProfile, LinkerdDefaultInboundPolicy, MeshAuthorization, MeshCluster, MeshControlPlane,
  MeshInstall, MeshWorkload, MtlsMode, Peer, RoutePolicy, ServiceHost, StrictMtlsMigration, TlsCertificate, TrustAnchor,
  WorkloadSelector,
} from '../src';
import { chart, meshOf, ofKind, one, reviewsCanary, synthAll } from './support/fixtures';
import { expectValid, itValidates } from './support/validator';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBjTCCATOgAwIBAgIQdGVzdC10cnVzdC1hbmNob3IwCgYIKoZIzj0EAwIwJTEjMCEGA1UEAxMacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWw=\n-----END CERTIFICATE-----\n';
const ledger = WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'shop', ports: [8080] });

function linkerdInstall(c: Chart, namespaces: { name: string; defaultInboundPolicy?: LinkerdDefaultInboundPolicy }[] = [{ name: 'shop' }]): MeshInstall {
  return new MeshInstall(c, 'Mesh', {
    controlPlane: MeshControlPlane.linkerd({ chartVersion: '2025.1.2', trustAnchor: TrustAnchor.fromPem(PEM) }),
    method: InstallMethod.flux(),
    namespaces,
  });
}

/** Every (group, kind, namespace, name) of the output, each once. */
function expectUnique(objects: any[]): void {
  const keys = objects.map(o => `${String(o.apiVersion).split('/')[0]} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
}

describe('the mesh-wide PeerAuthentication has one owner', () => {
  test('MeshInstall (Istio, Argo CD) and a mesh-wide migration: an error naming both, with both ways out', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.argoCd() });
    expect(() => new StrictMtlsMigration(c, 'migration', { mesh: install, meshWide: MtlsMode.STRICT }))
      .toThrow(/^test\/migration: emits PeerAuthentication.security.istio.io istio-system\/default, which test\/Mesh emits too; applied to one cluster, one would silently replace the other: set meshPeerAuthentication: false on test\/Mesh \(the migration then owns the mesh-wide mode\), or drop the mesh-wide mode \(meshWide\) from test\/migration$/);
  });

  test('with Flux (the install\'s mesh-wide objects are a chart of their own): the same error at synthesis, same ways out', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux() });
    new StrictMtlsMigration(c, 'migration', { mesh: install, meshWide: MtlsMode.STRICT });
    expect(() => Testing.synth(c)).toThrow(/test\/migration: emits PeerAuthentication.security.istio.io istio-system\/default, which test\/Mesh emits too, in another chart \('test' and 'test\/Mesh\/MeshConfig'\); .*set meshPeerAuthentication: false on test\/Mesh/);
  });

  test('the same with IstioApiVersion.V1BETA1 (the security renderer used to emit v1 beside the install\'s v1beta1)', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio({ apiVersion: IstioApiVersion.V1BETA1 }), method: InstallMethod.argoCd() });
    expect(() => new StrictMtlsMigration(c, 'migration', { mesh: install, meshWide: MtlsMode.PERMISSIVE }))
      .toThrow(/test\/migration: emits PeerAuthentication.security.istio.io istio-system\/default, which test\/Mesh emits too/);
  });

  test('with the install\'s PeerAuthentication off, the migration owns it, in the API version of the install', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ apiVersion: IstioApiVersion.V1BETA1, meshPeerAuthentication: false }),
      method: InstallMethod.flux(),
    });
    new StrictMtlsMigration(c, 'migration', { mesh: install, meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] });
    const out = synthAll(c);
    const pa = ofKind(out, 'PeerAuthentication');
    expect(pa.map(p => [p.apiVersion, p.metadata.namespace, p.spec.mtls.mode]))
      .toEqual([['security.istio.io/v1beta1', 'istio-system', 'STRICT'], ['security.istio.io/v1beta1', 'shop', 'STRICT']]);
    expect(one(out, 'Telemetry').apiVersion).toBe('telemetry.istio.io/v1alpha1');
    expectUnique(out);
  });

  test('two migrations naming one namespace (Istio): an error', () => {
    const c = chart();
    const mesh = meshOf('istio');
    new StrictMtlsMigration(c, 'one', { mesh, namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }] });
    expect(() => new StrictMtlsMigration(c, 'two', { mesh, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] }))
      .toThrow(/test\/two: emits PeerAuthentication.security.istio.io shop\/default, which test\/one emits too; .*set namespace 'shop' in one migration only/);
  });
});

describe('a Namespace is shared: its labels and annotations merge', () => {
  test('Linkerd MeshInstall onboarding shop and a migration on shop give one Namespace with both', () => {
    const c = chart();
    const install = linkerdInstall(c);
    new StrictMtlsMigration(c, 'migration', { mesh: install, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] });
    const out = Testing.synth(c);
    const ns = one(out, 'Namespace', 'shop');
    expect(ns.metadata.annotations).toEqual({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/default-inbound-policy': 'all-authenticated',
      'argocd.argoproj.io/sync-options': 'Prune=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
    expect(ns.metadata.namespace).toBeUndefined();
    expectUnique(out);
  });

  test('in either order', () => {
    const c = chart();
    new StrictMtlsMigration(c, 'migration', { mesh: meshOf('linkerd'), namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }] });
    linkerdInstall(c);
    const ns = one(Testing.synth(c), 'Namespace', 'shop');
    expect(ns.metadata.annotations['linkerd.io/inject']).toBe('enabled');
    expect(ns.metadata.annotations['config.linkerd.io/default-inbound-policy']).toBe('all-unauthenticated');
  });

  test('two owners setting one annotation differently: an error naming both', () => {
    const c = chart();
    const install = linkerdInstall(c, [{ name: 'shop', defaultInboundPolicy: LinkerdDefaultInboundPolicy.DENY }]);
    expect(() => new StrictMtlsMigration(c, 'migration', { mesh: install, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] }))
      .toThrow(/^test\/migration: sets annotation 'config.linkerd.io\/default-inbound-policy' of Namespace shop to "all-authenticated", but test\/Mesh sets it to "deny"; the object is shared, so set the annotation in one place$/);
  });

  test('two Linkerd migrations that agree on a namespace share it; that disagree, fail', () => {
    const c = chart();
    const mesh = meshOf('linkerd');
    new StrictMtlsMigration(c, 'one', { mesh, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] });
    new StrictMtlsMigration(c, 'two', { mesh, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] });
    expect(ofKind(Testing.synth(c), 'Namespace')).toHaveLength(1);
    expect(() => new StrictMtlsMigration(c, 'three', { mesh, namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }] }))
      .toThrow(/test\/three: sets annotation 'config.linkerd.io\/default-inbound-policy' of Namespace shop to "all-unauthenticated", but test\/two sets it to "all-authenticated"/);
  });

  test('a Namespace in a namespaced chart carries no namespace (it is cluster-scoped)', () => {
    const c = chart('apps');
    linkerdInstall(c);
    for (const ns of ofKind(Testing.synth(c), 'Namespace')) expect(ns.metadata.namespace).toBeUndefined();
  });
});

describe('one Linkerd Server per pod port', () => {
  test('a migration workload and an authorization on the same pod port: an error naming both, with the way out', () => {
    const c = chart();
    const mesh = meshOf('linkerd');
    new StrictMtlsMigration(c, 'migration', { mesh, workloads: [{ workload: ledger, mode: MtlsMode.STRICT }] });
    expect(() => new MeshAuthorization(c, 'ledger-policy', { mesh, workload: ledger, allow: [{ from: [Peer.serviceAccount('web', 'shop')] }] }))
      .toThrow(/^test\/ledger-policy: emits a Linkerd Server for pod port shop\/\{app=ledger\}:8080, which test\/migration emits too; .*leave port 8080 of 'shop\/ledger' out of test\/migration: an authorization policy's Server already decides who may connect to it/);
  });

  test('in the other order too', () => {
    const c = chart();
    const mesh = meshOf('linkerd');
    new MeshAuthorization(c, 'ledger-policy', { mesh, workload: ledger, allow: [{ from: [Peer.serviceAccount('web', 'shop')] }] });
    expect(() => new StrictMtlsMigration(c, 'migration', { mesh, workloads: [{ workload: ledger, mode: MtlsMode.PERMISSIVE }] }))
      .toThrow(/test\/migration: emits a Linkerd Server for pod port shop\/\{app=ledger\}:8080, which test\/ledger-policy emits too/);
  });

  test('other ports of the same pods are fine', () => {
    const c = chart();
    const mesh = meshOf('linkerd');
    new StrictMtlsMigration(c, 'migration', {
      mesh,
      workloads: [{ workload: WorkloadSelector.labels({ app: 'ledger' }, { namespace: 'shop', ports: [9090] }), mode: MtlsMode.STRICT }],
    });
    new MeshAuthorization(c, 'ledger-policy', { mesh, workload: ledger, allow: [{ from: [Peer.serviceAccount('web', 'shop')] }] });
    expect(ofKind(Testing.synth(c), 'Server').map(s => s.spec.port)).toEqual([9090, 8080]);
  });
});

describe('objects with one name from two constructs', () => {
  test('two MeshAuthorizations with one name', () => {
    const c = chart('shop');
    const mesh = meshOf('istio');
    new MeshAuthorization(c, 'a', { mesh, name: 'reviews', allow: [{ methods: [HttpMethod.GET] }] });
    expect(() => new MeshAuthorization(c, 'b', { mesh, name: 'reviews', allow: [{ methods: [HttpMethod.POST] }] }))
      .toThrow(/^test\/b: emits AuthorizationPolicy.security.istio.io shop\/reviews, which test\/a emits too; .*give test\/a another name, or give test\/b another name$/);
  });

  test('two IngressGateways with one name', () => {
    const c = chart('ingress');
    const gateway = (id: string) => new IngressGateway(c, id, { mesh: meshOf('istio'), name: 'edge', listeners: [GatewayListener.http()] });
    gateway('a');
    expect(() => gateway('b')).toThrow(/test\/b: emits Gateway.networking.istio.io ingress\/edge, which test\/a emits too/);
  });

  test('a GatewayRoute named like a mesh host (HTTPRoute reviews), in either order', () => {
    const route = (c: Chart, gateway: IngressGateway) => new GatewayRoute(c, 'route', {
      gateway, name: 'reviews', rules: [{ backends: [GatewayBackend.service('reviews', 9080)] }],
    });
    const gatewayOf = (c: Chart) => new IngressGateway(c, 'edge', {
      mesh: meshOf('gateway-api'), implementation: GatewayImplementation.fromClassName('eg'), listeners: [GatewayListener.http()],
    });
    const first = chart('bookinfo');
    new CanaryRelease(first, 'reviews', reviewsCanary('gateway-api'));
    expect(() => route(first, gatewayOf(first))).toThrow(/test\/route: emits HTTPRoute.gateway.networking.k8s.io bookinfo\/reviews, which test\/reviews emits too/);
    const second = chart('bookinfo');
    route(second, gatewayOf(second));
    expect(() => new CanaryRelease(second, 'reviews', reviewsCanary('gateway-api')))
      .toThrow(/test\/reviews: emits HTTPRoute.gateway.networking.k8s.io bookinfo\/reviews, which test\/route emits too; .*give test\/route another name/);
  });

  test('a MeshWorkload reviews/v1 next to a release whose stable is v1', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'release', reviewsCanary('istio'));
    expect(() => new MeshWorkload(c, 'extra', { mesh: meshOf('istio'), serviceName: 'reviews', version: 'v1', image: 'reviews:1', port: 9080 }))
      .toThrow(/^test\/extra: emits Deployment.apps bookinfo\/reviews-v1, which test\/release\/Stable emits too; .*give test\/extra another name \(name\)$/);
  });

  test('an ambient IngressGateway named waypoint collides with the namespace\'s waypoint, in either order', () => {
    const ambient = () => new MeshInstall(new Chart(new App(), 'unused'), 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, dataPlaneMode: IstioDataPlaneMode.AMBIENT }),
      method: InstallMethod.flux(),
    });
    const gateway = (c: Chart) => new IngressGateway(c, 'gw', { mesh: ambient(), name: 'waypoint', listeners: [GatewayListener.http()] });
    const first = chart('shop');
    new CanaryRelease(first, 'reviews', reviewsCanary('istio', { mesh: ambient() }));
    expect(() => gateway(first)).toThrow(/test\/gw: emits Gateway.gateway.networking.k8s.io shop\/waypoint, which test\/reviews emits too/);
    const second = chart('shop');
    gateway(second);
    expect(() => new CanaryRelease(second, 'reviews', reviewsCanary('istio', { mesh: ambient() })))
      .toThrow(/test\/reviews: emits Gateway.gateway.networking.k8s.io shop\/waypoint, which test\/gw emits too/);
  });

  test('hosts of one ambient namespace share one waypoint', () => {
    const c = chart('shop');
    const mesh = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux() });
    new CanaryRelease(c, 'reviews', reviewsCanary('istio', { mesh }));
    new CanaryRelease(c, 'ratings', reviewsCanary('istio', { mesh, serviceName: 'ratings' }));
    const out = Testing.synth(c);
    expect(ofKind(out, 'Gateway').map(g => g.metadata.name)).toEqual(['waypoint']);
    expectUnique(out);
  });
});

describe('one cert-manager Certificate per Secret', () => {
  function twoListeners(provider: string) {
    const c = chart('ingress');
    const cert = () => TlsCertificate.certManager({ secretName: 'shop-tls', issuerName: 'letsencrypt' });
    new IngressGateway(c, 'edge', {
      mesh: meshOf(provider),
      implementation: GatewayImplementation.istio(),
      listeners: [
        GatewayListener.https({ name: 'shop', hostname: 'shop.example.com', certificate: cert() }),
        GatewayListener.https({ name: 'api', port: 8443, hostname: 'api.example.com', certificate: cert() }),
      ],
    });
    return Testing.synth(c);
  }

  test.each(['istio', 'gateway-api'])('%s: a certificate on two listeners is one Certificate covering both hosts', provider => {
    const certs = ofKind(twoListeners(provider), 'Certificate');
    expect(certs).toHaveLength(1);
    expect(certs[0].spec.dnsNames).toEqual(['api.example.com', 'shop.example.com']);
  });

  test('two listeners sharing a Secret with different issuers: an error', () => {
    const c = chart('ingress');
    expect(() => new IngressGateway(c, 'edge', {
      mesh: meshOf('istio'),
      listeners: [
        GatewayListener.https({ name: 'a', hostname: 'a.example.com', certificate: TlsCertificate.certManager({ secretName: 'tls', issuerName: 'one' }) }),
        GatewayListener.https({ name: 'b', port: 8443, hostname: 'b.example.com', certificate: TlsCertificate.certManager({ secretName: 'tls', issuerName: 'two' }) }),
      ],
    })).toThrow(/test\/edge: listeners 'a' and 'b' share the Secret 'tls' but name different cert-manager issuers/);
  });

  itValidates('validates', () => {
    expectValid({ 'ownership-certificates': twoListeners('gateway-api') });
  });
});

describe('across the charts of one app', () => {
  function twoCharts(assign: boolean) {
    const app = Testing.app();
    const a = new Chart(app, 'storefront', { namespace: 'ingress' });
    const b = new Chart(app, 'admin', { namespace: 'ingress' });
    if (assign) {
      MeshCluster.assign(a, 'eu');
      MeshCluster.assign(b, 'us');
    }
    for (const [c, name] of [[a, 'storefront'], [b, 'admin']] as const) {
      const gateway = new IngressGateway(c, 'edge', {
        mesh: meshOf('gateway-api'),
        name: `${name}-edge`,
        implementation: GatewayImplementation.fromClassName('eg'),
        listeners: [GatewayListener.http()],
      });
      new GatewayRoute(c, 'route', { gateway, name, rules: [{ backends: [GatewayBackend.service('web', 80, { namespace: 'shop' })] }] });
    }
    return { a, b };
  }

  test('two charts routing ingress → shop get a ReferenceGrant each, named after its route', () => {
    const { a, b } = twoCharts(false);
    const grants = [...Testing.synth(a), ...Testing.synth(b)].filter(o => o.kind === 'ReferenceGrant');
    expect(grants.map(g => `${g.metadata.namespace}/${g.metadata.name}`)).toEqual(['shop/from-httproute-ingress-storefront', 'shop/from-httproute-ingress-admin']);
    expect(grants.map(g => g.spec.to)).toEqual([[{ group: '', kind: 'Service', name: 'web' }], [{ group: '', kind: 'Service', name: 'web' }]]);
  });

  test('a RoutePolicy in a second chart on one host: an error at synthesis naming both', () => {
    const app = Testing.app();
    const first = new Chart(app, 'first', { namespace: 'shop' });
    const second = new Chart(app, 'second', { namespace: 'shop' });
    new CanaryRelease(first, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(second, 'policy', {
      host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'reviews', namespace: 'shop', port: 9080 }), timeout: Duration.seconds(3),
    });
    expect(() => Testing.synth(first)).toThrow(/second\/policy: emits VirtualService.networking.istio.io shop\/reviews, which first\/reviews emits too, in another chart \('second' and 'first'\); .*declare both in one chart, or, if the charts go to different clusters, say so with MeshCluster.assign\(chart, clusterName\)/);
  });

  test('charts assigned to different clusters may repeat objects', () => {
    const app = Testing.app();
    for (const name of ['eu', 'us']) {
      const c = new Chart(app, name, { namespace: 'shop' });
      MeshCluster.assign(c, name);
      new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
      new RoutePolicy(c, 'policy', { host: ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'reviews', port: 9080 }), timeout: Duration.seconds(3) });
    }
    expect(() => app.synth()).not.toThrow();
    expect(MeshCluster.of(app.charts[0])).toBe('eu');
  });

  test('three charts on one host, two of them for one cluster: only those two conflict', () => {
    const app = Testing.app();
    for (const [name, cluster] of [['eu-a', 'eu'], ['us', 'us'], ['eu-b', 'eu']]) {
      const c = new Chart(app, name, { namespace: 'shop' });
      MeshCluster.assign(c, cluster);
      new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    }
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/eu-b\/reviews: emits VirtualService.networking.istio.io shop\/reviews, which eu-a\/reviews emits too, in another chart \('eu-b' and 'eu-a'\)/);
    expect(message).toMatch(/eu-b\/reviews: emits DestinationRule.networking.istio.io shop\/reviews, which eu-a\/reviews emits too/);
    expect(message).not.toMatch(/'us'|us\/reviews/);
  });

  test('MeshCluster.assign rejects a name that is not a DNS name', () => {
    expect(() => MeshCluster.assign(chart(), 'Prod EU')).toThrow(/^MeshCluster.assign: 'clusterName' \("Prod EU"\) must be a DNS name, e.g. "prod-eu-1"$/);
  });
});

describe('a handle on everything: escape hatches before synthesis', () => {
  test('patching a host\'s VirtualService and DestinationRule through release.routing', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    const vs = release.routing.route!;
    expect(vs.kind).toBe('VirtualService');
    vs.metadata.addLabel('team', 'reviews');
    vs.addJsonPatch(JsonPatch.add('/spec/http/0/corsPolicy', { allowOrigins: [{ exact: 'https://shop.example.com' }] }));
    const [dr] = release.routing.ofKind('DestinationRule');
    dr.addJsonPatch(JsonPatch.add('/spec/trafficPolicy', { tls: { mode: 'ISTIO_MUTUAL' } }));
    const out = Testing.synth(c);
    const synthesized = one(out, 'VirtualService');
    expect(synthesized.metadata.labels).toEqual({ team: 'reviews' });
    expect(synthesized.spec.http[0].corsPolicy).toEqual({ allowOrigins: [{ exact: 'https://shop.example.com' }] });
    // the patch applies over the content filled in at synthesis
    expect(synthesized.spec.http.map((h: any) => h.name)).toEqual(['canary-match', 'canary-split']);
    expect(one(out, 'DestinationRule').spec.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
  });

  test('patching a host\'s HTTPRoute, reached from a RoutePolicy on it', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api'));
    const policy = new RoutePolicy(c, 'policy', { host: release, timeout: Duration.seconds(3) });
    expect(policy.routing).toBe(release.routing);
    const route = policy.routing.route!;
    expect([route.apiVersion, route.kind, route.name]).toEqual(['gateway.networking.k8s.io/v1', 'HTTPRoute', 'reviews']);
    route.metadata.addAnnotation('example.com/owner', 'team-reviews');
    route.addJsonPatch(JsonPatch.replace('/spec/rules/1/timeouts/request', '4s'));
    const synthesized = one(Testing.synth(c), 'HTTPRoute');
    expect(synthesized.metadata.annotations).toEqual({ 'example.com/owner': 'team-reviews' });
    expect(synthesized.spec.rules[1].timeouts).toEqual({ request: '4s' });
  });

  test('a CircuitBreaker\'s DestinationRule exists from construction', () => {
    const c = chart('bookinfo');
    const host = ServiceHost.fromAttributes({ mesh: meshOf('istio'), serviceName: 'ratings', port: 9080 });
    const breaker = new CircuitBreaker(c, 'breaker', { host, outlierDetection: { consecutive5xxErrors: 5 } });
    expect(breaker.routing.route).toBeUndefined();
    const [dr] = breaker.routing.ofKind('DestinationRule');
    expect(dr.kind).toBe('DestinationRule');
    dr.metadata.addLabel('tier', 'backend');
    // a route policy declared later on the host adds its routing object to the same handle
    const policy = new RoutePolicy(c, 'policy', { host, timeout: Duration.seconds(3) });
    expect(policy.routing.route?.kind).toBe('VirtualService');
    expect(breaker.routing.objects.map(o => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(breaker.routing.ofKind('Gateway')).toEqual([]);
    expect(one(Testing.synth(c), 'DestinationRule').metadata.labels).toEqual({ tier: 'backend' });
  });

  test('a host is no construct: its objects are children of the construct that first named it', () => {
    // cdk8s walks every construct once per chart it writes; a scope per host would add one per service
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new RoutePolicy(c, 'policy', { host: release, timeout: Duration.seconds(3) });
    new CircuitBreaker(c, 'breaker', { host: release, outlierDetection: { consecutive5xxErrors: 5 } });
    expect(c.node.children.map(x => x.node.id)).toEqual(['reviews', 'policy', 'breaker']);
    const hostObjects = release.node.children.filter(x => x.node.id.startsWith('Host-'));
    expect(hostObjects.map(x => x.node.id)).toEqual(['Host-DestinationRule', 'Host-Resource']);
    expect(hostObjects).toEqual(release.routing.objects);
    expect(release.routing.route).toBe(release.node.findChild('Host-Resource'));
  });
});
