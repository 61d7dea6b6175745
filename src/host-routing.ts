import { ApiObject } from 'cdk8s';

/** The id under which every provider emits a host's routing object. */
const ROUTE_ID = 'Resource';

/**
 * The objects a mesh renders for one service host, shared by every construct on the host
 * (`CanaryRelease`, `TrafficRoutes`, `RoutePolicy`, `CircuitBreaker`): an escape hatch.
 *
 * The objects exist from the intent that first needs them (a route, a policy, a version), so
 * labels, annotations and JSON patches can be added before synthesis; their content is filled in
 * at synthesis, and patches apply over it. They are children of the construct that first named
 * the host, with ids that start with `Host-`: a host is not a construct of its own, which keeps the
 * construct tree (walked by cdk8s once per chart it writes) at the constructs a program declares.
 */
export class HostRouting {
  /** @internal */
  public static _of(objects: () => ReadonlyMap<string, ApiObject>): HostRouting {
    return new HostRouting(objects);
  }

  private constructor(private readonly read: () => ReadonlyMap<string, ApiObject>) {}

  /**
   * The host's routing object, once an intent needs one: the VirtualService (Istio), HTTPRoute
   * (Gateway API), TrafficSplit (SMI), or the delivery controller's object (a Flagger `Canary`).
   * Undefined while the host has only, say, a circuit breaker's DestinationRule.
   */
  public get route(): ApiObject | undefined {
    return this.read().get(ROUTE_ID);
  }

  /** Every object of the host so far, in the order they were created. */
  public get objects(): ApiObject[] {
    return [...this.read().values()];
  }

  /**
   * The host's objects of `kind` (e.g. `DestinationRule`, `Rollout`), in the order they were
   * created; empty if it has none.
   */
  public ofKind(kind: string): ApiObject[] {
    return this.objects.filter(o => o.kind === kind);
  }
}
