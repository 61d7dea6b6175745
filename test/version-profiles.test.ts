/**
 * Version profiles (issue 14): the releases a configuration targets decide the fields and API
 * versions it emits, and the output is validated against those releases' CRDs
 * (../shared/crds/versions/, the validator's --profile).
 *
 * Upstream facts: Gateway API CHANGELOG and the CRDs at each tag (HTTPRoute rules[].name standard
 * from v1.4.0, experimental from v1.2.0; RequestMirror percent standard from v1.3.0; timeouts standard
 * from v1.2.0; TLSRoute v1 from v1.5.0, v1alpha2 experimental only before); Linkerd
 * features/gateway-api.md of 2.18-2.20 (Gateway API 1.1.1-1.2.1 supported, 2.20 ignores routes with
 * fields newer than 1.2.1); istio/istio go.mod and pkg/config/schema/gvr at 1.24.6 (built against
 * Gateway API v1.2.1, watches TLSRoute v1alpha2) and 1.30 (pkg/config/schema/gatewayapi: TLSRoute
 * CRDs older than v1.5.0 are ignored). Summarised in ../shared/tools/validate-manifests/README.md.
 */
import { Duration, Testing } from 'cdk8s';
import {
  CanaryRelease, CanaryVersion, GatewayApiBundle, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, IngressGateway, InstallMethod,
  IstioControlPlaneOptions, IstioRoutingApi, IstioVersion, LinkerdVersion, Mesh, MeshControlPlane, MeshInstall, MeshProvider, RequestMatch,
  TrustAnchor,
} from '../src';
import { chart, ofKind, one } from './support/fixtures';
import { expectValid, itValidates, validate } from './support/validator';

const mesh = (provider: MeshProvider) => Mesh.fromAttributes({ provider });

function canary(provider: MeshProvider, mirrorPercent?: number, timeout?: Duration): any[] {
  const c = chart('bookinfo');
  new CanaryRelease(c, 'reviews', {
    mesh: mesh(provider),
    serviceName: 'reviews',
    port: 9080,
    stable: CanaryVersion.deploy({ name: 'v1', image: 'reviews:1' }),
    canary: CanaryVersion.deploy({ name: 'v2', image: 'reviews:2' }),
    steps: [10, 50, 100],
    currentStep: 0,
    canaryMatches: [RequestMatch.header('end-user', 'jason')],
    mirrorPercent,
    timeout,
  });
  return Testing.synth(c);
}

function passthrough(provider: MeshProvider): any[] {
  const c = chart('edge');
  const gateway = new IngressGateway(c, 'edge', {
    mesh: mesh(provider),
    implementation: GatewayImplementation.istio(),
    listeners: [GatewayListener.tlsPassthrough({ hostname: 'db.example.com' })],
  });
  new GatewayRoute(c, 'db', { gateway, listener: 'tls', hostnames: ['db.example.com'], rules: [{ backends: [GatewayBackend.service('db', 5432)] }] });
  return Testing.synth(c);
}

describe('Linkerd 2.18 honours Gateway API v1.2.1 only', () => {
  const linkerd218 = MeshProvider.linkerd({ version: LinkerdVersion.V2_18 });

  test('its HTTPRoute has no rules[].name (v1.4) and no RequestMirror percent (v1.3)', () => {
    const route = one(canary(linkerd218), 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.rules.map((r: any) => Object.keys(r).sort())).toEqual([['backendRefs', 'matches'], ['backendRefs']]);
    expect(JSON.stringify(route)).not.toMatch(/"percent"/);
  });

  itValidates('it passes Linkerd 2.18 with Gateway API v1.2.1 (standard), and the same route with a rule name does not', () => {
    const out = canary(linkerd218, undefined, Duration.seconds(5));
    const target = { profiles: ['linkerd@edge-25.4.4', 'gateway-api@v1.2.1'], channel: 'standard' as const };
    expectValid({ 'linkerd-2-18': out }, { 'linkerd-2-18': target });
    // what the renderer used to emit: rejected by the cluster it targets
    const named = JSON.parse(JSON.stringify(out));
    one(named, 'HTTPRoute').spec.rules[0].name = 'canary-match';
    const result = validate({ named }, { named: target });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/HTTPRoute\/reviews .*\/spec\/rules\/0.*name/);
  });

  test('mirroring a percentage is a capability error on Linkerd (no mirroring at all)', () => {
    expect(() => canary(linkerd218, 20)).toThrow(/cannot express/);
  });
});

describe('Gateway API releases: a feature the target lacks names the release that adds it', () => {
  test('mirror percent on Istio 1.24 (Gateway API v1.2.1 standard) is an error naming v1.3', () => {
    const istio124 = MeshProvider.istio({ istioVersion: IstioVersion.V1_24, routingApi: IstioRoutingApi.GATEWAY_API });
    expect(() => canary(istio124, 20)).toThrow(/cannot express mirroring 20% of requests \(RequestMirror percent, in Gateway API v1\.3 .*the target is Gateway API v1\.2 \(standard channel\)/);
  });

  test('mirroring every request needs no percent and works on any release', () => {
    const istio124 = MeshProvider.istio({ istioVersion: IstioVersion.V1_24, routingApi: IstioRoutingApi.GATEWAY_API });
    const filter = one(canary(istio124, 100), 'HTTPRoute').spec.rules[1].filters[0];
    expect(filter).toEqual({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 9080 } } });
  });

  test('Gateway API v1.3 has percent, not rule names; v1.4 has both', () => {
    const v13 = one(canary(MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_3 }), 20), 'HTTPRoute');
    expect(v13.spec.rules[1].filters[0].requestMirror.percent).toBe(20);
    expect(v13.spec.rules.map((r: any) => r.name)).toEqual([undefined, undefined]);
    const v14 = one(canary(MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.of('v1.4.1') }), 20), 'HTTPRoute');
    expect(v14.spec.rules.map((r: any) => r.name)).toEqual(['canary-match', 'canary-split']);
  });

  test('rule names come with the experimental channel from v1.2', () => {
    const route = one(canary(MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_2, experimentalChannel: true })), 'HTTPRoute');
    expect(route.spec.rules.map((r: any) => r.name)).toEqual(['canary-match', 'canary-split']);
  });

  test('a timeout before v1.2 (standard) is an error naming v1.2', () => {
    expect(() => canary(MeshProvider.gatewayApi({ gatewayApiBundle: GatewayApiBundle.V1_1 }), undefined, Duration.seconds(3)))
      .toThrow(/cannot express a request timeout \(HTTPRoute rules\[\]\.timeouts, in Gateway API v1\.2 \(experimental channel: v1\.0\)\)/);
  });

  test('GatewayApiBundle.of rejects what is not a v1 release', () => {
    expect(() => GatewayApiBundle.of('0.7.1')).toThrow(/must be a Gateway API v1 release/);
    expect(GatewayApiBundle.of('1.5').version).toBe('v1.5');
  });
});

describe('TLS passthrough emits the TLSRoute the targeted Istio watches', () => {
  const gammaOn = (version: IstioVersion, extra: { gatewayApiBundle?: GatewayApiBundle; experimentalChannel?: boolean } = {}) =>
    MeshProvider.istio({ istioVersion: version, routingApi: IstioRoutingApi.GATEWAY_API, ...extra });

  test('Istio 1.24 through its own API: a PASSTHROUGH Gateway server and a VirtualService tls route', () => {
    const out = passthrough(MeshProvider.istio({ istioVersion: IstioVersion.V1_24 }));
    expect(one(out, 'Gateway').apiVersion).toBe('networking.istio.io/v1');
    expect(one(out, 'Gateway').spec.servers[0].tls).toEqual({ mode: 'PASSTHROUGH' });
    expect(one(out, 'VirtualService').spec.tls).toHaveLength(1);
    expect(ofKind(out, 'TLSRoute')).toEqual([]);
  });

  itValidates('Istio 1.24 through Gateway API (experimental channel): TLSRoute v1alpha2, valid against Istio 1.24.6 + Gateway API v1.2.1', () => {
    const out = passthrough(gammaOn(IstioVersion.V1_24, { experimentalChannel: true }));
    expect(one(out, 'TLSRoute').apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
    expectValid({ 'istio-1-24-tls': out }, { 'istio-1-24-tls': { profiles: ['istio@1.24.6', 'gateway-api@v1.2.1'], channel: 'experimental' } });
    // TLSRoute v1 does not exist there
    const v1 = JSON.parse(JSON.stringify(out));
    one(v1, 'TLSRoute').apiVersion = 'gateway.networking.k8s.io/v1';
    expect(validate({ v1 }, { v1: { profiles: ['istio@1.24.6', 'gateway-api@v1.2.1'], channel: 'experimental' } }).ok).toBe(false);
  });

  test('Istio 1.24 on the standard channel cannot: TLSRoute is experimental before v1.5', () => {
    expect(() => passthrough(gammaOn(IstioVersion.V1_24))).toThrow(/cannot express TLS passthrough \(TLSRoute\) on Gateway API v1\.2 \(standard channel\); Istio 1\.24 watches TLSRoute v1alpha2/);
  });

  test('Istio 1.28 ignores TLSRoute CRDs newer than v1.4.1', () => {
    expect(() => passthrough(gammaOn(IstioVersion.V1_28, { gatewayApiBundle: GatewayApiBundle.V1_5, experimentalChannel: true })))
      .toThrow(/Istio 1\.28 ignores TLSRoute CRDs newer than v1\.4\.1/);
  });

  itValidates('Istio 1.30 and later: TLSRoute v1 on Gateway API v1.5 or later', () => {
    const out = passthrough(gammaOn(IstioVersion.V1_31));
    expect(one(out, 'TLSRoute').apiVersion).toBe('gateway.networking.k8s.io/v1');
    expectValid({ 'istio-1-31-tls': out });
    expect(() => passthrough(gammaOn(IstioVersion.V1_30, { gatewayApiBundle: GatewayApiBundle.V1_4, experimentalChannel: true })))
      .toThrow(/Istio 1\.30 watches TLSRoute v1 only, which Gateway API v1\.5 adds/);
  });
});

describe('defaults follow the newest releases; MeshInstall passes the releases it installs', () => {
  test('MeshProvider defaults: Istio 1.31 with Gateway API v1.6, Linkerd 2.20 with v1.2 (what it honours), Gateway API v1.6', () => {
    expect(MeshProvider.istio()._renderers.target).toMatchObject({ istio: 31, gatewayApi: 6, gatewayApiChannel: 'standard' });
    expect(MeshProvider.linkerd()._renderers.target).toMatchObject({ linkerd: 20, gatewayApi: 2, gatewayApiChannel: 'standard' });
    expect(MeshProvider.gatewayApi()._renderers.target).toEqual({ gatewayApi: 6, gatewayApiChannel: 'standard' });
    expect(MeshProvider.linkerd({ version: LinkerdVersion.V2_17 })._renderers.target).toMatchObject({ linkerd: 17, gatewayApi: 1, gatewayApiChannel: 'experimental' });
  });

  const installed = (o: IstioControlPlaneOptions) => {
    const c = chart();
    return new MeshInstall(c, 'mesh', { controlPlane: MeshControlPlane.istio(o), method: InstallMethod.flux() }).provider._renderers.target;
  };

  test('an Istio install targets the release it installs (the oldest revision when several run)', () => {
    expect(installed({ version: '1.24.6' }).istio).toBe(24);
    expect(installed({ revisions: [{ name: 'old', version: '1.26.8' }, { name: 'new', version: '1.28.10' }] }).istio).toBe(26);
    expect(installed({}).istio).toBe(30);
    expect(() => installed({ version: '1.18.3' })).toThrow(/'version' \("1\.18\.3"\) must be an Istio release from 1\.20 on/);
    expect(() => installed({ version: '1.24.6', istioVersion: IstioVersion.V1_28 })).toThrow(/'istioVersion' \("1\.28"\) must be unset: MeshInstall targets the release it installs/);
  });

  test('an Istio 1.24 install routes with what Istio 1.24 reads', () => {
    const c = chart('bookinfo');
    const install = new MeshInstall(c, 'mesh', {
      controlPlane: MeshControlPlane.istio({ version: '1.24.6', routingApi: IstioRoutingApi.GATEWAY_API }),
      method: InstallMethod.flux(),
    });
    new CanaryRelease(c, 'reviews', {
      mesh: install,
      serviceName: 'reviews',
      port: 9080,
      steps: [10, 100],
      currentStep: 0,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'r:1' }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'r:2' }),
    });
    const route = ofKind(Testing.synth(c), 'HTTPRoute').find(r => r.metadata.name === 'reviews');
    expect(route.spec.rules.map((r: any) => r.name)).toEqual([undefined]);
  });

  const linkerdInstall = (chartVersion: string, version?: LinkerdVersion) => {
    const c = chart();
    return new MeshInstall(c, 'mesh', {
      controlPlane: MeshControlPlane.linkerd({ chartVersion, version, trustAnchor: TrustAnchor.fromSecret({ name: 'anchor' }) }),
      method: InstallMethod.flux(),
    }).provider._renderers.target;
  };

  test('a Linkerd install targets the release of its edge chart', () => {
    expect(linkerdInstall('2025.4.4').linkerd).toBe(18);
    expect(linkerdInstall('2025.6.1').linkerd).toBe(18);
    expect(linkerdInstall('2026.6.3').linkerd).toBe(20);
    expect(linkerdInstall('2024.11.8').linkerd).toBe(17);
    expect(() => linkerdInstall('2025.4.4', LinkerdVersion.V2_20)).toThrow(/'version' \("2\.20"\) must be at most 2\.18, the release chart 2025\.4\.4 corresponds to/);
  });
});
