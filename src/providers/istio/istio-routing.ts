import { istioPolicyUnsupported, renderDestinationRule } from './istio-traffic-policy';
import { Headers, HeaderOperations, HTTPMatchRequest, HTTPRetry, HTTPRoute, StringMatch, VirtualServiceSpec } from './types';
import { HeaderModifierIntent } from '../../model/ingress';
import { HostIntent, MatchIntent, RetryIntent, RouteIntent, StringMatchIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { HostObjectSink, TrafficRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';

/**
 * Renders a host as Istio's own API: one DestinationRule (subsets by version labels, the circuit
 * breaker) and one VirtualService (matched routes first, the weighted default route last).
 */
export class IstioRouting implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices = false;

  /** @param apiVersion e.g. `networking.istio.io/v1` */
  constructor(private readonly apiVersion: string) {
    this.displayName = `Istio (${apiVersion})`;
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    return istioRetriesUnsupported(route.retries);
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, _version?: string): Unsupported[] {
    return istioPolicyUnsupported(policy);
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    const metadata = { name: host.name, namespace: host.namespace };
    if (host.routes.length > 0) {
      const spec: VirtualServiceSpec = {
        hosts: [host.name],
        http: host.routes.map(r => this.route(host, r)),
      };
      sink.emit('Resource', { apiVersion: this.apiVersion, kind: 'VirtualService', metadata, spec });
    }
    renderDestinationRule(sink, this.apiVersion, host, true);
  }

  private route(host: HostIntent, r: RouteIntent): HTTPRoute {
    const dest = (version?: string) => ({ host: host.name, subset: version });
    const single = r.backends.length === 1;
    return {
      name: r.name,
      match: r.matches.length > 0 ? r.matches.flatMap(m => istioMatches(m)) : undefined,
      route: r.backends.map(b => ({ destination: dest(b.version), weight: single ? undefined : b.weight })),
      mirror: r.mirror ? dest(r.mirror.version) : undefined,
      mirrorPercentage: r.mirror ? { value: r.mirror.percent } : undefined,
      retries: istioRetries(r.retries),
      timeout: r.timeout ? goDuration(r.timeout) : undefined,
      headers: istioHeaders(r.requestHeaders, r.responseHeaders),
      fault: r.fault ? {
        delay: r.fault.delay ? { percentage: { value: r.fault.delay.percent }, fixedDelay: goDuration(r.fault.delay.fixedDelay) } : undefined,
        abort: r.fault.abort ? { percentage: { value: r.fault.abort.percent }, httpStatus: r.fault.abort.httpStatus } : undefined,
      } : undefined,
    };
  }
}

/** What of a retry intent a VirtualService `retries` cannot hold: Istio has no retry budget. */
export function istioRetriesUnsupported(retries?: RetryIntent): Unsupported[] {
  return retries?.budget
    ? [{ feature: 'a retry budget', instead: 'Istio limits retries per request: set retries.attempts instead of retries.budget' }] : [];
}

/**
 * Istio's own default number of retries. `attempts` is always written: istiod's
 * `route/retry` ConvertPolicy drops a retry policy whose `attempts` is 0 or unset, so
 * `retries: { retryOn }` alone would switch retries off instead of keeping the default.
 */
export const ISTIO_DEFAULT_RETRY_ATTEMPTS = 2;

/** A retry intent as a VirtualService `retries`. */
export function istioRetries(retries?: RetryIntent): HTTPRetry | undefined {
  return retries ? {
    attempts: retries.attempts ?? ISTIO_DEFAULT_RETRY_ATTEMPTS,
    perTryTimeout: retries.perTryTimeout ? goDuration(retries.perTryTimeout) : undefined,
    retryOn: retries.retryOn.join(','),
  } : undefined;
}

/**
 * One match as Istio's `HTTPMatchRequest`s. Header keys are lower-cased (Istio matches headers
 * by their lower-case name); query parameter names are kept as written (they are
 * case-sensitive). A path prefix matches whole segments, as Gateway API's `PathPrefix` does, so
 * the same program routes the same requests on every provider: Istio's own `prefix` is a string
 * prefix (`/api` would match `/apis`), so `/api` becomes `exact: /api` or `prefix: /api/`, which
 * is how Istio itself translates a Gateway API `PathPrefix`.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#pathmatchtype
 */
export function istioMatches(m: MatchIntent, stringPrefix = false): HTTPMatchRequest[] {
  const named = (list: { name: string; kind: StringMatchIntent['kind']; value: string }[], lower: boolean) =>
    list.length > 0 ? Object.fromEntries(list.map(h => [lower ? h.name.toLowerCase() : h.name, stringMatch(h)])) : undefined;
  const rest = {
    method: m.method ? { exact: m.method } : undefined,
    headers: named(m.headers, true),
    queryParams: named(m.queryParams, false),
  };
  const p = m.path;
  // Gateway API ignores a trailing slash (`/a/` matches `/a` too), as Kubernetes Ingress does.
  const base = p?.kind === 'prefix' && !stringPrefix ? p.value.replace(/\/+$/, '') : '';
  if (base !== '') {
    return [{ uri: { exact: base }, ...rest }, { uri: { prefix: `${base}/` }, ...rest }];
  }
  return [{ uri: p ? stringMatch(p) : undefined, ...rest }];
}

/** Header changes as a VirtualService route's `headers`. */
export function istioHeaders(request?: HeaderModifierIntent, response?: HeaderModifierIntent): Headers | undefined {
  const ops = (h?: HeaderModifierIntent): HeaderOperations | undefined => h ? {
    set: h.set.length > 0 ? Object.fromEntries(h.set) : undefined,
    add: h.add.length > 0 ? Object.fromEntries(h.add) : undefined,
    remove: h.remove.length > 0 ? h.remove : undefined,
  } : undefined;
  return request || response ? { request: ops(request), response: ops(response) } : undefined;
}

function stringMatch(s: StringMatchIntent): StringMatch {
  return { [s.kind]: s.value };
}
