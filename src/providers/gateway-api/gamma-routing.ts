import { Duration } from 'cdk8s';
import { gatewayApiPolicyUnsupported, renderBackendTlsPolicies } from './backend-tls-policy';
import { GatewayApiProfile, gatewayApiHas, gatewayApiLacks } from './profile';
import {
  BackendRef, GRPCRouteMatch, GRPCRouteRule, GRPCRouteSpec, HTTPHeaderFilter, HTTPNamedMatch, HTTPPathMatch, HTTPRouteMatch, HTTPRouteFilter,
  HTTPRouteRule, HTTPRouteSpec, ParentReference, TCPRouteSpec,
} from './types';
import { HeaderModifierIntent } from '../../model/ingress';
import { HostIntent, MatchIntent, NamedMatchIntent, RouteIntent, StringMatchIntent, VersionTrafficPolicyIntent } from '../../model/intents';
import { forSpecificity, routeSpecificity } from '../../model/precedence';
import { ServiceProtocol } from '../../model/protocol';
import { HostObjectSink, TrafficRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { extend } from '../../private/objects';

const PATH_TYPES: Record<StringMatchIntent['kind'], HTTPPathMatch['type']> = {
  exact: 'Exact',
  prefix: 'PathPrefix',
  regex: 'RegularExpression',
};

/**
 * What a mesh adds to the standard GAMMA HTTPRoute: the features it carries in its own fields,
 * objects or annotations, and the limits it has beyond Gateway API's.
 */
export interface GammaMeshExtension {
  /** true: the mesh expresses retries itself, and its `unsupported` judges them */
  readonly retries: boolean;
  /**
   * true: the mesh expresses the retries and timeouts of a GRPCRoute itself (GRPCRoute has no
   * field for either), and its `unsupported` judges them
   */
  readonly grpcPolicy: boolean;
  /** what of this route, on a host serving `protocol`, the mesh cannot express */
  unsupported(route: RouteIntent, protocol: ServiceProtocol): Unsupported[];
  /** annotations for the host's HTTPRoute; throws when the host's routes cannot share them */
  annotations(host: HostIntent): Record<string, string> | undefined;
  /** what of this traffic policy (the host's, or `version`'s own), on a host serving `protocol`, the mesh cannot express */
  unsupportedPolicy(policy: VersionTrafficPolicyIntent, version: string | undefined, protocol: ServiceProtocol): Unsupported[];
  /** renders the host's (and its versions') traffic policy in the mesh's own terms */
  renderPolicy(sink: HostObjectSink, host: HostIntent): void;
}

/** Options of the GAMMA renderer. */
export interface GammaOptions {
  /** the mesh's additions, if any */
  readonly extension?: GammaMeshExtension;
}

/**
 * Renders a host as one Gateway API route attached to the host's Service (GAMMA, mesh east-west
 * routing): an HTTPRoute for HTTP and HTTP/2, a GRPCRoute for gRPC, a TCPRoute for TCP (one rule,
 * weights only). Versions are addressed through per-version Services; standard-channel features,
 * experimental retries when opted in, plus what a mesh extension adds.
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class GammaRouting implements TrafficRenderer {
  public readonly displayName: string;
  public readonly versionServices = true;
  private readonly extension?: GammaMeshExtension;
  private readonly experimental: boolean;

  /**
   * @param profile the Gateway API the configuration targets: what the cluster serves and the mesh honours
   */
  constructor(private readonly profile: GatewayApiProfile, providerName: string, options: GammaOptions = {}) {
    this.extension = options.extension;
    this.experimental = gatewayApiHas(profile, 'retry');
    this.displayName = `${providerName} (gateway.networking.k8s.io/${profile.apiVersion} HTTPRoute${profile.experimental ? ', experimental channel' : ''})`;
  }

  public unsupported(route: RouteIntent, protocol: ServiceProtocol = ServiceProtocol.HTTP): Unsupported[] {
    if (protocol === ServiceProtocol.GRPC) return this.grpcUnsupported(route);
    if (protocol === ServiceProtocol.TCP) {
      // The host has already refused everything but weights on a TCP host.
      const out: Unsupported[] = [];
      push(out, this.profile.tcpRoute.unsupported);
      return [...out, ...(this.extension?.unsupported(route, protocol) ?? [])];
    }
    const out = withMeshReasons(gammaUnsupported(route), this.extension?.unsupported(route, protocol) ?? []);
    if (route.retries && !this.extension?.retries) {
      out.push(...(this.experimental ? experimentalRetryUnsupported(route) : [{
        feature: 'retries',
        instead: this.profile.experimental
          ? `HTTPRoute retry is in the experimental channel from Gateway API v1.2 (the target is ${this.profile.description}); state a newer gatewayApiBundle, use MeshProvider.istio() or .linkerd(), or drop them`
          : 'the standard channel of Gateway API has no retry field; opt into the experimental channel (experimentalChannel: true), use MeshProvider.istio() or .linkerd(), or drop them',
      }]));
    }
    if (route.timeout) push(out, gatewayApiLacks(this.profile, 'timeouts', 'a request timeout'));
    if (route.mirror?.percent !== undefined && route.mirror.percent !== 100) {
      push(out, gatewayApiLacks(this.profile, 'mirrorPercent', `mirroring ${route.mirror.percent}% of requests`));
    }
    return out;
  }

  /**
   * GRPCRoute has matches on the gRPC method and headers, header filters and mirroring, and no
   * timeouts or retries (not even in the experimental channel): a mesh extension may carry those.
   */
  private grpcUnsupported(route: RouteIntent): Unsupported[] {
    const generic: Unsupported[] = [];
    push(generic, this.profile.grpcRoute.unsupported);
    generic.push(...headerPrefixProblems(route.matches));
    generic.push(...httpOnlyMatchProblems(route.matches));
    if (route.fault) {
      generic.push({ feature: 'fault injection', instead: 'GRPCRoute has no fault injection; use MeshProvider.istio() with its own routing API (VirtualService fault)' });
    }
    const out = withMeshReasons(generic, this.extension?.unsupported(route, ServiceProtocol.GRPC) ?? []);
    if (!this.extension?.grpcPolicy) {
      const instead = 'GRPCRoute has no such field (in any channel): use MeshProvider.istio() with IstioRoutingApi.ISTIO (VirtualService), or MeshProvider.linkerd() (annotations), or drop it';
      if (route.timeout) out.push({ feature: 'a request timeout on a GRPCRoute', instead });
      if (route.retries) out.push({ feature: 'retries on a GRPCRoute', instead });
    }
    if (route.mirror?.percent !== undefined && route.mirror.percent !== 100) {
      push(out, gatewayApiLacks(this.profile, 'mirrorPercent', `mirroring ${route.mirror.percent}% of requests`));
    }
    return out;
  }

  public unsupportedPolicy(policy: VersionTrafficPolicyIntent, version?: string, protocol: ServiceProtocol = ServiceProtocol.HTTP): Unsupported[] {
    return this.extension ? this.extension.unsupportedPolicy(policy, version, protocol) : gatewayApiPolicyUnsupported(this.profile, policy, version);
  }

  public render(sink: HostObjectSink, host: HostIntent): void {
    const protocol = host.port.protocol;
    if (host.routes.length > 0 && protocol === ServiceProtocol.GRPC) {
      sink.emit('Resource', {
        apiVersion: this.profile.grpcRoute.apiVersion!,
        kind: 'GRPCRoute',
        metadata: { name: host.name, namespace: host.namespace, annotations: this.extension?.annotations(host) },
        spec: grpcRouteSpec(host, {
          ruleNames: gatewayApiHas(this.profile, 'ruleNames'),
          mirrorPercent: gatewayApiHas(this.profile, 'mirrorPercent'),
          // GRPCRoute holds 8 matches a rule before Gateway API v1.3 (64 after), like HTTPRoute before v1.2.
          maxMatches: this.profile.bundle < 3 ? 8 : undefined,
          describe: this.displayName,
        }),
      });
    } else if (host.routes.length > 0 && protocol === ServiceProtocol.TCP) {
      sink.emit('Resource', {
        apiVersion: this.profile.tcpRoute.apiVersion!,
        kind: 'TCPRoute',
        metadata: { name: host.name, namespace: host.namespace },
        spec: tcpRouteSpec(host),
      });
    } else if (host.routes.length > 0) {
      sink.emit('Resource', {
        apiVersion: `gateway.networking.k8s.io/${this.profile.apiVersion}`,
        kind: 'HTTPRoute',
        metadata: { name: host.name, namespace: host.namespace, annotations: this.extension?.annotations(host) },
        spec: gammaRouteSpec(host, {
          ruleNames: gatewayApiHas(this.profile, 'ruleNames'),
          mirrorPercent: gatewayApiHas(this.profile, 'mirrorPercent'),
          experimentalRetries: this.experimental && !this.extension?.retries,
          describe: this.displayName,
        }),
      });
    }
    if (this.extension) this.extension.renderPolicy(sink, host);
    else renderBackendTlsPolicies(sink, host);
  }
}

function orUndefined<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}

function push(out: Unsupported[], u: Unsupported | undefined): void {
  if (u) out.push(u);
}

/** The Service parent of a host's mesh route (GAMMA): the route applies to traffic addressed to it. */
function serviceParent(host: HostIntent): ParentReference[] {
  return [{ group: '', kind: 'Service', name: host.name, port: host.port.number }];
}

function backendOf(host: HostIntent, version?: string): BackendRef {
  return {
    name: version === undefined ? host.name : (host.versions.find(v => v.name === version)?.serviceName ?? `${host.name}-${version}`),
    port: host.port.number,
  };
}

/**
 * The spec of a gRPC host's GRPCRoute. GRPCRoute orders rules by specificity too (characters of
 * the matching service, then of the method, then the number of header matches; list order breaks
 * ties: apis/v1/grpcroute_types.go GRPCRouteRule), so the same `forSpecificity` keeps the declared
 * first-match order.
 */
export function grpcRouteSpec(
  host: HostIntent,
  options: { ruleNames: boolean; mirrorPercent: boolean; maxMatches?: number; describe: string },
): GRPCRouteSpec {
  const rule = (r: RouteIntent): GRPCRouteRule => ({
    name: options.ruleNames ? r.name : undefined,
    matches: r.matches.length > 0 ? r.matches.map(grpcMatch) : undefined,
    filters: orUndefined([
      ...headerFilters(r.requestHeaders, r.responseHeaders),
      ...(r.mirror ? [{
        type: 'RequestMirror' as const,
        requestMirror: { backendRef: backendOf(host, r.mirror.version), ...(options.mirrorPercent ? mirrorShare(r.mirror.percent) : {}) },
      }] : []),
    ]),
    backendRefs: r.backends.map(b => extend(backendOf(host, b.version), { weight: r.backends.length > 1 ? b.weight : undefined })),
  });
  return {
    parentRefs: serviceParent(host),
    rules: forSpecificity(host.routes, routeSpecificity(options.describe, { kind: 'GRPCRoute', maxMatches: options.maxMatches })).map(rule),
  };
}

function grpcMatch(m: MatchIntent): GRPCRouteMatch {
  const g = m.grpcMethod;
  return {
    method: g ? { type: 'Exact', service: g.service, method: g.method } : undefined,
    headers: m.headers.length > 0
      ? m.headers.map(h => ({ type: h.kind === 'regex' ? 'RegularExpression' : 'Exact', name: h.name, value: h.value }))
      : undefined,
  };
}

/** A TCP host's TCPRoute: its one route's weights (TCPRoute v1 holds one rule). */
export function tcpRouteSpec(host: HostIntent): TCPRouteSpec {
  const r = host.routes[host.routes.length - 1];
  return {
    parentRefs: serviceParent(host),
    rules: [{ backendRefs: r.backends.map(b => extend(backendOf(host, b.version), { weight: r.backends.length > 1 ? b.weight : undefined })) }],
  };
}

/** What GRPCRoute cannot match: a gRPC call's path is its method, its HTTP method always POST, and it has no query. */
export function httpOnlyMatchProblems(matches: MatchIntent[]): Unsupported[] {
  const instead = 'GRPCRoute matches the gRPC service and method and headers only: use RequestMatch.grpcMethod(service, method), or MeshProvider.istio() with its own routing API';
  return matches.flatMap(m => [
    ...(m.path ? [{ feature: `a request path match (${m.path.value}) on a gRPC host`, instead }] : []),
    ...(m.method ? [{ feature: `an HTTP method match (${m.method}) on a gRPC host`, instead }] : []),
    ...m.queryParams.map(q => ({ feature: `a query parameter match ('${q.name}') on a gRPC host`, instead })),
  ]);
}

/** Where a mesh explains a limit in its own terms, its reason replaces the generic one. */
export function withMeshReasons(generic: Unsupported[], mesh: Unsupported[]): Unsupported[] {
  return [...generic.filter(u => !mesh.some(m => m.feature === u.feature)), ...mesh];
}

/** What every HTTPRoute dialect rejects. */
export function gammaUnsupported(route: RouteIntent): Unsupported[] {
  const out = headerPrefixProblems(route.matches);
  if (route.fault) {
    out.push({ feature: 'fault injection', instead: 'HTTPRoute has no fault injection; use MeshProvider.istio() with its own routing API (VirtualService fault)' });
  }
  return out;
}

/** Experimental `retry`: status codes, attempts and a backoff; per-try timeouts are `timeouts.backendRequest`. */
const RETRY_CODES: Record<string, number[]> = {
  '5xx': Array.from({ length: 100 }, (_, i) => 500 + i),
  'gateway-error': [502, 503, 504],
  'retriable-4xx': [409],
};

function experimentalRetryUnsupported(route: RouteIntent): Unsupported[] {
  const r = route.retries!;
  const out: Unsupported[] = [];
  const connectionLevel = r.retryOnExplicit ? r.retryOn.filter(c => !(c in RETRY_CODES)) : [];
  if (connectionLevel.length > 0) {
    out.push({ feature: `retrying on ${connectionLevel.join(', ')}`, instead: 'HTTPRoute retry.codes name response statuses: use HttpRetryOn.SERVER_ERROR, GATEWAY_ERROR or RETRIABLE_4XX' });
  }
  if (r.attempts === 0) out.push({ feature: 'zero retry attempts', instead: 'retry.attempts is at least 1; drop retries instead' });
  if (r.budget) out.push({ feature: 'a retry budget', instead: 'set retries.attempts instead of retries.budget' });
  return out;
}

/**
 * The spec of a host's HTTPRoute with a Service parent. Shared with meshes whose own HTTPRoute
 * kind copies Gateway API's (Linkerd's policy.linkerd.io), which may lack rule names.
 */
export function gammaRouteSpec(
  host: HostIntent,
  options: { ruleNames: boolean; mirrorPercent: boolean; experimentalRetries?: boolean; describe: string },
): HTTPRouteSpec {
  const backend = (version?: string): BackendRef => ({
    name: version === undefined ? host.name : (host.versions.find(v => v.name === version)?.serviceName ?? `${host.name}-${version}`),
    port: host.port.number,
  });
  const rule = (r: RouteIntent): HTTPRouteRule => ({
    name: options.ruleNames ? r.name : undefined,
    matches: r.matches.length > 0 ? r.matches.map(m => gatewayApiMatch(m)) : undefined,
    filters: orUndefined([
      ...headerFilters(r.requestHeaders, r.responseHeaders),
      ...(r.mirror ? [{
        type: 'RequestMirror' as const,
        // Without `percent` (before Gateway API v1.3) every request is mirrored: unsupported() allows only 100 then.
        requestMirror: { backendRef: backend(r.mirror.version), ...(options.mirrorPercent ? mirrorShare(r.mirror.percent) : {}) },
      }] : []),
    ]),
    backendRefs: r.backends.map(b => extend(backend(b.version), { weight: r.backends.length > 1 ? b.weight : undefined })),
    timeouts: r.timeout || (options.experimentalRetries && r.retries?.perTryTimeout) ? {
      request: r.timeout ? goDuration(r.timeout) : undefined,
      backendRequest: options.experimentalRetries && r.retries?.perTryTimeout ? goDuration(perTry(r.retries.perTryTimeout, r.timeout)) : undefined,
    } : undefined,
    retry: options.experimentalRetries && r.retries ? {
      attempts: r.retries.attempts,
      // Without explicit conditions: the nearest to the neutral default (connection failures surface as 502-504).
      codes: [...new Set((r.retries.retryOnExplicit ? r.retries.retryOn : ['gateway-error']).flatMap(c => RETRY_CODES[c]))].sort((a, b) => a - b),
    } : undefined,
  });
  return {
    // GAMMA: a route whose parent is a Service applies to traffic addressed to that Service.
    parentRefs: [{ group: '', kind: 'Service', name: host.name, port: host.port.number }],
    // Gateway API orders rules by specificity: rendered so the declared first-match order holds.
    rules: forSpecificity(host.routes, routeSpecificity(options.describe)).map(rule),
  };
}

type HeaderFilter = Pick<HTTPRouteFilter, 'requestHeaderModifier' | 'responseHeaderModifier'> & { type: 'RequestHeaderModifier' | 'ResponseHeaderModifier' };

/** Header changes as HTTPRoute filters (standard channel since v1.0). */
export function headerFilters(request?: HeaderModifierIntent, response?: HeaderModifierIntent): HeaderFilter[] {
  const modifier = (h: HeaderModifierIntent): HTTPHeaderFilter => {
    const pairs = (list: [string, string][]) => list.length > 0 ? list.map(([name, value]) => ({ name, value })) : undefined;
    return { set: pairs(h.set), add: pairs(h.add), remove: h.remove.length > 0 ? h.remove : undefined };
  };
  return [
    ...(request ? [{ type: 'RequestHeaderModifier' as const, requestHeaderModifier: modifier(request) }] : []),
    ...(response ? [{ type: 'ResponseHeaderModifier' as const, responseHeaderModifier: modifier(response) }] : []),
  ];
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

/**
 * RequestMirror `percent` is an int32 (apis/v1/httproute_types.go HTTPRequestMirrorFilter): a
 * fractional percentage goes to `fraction` instead (numerator over denominator), exact to 6 decimals.
 */
export function mirrorShare(percent: number): { percent?: number; fraction?: { numerator: number; denominator: number } } {
  if (Number.isInteger(percent)) return { percent };
  const decimals = Math.min((String(percent).split('.')[1] ?? '').length, 6);
  const denominator = 100 * 10 ** decimals;
  return { fraction: { numerator: Math.round(percent * 10 ** decimals), denominator } };
}

/**
 * A try cannot outlast its request, and Gateway API refuses a `backendRequest` timeout longer than
 * `request` (CEL). A route policy's shorter timeout on a release with retries would give one; the
 * request timeout is what applies then anyway, so it is the per-try timeout too.
 */
function perTry(perTryTimeout: Duration, request?: Duration): Duration {
  return request && request.toMilliseconds() < perTryTimeout.toMilliseconds() ? request : perTryTimeout;
}
