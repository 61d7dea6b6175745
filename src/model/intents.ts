/**
 * The provider-neutral intents that patterns record on a host. Nothing here knows a CRD:
 * renderers in src/providers/<name>/ turn these into objects. Internal, not exported.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { HeaderModifierIntent } from './ingress';
import type { ConnectionPoolOptions, OutlierDetectionOptions } from './traffic-policy';

export type StringMatchKind = 'exact' | 'prefix' | 'regex';

export interface StringMatchIntent {
  readonly kind: StringMatchKind;
  readonly value: string;
}

export interface NamedMatchIntent extends StringMatchIntent {
  readonly name: string;
}

/** All conditions of one match must hold (AND). */
export interface MatchIntent {
  readonly path?: StringMatchIntent;
  readonly headers: NamedMatchIntent[];
  readonly queryParams: NamedMatchIntent[];
  readonly method?: string;
}

/** A backend is one version (subset) of the host, or the host itself when `version` is unset. */
export interface BackendIntent {
  readonly version?: string;
  readonly weight: number;
}

export interface RetryBudgetIntent {
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly ttl: Duration;
}

export interface RetryIntent {
  /** undefined: the mesh's default */
  readonly attempts?: number;
  readonly perTryTimeout?: Duration;
  readonly retryOn: string[];
  /** false when `retryOn` holds the neutral defaults, which a provider may map to its own */
  readonly retryOnExplicit: boolean;
  readonly budget?: RetryBudgetIntent;
  /** the user accepts retries of requests the server may have processed */
  readonly nonIdempotent: boolean;
}

export interface MirrorIntent {
  readonly version: string;
  readonly percent: number;
}

export interface FaultIntent {
  readonly delay?: { readonly fixedDelay: Duration; readonly percent: number };
  readonly abort?: { readonly httpStatus: number; readonly percent: number };
}

export type LoadBalancerIntent =
  | { readonly kind: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' }
  | { readonly kind: 'hash-header'; readonly name: string }
  | { readonly kind: 'hash-cookie'; readonly name: string; readonly ttl?: Duration };

/** The public option structs are plain data already; intents reuse them. */
export type ConnectionPoolIntent = ConnectionPoolOptions;
export type OutlierDetectionIntent = OutlierDetectionOptions;

/** Whether clients upgrade HTTP/1.1 connections to the endpoints to HTTP/2. */
export type H2UpgradeIntent = 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';

/** Locality-aware load balancing: failover order, or weights by locality; `enabled` undefined means on. */
export interface LocalityLbIntent {
  readonly enabled?: boolean;
  readonly failover: { readonly from: string; readonly to: string }[];
  readonly failoverPriority: string[];
  readonly distribute: { readonly from: string; readonly to: Record<string, number> }[];
}

/** TLS from the client's proxy to the endpoints: off, the mesh's own mTLS, or TLS origination. */
export interface UpstreamTlsIntent {
  readonly mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';
  readonly sni?: string;
  /** file paths in the client's proxy */
  readonly caCertificates?: string;
  readonly clientCertificate?: string;
  readonly privateKey?: string;
  readonly subjectAltNames?: string[];
  readonly insecureSkipVerify?: boolean;
}

/** How clients treat the host's endpoints (circuit breaking, load balancing, TLS); one per host. */
export interface TrafficPolicyIntent {
  readonly source: IConstruct;
  readonly connectionPool?: ConnectionPoolIntent;
  readonly outlierDetection?: OutlierDetectionIntent;
  readonly loadBalancer?: LoadBalancerIntent;
  readonly h2UpgradePolicy?: H2UpgradeIntent;
  readonly locality?: LocalityLbIntent;
  readonly tls?: UpstreamTlsIntent;
}

/** One HTTP route. Any of `matches` selects it (OR); none means "all requests". */
export interface RouteIntent {
  /** the construct that recorded it, named in errors */
  readonly source: IConstruct;
  /** a DNS-1123 label, unique on the host */
  readonly name: string;
  /** free text where an API names routes for people (a ServiceProfile route); default: `name` */
  readonly description?: string;
  readonly matches: MatchIntent[];
  /**
   * true: a policy-only route (retries, timeout for some requests) that sends its requests where
   * the host's default route sends them; `backends` is then filled in when the host renders
   */
  readonly inheritBackends?: boolean;
  readonly backends: BackendIntent[];
  readonly mirror?: MirrorIntent;
  readonly retries?: RetryIntent;
  readonly timeout?: Duration;
  readonly fault?: FaultIntent;
  /** changes to the headers of the requests the route forwards, and of their responses */
  readonly requestHeaders?: HeaderModifierIntent;
  readonly responseHeaders?: HeaderModifierIntent;
}

/** Settings applied to every route of a host that does not set them itself. */
export interface RouteDefaultsIntent {
  readonly source: IConstruct;
  readonly retries?: RetryIntent;
  readonly timeout?: Duration;
  readonly fault?: FaultIntent;
}

export interface VersionIntent {
  readonly name: string;
  /** pod labels that select exactly this version's pods (the Istio subset labels) */
  readonly labels: Record<string, string>;
  /** the per-version Service, where the data plane created one */
  readonly serviceName?: string;
  /** how clients treat this version's endpoints, over the host's own policy (an Istio subset's trafficPolicy) */
  readonly trafficPolicy?: VersionTrafficPolicyIntent;
}

/** A traffic policy for one version: the host's kinds of setting, without the recording construct. */
export type VersionTrafficPolicyIntent = Omit<TrafficPolicyIntent, 'source'>;

export interface PortIntent {
  readonly name: string;
  readonly number: number;
}

/** Everything a renderer needs to know about one host, read-only. */
export interface HostIntent {
  /** the host's construct, named in errors */
  readonly construct: IConstruct;
  readonly name: string;
  /** undefined: the chart's namespace (or none) */
  readonly namespace?: string;
  readonly port: PortIntent;
  readonly versions: VersionIntent[];
  /** routes with matches first (in the order recorded), the catch-all route last */
  readonly routes: RouteIntent[];
  readonly trafficPolicy?: TrafficPolicyIntent;
}

/** Proxy resources as Kubernetes quantities. */
export interface ProxyQuantities {
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}
