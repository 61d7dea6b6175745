/**
 * Checks of a traffic policy (`TrafficPolicyOptions`), shared by `CircuitBreaker` (the host's)
 * and `CanaryVersion.withTrafficPolicy()` (one version's), and the rules that tie its parts
 * together. Rules follow what Istio's validation accepts and what its control plane applies
 * (istio/pkg/config/validation: ValidateLocalityLbSetting, validateTLS).
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { positiveDuration } from './retry';
import {
  arrayOf, boolean, Check, checkProps, duration, enumOf, instanceOf, isLabelKey, isLabelValue, mapOf, number, object, optional, Problems, required,
  string,
} from './validation';
import {
  ConnectionPoolIntent, H2UpgradeIntent, LocalityLbIntent, OutlierDetectionIntent, VersionTrafficPolicyIntent,
} from '../model/intents';
import {
  ConnectionPoolOptions, H2UpgradePolicy, LoadBalancer, LocalityLoadBalancing, OutlierDetectionOptions, TrafficPolicyOptions, UpstreamTls,
} from '../model/traffic-policy';

const counted = (min = 1) => optional(number(min, 2147483647));
const percent = optional(number(0, 100, { rule: 'an integer percentage in 0..100' }));

/** `region`, `region/zone` or `region/zone/subzone`; `*` only as the whole last segment. */
export const LOCALITY_RULE = 'a locality: region, region/zone or region/zone/subzone (no empty segment), with \'*\' only as the whole last segment (e.g. "us-east/*")';
const SEGMENT = /^[^/*\s]+$/;
function isLocality(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 3) return false;
  return parts.every((p, i) => SEGMENT.test(p) || (p === '*' && i === parts.length - 1));
}
const locality = string({ max: 253, pattern: { test: isLocality } as unknown as RegExp, rule: LOCALITY_RULE });
const region = string({ max: 63, pattern: SEGMENT, rule: 'a region (Istio fails over between regions: no \'/\', no \'*\')' });
const priorityLabel = string({
  pattern: { test: (v: string) => { const [k, ...val] = v.split('='); return isLabelKey(k) && (val.length === 0 || isLabelValue(val.join('='))); } } as unknown as RegExp,
  rule: 'a label key, or <label key>=<label value> (e.g. "topology.kubernetes.io/region")',
});

/** The shape of a `TrafficPolicyOptions` (types and ranges), for `checkProps`. */
export const TRAFFIC_POLICY_FIELDS: Record<string, Check> = {
  connectionPool: optional(object({
    maxConnections: counted(),
    http1MaxPendingRequests: counted(),
    http2MaxRequests: counted(),
    maxRequestsPerConnection: counted(),
    maxRetries: counted(0),
    connectTimeout: optional(duration()),
    idleTimeout: optional(duration()),
  })),
  outlierDetection: optional(object({
    consecutive5xxErrors: counted(),
    consecutiveGatewayErrors: counted(),
    interval: optional(duration()),
    baseEjectionTime: optional(duration()),
    maxEjectionTime: optional(duration()),
    jitterRatio: optional(number(0, 100, { fractional: true })),
    maxEjectionPercent: percent,
    minHealthPercent: percent,
  })),
  loadBalancer: optional(instanceOf(LoadBalancer, 'LoadBalancer (LoadBalancer.roundRobin(), .leastRequest(), ...)')),
  h2UpgradePolicy: optional(enumOf(H2UpgradePolicy, 'H2UpgradePolicy')),
  localityLoadBalancing: optional(object({
    enabled: optional(boolean),
    failover: optional(arrayOf(object({ from: required(region), to: required(region) }), { min: 1 })),
    failoverPriority: optional(arrayOf(priorityLabel, { min: 1, unique: true })),
    distribute: optional(arrayOf(object({
      from: required(locality),
      to: required(mapOf(locality, number(1, 100, { rule: 'an integer weight in 1..100' }), { min: 1 })),
    }), { min: 1 })),
  })),
  tls: optional(instanceOf(UpstreamTls, 'UpstreamTls (UpstreamTls.istioMutual(), .simple(), .mutual(), .disable())')),
};

/** The props a policy may set, for "at least one of" messages. */
export const TRAFFIC_POLICY_PROPS = Object.keys(TRAFFIC_POLICY_FIELDS);

/**
 * A checked policy as an intent. `prefix` names its props in errors (`'versions[1].trafficPolicy.'`
 * or `''`); every problem is recorded in `problems`.
 */
export function trafficPolicyIntent(scope: IConstruct, prefix: string, p: TrafficPolicyOptions, problems: Problems): VersionTrafficPolicyIntent {
  checkProps(scope, p, TRAFFIC_POLICY_FIELDS, prefix, problems);
  if (problems.any) return {};
  const run = <T>(f: () => T) => problems.run(f);
  const intent: VersionTrafficPolicyIntent = {
    connectionPool: p.connectionPool ? run(() => connectionPool(scope, prefix, p.connectionPool!)) : undefined,
    outlierDetection: p.outlierDetection ? run(() => outlierDetection(scope, prefix, p.outlierDetection!)) : undefined,
    loadBalancer: p.loadBalancer ? run(() => p.loadBalancer!._toIntent(scope, `${prefix}loadBalancer`)) : undefined,
    h2UpgradePolicy: p.h2UpgradePolicy as H2UpgradeIntent | undefined,
    locality: p.localityLoadBalancing ? run(() => localityIntent(scope, `${prefix}localityLoadBalancing`, p.localityLoadBalancing!)) : undefined,
    tls: p.tls ? run(() => p.tls!._toIntent(scope, `${prefix}tls`)) : undefined,
  };
  return Object.fromEntries(Object.entries(intent).filter(([, v]) => v !== undefined)) as VersionTrafficPolicyIntent;
}

function count(scope: IConstruct, prop: string, value: number | undefined, min = 1): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > 2147483647)) {
    invalid(scope, prop, value, `an integer in ${min}..2147483647`);
  }
}

function connectionPool(scope: IConstruct, prefix: string, cp: ConnectionPoolOptions): ConnectionPoolIntent {
  for (const k of ['maxConnections', 'http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection'] as const) {
    count(scope, `${prefix}connectionPool.${k}`, cp[k]);
  }
  count(scope, `${prefix}connectionPool.maxRetries`, cp.maxRetries, 0);
  for (const k of ['connectTimeout', 'idleTimeout'] as const) {
    const d: Duration | undefined = cp[k];
    if (d) positiveDuration(scope, `${prefix}connectionPool.${k}`, d);
  }
  if (Object.values(cp).every(v => v === undefined)) invalid(scope, `${prefix}connectionPool`, {}, 'at least one limit');
  return { ...cp };
}

function outlierDetection(scope: IConstruct, prefix: string, od: OutlierDetectionOptions): OutlierDetectionIntent {
  count(scope, `${prefix}outlierDetection.consecutive5xxErrors`, od.consecutive5xxErrors);
  count(scope, `${prefix}outlierDetection.consecutiveGatewayErrors`, od.consecutiveGatewayErrors);
  for (const k of ['interval', 'baseEjectionTime', 'maxEjectionTime'] as const) {
    const d: Duration | undefined = od[k];
    if (d) positiveDuration(scope, `${prefix}outlierDetection.${k}`, d);
  }
  for (const k of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const v = od[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 100)) invalid(scope, `${prefix}outlierDetection.${k}`, v, 'an integer percentage in 0..100');
  }
  if (od.jitterRatio !== undefined && !(od.jitterRatio >= 0 && od.jitterRatio <= 100)) {
    invalid(scope, `${prefix}outlierDetection.jitterRatio`, od.jitterRatio, 'a number in 0..100');
  }
  if (od.baseEjectionTime && od.maxEjectionTime && od.baseEjectionTime.toMilliseconds() > od.maxEjectionTime.toMilliseconds()) {
    invalid(scope, `${prefix}outlierDetection.baseEjectionTime`, od.baseEjectionTime.toHumanString(),
      `at most maxEjectionTime (${od.maxEjectionTime.toHumanString()}): the back-off's minimum penalty cannot exceed its maximum`);
  }
  return { ...od };
}

/** Istio's topology labels, which `failover` already orders by (ValidateLocalityLbSetting). */
const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/**
 * The locality rules Istio's ValidateLocalityLbSetting enforces, plus the combinations it accepts
 * but ignores: `distribute` wins over `failoverPriority` (loadbalancer.ApplyLocalityLoadBalancer),
 * and `enabled: false` switches every other setting off.
 */
function localityIntent(scope: IConstruct, prop: string, l: LocalityLoadBalancing): LocalityLbIntent {
  const problems = new Problems(scope);
  const failover = (l.failover ?? []).map(f => ({ from: f.from, to: f.to }));
  const failoverPriority = [...(l.failoverPriority ?? [])];
  const distribute = (l.distribute ?? []).map(d => ({ from: d.from, to: { ...d.to } }));
  if (distribute.length > 0 && failover.length > 0) {
    problems.add(`${prop}.distribute`, distribute.map(d => d.from), 'left out when failover is set (Istio rejects both: weights and a failover order are two ways to choose a locality)');
  }
  if (distribute.length > 0 && failoverPriority.length > 0) {
    problems.add(`${prop}.failoverPriority`, failoverPriority, 'left out when distribute is set (Istio applies the weights and ignores the priority)');
  }
  if (failover.length > 0) {
    const topology = failoverPriority.filter(x => TOPOLOGY_LABELS.includes(x));
    if (topology.length > 0) {
      problems.add(`${prop}.failoverPriority`, topology, 'free of the topology labels (region, zone, subzone) when failover is set (Istio rejects them: failover already orders by region)');
    }
  }
  failover.forEach((f, i) => {
    if (f.from === f.to) problems.add(`${prop}.failover[${i}].to`, f.to, `a region other than from (${f.from})`);
  });
  // applyLocalityFailover takes the first entry whose `from` is the client's region, so a second is never read.
  const froms = failover.map(f => f.from);
  froms.forEach((f, i) => {
    if (froms.indexOf(f) !== i) problems.add(`${prop}.failover[${i}].from`, f, `unique (Istio reads only the first failover of a region, failover[${froms.indexOf(f)}])`);
  });
  distribute.forEach((d, i) => {
    const total = Object.values(d.to).reduce((a, b) => a + b, 0);
    if (total !== 100) problems.add(`${prop}.distribute[${i}].to`, d.to, `weights that add up to 100 (they add up to ${total})`);
    const overlap = overlapping(Object.keys(d.to));
    if (overlap) problems.add(`${prop}.distribute[${i}].to`, overlap, 'localities that do not overlap (Istio rejects a locality another one already covers)');
  });
  const overlap = overlapping(distribute.map(d => d.from));
  if (overlap) problems.add(`${prop}.distribute`, overlap, 'entries whose from localities do not overlap (Istio rejects a locality another one already covers)');
  if (l.enabled === false && (failover.length > 0 || failoverPriority.length > 0 || distribute.length > 0)) {
    problems.add(`${prop}.enabled`, false, 'true or left out when failover, failoverPriority or distribute is set (disabled, they would not apply)');
  }
  problems.throwIfAny();
  return { enabled: l.enabled ?? undefined, failover, failoverPriority, distribute };
}

/** The first locality another one covers (`us-east/*` covers `us-east/zone1`; `*` covers all), if any. */
function overlapping(localities: string[]): [string, string] | undefined {
  const covers = (a: string, b: string) => {
    const pa = a.split('/');
    const pb = b.split('/');
    for (let i = 0; i < pa.length; i++) {
      if (pa[i] === '*') return true;
      if (i >= pb.length || pa[i] !== pb[i]) return false;
    }
    return pa.length === pb.length;
  };
  for (let i = 0; i < localities.length; i++) {
    for (let j = 0; j < i; j++) {
      if (covers(localities[j], localities[i]) || covers(localities[i], localities[j])) return [localities[j], localities[i]];
    }
  }
  return undefined;
}

/**
 * Whether a policy asks for locality failover: the default behaviour of an enabled setting
 * without weights, `failover` or `failoverPriority`. Istio applies failover only to a cluster
 * with outlier detection (loadbalancer.ApplyLocalityLoadBalancer's `enableFailover`): without
 * it, every locality stays priority 0 and the setting does nothing.
 */
export function asksForFailover(policy: VersionTrafficPolicyIntent): boolean {
  const l = policy.locality;
  return l !== undefined && l.enabled !== false && l.distribute.length === 0;
}

/** The rule for a failover without outlier detection, for `invalid`. */
export const FAILOVER_NEEDS_OUTLIER_DETECTION = 'used with outlierDetection (Istio moves requests to another locality only when it ejects '
  + 'endpoints as outliers: without outlier detection the setting does nothing); set outlierDetection, or use distribute (weights need none)';
