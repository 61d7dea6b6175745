/** Helpers for Helm values: plain JSON objects. */
import { IConstruct } from 'constructs';
import { invalid } from './errors';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Drops `undefined` entries and objects left empty, recursively, so values hold only what was set. */
export function compact(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (isObject(v)) {
      const inner = compact(v);
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** `over` merged into `base`: objects merge key by key, anything else in `over` replaces. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!over) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prior = out[k];
    out[k] = isObject(prior) && isObject(v) ? deepMerge(prior, v) : v;
  }
  return out;
}

/** `undefined` for an empty object, so optional fields stay out of the output. */
export function nonEmpty<T extends object>(o: T): T | undefined {
  return Object.keys(o).length > 0 ? o : undefined;
}

/** Checks `chartValues` keys against the charts of an install; each value must be an object. */
export function chartValues(scope: IConstruct, values: { [chart: string]: any } | undefined,
  charts: string[]): Record<string, Record<string, unknown>> {
  for (const [key, v] of Object.entries(values ?? {})) {
    if (!charts.includes(key)) invalid(scope, 'chartValues', key, `a chart of this install (${charts.join(', ')})`);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(scope, `chartValues.${key}`, v, 'an object of chart values');
  }
  return values ?? {};
}

export function positiveInt(scope: IConstruct, prop: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) invalid(scope, prop, v, 'a positive integer');
}
