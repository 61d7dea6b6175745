import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HostRouting } from '../host-routing';
import { IMeshHost } from '../mesh-host';
import { MeshHost } from '../model/host';
import { RequestMatch } from '../model/match';
import { HttpRetryPolicy } from '../model/retry';
import { FaultInjection } from '../model/traffic-policy';
import { checkDns1123Label, invalid } from '../private/errors';
import { faultInjection, faultIntent } from '../private/fault';
import { checkGrpcMatches, checkTcpProps } from '../private/protocol';
import { positiveDuration, retryIntent, retryPolicy } from '../private/retry';
import { arrayOf, checkProps, fieldsOnce, dns1123Label, duration, instanceOf, nonEmptyString, optional, Problems, required } from '../private/validation';

/** The checks of RoutePolicyProps. */
const PROPS = fieldsOnce(() => ({
  host: required(() => undefined),
  matches: optional(arrayOf(instanceOf(RequestMatch, 'RequestMatch (RequestMatch.header(), .of(), ...)'), { min: 1 })),
  name: optional(dns1123Label),
  description: optional(nonEmptyString),
  retries: optional(retryPolicy),
  timeout: optional(duration()),
  fault: optional(faultInjection),
}));

/**
 * Props for `RoutePolicy`.
 */
export interface RoutePolicyProps {
  /** The host whose routes the policy applies to. */
  readonly host: IMeshHost;

  /**
   * Apply the policy only to requests matching any of these. Such requests still go where the
   * host's default route sends them (e.g. the canary split); only retries and timeout differ.
   * @default - every route of the host
   */
  readonly matches?: RequestMatch[];

  /**
   * The name of the policy's route (with `matches`); unique on the host.
   * @default - the construct id, lower-cased
   */
  readonly name?: string;

  /**
   * A human-readable route name where the API has one, such as a Linkerd ServiceProfile route
   * (`GET /reviews/{id}`), which also labels the route's metrics.
   * @default - `name`
   * @see https://linkerd.io/2/reference/service-profiles/
   */
  readonly description?: string;

  /**
   * Retries for the routes.
   * @default - the mesh's default
   */
  readonly retries?: HttpRetryPolicy;

  /**
   * Request timeout for the routes.
   * @default - the mesh's default
   */
  readonly timeout?: Duration;

  /**
   * Faults to inject (Istio only), e.g. a delay for 10 % of the requests that carry a test header
   * (with `matches`).
   * @default - none
   */
  readonly fault?: FaultInjection;
}

/**
 * Retries and timeouts for all routes of a host, or for the requests that match, with or without
 * a canary on the host. They merge into the host's single route object; setting the same thing
 * host-wide here and on a route is an error.
 */
export class RoutePolicy extends Construct {
  /**
   * The objects the mesh renders for the host, shared with every construct on it: an escape hatch
   * (see `CanaryRelease.routing`).
   */
  public readonly routing: HostRouting;

  constructor(scope: Construct, id: string, props: RoutePolicyProps) {
    super(scope, id);
    checkProps(this, props, PROPS());
    const meshHost = MeshHost.of(this, props.host);
    this.routing = meshHost.routing;
    if (props.retries === undefined && props.timeout === undefined && props.fault === undefined) {
      invalid(this, 'retries/timeout/fault', undefined, 'set (a route policy needs retries, a timeout or a fault)');
    }
    const problems = new Problems(this);
    checkTcpProps(this, problems, meshHost.protocol, () => ({
      matches: [props.matches, 'request matches'],
      retries: [props.retries, 'retries'],
      timeout: [props.timeout?.toHumanString(), 'request timeouts'],
      fault: [props.fault, 'injected faults'],
    }));
    problems.throwIfAny();
    const fault = props.fault ? problems.run(() => faultIntent(this, 'fault', props.fault!)) : undefined;
    if (props.timeout != null) problems.run(() => positiveDuration(this, 'timeout', props.timeout!));
    const retries = props.retries ? problems.run(() => retryIntent(this, 'retries', props.retries!, props.timeout ?? undefined)) : undefined;
    problems.throwIfAny();
    if (props.matches == null) {
      for (const p of ['name', 'description'] as const) {
        if (props[p] != null) invalid(this, p, props[p], 'used only with \'matches\' (a host-wide policy has no route of its own)');
      }
      meshHost.setRouteDefaults({ source: this, retries, timeout: props.timeout, fault });
      return;
    }
    if (props.matches.length === 0) invalid(this, 'matches', [], 'non-empty (omit it for a host-wide policy)');
    const name = props.name ?? id.toLowerCase();
    checkDns1123Label(this, 'name', name);
    if (props.description !== undefined && props.description.trim() === '') invalid(this, 'description', props.description, 'non-empty');
    const matches = props.matches.map((m, i) => m._toIntent(this, `matches[${i}]`));
    checkGrpcMatches(this, 'matches', matches, meshHost.protocol);
    meshHost.addRoute({
      source: this,
      name,
      description: props.description,
      matches,
      inheritBackends: true,
      backends: [],
      retries,
      timeout: props.timeout,
      fault,
    });
  }
}
