import { istioPolicyUnsupported, istioTrafficPolicy, renderDestinationRule } from './istio-traffic-policy';
import { HostIntent, RouteIntent, TrafficPolicyIntent } from '../../model/intents';
import { ServiceProtocol } from '../../model/protocol';
import { HostObjectSink, Unsupported } from '../../model/renderer';
import { GammaMeshExtension } from '../gateway-api/gamma-routing';

/**
 * Istio with Gateway API routing keeps its DestinationRule for what HTTPRoute has no field for:
 * the circuit breaker and load balancing (no subsets: versions are per-version Services).
 * @see https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/
 */
export class IstioGammaPolicy implements GammaMeshExtension {
  public readonly retries = false;
  /** Istio reads GRPCRoute's own fields only, and GRPCRoute has no retries or timeouts. */
  public readonly grpcPolicy = false;

  /** @param apiVersion e.g. `networking.istio.io/v1` */
  constructor(private readonly apiVersion: string) {}

  public unsupported(_route: RouteIntent): Unsupported[] {
    return []; // retries are judged by GammaRouting (standard or experimental channel)
  }

  public annotations(): undefined {
    return undefined;
  }

  public unsupportedPolicy(policy: TrafficPolicyIntent, _protocol?: ServiceProtocol): Unsupported[] {
    return istioPolicyUnsupported(policy);
  }

  public renderPolicy(sink: HostObjectSink, host: HostIntent): void {
    renderDestinationRule(sink, this.apiVersion, host, false);
    // The HTTPRoute sends the host's traffic to the per-version Services, which are hosts of their
    // own (`<name>.<ns>.svc.<domain>`, pilot/pkg/config/kube/gateway conversion), and a
    // DestinationRule applies only to its own host: each routed-to host needs the policy too.
    const trafficPolicy = istioTrafficPolicy(host.trafficPolicy);
    if (!trafficPolicy) return;
    const services = [...new Set(host.versions.map(v => v.serviceName ?? `${host.name}-${v.name}`))].filter(s => s !== host.name).sort();
    for (const service of services) {
      sink.emit(`DestinationRule-${service}`, {
        apiVersion: this.apiVersion,
        kind: 'DestinationRule',
        metadata: { name: service, namespace: host.namespace },
        spec: { host: service, trafficPolicy },
      });
    }
  }
}
