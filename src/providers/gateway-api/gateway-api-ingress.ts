import { Construct } from 'constructs';
import { gatewayApiMatch, headerFilters, headerPrefixProblems } from './gamma-routing';
import { GatewayApiProfile, gatewayApiHas, gatewayApiLacks } from './profile';
import { grantReferences, Referent } from './reference-grants';
import {
  GatewaySpec, IngressBackendRef, IngressHTTPRouteFilter, IngressHTTPRouteRule, IngressHTTPRouteSpec,
  IngressParentReference, Listener, TLSRouteSpec,
} from './types';
import { GatewayIntent, IngressBackendIntent, IngressRouteIntent, IngressRuleIntent, ListenerIntent } from '../../model/ingress';
import { MatchIntent } from '../../model/intents';
import { forSpecificity } from '../../model/precedence';
import { IngressRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { Claim, emit, rename } from '../../private/ownership';
import { renderCertificates } from '../shared/cert-manager';

const GROUP = 'gateway.networking.k8s.io';

/** How a provider's Gateway API ingress differs from another's. */
export interface GatewayApiIngressOptions {
  /** the GatewayClass when the user names none; undefined: the user must name one */
  readonly defaultClassName?: string;
  /**
   * whether `RegularExpression` path matches are allowed: Gateway API leaves their syntax and
   * precedence to the implementation, so only a provider that knows the implementation allows them
   */
  readonly regexPaths: boolean;
}

/**
 * Renders ingress as Gateway API: an optional GatewayClass, a Gateway (listeners, certificate
 * references, allowed route namespaces), an HTTPRoute (or TLSRoute) per route with the
 * `sectionName`s it attaches to, an HTTPS-redirect HTTPRoute per redirecting listener, and
 * ReferenceGrants for references across namespaces. Standard-channel features only.
 * Versions of a CanaryRelease are its per-version Services.
 * @see https://gateway-api.sigs.k8s.io/api-types/gateway/
 */
export class GatewayApiIngress implements IngressRenderer {
  public readonly displayName: string;

  private readonly apiVersion: string;

  /** @param profile the Gateway API the configuration targets: what the cluster serves and the implementation honours */
  constructor(private readonly profile: GatewayApiProfile, providerName: string, private readonly options: GatewayApiIngressOptions) {
    this.apiVersion = profile.apiVersion;
    this.displayName = `${providerName} (${GROUP}/${profile.apiVersion} Gateway)`;
  }

  public unsupportedGateway(gateway: GatewayIntent): Unsupported[] {
    if (gateway.className === undefined && this.options.defaultClassName === undefined) {
      return [{
        feature: 'a gateway without a named implementation',
        instead: 'name the gateway implementation: implementation: GatewayImplementation.fromClassName(\'eg\') for an existing GatewayClass, or .withController(className, controllerName) to create one',
      }];
    }
    return [];
  }

  public unsupportedRoute(route: IngressRouteIntent): Unsupported[] {
    const out: Unsupported[] = [];
    if (route.passthrough && this.profile.tlsRoute.unsupported) out.push(this.profile.tlsRoute.unsupported);
    for (const rule of route.rules) {
      const timeout = rule.timeout ? gatewayApiLacks(this.profile, 'timeouts', 'a request timeout') : undefined;
      if (timeout) out.push(timeout);
      if (rule.retries) {
        out.push({
          feature: 'retries',
          instead: 'the standard channel of Gateway API has no retry field; configure retries in the gateway implementation, use Istio\'s own API (MeshProvider.istio()), or drop them',
        });
      }
      if (!this.options.regexPaths && rule.matches.some(m => m.path?.kind === 'regex')) {
        out.push({
          feature: 'a regular-expression path match',
          instead: 'its syntax and precedence are implementation-specific in Gateway API; use PathMatch.exact() or .prefix(), or a provider that knows the implementation (MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }))',
        });
      }
      out.push(...headerPrefixProblems(rule.matches));
    }
    return out;
  }

  public renderGateway(scope: Construct, gateway: GatewayIntent, routes: () => IngressRouteIntent[]): void {
    const className = gateway.className ?? this.options.defaultClassName!;
    const owner: Claim = { owner: gateway.source, resolve: rename() };
    if (gateway.classController !== undefined) {
      // Gateways of one implementation share its one GatewayClass.
      emit(scope, 'GatewayClass', {
        apiVersion: `${GROUP}/${this.apiVersion}`,
        kind: 'GatewayClass',
        metadata: { name: className },
        spec: { controllerName: gateway.classController },
      }, { owner: gateway.source, merge: 'identical' });
    }
    const secrets: Referent[] = [];
    const { from, labels } = gateway.allowedRoutes;
    const listener = (l: ListenerIntent): Listener => {
      const cert = l.certificate;
      const certNamespace = cert?.namespace ?? gateway.namespace;
      if (cert && certNamespace !== undefined) secrets.push({ kind: 'Secret', name: cert.secretName, namespace: certNamespace });
      return {
        name: l.name,
        protocol: l.protocol,
        port: l.port,
        hostname: l.hostname,
        tls: l.protocol === 'HTTPS' ? {
          mode: 'Terminate',
          certificateRefs: [{ name: cert!.secretName, namespace: certNamespace !== gateway.namespace ? certNamespace : undefined }],
        } : l.protocol === 'TLS' ? { mode: 'Passthrough' } : undefined,
        allowedRoutes: { namespaces: { from, selector: labels ? { matchLabels: labels } : undefined } },
      };
    };
    const spec: GatewaySpec = { gatewayClassName: className, listeners: gateway.listeners.map(listener) };
    emit(scope, 'Resource', {
      apiVersion: `${GROUP}/${this.apiVersion}`,
      kind: 'Gateway',
      metadata: { name: gateway.name, namespace: gateway.namespace },
      spec,
    }, owner);
    if (gateway.namespace !== undefined) {
      grantReferences(scope, { kind: 'Gateway', namespace: gateway.namespace, name: gateway.name, owner: gateway.source }, secrets);
    }
    renderCertificates(scope, gateway, routes);
    for (const l of gateway.listeners.filter(x => x.httpsRedirect)) {
      const redirect: IngressHTTPRouteSpec = {
        parentRefs: [{ name: gateway.name, sectionName: l.name }],
        hostnames: l.hostname !== undefined ? [l.hostname] : undefined,
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      };
      emit(scope, `HttpsRedirect-${l.name}`, {
        apiVersion: `${GROUP}/${this.apiVersion}`,
        kind: 'HTTPRoute',
        metadata: { name: `${gateway.name}-${l.name}-https-redirect`, namespace: gateway.namespace },
        spec: redirect,
      }, owner);
    }
  }

  public renderRoute(scope: Construct, gateway: GatewayIntent, route: IngressRouteIntent): void {
    const kind = route.passthrough ? 'TLSRoute' : 'HTTPRoute';
    const gatewayNamespace = gateway.namespace !== route.namespace ? gateway.namespace : undefined;
    // Without sectionName a route attaches to every listener: only right when it takes them all.
    const everyListener = route.allListeners && gateway.listeners.every(l => l.protocol !== 'TLS' && !l.httpsRedirect);
    const parentRefs: IngressParentReference[] = everyListener
      ? [{ name: gateway.name, namespace: gatewayNamespace }]
      : route.listeners.map(sectionName => ({ name: gateway.name, namespace: gatewayNamespace, sectionName }));
    const services: Referent[] = [];
    const backendRefs = (backends: IngressBackendIntent[]): IngressBackendRef[] => backends.map(b => {
      const name = b.versionService ?? b.service;
      if (b.namespace !== undefined) services.push({ kind: 'Service', name, namespace: b.namespace });
      return {
        name,
        namespace: b.namespace !== route.namespace ? b.namespace : undefined,
        port: b.port,
        weight: backends.length > 1 ? b.weight : undefined,
      };
    });
    const hostnames = route.hostnames.length > 0 ? route.hostnames : undefined;
    const metadata = { name: route.name, namespace: route.namespace };
    const owner: Claim = { owner: route.source, resolve: rename() };
    if (route.passthrough) {
      const spec: TLSRouteSpec = { parentRefs, hostnames: route.hostnames, rules: [{ backendRefs: backendRefs(route.rules[0].backends) }] };
      // TLSRoute's version is the one the implementation watches and the bundle serves (see tlsRouteFor).
      emit(scope, 'Resource', { apiVersion: this.profile.tlsRoute.apiVersion!, kind, metadata, spec }, owner);
    } else {
      const spec: IngressHTTPRouteSpec = {
        parentRefs,
        hostnames,
        // The rules are in order of precedence; Gateway API orders by specificity, so overlaps get
        // rules of their own that keep the declared order (src/model/precedence.ts).
        rules: forSpecificity(route.rules, {
          describe: this.displayName,
          action: ingressActionKey,
          source: () => route.source,
          narrow: (r, matches) => narrowRule(route, r, matches),
        }).map(r => this.rule(r, backendRefs)),
      };
      emit(scope, 'Resource', { apiVersion: `${GROUP}/${this.apiVersion}`, kind, metadata, spec }, owner);
    }
    if (route.namespace !== undefined) {
      grantReferences(scope, { kind, namespace: route.namespace, name: route.name, owner: route.source }, services);
    }
  }

  private rule(r: IngressRuleIntent, backendRefs: (b: IngressBackendIntent[]) => IngressBackendRef[]): IngressHTTPRouteRule {
    const filters: IngressHTTPRouteFilter[] = [];
    if (r.redirect) {
      const { scheme, hostname, path, port, statusCode } = r.redirect;
      filters.push({
        type: 'RequestRedirect',
        requestRedirect: { scheme, hostname, path: path !== undefined ? { type: 'ReplaceFullPath', replaceFullPath: path } : undefined, port, statusCode },
      });
    }
    if (r.rewrite) {
      const { hostname, pathPrefix, fullPath } = r.rewrite;
      filters.push({
        type: 'URLRewrite',
        urlRewrite: {
          hostname,
          path: pathPrefix !== undefined ? { type: 'ReplacePrefixMatch', replacePrefixMatch: pathPrefix }
            : fullPath !== undefined ? { type: 'ReplaceFullPath', replaceFullPath: fullPath } : undefined,
        },
      });
    }
    filters.push(...headerFilters(r.requestHeaders, r.responseHeaders));
    return {
      name: gatewayApiHas(this.profile, 'ruleNames') ? r.name : undefined,
      matches: r.matches.length > 0 ? r.matches.map(m => gatewayApiMatch(m)) : undefined,
      filters: filters.length > 0 ? filters : undefined,
      backendRefs: r.backends.length > 0 ? backendRefs(r.backends) : undefined,
      timeouts: r.timeout ? { request: goDuration(r.timeout) } : undefined,
    };
  }
}


/** What a rule does (everything but its matches and name), as a key. */
function ingressActionKey(r: IngressRuleIntent): string {
  const { name: _name, matches: _matches, timeout, retries, ...rest } = r;
  return JSON.stringify({
    ...rest,
    timeout: timeout?.toMilliseconds(),
    retries: retries ? { ...retries, perTryTimeout: retries.perTryTimeout?.toMilliseconds(), budget: undefined } : undefined,
  });
}

/**
 * The rule `r` for a narrower set of requests. A prefix rewrite replaces the prefix the rule
 * matched: where the narrower match has a longer prefix, the replacement grows by the same
 * segments (`/api` → `/v1` seen through `/api/x` is `/api/x` → `/v1/x`); where it is an exact
 * path, the rewrite becomes the full path it yields.
 */
function narrowRule(route: IngressRouteIntent, r: IngressRuleIntent, matches: MatchIntent[]): IngressRuleIntent {
  const replacement = r.rewrite?.pathPrefix;
  const own = r.matches[0]?.path;
  if (replacement === undefined || own?.kind !== 'prefix') return { ...r, matches };
  const paths = [...new Set(matches.map(m => JSON.stringify(m.path)))];
  if (paths.length !== 1) {
    throw new Error(`${route.source.node.path}: the prefix rewrite of ${r.name !== undefined ? `rule '${r.name}'` : 'a rule'} cannot be kept for the requests an overlapping `
      + 'later rule narrows it to, on several paths at once: split the rule, or use Istio\'s own API (first match wins)');
  }
  const path = matches[0].path!;
  const base = own.value.replace(/\/+$/, '');
  const rest = path.value.replace(/\/+$/, '').slice(base.length);
  const rewritten = rest === '' ? replacement : `${replacement.replace(/\/+$/, '')}${rest}`;
  if (path.kind === 'prefix') return { ...r, matches, rewrite: { ...r.rewrite, pathPrefix: rewritten } };
  return { ...r, matches, rewrite: { ...r.rewrite, pathPrefix: undefined, fullPath: rewritten } };
}
