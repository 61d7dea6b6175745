import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GatewayListener } from './gateway-listener';
import { IMesh } from '../mesh';
import { AllowedRoutesIntent, certificateDnsNames, GatewayClassIntent, GatewayIntent, IngressRouteIntent } from '../model/ingress';
import { MatchIntent } from '../model/intents';
import { checkDns1123Label, invalid, throwUnsupported } from '../private/errors';
import { arrayOf, checkProps, dns1123Label, dns1123Subdomain, instanceOf, labelMap, meshRef, optional, required, string } from '../private/validation';

/**
 * Which namespaces may attach routes to a gateway.
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#allowedroutes
 */
export class AllowedRoutes {
  /**
   * Routes in the gateway's namespace only. Istio: server hosts `./<host>`.
   */
  public static sameNamespace(): AllowedRoutes {
    return new AllowedRoutes({ from: 'Same' });
  }

  /**
   * Routes in any namespace. Istio: server hosts `<host>` (Istio's default).
   */
  public static allNamespaces(): AllowedRoutes {
    return new AllowedRoutes({ from: 'All' });
  }

  /**
   * Routes in namespaces that carry all of `labels` (Gateway API only: Istio's Gateway cannot
   * select namespaces by label).
   */
  public static namespacesWithLabels(labels: { [key: string]: string }): AllowedRoutes {
    return new AllowedRoutes({ from: 'Selector', labels: typeof labels === 'object' && labels !== null && !Array.isArray(labels) ? { ...labels } : labels });
  }

  private constructor(private readonly intent: AllowedRoutesIntent) {}

  /** @internal the allowed routes (nothing to validate yet); `prop` would name them in errors */
  public _toIntent(scope: IConstruct, prop: string): AllowedRoutesIntent {
    if (this.intent.from === 'Selector') checkProps(scope, this.intent, { labels: required(labelMap({ min: 1 })) }, `${prop}.`);
    return this.intent;
  }
}

/**
 * The Gateway API implementation (GatewayClass) that runs a gateway.
 * @see https://gateway-api.sigs.k8s.io/api-types/gatewayclass/
 */
export class GatewayImplementation {
  /** Istio's `istio` class, which Istio installs. */
  public static istio(): GatewayImplementation {
    return new GatewayImplementation({ className: 'istio' });
  }

  /** A GatewayClass that exists in the cluster, e.g. `eg` for Envoy Gateway. */
  public static fromClassName(className: string): GatewayImplementation {
    return new GatewayImplementation({ className });
  }

  /**
   * A GatewayClass that the gateway creates, for the controller named `controllerName`
   * (e.g. `gateway.envoyproxy.io/gatewayclass-controller`, `istio.io/gateway-controller`).
   */
  public static withController(className: string, controllerName: string): GatewayImplementation {
    return new GatewayImplementation({ className, controllerName }, true);
  }

  private constructor(private readonly intent: GatewayClassIntent, private readonly withController = false) {}

  /** @internal the class (nothing to validate yet); `prop` would name it in errors */
  public _toIntent(scope: IConstruct, prop: string): GatewayClassIntent {
    checkProps(scope, this.intent, {
      className: required(dns1123Subdomain),
      controllerName: (this.withController ? required : optional)(string({ max: 253, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$/, rule: 'a controller name such as "example.com/gateway-controller" (a domain, \'/\', a path)' })),
    }, `${prop}.`);
    return this.intent;
  }
}

/**
 * Props for `IngressGateway`.
 */
export interface IngressGatewayProps {
  /** The mesh that renders the gateway and the routes attached to it. */
  readonly mesh: IMesh;

  /**
   * The listeners (ports) of the gateway.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#listener
   */
  readonly listeners: GatewayListener[];

  /**
   * The name of the gateway object.
   * @default - the construct id
   */
  readonly name?: string;

  /**
   * The namespace of the gateway object.
   * @default - the chart's namespace
   */
  readonly namespace?: string;

  /**
   * Which namespaces may attach routes.
   * @default AllowedRoutes.sameNamespace()
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#allowedroutes
   */
  readonly allowedRoutes?: AllowedRoutes;

  /**
   * The Gateway API implementation. Used where the provider renders ingress through Gateway
   * API; Istio's own API selects the gateway pods with `istioSelector` instead.
   * @default - `GatewayImplementation.istio()` on Istio; required with `MeshProvider.gatewayApi()`
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#gatewayclass
   */
  readonly implementation?: GatewayImplementation;

  /**
   * The labels of the Istio ingress gateway pods that serve the gateway (Istio's own API only;
   * Gateway API selects them with `implementation`).
   * @default { istio: 'ingressgateway' }
   * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Gateway
   */
  readonly istioSelector?: { [key: string]: string };

  /**
   * The namespace of the Istio ingress gateway pods that `istioSelector` selects (Istio's own API
   * only). Istio resolves a server's `credentialName` in the namespace of the gateway workload, not
   * of the Gateway object, so the TLS Secrets — and the cert-manager Certificates that issue them —
   * go there.
   * @default - the ingress gateway namespace of the mesh's `MeshInstall` (`istio-ingress`) when it
   * installs one, else `istio-system`
   * @see https://istio.io/latest/docs/ops/integrations/certmanager/
   */
  readonly istioGatewayNamespace?: string;
}

interface Claim {
  readonly source: IConstruct;
}

/**
 * A gateway that lets traffic from outside the mesh in: its listeners (HTTP, HTTPS terminated
 * with a certificate, TLS passthrough), which namespaces may attach `GatewayRoute`s, and the
 * implementation that runs it. Istio: a `networking.istio.io` Gateway; Gateway API: a Gateway
 * (plus a GatewayClass, cert-manager Certificates and an HTTPS redirect route where asked).
 */
export class IngressGateway extends Construct {
  /** The name of the gateway object. */
  public readonly gatewayName: string;
  /** The namespace of the gateway object (undefined: none set on the chart either). */
  public readonly gatewayNamespace?: string;
  /** The mesh that renders the gateway. */
  public readonly mesh: IMesh;
  /** The names of the listeners, in order. */
  public readonly listenerNames: string[];

  /** @internal */
  public readonly _intent: GatewayIntent;
  private readonly routes: IngressRouteIntent[] = [];
  private readonly claims = new Map<string, Claim>();

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    checkProps(this, props, {
      mesh: required(meshRef),
      listeners: required(arrayOf(instanceOf(GatewayListener, 'GatewayListener (GatewayListener.http(), .https(), .tlsPassthrough())'), { min: 1, max: 64 })),
      name: optional(dns1123Label),
      namespace: optional(dns1123Label),
      allowedRoutes: optional(instanceOf(AllowedRoutes, 'AllowedRoutes (AllowedRoutes.sameNamespace(), .allNamespaces(), .namespacesWithLabels())')),
      implementation: optional(instanceOf(GatewayImplementation, 'GatewayImplementation (GatewayImplementation.istio(), .fromClassName(), .withController())')),
      istioSelector: optional(labelMap({ min: 1 })),
    });
    const name = props.name ?? id;
    checkDns1123Label(this, 'name', name);
    if (props.namespace != null) checkDns1123Label(this, 'namespace', props.namespace);
    if (props.listeners.length === 0) invalid(this, 'listeners', [], 'non-empty (at least one listener)');
    const listeners = props.listeners.map((l, i) => l._toIntent(this, `listeners[${i}]`));
    const seen = new Map<string, number>();
    listeners.forEach((l, i) => {
      if (seen.has(l.name)) invalid(this, `listeners[${i}].name`, l.name, `unique on the gateway (listeners[${seen.get(l.name)}] has it too)`);
      seen.set(l.name, i);
      // HTTPS and TLS passthrough may share a port (told apart by SNI); plain HTTP cannot.
      const twin = listeners.findIndex(o => o.port === l.port && (o.protocol === 'HTTP') !== (l.protocol === 'HTTP'));
      if (twin >= 0) invalid(this, `listeners[${i}].port`, l.port, `not shared between HTTP and TLS (listeners[${twin}] is ${listeners[twin].protocol})`);
      // Gateway API requires (port, protocol, hostname) unique per Gateway (CEL on
      // GatewaySpec.listeners, apis/v1/gateway_types.go); an unset hostname counts as one value.
      const same = listeners.findIndex(o => o.port === l.port && o.protocol === l.protocol && o.hostname === l.hostname);
      if (same < i) {
        invalid(this, `listeners[${i}].hostname`, l.hostname,
          `different from listeners[${same}] ('${listeners[same].name}'), which has the same port ${l.port} and protocol ${l.protocol}: give each listener its own hostname`);
      }
    });
    listeners.forEach((l, i) => {
      if (l.certificate?.namespace !== undefined && props.namespace === undefined && Chart.of(this).namespace === undefined) {
        invalid(this, 'namespace', undefined, `set (or the chart's) because listeners[${i}] takes its certificate from namespace '${l.certificate.namespace}', and a cross-namespace reference names both`);
      }
    });
    if (props.istioGatewayNamespace !== undefined) checkDns1123Label(this, 'istioGatewayNamespace', props.istioGatewayNamespace);
    const selector = props.istioSelector ?? { istio: 'ingressgateway' };
    if (Object.keys(selector).length === 0) invalid(this, 'istioSelector', selector, 'non-empty (it selects the ingress gateway pods)');

    this.mesh = props.mesh;
    this.gatewayName = name;
    this.gatewayNamespace = props.namespace ?? Chart.of(this).namespace;
    this.listenerNames = listeners.map(l => l.name);
    const implementation = props.implementation?._toIntent(this, 'implementation');
    this._intent = {
      source: this,
      name,
      namespace: this.gatewayNamespace,
      listeners,
      allowedRoutes: (props.allowedRoutes ?? AllowedRoutes.sameNamespace())._toIntent(this, 'allowedRoutes'),
      className: implementation?.className,
      classController: implementation?.controllerName,
      istioSelector: { ...selector },
      istioWorkloadNamespace: props.istioGatewayNamespace,
    };
    const renderer = props.mesh.provider._renderers.ingress;
    throwUnsupported(this, renderer.displayName, renderer.unsupportedGateway(this._intent));
    renderer.renderGateway(this, this._intent, () => [...this.routes]);
    this.node.addValidation({
      validate: () => listeners
        .filter(l => l.certificate?.certManager && certificateDnsNames(l, this.routes).length === 0)
        .map(l => `${this.node.path}: the cert-manager certificate of listener '${l.name}' covers no DNS name; set the listener's hostname, the certificate's dnsNames, or attach a route with hostnames`),
    });
  }

  /**
   * @internal Attaches a route: checks that the provider can express it and that no other
   * route on this gateway claims the same host and match, then renders it under `scope`.
   */
  public _attach(scope: Construct, route: IngressRouteIntent): void {
    const renderer = this.mesh.provider._renderers.ingress;
    throwUnsupported(route.source, renderer.displayName, renderer.unsupportedRoute(route));
    const { from } = this._intent.allowedRoutes;
    if (from === 'Same' && route.namespace !== this.gatewayNamespace) {
      invalid(route.source, 'namespace', route.namespace, `the namespace of gateway ${this.node.path} (${this.gatewayNamespace}), which allows routes from its own namespace only (AllowedRoutes.sameNamespace())`);
    }
    const mine = new Map<string, string>();
    for (const listener of route.listeners) {
      for (const host of route.hostnames.length > 0 ? route.hostnames : ['*']) {
        for (const rule of route.rules) {
          for (const m of rule.matches.length > 0 ? rule.matches : [undefined]) {
            mine.set(`${listener} ${host} ${claimOf(m)}`, `host '${host}' ${claimOf(m)} on listener '${listener}'`);
          }
        }
      }
    }
    for (const [key, what] of mine) {
      const other = this.claims.get(key);
      if (other) {
        throw new Error(`${route.source.node.path}: ${what} of gateway '${this.gatewayName}' is already routed by ${other.source.node.path}; give each host + path to one route`);
      }
    }
    for (const key of mine.keys()) this.claims.set(key, { source: route.source });
    this.routes.push(route);
    renderer.renderRoute(scope, this._intent, route);
  }
}

/** What a match claims: its path and every other condition, in a stable form. */
function claimOf(m: MatchIntent | undefined): string {
  if (!m) return 'path prefix \'/\' (all requests)';
  const path = m.path ? `path ${m.path.kind} '${m.path.value}'` : 'path prefix \'/\'';
  const named = (list: MatchIntent['headers']) => list.map(h => `${h.name.toLowerCase()} ${h.kind} '${h.value}'`).sort().join(', ');
  const rest = [
    m.method ? `method ${m.method}` : '',
    m.headers.length > 0 ? `headers [${named(m.headers)}]` : '',
    m.queryParams.length > 0 ? `query [${named(m.queryParams)}]` : '',
  ].filter(x => x !== '');
  return rest.length > 0 ? `${path} with ${rest.join(' and ')}` : path;
}
