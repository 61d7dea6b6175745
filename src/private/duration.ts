import { Duration } from 'cdk8s';

/** `10s`, `500ms`, `1m30s`: the Go duration form both Istio and Gateway API accept. */
export function goDuration(d: Duration): string {
  const ms = d.toMilliseconds();
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts = [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].join('');
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
