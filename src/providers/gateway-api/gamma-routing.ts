import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { BackendRef, HTTPNamedMatch, HTTPPathMatch, HTTPRouteMatch, HTTPRouteRule, HTTPRouteSpec } from './types';
import { HostIntent, MatchIntent, NamedMatchIntent, RouteIntent, StringMatchIntent } from '../../model/intents';
import { goDuration } from '../../private/duration';
import { TrafficRenderer, Unsupported } from '../renderer';

const PATH_TYPES: Record<StringMatchIntent['kind'], HTTPPathMatch['type']> = {
  exact: 'Exact',
  prefix: 'PathPrefix',
  regex: 'RegularExpression',
};

/**
 * Renders a host as one Gateway API HTTPRoute attached to the host's Service (GAMMA, mesh
 * east-west routing). Versions are addressed through per-version Services; standard-channel
 * features only.
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class GammaRouting implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices = true;

  constructor(private readonly apiVersion: string, providerName: string) {
    this.displayName = `${providerName} (gateway.networking.k8s.io/${apiVersion} HTTPRoute)`;
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    const out: Unsupported[] = [];
    if (route.retries) {
      out.push({
        feature: 'retries',
        instead: 'the standard channel of Gateway API has no retry field; use MeshProvider.istio() for retries, or drop them',
      });
    }
    out.push(...headerPrefixProblems(route.matches));
    return out;
  }

  public render(scope: Construct, host: HostIntent): void {
    if (host.routes.length === 0) return;
    const backend = (version?: string): BackendRef => ({
      name: version === undefined ? host.name : (host.versions.find(v => v.name === version)?.serviceName ?? `${host.name}-${version}`),
      port: host.port.number,
    });
    const rule = (r: RouteIntent): HTTPRouteRule => ({
      name: r.name,
      matches: r.matches.length > 0 ? r.matches.map(m => gatewayApiMatch(m)) : undefined,
      filters: r.mirror ? [{
        type: 'RequestMirror',
        requestMirror: { backendRef: backend(r.mirror.version), percent: r.mirror.percent },
      }] : undefined,
      backendRefs: r.backends.map(b => ({ ...backend(b.version), weight: r.backends.length > 1 ? b.weight : undefined })),
      timeouts: r.timeout ? { request: goDuration(r.timeout) } : undefined,
    });
    const spec: HTTPRouteSpec = {
      // GAMMA: a route whose parent is a Service applies to traffic addressed to that Service.
      parentRefs: [{ group: '', kind: 'Service', name: host.name, port: host.port.number }],
      rules: host.routes.map(rule),
    };
    new ApiObject(scope, 'HTTPRoute', {
      apiVersion: `gateway.networking.k8s.io/${this.apiVersion}`,
      kind: 'HTTPRoute',
      metadata: { name: host.name, namespace: host.namespace },
      spec,
    });
  }
}

/** Gateway API matches headers exactly or by regex, never by prefix. */
export function headerPrefixProblems(matches: MatchIntent[]): Unsupported[] {
  return matches.flatMap(m => m.headers.filter(h => h.kind === 'prefix').map(h => ({
    feature: `a prefix match on header '${h.name}'`,
    instead: `use HeaderMatch.regex('${h.name}', '^<prefix>')`,
  })));
}

export function gatewayApiMatch(m: MatchIntent): HTTPRouteMatch {
  const named = (list: NamedMatchIntent[]): HTTPNamedMatch[] | undefined => list.length > 0
    ? list.map(h => ({ type: h.kind === 'regex' ? 'RegularExpression' : 'Exact', name: h.name, value: h.value }))
    : undefined;
  return {
    path: m.path ? { type: PATH_TYPES[m.path.kind], value: m.path.value } : undefined,
    headers: named(m.headers),
    queryParams: named(m.queryParams),
    method: m.method,
  };
}
