import { Construct } from 'constructs';
import { istioHeaders, istioMatches, istioRetries, istioRetriesUnsupported } from './istio-routing';
import { GatewaySpec, HTTPRouteDestination, IngressHTTPRoute, IngressVirtualServiceSpec, Server } from './types';
import { GatewayIntent, IngressBackendIntent, IngressRouteIntent, IngressRuleIntent, ListenerIntent } from '../../model/ingress';
import { IngressRenderer, Unsupported } from '../../model/renderer';
import { goDuration } from '../../private/duration';
import { emit, rename } from '../../private/ownership';
import { renderCertificates } from '../shared/cert-manager';

/**
 * Renders ingress as Istio's own API: a `networking.istio.io` Gateway (servers for the
 * listeners, selecting the ingress gateway pods) and a VirtualService per route bound to it
 * through `gateways:`. Versions of a CanaryRelease are the subsets of its DestinationRule.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export class IstioIngress implements IngressRenderer {
  public readonly displayName: string;

  /**
   * @param apiVersion e.g. `networking.istio.io/v1`
   * @param defaultWorkloadNamespace where the ingress gateway pods run unless a gateway says so
   */
  constructor(private readonly apiVersion: string, private readonly defaultWorkloadNamespace = 'istio-system') {
    this.displayName = `Istio (${apiVersion} Gateway)`;
  }

  public unsupportedGateway(gateway: GatewayIntent): Unsupported[] {
    const out: Unsupported[] = [];
    if (gateway.allowedRoutes.from === 'Selector') {
      out.push({
        feature: 'route namespaces selected by label (allowedRoutes)',
        instead: 'use AllowedRoutes.sameNamespace() or .allNamespaces(), or render through Gateway API (MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }))',
      });
    }
    // Istio's own Gateway selects ingress pods by label; a GatewayClass would be dropped.
    // pilot/pkg/model/credentials: a credentialName is read in the gateway workload's namespace
    // (analyzer IST0161 InvalidGatewayCredential); a Secret elsewhere is never found.
    const workload = this.workloadNamespace(gateway);
    for (const l of gateway.listeners) {
      const ns = l.certificate?.namespace;
      if (ns !== undefined && ns !== workload) {
        out.push({
          feature: `listener '${l.name}' taking its certificate Secret from namespace '${ns}'`,
          instead: `Istio reads credentialName in the namespace of the gateway workload ('${workload}'): keep the Secret there `
            + '(omit the namespace), set istioGatewayNamespace to where the gateway pods run, or render through Gateway API (IstioRoutingApi.GATEWAY_API)',
        });
      }
    }
    if (gateway.classController !== undefined || (gateway.className !== undefined && gateway.className !== 'istio')) {
      out.push({
        feature: `a gateway implementation (GatewayClass '${gateway.className}')`,
        instead: 'Istio\'s own Gateway selects its ingress pods with istioSelector: drop implementation, or render through Gateway API (MeshProvider.istio({ routingApi: IstioRoutingApi.GATEWAY_API }))',
      });
    }
    return out;
  }

  public unsupportedRoute(route: IngressRouteIntent): Unsupported[] {
    // A gateway-bound VirtualService expresses every ingress rule of the model but retry budgets.
    return route.rules.flatMap(r => istioRetriesUnsupported(r.retries));
  }

  public renderGateway(scope: Construct, gateway: GatewayIntent, routes: () => IngressRouteIntent[]): void {
    // "./host" admits VirtualServices of the Gateway's namespace only; a bare host, any namespace.
    const prefix = gateway.allowedRoutes.from === 'Same' ? './' : '';
    const server = (l: ListenerIntent): Server => ({
      port: { number: l.port, name: l.name, protocol: l.protocol },
      hosts: [`${prefix}${l.hostname ?? '*'}`],
      tls: l.httpsRedirect ? { httpsRedirect: true }
        : l.protocol === 'HTTPS' ? { mode: 'SIMPLE', credentialName: l.certificate!.secretName }
          : l.protocol === 'TLS' ? { mode: 'PASSTHROUGH' } : undefined,
    });
    const spec: GatewaySpec = { selector: gateway.istioSelector, servers: gateway.listeners.map(server) };
    emit(scope, 'Resource', {
      apiVersion: this.apiVersion,
      kind: 'Gateway',
      metadata: { name: gateway.name, namespace: gateway.namespace },
      spec,
    }, { owner: gateway.source, resolve: rename() });
    // cert-manager must write the Secret where the gateway pods read it, beside their deployment.
    renderCertificates(scope, gateway, routes, this.workloadNamespace(gateway));
  }

  private workloadNamespace(gateway: GatewayIntent): string {
    return gateway.istioWorkloadNamespace ?? this.defaultWorkloadNamespace;
  }

  public renderRoute(scope: Construct, gateway: GatewayIntent, route: IngressRouteIntent): void {
    const gatewayRef = gateway.namespace !== undefined && gateway.namespace !== route.namespace
      ? `${gateway.namespace}/${gateway.name}` : gateway.name;
    // A route on some listeners only: Istio binds a VirtualService to the whole Gateway, so the
    // listeners' ports become a condition of every match.
    const ports = route.allListeners ? [] : route.listeners.map(n => gateway.listeners.find(l => l.name === n)!.port);
    const destinations = (backends: IngressBackendIntent[]): HTTPRouteDestination[] => backends.map(b => ({
      destination: {
        host: b.namespace !== undefined && b.namespace !== route.namespace ? `${b.service}.${b.namespace}.svc.cluster.local` : b.service,
        subset: b.version,
        port: { number: b.port },
      },
      weight: backends.length > 1 ? b.weight : undefined,
    }));
    const spec: IngressVirtualServiceSpec = {
      hosts: route.hostnames.length > 0 ? route.hostnames : ['*'],
      gateways: [gatewayRef],
      http: route.passthrough ? undefined : route.rules.flatMap(r => this.httpRoutes(r, ports, destinations)),
      tls: route.passthrough ? [{
        match: (ports.length > 0 ? ports : [undefined]).map(port => ({ sniHosts: route.hostnames, port })),
        route: destinations(route.rules[0].backends),
      }] : undefined,
    };
    emit(scope, 'Resource', {
      apiVersion: this.apiVersion,
      kind: 'VirtualService',
      metadata: { name: route.name, namespace: route.namespace },
      spec,
    }, { owner: route.source, resolve: rename() });
  }

  /**
   * A rule as Istio HTTP routes: one, or two where a prefix rewrite follows a segment prefix match.
   * Istio replaces the matched prefix, which for the `prefix: /a/` half of a segment match
   * includes the slash: `/a/x` rewritten to `/v1` must become `/v1/x`, not `/v1x` (Gateway API's
   * `ReplacePrefixMatch`), so that half rewrites to `/v1/`.
   */
  private httpRoutes(r: IngressRuleIntent, ports: number[], destinations: (b: IngressBackendIntent[]) => HTTPRouteDestination[]): IngressHTTPRoute[] {
    const prefix = r.rewrite?.pathPrefix;
    const path = r.matches[0]?.path;
    const base = path?.kind === 'prefix' ? path.value.replace(/\/+$/, '') : '';
    if (prefix === undefined || prefix.endsWith('/') || base === '') {
      return [this.http(r, ports, destinations)];
    }
    const exact = { ...r.matches[0], path: { kind: 'exact' as const, value: base } };
    const below = { ...r.matches[0], path: { kind: 'prefix' as const, value: `${base}/` } };
    return [
      this.http({ ...r, matches: [exact] }, ports, destinations),
      this.http({ ...r, name: r.name ? `${r.name}-subpaths` : undefined, matches: [below], rewrite: { ...r.rewrite, pathPrefix: `${prefix}/` } }, ports, destinations, true),
    ];
  }

  /** @param stringPrefix the rule's prefix is already `/a/` of a segment match: render it as is */
  private http(r: IngressRuleIntent, ports: number[], destinations: (b: IngressBackendIntent[]) => HTTPRouteDestination[],
    stringPrefix = false): IngressHTTPRoute {
    const matches = r.matches.flatMap(m => istioMatches(m, stringPrefix));
    const withPorts = ports.length === 0 ? matches
      : (matches.length > 0 ? matches : [{}]).flatMap(m => ports.map(port => ({ ...m, port })));
    const rw = r.rewrite;
    return {
      name: r.name,
      match: withPorts.length > 0 ? withPorts : undefined,
      route: r.backends.length > 0 ? destinations(r.backends) : undefined,
      redirect: r.redirect ? {
        uri: r.redirect.path,
        authority: r.redirect.hostname,
        port: r.redirect.port,
        scheme: r.redirect.scheme,
        redirectCode: r.redirect.statusCode,
      } : undefined,
      // `uri` replaces the matched prefix (or the whole path of an exact match); a full-path
      // rewrite after a prefix match needs the regex form.
      rewrite: rw ? {
        uri: rw.pathPrefix,
        authority: rw.hostname,
        uriRegexRewrite: rw.fullPath !== undefined ? { match: '^/.*$', rewrite: rw.fullPath } : undefined,
      } : undefined,
      headers: istioHeaders(r.requestHeaders, r.responseHeaders),
      retries: istioRetries(r.retries),
      timeout: r.timeout ? goDuration(r.timeout) : undefined,
    };
  }
}
