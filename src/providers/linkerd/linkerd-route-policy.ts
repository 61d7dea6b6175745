import { HostIntent, RetryIntent, RouteIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { localityAsWritten } from '../../model/policy-merge';
import { HostObjectSink, Unsupported } from '../../model/renderer';
import { linkerdDuration } from '../../private/duration';
import { show } from '../../private/errors';
import { GammaMeshExtension } from '../gateway-api/gamma-routing';

/** The neutral retry conditions Linkerd's `retry.linkerd.io/http` can name (it retries by status). */
const STATUS_CONDITIONS: Record<string, string> = {
  '5xx': '5xx',
  'gateway-error': 'gateway-error',
  'retriable-4xx': '409',
};

/** The Linkerd release a renderer targets, as `2.<minor>`. */
export interface LinkerdRelease {
  readonly minor: number;
  readonly name: string;
}

/**
 * Linkerd's retries and timeouts on an HTTPRoute (Linkerd 2.16 and later): retries as
 * `retry.linkerd.io/*` annotations on the route object, timeouts in the rules' `timeouts` field.
 * Before 2.16 retries existed only in ServiceProfiles, which take precedence over HTTPRoutes, so
 * they cannot be combined with HTTPRoute routing.
 * @see https://linkerd.io/2/reference/retries/
 * @see https://linkerd.io/2/reference/timeouts/
 */
export class LinkerdRoutePolicy implements GammaMeshExtension {
  public readonly retries = true;

  /**
   * @param release the targeted Linkerd release
   * @param timeoutsSince the first minor release that honours the rules' `timeouts` field for this
   *   HTTPRoute group (2.14 for policy.linkerd.io, 2.16 for gateway.networking.k8s.io)
   */
  constructor(private readonly release: LinkerdRelease, private readonly timeoutsSince: number) {}

  public unsupported(route: RouteIntent): Unsupported[] {
    const out = linkerdRouteUnsupported(route);
    if (route.timeout && this.release.minor < this.timeoutsSince) {
      out.push({
        feature: `a request timeout on this HTTPRoute kind before Linkerd 2.${this.timeoutsSince} (targeting ${this.release.name})`,
        instead: 'use LinkerdRoutingApi.POLICY (policy.linkerd.io HTTPRoute timeouts work from 2.14), LinkerdRoutingApi.SMI (ServiceProfile), or a newer Linkerd',
      });
    }
    const r = route.retries;
    if (!r) return out;
    if (this.release.minor < 16) {
      out.push({
        feature: `retries on an HTTPRoute before Linkerd 2.16 (targeting ${this.release.name})`,
        instead: 'Linkerd < 2.16 retries only through a ServiceProfile, which would take precedence over this HTTPRoute: target Linkerd 2.16+, or use LinkerdRoutingApi.SMI (TrafficSplit + ServiceProfile)',
      });
    }
    if (r.attempts === 0) {
      // parse_http_retry filters `retry.linkerd.io/limit: "0"` out, leaving Linkerd's default limit.
      out.push({
        feature: 'zero retry attempts (retry.linkerd.io/limit "0" means the default limit)',
        instead: 'drop retries to not retry, or set retries.attempts to at least 1',
      });
    }
    if (r.budget) {
      out.push({
        feature: 'a retry budget with retry annotations',
        instead: 'set retries.attempts (retry.linkerd.io/limit); budgets exist only in ServiceProfiles (LinkerdRoutingApi.SMI)',
      });
    }
    const connectionLevel = r.retryOnExplicit ? r.retryOn.filter(c => !(c in STATUS_CONDITIONS)) : [];
    if (connectionLevel.length > 0) {
      out.push({
        feature: `retrying on ${connectionLevel.join(', ')}`,
        instead: 'retry.linkerd.io/http retries by response status: use HttpRetryOn.SERVER_ERROR, GATEWAY_ERROR or RETRIABLE_4XX',
      });
    }
    return out;
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string): Unsupported[] {
    return version === undefined ? failureAccrualUnsupported(policy) : linkerdPolicyUnsupported(policy, version);
  }

  public renderPolicy(sink: HostObjectSink, host: HostIntent): void {
    const od = host.trafficPolicy?.outlierDetection;
    if (!od) return;
    // Failure accrual belongs to the parent Service that clients address, not to routes.
    const prefix = 'balancer.linkerd.io/failure-accrual';
    const annotations: Record<string, string> = { [prefix]: 'consecutive' };
    if (od.consecutive5xxErrors !== undefined) annotations[`${prefix}-consecutive-max-failures`] = String(od.consecutive5xxErrors);
    if (od.baseEjectionTime) annotations[`${prefix}-consecutive-min-penalty`] = linkerdDuration(od.baseEjectionTime);
    if (od.maxEjectionTime) annotations[`${prefix}-consecutive-max-penalty`] = linkerdDuration(od.maxEjectionTime);
    if (od.jitterRatio !== undefined) annotations[`${prefix}-consecutive-jitter-ratio`] = String(od.jitterRatio);
    sink.addToService('failure accrual (circuit breaking) with annotations', { annotations });
  }

  public annotations(host: HostIntent): Record<string, string> | undefined {
    const withRetries = host.routes.filter(r => r.retries);
    if (withRetries.length === 0) return undefined;
    // Retry annotations belong to the whole route object, not to one rule.
    const first = host.routes[0];
    const key = (r: RouteIntent) => JSON.stringify(retryAnnotations(r.retries));
    const differing = host.routes.find(r => key(r) !== key(first));
    if (differing) {
      throw new Error(`${differing.source.node.path}: Linkerd cannot express different retries for the routes of one host; `
        + `its retry annotations apply to the whole HTTPRoute of '${host.name}', and routes '${first.name}' (${first.source.node.path}) `
        + `and '${differing.name}' ask for different retries: give them the same retries (e.g. one host-wide RoutePolicy)`);
    }
    return retryAnnotations(first.retries);
  }
}

function retryAnnotations(r: RetryIntent | undefined): Record<string, string> | undefined {
  if (!r) return undefined;
  // Without explicit conditions, 502-504 is Linkerd's nearest to the neutral default
  // (connection failures and resets surface as gateway errors from the proxy).
  const codes = r.retryOnExplicit ? r.retryOn.map(c => STATUS_CONDITIONS[c]) : ['gateway-error'];
  const out: Record<string, string> = { 'retry.linkerd.io/http': [...new Set(codes)].join(',') };
  if (r.attempts !== undefined) out['retry.linkerd.io/limit'] = String(r.attempts);
  if (r.perTryTimeout) out['retry.linkerd.io/timeout'] = linkerdDuration(r.perTryTimeout);
  return out;
}

/** What no Linkerd routing API has: mirroring and fault injection. */
export function linkerdRouteUnsupported(route: RouteIntent): Unsupported[] {
  const out: Unsupported[] = [];
  if (route.mirror) {
    out.push({
      feature: 'mirroring requests',
      instead: 'Linkerd has no request mirroring; use MeshProvider.istio() for shadow traffic, or drop the mirror (mirrorPercent, mirror)',
    });
  }
  if (route.fault) {
    out.push({
      feature: 'fault injection',
      instead: 'Linkerd has no fault injection; use MeshProvider.istio() (VirtualService fault) or a chaos tool in the test environment',
    });
  }
  return out;
}

/** Linkerd's defaults when the penalty annotations are absent (parse_consecutive_params). */
const LINKERD_DEFAULT_MAX_PENALTY_MS = 60_000;
const LINKERD_DEFAULT_MIN_PENALTY_MS = 1000;

/**
 * What no Linkerd API has, with the reason: a policy for one version (Linkerd configures a Service
 * clients address, for all its backends), the HTTP/2 upgrade (proxies always speak HTTP/2 to each
 * other), locality load balancing and TLS settings to the upstream (Linkerd's own mTLS is
 * automatic between meshed pods and it does not originate TLS).
 */
export function linkerdPolicyUnsupported(policy: VersionTrafficPolicyIntent, version?: string): Unsupported[] {
  if (version !== undefined) {
    const props = Object.keys(policy).filter(k => (policy as Record<string, unknown>)[k] !== undefined);
    return [{
      feature: `a traffic policy for version '${version}' alone (trafficPolicy ${props.join(', ')})`,
      instead: 'Linkerd configures circuit breaking on the Service clients address (failure-accrual annotations), for every version behind it, and has no per-version policy: '
        + 'drop withTrafficPolicy() and set the policy on the host with CircuitBreaker, or use MeshProvider.istio() (DestinationRule subsets)',
    }];
  }
  const out: Unsupported[] = [];
  if (policy.h2UpgradePolicy) {
    out.push({
      feature: `h2UpgradePolicy (${show(policy.h2UpgradePolicy)})`,
      instead: 'Linkerd proxies always carry HTTP/1.1 between each other over HTTP/2 and hand the workload its own protocol, with no setting to change it: drop h2UpgradePolicy',
    });
  }
  if (policy.locality) {
    out.push({
      feature: `localityLoadBalancing (${show(localityAsWritten(policy.locality))})`,
      instead: 'Linkerd balances requests by latency (EWMA) over all endpoints and has no locality failover or weights: drop localityLoadBalancing, or use MeshProvider.istio()',
    });
  }
  if (policy.tls) {
    out.push({
      feature: `tls (mode ${policy.tls.mode})`,
      instead: 'Linkerd encrypts traffic between meshed pods with its own mTLS, always and without settings, and does not originate TLS to a workload: '
        + 'drop tls (meshed traffic is mTLS already; an application that must speak TLS itself keeps doing so), or use MeshProvider.istio()',
    });
  }
  return out;
}

/**
 * Linkerd's circuit breaking is consecutive-failure accrual per endpoint; connection pools, load
 * balancer choice (always EWMA) and Istio's ejection limits have no Linkerd form.
 */
export function failureAccrualUnsupported(policy: VersionTrafficPolicyIntent): Unsupported[] {
  const out: Unsupported[] = linkerdPolicyUnsupported(policy);
  if (policy.connectionPool) {
    out.push({ feature: 'connection-pool limits', instead: 'Linkerd has no connection pool limits; use outlierDetection (failure accrual), or MeshProvider.istio()' });
  }
  if (policy.loadBalancer) {
    out.push({ feature: 'a load balancer choice', instead: 'Linkerd always balances by latency (EWMA); drop loadBalancer' });
  }
  const od = policy.outlierDetection;
  const istioOnly = od ? (['consecutiveGatewayErrors', 'interval', 'maxEjectionPercent', 'minHealthPercent'] as const).filter(k => od[k] !== undefined) : [];
  if (istioOnly.length > 0) {
    out.push({
      feature: `outlierDetection.${istioOnly.join(', outlierDetection.')}`,
      instead: 'Linkerd failure accrual counts consecutive failures (any 5xx) per endpoint with an exponential back-off: use consecutive5xxErrors, baseEjectionTime, maxEjectionTime and jitterRatio',
    });
  }
  // The policy controller rejects min-penalty > max-penalty, and each has a default when unset
  // (min 1s, max 60s), so one penalty alone must fit the other's default.
  const min = od?.baseEjectionTime?.toMilliseconds();
  const max = od?.maxEjectionTime?.toMilliseconds();
  if (min !== undefined && max === undefined && min > LINKERD_DEFAULT_MAX_PENALTY_MS) {
    out.push({
      feature: `outlierDetection.baseEjectionTime (${od!.baseEjectionTime!.toHumanString()}) above Linkerd's default max-penalty (60s)`,
      instead: 'set outlierDetection.maxEjectionTime too (at least baseEjectionTime), or lower baseEjectionTime to 60s or less',
    });
  }
  if (max !== undefined && min === undefined && max < LINKERD_DEFAULT_MIN_PENALTY_MS) {
    out.push({
      feature: `outlierDetection.maxEjectionTime (${od!.maxEjectionTime!.toHumanString()}) below Linkerd's default min-penalty (1s)`,
      instead: 'set outlierDetection.baseEjectionTime too (at most maxEjectionTime), or raise maxEjectionTime to 1s or more',
    });
  }
  return out;
}
