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
  if (!list.some(t => JSON.stringify(t) === JSON.stringify(target))) list.push(target);
  TARGETS.set(chart, list);
}

export function targetsOf(chart: Chart): MeshTarget[] {
  return TARGETS.get(chart) ?? [];
}
