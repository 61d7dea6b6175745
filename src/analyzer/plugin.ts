import { Yaml } from 'cdk8s';
import { analyzeObjects, Finding, K8sObject } from './rules';

/**
 * Options of the analyzer as a cdk8s validation plugin (the `properties` of its entry under
 * `validations:` in cdk8s.yaml).
 */
export interface MeshAnalyzerPluginProps {
  /**
   * Rule ids whose findings are not reported, e.g. `["IST0118"]`.
   * @default - none
   */
  readonly acknowledge?: string[];

  /**
   * Whether warnings fail the validation too.
   * @default false
   */
  readonly failOnWarnings?: boolean;

  /**
   * The namespace of objects that name none (what `kubectl apply` would use).
   * @default "default"
   */
  readonly defaultNamespace?: string;
}

/**
 * The mesh analyzer (docs/analyzer.md) as a cdk8s validation plugin: runs every rule on the whole
 * synthesized output of any cdk8s app, whoever wrote the YAML. In cdk8s.yaml:
 *
 * ```yaml
 * validations:
 *   - package: cdk8s-mesh
 *     version: <the version>
 *     class: MeshAnalyzerPlugin
 *     properties: { failOnWarnings: false }
 * ```
 *
 * Errors fail `cdk8s synth` (exit code 2) with one violation per finding: the rule, the object,
 * what is wrong and the fix. Needs cdk8s-cli with validation plugins (2.2 or later).
 */
export class MeshAnalyzerPlugin {
  private readonly props: MeshAnalyzerPluginProps;

  constructor(props: MeshAnalyzerPluginProps = {}) {
    this.props = props;
  }

  /**
   * Runs the analyzer on the manifests of a cdk8s-cli `ValidationContext` and submits its report.
   * @param context cdk8s-cli's ValidationContext (`manifests`, `report`, `logger`)
   */
  public async validate(context: any): Promise<void> {
    const objects: { object: K8sObject; file: string }[] = [];
    for (const file of context.manifests as string[]) {
      for (const object of Yaml.load(file) as K8sObject[]) {
        if (object) objects.push({ object, file });
      }
    }
    const findings: Finding[] = analyzeObjects(objects.map(o => o.object), {
      defaultNamespace: this.props.defaultNamespace,
      acknowledged: this.props.acknowledge,
    });
    const fileOf = (f: Finding) => objects.find(o => `${o.object.kind} ${o.object.metadata?.namespace ?? this.props.defaultNamespace ?? 'default'}/${o.object.metadata?.name}` === f.object)?.file ?? '';
    for (const f of findings) {
      context.report.addViolation({
        ruleName: `${f.rule} (${f.level})`,
        recommendation: `${f.object}: ${f.message}`,
        fix: f.fix,
        violatingResources: [{ resourceName: f.object, locations: [], manifestPath: fileOf(f) }],
      });
    }
    const failing = findings.filter(f => f.level === 'error' || this.props.failOnWarnings === true);
    context.report.submit(failing.length > 0 ? 'failure' : 'success', {
      errors: String(findings.filter(f => f.level === 'error').length),
      warnings: String(findings.filter(f => f.level === 'warning').length),
    });
  }
}
