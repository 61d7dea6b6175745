/**
 * Issue 12, item 4: on Istio with Gateway API routing, traffic policy reaches every backend host.
 *
 * istio/istio pilot/pkg/config/kube/gateway (conversion): an HTTPRoute backendRef becomes the
 * destination host `<name>.<namespace>.svc.<domain>`; pilot applies a DestinationRule only to the
 * host it names (networking/core cluster building looks rules up by the cluster's host). So a
 * breaker on `reviews` alone never reaches the `reviews-v1`/`reviews-v2` clusters the route uses.
 */
import { Duration, Testing } from 'cdk8s';
import { CanaryRelease, CircuitBreaker, IstioDataPlaneMode, IstioRoutingApi, Mesh, MeshProvider, RequestMatch } from '../../src';
import { chart, ofKind, reviewsCanary } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const BREAKER = { connectionPool: { maxConnections: 100 }, outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: Duration.seconds(30) } };
const meshes: Record<string, () => Mesh> = {
  'istio-gateway-api': () => Mesh.fromAttributes({ provider: MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }) }) as Mesh,
  'istio-ambient': () => Mesh.fromAttributes({ provider: MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API, dataPlaneMode: IstioDataPlaneMode.AMBIENT }) }) as Mesh,
};

function synth(name: string) {
  const c = chart('bookinfo');
  const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio-gateway-api', {
    mesh: meshes[name](), canaryMatches: [RequestMatch.header('end-user', 'jason')],
  }));
  new CircuitBreaker(c, 'breaker', { host: release, ...BREAKER });
  return Testing.synth(c);
}

describe('every host an HTTPRoute routes to carries the traffic policy (item 4)', () => {
  for (const name of Object.keys(meshes)) {
    test(`${name}: one DestinationRule per backendRef host, each with the breaker`, () => {
      const out = synth(name);
      const backends = new Set<string>(ofKind(out, 'HTTPRoute').flatMap(r => r.spec.rules.flatMap((rule: any) => rule.backendRefs.map((b: any) => b.name))));
      expect([...backends].sort()).toEqual(['reviews-v1', 'reviews-v2']);
      const rules = ofKind(out, 'DestinationRule');
      for (const host of backends) {
        const dr = rules.filter(d => d.spec.host === host && d.metadata.namespace === 'bookinfo');
        expect(dr).toHaveLength(1);
        expect(dr[0].spec.trafficPolicy).toEqual({
          connectionPool: { tcp: { maxConnections: 100 } },
          outlierDetection: { consecutive5xxErrors: 5, baseEjectionTime: '30s' },
        });
        expect(dr[0].spec.subsets).toBeUndefined();
      }
    });
  }

  test('Istio\'s own routing keeps one DestinationRule with subsets: its VirtualService routes to the host itself', () => {
    const c = chart('bookinfo');
    const release = new CanaryRelease(c, 'reviews', reviewsCanary('istio'));
    new CircuitBreaker(c, 'breaker', { host: release, ...BREAKER });
    const rules = ofKind(Testing.synth(c), 'DestinationRule');
    expect(rules.map(d => d.spec.host)).toEqual(['reviews']);
  });

  itValidates('passes the schemas', () => {
    expectValid(Object.fromEntries(Object.keys(meshes).map(n => [n, synth(n)])));
  });
});
