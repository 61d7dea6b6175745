/**
 * The provider-neutral intents of mTLS migrations and authorization. Nothing here knows a CRD:
 * src/providers/<name>/<name>-security.ts turns these into objects. Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';

export type MtlsModeIntent = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PortMtlsIntent {
  readonly port: number;
  readonly mode: MtlsModeIntent;
}

export interface NamespaceMtlsIntent {
  readonly namespace: string;
  readonly mode: MtlsModeIntent;
}

/** The pods of one workload, selected by labels, with the ports they serve. */
export interface WorkloadRefIntent {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ports: number[];
  /**
   * the Service (host) whose endpoints the pods are, when the library deploys both; a provider
   * may attach the policy to it (Istio ambient: to the Service's waypoint)
   */
  readonly service?: string;
}

export interface WorkloadMtlsIntent {
  /** a DNS-1123 label, unique in its namespace; names the workload's objects */
  readonly name: string;
  readonly workload: WorkloadRefIntent;
  /** UNSET: the namespace's mode applies */
  readonly mode: MtlsModeIntent;
  /** sorted by port */
  readonly portExceptions: PortMtlsIntent[];
}

export interface PlaintextAlertIntent {
  /** the PrometheusRule's name and namespace */
  readonly name: string;
  readonly namespace?: string;
  /** namespaces that are about to go STRICT, sorted */
  readonly watchNamespaces: string[];
  readonly for: Duration;
  readonly severity: string;
  /** labels of the PrometheusRule object (for a Prometheus's ruleSelector) */
  readonly labels: Record<string, string>;
}

/** The mTLS settings in force (the current stage of a migration). */
export interface MtlsIntent {
  /** the construct that recorded it, named in errors */
  readonly source: IConstruct;
  /** undefined: no mesh-wide setting is emitted */
  readonly meshWide?: MtlsModeIntent;
  /** sorted by namespace */
  readonly namespaces: NamespaceMtlsIntent[];
  /** sorted by namespace, then name */
  readonly workloads: WorkloadMtlsIntent[];
  readonly alert?: PlaintextAlertIntent;
}

/** Who sends a request. Several peers in one rule: any of them (OR). */
export type PeerIntent =
  | { readonly kind: 'serviceAccount'; readonly name: string; readonly namespace: string }
  | { readonly kind: 'chartServiceAccount'; readonly name: string }
  | { readonly kind: 'namespace'; readonly namespace: string }
  | { readonly kind: 'notNamespaces'; readonly namespaces: string[] }
  | { readonly kind: 'authenticated' }
  | { readonly kind: 'jwt'; readonly issuer: string; readonly subject: string };

/** A path in Istio's authorization syntax: exact, `prefix*` or `*suffix`. */
export interface PathPatternIntent {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'any';
  /** the pattern as written, e.g. `/reviews/*` */
  readonly pattern: string;
  /** the fixed part, e.g. `/reviews/` */
  readonly value: string;
}

export interface ClaimIntent {
  readonly claim: string;
  readonly values: string[];
}

/** One authorization rule: all its conditions hold (AND); empty lists mean "any". */
export interface AuthorizationRuleIntent {
  /** a DNS-1123 label, unique in the policy; names a provider's per-rule objects */
  readonly name: string;
  /** empty: any client, including ones without an identity */
  readonly peers: PeerIntent[];
  readonly methods: string[];
  readonly paths: PathPatternIntent[];
  readonly ports: number[];
  readonly claims: ClaimIntent[];
}

export interface JwtIntent {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences: string[];
  readonly forwardOriginalToken: boolean;
}

export interface AuthorizationIntent {
  readonly source: IConstruct;
  /** a DNS-1123 label, the base of every object name */
  readonly name: string;
  readonly namespace: string;
  /** undefined: every workload of the namespace */
  readonly workload?: WorkloadRefIntent;
  /** an explicit allow-nothing policy, so only the allow rules let requests in */
  readonly denyByDefault: boolean;
  readonly allow: AuthorizationRuleIntent[];
  readonly deny: AuthorizationRuleIntent[];
  readonly jwt?: JwtIntent;
}
