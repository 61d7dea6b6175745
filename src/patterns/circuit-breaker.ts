import { Construct } from 'constructs';
import { HostRouting } from '../host-routing';
import { IMeshHost } from '../mesh-host';
import { MeshHost } from '../model/host';
import { TrafficPolicyOptions } from '../model/traffic-policy';
import { invalid } from '../private/errors';
import { checkTcpPolicy } from '../private/protocol';
import {
  asksForFailover, FAILOVER_NEEDS_OUTLIER_DETECTION, TRAFFIC_POLICY_FIELDS, TRAFFIC_POLICY_PROPS, trafficPolicyIntent,
} from '../private/traffic-policy';
import { checkProps, fieldsOnce, Problems, required } from '../private/validation';

/**
 * Props for `CircuitBreaker`: the host and its traffic policy.
 */
export interface CircuitBreakerProps extends TrafficPolicyOptions {
  /** The host whose clients stop calling failing endpoints: a `CanaryRelease`, `TrafficRoutes` or `ServiceHost.fromAttributes(...)`. */
  readonly host: IMeshHost;
}

/** The checks of CircuitBreakerProps: the host (checked by `MeshHost.of`) and the traffic policy. */
const PROPS = fieldsOnce(() => ({ host: required(() => undefined), ...TRAFFIC_POLICY_FIELDS }));

/**
 * Stop calling what is failing: connection-pool limits, outlier detection and the load
 * balancer of a host, and the other client-side settings of its traffic (locality load
 * balancing, the HTTP/2 upgrade, TLS to the endpoints). It is the host's one traffic policy: on
 * Istio the `trafficPolicy` of the host's one DestinationRule (next to a canary's subsets, whose
 * own policies come from `CanaryVersion.withTrafficPolicy()`); on Linkerd failure accrual on the
 * host's Service; plain Gateway API has no circuit breaking (an error) and takes
 * `UpstreamTls.simple()` as a BackendTLSPolicy.
 */
export class CircuitBreaker extends Construct {
  /**
   * The objects the mesh renders for the host, shared with every construct on it: an escape hatch
   * (see `CanaryRelease.routing`); on Istio the circuit breaker is in its `DestinationRule`.
   */
  public readonly routing: HostRouting;

  constructor(scope: Construct, id: string, props: CircuitBreakerProps) {
    super(scope, id);
    checkProps(this, props, PROPS());
    const host = MeshHost.of(this, props.host);
    this.routing = host.routing;
    if (TRAFFIC_POLICY_PROPS.every(k => (props as unknown as Record<string, unknown>)[k] == null)) {
      invalid(this, TRAFFIC_POLICY_PROPS.join('/'), undefined, 'set (a circuit breaker needs at least one of them)');
    }
    const problems = new Problems(this);
    const policy = trafficPolicyIntent(this, '', props, problems);
    problems.throwIfAny();
    // On a TCP host, limits on requests, header or cookie hashing and the HTTP/2 upgrade have nothing to act on.
    checkTcpPolicy(this, problems, host.protocol, '', policy);
    problems.throwIfAny();
    if (asksForFailover(policy) && !policy.outlierDetection) {
      invalid(this, 'localityLoadBalancing', props.localityLoadBalancing, FAILOVER_NEEDS_OUTLIER_DETECTION);
    }
    host.setTrafficPolicy({ source: this, ...policy });
  }
}
