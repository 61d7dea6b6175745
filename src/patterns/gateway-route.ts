import { Chart, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GatewayBackend } from './gateway-backend';
import { IngressGateway } from './ingress-gateway';
import { HeaderModification } from '../model/headers';
import { IngressBackendIntent, IngressRuleIntent, RedirectIntent, RewriteIntent } from '../model/ingress';
import { RequestMatch } from '../model/match';
import { ServiceProtocol } from '../model/protocol';
import { HttpRetryPolicy } from '../model/retry';
import { checkDns1123Label, checkPort, invalid } from '../private/errors';
import { headerModification, headerModifierIntent } from '../private/headers';
import { checkHostname, hostnamesIntersect } from '../private/hostname';
import { positiveDuration, retryIntent, retryPolicy } from '../private/retry';
import {
  absolutePath, arrayOf, checkProps, dns1123Label, duration, hostname, instanceOf, number, object, optional, portNumber, required,
  shaped, string,
} from '../private/validation';

/**
 * An HTTP redirect answered by the gateway instead of routing the request.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprequestredirectfilter
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRedirect
 */
export interface HttpRedirect {
  /**
   * The scheme of the new location: `http` or `https`.
   * @default - the request's scheme
   */
  readonly scheme?: string;

  /**
   * The host of the new location.
   * @default - the request's host
   */
  readonly hostname?: string;

  /**
   * The path of the new location (replaces the whole path).
   * @default - the request's path
   */
  readonly path?: string;

  /**
   * The port of the new location.
   * @default - the default port of the scheme
   */
  readonly port?: number;

  /**
   * The status code: 301, 302, 303, 307 or 308.
   * @default 301
   */
  readonly statusCode?: number;
}

/**
 * Rewrites of the request before it is forwarded.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#httpurlrewritefilter
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRewrite
 */
export interface UrlRewrite {
  /**
   * The Host header the backend sees.
   * @default - unchanged
   */
  readonly hostname?: string;

  /**
   * Replaces the matched path prefix (`/api/v1` matched, `/v1` given: `/api/v1/x` becomes
   * `/v1/x`). The rule needs exactly one match, on a path prefix.
   * @default - the prefix is kept
   */
  readonly pathPrefix?: string;

  /**
   * Replaces the whole path.
   * @default - the path is kept
   */
  readonly fullPath?: string;
}

/**
 * One rule of a `GatewayRoute`: which requests, and where they go (backends) or what they get
 * (a redirect).
 */
export interface GatewayRouteRule {
  /**
   * The rule's name (Istio: the route name; Gateway API: the rule name).
   * @default - unnamed
   */
  readonly name?: string;

  /**
   * The requests the rule applies to (any of them).
   * @default - all requests
   */
  readonly matches?: RequestMatch[];

  /**
   * Where the requests go. Several backends set weights that add up to 100.
   * @default - none: the rule needs `redirect` then
   */
  readonly backends?: GatewayBackend[];

  /**
   * Answer with a redirect instead of routing (not with `backends`).
   * @default - no redirect
   */
  readonly redirect?: HttpRedirect;

  /**
   * Rewrite the path or host before forwarding.
   * @default - no rewrite
   */
  readonly rewrite?: UrlRewrite;

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

  /**
   * The request timeout.
   * @default - the gateway's default
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproutetimeouts
   */
  readonly timeout?: Duration;

  /**
   * Retries (Istio only: the standard channel of Gateway API has none).
   * @default - the gateway's default
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
   */
  readonly retries?: HttpRetryPolicy;
}

/**
 * Props for `GatewayRoute`.
 */
export interface GatewayRouteProps {
  /** The gateway the route attaches to; its mesh renders the route. */
  readonly gateway: IngressGateway;

  /**
   * The rules, in order of precedence.
   */
  readonly rules: GatewayRouteRule[];

  /**
   * The hostnames the route serves (a leading `*.` is a wildcard).
   * @default - every host the gateway's listeners accept
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httproute
   */
  readonly hostnames?: string[];

  /**
   * The listener the route attaches to (Gateway API `sectionName`).
   * @default - every HTTP/HTTPS listener of the gateway that does not redirect to HTTPS
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#parentreference
   */
  readonly listener?: string;

  /**
   * The name of the route object.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The namespace of the route object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
}

const MAX_RULES = 16;
const REDIRECT_CODES = [301, 302, 303, 307, 308];

/**
 * Lets outside traffic in: the routing of some hostnames on an `IngressGateway` — matches,
 * redirects, rewrites, header changes, weighted backends, timeouts and retries. Istio: a
 * VirtualService bound to the Gateway; Gateway API: an HTTPRoute (or a TLSRoute on a
 * passthrough listener), with ReferenceGrants for backends in other namespaces.
 */
export class GatewayRoute extends Construct {
  /** The name of the route object. */
  public readonly routeName: string;
  /** The namespace of the route object (undefined: none set on the chart either). */
  public readonly routeNamespace?: string;

  constructor(scope: Construct, id: string, props: GatewayRouteProps) {
    super(scope, id);
    checkProps(this, props, {
      gateway: required(shaped(['_intent', 'mesh'], 'an IngressGateway')),
      rules: required(arrayOf(object({
        name: optional(dns1123Label),
        matches: optional(arrayOf(instanceOf(RequestMatch, 'RequestMatch (RequestMatch.pathPrefix(), .of(), ...)'))),
        backends: optional(arrayOf(instanceOf(GatewayBackend, 'GatewayBackend (GatewayBackend.service(), .host(), .canary())'))),
        redirect: optional(object({
          scheme: optional(string()),
          hostname: optional(hostname),
          path: optional(absolutePath),
          port: optional(portNumber),
          statusCode: optional(number(301, 308, { rule: 'one of 301, 302, 303, 307, 308' })),
        })),
        rewrite: optional(object({ hostname: optional(hostname), pathPrefix: optional(absolutePath), fullPath: optional(absolutePath) })),
        requestHeaders: optional(headerModification),
        responseHeaders: optional(headerModification),
        timeout: optional(duration()),
        retries: optional(retryPolicy),
      }))),
      hostnames: optional(arrayOf(hostname, { unique: true })),
      listener: optional(dns1123Label),
      name: optional(dns1123Label),
      namespace: optional(dns1123Label),
    });
    const gateway = props.gateway;
    const name = props.name ?? id;
    checkDns1123Label(this, 'name', name);
    if (props.namespace != null) checkDns1123Label(this, 'namespace', props.namespace);
    const namespace = props.namespace ?? Chart.of(this).namespace;

    const hostnames = props.hostnames ?? [];
    hostnames.forEach((h, i) => {
      checkHostname(this, `hostnames[${i}]`, h);
      if (hostnames.indexOf(h) !== i) invalid(this, `hostnames[${i}]`, h, 'unique');
    });

    const listeners = gateway._intent.listeners;
    let attached = listeners.filter(l => l.protocol !== 'TLS' && !l.httpsRedirect);
    if (props.listener != null) {
      const named = listeners.find(l => l.name === props.listener);
      if (!named) invalid(this, 'listener', props.listener, `a listener of gateway ${gateway.node.path} (${gateway.listenerNames.join(', ')})`);
      if (named.httpsRedirect) invalid(this, 'listener', props.listener, 'a listener that routes (this one redirects every request to HTTPS)');
      attached = [named];
    }
    if (attached.length === 0) {
      invalid(this, 'listener', props.listener, `set: gateway ${gateway.node.path} has no HTTP or HTTPS listener that routes`);
    }
    const passthrough = attached[0].protocol === 'TLS';
    for (const l of attached) {
      if (l.hostname === undefined) continue;
      hostnames.forEach((h, i) => {
        if (!hostnamesIntersect(l.hostname!, h)) {
          invalid(this, `hostnames[${i}]`, h, `a host that listener '${l.name}' accepts (${l.hostname})`);
        }
      });
    }

    if (props.rules.length === 0) invalid(this, 'rules', [], 'non-empty (at least one rule)');
    if (props.rules.length > MAX_RULES) invalid(this, 'rules', `${props.rules.length} rules`, `at most ${MAX_RULES} (Gateway API's limit; split the route)`);
    const rules = props.rules.map((r, i) => this.rule(r, `rules[${i}]`, gateway, namespace, passthrough));
    if (passthrough) {
      const r = rules[0];
      if (hostnames.length === 0) invalid(this, 'hostnames', [], 'non-empty on a TLS passthrough listener (the SNI names to route)');
      if (rules.length !== 1 || r.matches.length > 0 || r.redirect || r.rewrite || r.requestHeaders || r.responseHeaders || r.timeout || r.retries) {
        invalid(this, 'rules', `${rules.length} rule(s)`, `one rule with backends only on TLS passthrough listener '${attached[0].name}' (the gateway cannot see HTTP)`);
      }
    }

    this.routeName = name;
    this.routeNamespace = namespace;
    gateway._attach(this, {
      source: this,
      name,
      namespace,
      hostnames,
      listeners: attached.map(l => l.name),
      allListeners: props.listener == null,
      passthrough,
      rules,
    });
  }

  private rule(r: GatewayRouteRule, prop: string, gateway: IngressGateway, namespace: string | undefined, passthrough: boolean): IngressRuleIntent {
    if (r.name != null) checkDns1123Label(this, `${prop}.name`, r.name);
    const matches = (r.matches ?? []).map((m, i) => m._toIntent(this, `${prop}.matches[${i}]`));
    matches.forEach((m, i) => {
      // An ingress route is an HTTPRoute (or an Istio Gateway's VirtualService): no gRPC method field.
      if (m.grpcMethod) {
        invalid(this, `${prop}.matches[${i}].grpcMethod`, m.grpcMethod,
          'unset on a GatewayRoute (an HTTP route): match the call\'s path instead, PathMatch.exact(\'/<service>/<method>\') or PathMatch.prefix(\'/<service>\')');
      }
    });
    const given = r.backends ?? [];
    if (r.redirect && given.length > 0) {
      invalid(this, `${prop}.redirect`, r.redirect, 'unset when the rule has backends (a rule either redirects or routes)');
    }
    if (!r.redirect && given.length === 0) {
      invalid(this, `${prop}.backends`, [], 'non-empty, or a redirect set instead');
    }
    if (r.redirect && r.rewrite) {
      invalid(this, `${prop}.rewrite`, r.rewrite, 'unset when the rule redirects (set the redirect\'s path or hostname instead)');
    }
    const intents = given.map((b, i) => b._toIntent(this, `${prop}.backends[${i}]`));
    intents.forEach((b, i) => {
      // An HTTP route sends requests, which a TCP host does not take; TLS passthrough forwards connections.
      if (!passthrough && b.protocol === ServiceProtocol.TCP) {
        invalid(this, `${prop}.backends[${i}]`, b.backends[0]?.service,
          'a host that serves HTTP, HTTP/2 or gRPC on an HTTP(S) listener (this one serves TCP, protocol: ServiceProtocol.TCP): route it from a TLS passthrough listener');
      }
    });
    const release = intents.find(b => b.release !== undefined)?.release;
    if (release && given.length > 1) {
      invalid(this, `${prop}.backends`, `${given.length} backends`, 'a single GatewayBackend.canary() (it carries the release\'s own weights)');
    }
    if (release && release.mesh.provider._renderers.key !== gateway.mesh.provider._renderers.key) {
      invalid(this, 'backends', release.source.node.path, `a release rendered by the gateway's mesh provider (${gateway.mesh.provider.name}), which addresses its versions the same way`);
    }
    const backends = intents.flatMap(b => b.backends).map(b => this.resolveNamespace(b, namespace, prop));
    if (backends.length > 1) {
      backends.forEach((b, i) => {
        if (b.weight === undefined) invalid(this, `${prop}.backends[${i}].weight`, undefined, 'set on every backend of a rule with several backends');
      });
      const sum = backends.reduce((n, b) => n + b.weight!, 0);
      if (sum !== 100) invalid(this, `${prop}.backends`, backends.map(b => b.weight), 'weights that add up to 100');
    }
    if (r.timeout != null) positiveDuration(this, `${prop}.timeout`, r.timeout);
    return {
      name: r.name,
      matches,
      backends,
      redirect: r.redirect ? this.redirect(r.redirect, `${prop}.redirect`) : undefined,
      rewrite: r.rewrite ? this.rewrite(r.rewrite, `${prop}.rewrite`, matches) : undefined,
      requestHeaders: r.requestHeaders ? headerModifierIntent(this, `${prop}.requestHeaders`, r.requestHeaders) : undefined,
      responseHeaders: r.responseHeaders ? headerModifierIntent(this, `${prop}.responseHeaders`, r.responseHeaders) : undefined,
      timeout: r.timeout ?? undefined,
      retries: r.retries ? retryIntent(this, `${prop}.retries`, r.retries, r.timeout ?? undefined) : undefined,
    };
  }

  /** Backends name their namespace whenever the route does, so cross-namespace is explicit. */
  private resolveNamespace(b: IngressBackendIntent, namespace: string | undefined, prop: string): IngressBackendIntent {
    const ns = b.namespace ?? Chart.of(this).namespace;
    if (ns !== undefined && namespace === undefined) {
      invalid(this, 'namespace', undefined, `set (or the chart's) because ${prop} routes to namespace '${ns}', and a cross-namespace reference names both`);
    }
    return { ...b, namespace: ns };
  }

  private redirect(r: HttpRedirect, prop: string): RedirectIntent {
    if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') invalid(this, `${prop}.scheme`, r.scheme, '"http" or "https"');
    if (r.hostname != null) checkHostname(this, `${prop}.hostname`, r.hostname);
    if (r.hostname?.startsWith('*')) invalid(this, `${prop}.hostname`, r.hostname, 'a host without a wildcard');
    if (r.path != null) checkAbsolutePath(this, `${prop}.path`, r.path);
    if (r.port != null) checkPort(this, `${prop}.port`, r.port);
    const statusCode = r.statusCode ?? 301;
    if (!REDIRECT_CODES.includes(statusCode)) invalid(this, `${prop}.statusCode`, statusCode, `one of ${REDIRECT_CODES.join(', ')}`);
    if (r.scheme == null && r.hostname == null && r.path == null && r.port == null) {
      invalid(this, prop, r, 'a change of scheme, hostname, path or port (a redirect to the same URL loops)');
    }
    return { scheme: r.scheme ?? undefined, hostname: r.hostname ?? undefined, path: r.path ?? undefined, port: r.port ?? undefined, statusCode };
  }

  private rewrite(r: UrlRewrite, prop: string, matches: IngressRuleIntent['matches']): RewriteIntent {
    if (r.hostname != null) checkHostname(this, `${prop}.hostname`, r.hostname);
    if (r.hostname?.startsWith('*')) invalid(this, `${prop}.hostname`, r.hostname, 'a host without a wildcard');
    if (r.pathPrefix != null && r.fullPath != null) invalid(this, `${prop}.fullPath`, r.fullPath, 'unset when pathPrefix is set (one path rewrite)');
    if (r.pathPrefix != null) {
      checkAbsolutePath(this, `${prop}.pathPrefix`, r.pathPrefix);
      if (matches.length !== 1 || matches[0].path?.kind !== 'prefix') {
        invalid(this, `${prop}.pathPrefix`, r.pathPrefix, 'used in a rule with exactly one match, on a path prefix (the prefix it replaces)');
      }
    }
    if (r.fullPath != null) checkAbsolutePath(this, `${prop}.fullPath`, r.fullPath);
    if (r.hostname == null && r.pathPrefix == null && r.fullPath == null) {
      invalid(this, prop, r, 'a rewrite of the hostname, the path prefix or the full path');
    }
    return { hostname: r.hostname ?? undefined, pathPrefix: r.pathPrefix ?? undefined, fullPath: r.fullPath ?? undefined };
  }
}

function checkAbsolutePath(scope: IConstruct, prop: string, path: string): void {
  if (!path.startsWith('/') || /\s/.test(path)) invalid(scope, prop, path, 'a path that starts with \'/\' and has no white space');
}
