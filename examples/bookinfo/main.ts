/**
 * The seeds' bookinfo `reviews` canary: v1 gets 90 %, v2 10 %, and the test user `jason`
 * (header `end-user: jason`) always sees v2. One chart per provider, same code.
 */
import { App, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryRelease, CanaryVersion, IMesh, IstioRoutingApi, Mesh, MeshProvider, RequestMatch } from '../../src';

interface BookinfoProps extends ChartProps {
  readonly mesh: IMesh;
}

class Bookinfo extends Chart {
  constructor(scope: Construct, id: string, props: BookinfoProps) {
    super(scope, id, props);
    new CanaryRelease(this, 'reviews', {
      mesh: props.mesh,
      serviceName: 'reviews',
      port: 9080,
      stable: CanaryVersion.deploy({ name: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' }),
      canary: CanaryVersion.deploy({ name: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' }),
      steps: [10, 25, 50, 100],
      currentStep: 0,
      canaryMatches: [RequestMatch.header('end-user', 'jason')],
    });
  }
}

const app = new App();
new Bookinfo(app, 'bookinfo-istio', {
  namespace: 'bookinfo',
  mesh: Mesh.fromAttributes({ provider: MeshProvider.istio() }),
});
new Bookinfo(app, 'bookinfo-istio-gateway-api', {
  namespace: 'bookinfo',
  mesh: Mesh.fromAttributes({ provider: MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }) }),
});
new Bookinfo(app, 'bookinfo-gateway-api', {
  namespace: 'bookinfo',
  mesh: Mesh.fromAttributes({ provider: MeshProvider.gatewayApi() }),
});
app.synth();
