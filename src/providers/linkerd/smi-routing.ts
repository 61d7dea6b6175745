import { linkerdPolicyUnsupported, linkerdRouteUnsupported } from './linkerd-route-policy';
import type { LinkerdApis } from './options';
import { RouteSpec, RequestMatch, ServiceProfileSpec, TrafficSplitSpec } from './types';
import { HostIntent, MatchIntent, RetryBudgetIntent, RouteIntent, StringMatchIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { HostObjectSink, TrafficRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';

/**
 * Linkerd through the linkerd-smi extension: the weights of the default route become an SMI
 * TrafficSplit, and retries and timeouts a ServiceProfile (`linkerd.io/v1alpha2`). Retry and
 * timeout annotations are never used here: linkerd-smi turns every TrafficSplit into a
 * ServiceProfile, and a ServiceProfile makes Linkerd ignore those annotations.
 * @see https://github.com/linkerd/linkerd-smi
 * @see https://linkerd.io/2/reference/service-profiles/
 */
export class SmiRouting implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices = true;

  constructor(private readonly apis: LinkerdApis, private readonly clusterDomain: string) {
    this.displayName = `Linkerd SMI (${apis.trafficSplit} TrafficSplit)`;
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    const out: Unsupported[] = [];
    if (route.matches.length > 0 && !route.inheritBackends) {
      const headers = route.matches.some(m => m.headers.length > 0);
      out.push({
        feature: headers ? 'header matches through SMI' : 'request matches through SMI',
        instead: 'a TrafficSplit splits all requests by weight; route matched requests with LinkerdRoutingApi.GATEWAY_API (Linkerd 2.14+), or drop the matches',
      });
    }
    if (route.inheritBackends) {
      // A policy-only route becomes a ServiceProfile route, which matches method and path only.
      if (route.matches.some(m => m.headers.length > 0 || m.queryParams.length > 0)) {
        out.push({ feature: 'a ServiceProfile route on headers or query parameters', instead: 'match on method and path only' });
      }
    }
    if (route.requestHeaders || route.responseHeaders) {
      out.push({
        feature: 'header changes through SMI',
        instead: 'neither a TrafficSplit nor a ServiceProfile changes headers; route with LinkerdRoutingApi.GATEWAY_API (HTTPRoute header filters), or drop them',
      });
    }
    out.push(...linkerdRouteUnsupported(route));
    const r = route.retries;
    if (r?.attempts !== undefined) {
      out.push({ feature: 'a retry count in a ServiceProfile', instead: 'a ServiceProfile limits retries by a budget: set retries.budget instead of retries.attempts' });
    }
    if (r?.perTryTimeout) {
      out.push({ feature: 'a per-try timeout in a ServiceProfile', instead: 'drop retries.perTryTimeout; ServiceProfile retries are bounded by the route timeout' });
    }
    if (r?.retryOnExplicit && r.retryOn.some(c => c !== '5xx')) {
      out.push({
        feature: `retrying on ${r.retryOn.join(', ')} in a ServiceProfile`,
        instead: 'a ServiceProfile retries failed (5xx) responses: use [HttpRetryOn.SERVER_ERROR] or omit retryOn',
      });
    }
    return out;
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string): Unsupported[] {
    const out = linkerdPolicyUnsupported(policy, version);
    if (version === undefined && (policy.connectionPool || policy.outlierDetection || policy.loadBalancer)) {
      out.unshift({
        feature: 'circuit breaking',
        instead: 'Linkerd does not break circuits for a Service that has a ServiceProfile, and linkerd-smi creates one for every TrafficSplit: route with LinkerdRoutingApi.GATEWAY_API to use failure accrual',
      });
    }
    return out;
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    const split = host.routes.find(r => r.matches.length === 0 && r.backends.some(b => b.version !== undefined));
    if (split) {
      const spec: TrafficSplitSpec = {
        service: host.name,
        backends: split.backends.map(b => ({
          service: host.versions.find(v => v.name === b.version)?.serviceName ?? `${host.name}-${b.version}`,
          // Weights are relative: per mille keeps the seeds' 900/100 and allows one decimal of percent.
          weight: Math.round(b.weight * 10),
        })),
      };
      sink.emit('Resource', {
        apiVersion: this.apis.trafficSplit,
        kind: 'TrafficSplit',
        metadata: { name: `${host.name}-split`, namespace: host.namespace },
        spec,
      });
    }

    const profiled = host.routes.filter(r => r.retries || r.timeout);
    if (profiled.length === 0) return;
    if (!host.namespace) {
      throw new Error(`${profiled[0].source.node.path}: a ServiceProfile is named after the host's FQDN (<name>.<namespace>.svc.${this.clusterDomain}); `
        + `'namespace' (undefined) must be set on the construct or its chart for host '${host.name}'`);
    }
    const budgets = [...new Set(profiled.map(r => r.retries?.budget).filter((b): b is RetryBudgetIntent => b !== undefined)
      .map(b => JSON.stringify({ retryRatio: b.retryRatio, minRetriesPerSecond: b.minRetriesPerSecond, ttl: goDuration(b.ttl) })))];
    if (budgets.length > 1) {
      const owner = profiled.find(r => r.retries?.budget)!;
      throw new Error(`${owner.source.node.path}: Linkerd cannot express different retry budgets for one host; a ServiceProfile has one budget `
        + `for all routes of '${host.name}' (${budgets.join(' vs ')}): give the routes the same budget`);
    }
    const routes: RouteSpec[] = profiled.map(r => ({
      name: r.description ?? r.name,
      condition: condition(r.matches),
      isRetryable: r.retries ? true : undefined,
      timeout: r.timeout ? goDuration(r.timeout) : undefined,
    }));
    const spec: ServiceProfileSpec = { routes, retryBudget: budgets.length === 1 ? JSON.parse(budgets[0]) : undefined };
    sink.emit('ServiceProfile', {
      apiVersion: this.apis.serviceProfile,
      kind: 'ServiceProfile',
      metadata: { name: `${host.name}.${host.namespace}.svc.${this.clusterDomain}`, namespace: host.namespace },
      spec,
    });
  }
}

/** ServiceProfile conditions: method and a path regex that must match the whole path. */
function condition(matches: MatchIntent[]): RequestMatch {
  if (matches.length === 0) return { pathRegex: '.*' };
  const one = (m: MatchIntent): RequestMatch => ({ method: m.method, pathRegex: m.path ? pathRegex(m.path) : (m.method ? undefined : '.*') });
  return matches.length === 1 ? one(matches[0]) : { any: matches.map(one) };
}

function pathRegex(p: StringMatchIntent): string {
  if (p.kind === 'regex') return p.value;
  const literal = p.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (p.kind === 'exact') return literal;
  // Prefix matching is by path segment, as in Gateway API and Istio: /api matches /api and /api/x.
  return literal.endsWith('/') ? `${literal}.*` : `${literal}(/.*)?`;
}
