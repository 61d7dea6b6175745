/**
 * The fields of Istio's networking API that the renderer emits, written by hand from
 * networking.istio.io/v1 (VirtualService, DestinationRule). Correctness is proven by validating
 * the output against the upstream CRDs, not by importing them.
 */

export interface StringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

export interface HTTPMatchRequest {
  readonly uri?: StringMatch;
  readonly method?: StringMatch;
  readonly headers?: Record<string, StringMatch>;
  readonly queryParams?: Record<string, StringMatch>;
}

export interface Destination {
  readonly host: string;
  readonly subset?: string;
  readonly port?: { readonly number: number };
}

export interface HTTPRouteDestination {
  readonly destination: Destination;
  readonly weight?: number;
}

export interface HTTPRetry {
  readonly attempts?: number;
  readonly perTryTimeout?: string;
  readonly retryOn?: string;
}

export interface HTTPRoute {
  readonly name?: string;
  readonly match?: HTTPMatchRequest[];
  readonly route: HTTPRouteDestination[];
  readonly mirror?: Destination;
  readonly mirrorPercentage?: { readonly value: number };
  readonly retries?: HTTPRetry;
  readonly timeout?: string;
  readonly fault?: HTTPFaultInjection;
  readonly headers?: Headers;
}

export interface VirtualServiceSpec {
  readonly hosts: string[];
  readonly http: HTTPRoute[];
}

export interface Subset {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly trafficPolicy?: TrafficPolicy;
}

export interface LocalityLoadBalancerSetting {
  readonly enabled?: boolean;
  readonly distribute?: { readonly from: string; readonly to: Record<string, number> }[];
  readonly failover?: { readonly from: string; readonly to: string }[];
  readonly failoverPriority?: string[];
}

export interface LoadBalancerSettings {
  readonly simple?: string;
  readonly consistentHash?: {
    readonly httpHeaderName?: string;
    readonly httpCookie?: { readonly name: string; readonly ttl?: string };
  };
  readonly localityLbSetting?: LocalityLoadBalancerSetting;
}

export interface ClientTLSSettings {
  readonly mode: string;
  readonly clientCertificate?: string;
  readonly privateKey?: string;
  readonly caCertificates?: string;
  readonly subjectAltNames?: string[];
  readonly sni?: string;
  readonly insecureSkipVerify?: boolean;
}

export interface TrafficPolicy {
  readonly connectionPool?: {
    readonly tcp?: { readonly maxConnections?: number; readonly connectTimeout?: string };
    readonly http?: {
      readonly http1MaxPendingRequests?: number;
      readonly http2MaxRequests?: number;
      readonly maxRequestsPerConnection?: number;
      readonly maxRetries?: number;
      readonly idleTimeout?: string;
      readonly h2UpgradePolicy?: string;
    };
  };
  readonly outlierDetection?: {
    readonly consecutive5xxErrors?: number;
    readonly consecutiveGatewayErrors?: number;
    readonly interval?: string;
    readonly baseEjectionTime?: string;
    readonly maxEjectionPercent?: number;
    readonly minHealthPercent?: number;
  };
  readonly loadBalancer?: LoadBalancerSettings;
  readonly tls?: ClientTLSSettings;
}

export interface DestinationRuleSpec {
  readonly host: string;
  readonly trafficPolicy?: TrafficPolicy;
  readonly subsets?: Subset[];
}

export interface HTTPFaultInjection {
  readonly delay?: { readonly percentage: { readonly value: number }; readonly fixedDelay: string };
  readonly abort?: { readonly percentage: { readonly value: number }; readonly httpStatus: number };
}

export interface Headers {
  readonly request?: HeaderOperations;
  readonly response?: HeaderOperations;
}

export interface HeaderOperations {
  readonly set?: Record<string, string>;
  readonly add?: Record<string, string>;
  readonly remove?: string[];
}

export interface HTTPRedirect {
  readonly uri?: string;
  readonly authority?: string;
  readonly port?: number;
  readonly scheme?: string;
  readonly redirectCode?: number;
}

export interface HTTPRewrite {
  readonly uri?: string;
  readonly authority?: string;
  readonly uriRegexRewrite?: { readonly match: string; readonly rewrite: string };
}

/** A VirtualService http route bound to a gateway (north-south). */
export interface IngressHTTPRoute {
  readonly name?: string;
  readonly match?: (HTTPMatchRequest & { readonly port?: number })[];
  readonly route?: HTTPRouteDestination[];
  readonly redirect?: HTTPRedirect;
  readonly rewrite?: HTTPRewrite;
  readonly headers?: Headers;
  readonly retries?: HTTPRetry;
  readonly timeout?: string;
}

export interface TLSRoute {
  readonly match: { readonly sniHosts: string[]; readonly port?: number }[];
  readonly route: HTTPRouteDestination[];
}

export interface IngressVirtualServiceSpec {
  readonly hosts: string[];
  readonly gateways: string[];
  readonly http?: IngressHTTPRoute[];
  readonly tls?: TLSRoute[];
}

export interface Server {
  readonly port: { readonly number: number; readonly name: string; readonly protocol: string };
  readonly hosts: string[];
  readonly tls?: {
    readonly httpsRedirect?: boolean;
    readonly mode?: 'SIMPLE' | 'PASSTHROUGH';
    readonly credentialName?: string;
  };
}

export interface GatewaySpec {
  readonly selector: Record<string, string>;
  readonly servers: Server[];
}

// security.istio.io/v1

export type MtlsModeName = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface WorkloadSelector {
  readonly matchLabels: Record<string, string>;
}

export interface PeerAuthenticationSpec {
  readonly selector?: WorkloadSelector;
  readonly mtls?: { readonly mode: MtlsModeName };
  readonly portLevelMtls?: Record<string, { readonly mode: MtlsModeName }>;
}

export interface Source {
  readonly principals?: string[];
  readonly namespaces?: string[];
  readonly notNamespaces?: string[];
  readonly requestPrincipals?: string[];
}

export interface Operation {
  readonly methods?: string[];
  readonly paths?: string[];
  readonly ports?: string[];
}

export interface Condition {
  readonly key: string;
  readonly values?: string[];
  readonly notValues?: string[];
}

export interface Rule {
  readonly from?: { readonly source: Source }[];
  readonly to?: { readonly operation: Operation }[];
  readonly when?: Condition[];
}

/** A policy attached to a resource instead of selecting pods (ambient: a waypoint, or a Service bound to one). */
export interface PolicyTargetReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export interface AuthorizationPolicySpec {
  readonly selector?: WorkloadSelector;
  readonly targetRefs?: PolicyTargetReference[];
  readonly action: 'ALLOW' | 'DENY';
  readonly rules?: Rule[];
}
