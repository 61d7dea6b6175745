/**
 * The library's work at synthesis (rendering hosts, writing rollout plans), run by one validation
 * per chart.
 *
 * cdk8s 2.70 validates the whole app again for every chart it writes, and a validation is the only
 * hook that runs on every synthesis path (`app.synth()`, `cdk8s synth`, `Testing.synth()`). One
 * validation per host or release would make every one of those passes call each of them, long
 * after its work is done: with a chart per namespace, charts × hosts calls. Here a pass costs one
 * call per chart, and work that is done is dropped.
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Work for the synthesis: returns its errors, and whether it runs again in later passes (work
 * that failed always does; cdk8s stops at the first failed pass, and a later synthesis reports
 * the same errors again).
 */
export type SynthesisWork = () => { readonly errors: string[]; readonly again: boolean };

const WORK = new WeakMap<Chart, SynthesisWork[]>();

/**
 * Runs `work` when the chart of `scope` is validated, in the order registered, before anything
 * else the chart validates.
 */
export function atSynthesis(scope: IConstruct, work: SynthesisWork): void {
  const chart = Chart.of(scope);
  let pending = WORK.get(chart);
  if (!pending) {
    const list: SynthesisWork[] = [];
    WORK.set(chart, list);
    chart.node.addValidation({ validate: () => runSynthesis(chart) });
    pending = list;
  }
  pending.push(work);
}

/**
 * Runs the chart's pending work (the chart's validation, or whatever must see the chart's objects
 * complete first); returns the errors.
 */
export function runSynthesis(chart: Chart): string[] {
  const pending = WORK.get(chart);
  if (!pending || pending.length === 0) return [];
  const errors: string[] = [];
  let kept = 0;
  // Work may register more work (for this chart) while it runs: the loop reads the length each time.
  for (let i = 0; i < pending.length; i++) {
    const work = pending[i];
    const result = work();
    errors.push(...result.errors);
    if (result.again || result.errors.length > 0) pending[kept++] = work;
  }
  pending.length = kept;
  return errors;
}
