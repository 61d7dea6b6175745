/**
 * Provider-neutral intents for north-south traffic: a gateway's listeners and the routes that
 * attach to it. Nothing here knows a CRD; src/providers/<name>/*-ingress.ts render these.
 * Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MatchIntent, RetryIntent } from './intents';
import type { ServiceProtocol } from './protocol';
import type { IMesh } from '../mesh';

export type ListenerProtocol = 'HTTP' | 'HTTPS' | 'TLS';

export interface CertManagerIntent {
  readonly issuerName: string;
  readonly issuerKind: string;
  /** undefined: the hostnames of the listener, or of the routes attached to it */
  readonly dnsNames?: string[];
}

/** A Secret that holds `tls.crt`/`tls.key`, optionally issued by cert-manager. */
export interface CertificateIntent {
  readonly secretName: string;
  /** undefined: the gateway's namespace */
  readonly namespace?: string;
  readonly certManager?: CertManagerIntent;
}

export interface ListenerIntent {
  readonly name: string;
  readonly protocol: ListenerProtocol;
  readonly port: number;
  readonly hostname?: string;
  /** HTTPS: terminate with this certificate */
  readonly certificate?: CertificateIntent;
  /** HTTP: answer every request with a redirect to https */
  readonly httpsRedirect: boolean;
}

/** Which namespaces' routes may attach (Gateway API `allowedRoutes.namespaces`). */
export interface AllowedRoutesIntent {
  readonly from: 'Same' | 'All' | 'Selector';
  readonly labels?: Record<string, string>;
}

/** The Gateway API class of a gateway (`GatewayImplementation`). */
export interface GatewayClassIntent {
  readonly className: string;
  /** set: emit a GatewayClass with this controller */
  readonly controllerName?: string;
}

export interface GatewayIntent {
  readonly source: IConstruct;
  readonly name: string;
  /** undefined: the chart's namespace (or none) */
  readonly namespace?: string;
  readonly listeners: ListenerIntent[];
  readonly allowedRoutes: AllowedRoutesIntent;
  /** the Gateway API class; undefined: the provider's default (none for plain Gateway API) */
  readonly className?: string;
  /** set: emit a GatewayClass with this controller */
  readonly classController?: string;
  /** Istio's own API: labels of the ingress gateway pods */
  readonly istioSelector: Record<string, string>;
  /** Istio's own API: the namespace of those pods; undefined: the provider's default */
  readonly istioWorkloadNamespace?: string;
}

/** One backend of an ingress rule: a Service, or one version of a mesh host. */
export interface IngressBackendIntent {
  readonly service: string;
  /** undefined: the chart's namespace */
  readonly namespace?: string;
  readonly port: number;
  readonly weight?: number;
  /** the version (Istio subset) of `service` */
  readonly version?: string;
  /** the per-version Service that serves `version` (Gateway API) */
  readonly versionService?: string;
}

/** What one `GatewayBackend` adds to a rule: one backend, or the versions of a release. */
export interface GatewayBackendIntent {
  /** validated; a canary gives one per version */
  readonly backends: IngressBackendIntent[];
  /**
   * set: the versions of a release (`source`) with its own weights. It must be the rule's only
   * backend, and the gateway's mesh provider must be `mesh`'s, which addresses the versions.
   */
  readonly release?: { readonly source: IConstruct; readonly mesh: IMesh };
  /** the protocol of the mesh host the backend is (a release or a host), when known */
  readonly protocol?: ServiceProtocol;
}

export interface RedirectIntent {
  readonly scheme?: string;
  readonly hostname?: string;
  readonly path?: string;
  readonly port?: number;
  readonly statusCode: number;
}

export interface RewriteIntent {
  readonly hostname?: string;
  /** replaces the matched path prefix */
  readonly pathPrefix?: string;
  /** replaces the whole path */
  readonly fullPath?: string;
}

export interface HeaderModifierIntent {
  /** sorted by name */
  readonly set: [string, string][];
  readonly add: [string, string][];
  readonly remove: string[];
}

export interface IngressRuleIntent {
  readonly name?: string;
  readonly matches: MatchIntent[];
  readonly backends: IngressBackendIntent[];
  readonly redirect?: RedirectIntent;
  readonly rewrite?: RewriteIntent;
  readonly requestHeaders?: HeaderModifierIntent;
  readonly responseHeaders?: HeaderModifierIntent;
  readonly timeout?: Duration;
  readonly retries?: RetryIntent;
}

export interface IngressRouteIntent {
  readonly source: IConstruct;
  readonly name: string;
  /** undefined: the chart's namespace (or none) */
  readonly namespace?: string;
  /** empty: every hostname the listeners accept */
  readonly hostnames: string[];
  /** the listeners the route attaches to (names), never empty */
  readonly listeners: string[];
  /** whether `listeners` are all of the gateway's listeners that can take this kind of route */
  readonly allListeners: boolean;
  /** true: a TLS passthrough route (one rule, backends only) */
  readonly passthrough: boolean;
  readonly rules: IngressRuleIntent[];
}

/** The names a listener's certificate covers: given, the listener's hostname, or its routes'. */
export function certificateDnsNames(listener: ListenerIntent, routes: IngressRouteIntent[]): string[] {
  const given = listener.certificate?.certManager?.dnsNames;
  if (given) return given;
  if (listener.hostname !== undefined) return [listener.hostname];
  const names = routes.filter(r => r.listeners.includes(listener.name)).flatMap(r => r.hostnames);
  return [...new Set(names)].sort();
}
