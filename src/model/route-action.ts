import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { HeaderModification } from './headers';
import { BackendIntent } from './intents';
import { RequestMatch } from './match';
import { HttpRetryPolicy } from './retry';
import { FaultInjection } from './traffic-policy';
import { invalid } from '../private/errors';
import { arrayOf, checkProps, dns1123Label, number, object, required } from '../private/validation';

/** One version's share of a weighted destination. */
export interface VersionWeight {
  /** The version (as declared on the routes). */
  readonly version: string;
  /** Its share of the requests in percent, an integer in 0..100; the weights of a destination add up to 100. */
  readonly weight: number;
}

/**
 * Where a route sends its requests: one version, or several by weight.
 */
export class RouteDestination {
  /** Every request of the route to `version`. */
  public static version(version: string): RouteDestination {
    return new RouteDestination([{ version, weight: 100 }], false);
  }

  /**
   * Requests split across versions by weight (percent, adding up to 100), e.g.
   * `[{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }]`. A version at 0 gets no
   * requests but stays in the split, so the next step is a change of numbers only.
   */
  public static weighted(weights: VersionWeight[]): RouteDestination {
    return new RouteDestination(Array.isArray(weights) ? weights.map(w => ({ ...w })) : weights, true);
  }

  private constructor(private readonly weights: VersionWeight[], private readonly split: boolean) {}

  /** @internal the backends, validated; `prop` names the destination in errors */
  public _toIntent(scope: IConstruct, prop: string): BackendIntent[] {
    checkProps(scope, { weights: this.weights }, {
      weights: required(arrayOf(object({
        version: required(dns1123Label),
        weight: required(number(0, 100, { rule: 'an integer percentage in 0..100' })),
      }), { min: this.split ? 2 : 1 })),
    }, `${prop}.`);
    const names = this.weights.map(w => w.version);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) invalid(scope, `${prop}.weights`, twice, 'each version once');
    const total = this.weights.reduce((sum, w) => sum + w.weight, 0);
    if (total !== 100) invalid(scope, `${prop}.weights`, this.weights.map(w => `${w.version}=${w.weight}`).join(', '), `weights that add up to 100 (they add up to ${total})`);
    return this.weights.map(w => ({ version: w.version, weight: w.weight }));
  }
}

/** A copy of a route's requests sent to a version; the copies' responses are discarded. */
export interface RouteMirror {
  /** The version that receives the copies. */
  readonly version: string;
  /**
   * Share of the route's requests copied, in percent (0 < percent <= 100).
   * @default 100
   */
  readonly percent?: number;
}

/** What a route does with the requests it selects. */
export interface RouteAction {
  /** Where the requests go. */
  readonly destination: RouteDestination;

  /**
   * A copy of the requests sent to another version (dark launch, shadow traffic).
   * @default - no mirroring
   * @see https://istio.io/latest/docs/tasks/traffic-management/mirroring/
   */
  readonly mirror?: RouteMirror;

  /**
   * Request timeout.
   * @default - the mesh's default
   */
  readonly timeout?: Duration;

  /**
   * Retries.
   * @default - the mesh's default
   */
  readonly retries?: HttpRetryPolicy;

  /**
   * Faults injected into the requests (Istio only).
   * @default - none
   */
  readonly fault?: FaultInjection;

  /**
   * Changes to the request headers before forwarding.
   * @default - none
   */
  readonly requestHeaders?: HeaderModification;

  /**
   * Changes to the response headers.
   * @default - none
   */
  readonly responseHeaders?: HeaderModification;
}

/** A route for the requests that match: the first rule (in order) that matches a request decides. */
export interface TrafficRule extends RouteAction {
  /** Requests the rule applies to; any of them (OR). */
  readonly matches: RequestMatch[];

  /**
   * The rule's name (a DNS-1123 label, unique on the host), where the API names routes.
   * @default - `rule-<index + 1>`
   */
  readonly name?: string;
}
