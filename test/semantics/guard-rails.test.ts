/**
 * Issue 12, items 14 and 15: guard rails that must fire, and host settings that stay in their chart.
 */
import { App, Chart, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  CanaryRelease, CircuitBreaker, HttpMethod, InstallMethod, IstioDataPlaneMode, Mesh, MeshAuthorization, MeshCluster, MeshControlPlane,
  IstioRoutingApi, MeshInstall, MeshProvider, MeshWorkload, MtlsMode, Peer, ServiceHost, StrictMtlsMigration, TrustAnchor, WorkloadSelector,
} from '../../src';
import { chart, meshOf, one, ofKind, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBjTCCATOgAwIBAgIQdGVzdC10cnVzdC1hbmNob3IwCgYIKoZIzj0EAwIwJTEjMCEGA1UEAxMacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWw=\n-----END CERTIFICATE-----\n';

describe('a plan goes STRICT mesh-wide only after every listed namespace ran PERMISSIVE (item 14)', () => {
  // README "Guard rails at synth"; Istio's migration guide: PERMISSIVE first, verify, then STRICT
  // (https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/).
  test('a first stage with mesh-wide and namespace STRICT is an error', () => {
    expect(() => new StrictMtlsMigration(chart(), 'm', {
      mesh: meshOf('istio'),
      stages: [{ meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] }],
    })).toThrow("test/m: mesh-wide STRICT in stage 'stage-0' comes before 'shop' passed PERMISSIVE");
  });

  test('STRICT in an earlier stage is no PERMISSIVE stage either', () => {
    expect(() => new StrictMtlsMigration(chart(), 'm', {
      mesh: meshOf('istio'),
      stages: [
        { namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] },
        { meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] },
      ],
      currentStage: 1,
    })).toThrow(/comes before 'shop' passed PERMISSIVE/);
  });

  test('PERMISSIVE through the mesh-wide mode of an earlier stage counts', () => {
    const c = chart();
    new StrictMtlsMigration(c, 'm', {
      mesh: meshOf('istio'),
      stages: [
        { meshWide: MtlsMode.PERMISSIVE, namespaces: [{ namespace: 'shop', mode: MtlsMode.UNSET }] },
        { meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] },
      ],
      currentStage: 1,
    });
    expect(ofKind(Testing.synth(c), 'PeerAuthentication').map(p => p.spec.mtls.mode)).toEqual(['STRICT', 'STRICT']);
  });
});

describe('workloads on a MeshInstall take its proxy sizing (item 14)', () => {
  // Istio: sidecar.istio.io/proxyCPU etc. on the pod override the injector's global.proxy.resources
  // (https://istio.io/latest/docs/reference/config/annotations/); Linkerd: config.linkerd.io/proxy-*
  // override proxy.resources. Annotating the library's defaults would undo the install's sizing.
  const SEEDS = { cpuRequest: Cpu.millis(100), memoryRequest: Size.mebibytes(128), cpuLimit: Cpu.millis(500), memoryLimit: Size.mebibytes(512) };

  test('Istio: pods carry the install\'s proxyResources, through meshFor too', () => {
    const c = chart('shop');
    const install = new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ proxyResources: SEEDS }), method: InstallMethod.flux(), namespaces: [{ name: 'shop' }],
    });
    for (const [id, mesh] of [['a', install], ['b', install.meshFor('shop')]] as const) {
      const w = new MeshWorkload(c, id, { mesh, serviceName: id, version: 'v1', image: 'nginx:1.27', port: 8080 });
      expect(w.deployment.podMetadata.annotations).toMatchObject({
        'sidecar.istio.io/proxyCPU': '100m',
        'sidecar.istio.io/proxyCPULimit': '500m',
        'sidecar.istio.io/proxyMemory': '128Mi',
        'sidecar.istio.io/proxyMemoryLimit': '512Mi',
      });
    }
    // a workload's own proxy still wins
    const own = new MeshWorkload(c, 'own', { mesh: install, serviceName: 'own', version: 'v1', image: 'nginx:1.27', port: 8080, proxy: { memoryLimit: Size.gibibytes(2) } });
    expect(own.deployment.podMetadata.annotations['sidecar.istio.io/proxyMemoryLimit']).toBe('2Gi');
    expect(own.deployment.podMetadata.annotations['sidecar.istio.io/proxyMemory']).toBe('256Mi');
  });

  test('Linkerd: pods carry the install\'s proxyResources', () => {
    const c = chart('shop');
    const install = new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.linkerd({ chartVersion: '2025.1.2', trustAnchor: TrustAnchor.fromPem(PEM), proxyResources: SEEDS }),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop' }],
    });
    const w = new MeshWorkload(c, 'w', { mesh: install, serviceName: 'w', version: 'v1', image: 'nginx:1.27', port: 8080 });
    expect(w.deployment.podMetadata.annotations).toMatchObject({
      'config.linkerd.io/proxy-cpu-request': '100m',
      'config.linkerd.io/proxy-cpu-limit': '500m',
      'config.linkerd.io/proxy-memory-request': '128Mi',
      'config.linkerd.io/proxy-memory-limit': '512Mi',
    });
  });
});

describe('Linkerd authorization paths mean what Istio\'s do (item 14)', () => {
  // Istio AuthorizationPolicy `paths: ['/reviews/*']` is a prefix match on the string `/reviews/`
  // (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation), so
  // `/reviews` itself is not admitted. Gateway API PathPrefix ignores a trailing slash and matches
  // whole segments (apis/v1/httproute_types.go PathMatchPathPrefix): PathPrefix `/reviews` would
  // admit `/reviews`. Linkerd reads RegularExpression path matches (routes/http.rs path_match).
  test('/reviews/* is a regex that admits /reviews/1 but not /reviews', () => {
    const c = chart('default');
    new MeshAuthorization(c, 'viewer', {
      mesh: meshOf('linkerd'),
      workload: WorkloadSelector.labels({ app: 'reviews' }, { namespace: 'default', ports: [9080] }),
      allow: [{ from: [Peer.namespace('default')], methods: [HttpMethod.GET], paths: ['/reviews/*', '/*'] }],
    });
    const paths = one(Testing.synth(c), 'HTTPRoute').spec.rules.flatMap((r: any) => r.matches.map((m: any) => m.path));
    expect(paths).toEqual([{ type: 'RegularExpression', value: '^/reviews/.*$' }, { type: 'PathPrefix', value: '/' }]);
    const re = new RegExp(paths[0].value);
    expect(['/reviews/1', '/reviews/'].every(p => re.test(p))).toBe(true);
    expect(['/reviews', '/reviewsx', '/x/reviews/1'].some(p => re.test(p))).toBe(false);
  });

  itValidates('the regex match passes the policy.linkerd.io HTTPRoute schema', () => {
    const c = chart('default');
    new MeshAuthorization(c, 'viewer', {
      mesh: meshOf('linkerd'),
      workload: WorkloadSelector.labels({ app: 'reviews' }, { namespace: 'default', ports: [9080] }),
      allow: [{ from: [Peer.namespace('default')], paths: ['/api/v1.2/*'] }],
    });
    const out = Testing.synth(c);
    expect(one(out, 'HTTPRoute').spec.rules[0].matches[0].path.value).toBe('^/api/v1\\.2/.*$');
    expectValid({ linkerd: out });
  });
});

describe('a host\'s Service settings stay in its chart (item 15)', () => {
  const ambient = () => Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });
  const gammaAmbient = () => Mesh.fromAttributes({
    provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT, routingApi: IstioRoutingApi.GATEWAY_API }),
  });

  test('the waypoint label does not reach a Service of the same name in a nested chart for another mesh', () => {
    const app = new App();
    const parent = new Chart(app, 'ambient', { namespace: 'bookinfo' });
    new CanaryRelease(parent, 'reviews', reviewsCanary('istio', { mesh: ambient() }));
    const nested = new Chart(parent, 'linkerd', { namespace: 'bookinfo' });
    MeshCluster.assign(nested, 'other');
    new CanaryRelease(nested, 'reviews', reviewsCanary('linkerd'));
    expect(one(Testing.synth(parent), 'Service', 'reviews').metadata.labels).toEqual({ 'app': 'reviews', 'istio.io/use-waypoint': 'waypoint' });
    expect(one(Testing.synth(nested), 'Service', 'reviews').metadata.labels).toEqual({ app: 'reviews' });
  });

  test('a host without a Service in its own chart is an error, even if a nested chart has one', () => {
    const app = new App();
    const parent = new Chart(app, 'ambient', { namespace: 'bookinfo' });
    const nested = new Chart(parent, 'other', { namespace: 'bookinfo' });
    new CanaryRelease(nested, 'reviews', reviewsCanary('linkerd'));
    new CircuitBreaker(parent, 'cb', {
      host: ServiceHost.fromAttributes({ mesh: ambient(), serviceName: 'reviews', port: 9080 }),
      outlierDetection: { consecutive5xxErrors: 5 },
    });
    expect(() => Testing.synth(parent)).toThrow(/ambient\/cb: .* on the Service 'reviews', which no construct in this chart declares/);
  });

  test('charts for different clusters may route one ambient host with different APIs', () => {
    const app = new App();
    const charts = ['a', 'b'].map(id => new Chart(app, id, { namespace: 'bookinfo' }));
    MeshCluster.assign(charts[0], 'a');
    MeshCluster.assign(charts[1], 'b');
    new CanaryRelease(charts[0], 'reviews', reviewsCanary('istio', { mesh: gammaAmbient() }));
    new CanaryRelease(charts[1], 'reviews', reviewsCanary('istio', {
      mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT, routingApi: IstioRoutingApi.ISTIO }) }),
    }));
    expect(one(Testing.synth(charts[0]), 'HTTPRoute').metadata.name).toBe('reviews');
    expect(one(Testing.synth(charts[1]), 'VirtualService').metadata.name).toBe('reviews');
    // in one cluster it is still an error
    const one_ = new App();
    const same = ['a', 'b'].map(id => new Chart(one_, id, { namespace: 'bookinfo' }));
    new CanaryRelease(same[0], 'reviews', reviewsCanary('istio', { mesh: gammaAmbient() }));
    new CanaryRelease(same[1], 'reviews', reviewsCanary('istio', {
      mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT, routingApi: IstioRoutingApi.ISTIO }) }),
    }));
    expect(() => one_.synth()).toThrow(/routed by both a HTTPRoute .* and a VirtualService/);
  });
});

itValidates('what these guard-rail tests emit passes the schemas', () => {
  const c = chart('shop');
  const install = new MeshInstall(c, 'Mesh', {
    controlPlane: MeshControlPlane.istio({ proxyResources: { memoryRequest: Size.mebibytes(128), memoryLimit: Size.mebibytes(512) } }),
    method: InstallMethod.flux(),
    namespaces: [{ name: 'shop' }],
  });
  new MeshWorkload(c, 'w', { mesh: install, serviceName: 'w', version: 'v1', image: 'nginx:1.27', port: 8080 });
  const m = chart();
  new StrictMtlsMigration(m, 'm', {
    mesh: meshOf('istio'),
    stages: [
      { meshWide: MtlsMode.PERMISSIVE, namespaces: [{ namespace: 'shop', mode: MtlsMode.UNSET }] },
      { meshWide: MtlsMode.STRICT, namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] },
    ],
    currentStage: 1,
  });
  const a = new Chart(new App(), 'ambient', { namespace: 'bookinfo' });
  new CanaryRelease(a, 'reviews', reviewsCanary('istio', { mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) }) }));
  expectValid({ install: Testing.synth(c), migration: Testing.synth(m), ambient: Testing.synth(a) });
});
