import * as fs from 'fs';
import * as path from 'path';
import { Chart, Names } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshHost } from '../model/host';
import { MatchIntent, RouteIntent } from '../model/intents';
import { renderPlain } from '../model/render-plain';
import { PlanStep, PlanText, planMarkdown } from '../private/rollout-plan-markdown';
import { atSynthesis } from '../private/synthesis';
import { boolean, object, optional, string } from '../private/validation';

/**
 * Options of a release's rollout plan: every step of a release with static steps, written by the
 * synthesis as Markdown beside the manifests, for review before the rollout starts.
 */
export interface RolloutPlanOptions {
  /**
   * Whether the synthesis writes the plan.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The directory of the plan's files, relative to the app's output directory (`App.outdir`,
   * `cdk8s synth --output`). With `cdk8s synth --format helm` the output directory is the
   * chart's `templates/`, which Helm reads as templates: use e.g. `'../rollout-plans'`.
   * @default 'rollout-plans'
   */
  readonly directory?: string;
}

/** What a release tells its plan (internal). */
export interface RolloutPlanSpec {
  readonly host: MeshHost;
  /** the release: names the plan and owns its routes */
  readonly release: IConstruct;
  /** the release's weighted route on the host, replaced by each step's weights */
  readonly splitRoute: string;
  readonly stable: string;
  readonly canary: string;
  readonly steps: number[];
  readonly currentStep: number;
  /** requests the release sends to the canary at every step */
  readonly matches: MatchIntent[];
  readonly mirrorPercent?: number;
  /** what lets the release move past each step; default: a pull request that bumps `currentStep` */
  readonly gates?: string[];
}

/** Checks `rolloutPlan` options (for the release's checkProps table). */
export const rolloutPlanOptions = object({
  enabled: optional(boolean),
  directory: optional(string({
    nonEmpty: true,
    max: 1024,
    pattern: { test: (v: string) => !path.isAbsolute(v) && !v.includes('\u0000') } as unknown as RegExp,
    rule: 'a directory relative to the app\'s output directory',
  })),
});

/** Per app: the plan files claimed so far, and what each validation pass found on disk. */
interface AppPlans {
  /** the release of each plan file, by path relative to the output directory */
  readonly claimed: Map<string, string>;
  /** counts the app's validation passes: an App-level validation, first in every pass, bumps it */
  pass: number;
  /** per plan directory (absolute): whether it existed, looked up once per pass */
  readonly present: Map<string, { pass: number; exists: boolean; made?: boolean }>;
}
const PLANS = new WeakMap<IConstruct, AppPlans>();

function plansOf(root: IConstruct): AppPlans {
  let plans = PLANS.get(root);
  if (!plans) {
    const created: AppPlans = { claimed: new Map(), pass: 0, present: new Map() };
    // cdk8s validates the app in construct order, the root first, once per synthesis and again
    // for every chart it writes; this marks where each pass starts.
    root.node.addValidation({ validate: () => { created.pass++; return []; } });
    PLANS.set(root, created);
    plans = created;
  }
  return plans;
}

/**
 * The rollout plan of a release with static steps: for every step, the objects the host renders
 * with that step's weights, and a summary (a table and a Mermaid flowchart) of what goes where.
 * The synthesis writes one Markdown file per release into the app's output directory,
 * `<directory>/<chart>-<release>.md` (what no deployment tool applies: see
 * src/private/rollout-plan-markdown.ts).
 *
 * They are written during validation, the step of synthesis that cdk8s runs on every path
 * (`app.synth()`, `cdk8s synth`, `app.synthYaml()`, `Testing.synth()`), once the program has
 * recorded every intent; the same program writes the same bytes.
 */
export class RolloutPlan {
  /** @internal */
  public static _attach(spec: RolloutPlanSpec, options: RolloutPlanOptions = {}): RolloutPlan | undefined {
    if (options.enabled === false) return undefined;
    return new RolloutPlan(spec, options.directory ?? 'rollout-plans');
  }

  /** The plan's path, relative to the app's output directory. */
  public readonly file: string;
  private readonly spec: RolloutPlanSpec;
  private readonly plans: AppPlans;
  /** the app (`node.root` builds the list of every scope on each call; this runs once per pass) */
  private readonly root: IConstruct & { outdir?: unknown };
  /** the output directory the files were last written to, and the plan directory in it */
  private writtenTo?: { readonly outdir: string; readonly dir: string };

  private constructor(spec: RolloutPlanSpec, directory: string) {
    this.spec = spec;
    const chart = Chart.of(spec.release);
    const within = spec.release.node.scopes.slice(spec.release.node.scopes.indexOf(chart) + 1).map(s => s.node.id);
    const base = [Names.toDnsLabel(chart), ...within].join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
    this.file = path.posix.join(directory.split(path.sep).join('/'), `${base}.md`);

    this.root = spec.release.node.root;
    this.plans = plansOf(this.root);
    const claimed = this.plans.claimed;
    const prior = claimed.get(this.file);
    if (prior !== undefined) {
      throw new Error(`${spec.release.node.path}: its rollout plan '${this.file}' is also the plan of ${prior}; `
        + 'give one release another id, or its plan another directory (rolloutPlan.directory)');
    }
    claimed.set(this.file, spec.release.node.path);
    // written at synthesis, by the chart's one validation (src/private/synthesis.ts); again in
    // later passes, which cost a lookup once the file is written
    atSynthesis(spec.release, () => ({ errors: this.write(), again: true }));
  }

  /**
   * The plan's text: a summary (a table and a Mermaid flowchart of every step, and how to move the
   * release), then every step's objects, one YAML block per step.
   */
  public render(): string {
    return planMarkdown(this.text());
  }

  private text(): PlanText {
    const s = this.spec;
    const host = s.host;
    const last = s.steps.length - 1;
    const labels = host.chart.labels;
    const steps: PlanStep[] = s.steps.map((weight, index) => {
      // Nothing goes to the stable version at 100 %, so there is nothing to mirror.
      const mirrorPercent = weight < 100 ? s.mirrorPercent : undefined;
      const backends = [{ version: s.stable, weight: 100 - weight }, { version: s.canary, weight }];
      const replace = (r: RouteIntent): RouteIntent => (r.source === s.release && r.name === s.splitRoute
        ? { ...r, backends, mirror: mirrorPercent === undefined ? undefined : r.mirror }
        : r);
      let manifests: Record<string, unknown>[];
      try {
        manifests = renderPlain(host.renderers.traffic, host.toIntent(replace), labels).filter(o => !o.shared).map(o => o.manifest);
      } catch (e) {
        throw new Error(`rollout plan, step ${index} (${weight} %): ${(e as Error).message}`);
      }
      const gate = s.gates?.[index] ?? (index < last
        ? `manual: a pull request sets currentStep: ${index + 1}`
        : `promote: a pull request makes ${s.canary} the stable version`);
      return { index, canaryWeight: weight, mirrorPercent, gate, manifests };
    });
    return {
      title: s.release.node.id,
      path: s.release.node.path,
      host: host.hostName,
      namespace: host.namespace,
      provider: host.renderers.traffic.displayName,
      stable: s.stable,
      canary: s.canary,
      currentStep: s.currentStep,
      matches: s.matches,
      steps,
    };
  }

  /**
   * Writes the plan into the app's output directory (at synthesis: errors are returned). cdk8s
   * validates the whole app again for every chart it writes, so once the files are written for
   * this output directory (the host is final by then), later passes only check that the plan
   * directory is still there: one lookup per directory and pass, shared by every plan in it (one
   * per file made a chart per namespace quadratic in file-system calls).
   */
  private write(): string[] {
    const root = this.root;
    if (typeof root.outdir !== 'string') return [];
    if (this.writtenTo?.outdir === root.outdir && directoryExists(this.plans, this.writtenTo.dir)) return [];
    const target = path.resolve(root.outdir, this.file);
    const dir = path.dirname(target);
    try {
      this.spec.host.toIntent();
    } catch {
      return []; // the host reports what is wrong with its intents
    }
    let content: string;
    try {
      content = this.render();
    } catch (e) {
      return [(e as Error).message];
    }
    if (!directoryExists(this.plans, dir)) {
      // every plan of this directory writes again in this pass: it was missing when the pass began
      const seen = this.plans.present.get(dir)!;
      if (!seen.made) fs.mkdirSync(dir, { recursive: true });
      seen.made = true;
      fs.writeFileSync(target, content);
    } else if (!fs.existsSync(target) || fs.readFileSync(target, 'utf-8') !== content) {
      // the same bytes are not written again (the file's time changes only when the plan does)
      fs.writeFileSync(target, content);
    }
    this.writtenTo = { outdir: root.outdir, dir };
    return [];
  }
}

/** Whether a plan directory exists, looked up once per validation pass for every plan in it. */
function directoryExists(plans: AppPlans, dir: string): boolean {
  const known = plans.present.get(dir);
  if (known?.pass === plans.pass) return known.exists;
  const exists = fs.existsSync(dir);
  plans.present.set(dir, { pass: plans.pass, exists });
  return exists;
}
