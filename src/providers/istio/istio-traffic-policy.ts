import { Duration } from 'cdk8s';
import { DestinationRuleSpec, LoadBalancerSettings, TrafficPolicy } from './types';
import { HostIntent, LoadBalancerIntent, TrafficPolicyIntent } from '../../model/intents';
import { HostObjectSink, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';

/** What of a neutral circuit breaker Istio's DestinationRule has no field for. */
export function istioPolicyUnsupported(policy: TrafficPolicyIntent): Unsupported[] {
  const od = policy.outlierDetection;
  const out: Unsupported[] = [];
  if (od?.maxEjectionTime) {
    out.push({ feature: 'a maximum ejection time', instead: 'Istio ejects for baseEjectionTime × the number of ejections; drop outlierDetection.maxEjectionTime' });
  }
  if (od?.jitterRatio !== undefined) {
    out.push({ feature: 'an ejection jitter ratio', instead: 'drop outlierDetection.jitterRatio (a Linkerd failure-accrual setting)' });
  }
  return out;
}

/** The DestinationRule `trafficPolicy` of a circuit breaker. */
export function istioTrafficPolicy(policy: TrafficPolicyIntent | undefined): TrafficPolicy | undefined {
  if (!policy) return undefined;
  const cp = policy.connectionPool;
  const od = policy.outlierDetection;
  const d = (x?: Duration) => x ? goDuration(x) : undefined;
  const tcp = cp && (cp.maxConnections !== undefined || cp.connectTimeout)
    ? { maxConnections: cp.maxConnections, connectTimeout: d(cp.connectTimeout) } : undefined;
  const httpLimits = cp ? [cp.http1MaxPendingRequests, cp.http2MaxRequests, cp.maxRequestsPerConnection, cp.maxRetries, cp.idleTimeout] : [];
  const http = cp && httpLimits.some(x => x !== undefined)
    ? {
      http1MaxPendingRequests: cp.http1MaxPendingRequests,
      http2MaxRequests: cp.http2MaxRequests,
      maxRequestsPerConnection: cp.maxRequestsPerConnection,
      maxRetries: cp.maxRetries,
      idleTimeout: d(cp.idleTimeout),
    } : undefined;
  return {
    connectionPool: tcp || http ? { tcp, http } : undefined,
    outlierDetection: od ? {
      consecutive5xxErrors: od.consecutive5xxErrors,
      consecutiveGatewayErrors: od.consecutiveGatewayErrors,
      interval: d(od.interval),
      baseEjectionTime: d(od.baseEjectionTime),
      maxEjectionPercent: od.maxEjectionPercent,
      minHealthPercent: od.minHealthPercent,
    } : undefined,
    loadBalancer: policy.loadBalancer ? loadBalancer(policy.loadBalancer) : undefined,
  };
}

function loadBalancer(lb: LoadBalancerIntent): LoadBalancerSettings {
  switch (lb.kind) {
    case 'hash-header': return { consistentHash: { httpHeaderName: lb.name } };
    case 'hash-cookie': return { consistentHash: { httpCookie: { name: lb.name, ttl: lb.ttl ? goDuration(lb.ttl) : undefined } } };
    default: return { simple: lb.kind };
  }
}

/**
 * The host's one DestinationRule: subsets (with Istio's own routing) and the circuit breaker.
 * Emitted only when there is something to hold.
 */
export function renderDestinationRule(sink: HostObjectSink, apiVersion: string, host: HostIntent, subsets: boolean): void {
  const trafficPolicy = istioTrafficPolicy(host.trafficPolicy);
  const withSubsets = subsets && host.versions.length > 0;
  if (!withSubsets && !trafficPolicy) return;
  const spec: DestinationRuleSpec = {
    host: host.name,
    trafficPolicy,
    subsets: withSubsets ? host.versions.map(v => ({ name: v.name, labels: v.labels })) : undefined,
  };
  sink.emit('DestinationRule', {
    apiVersion,
    kind: 'DestinationRule',
    metadata: { name: host.name, namespace: host.namespace },
    spec,
  });
}
