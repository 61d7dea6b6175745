/**
 * Issue 12, item 1: Istio's own Gateway reads TLS Secrets where its workload runs.
 *
 * istio/istio pilot/pkg/model/credentials: a server's `credentialName` without a namespace is
 * resolved in the namespace of the gateway *workload* (the ingress gateway pods), not of the
 * Gateway object; analyzer IST0161 InvalidGatewayCredential flags a Secret it cannot find.
 * istio.io/latest/docs/ops/integrations/certmanager/: the Certificate must be created in the same
 * namespace as the istio-ingressgateway deployment.
 */
import { Testing } from 'cdk8s';
import {
  GatewayListener, IngressGateway, InstallMethod, IstioRoutingApi, Mesh, MeshControlPlane, MeshInstall, MeshProvider, TlsCertificate,
} from '../../src';
import { chart, one } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const listeners = (certificate: TlsCertificate) => [
  GatewayListener.http({ redirectToHttps: true }),
  GatewayListener.https({ hostname: 'bookinfo.example.com', certificate }),
];
const certManager = () => TlsCertificate.certManager({ secretName: 'bookinfo-tls', issuerName: 'letsencrypt' });

describe('Istio ingress TLS lives beside the gateway workload (item 1)', () => {
  test('MeshInstall\'s ingress gateway: the Certificate goes to istio-ingress, credentialName names its Secret', () => {
    const c = chart('bookinfo');
    const mesh = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux() });
    new IngressGateway(c, 'gw', { mesh, listeners: listeners(certManager()) });
    const out = Testing.synth(c);
    const cert = one(out, 'Certificate');
    expect(cert.metadata).toEqual({ name: 'bookinfo-tls', namespace: 'istio-ingress' });
    expect(cert.spec.secretName).toBe('bookinfo-tls');
    const release = out.find(m => m.kind === 'HelmRelease' && m.spec.chart.spec.chart === 'gateway');
    expect(release.spec.targetNamespace ?? release.metadata.namespace).toBe('istio-ingress');
    const gateway = one(out, 'Gateway');
    expect(gateway.metadata.namespace).toBe('bookinfo');
    expect(gateway.spec.servers[1].tls).toEqual({ mode: 'SIMPLE', credentialName: 'bookinfo-tls' });
  });

  test('a mesh installed elsewhere: istio-system (istioctl\'s default), or istioGatewayNamespace', () => {
    const mesh = Mesh.fromAttributes({ provider: MeshProvider.istio() });
    const c = chart('bookinfo');
    new IngressGateway(c, 'gw', { mesh, listeners: listeners(certManager()) });
    expect(one(Testing.synth(c), 'Certificate').metadata.namespace).toBe('istio-system');
    const own = chart('bookinfo');
    new IngressGateway(own, 'gw', { mesh, listeners: listeners(certManager()), istioGatewayNamespace: 'edge' });
    expect(one(Testing.synth(own), 'Certificate').metadata.namespace).toBe('edge');
  });

  test('a Secret in another namespace than the gateway workload\'s is an error', () => {
    expect(() => new IngressGateway(chart('bookinfo'), 'gw', {
      mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }),
      listeners: listeners(TlsCertificate.fromSecret('bookinfo-tls', { namespace: 'bookinfo' })),
    })).toThrow(/test\/gw: Istio \(networking.istio.io\/v1 Gateway\) cannot express listener 'https' taking its certificate Secret from namespace 'bookinfo'; Istio reads credentialName in the namespace of the gateway workload \('istio-system'\)/);
    expect(() => new IngressGateway(chart('bookinfo'), 'gw', {
      mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }), istioGatewayNamespace: 'INVALID', listeners: listeners(certManager()),
    })).toThrow(/'istioGatewayNamespace' \("INVALID"\) must be/);
  });

  test('Gateway API keeps the Certificate beside the Gateway: the gateway is deployed in its namespace', () => {
    // gateway-api apis/v1/gateway_types.go GatewayTLSConfig.certificateRefs: a reference to
    // another namespace needs a ReferenceGrant; by default the Secret is in the Gateway's namespace.
    const c = chart('bookinfo');
    new IngressGateway(c, 'gw', { mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }) }), listeners: listeners(certManager()) });
    expect(one(Testing.synth(c), 'Certificate').metadata.namespace).toBe('bookinfo');
  });

  itValidates('passes the schemas', () => {
    const c = chart('bookinfo');
    const mesh = new MeshInstall(c, 'Mesh', { controlPlane: MeshControlPlane.istio(), method: InstallMethod.flux() });
    new IngressGateway(c, 'gw', { mesh, listeners: listeners(certManager()) });
    expectValid({ istio: Testing.synth(c) });
  });
});
