import { istioPolicyUnsupported, istioTrafficPolicy, renderDestinationRule } from './istio-traffic-policy';
import { HostIntent, RouteIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { effectiveVersionPolicy } from '../../model/policy-merge';
import { HostObjectSink, Unsupported } from '../../model/renderer';
import { GammaMeshExtension } from '../gateway-api/gamma-routing';

/**
 * Istio with Gateway API routing keeps its DestinationRule for what HTTPRoute has no field for:
 * the circuit breaker and load balancing (no subsets: versions are per-version Services).
 * @see https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/
 */
export class IstioGammaPolicy implements GammaMeshExtension {
  public readonly retries = false;

  /** @param apiVersion e.g. `networking.istio.io/v1` */
  constructor(private readonly apiVersion: string) {}

  public unsupported(_route: RouteIntent): Unsupported[] {
    return []; // retries are judged by GammaRouting (standard or experimental channel)
  }

  public annotations(): undefined {
    return undefined;
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, _version?: string): Unsupported[] {
    return istioPolicyUnsupported(policy);
  }

  public renderPolicy(sink: HostObjectSink, host: HostIntent): void {
    renderDestinationRule(sink, this.apiVersion, host, false);
    // The HTTPRoute sends the host's traffic to the per-version Services, which are hosts of their
    // own (`<name>.<ns>.svc.<domain>`, pilot/pkg/config/kube/gateway conversion), and a
    // DestinationRule applies only to its own host: each routed-to host needs the policy too, and
    // a version's own policy is its Service's (the host's, overridden setting by setting).
    const seen = new Set<string>([host.name]);
    const services = host.versions
      .map(v => ({ service: v.serviceName ?? `${host.name}-${v.name}`, policy: effectiveVersionPolicy(host.trafficPolicy, v.trafficPolicy) }))
      .filter(s => !seen.has(s.service) && seen.add(s.service))
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
    for (const { service, policy } of services) {
      const trafficPolicy = istioTrafficPolicy(policy);
      if (!trafficPolicy) continue;
      sink.emit(`DestinationRule-${service}`, {
        apiVersion: this.apiVersion,
        kind: 'DestinationRule',
        metadata: { name: service, namespace: host.namespace },
        spec: { host: service, trafficPolicy },
      });
    }
  }
}
