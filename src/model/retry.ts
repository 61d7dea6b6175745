import { Duration } from 'cdk8s';

/**
 * Conditions under which a request is retried.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export enum HttpRetryOn {
  /** the upstream answered 5xx, or did not answer (includes connect-failure and refused-stream) */
  SERVER_ERROR = '5xx',
  /** the upstream answered 502, 503 or 504 */
  GATEWAY_ERROR = 'gateway-error',
  /** the upstream reset the connection or did not answer */
  RESET = 'reset',
  /** the connection to the upstream failed */
  CONNECT_FAILURE = 'connect-failure',
  /** the upstream answered 409 */
  RETRIABLE_4XX = 'retriable-4xx',
  /** the upstream reset the stream with REFUSED_STREAM */
  REFUSED_STREAM = 'refused-stream',
}

/**
 * How to retry failed requests.
 */
export interface HttpRetryPolicy {
  /**
   * The number of retries for a request (not counting the first try).
   *
   * Linkerd's ServiceProfile (used with SMI routing) limits retries by a budget, not a count:
   * setting this there is an error; set `budget` instead.
   * @default - the mesh's default (Istio: 2, Linkerd: 1)
   * @see https://linkerd.io/2/reference/retries/
   */
  readonly attempts?: number;

  /**
   * The timeout of each try, including the first.
   * @default - the route's request timeout
   */
  readonly perTryTimeout?: Duration;

  /**
   * When to retry.
   * @default [HttpRetryOn.CONNECT_FAILURE, HttpRetryOn.REFUSED_STREAM, HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.RESET]
   */
  readonly retryOn?: HttpRetryOn[];

  /**
   * A retry budget: retries may add at most this share of traffic. Only Linkerd's ServiceProfile
   * (used with SMI routing) has budgets; other providers reject it.
   * @default - no budget (Linkerd's ServiceProfile then uses its default: 20 %, 10 per second, 10s)
   * @see https://linkerd.io/2/reference/service-profiles/#retry-budget
   */
  readonly budget?: RetryBudget;

  /**
   * Retrying after the server answered (5xx, gateway errors, 409) may repeat a request the server
   * already processed. When `retryOn` lists such conditions and the route is not limited to
   * idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE), synthesis warns
   * (`MeshWarnings.NON_IDEMPOTENT_RETRIES`); set this to say the service tolerates it. The
   * default conditions never warn.
   * @default false
   */
  readonly retryNonIdempotent?: boolean;
}

/**
 * How much extra load retries may add (Linkerd ServiceProfile `retryBudget`).
 */
export interface RetryBudget {
  /**
   * Retries may add at most this ratio of the original requests (0.2 = 20 %).
   * @default 0.2
   */
  readonly retryRatio?: number;

  /**
   * Retries allowed per second regardless of the ratio, so low-traffic services can retry too.
   * @default 10
   */
  readonly minRetriesPerSecond?: number;

  /**
   * The window over which the ratio is computed.
   * @default Duration.seconds(10)
   */
  readonly ttl?: Duration;
}
