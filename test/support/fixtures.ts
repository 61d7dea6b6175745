import { Chart, Duration, Testing } from 'cdk8s';
import {
  AllowedRoutes, CanaryRelease, CanaryReleaseProps, CanaryVersion, GatewayApiVersion, GatewayBackend, GatewayImplementation, GatewayListener,
  GatewayRoute, IngressGateway, IstioApiVersion, IstioRoutingApi, Mesh, MeshProvider, PathMatch, RequestMatch, TlsCertificate,
} from '../../src';

/**
 * The provider matrix: every provider configuration the library supports. Adding a provider
 * means adding a row here.
 */
export const PROVIDERS: Record<string, () => MeshProvider> = {
  'istio': () => MeshProvider.istio(),
  'istio-v1beta1': () => MeshProvider.istio({ apiVersion: IstioApiVersion.V1BETA1 }),
  'istio-revision': () => MeshProvider.istio({ revision: '1-24-0' }),
  'istio-gateway-api': () => MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }),
  'gateway-api': () => MeshProvider.gatewayApi(),
  'gateway-api-v1beta1': () => MeshProvider.gatewayApi({ apiVersion: GatewayApiVersion.V1BETA1 }),
};

export function meshOf(provider: string) {
  return Mesh.fromAttributes({ provider: PROVIDERS[provider]() });
}

/** The seeds' bookinfo `reviews` canary (v1 90 %, v2 10 %, `end-user: jason` to v2). */
export function reviewsCanary(provider: string, overrides: Partial<CanaryReleaseProps> = {}): CanaryReleaseProps {
  return {
    mesh: meshOf(provider),
    serviceName: 'reviews',
    port: 9080,
    stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
    canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
    steps: [10, 25, 50, 100],
    currentStep: 0,
    canaryMatches: [RequestMatch.header('end-user', 'jason')],
    ...overrides,
  };
}

export function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

export function ofKind(manifests: any[], kind: string): any[] {
  return manifests.filter(m => m.kind === kind);
}

export function one(manifests: any[], kind: string, name?: string): any {
  const found = ofKind(manifests, kind).filter(m => name === undefined || m.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

/**
 * The seeds' bookinfo ingress, written once for every provider: an HTTP listener that
 * redirects, an HTTPS listener with a cert-manager certificate, the productpage paths, the
 * reviews canary split at the gateway, a rewrite, header changes and a timeout.
 */
export function bookinfoIngress(c: Chart, provider: string): void {
  const mesh = meshOf(provider);
  const reviews = new CanaryRelease(c, 'reviews', reviewsCanary(provider));
  const gateway = new IngressGateway(c, 'bookinfo-gateway', {
    mesh,
    implementation: GatewayImplementation.istio(),
    allowedRoutes: AllowedRoutes.allNamespaces(),
    listeners: [
      GatewayListener.http({ redirectToHttps: true }),
      GatewayListener.https({
        hostname: 'bookinfo.example.com',
        certificate: TlsCertificate.certManager({ secretName: 'bookinfo-tls', issuerName: 'letsencrypt' }),
      }),
    ],
  });
  new GatewayRoute(c, 'bookinfo', {
    gateway,
    hostnames: ['bookinfo.example.com'],
    rules: [
      {
        name: 'productpage',
        matches: ['/productpage', '/login', '/logout'].map(p => RequestMatch.of({ path: PathMatch.exact(p) }))
          .concat(['/static', '/api/v1/products'].map(p => RequestMatch.pathPrefix(p))),
        backends: [GatewayBackend.service('productpage', 9080)],
        timeout: Duration.seconds(15),
      },
      {
        name: 'reviews',
        matches: [RequestMatch.pathPrefix('/reviews')],
        rewrite: { pathPrefix: '/' },
        requestHeaders: { set: { 'x-forwarded-by': 'bookinfo-gateway' } },
        responseHeaders: { remove: ['server'] },
        backends: [GatewayBackend.canary(reviews)],
      },
    ],
  });
}
