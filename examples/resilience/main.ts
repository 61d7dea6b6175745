/**
 * Resilience on one host, on Istio and on Linkerd: the seeds' reviews canary with a circuit
 * breaker and retries (one DestinationRule and one VirtualService on Istio; failure accrual on the
 * reviews Service and retry annotations on the HTTPRoute on Linkerd), and the seeds' fault
 * injection for ratings (Istio only: Linkerd has none).
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CanaryRelease, CanaryVersion, CircuitBreaker, HttpRetryOn, IMesh, LoadBalancer, Mesh, MeshCluster, MeshProvider, MeshWorkload,
  RequestMatch, RoutePolicy, ServiceHost,
} from 'cdk8s-mesh';

// The reviews image (Open Liberty) writes its server output, logs and temp files: emptyDirs there
// keep the root filesystem read-only, as Istio's bookinfo.yaml mounts them.
const REVIEWS_WRITABLE = ['/opt/ol/wlp/output', '/logs', '/tmp'];

interface ShopProps extends ChartProps {
  readonly mesh: IMesh;
  readonly istio: boolean;
}

class Resilience extends Chart {
  constructor(scope: Construct, id: string, props: ShopProps) {
    super(scope, id, props);
    const reviews = new CanaryRelease(this, 'reviews', {
      mesh: props.mesh,
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      steps: [10, 25, 50, 100],
      currentStep: 1,
      canaryMatches: [RequestMatch.header('end-user', 'jason')],
    });
    new CircuitBreaker(this, 'reviews-breaker', props.istio ? {
      host: reviews,
      connectionPool: { maxConnections: 100, http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 },
      outlierDetection: {
        consecutive5xxErrors: 5, interval: Duration.seconds(30), baseEjectionTime: Duration.seconds(30), maxEjectionPercent: 50, minHealthPercent: 40,
      },
      loadBalancer: LoadBalancer.leastRequest(),
    } : {
      host: reviews,
      outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30), maxEjectionTime: Duration.minutes(5) },
    });
    new RoutePolicy(this, 'reviews-retries', {
      host: reviews,
      timeout: Duration.seconds(10),
      retries: { attempts: 3, perTryTimeout: Duration.seconds(3), retryOn: [HttpRetryOn.GATEWAY_ERROR], retryNonIdempotent: true },
    });

    if (props.istio) {
      new MeshWorkload(this, 'ratings', { mesh: props.mesh, serviceName: 'ratings', version: 'v1', image: 'docker.io/istio/examples-bookinfo-ratings-v1:1.20.3', port: 9080 });
      const ratings = ServiceHost.fromAttributes({ mesh: props.mesh, serviceName: 'ratings', port: 9080 });
      new RoutePolicy(this, 'test-delay', { host: ratings, matches: [RequestMatch.header('test-delay', 'true')], fault: { delay: { fixedDelay: Duration.millis(500), percent: 10 } } });
      new RoutePolicy(this, 'test-error', { host: ratings, matches: [RequestMatch.header('test-error', 'true')], fault: { abort: { httpStatus: 503, percent: 5 } } });
    }
  }
}

const app = new App();
new Resilience(app, 'resilience-istio', { namespace: 'bookinfo', mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }), istio: true });
new Resilience(app, 'resilience-linkerd', { namespace: 'bookinfo', mesh: Mesh.fromAttributes({ provider: MeshProvider.linkerd() }), istio: false });
// Each chart renders the example for another mesh or setup: a cluster of its own, so the charts
// may repeat each other's objects (one owner per object holds within a cluster).
for (const chart of app.charts) if (chart.node.scope === app) MeshCluster.assign(chart, chart.node.id); // nested charts follow their parent
app.synth();
