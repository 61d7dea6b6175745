/**
 * Issue 12, item 8: the plaintext alert watches a metric the data plane really exports, and
 * carries labels a Prometheus ruleSelector can match.
 */
import { Testing } from 'cdk8s';
import { IstioDataPlaneMode, Mesh, MeshProvider, MtlsMode, StrictMtlsMigration } from '../../src';
import { chart, meshOf, one } from '../support/fixtures';
import { expectValid, itValidates } from '../support/validator';

const stages = [
  { namespaces: [{ namespace: 'shop', mode: MtlsMode.PERMISSIVE }] },
  { namespaces: [{ namespace: 'shop', mode: MtlsMode.STRICT }] },
];
const ambient = () => Mesh.fromAttributes({ provider: MeshProvider.istio({ dataPlaneMode: IstioDataPlaneMode.AMBIENT }) });

function rule(mesh: any, ruleLabels?: Record<string, string>) {
  const c = chart('monitoring');
  new StrictMtlsMigration(c, 'mtls', { mesh, stages, currentStage: 0, plaintextAlert: { ruleLabels } });
  return { c, rule: one(Testing.synth(c), 'PrometheusRule') };
}

describe('the plaintext alert has data on every data plane (item 8)', () => {
  // istio/ztunnel src/proxy/metrics.rs registers only tcp_* families under the `istio` prefix
  // (istio_tcp_connections_opened_total, ...); inbound_passthrough.rs (plaintext into an ambient
  // pod) reports connection_security_policy "unknown", inbound.rs (HBONE) "mutual_tls".
  // istio_requests_total comes from Envoy (sidecars, waypoints), never from ztunnel.
  test('ambient: istio_tcp_connections_opened_total, not istio_requests_total', () => {
    const expr = rule(ambient()).rule.spec.groups[0].rules[0].expr;
    expect(expr).toBe('sum by (destination_workload_namespace) (rate(istio_tcp_connections_opened_total{reporter="destination", '
      + 'connection_security_policy!="mutual_tls", destination_workload_namespace=~"shop"}[5m])) > 0');
    expect(expr).not.toMatch(/istio_requests_total/);
  });

  test('sidecars: Envoy\'s istio_requests_total (L7, reported by the destination sidecar)', () => {
    expect(rule(meshOf('istio')).rule.spec.groups[0].rules[0].expr).toMatch(/^sum by \(destination_workload_namespace\) \(rate\(istio_requests_total\{reporter="destination"/);
  });

  test('ruleLabels label the PrometheusRule for a ruleSelector; none by default', () => {
    expect(rule(meshOf('istio'), { release: 'kube-prometheus-stack' }).rule.metadata.labels).toEqual({ release: 'kube-prometheus-stack' });
    expect(rule(meshOf('istio')).rule.metadata.labels).toBeUndefined();
    expect(() => rule(meshOf('istio'), { 'bad key!': 'x' })).toThrow(/test\/mtls: 'plaintextAlert.ruleLabels' \("bad key!"\) must be Kubernetes label keys/);
    expect(() => rule(meshOf('istio'), { release: 'not a value' })).toThrow(/'plaintextAlert.ruleLabels.release' \("not a value"\) must be a Kubernetes label value/);
  });

  itValidates('the rules pass the monitoring.coreos.com schema', () => {
    expectValid({ ambient: Testing.synth(rule(ambient(), { release: 'prom' }).c), sidecar: Testing.synth(rule(meshOf('linkerd'), { release: 'prom' }).c) });
  });
});
