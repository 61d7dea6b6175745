import { App, Chart, Duration, Size, Testing } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';
import {
  CanaryRelease, CanaryVersion, InstallMethod, IstioDataPlaneMode, IstioProfile, IstioRoutingApi, LinkerdDefaultInboundPolicy,
  LinkerdIdentityIssuer, MeshControlPlane, MeshInstall, MeshInstallProps, MeshWorkload, OutboundTrafficPolicy, RoutePolicy,
  ServiceHost, TrustAnchor,
} from '../../src';
import { chart, ofKind, one, synthAll } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBjTCCATOgAwIBAgIQdGVzdC10cnVzdC1hbmNob3IwCgYIKoZIzj0EAwIwJTEjMCEGA1UEAxMacm9vdC5saW5rZXJkLmNsdXN0ZXIubG9jYWw=\n-----END CERTIFICATE-----\n';

function synth(props: MeshInstallProps, c: Chart = chart()): any[] {
  new MeshInstall(c, 'Mesh', props);
  return synthAll(c);
}

function release(manifests: any[], name: string): any {
  return one(manifests, 'HelmRelease', name).spec;
}

function application(manifests: any[], name: string): any {
  return one(manifests, 'Application', name);
}

function namespace(manifests: any[], name: string): any {
  return one(manifests, 'Namespace', name).metadata;
}

function linkerd(overrides: object = {}) {
  return MeshControlPlane.linkerd({ chartVersion: '2025.1.2', trustAnchor: TrustAnchor.fromPem(PEM), ...overrides });
}

/** The seeds' bookinfo reviews canary, deployed in `namespace` with `mesh`. */
function reviews(c: Chart, mesh: any, ns = 'shop') {
  return new CanaryRelease(c, 'reviews', {
    mesh,
    serviceName: 'reviews',
    namespace: ns,
    port: 9080,
    stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
    canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
  });
}

describe('Istio', () => {
  // seeds: istioctl install --set profile=default -y; kubectl label namespace default istio-injection=enabled
  itValidates('default profile with injection in default (Flux)', () => {
    const m = synth({ controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux(), namespaces: [{ name: 'default' }] });
    expect(ofKind(m, 'HelmRelease').map(r => r.metadata.name)).toEqual(['istio-base', 'istiod', 'istio-ingressgateway']);
    expect(one(m, 'HelmRepository').spec.url).toBe('https://istio-release.storage.googleapis.com/charts');
    expect(release(m, 'istiod').dependsOn).toEqual([{ name: 'istio-base' }]);
    expect(release(m, 'istiod').chart.spec).toMatchObject({ chart: 'istiod', version: '1.30.3' });
    expect(release(m, 'istiod').values).toMatchObject({
      profile: 'default',
      meshConfig: { defaultConfig: { holdApplicationUntilProxyStarts: true } },
      pilot: { autoscaleEnabled: true, autoscaleMin: 2, autoscaleMax: 5 },
    });
    expect(release(m, 'istio-ingressgateway').targetNamespace).toBe('istio-ingress');
    expect(namespace(m, 'default').labels).toEqual({ 'istio-injection': 'enabled' });
    expect(one(m, 'PeerAuthentication')).toMatchObject({
      apiVersion: 'security.istio.io/v1', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'PERMISSIVE' } },
    });
    expect(one(m, 'Telemetry')).toMatchObject({
      apiVersion: 'telemetry.istio.io/v1', spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] },
    });
    expectValid({ 'istio-default': m });
  });

  // seeds: istioctl install --set profile=demo -y
  itValidates('demo profile (Argo CD) with sync waves: base first', () => {
    const m = synth({ controlPlane: MeshControlPlane.istio({ profile: IstioProfile.DEMO }), method: InstallMethod.argoCd(), namespaces: [{ name: 'default' }] });
    const waves = Object.fromEntries(ofKind(m, 'Application').map(a => [a.metadata.name, a.metadata.annotations['argocd.argoproj.io/sync-wave']]));
    expect(waves).toEqual({ 'istio-base': '0', 'istiod': '1', 'istio-ingressgateway': '2' });
    const istiod = application(m, 'istiod');
    expect(istiod.metadata.namespace).toBe('argocd');
    expect(istiod.spec).toMatchObject({
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'istio-system' },
      source: { repoURL: 'https://istio-release.storage.googleapis.com/charts', chart: 'istiod', targetRevision: '1.30.3' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(istiod.spec.source.helm.valuesObject.profile).toBe('demo');
    expect(application(m, 'istio-base').spec.ignoreDifferences[0]).toMatchObject({ kind: 'ValidatingWebhookConfiguration', jsonPointers: ['/webhooks/0/failurePolicy'] });
    // mesh-wide defaults wait for the charts' CRDs
    expect(one(m, 'PeerAuthentication').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '3', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
    });
    expectValid({ 'istio-demo': m });
  });

  // seeds: global.proxy.resources requests 100m/128Mi, limits 500m/512Mi
  itValidates('production proxy resources and control-plane settings map to chart values', () => {
    const m = synth({
      controlPlane: MeshControlPlane.istio({
        proxyResources: {
          cpuRequest: Cpu.millis(100), memoryRequest: Size.mebibytes(128), cpuLimit: Cpu.millis(500), memoryLimit: Size.mebibytes(512),
        },
        outboundTrafficPolicy: OutboundTrafficPolicy.REGISTRY_ONLY,
        trustDomain: 'prod.example.com',
        istiod: {
          autoscaleMin: 3,
          autoscaleMax: 10,
          pushThrottle: 200,
          resources: { cpu: { request: Cpu.millis(1000) }, memory: { request: Size.gibibytes(4) } },
        },
        workloadCertTtl: Duration.hours(12),
        telemetry: { tracingSamplingPercent: 10 },
        chartValues: { istiod: { pilot: { env: { EXTRA: 'x' } } } },
      }),
      method: InstallMethod.flux(),
    });
    const values = release(m, 'istiod').values;
    expect(values.global.proxy.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(values.meshConfig).toEqual({
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      trustDomain: 'prod.example.com',
      defaultConfig: { holdApplicationUntilProxyStarts: true, proxyMetadata: { SECRET_TTL: '12h' } },
    });
    expect(values.pilot).toEqual({
      autoscaleEnabled: true,
      autoscaleMin: 3,
      autoscaleMax: 10,
      resources: { requests: { cpu: '1000m', memory: '4Gi' } },
      env: { PILOT_PUSH_THROTTLE: '200', DEFAULT_WORKLOAD_CERT_TTL: '12h', EXTRA: 'x' },
    });
    expect(one(m, 'Telemetry').spec.tracing).toEqual([{ randomSamplingPercentage: 10 }]);
    expectValid({ 'istio-production': m });
  });

  test('fixed istiod replicas turn the autoscaler off; minimal installs no gateway', () => {
    const m = synth({
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.MINIMAL, istiod: { replicas: 3 } }), method: InstallMethod.flux(),
    });
    expect(release(m, 'istiod').values.pilot).toEqual({ replicaCount: 3, autoscaleEnabled: false });
    expect(release(m, 'istiod').values.profile).toBeUndefined();
    expect(ofKind(m, 'HelmRelease').map(r => r.metadata.name)).toEqual(['istio-base', 'istiod']);
  });

  itValidates('a Sidecar per namespace limits egress configuration', () => {
    const m = synth({
      controlPlane: MeshControlPlane.istio({ accessLogFile: '/dev/stdout', telemetry: { accessLogging: false } }),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop', egressHosts: ['./*', 'istio-system/*', 'payments/payments.payments.svc.cluster.local'] }],
    });
    expect(one(m, 'Sidecar')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'default', namespace: 'shop' },
      spec: { egress: [{ hosts: ['./*', 'istio-system/*', 'payments/payments.payments.svc.cluster.local'] }] },
    });
    expect(release(m, 'istiod').values.meshConfig.accessLogFile).toBe('/dev/stdout');
    expect(ofKind(m, 'Telemetry')).toHaveLength(0);
    expectValid({ 'istio-sidecar': m });
  });

  test('meshPeerAuthentication: false leaves the mesh-wide mode to StrictMtlsMigration', () => {
    const m = synth({ controlPlane: MeshControlPlane.istio({ meshPeerAuthentication: false }), method: InstallMethod.flux() });
    expect(ofKind(m, 'PeerAuthentication')).toHaveLength(0);
  });

  describe('canary control-plane upgrade (seeds: 1-23-0 → 1-24-0)', () => {
    const upgrade = (paymentsRevision: string) => synth({
      controlPlane: MeshControlPlane.istio({
        revisions: [
          { name: '1-23-0', version: '1.23.0', tags: ['stable'] },
          { name: '1-24-0', version: '1.24.0', tags: ['canary'] },
        ],
      }),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop', revision: 'stable' }, { name: 'payments', revision: paymentsRevision }],
    });

    itValidates('two istiod revisions side by side, namespaces pinned to revisions or tags', () => {
      const m = upgrade('1-24-0');
      expect(ofKind(m, 'HelmRelease').map(r => r.metadata.name)).toEqual(['istio-base', 'istiod-1-23-0', 'istiod-1-24-0', 'istio-ingressgateway']);
      expect(release(m, 'istio-base').chart.spec.version).toBe('1.24.0');
      expect(release(m, 'istio-base').values.defaultRevision).toBe('1-23-0');
      expect(release(m, 'istiod-1-23-0').values).toMatchObject({ revision: '1-23-0', revisionTags: ['stable'] });
      expect(release(m, 'istiod-1-24-0').values).toMatchObject({ revision: '1-24-0', revisionTags: ['canary'] });
      expect(release(m, 'istiod-1-24-0').chart.spec.version).toBe('1.24.0');
      expect(release(m, 'istio-ingressgateway').values).toEqual({ revision: '1-23-0' });
      expect(namespace(m, 'shop').labels).toEqual({ 'istio.io/rev': 'stable' });
      expect(namespace(m, 'payments').labels).toEqual({ 'istio.io/rev': '1-24-0' });
      expectValid({ 'istio-revisions': m });
    });

    test('moving one namespace changes one label and nothing else', () => {
      const before = upgrade('1-23-0');
      const after = upgrade('1-24-0');
      const changed = before.map((o, k) => [o, after[k]]).filter(([a, b]) => JSON.stringify(a) !== JSON.stringify(b));
      expect(changed).toHaveLength(1);
      expect(changed[0][0].metadata).toEqual({ name: 'payments', labels: { 'istio.io/rev': '1-23-0' } });
      expect(changed[0][1].metadata).toEqual({ name: 'payments', labels: { 'istio.io/rev': '1-24-0' } });
    });

    test('workloads of a namespace render for its revision', () => {
      const c = chart();
      const install = new MeshInstall(c, 'Mesh', {
        controlPlane: MeshControlPlane.istio({ revisions: [{ name: '1-23-0', version: '1.23.0' }, { name: '1-24-0', version: '1.24.0' }] }),
        method: InstallMethod.flux(),
        namespaces: [{ name: 'shop' }, { name: 'payments', revision: '1-24-0' }],
      });
      new MeshWorkload(c, 'Pay', { mesh: install.meshFor('payments'), namespace: 'payments', serviceName: 'pay', version: 'v1', image: 'pay:1', port: 8080 });
      new MeshWorkload(c, 'Cart', { mesh: install, namespace: 'shop', serviceName: 'cart', version: 'v1', image: 'cart:1', port: 8080 });
      const m = Testing.synth(c);
      expect(one(m, 'Deployment', 'pay-v1').spec.template.metadata.labels['istio.io/rev']).toBe('1-24-0');
      expect(one(m, 'Deployment', 'cart-v1').spec.template.metadata.labels['istio.io/rev']).toBe('1-23-0');
      expect(namespace(m, 'shop').labels).toEqual({ 'istio.io/rev': '1-23-0' });
    });
  });

  describe('Sail operator', () => {
    itValidates('one Istio per revision, IstioRevisionTag per tag', () => {
      const m = synth({
        controlPlane: MeshControlPlane.istio({
          revisions: [{ name: '1-23-2', version: '1.23.2', tags: ['stable'] }, { name: '1-24-0', version: '1.24.0' }],
          istiod: { pushThrottle: 150 },
        }),
        method: InstallMethod.sail(),
        namespaces: [{ name: 'shop', revision: 'stable' }],
      });
      expect(ofKind(m, 'HelmRelease')).toHaveLength(0);
      const istio = one(m, 'Istio', '1-23-2');
      expect(istio.apiVersion).toBe('sailoperator.io/v1');
      expect(istio.spec).toMatchObject({ version: 'v1.23.2', namespace: 'istio-system', profile: 'default', updateStrategy: { type: 'InPlace' } });
      expect(istio.spec.values.pilot.env).toEqual({ PILOT_PUSH_THROTTLE: '150' });
      expect(one(m, 'Istio', '1-24-0').spec.version).toBe('v1.24.0');
      expect(one(m, 'IstioRevisionTag', 'stable').spec).toEqual({ targetRef: { kind: 'Istio', name: '1-23-2' } });
      expect(namespace(m, 'shop').labels).toEqual({ 'istio.io/rev': 'stable' });
      expectValid({ sail: m });
    });

    itValidates('ambient: Istio, IstioCNI and ZTunnel named default', () => {
      const m = synth({ controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.sail(), namespaces: [{ name: 'shop' }] });
      expect(one(m, 'Istio', 'default').spec.profile).toBe('ambient');
      expect(one(m, 'IstioCNI', 'default').spec).toEqual({ version: 'v1.30.3', namespace: 'istio-system', profile: 'ambient' });
      expect(one(m, 'ZTunnel', 'default').spec).toEqual({ version: 'v1.30.3', namespace: 'istio-system' });
      expectValid({ 'sail-ambient': m });
    });
  });

  describe('ambient', () => {
    // seeds: istioctl install --set profile=ambient; kubectl label namespace default istio.io/dataplane-mode=ambient;
    // istioctl waypoint apply
    itValidates('install, ambient namespace and a waypoint for an L7 host', () => {
      const c = chart();
      const install = new MeshInstall(c, 'Mesh', {
        controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }),
        method: InstallMethod.flux(),
        namespaces: [{ name: 'shop' }],
      });
      reviews(c, install);
      const m = Testing.synth(c);
      expect(ofKind(m, 'HelmRelease').map(r => [r.metadata.name, r.spec.dependsOn?.[0]?.name])).toEqual([
        ['istio-base', undefined], ['istiod', 'istio-base'], ['istio-cni', 'istiod'], ['ztunnel', 'istio-cni'],
      ]);
      expect(release(m, 'istio-cni').values).toEqual({ profile: 'ambient' });
      expect(release(m, 'istiod').values.meshConfig).toBeUndefined();
      expect(namespace(m, 'shop').labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
      expect(one(m, 'Gateway')).toEqual({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      });
      expect(one(m, 'Service', 'reviews').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
      // ambient routes through Gateway API by default, and pods carry no sidecar labels
      expect(one(m, 'HTTPRoute').spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['reviews-v1', 90], ['reviews-v2', 10]]);
      for (const d of ofKind(m, 'Deployment')) {
        expect(Object.keys(d.spec.template.metadata.labels).filter(k => k.includes('istio'))).toEqual([]);
        expect(d.spec.template.metadata.annotations).toBeUndefined();
      }
      expectValid({ ambient: m });
    });

    test('one waypoint per namespace, shared by its hosts; VirtualService routing works too', () => {
      const c = chart();
      const install = new MeshInstall(c, 'Mesh', {
        controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, routingApi: IstioRoutingApi.ISTIO }),
        method: InstallMethod.flux(),
        namespaces: [{ name: 'shop' }],
      });
      reviews(c, install);
      new CanaryRelease(c, 'ratings', {
        mesh: install,
        serviceName: 'ratings',
        namespace: 'shop',
        port: 9080,
        stable: CanaryVersion.deploy({ name: 'v1', image: 'ratings:1' }),
        canary: CanaryVersion.deploy({ name: 'v2', image: 'ratings:2' }),
      });
      const m = Testing.synth(c);
      expect(ofKind(m, 'Gateway')).toHaveLength(1);
      expect(ofKind(m, 'VirtualService')).toHaveLength(2);
      expect(ofKind(m, 'Service').filter(s => s.metadata.labels['istio.io/use-waypoint'] === 'waypoint').map(s => s.metadata.name))
        .toEqual(['reviews', 'ratings']);
    });

    test('a workload opts out with istio.io/dataplane-mode: none', () => {
      const c = chart();
      const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux() });
      new MeshWorkload(c, 'Fanout', { mesh: install, serviceName: 'checkout', version: 'v1', image: 'checkout:1', port: 8080, meshed: false });
      const d = one(Testing.synth(c), 'Deployment');
      expect(d.spec.template.metadata.labels['istio.io/dataplane-mode']).toBe('none');
    });

    test('the ambient profile with dataPlaneMode SIDECAR keeps sidecars', () => {
      const m = synth({
        controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, dataPlaneMode: IstioDataPlaneMode.SIDECAR }),
        method: InstallMethod.flux(),
        namespaces: [{ name: 'shop' }],
      });
      expect(namespace(m, 'shop').labels).toEqual({ 'istio-injection': 'enabled' });
      expect(ofKind(m, 'HelmRelease').map(r => r.metadata.name)).toContain('ztunnel');
    });
  });
});

describe('Linkerd', () => {
  // seeds: linkerd install --crds; linkerd install; issuer certificate --not-after=48h, auto-renewed
  itValidates('Flux, cert-manager identity issuer of 48 h, injected namespace', () => {
    const m = synth({
      controlPlane: linkerd(),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop', defaultInboundPolicy: LinkerdDefaultInboundPolicy.ALL_AUTHENTICATED }],
    });
    expect(one(m, 'HelmRepository').spec.url).toBe('https://helm.linkerd.io/edge');
    expect(release(m, 'linkerd-control-plane').dependsOn).toEqual([{ name: 'linkerd-crds' }]);
    expect(release(m, 'linkerd-control-plane').values).toMatchObject({
      identityTrustAnchorsPEM: PEM,
      identity: { issuer: { scheme: 'kubernetes.io/tls' } },
      proxy: { resources: { cpu: { request: '100m', limit: '2000m' }, memory: { request: '256Mi', limit: '1Gi' } } },
    });
    expect(one(m, 'Issuer').spec).toEqual({ ca: { secretName: 'linkerd-trust-anchor' } });
    expect(one(m, 'Certificate')).toMatchObject({
      metadata: { name: 'linkerd-identity-issuer', namespace: 'linkerd' },
      spec: {
        secretName: 'linkerd-identity-issuer',
        duration: '48h',
        renewBefore: '25h',
        isCA: true,
        commonName: 'identity.linkerd.cluster.local',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: 'linkerd-trust-anchor', kind: 'Issuer' },
      },
    });
    expect(namespace(m, 'linkerd').labels['config.linkerd.io/admission-webhooks']).toBe('disabled');
    expect(namespace(m, 'shop')).toEqual({
      name: 'shop',
      annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'all-authenticated' },
    });
    expectValid({ linkerd: m });
  });

  itValidates('Argo CD, HA, viz, stable charts', () => {
    const m = synth({
      controlPlane: linkerd({ chartVersion: '1.16.11', crdsChartVersion: '1.8.0', highAvailability: true, viz: true, identityIssuer: LinkerdIdentityIssuer.external() }),
      method: InstallMethod.argoCd({ project: 'platform' }),
    });
    const waves = ofKind(m, 'Application').map(a => [a.metadata.name, a.spec.source.targetRevision, a.metadata.annotations['argocd.argoproj.io/sync-wave']]);
    expect(waves).toEqual([['linkerd-crds', '1.8.0', '0'], ['linkerd-control-plane', '1.16.11', '1'], ['linkerd-viz', '1.16.11', '2']]);
    expect(application(m, 'linkerd-crds').spec.source.repoURL).toBe('https://helm.linkerd.io/stable');
    expect(application(m, 'linkerd-control-plane').spec.source.helm.valuesObject).toMatchObject({
      controllerReplicas: 3, enablePodAntiAffinity: true, enablePodDisruptionBudget: true, webhookFailurePolicy: 'Fail',
    });
    expect(application(m, 'linkerd-viz').spec.destination.namespace).toBe('linkerd-viz');
    expect(ofKind(m, 'Certificate')).toHaveLength(0);
    expectValid({ 'linkerd-argocd': m });
  });

  itValidates('a trust anchor from a Secret reaches the chart through Flux valuesFrom', () => {
    const m = synth({ controlPlane: linkerd({ trustAnchor: TrustAnchor.fromSecret({ name: 'linkerd-trust-anchor' }) }), method: InstallMethod.flux() });
    expect(release(m, 'linkerd-control-plane').valuesFrom).toEqual([
      { kind: 'Secret', name: 'linkerd-trust-anchor', valuesKey: 'ca.crt', targetPath: 'identityTrustAnchorsPEM' },
    ]);
    expect(release(m, 'linkerd-control-plane').values.identityTrustAnchorsPEM).toBeUndefined();
    expectValid({ 'linkerd-secret': m });
  });

  test('the install is the mesh handle: workloads get Linkerd annotations and the production proxy sizing', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: linkerd(), method: InstallMethod.flux(), namespaces: [{ name: 'shop' }] });
    new MeshWorkload(c, 'W', { mesh: install, namespace: 'shop', serviceName: 'web', version: 'v1', image: 'web:1', port: 8080 });
    expect(install.provider.name).toBe('linkerd');
    expect(install.isMeshed('shop')).toBe(true);
    expect(install.isMeshed('other')).toBe(false);
    expect(one(Testing.synth(c), 'Deployment').spec.template.metadata.annotations['linkerd.io/inject']).toBe('enabled');
  });
});

describe('kill switch', () => {
  const namespaces = [{ name: 'shop' }, { name: 'payments' }];

  test('Istio sidecars: istio-injection disabled on every app namespace', () => {
    const m = synth({ controlPlane: MeshControlPlane.istio({ revision: 'stable' }), method: InstallMethod.flux(), namespaces, injectionKillSwitch: true });
    expect(['shop', 'payments'].map(n => namespace(m, n).labels)).toEqual([{ 'istio-injection': 'disabled' }, { 'istio-injection': 'disabled' }]);
  });

  test('Istio ambient: istio.io/dataplane-mode none', () => {
    const m = synth({
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux(), namespaces, injectionKillSwitch: true,
    });
    expect(namespace(m, 'shop').labels).toEqual({ 'istio.io/dataplane-mode': 'none' });
  });

  itValidates('Linkerd: inject disabled and the namespace out of the injector', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: linkerd(), method: InstallMethod.flux(), namespaces, injectionKillSwitch: true });
    const m = Testing.synth(c);
    expect(namespace(m, 'payments')).toEqual({
      name: 'payments', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' }, annotations: { 'linkerd.io/inject': 'disabled' },
    });
    expect(install.isMeshed('shop')).toBe(false);
    expectValid({ 'kill-switch': m });
  });
});

describe('rejections', () => {
  const istio = (props: Partial<MeshInstallProps> = {}) => () =>
    synth({ controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux(), ...props });

  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'istio-system', 'istio-ingress'])('injecting %s', (name) => {
    expect(istio({ namespaces: [{ name }] })).toThrow(new RegExp(`test/Mesh: 'namespaces\\[${name}\\]\\.name' \\("${name}"\\) must be an application namespace: ${name} is a system or mesh namespace`));
  });

  test('injecting the Linkerd namespace', () => {
    expect(() => synth({ controlPlane: linkerd(), method: InstallMethod.flux(), namespaces: [{ name: 'linkerd' }] }))
      .toThrow(/'namespaces\[linkerd\]\.name' \("linkerd"\) must be an application namespace/);
  });

  test('a namespace twice', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux(), namespaces: [{ name: 'shop' }] });
    expect(() => install.addNamespace({ name: 'shop' })).toThrow(/'namespaces\[shop\]\.name' \("shop"\) must be onboarded once/);
  });

  test('an unknown profile for a method: Sail has no minimal profile', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ profile: IstioProfile.MINIMAL }), method: InstallMethod.sail() }))
      .toThrow(/test\/Mesh: the Sail operator cannot express the 'minimal' profile; Sail's profiles are ambient, default, demo/);
  });

  test('Sail installs no gateway', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ ingressGateway: true }), method: InstallMethod.sail() }))
      .toThrow(/the Sail operator cannot express an ingress gateway/);
  });

  test('Sail installs no Linkerd', () => {
    expect(() => synth({ controlPlane: linkerd(), method: InstallMethod.sail() })).toThrow(/the Sail operator cannot express a Linkerd install/);
  });

  test('missing trust anchor for Linkerd', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.linkerd({ chartVersion: '2025.1.2' }), method: InstallMethod.flux() }))
      .toThrow(/test\/Mesh: 'trustAnchor' \(undefined\) must be set: Linkerd's identity needs the trust anchor certificate/);
  });

  test('a trust anchor that is not a PEM certificate', () => {
    expect(() => synth({ controlPlane: linkerd({ trustAnchor: TrustAnchor.fromPem('ca.crt') }), method: InstallMethod.flux() }))
      .toThrow(/'trustAnchor' \("ca.crt\.\.\."\) must be a PEM certificate/);
  });

  test('a trust anchor Secret with Argo CD', () => {
    expect(() => synth({ controlPlane: linkerd({ trustAnchor: TrustAnchor.fromConfigMap({ name: 'roots' }) }), method: InstallMethod.argoCd() }))
      .toThrow(/Argo CD cannot express chart values read from a ConfigMap; pass the trust anchor certificate with TrustAnchor.fromPem\(\)/);
  });

  test('a stable Linkerd chart without the CRDs chart version', () => {
    expect(() => synth({ controlPlane: linkerd({ chartVersion: '1.16.11' }), method: InstallMethod.flux() }))
      .toThrow(/'crdsChartVersion' \(undefined\) must be set for the stable chart 1.16.11/);
  });

  test('an issuer renewed after it expires', () => {
    expect(() => synth({
      controlPlane: linkerd({ identityIssuer: LinkerdIdentityIssuer.certManager({ duration: Duration.hours(24), renewBefore: Duration.hours(24) }) }),
      method: InstallMethod.flux(),
    })).toThrow(/'identityIssuer.renewBefore' \("1 day"\) must be positive and shorter than the duration \(1 day\)/);
  });

  test('a revision for a Linkerd namespace', () => {
    expect(() => synth({ controlPlane: linkerd(), method: InstallMethod.flux(), namespaces: [{ name: 'shop', revision: 'stable' }] }))
      .toThrow(/Linkerd cannot express a control-plane revision for namespace 'shop'/);
  });

  test('a namespace pinned to a revision the install does not have', () => {
    expect(istio({ namespaces: [{ name: 'shop', revision: '1-25-0' }] }))
      .toThrow(/'namespaces\[shop\]\.revision' \("1-25-0"\) must be a revision or tag of this install \(none: give the control plane revisions\)/);
    expect(() => synth({
      controlPlane: MeshControlPlane.istio({ revisions: [{ name: '1-24-0', version: '1.24.0', tags: ['stable'] }] }),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop', revision: 'canary' }],
    })).toThrow(/must be a revision or tag of this install \(1-24-0, stable\)/);
  });

  test('revision names twice', () => {
    expect(() => synth({
      controlPlane: MeshControlPlane.istio({ revisions: [{ name: 'a', version: '1.24.0', tags: ['b'] }, { name: 'b', version: '1.24.1' }] }),
      method: InstallMethod.flux(),
    })).toThrow(/'revisions' \("b"\) must be unique revision and tag names/);
  });

  test('a version that is not a release', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ version: 'latest' }), method: InstallMethod.flux() }))
      .toThrow(/'version' \("latest"\) must be an Istio release/);
  });

  test('both access log settings', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ accessLogFile: '/dev/stdout' }), method: InstallMethod.flux() }))
      .toThrow(/'accessLogFile' \("\/dev\/stdout"\) must be unset while telemetry.accessLogging is on/);
  });

  test('fixed replicas and autoscaling', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ istiod: { replicas: 2, autoscaleMax: 4 } }), method: InstallMethod.flux() }))
      .toThrow(/'istiod.replicas' \(2\) must be unset when autoscaleMin or autoscaleMax is set/);
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ istiod: { autoscaleMin: 6 } }), method: InstallMethod.flux() }))
      .toThrow(/'istiod.autoscaleMin' \(6\) must be at most autoscaleMax \(5\)/);
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ istiod: { pushThrottle: 0 } }), method: InstallMethod.flux() }))
      .toThrow(/'istiod.pushThrottle' \(0\) must be a positive integer/);
  });

  test('a workload certificate lifetime out of range', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ workloadCertTtl: Duration.minutes(10) }), method: InstallMethod.flux() }))
      .toThrow(/'workloadCertTtl' \("10 minutes"\) must be from 1 hour to 90 days/);
  });

  test('tracing sampling above 100 %', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ telemetry: { tracingSamplingPercent: 150 } }), method: InstallMethod.flux() }))
      .toThrow(/'telemetry.tracingSamplingPercent' \(150\) must be a number in 0..100/);
  });

  test('proxy requests above limits', () => {
    expect(() => synth({
      controlPlane: MeshControlPlane.istio({ proxyResources: { memoryRequest: Size.gibibytes(2) } }), method: InstallMethod.flux(),
    }))
      .toThrow(/'proxyResources.memoryRequest' \("2Gi"\) must be at most the memory limit \(1Gi\)/);
  });

  test('chart values for a chart the install does not have', () => {
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ chartValues: { kiali: {} } }), method: InstallMethod.flux() }))
      .toThrow(/'chartValues' \("kiali"\) must be a chart of this install \(base, istiod, cni, ztunnel, gateway\)/);
    expect(() => synth({ controlPlane: MeshControlPlane.istio({ chartValues: { gateway: {} } }), method: InstallMethod.sail() }))
      .toThrow(/'chartValues' \("gateway"\) must be a chart of this install \(istiod, cni, ztunnel\)/);
  });

  test('an ambient data plane without the ambient profile', () => {
    expect(() => synth({
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.DEFAULT, dataPlaneMode: IstioDataPlaneMode.AMBIENT }),
      method: InstallMethod.flux(),
    }))
      .toThrow(/'profile' \("default"\) must be IstioProfile.AMBIENT with dataPlaneMode AMBIENT/);
  });

  test('egress hosts that are not namespace/host, or none at all', () => {
    expect(istio({ namespaces: [{ name: 'shop', egressHosts: ['reviews'] }] }))
      .toThrow(/'namespaces\[shop\]\.egressHosts\[0\]' \("reviews"\) must be a host as "<namespace>\/<dns name>"/);
    expect(istio({ namespaces: [{ name: 'shop', egressHosts: [] }] })).toThrow(/'namespaces\[shop\]\.egressHosts' \(\[\]\) must be non-empty/);
  });

  test('a Sidecar in ambient mode', () => {
    expect(() => synth({
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux(), namespaces: [{ name: 'shop', egressHosts: ['./*'] }],
    })).toThrow(/Istio in ambient mode cannot express a Sidecar limiting egress for namespace 'shop'/);
  });

  test('a Linkerd inbound policy on Istio', () => {
    expect(istio({ namespaces: [{ name: 'shop', defaultInboundPolicy: LinkerdDefaultInboundPolicy.DENY }] }))
      .toThrow(/test\/Mesh: Istio cannot express a default inbound policy for namespace 'shop'; it is a Linkerd setting/);
  });

  test('meshFor a namespace that is not onboarded', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux() });
    expect(() => install.meshFor('shop')).toThrow(/'namespace' \("shop"\) must be an onboarded namespace \(none\)/);
  });

  test('proxy resources on an ambient workload', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux() });
    expect(() => new MeshWorkload(c, 'W', { mesh: install, serviceName: 'web', version: 'v1', image: 'web:1', port: 8080, proxy: { cpuLimit: Cpu.millis(500) } }))
      .toThrow(/test\/W: Istio cannot express per-workload proxy resources in ambient mode/);
  });

  test('mixing VirtualService and Gateway API routing on one ambient host (two charts of one app)', () => {
    const app = Testing.app();
    const platform = new Chart(app, 'platform');
    const install = new MeshInstall(platform, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, routingApi: IstioRoutingApi.ISTIO }),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop' }],
    });
    reviews(new Chart(app, 'release'), install);
    const gatewayApi = new MeshInstall(new Chart(app, 'other'), 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux(),
    });
    new RoutePolicy(new Chart(app, 'policies'), 'reviews', {
      host: ServiceHost.fromAttributes({ mesh: gatewayApi, serviceName: 'reviews', namespace: 'shop', port: 9080 }),
      timeout: Duration.seconds(3),
    });
    expect(() => app.synth()).toThrow(/policies\/reviews: ambient host 'reviews' is routed by both a VirtualService \(release\/reviews\) and a HTTPRoute; .*do not mix Istio's VirtualService with Gateway API routes/);
  });

  test('mixing routing APIs on one ambient host in one chart', () => {
    const c = chart();
    const viaIstio = new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, routingApi: IstioRoutingApi.ISTIO }), method: InstallMethod.flux(),
    });
    reviews(c, viaIstio, 'default');
    const viaGatewayApi = MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, namespace: 'istio-2' });
    const other = new MeshInstall(new Chart(new App(), 'x'), 'Mesh', { controlPlane: viaGatewayApi, method: InstallMethod.flux() });
    expect(() => new RoutePolicy(c, 'policy', {
      host: ServiceHost.fromAttributes({ mesh: other, serviceName: 'reviews', namespace: 'default', port: 9080 }),
      timeout: Duration.seconds(3),
    })).toThrow(/host 'reviews' is rendered by Istio \(networking.istio.io\/v1\) in ambient mode .*every construct on one host must use the same mesh provider/);
  });

  test('an ambient host whose Service is not in the app', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.flux() });
    new RoutePolicy(c, 'ratings', { host: ServiceHost.fromAttributes({ mesh: install, serviceName: 'ratings', port: 9080 }), timeout: Duration.seconds(3) });
    expect(() => Testing.synth(c)).toThrow(/in ambient mode configures its waypoint \(label 'istio.io\/use-waypoint: waypoint'\), without which its L7 routing and policy do not apply, on the Service 'ratings', which no construct in this chart declares/);
  });
});

describe('snapshots', () => {
  test('MeshInstall istio', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ revisions: [{ name: '1-23-0', version: '1.23.0', tags: ['stable'] }, { name: '1-24-0', version: '1.24.0' }] }),
      method: InstallMethod.flux(),
      namespaces: [{ name: 'shop', revision: 'stable', egressHosts: ['./*', 'istio-system/*'] }],
    });
    install.addNamespace({ name: 'payments', revision: '1-24-0' });
    // Flux: the install, then (a file of its own) the mesh-wide objects that need its CRDs
    expect(Testing.synth(c)).toMatchSnapshot();
    expect(Testing.synth(c.node.findChild('Mesh').node.findChild('MeshConfig') as Chart)).toMatchSnapshot();
  });

  test('MeshInstall istio ambient', () => {
    const c = chart();
    const install = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT }), method: InstallMethod.argoCd(), namespaces: [{ name: 'shop' }] });
    reviews(c, install);
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('MeshInstall linkerd', () => {
    const c = chart();
    new MeshInstall(c, 'Mesh', { controlPlane: linkerd({ highAvailability: true }), method: InstallMethod.flux(), namespaces: [{ name: 'shop' }] });
    expect(Testing.synth(c)).toMatchSnapshot();
  });
});
