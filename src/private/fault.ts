import { IConstruct } from 'constructs';
import { checkPercent, invalid } from './errors';
import { positiveDuration } from './retry';
import { Check, duration, number, object, optional, required } from './validation';
import { FaultIntent } from '../model/intents';
import { FaultInjection } from '../model/traffic-policy';

/** The shape of a `FaultInjection`, for `checkProps`. */
export const faultInjection: Check = object({
  delay: optional(object({ fixedDelay: required(duration()), percent: required(number(0, 100, { fractional: true })) })),
  abort: optional(object({
    httpStatus: required(number(200, 599, { rule: 'an HTTP status in 200..599, e.g. 503' })),
    percent: required(number(0, 100, { fractional: true })),
  })),
});

/** Validates a fault injection (shape checked already) and turns it into an intent. */
export function faultIntent(scope: IConstruct, prop: string, f: FaultInjection): FaultIntent {
  if (!f.delay && !f.abort) invalid(scope, prop, {}, 'a delay, an abort or both');
  if (f.delay) {
    positiveDuration(scope, `${prop}.delay.fixedDelay`, f.delay.fixedDelay);
    checkPercent(scope, `${prop}.delay.percent`, f.delay.percent);
  }
  if (f.abort) {
    if (!Number.isInteger(f.abort.httpStatus) || f.abort.httpStatus < 200 || f.abort.httpStatus > 599) {
      invalid(scope, `${prop}.abort.httpStatus`, f.abort.httpStatus, 'an HTTP status in 200..599, e.g. 503');
    }
    checkPercent(scope, `${prop}.abort.percent`, f.abort.percent);
  }
  return { delay: f.delay ? { ...f.delay } : undefined, abort: f.abort ? { ...f.abort } : undefined };
}
