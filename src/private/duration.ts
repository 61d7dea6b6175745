import { Duration } from 'cdk8s';

/**
 * `10s`, `1500ms`, `1m30s`, `1m40s500ms`: the Go duration form both Istio and Gateway API accept.
 * Compound, so no unit needs more than the 5 digits Gateway API's duration pattern allows
 * (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`, GEP-2257): 100500ms is `1m40s500ms`, not `100500ms`.
 */
export function goDuration(d: Duration): string {
  let ms = d.toMilliseconds();
  // sub-second precision that fits one unit stays as it always rendered (`1500ms`)
  if (ms % 1000 !== 0 && ms <= 99_999) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000); ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000); ms -= m * 60_000;
  const s = Math.floor(ms / 1000); ms -= s * 1000;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : '', ms ? `${ms}ms` : ''].join('');
  return parts || '0s';
}

/**
 * One integer and one unit (`90s`, `1500ms`, `150m`): the only form Linkerd's policy controller
 * parses in annotations (`parse_duration` in policy-controller/k8s/index/src/outbound/index.rs);
 * `1m30s` fails it and the whole retry or failure-accrual config is dropped with a log line.
 */
export function linkerdDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
