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
   */
  readonly attempts: number;

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
}
