import { ApiObject, App, Chart, DependencyGraph, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { analyzeObjects, K8sObject } from './rules';
import { runSynthesis } from '../private/synthesis';
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

/**
 * Adds the analyzer to a chart once (the ownership registry calls it for every chart it sees).
 *
 * It analyzes the JSON cdk8s writes for the chart, as cdk8s writes it: the chart's `toJson` (which
 * `app.synth()`, `app.synthYaml()` and `Testing.synth()` call once per chart, after validating the
 * app) is wrapped. cdk8s 2.70 has no hook after synthesis, and a validation would serialize every
 * object a second time and run once per chart the app writes (cdk8s validates the whole app again
 * for each one): quadratic in a chart-per-namespace app. Only an app that writes a folder per
 * chart (which never calls `toJson`) is analyzed at validation.
 * @internal
 */
export function analyzeAtSynth(chart: Chart): void {
  if (ANALYZED.has(chart)) return;
  ANALYZED.add(chart);
  const synthesize = chart.toJson;
  Object.defineProperty(chart, 'toJson', {
    configurable: true,
    writable: true,
    value: (): any[] => {
      const json = synthesize.call(chart);
      const errors = analyze(chart, json, () => writtenObjects(chart));
      if (errors.length > 0) {
        // the message cdk8s gives a failed validation
        throw new Error(`Validation failed with the following errors:\n  ${errors.map(e => `[${chart.node.path}] ${e}`).join('\n  ')}`);
      }
      return json;
    },
  });
  chart.node.addValidation({
    validate: () => {
      if (!writesFolders(chart)) return [];
      // The chart's objects are complete once its synthesis work (hosts render) and its children's
      // validations have run: run them first; if one fails, it reports, not the analyzer.
      try {
        if (runSynthesis(chart).length > 0) return [];
      } catch {
        return [];
      }
      for (const c of chart.node.findAll()) {
        if (c === chart) continue;
        try {
          if (c.node.validate().length > 0) return [];
        } catch {
          return [];
        }
      }
      const objects = writtenObjects(chart);
      return analyze(chart, objects.map(o => o.toJson()), () => objects);
    },
  });
}

function writesFolders(chart: Chart): boolean {
  const root = chart.node.root;
  return root instanceof App && root.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE;
}

/** The chart's objects in the order cdk8s writes them (`chart.toJson()`). */
function writtenObjects(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/**
 * Runs the rules over a chart's JSON; records findings on the constructs of their objects
 * (`constructs()`: the chart's objects, in the order of `json`); returns the errors.
 */
function analyze(chart: Chart, json: K8sObject[], constructs: () => ApiObject[]): string[] {
  const acknowledged = chart.node.metadata.filter(m => m.type === ACKNOWLEDGED_METADATA).map(m => (m.data as { rule: string }).rule);
  const findings = analyzeObjects(json, { defaultNamespace: chart.namespace ?? 'default', acknowledged, targets: targetsOf(chart) });
  if (findings.length === 0) return [];
  const recorded = RECORDED.get(chart) ?? new Set<string>();
  RECORDED.set(chart, recorded);
  let byObject: Map<string, ApiObject> | undefined;
  for (const f of findings) {
    const key = JSON.stringify(f);
    if (recorded.has(key)) continue;
    recorded.add(key);
    if (!byObject) {
      byObject = new Map();
      const objects = constructs();
      json.forEach((o, i) => {
        const described = `${o.kind} ${o.metadata?.namespace ?? chart.namespace ?? 'default'}/${o.metadata?.name}`;
        if (objects[i] && !byObject!.has(described)) byObject!.set(described, objects[i]);
      });
    }
    const at: IConstruct = byObject.get(f.object) ?? chart;
    at.node.addMetadata(FINDING_METADATA, f);
  }
  return findings.filter(f => f.level === 'error')
    .map(f => `${f.rule} ${f.object}: ${f.message}; ${f.fix} (or MeshAnalyzer.acknowledge(chart, '${f.rule}', reason))`);
}
