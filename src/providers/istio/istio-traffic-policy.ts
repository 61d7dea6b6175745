import { Duration } from 'cdk8s';
import { DestinationRuleSpec, LoadBalancerSettings, TrafficPolicy } from './types';
import { HostIntent, LoadBalancerIntent, LocalityLbIntent, VersionIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { effectiveVersionPolicy } from '../../model/policy-merge';
import { HostObjectSink, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';

/** What of a neutral traffic policy Istio's DestinationRule has no field for (the host's or a subset's alike). */
export function istioPolicyUnsupported(policy: VersionTrafficPolicyIntent): Unsupported[] {
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

/** A traffic policy as a DestinationRule `trafficPolicy` (every group it sets). */
export function istioTrafficPolicy(policy: VersionTrafficPolicyIntent | undefined): TrafficPolicy | undefined {
  if (!policy) return undefined;
  const cp = policy.connectionPool;
  const od = policy.outlierDetection;
  const d = (x?: Duration) => x ? goDuration(x) : undefined;
  const tcp = cp && (cp.maxConnections !== undefined || cp.connectTimeout)
    ? { maxConnections: cp.maxConnections, connectTimeout: d(cp.connectTimeout) } : undefined;
  const httpSettings = [
    cp?.http1MaxPendingRequests, cp?.http2MaxRequests, cp?.maxRequestsPerConnection, cp?.maxRetries, cp?.idleTimeout, policy.h2UpgradePolicy,
  ];
  // connectionPool.http.h2UpgradePolicy: istiod's applyH2Upgrade reads it per cluster (host or subset).
  const http = httpSettings.some(x => x !== undefined)
    ? {
      http1MaxPendingRequests: cp?.http1MaxPendingRequests,
      http2MaxRequests: cp?.http2MaxRequests,
      maxRequestsPerConnection: cp?.maxRequestsPerConnection,
      maxRetries: cp?.maxRetries,
      idleTimeout: d(cp?.idleTimeout),
      h2UpgradePolicy: policy.h2UpgradePolicy,
    } : undefined;
  const tls = policy.tls;
  const result: TrafficPolicy = {
    connectionPool: tcp || http ? { tcp, http } : undefined,
    outlierDetection: od ? {
      consecutive5xxErrors: od.consecutive5xxErrors,
      consecutiveGatewayErrors: od.consecutiveGatewayErrors,
      interval: d(od.interval),
      baseEjectionTime: d(od.baseEjectionTime),
      maxEjectionPercent: od.maxEjectionPercent,
      minHealthPercent: od.minHealthPercent,
    } : undefined,
    loadBalancer: policy.loadBalancer || policy.locality ? {
      ...(policy.loadBalancer ? loadBalancer(policy.loadBalancer) : {}),
      localityLbSetting: policy.locality ? localityLbSetting(policy.locality) : undefined,
    } : undefined,
    tls: tls ? {
      mode: tls.mode,
      clientCertificate: tls.clientCertificate,
      privateKey: tls.privateKey,
      caCertificates: tls.caCertificates,
      subjectAltNames: tls.subjectAltNames,
      sni: tls.sni,
      insecureSkipVerify: tls.insecureSkipVerify,
    } : undefined,
  };
  return Object.values(result).some(x => x !== undefined) ? result : undefined;
}

/**
 * A version's subset `trafficPolicy`: the groups the version sets, each written whole from the
 * version's effective policy. Istio gives a subset the host's groups and replaces each group the
 * subset sets as a whole (util.MergeTrafficPolicy), so a subset `connectionPool` with one limit
 * would drop the host's other limits: writing the merged group keeps them, as users expect.
 */
export function istioSubsetPolicy(host: VersionTrafficPolicyIntent | undefined, version: VersionIntent): TrafficPolicy | undefined {
  const v = version.trafficPolicy;
  if (!v) return undefined;
  const full = istioTrafficPolicy(effectiveVersionPolicy(host, v));
  if (!full) return undefined;
  return {
    connectionPool: v.connectionPool || v.h2UpgradePolicy ? full.connectionPool : undefined,
    outlierDetection: v.outlierDetection ? full.outlierDetection : undefined,
    loadBalancer: v.loadBalancer || v.locality ? full.loadBalancer : undefined,
    tls: v.tls ? full.tls : undefined,
  };
}

function localityLbSetting(l: LocalityLbIntent): NonNullable<LoadBalancerSettings['localityLbSetting']> {
  return {
    enabled: l.enabled,
    distribute: l.distribute.length > 0 ? l.distribute.map(x => ({ from: x.from, to: { ...x.to } })) : undefined,
    failover: l.failover.length > 0 ? l.failover.map(x => ({ from: x.from, to: x.to })) : undefined,
    failoverPriority: l.failoverPriority.length > 0 ? [...l.failoverPriority] : undefined,
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
 * The host's one DestinationRule: subsets (with Istio's own routing, each with the version's own
 * policy) and the host's traffic policy.
 * Emitted only when there is something to hold.
 */
export function renderDestinationRule(sink: HostObjectSink, apiVersion: string, host: HostIntent, subsets: boolean): void {
  const trafficPolicy = istioTrafficPolicy(host.trafficPolicy);
  const withSubsets = subsets && host.versions.length > 0;
  if (!withSubsets && !trafficPolicy) return;
  const spec: DestinationRuleSpec = {
    host: host.name,
    trafficPolicy,
    subsets: withSubsets
      ? host.versions.map(v => ({ name: v.name, labels: v.labels, trafficPolicy: istioSubsetPolicy(host.trafficPolicy, v) })) : undefined,
  };
  sink.emit('DestinationRule', {
    apiVersion,
    kind: 'DestinationRule',
    metadata: { name: host.name, namespace: host.namespace },
    spec,
  });
}
