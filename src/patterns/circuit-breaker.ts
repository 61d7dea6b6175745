import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IMeshHost } from '../mesh-host';
import { MeshHost } from '../model/host';
import { ConnectionPoolIntent, OutlierDetectionIntent } from '../model/intents';
import { ConnectionPoolOptions, LoadBalancer, OutlierDetectionOptions } from '../model/traffic-policy';
import { invalid } from '../private/errors';
import { checkTcpProps } from '../private/protocol';
import { positiveDuration } from '../private/retry';
import { checkProps, duration, instanceOf, number, object, optional, Problems, required } from '../private/validation';

/**
 * Props for `CircuitBreaker`.
 */
export interface CircuitBreakerProps {
  /** The host whose clients stop calling failing endpoints: a `CanaryRelease` or `ServiceHost.fromAttributes(...)`. */
  readonly host: IMeshHost;

  /**
   * Connection and request limits per endpoint.
   * @default - the mesh's defaults (unlimited)
   */
  readonly connectionPool?: ConnectionPoolOptions;

  /**
   * When to eject failing endpoints.
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetectionOptions;

  /**
   * How requests are spread over endpoints.
   * @default - the mesh's default (Istio: least request)
   */
  readonly loadBalancer?: LoadBalancer;
}

/**
 * Stop calling what is failing: connection-pool limits, outlier detection and the load
 * balancer of a host. On Istio it goes into the host's one DestinationRule (next to a canary's
 * subsets); on Linkerd it is failure accrual on the host's Service; plain Gateway API has no
 * circuit breaking (an error).
 */
export class CircuitBreaker extends Construct {
  /**
   * The objects the mesh renders for the host, shared with every construct on it: an escape hatch
   * (see `CanaryRelease.routing`); on Istio the circuit breaker is in its `DestinationRule`.
   */
  public readonly routing: Construct;

  constructor(scope: Construct, id: string, props: CircuitBreakerProps) {
    super(scope, id);
    const counted = (min = 1) => optional(number(min, 2147483647));
    const percent = optional(number(0, 100, { rule: 'an integer percentage in 0..100' }));
    checkProps(this, props, {
      host: required(() => undefined),
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
    });
    const host = MeshHost.of(this, props.host);
    this.routing = host;
    // On a TCP host, limits on requests and hashing a request's header or cookie have nothing to act on.
    const problems = new Problems(this);
    const cp = props.connectionPool ?? {};
    const lb = props.loadBalancer?._toIntent(this, 'loadBalancer');
    checkTcpProps(this, problems, host.protocol, {
      'connectionPool.http1MaxPendingRequests': [cp.http1MaxPendingRequests, 'pending-request limits'],
      'connectionPool.http2MaxRequests': [cp.http2MaxRequests, 'request limits'],
      'connectionPool.maxRequestsPerConnection': [cp.maxRequestsPerConnection, 'per-connection request limits'],
      'connectionPool.maxRetries': [cp.maxRetries, 'retry limits'],
      'connectionPool.idleTimeout': [cp.idleTimeout?.toHumanString(), 'HTTP idle timeouts'],
      'loadBalancer': [lb && (lb.kind === 'hash-header' || lb.kind === 'hash-cookie') ? `${lb.kind} ${lb.name}` : undefined, 'header and cookie hashing'],
    });
    problems.throwIfAny();
    if (!props.connectionPool && !props.outlierDetection && !props.loadBalancer) {
      invalid(this, 'connectionPool/outlierDetection/loadBalancer', undefined, 'set (a circuit breaker needs at least one of them)');
    }
    host.setTrafficPolicy({
      source: this,
      connectionPool: props.connectionPool ? connectionPool(this, props.connectionPool) : undefined,
      outlierDetection: props.outlierDetection ? outlierDetection(this, props.outlierDetection) : undefined,
      loadBalancer: props.loadBalancer?._toIntent(this, 'loadBalancer'),
    });
  }
}

function count(scope: IConstruct, prop: string, value: number | undefined, min = 1): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > 2147483647)) {
    invalid(scope, prop, value, `an integer in ${min}..2147483647`);
  }
}

function connectionPool(scope: IConstruct, cp: ConnectionPoolOptions): ConnectionPoolIntent {
  for (const k of ['maxConnections', 'http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection'] as const) {
    count(scope, `connectionPool.${k}`, cp[k]);
  }
  count(scope, 'connectionPool.maxRetries', cp.maxRetries, 0);
  for (const k of ['connectTimeout', 'idleTimeout'] as const) {
    const d: Duration | undefined = cp[k];
    if (d) positiveDuration(scope, `connectionPool.${k}`, d);
  }
  if (Object.values(cp).every(v => v === undefined)) invalid(scope, 'connectionPool', {}, 'at least one limit');
  return { ...cp };
}

function outlierDetection(scope: IConstruct, od: OutlierDetectionOptions): OutlierDetectionIntent {
  count(scope, 'outlierDetection.consecutive5xxErrors', od.consecutive5xxErrors);
  count(scope, 'outlierDetection.consecutiveGatewayErrors', od.consecutiveGatewayErrors);
  for (const k of ['interval', 'baseEjectionTime', 'maxEjectionTime'] as const) {
    const d: Duration | undefined = od[k];
    if (d) positiveDuration(scope, `outlierDetection.${k}`, d);
  }
  for (const k of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const v = od[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 100)) invalid(scope, `outlierDetection.${k}`, v, 'an integer percentage in 0..100');
  }
  if (od.jitterRatio !== undefined && !(od.jitterRatio >= 0 && od.jitterRatio <= 100)) {
    invalid(scope, 'outlierDetection.jitterRatio', od.jitterRatio, 'a number in 0..100');
  }
  if (od.baseEjectionTime && od.maxEjectionTime && od.baseEjectionTime.toMilliseconds() > od.maxEjectionTime.toMilliseconds()) {
    invalid(scope, 'outlierDetection.baseEjectionTime', od.baseEjectionTime.toHumanString(),
      `at most maxEjectionTime (${od.maxEjectionTime.toHumanString()}): the back-off's minimum penalty cannot exceed its maximum`);
  }
  return { ...od };
}
