/**
 * Routing a platform team recognises, with TrafficRoutes, on Istio and on Linkerd (Gateway API
 * routing):
 * - catalog: an A/B test across three versions. Group B (a header) gets v2, the new `/api/v3`
 *   paths go to v3 with a response header saying so, beta testers (a cookie) split between v2
 *   and v3, and everyone else stays on v1; one timeout and retry policy covers every route.
 * - search: a dark launch (Istio): every request is answered by v1, and a copy of each goes to v2,
 *   whose responses are discarded. Linkerd has no mirroring, so there v2 is deployed at 0 %.
 * - pricing: a gRPC service. Calls to the new `Quote` method of `pricing.v1.Pricing` go to v2, the
 *   rest stay on v1 (Istio: a VirtualService on the gRPC path; Linkerd: a GRPCRoute).
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CanaryVersion, HttpRetryOn, IMesh, Mesh, MeshCluster, MeshProvider, PathMatch, RequestMatch,
  RouteDestination, RoutePolicy, ServiceProtocol, TrafficRoutes,
} from 'cdk8s-mesh';

interface StorefrontProps extends ChartProps {
  readonly mesh: IMesh;
  /** whether the mesh mirrors requests (Istio does, Linkerd does not) */
  readonly mirroring: boolean;
}

const image = (service: string, version: string) => `registry.example.com/storefront/${service}:${version}`;

class Storefront extends Chart {
  constructor(scope: Construct, id: string, props: StorefrontProps) {
    super(scope, id, props);
    const catalog = new TrafficRoutes(this, 'catalog', {
      mesh: props.mesh,
      serviceName: 'catalog',
      port: 8080,
      versions: ['v1', 'v2', 'v3'].map(v => CanaryVersion.deploy({ name: v, image: image('catalog', v), replicas: v === 'v1' ? 3 : 1 })),
      rules: [
        { name: 'group-b', matches: [RequestMatch.header('x-ab-group', 'b')], destination: RouteDestination.version('v2') },
        {
          name: 'api-v3',
          matches: [RequestMatch.of({ path: PathMatch.prefix('/api/v3') })],
          destination: RouteDestination.version('v3'),
          responseHeaders: { set: { 'x-catalog-version': 'v3' } },
        },
        {
          name: 'beta',
          matches: [RequestMatch.cookie('beta', 'true')],
          destination: RouteDestination.weighted([{ version: 'v2', weight: 50 }, { version: 'v3', weight: 50 }]),
        },
      ],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
    // One timeout and retry policy for every route of the host (Linkerd's retry annotations cover
    // the whole HTTPRoute, so per-rule retries would differ there). The catalog is read-only.
    new RoutePolicy(this, 'catalog-resilience', {
      host: catalog,
      timeout: Duration.seconds(10),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.GATEWAY_ERROR], retryNonIdempotent: true },
    });

    new TrafficRoutes(this, 'search', {
      mesh: props.mesh,
      serviceName: 'search',
      port: 8080,
      versions: ['v1', 'v2'].map(v => CanaryVersion.deploy({ name: v, image: image('search', v) })),
      defaultRoute: props.mirroring
        ? { destination: RouteDestination.version('v1'), mirror: { version: 'v2', percent: 100 } }
        : { destination: RouteDestination.weighted([{ version: 'v1', weight: 100 }, { version: 'v2', weight: 0 }]) },
    });

    new TrafficRoutes(this, 'pricing', {
      mesh: props.mesh,
      serviceName: 'pricing',
      port: 50051,
      protocol: ServiceProtocol.GRPC,
      versions: ['v1', 'v2'].map(v => CanaryVersion.deploy({ name: v, image: image('pricing', v) })),
      rules: [{ name: 'quote', matches: [RequestMatch.grpcMethod('pricing.v1.Pricing', 'Quote')], destination: RouteDestination.version('v2') }],
      defaultRoute: { destination: RouteDestination.version('v1') },
    });
  }
}

const app = new App();
new Storefront(app, 'storefront-istio', { namespace: 'storefront', mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }), mirroring: true });
new Storefront(app, 'storefront-linkerd', { namespace: 'storefront', mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd() }), mirroring: false });
// Each chart is the example for another mesh: a cluster of its own.
for (const chart of app.charts) if (chart.node.scope === app) MeshCluster.assign(chart, chart.node.id);
app.synth();
