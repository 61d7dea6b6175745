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
 * What a mesh adds to the standard GAMMA HTTPRoute: the features it carries in its own fields
 * or annotations, and the limits it has beyond Gateway API's.
 */
export interface GammaMeshExtension {
  /** what of this route the mesh cannot express (replaces the standard-channel retry rule) */
  unsupported(route: RouteIntent): Unsupported[];
  /** annotations for the host's HTTPRoute; throws when the host's routes cannot share them */
  annotations(host: HostIntent): Record<string, string> | undefined;
}

/**
 * Renders a host as one Gateway API HTTPRoute attached to the host's Service (GAMMA, mesh
 * east-west routing). Versions are addressed through per-version Services; standard-channel
 * features only, plus what a mesh extension adds.
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class GammaRouting implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices = true;

  constructor(private readonly apiVersion: string, providerName: string, private readonly extension?: GammaMeshExtension) {
    this.displayName = `${providerName} (gateway.networking.k8s.io/${apiVersion} HTTPRoute)`;
  }

  public unsupported(route: RouteIntent): Unsupported[] {
    const out = gammaUnsupported(route);
    if (this.extension) {
      out.push(...this.extension.unsupported(route));
    } else if (route.retries) {
      out.push({
        feature: 'retries',
        instead: 'the standard channel of Gateway API has no retry field; use MeshProvider.istio() or .linkerd() for retries, or drop them',
      });
    }
    return out;
  }

  public render(scope: Construct, host: HostIntent): void {
    if (host.routes.length === 0) return;
    new ApiObject(scope, 'HTTPRoute', {
      apiVersion: `gateway.networking.k8s.io/${this.apiVersion}`,
      kind: 'HTTPRoute',
      metadata: { name: host.name, namespace: host.namespace, annotations: this.extension?.annotations(host) },
      spec: gammaRouteSpec(host, { ruleNames: true }),
    });
  }
}

/** What every HTTPRoute dialect rejects: Gateway API has no prefix match on headers. */
export function gammaUnsupported(route: RouteIntent): Unsupported[] {
  const out: Unsupported[] = [];
  for (const m of route.matches) {
    for (const h of m.headers) {
      if (h.kind === 'prefix') {
        out.push({ feature: `a prefix match on header '${h.name}'`, instead: `use HeaderMatch.regex('${h.name}', '^<prefix>')` });
      }
    }
  }
  return out;
}

/**
 * The spec of a host's HTTPRoute with a Service parent. Shared with meshes whose own HTTPRoute
 * kind copies Gateway API's (Linkerd's policy.linkerd.io), which may lack rule names.
 */
export function gammaRouteSpec(host: HostIntent, options: { ruleNames: boolean }): HTTPRouteSpec {
  const backend = (version?: string): BackendRef => ({
    name: version === undefined ? host.name : (host.versions.find(v => v.name === version)?.serviceName ?? `${host.name}-${version}`),
    port: host.port.number,
  });
  const rule = (r: RouteIntent): HTTPRouteRule => ({
    name: options.ruleNames ? r.name : undefined,
    matches: r.matches.length > 0 ? r.matches.map(m => match(m)) : undefined,
    filters: r.mirror ? [{
      type: 'RequestMirror',
      requestMirror: { backendRef: backend(r.mirror.version), percent: r.mirror.percent },
    }] : undefined,
    backendRefs: r.backends.map(b => ({ ...backend(b.version), weight: r.backends.length > 1 ? b.weight : undefined })),
    timeouts: r.timeout ? { request: goDuration(r.timeout) } : undefined,
  });
  return {
    // GAMMA: a route whose parent is a Service applies to traffic addressed to that Service.
    parentRefs: [{ group: '', kind: 'Service', name: host.name, port: host.port.number }],
    rules: host.routes.map(rule),
  };
}

function match(m: MatchIntent): HTTPRouteMatch {
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
