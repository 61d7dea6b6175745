import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { analyzeObjects, K8sObject } from './rules';
import { targetsOf } from '../private/targets';

/** Metadata type of the analyzer's findings on the constructs of the objects they are about. */
export const FINDING_METADATA = 'cdk8s-mesh/analyzer';
const ACKNOWLEDGED_METADATA = 'cdk8s-mesh/analyzer-acknowledged';

const ANALYZED = new WeakSet<Chart>();
const RECORDED = new WeakMap<Chart, Set<string>>();

/**
 * The mesh analyzer: checks over a whole chart at synthesis (references that resolve, rules no
 * earlier rule shadows, selectors that match workloads, mTLS coherence, port protocols, Linkerd
 * annotation values; see docs/analyzer.md). It runs on every chart that holds a construct of this
 * library, over all its objects, including those added by hand or with `Include`. An error fails
 * synthesis; a warning is recorded as `cdk8s-mesh/analyzer` metadata on the object's construct.
 * The same rules run on any YAML as a cdk8s validation plugin (`cdk8s-mesh/lib/plugin`).
 */
export class MeshAnalyzer {
  /**
   * Acknowledges a rule for a chart (or any construct in it): its findings in that chart are
   * neither errors nor warnings any more.
   * @param scope a construct in the chart
   * @param rule the rule's id, e.g. `IST0118`
   * @param reason why the finding does not apply, recorded with the acknowledgement
   */
  public static acknowledge(scope: IConstruct, rule: string, reason: string): void {
    if (!/^[A-Z]{2,4}\d{4}$/.test(rule)) throw new Error(`MeshAnalyzer.acknowledge: 'rule' (${JSON.stringify(rule)}) must be a rule id such as "IST0118"`);
    if (reason.trim() === '') throw new Error('MeshAnalyzer.acknowledge: \'reason\' must say why the finding does not apply');
    Chart.of(scope).node.addMetadata(ACKNOWLEDGED_METADATA, { rule, reason });
  }

  /**
   * The findings synthesis recorded on a chart's constructs (warnings and errors), after
   * `Testing.synth(chart)` or `app.synth()`.
   */
  public static findings(chart: Chart): AnalyzerFinding[] {
    return chart.node.findAll().flatMap(c => c.node.metadata.filter(m => m.type === FINDING_METADATA).map(m => m.data as AnalyzerFinding));
  }

  private constructor() {}
}

/** A finding of the analyzer. */
export interface AnalyzerFinding {
  /** The rule's id, e.g. `IST0101`. */
  readonly rule: string;
  /** `error` or `warning`. */
  readonly level: string;
  /** `<kind> <namespace>/<name>` of the object. */
  readonly object: string;
  /** What is wrong. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

function objectsOf(chart: Chart): { construct: ApiObject; json: K8sObject }[] {
  return chart.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map(construct => ({ construct, json: construct.toJson() }));
}

/**
 * Adds the analyzer to a chart once (the ownership registry calls it for every chart it sees).
 * @internal
 */
export function analyzeAtSynth(chart: Chart): void {
  if (ANALYZED.has(chart)) return;
  ANALYZED.add(chart);
  chart.node.addValidation({
    validate: () => {
      // The chart's own validation runs before its children's, which complete their objects
      // (hosts render at synthesis): run them first; if one fails, it reports, not the analyzer.
      for (const c of chart.node.findAll()) {
        if (c === chart) continue;
        try {
          if (c.node.validate().length > 0) return [];
        } catch {
          return [];
        }
      }
      const objects = objectsOf(chart);
      const acknowledged = chart.node.metadata.filter(m => m.type === ACKNOWLEDGED_METADATA).map(m => (m.data as { rule: string }).rule);
      const targets = targetsOf(chart);
      const findings = analyzeObjects(objects.map(o => o.json), { defaultNamespace: chart.namespace ?? 'default', acknowledged, targets });
      const recorded = RECORDED.get(chart) ?? new Set<string>();
      RECORDED.set(chart, recorded);
      for (const f of findings) {
        const key = JSON.stringify(f);
        if (recorded.has(key)) continue;
        recorded.add(key);
        const at = objects.find(o => `${o.json.kind} ${o.json.metadata?.namespace ?? chart.namespace ?? 'default'}/${o.json.metadata?.name}` === f.object)?.construct ?? chart;
        at.node.addMetadata(FINDING_METADATA, f);
      }
      return findings.filter(f => f.level === 'error')
        .map(f => `${f.rule} ${f.object}: ${f.message}; ${f.fix} (or MeshAnalyzer.acknowledge(chart, '${f.rule}', reason))`);
    },
  });
}
