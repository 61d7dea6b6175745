/**
 * Progressive delivery, one release spec three ways: the bookinfo reviews release v1 → v2 in
 * steps [5, 25, 50, 100] with the same analysis (success rate ≥ 99 %, P99 ≤ 500 ms, every minute,
 * rollback after 5 failed checks), as a Flagger Canary and as an Argo Rollout, on Istio and on
 * Linkerd (Gateway API routing), with the host's retries, timeout and circuit breaker kept where
 * each controller keeps them. Static steps (the default) are the other examples.
 */
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryRelease, CanaryVersion, CircuitBreaker, Delivery, DeliveryAnalysis, HttpRetryOn, IMesh, Mesh, MeshCluster, MeshProvider, RoutePolicy } from 'cdk8s-mesh';

// The reviews image (Open Liberty) writes its server output, logs and temp files.
const REVIEWS_WRITABLE = ['/opt/ol/wlp/output', '/logs', '/tmp'];

const ANALYSIS: DeliveryAnalysis = { interval: Duration.minutes(1), threshold: 5, successRate: 99, maxRequestDuration: Duration.millis(500) };

interface ReleaseProps extends ChartProps {
  readonly mesh: IMesh;
  readonly delivery: Delivery;
}

class Reviews extends Chart {
  constructor(scope: Construct, id: string, props: ReleaseProps) {
    super(scope, id, props);
    const reviews = new CanaryRelease(this, 'reviews', {
      mesh: props.mesh,
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3', writableDirectories: REVIEWS_WRITABLE }),
      steps: [5, 25, 50, 100],
      delivery: props.delivery,
    });
    new RoutePolicy(this, 'reviews-retries', {
      host: reviews,
      timeout: Duration.seconds(10),
      retries: { attempts: 3, retryOn: [HttpRetryOn.GATEWAY_ERROR] },
    });
    new CircuitBreaker(this, 'reviews-breaker', { host: reviews, outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30) } });
  }
}

const app = new App();
const istio = Mesh.fromAttributes({ provider: MeshProvider.istio() });
const linkerd = Mesh.fromAttributes({ provider: MeshProvider.linkerd() });
new Reviews(app, 'flagger-istio', { namespace: 'bookinfo', mesh: istio, delivery: Delivery.flagger({ analysis: ANALYSIS }) });
new Reviews(app, 'flagger-linkerd', { namespace: 'bookinfo', mesh: linkerd, delivery: Delivery.flagger({ analysis: ANALYSIS }) });
new Reviews(app, 'argo-rollouts-istio', { namespace: 'bookinfo', mesh: istio, delivery: Delivery.argoRollouts({ analysis: ANALYSIS }) });
new Reviews(app, 'argo-rollouts-linkerd', { namespace: 'bookinfo', mesh: linkerd, delivery: Delivery.argoRollouts({ analysis: ANALYSIS }) });
// Each chart is the same release for another mesh or controller: a cluster of its own.
for (const chart of app.charts) MeshCluster.assign(chart, chart.node.id);
app.synth();
