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

/**
 * A string pattern in Istio's authorization syntax (paths and condition values): exact,
 * `prefix*`, `*suffix`, or `*` (any value; for a header: present).
 */
export interface PatternIntent {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'any';
  /** the pattern as written, e.g. `/reviews/*` */
  readonly pattern: string;
  /** the fixed part, e.g. `/reviews/` */
  readonly value: string;
}

/** A path in Istio's authorization syntax. */
export type PathPatternIntent = PatternIntent;

/** What a request does: all the lists that are set hold (AND); each list is any-of; empty means any. */
export interface OperationIntent {
  readonly methods: string[];
  readonly paths: PathPatternIntent[];
  /** sorted, unique */
  readonly ports: number[];
}

/**
 * What a condition reads. `header`: a request header; `claim`: a claim of the validated JWT
 * (nested: a path); `requestPrincipal`: the JWT's `<iss>/<sub>`; `audience`: its `aud`;
 * `presenter`: its `azp`; `sourceIp`: the peer address of the connection; `remoteIp`: the
 * original client address (X-Forwarded-For or the PROXY protocol, as the proxy is told to trust).
 */
export type ConditionKind = 'header' | 'claim' | 'requestPrincipal' | 'audience' | 'presenter' | 'sourceIp' | 'remoteIp';

/** One `when` condition: the attribute matches one of `values` (or, negated, none of them). */
export interface ConditionIntent {
  readonly kind: ConditionKind;
  /**
   * `header`: [the header name]; `claim`: the claim and the claims it is nested in, outermost
   * first; `requestPrincipal`: [issuer, subject]; else []
   */
  readonly path: string[];
  /** any of them; IP conditions: exact addresses or CIDR ranges */
  readonly values: PatternIntent[];
  readonly negated: boolean;
  /** where the user wrote it, for capability errors, e.g. `allow[0].when[1]` */
  readonly prop: string;
  /** how the user wrote it, e.g. `Condition.header("x-api-version", ["v1"])` */
  readonly display: string;
}

/** Whether a condition reads the validated JWT (so it needs a RequestAuthentication). */
export function readsJwt(c: ConditionIntent): boolean {
  return c.kind === 'claim' || c.kind === 'requestPrincipal' || c.kind === 'audience' || c.kind === 'presenter';
}

/** One authorization rule: all its conditions hold (AND); empty lists mean "any". */
export interface AuthorizationRuleIntent {
  /** a DNS-1123 label, unique in the policy; names a provider's per-rule objects */
  readonly name: string;
  /** empty: any client, including ones without an identity */
  readonly peers: PeerIntent[];
  /** any of them (OR); empty: any request */
  readonly operations: OperationIntent[];
  /** all of them (AND) */
  readonly conditions: ConditionIntent[];
}

/** Where a JWT is read from, instead of `Authorization: Bearer`. */
export interface JwtHeaderLocationIntent {
  readonly name: string;
  /** stripped before decoding, e.g. `Bearer ` */
  readonly prefix?: string;
}

export interface JwtIntent {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audiences: string[];
  readonly forwardOriginalToken: boolean;
  /** the header the verified payload is written to (base64url JSON) */
  readonly outputPayloadToHeader?: string;
  /** empty: the defaults (`Authorization: Bearer`, `access_token`) */
  readonly fromHeaders: JwtHeaderLocationIntent[];
  readonly fromParams: string[];
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
