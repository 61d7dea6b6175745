/**
 * The mesh analyzer as a cdk8s validation plugin (cdk8s.yaml `validations:`): `cdk8s synth` runs
 * it on the whole output, across charts and whoever wrote the YAML. The bookinfo canary is one
 * chart; with SEED_MISTAKE=1 another team's hand-written VirtualService (a chart without any
 * construct of this library, so the synth-time analyzer never sees it) routes to a subset `v3`
 * that the canary's DestinationRule does not define: the plugin reports KIA1107 and synth fails.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { CanaryRelease, CanaryVersion, Mesh, MeshProvider, RequestMatch } from '../../src';

const app = new App({ outdir: process.env.CDK8S_OUTDIR ?? 'dist' });

const bookinfo = new Chart(app, 'bookinfo', { namespace: 'bookinfo' });
new CanaryRelease(bookinfo, 'reviews', {
  mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }),
  serviceName: 'reviews',
  port: 9080,
  stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
  canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
  steps: [10, 25, 50, 100],
  currentStep: 0,
  canaryMatches: [RequestMatch.header('end-user', 'jason')],
});

if (process.env.SEED_MISTAKE === '1') {
  const legacy = new Chart(app, 'legacy', { namespace: 'bookinfo' });
  new ApiObject(legacy, 'reviews-beta', {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews-beta' },
    spec: {
      hosts: ['reviews-beta.example.com'],
      gateways: ['istio-ingress/edge'],
      http: [{ route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v3' } }] }],
    },
  });
}

app.synth();
