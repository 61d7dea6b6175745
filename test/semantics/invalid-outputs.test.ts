/**
 * Issue 12, item 12: outputs that passed the schemas' types but not their rules, found by random programs.
 */
import { Testing } from 'cdk8s';
import {
  CanaryRelease, GatewayImplementation, GatewayListener, IngressGateway, InstallMethod, IstioProfile, MeshControlPlane, MeshInstall, TlsCertificate,
} from '../../src';
import { chart, meshOf, one, ofKind, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

describe('a fractional mirror percentage is a fraction (item 12)', () => {
  // gateway-api apis/v1/httproute_types.go HTTPRequestMirrorFilter: `percent` is an int32 (0..100);
  // `fraction` {numerator, denominator} carries the rest.
  for (const provider of ['gateway-api', 'istio-gateway-api']) {
    test(`${provider}: 0.5 % is fraction 5/1000, 25 % stays percent 25`, () => {
      const filter = (mirrorPercent: number) => {
        const c = chart('bookinfo');
        new CanaryRelease(c, 'reviews', reviewsCanary(provider, { mirrorPercent }));
        return one(Testing.synth(c), 'HTTPRoute').spec.rules.flatMap((r: any) => r.filters ?? [])[0].requestMirror;
      };
      const half = filter(0.5);
      expect(half.percent).toBeUndefined();
      expect(half.fraction).toEqual({ numerator: 5, denominator: 1000 });
      expect(filter(12.25).fraction).toEqual({ numerator: 1225, denominator: 10000 });
      expect(filter(25)).toMatchObject({ percent: 25 });
      expect(filter(25).fraction).toBeUndefined();
    });
  }

  itValidates('fractions pass the HTTPRoute schema', () => {
    const c = chart('bookinfo');
    new CanaryRelease(c, 'reviews', reviewsCanary('gateway-api', { mirrorPercent: 0.5 }));
    expectValid({ gamma: Testing.synth(c) });
  });
});

describe('listeners are unique by port, protocol and hostname (item 12)', () => {
  // gateway-api apis/v1/gateway_types.go, CEL on GatewaySpec.listeners: "Combination of port,
  // protocol and hostname must be unique for each listener" (an unset hostname is one value).
  const cert = (secretName: string) => TlsCertificate.fromSecret(secretName);
  for (const provider of ['istio', 'gateway-api']) {
    test(`${provider}: two HTTPS listeners on 443 without hostnames are an error naming both`, () => {
      expect(() => new IngressGateway(chart('web'), 'gw', {
        mesh: meshOf(provider),
        implementation: GatewayImplementation.istio(),
        listeners: [GatewayListener.https({ name: 'a', certificate: cert('a') }), GatewayListener.https({ name: 'b', certificate: cert('b') })],
      })).toThrow("test/gw: 'listeners[1].hostname' (undefined) must be different from listeners[0] ('a'), which has the same port 443 and protocol HTTPS");
    });
  }

  test('the same hostname twice is an error; different hostnames on one port are fine', () => {
    const listeners = (h2: string) => [
      GatewayListener.https({ name: 'a', hostname: 'a.example.com', certificate: cert('a') }),
      GatewayListener.https({ name: 'b', hostname: h2, certificate: cert('b') }),
    ];
    expect(() => new IngressGateway(chart('web'), 'gw', { mesh: meshOf('gateway-api'), implementation: GatewayImplementation.istio(), listeners: listeners('a.example.com') }))
      .toThrow(/'listeners\[1\].hostname' \("a.example.com"\) must be different from listeners\[0\]/);
    const c = chart('web');
    new IngressGateway(c, 'gw', { mesh: meshOf('gateway-api'), implementation: GatewayImplementation.istio(), listeners: listeners('b.example.com') });
    expect(one(Testing.synth(c), 'Gateway').spec.listeners.map((l: any) => l.hostname)).toEqual(['a.example.com', 'b.example.com']);
  });
});

describe('MeshInstall in a namespaced chart (item 12)', () => {
  // Namespaces and Sail's Istio, IstioRevisionTag, IstioCNI and ZTunnel are cluster-scoped
  // (scope: Cluster in their CRDs); a metadata.namespace on them is rejected or misleading.
  test('cluster-scoped objects carry no metadata.namespace', () => {
    const c = chart('istio-system');
    new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, revisions: [{ name: '1-24-0', version: '1.24.0', tags: ['stable'] }] }),
      method: InstallMethod.sail(),
      namespaces: [{ name: 'shop' }],
    });
    const out = Testing.synth(c);
    const clusterScoped = out.filter(m => ['Namespace', 'Istio', 'IstioRevisionTag', 'IstioCNI', 'ZTunnel'].includes(m.kind));
    expect(clusterScoped.map(m => m.kind).sort()).toEqual(['Istio', 'IstioCNI', 'IstioRevisionTag', 'Namespace', 'Namespace', 'ZTunnel']);
    for (const m of clusterScoped) expect(m.metadata.namespace).toBeUndefined();
    expect(ofKind(out, 'Namespace').map(n => n.metadata.name).sort()).toEqual(['istio-system', 'shop']);
  });

  // sailoperator.io/v1 Istio/IstioCNI/ZTunnel spec.version is an enum of the releases the
  // operator serves (v1.21.6, v1.22.5 … v1.30.3; ZTunnel from v1.24.0).
  test('Sail: a version its CRD does not serve is an error', () => {
    const sail = (version: string, profile = IstioProfile.DEFAULT) => new MeshInstall(chart('istio-system'), 'Mesh', {
      controlPlane: MeshControlPlane.istio({ version, profile, ingressGateway: false }), method: InstallMethod.sail(),
    });
    expect(() => sail('1.20.3')).toThrow(/test\/Mesh: 'version' \("1.20.3"\) must be a release the Sail operator serves \(sailoperator.io\/v1 spec.version: 1.21.6, 1.22.5–1.22.8/);
    expect(() => sail('1.22.1')).toThrow(/'version' \("1.22.1"\) must be a release the Sail operator serves/);
    expect(() => sail('1.23.3', IstioProfile.AMBIENT)).toThrow(/'version' \("1.23.3"\) must be .*ZTunnel from 1.24.0/);
    expect(() => sail('1.24.3', IstioProfile.AMBIENT)).not.toThrow();
    expect(() => sail('1.23.3')).not.toThrow();
  });

  itValidates('the Sail objects pass the sailoperator.io schemas', () => {
    const c = chart('istio-system');
    new MeshInstall(c, 'Mesh', {
      controlPlane: MeshControlPlane.istio({ profile: IstioProfile.AMBIENT, revisions: [{ name: '1-24-0', version: '1.24.3', tags: ['stable'] }] }),
      method: InstallMethod.sail(),
      namespaces: [{ name: 'shop' }],
    });
    const g = chart('web');
    new IngressGateway(g, 'gw', {
      mesh: meshOf('gateway-api'),
      implementation: GatewayImplementation.istio(),
      listeners: [
        GatewayListener.https({ name: 'a', hostname: 'a.example.com', certificate: TlsCertificate.fromSecret('a') }),
        GatewayListener.https({ name: 'b', hostname: 'b.example.com', certificate: TlsCertificate.fromSecret('b') }),
      ],
    });
    expectValid({ sail: Testing.synth(c), gateway: Testing.synth(g) });
  });
});
