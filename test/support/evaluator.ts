/**
 * A small evaluator of each routing API's matching semantics: a request in, the chosen backends
 * and the route's policy out. It reads the objects the library emits, so a test can show that one
 * program routes the same requests the same way on every provider.
 *
 * - Istio VirtualService: `http` routes in order, first match wins; `uri.prefix` is a string
 *   prefix, regexes (RE2) match the whole value, header keys are lower-case.
 *   https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 * - Gateway API HTTPRoute (and Linkerd's policy.linkerd.io copy): every (rule, match) that
 *   matches competes; precedence goes to an Exact path, then the longest PathPrefix (whole
 *   segments), then a method, then the most header matches, then the most query parameter
 *   matches; list order breaks the remaining ties. A match without a path is PathPrefix `/`.
 *   https://gateway-api.sigs.k8s.io/reference/spec/#httprouterule (apis/v1/httproute_types.go)
 * - Gateway API GRPCRoute: a gRPC call is a POST to `/<service>/<method>`; every (rule, match)
 *   that matches competes; precedence goes to the most characters of a matching service, then
 *   of a matching method, then the most header matches; list order breaks the remaining ties.
 *   https://gateway-api.sigs.k8s.io/reference/spec/#grpcrouterule (apis/v1/grpcroute_types.go)
 */

export interface TestRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

/** What the mesh does with a request, in provider-neutral terms. */
export interface Decision {
  /** `version:weight`, sorted; the bare host is `host` */
  readonly backends: string[];
  readonly timeout?: string;
  readonly retryAttempts?: number;
  /** `version:percent` */
  readonly mirror?: string;
  /** the path the backend sees, where the route rewrites it */
  readonly rewrittenPath?: string;
}

/** Gateway API's URL rewrite of `path` after `match` (ReplacePrefixMatch replaces the matched prefix). */
function rewritePath(rewrite: any, match: any, path: string): string {
  if (rewrite.type === 'ReplaceFullPath') return rewrite.replaceFullPath;
  const prefix = (match.path?.value ?? '/').replace(/\/+$/, '');
  const rest = path.slice(prefix.length);
  const out = `${rewrite.replacePrefixMatch.replace(/\/+$/, '')}${rest}`;
  return out === '' ? '/' : out;
}

/** Istio's rewrite of `path` after the route's match: `uri` replaces the matched prefix (or the whole path). */
export function istioRewrittenPath(route: any, r: TestRequest): string | undefined {
  const uri = route.rewrite?.uri;
  if (uri === undefined) return undefined;
  const m = route.match?.find((x: any) => istioMatches(x, r));
  const prefix = m?.uri?.prefix;
  return prefix !== undefined ? `${uri}${r.path.slice(prefix.length)}` : uri;
}

function full(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

function stringMatch(m: any, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) return full(m.regex, value);
  throw new Error(`unknown Istio string match ${JSON.stringify(m)}`);
}

function lowerKeys(h: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

function istioMatches(m: any, r: TestRequest): boolean {
  const headers = lowerKeys(r.headers);
  if (m.uri && !stringMatch(m.uri, r.path)) return false;
  if (m.method && !stringMatch(m.method, r.method)) return false;
  for (const [k, v] of Object.entries(m.headers ?? {})) if (!stringMatch(v, headers[k])) return false;
  for (const [k, v] of Object.entries(m.queryParams ?? {})) if (!stringMatch(v, r.query?.[k])) return false;
  return true;
}

/** The route an Istio VirtualService picks (first match wins); destinations without a subset by host. */
export function evaluateVirtualService(vs: any, r: TestRequest, host?: string): Decision | undefined {
  const route = (vs.spec.http as any[]).find(h => !h.match || h.match.some((m: any) => istioMatches(m, r)));
  if (!route) return undefined;
  const single = route.route.length === 1;
  return {
    backends: route.route.map((d: any) => `${d.destination.subset ?? (host === undefined || d.destination.host === host ? 'host' : d.destination.host)}:${single ? 100 : d.weight}`).sort(),
    timeout: route.timeout,
    retryAttempts: route.retries?.attempts,
    mirror: route.mirror ? `${route.mirror.subset ?? 'host'}:${route.mirrorPercentage?.value ?? 100}` : undefined,
    rewrittenPath: istioRewrittenPath(route, r),
  };
}

function gatewayPathMatches(p: any, path: string): boolean {
  const type = p?.type ?? 'PathPrefix';
  const value = p?.value ?? '/';
  if (type === 'Exact') return path === value;
  if (type === 'RegularExpression') return full(value, path);
  const prefix = value.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

function gatewayMatches(m: any, r: TestRequest): boolean {
  const headers = lowerKeys(r.headers);
  if (!gatewayPathMatches(m.path, r.path)) return false;
  if (m.method && m.method !== r.method) return false;
  for (const h of m.headers ?? []) {
    const v = headers[h.name.toLowerCase()];
    if (v === undefined || ((h.type ?? 'Exact') === 'Exact' ? v !== h.value : !full(h.value, v))) return false;
  }
  for (const q of m.queryParams ?? []) {
    const v = r.query?.[q.name];
    if (v === undefined || ((q.type ?? 'Exact') === 'Exact' ? v !== q.value : !full(q.value, v))) return false;
  }
  return true;
}

/** Precedence of a match: larger wins (compared element by element). */
function specificity(m: any): number[] {
  const type = m.path?.type ?? 'PathPrefix';
  return [
    type === 'Exact' ? 1 : 0,
    type === 'PathPrefix' ? (m.path?.value ?? '/').length : 0,
    m.method ? 1 : 0,
    (m.headers ?? []).length,
    (m.queryParams ?? []).length,
  ];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return b[i] - a[i];
  return 0;
}

/**
 * The rule a Gateway API HTTPRoute picks. `host` names the route's parent Service, whose
 * per-version Services are `<host>-<version>`; Linkerd's retry annotations apply to every rule.
 */
export function evaluateHttpRoute(route: any, host: string, r: TestRequest): Decision | undefined {
  let best: { rule: any; match: any; key: number[]; index: number } | undefined;
  (route.spec.rules as any[]).forEach((rule, index) => {
    for (const m of rule.matches ?? [{}]) {
      if (!gatewayMatches(m, r)) continue;
      const key = specificity(m);
      if (!best || compare(key, best.key) < 0 || (compare(key, best.key) === 0 && index < best.index)) best = { rule, match: m, key, index };
    }
  });
  if (!best) return undefined;
  const version = (name: string) => name === host ? 'host' : name.startsWith(`${host}-`) ? name.slice(host.length + 1) : name;
  const refs: any[] = best.rule.backendRefs ?? [];
  const limit = route.metadata.annotations?.['retry.linkerd.io/limit'];
  const mirror = (best.rule.filters ?? []).find((f: any) => f.type === 'RequestMirror')?.requestMirror;
  const rewrite = (best.rule.filters ?? []).find((f: any) => f.type === 'URLRewrite')?.urlRewrite?.path;
  return {
    backends: refs.map(b => `${version(b.name)}:${refs.length === 1 ? 100 : b.weight}`).sort(),
    rewrittenPath: rewrite ? rewritePath(rewrite, best.match, r.path) : undefined,
    timeout: best.rule.timeouts?.request,
    retryAttempts: best.rule.retry?.attempts ?? (limit !== undefined ? Number(limit) : undefined),
    mirror: mirror ? `${version(mirror.backendRef.name)}:${mirror.percent ?? 100}` : undefined,
  };
}

function grpcMatches(m: any, service: string, method: string, r: TestRequest): boolean {
  const headers = lowerKeys(r.headers);
  if (m.method?.service !== undefined && m.method.service !== service) return false;
  if (m.method?.method !== undefined && m.method.method !== method) return false;
  for (const h of m.headers ?? []) {
    const v = headers[h.name.toLowerCase()];
    if (v === undefined || ((h.type ?? 'Exact') === 'Exact' ? v !== h.value : !full(h.value, v))) return false;
  }
  return true;
}

/** The rule a GRPCRoute picks for a gRPC call (`r.path` is `/<service>/<method>`). */
export function evaluateGrpcRoute(route: any, host: string, r: TestRequest): Decision | undefined {
  const [, service = '', method = ''] = r.path.split('/');
  let best: { rule: any; key: number[]; index: number } | undefined;
  (route.spec.rules as any[]).forEach((rule, index) => {
    for (const m of rule.matches ?? [{}]) {
      if (!grpcMatches(m, service, method, r)) continue;
      const key = [(m.method?.service ?? '').length, (m.method?.method ?? '').length, (m.headers ?? []).length];
      if (!best || compare(key, best.key) < 0 || (compare(key, best.key) === 0 && index < best.index)) best = { rule, key, index };
    }
  });
  if (!best) return undefined;
  const version = (name: string) => name === host ? 'host' : name.startsWith(`${host}-`) ? name.slice(host.length + 1) : name;
  const refs: any[] = best.rule.backendRefs ?? [];
  const limit = route.metadata.annotations?.['retry.linkerd.io/limit'];
  const mirror = (best.rule.filters ?? []).find((f: any) => f.type === 'RequestMirror')?.requestMirror;
  return {
    backends: refs.map(b => `${version(b.name)}:${refs.length === 1 ? 100 : b.weight}`).sort(),
    timeout: route.metadata.annotations?.['timeout.linkerd.io/request'],
    retryAttempts: limit !== undefined ? Number(limit) : undefined,
    mirror: mirror ? `${version(mirror.backendRef.name)}:${mirror.percent ?? 100}` : undefined,
  };
}

/** The decision of whichever routing object a provider emitted for `host`. */
export function evaluate(objects: any[], host: string, r: TestRequest): Decision | undefined {
  const vs = objects.find(o => o.kind === 'VirtualService' && o.metadata.name === host);
  if (vs) return evaluateVirtualService(vs, r);
  const route = objects.find(o => o.kind === 'HTTPRoute' && o.metadata.name === host);
  if (route) return evaluateHttpRoute(route, host, r);
  const grpc = objects.find(o => o.kind === 'GRPCRoute' && o.metadata.name === host);
  if (grpc) return evaluateGrpcRoute(grpc, host, r);
  throw new Error(`no VirtualService, HTTPRoute or GRPCRoute for ${host}`);
}
