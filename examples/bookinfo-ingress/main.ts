/**
 * The seeds' bookinfo ingress, on Istio's own API (Gateway + VirtualService) and on Gateway API
 * (HTTPS Gateway + HTTPRoute), from one chart class: HTTP redirected to HTTPS, TLS terminated with
 * a certificate cert-manager issues, the productpage paths, and `/reviews` split 90/10 at the
 * gateway between the versions of the reviews canary.
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AllowedRoutes, CanaryRelease, CanaryVersion, GatewayBackend, GatewayImplementation, GatewayListener, GatewayRoute, IMesh, IngressGateway,
  IstioRoutingApi, Mesh, MeshCluster, MeshProvider, PathMatch, RequestMatch, TlsCertificate,
} from 'cdk8s-mesh';

// The reviews image (Open Liberty) writes its server output, logs and temp files: emptyDirs there
// keep the root filesystem read-only, as Istio's bookinfo.yaml mounts them.
const REVIEWS_WRITABLE = ['/opt/ol/wlp/output', '/logs', '/tmp'];

interface BookinfoIngressProps extends ChartProps {
  readonly mesh: IMesh;
}

class BookinfoIngress extends Chart {
  constructor(scope: Construct, id: string, props: BookinfoIngressProps) {
    super(scope, id, props);
    const reviews = new CanaryRelease(this, 'reviews', {
      mesh: props.mesh,
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      steps: [10, 25, 50, 100],
      currentStep: 0,
    });

    const gateway = new IngressGateway(this, 'bookinfo-gateway', {
      mesh: props.mesh,
      // Gateway API: Istio's `istio` GatewayClass; Istio's own API: the istio-ingressgateway pods.
      implementation: GatewayImplementation.istio(),
      allowedRoutes: AllowedRoutes.sameNamespace(),
      listeners: [
        GatewayListener.http({ redirectToHttps: true }),
        GatewayListener.https({
          hostname: 'bookinfo.example.com',
          certificate: TlsCertificate.certManager({ secretName: 'bookinfo-tls', issuerName: 'letsencrypt' }),
        }),
      ],
    });

    new GatewayRoute(this, 'bookinfo', {
      gateway,
      hostnames: ['bookinfo.example.com'],
      rules: [
        {
          name: 'productpage',
          matches: [
            RequestMatch.of({ path: PathMatch.exact('/productpage') }),
            RequestMatch.of({ path: PathMatch.prefix('/static') }),
            RequestMatch.of({ path: PathMatch.exact('/login') }),
            RequestMatch.of({ path: PathMatch.exact('/logout') }),
            RequestMatch.of({ path: PathMatch.prefix('/api/v1/products') }),
          ],
          backends: [GatewayBackend.service('productpage', 9080)],
          timeout: Duration.seconds(15),
        },
        {
          name: 'reviews',
          matches: [RequestMatch.pathPrefix('/reviews')],
          backends: [GatewayBackend.canary(reviews)],
          responseHeaders: { remove: ['server'] },
        },
      ],
    });
  }
}

const app = new App();
new BookinfoIngress(app, 'bookinfo-ingress-istio', {
  namespace: 'bookinfo',
  mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }),
});
new BookinfoIngress(app, 'bookinfo-ingress-gateway-api', {
  namespace: 'bookinfo',
  mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }) }),
});
// Each chart renders the example for another mesh or setup: a cluster of its own, so the charts
// may repeat each other's objects (one owner per object holds within a cluster).
for (const chart of app.charts) if (chart.node.scope === app) MeshCluster.assign(chart, chart.node.id); // nested charts follow their parent
app.synth();
