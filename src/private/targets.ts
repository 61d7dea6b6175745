/**
 * The releases each chart's mesh constructs target, for the analyzer's checks of objects written
 * by hand. Hosts record theirs here; the analyzer reads them (a registry, so neither imports the
 * other).
 */
import { Chart } from 'cdk8s';
import type { MeshTarget } from '../model/renderer';

const TARGETS = new WeakMap<Chart, MeshTarget[]>();

export function recordTarget(chart: Chart, target: MeshTarget): void {
  const list = TARGETS.get(chart) ?? [];
  // every host of a provider passes the same target object: compare by content only the others
  if (!list.includes(target)) {
    const key = JSON.stringify(target);
    if (!list.some(t => JSON.stringify(t) === key)) list.push(target);
  }
  TARGETS.set(chart, list);
}

export function targetsOf(chart: Chart): MeshTarget[] {
  return TARGETS.get(chart) ?? [];
}
