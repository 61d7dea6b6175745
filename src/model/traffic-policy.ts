import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LoadBalancerIntent, UpstreamTlsIntent } from './intents';
import { arrayOf, boolean, checkProps, duration, headerName, optional, Problems, required, string } from '../private/validation';

/**
 * Limits on connections and requests to each endpoint of a host (Istio `connectionPool`).
 * Requests beyond them fail fast with 503 instead of queueing behind a failing service.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
 */
export interface ConnectionPoolOptions {
  /**
   * Maximum HTTP/1 and TCP connections to an endpoint.
   * @default - unlimited (2^32-1)
   */
  readonly maxConnections?: number;

  /**
   * TCP connect timeout.
   * @default Duration.seconds(10)
   */
  readonly connectTimeout?: Duration;

  /**
   * Maximum requests queued while waiting for a connection.
   * @default - unlimited
   */
  readonly http1MaxPendingRequests?: number;

  /**
   * Maximum concurrent requests to an endpoint.
   * @default - unlimited
   */
  readonly http2MaxRequests?: number;

  /**
   * Maximum requests per connection; 1 disables keep-alive.
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;

  /**
   * Maximum retries outstanding to all endpoints of the host at once.
   * @default - unlimited
   */
  readonly maxRetries?: number;

  /**
   * Close connections idle this long.
   * @default Duration.hours(1)
   */
  readonly idleTimeout?: Duration;
}

/**
 * When to take a failing endpoint out of the load-balancing pool, and for how long.
 *
 * On Linkerd this is failure accrual on the host's Service: `consecutive5xxErrors` becomes
 * `failure-accrual-consecutive-max-failures`, `baseEjectionTime` the `-min-penalty` and
 * `maxEjectionTime` the `-max-penalty` of the exponential back-off, `jitterRatio` its jitter.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 * @see https://linkerd.io/2/reference/circuit-breaking/
 */
export interface OutlierDetectionOptions {
  /**
   * Eject an endpoint after this many consecutive 5xx responses (or connection failures).
   * @default - the mesh's default (Istio 5, Linkerd 7)
   */
  readonly consecutive5xxErrors?: number;

  /**
   * Eject after this many consecutive 502, 503 and 504 responses (Istio only).
   * @default - not used
   */
  readonly consecutiveGatewayErrors?: number;

  /**
   * How often endpoints are analysed (Istio only).
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;

  /**
   * The minimum ejection time; it grows with each ejection.
   * @default - the mesh's default (Istio 30s, Linkerd 1s)
   */
  readonly baseEjectionTime?: Duration;

  /**
   * The maximum ejection time of Linkerd's back-off (Linkerd only).
   * @default - Linkerd's default (1m)
   */
  readonly maxEjectionTime?: Duration;

  /**
   * Jitter of Linkerd's back-off, 0..100 (Linkerd only).
   * @default - Linkerd's default (0.5)
   */
  readonly jitterRatio?: number;

  /**
   * At most this percentage of endpoints is ejected at once (Istio only).
   * @default 10
   */
  readonly maxEjectionPercent?: number;

  /**
   * Outlier detection stops while fewer than this percentage of endpoints is healthy (Istio only).
   * @default 0
   */
  readonly minHealthPercent?: number;
}

/**
 * How requests are spread over a host's endpoints.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings
 */
export class LoadBalancer {
  /** Each endpoint in turn. */
  public static roundRobin(): LoadBalancer {
    return new LoadBalancer({ kind: 'ROUND_ROBIN' });
  }

  /** The less loaded of two random endpoints (Istio's default). */
  public static leastRequest(): LoadBalancer {
    return new LoadBalancer({ kind: 'LEAST_REQUEST' });
  }

  /** A random endpoint. */
  public static random(): LoadBalancer {
    return new LoadBalancer({ kind: 'RANDOM' });
  }

  /** Session affinity: requests with the same value of `header` go to the same endpoint. */
  public static consistentHashByHeader(header: string): LoadBalancer {
    return new LoadBalancer({ kind: 'hash-header', name: header });
  }

  /**
   * Session affinity by cookie; with `ttl`, the proxy sets the cookie when it is missing.
   */
  public static consistentHashByCookie(cookie: string, ttl?: Duration): LoadBalancer {
    return new LoadBalancer({ kind: 'hash-cookie', name: cookie, ttl });
  }

  private constructor(private readonly intent: LoadBalancerIntent) {}

  /** @internal the load balancer (nothing to validate yet); `prop` would name it in errors */
  public _toIntent(scope: IConstruct, prop: string): LoadBalancerIntent {
    const i = this.intent;
    if (i.kind === 'hash-header') checkProps(scope, i, { name: required(headerName) }, `${prop}.`);
    if (i.kind === 'hash-cookie') {
      checkProps(scope, i, { name: required(string({ max: 256, pattern: /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, rule: 'a cookie name (RFC 6265 token)' })), ttl: optional(duration()) }, `${prop}.`);
    }
    return this.intent;
  }
}

/**
 * Whether clients upgrade HTTP/1.1 connections to a host's endpoints to HTTP/2 (Istio
 * `connectionPool.http.h2UpgradePolicy`).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings-HTTPSettings-H2UpgradePolicy
 */
export enum H2UpgradePolicy {
  /** The mesh-wide default (`meshConfig.h2UpgradePolicy`, itself DO_NOT_UPGRADE unless set). */
  DEFAULT = 'DEFAULT',
  /** Keep HTTP/1.1 to the endpoints. */
  DO_NOT_UPGRADE = 'DO_NOT_UPGRADE',
  /** Upgrade HTTP/1.1 connections to HTTP/2 (the endpoints must speak HTTP/2 cleartext, or be meshed). */
  UPGRADE = 'UPGRADE',
}

/**
 * Where traffic from one region goes when that region's endpoints are unhealthy.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting-Failover
 */
export interface LocalityFailover {
  /** The clients' region, e.g. `us-east` (a region only: no `/`, no `*`). */
  readonly from: string;
  /** The region to fail over to, e.g. `us-west`. */
  readonly to: string;
}

/**
 * How traffic from clients in one locality is spread over the endpoints' localities.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting-Distribute
 */
export interface LocalityDistribution {
  /**
   * The clients' locality: `region`, `region/zone` or `region/zone/subzone`, with `*` as the
   * whole last segment for "any" (`us-east/*`, `*`).
   */
  readonly from: string;
  /**
   * The endpoints' localities (same syntax) and the percentage of requests each gets; each
   * 1..100, adding up to 100.
   */
  readonly to: { [locality: string]: number };
}

/**
 * Locality-aware load balancing: keep requests near their client, fail over in a chosen order,
 * or spread them by weight. A locality is `region/zone/subzone`, from the nodes'
 * `topology.kubernetes.io/region`, `topology.kubernetes.io/zone` and `topology.istio.io/subzone`
 * labels. Failover (the default behaviour, `failover` and `failoverPriority`) needs outlier
 * detection: the mesh only moves requests to another locality when it ejects endpoints.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 * @see https://istio.io/latest/docs/tasks/traffic-management/locality-load-balancing/
 */
export interface LocalityLoadBalancing {
  /**
   * Locality load balancing on or off for this host (it is on mesh-wide by default).
   * @default - on
   */
  readonly enabled?: boolean;

  /**
   * Region-to-region failover order; cannot be combined with `distribute`.
   * @default - the nearest healthy locality (zone, then region)
   */
  readonly failover?: LocalityFailover[];

  /**
   * Labels (of clients and endpoints) that order failover: endpoints that match the client on
   * more of the first labels are preferred, e.g. `['topology.istio.io/network',
   * 'topology.kubernetes.io/region']`. `<label>=<value>` matches endpoints with that value
   * instead of the client's. With `failover`, the topology labels (region, zone, subzone) cannot
   * be used.
   * @default - none
   */
  readonly failoverPriority?: string[];

  /**
   * Weights by locality, per client locality; cannot be combined with `failover` or
   * `failoverPriority` (Istio ignores them when weights are set).
   * @default - none
   */
  readonly distribute?: LocalityDistribution[];
}

/** TLS origination with the system's (or given) CA certificates. */
export interface SimpleUpstreamTlsOptions {
  /**
   * The SNI the client's proxy presents, e.g. `reviews.example.com`.
   * @default - the request's host (Istio 1.20+ sets SNI from the Host header)
   */
  readonly sni?: string;

  /**
   * The path, in the client's proxy, of the CA certificates that verify the server's
   * certificate.
   * @default - the operating system's CA certificates (Istio 1.20+ verifies with them)
   */
  readonly caCertificates?: string;

  /**
   * Names (DNS names or URIs such as SPIFFE IDs) one of which the server's certificate must have.
   * @default - the SNI or the request's host
   */
  readonly subjectAltNames?: string[];

  /**
   * Do not verify the server's certificate (testing only); excludes `caCertificates` and
   * `subjectAltNames`.
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
}

/** TLS origination with a client certificate. */
export interface MutualUpstreamTlsOptions extends SimpleUpstreamTlsOptions {
  /** The path, in the client's proxy, of the client certificate. */
  readonly clientCertificate: string;
  /** The path, in the client's proxy, of the client certificate's private key. */
  readonly privateKey: string;
}

const TLS_PATH = string({ max: 4096, pattern: /^\/[^\s]*$/, rule: 'an absolute file path in the client\'s proxy (starts with \'/\', no white space)' });
const SNI = string({
  max: 253, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, rule: 'a lower-case DNS name (e.g. "reviews.example.com")',
});
const SAN = string({ max: 253, pattern: /^\S+$/, rule: 'a DNS name or a URI (e.g. "spiffe://cluster.local/ns/shop/sa/reviews"), without white space' });

/**
 * TLS from the clients' proxies to a host's endpoints (Istio DestinationRule `tls`).
 *
 * Only file paths are offered for certificates: Istio resolves a DestinationRule's
 * `credentialName` (a Secret) in the namespace of the *client's* proxy, and only at gateways
 * unless the DestinationRule has a `workloadSelector`; sidecars, which read the one
 * DestinationRule of a host this library emits, would ignore it.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 */
export class UpstreamTls {
  /** Plain text to the endpoints: no TLS, and no mesh mTLS (Istio `DISABLE`). */
  public static disable(): UpstreamTls {
    return new UpstreamTls({ mode: 'DISABLE' });
  }

  /**
   * The mesh's own mutual TLS with its workload certificates (Istio `ISTIO_MUTUAL`), also where
   * automatic mTLS would not choose it.
   */
  public static istioMutual(): UpstreamTls {
    return new UpstreamTls({ mode: 'ISTIO_MUTUAL' });
  }

  /** TLS origination: the client's proxy opens TLS to endpoints that serve it (Istio `SIMPLE`). */
  public static simple(options: SimpleUpstreamTlsOptions = {}): UpstreamTls {
    return new UpstreamTls({ mode: 'SIMPLE', ...copy(options) });
  }

  /** TLS origination with a client certificate (Istio `MUTUAL`). */
  public static mutual(options: MutualUpstreamTlsOptions): UpstreamTls {
    return new UpstreamTls({ mode: 'MUTUAL', ...copy(options, true) });
  }

  private constructor(private readonly intent: UpstreamTlsIntent) {}

  /** @internal the TLS settings, checked; `prop` names them in errors */
  public _toIntent(scope: IConstruct, prop: string): UpstreamTlsIntent {
    const i = this.intent;
    const problems = new Problems(scope);
    const certificate = i.mode === 'MUTUAL' ? required(TLS_PATH) : optional(TLS_PATH);
    checkProps(scope, i, {
      sni: optional(SNI),
      caCertificates: optional(TLS_PATH),
      subjectAltNames: optional(arrayOf(SAN, { min: 1, unique: true })),
      insecureSkipVerify: optional(boolean),
      clientCertificate: certificate,
      privateKey: certificate,
    }, `${prop}.`, problems);
    // Istio's validateTLS: skipping verification leaves nothing to verify against.
    if (i.insecureSkipVerify === true && (i.caCertificates !== undefined || i.subjectAltNames !== undefined)) {
      problems.add(`${prop}.insecureSkipVerify`, true, 'left out when caCertificates or subjectAltNames is set (they verify the certificate it skips)');
    }
    problems.throwIfAny();
    return this.intent;
  }
}

/** The options a mode has, copied (jsii passes null for options left out). */
function copy(o: object | undefined, mutual = false): Partial<UpstreamTlsIntent> {
  if (typeof o !== 'object' || o === null) return {};
  const v = o as SimpleUpstreamTlsOptions & Partial<MutualUpstreamTlsOptions>;
  const keys = ['sni', 'caCertificates', 'subjectAltNames', 'insecureSkipVerify', ...(mutual ? ['clientCertificate', 'privateKey'] : [])] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const x = v[k as keyof typeof v];
    if (x !== undefined && x !== null) out[k] = Array.isArray(x) ? [...x] : x;
  }
  return out as Partial<UpstreamTlsIntent>;
}

/**
 * How clients treat a host's endpoints, or one version's: connection limits, outlier detection,
 * load balancing (by algorithm and by locality), the HTTP/2 upgrade and TLS to the endpoints.
 * On Istio it is a DestinationRule `trafficPolicy` (the host's, or a subset's).
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
export interface TrafficPolicyOptions {
  /**
   * Connection and request limits per endpoint.
   * @default - the mesh's defaults (unlimited)
   */
  readonly connectionPool?: ConnectionPoolOptions;

  /**
   * When to eject failing endpoints.
   * @default - no outlier detection
   */
  readonly outlierDetection?: OutlierDetectionOptions;

  /**
   * How requests are spread over endpoints.
   * @default - the mesh's default (Istio: least request)
   */
  readonly loadBalancer?: LoadBalancer;

  /**
   * Whether HTTP/1.1 connections to the endpoints are upgraded to HTTP/2 (Istio only).
   * @default - the mesh's default
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;

  /**
   * Locality-aware load balancing: failover between regions, or weights by locality (Istio only).
   * @default - the mesh's default (Istio: prefer the client's locality when outlier detection is set)
   */
  readonly localityLoadBalancing?: LocalityLoadBalancing;

  /**
   * TLS from the clients' proxies to the endpoints (Istio; Gateway API: `UpstreamTls.simple()` as a BackendTLSPolicy).
   * @default - the mesh's default (Istio: automatic mTLS to meshed endpoints)
   */
  readonly tls?: UpstreamTls;
}

/**
 * Injected faults, for testing how callers cope (Istio only).
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
export interface FaultInjection {
  /**
   * Delay a share of requests.
   * @default - no delay
   */
  readonly delay?: FaultDelay;

  /**
   * Answer a share of requests with an error status instead of forwarding them.
   * @default - no abort
   */
  readonly abort?: FaultAbort;
}

/** A fixed delay for a percentage of requests. */
export interface FaultDelay {
  /** How long to delay. */
  readonly fixedDelay: Duration;
  /** Percentage of requests delayed, 0..100. */
  readonly percent: number;
}

/** An HTTP error status for a percentage of requests. */
export interface FaultAbort {
  /** The status to answer with, 200..599, e.g. 503. */
  readonly httpStatus: number;
  /** Percentage of requests aborted, 0..100. */
  readonly percent: number;
}
