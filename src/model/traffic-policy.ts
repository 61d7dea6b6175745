import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LoadBalancerIntent } from './intents';
import { checkProps, duration, headerName, optional, required, string } from '../private/validation';

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
