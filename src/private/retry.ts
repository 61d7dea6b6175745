import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { arrayOf, boolean, Check, duration, enumOf, number, object, optional } from './validation';
import { warn } from './warnings';
import { MatchIntent, RetryBudgetIntent, RetryIntent } from '../model/intents';
import { HttpRetryOn, HttpRetryPolicy, RetryBudget } from '../model/retry';
import { MeshWarnings } from '../warnings';

const DEFAULT_RETRY_ON = [HttpRetryOn.CONNECT_FAILURE, HttpRetryOn.REFUSED_STREAM, HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.RESET];

/** The shape of an `HttpRetryPolicy`, for `checkProps`. */
export const retryPolicy: Check = object({
  attempts: optional(number(0, 100)),
  perTryTimeout: optional(duration()),
  retryOn: optional(arrayOf(enumOf(HttpRetryOn, 'HttpRetryOn'), { what: 'HttpRetryOn' })),
  retryNonIdempotent: optional(boolean),
  budget: optional(object({
    retryRatio: optional(number(0, 1, { fractional: true, rule: 'a ratio in (0, 1], e.g. 0.2 for 20 %' })),
    minRetriesPerSecond: optional(number(0, 2147483647, { rule: 'a non-negative integer' })),
    ttl: optional(duration()),
  })),
});

/** Validates a retry policy against its route timeout and turns it into an intent. */
export function retryIntent(scope: IConstruct, prop: string, policy: HttpRetryPolicy, timeout?: Duration): RetryIntent {
  if (policy.attempts !== undefined && (!Number.isInteger(policy.attempts) || policy.attempts < 0 || policy.attempts > 100)) {
    invalid(scope, `${prop}.attempts`, policy.attempts, 'an integer in 0..100');
  }
  if (policy.perTryTimeout != null) {
    positiveDuration(scope, `${prop}.perTryTimeout`, policy.perTryTimeout);
    if (timeout != null && policy.perTryTimeout.toMilliseconds() > timeout.toMilliseconds()) {
      invalid(scope, `${prop}.perTryTimeout`, policy.perTryTimeout.toHumanString(), `at most the request timeout (${timeout.toHumanString()})`);
    }
  }
  const retryOn = [...new Set(policy.retryOn ?? DEFAULT_RETRY_ON)];
  if (retryOn.length === 0) {
    invalid(scope, `${prop}.retryOn`, [], 'non-empty (omit it for the default conditions)');
  }
  return {
    attempts: policy.attempts,
    perTryTimeout: policy.perTryTimeout,
    retryOn,
    retryOnExplicit: policy.retryOn !== undefined,
    budget: policy.budget ? budgetIntent(scope, `${prop}.budget`, policy.budget) : undefined,
    nonIdempotent: policy.retryNonIdempotent ?? false,
  };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const AFTER_RESPONSE = new Set([HttpRetryOn.SERVER_ERROR, HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.RETRIABLE_4XX] as string[]);

/**
 * Warns when retries the user listed may repeat non-idempotent requests the server already
 * processed. The default conditions never warn: the library does not warn about its own defaults.
 */
export function warnNonIdempotentRetries(source: IConstruct, retries: RetryIntent | undefined, matches: MatchIntent[]): void {
  if (!retries || retries.nonIdempotent || !retries.retryOnExplicit) return;
  const afterResponse = retries.retryOn.filter(c => AFTER_RESPONSE.has(c));
  const idempotent = matches.length > 0 && matches.every(m => m.method !== undefined && IDEMPOTENT.has(m.method));
  if (afterResponse.length === 0 || idempotent) return;
  warn(source, MeshWarnings.NON_IDEMPOTENT_RETRIES, `retries on ${afterResponse.join(', ')} may repeat non-idempotent requests (POST, PATCH) that the server already `
    + 'processed; match only idempotent methods, or set retries.retryNonIdempotent: true if the service tolerates it, '
    + 'or acknowledge the warning');
}

function budgetIntent(scope: IConstruct, prop: string, b: RetryBudget): RetryBudgetIntent {
  const retryRatio = b.retryRatio ?? 0.2;
  if (!(retryRatio > 0 && retryRatio <= 1)) invalid(scope, `${prop}.retryRatio`, retryRatio, 'a ratio in (0, 1], e.g. 0.2 for 20 %');
  const minRetriesPerSecond = b.minRetriesPerSecond ?? 10;
  if (!Number.isInteger(minRetriesPerSecond) || minRetriesPerSecond < 0 || minRetriesPerSecond > 2147483647) {
    invalid(scope, `${prop}.minRetriesPerSecond`, minRetriesPerSecond, 'a non-negative integer');
  }
  const ttl = b.ttl ?? Duration.seconds(10);
  positiveDuration(scope, `${prop}.ttl`, ttl);
  return { retryRatio, minRetriesPerSecond, ttl };
}

export function positiveDuration(scope: IConstruct, prop: string, d: Duration): void {
  if (!(d.toMilliseconds() >= 1)) {
    invalid(scope, prop, d.toHumanString(), 'a positive duration of at least 1ms');
  }
}
