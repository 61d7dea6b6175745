import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalid } from './errors';
import { RetryIntent } from '../model/intents';
import { HttpRetryOn, HttpRetryPolicy } from '../model/retry';

const DEFAULT_RETRY_ON = [HttpRetryOn.CONNECT_FAILURE, HttpRetryOn.REFUSED_STREAM, HttpRetryOn.GATEWAY_ERROR, HttpRetryOn.RESET];

/** Validates a retry policy against its route timeout and turns it into an intent. */
export function retryIntent(scope: IConstruct, prop: string, policy: HttpRetryPolicy, timeout?: Duration): RetryIntent {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 0 || policy.attempts > 100) {
    invalid(scope, `${prop}.attempts`, policy.attempts, 'an integer in 0..100');
  }
  if (policy.perTryTimeout !== undefined) {
    positiveDuration(scope, `${prop}.perTryTimeout`, policy.perTryTimeout);
    if (timeout !== undefined && policy.perTryTimeout.toMilliseconds() > timeout.toMilliseconds()) {
      invalid(scope, `${prop}.perTryTimeout`, policy.perTryTimeout.toHumanString(), `at most the request timeout (${timeout.toHumanString()})`);
    }
  }
  const retryOn = [...new Set(policy.retryOn ?? DEFAULT_RETRY_ON)];
  if (retryOn.length === 0) {
    invalid(scope, `${prop}.retryOn`, [], 'non-empty (omit it for the default conditions)');
  }
  return { attempts: policy.attempts, perTryTimeout: policy.perTryTimeout, retryOn };
}

export function positiveDuration(scope: IConstruct, prop: string, d: Duration): void {
  if (!(d.toMilliseconds() >= 1)) {
    invalid(scope, prop, d.toHumanString(), 'a positive duration of at least 1ms');
  }
}
