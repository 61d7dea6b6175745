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
}

export interface VirtualServiceSpec {
  readonly hosts: string[];
  readonly http: HTTPRoute[];
}

export interface Subset {
  readonly name: string;
  readonly labels: Record<string, string>;
}

export interface DestinationRuleSpec {
  readonly host: string;
  readonly subsets?: Subset[];
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
  readonly values: string[];
}

export interface Rule {
  readonly from?: { readonly source: Source }[];
  readonly to?: { readonly operation: Operation }[];
  readonly when?: Condition[];
}

export interface AuthorizationPolicySpec {
  readonly selector?: WorkloadSelector;
  readonly action: 'ALLOW' | 'DENY';
  readonly rules?: Rule[];
}
