/**
 * The seeds' bookinfo `reviews` canary: v1 gets 90 %, v2 10 %, and the test user `jason`
 * (header `end-user: jason`) always sees v2. One chart per provider, same code; Linkerd with
 * each of its routing APIs. SMI cannot route by header, so there the canary is weights only, and
 * the seeds' ServiceProfile routes (per-route timeouts, a retry budget) come along.
 *
 * Each chart's release also writes its rollout plan, for review before the rollout starts:
 * dist/rollout-plans/bookinfo-<chart>-reviews.md (every step's weights as a table and a Mermaid
 * flowchart, then every step's routing objects). Moving on is `currentStep: 1`.
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CanaryRelease, CanaryVersion, HttpMethod, IMesh, IstioRoutingApi, LinkerdRoutingApi, LinkerdVersion, Mesh, MeshCluster, MeshProvider,
  PathMatch, RequestMatch, RoutePolicy,
} from 'cdk8s-mesh';

// The reviews image (Open Liberty) writes its server output, logs and temp files: emptyDirs there
// keep the root filesystem read-only, as Istio's bookinfo.yaml mounts them.
const REVIEWS_WRITABLE = ['/opt/ol/wlp/output', '/logs', '/tmp'];

interface BookinfoProps extends ChartProps {
  readonly mesh: IMesh;
  /** whether the routing API can send `end-user: jason` to v2 (all but SMI) */
  readonly headerRouting?: boolean;
  /** the seeds' per-route policies for reviews: GET with a 5s timeout and retries, POST with 10s */
  readonly routePolicies?: boolean;
}

class Bookinfo extends Chart {
  constructor(scope: Construct, id: string, props: BookinfoProps) {
    super(scope, id, props);
    const reviews = new CanaryRelease(this, 'reviews', {
      mesh: props.mesh,
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      steps: [10, 25, 50, 100],
      currentStep: 0,
      canaryMatches: props.headerRouting === false ? undefined : [RequestMatch.header('end-user', 'jason')],
    });
    if (props.routePolicies) {
      new RoutePolicy(this, 'get-review', {
        host: reviews,
        description: 'GET /reviews/{id}',
        matches: [RequestMatch.of({ method: HttpMethod.GET, path: PathMatch.regex('/reviews/[^/]*') })],
        timeout: Duration.seconds(5),
        retries: { budget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: Duration.seconds(10) } },
      });
      new RoutePolicy(this, 'post-review', {
        host: reviews,
        description: 'POST /reviews',
        matches: [RequestMatch.of({ method: HttpMethod.POST, path: PathMatch.exact('/reviews') })],
        timeout: Duration.seconds(10),
      });
    }
  }
}

const mesh = (provider: MeshProvider) => Mesh.fromAttributes({ provider });
const app = new App();
new Bookinfo(app, 'bookinfo-istio', { namespace: 'bookinfo', mesh: mesh(MeshProvider.istio()) });
new Bookinfo(app, 'bookinfo-istio-gateway-api', {
  namespace: 'bookinfo',
  mesh: mesh(MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API })),
});
new Bookinfo(app, 'bookinfo-gateway-api', { namespace: 'bookinfo', mesh: mesh(MeshProvider.gatewayApi()) });
new Bookinfo(app, 'bookinfo-linkerd', { namespace: 'bookinfo', mesh: mesh(MeshProvider.linkerd()) });
new Bookinfo(app, 'bookinfo-linkerd-2-15', {
  namespace: 'bookinfo',
  mesh: mesh(MeshProvider.linkerd({ version: LinkerdVersion.V2_15 })),
});
new Bookinfo(app, 'bookinfo-linkerd-policy', {
  namespace: 'bookinfo',
  mesh: mesh(MeshProvider.linkerd({ routingApi: LinkerdRoutingApi.POLICY })),
});
new Bookinfo(app, 'bookinfo-linkerd-smi', {
  namespace: 'bookinfo',
  mesh: mesh(MeshProvider.linkerd({ version: LinkerdVersion.V2_14, routingApi: LinkerdRoutingApi.SMI })),
  headerRouting: false,
  routePolicies: true,
});
// Each chart renders the example for another mesh or setup: a cluster of its own, so the charts
// may repeat each other's objects (one owner per object holds within a cluster).
for (const chart of app.charts) if (chart.node.scope === app) MeshCluster.assign(chart, chart.node.id); // nested charts follow their parent
app.synth();
