/**
 * The text of a rollout plan: a Markdown summary (a table and a Mermaid flowchart of every step)
 * followed by each step's manifests, in one file. Markdown because every Git host renders it (GitHub,
 * GitLab and Gitea render ```mermaid blocks), and because no deployment tool reads it: Flux
 * applies only .yaml/.yml files (fluxcd/pkg kustomize/kustomize_generator.go,
 * generateKustomization), Argo CD's directory source .yaml/.yml/.json, and the cdk8s CLI lists
 * and validates only .yaml files of its output directory (cdk8s-cli lib/util.js, findManifests),
 * so the other steps' objects are never applied or checked as if they were the release's.
 */
import { blockYaml } from './block-yaml';
import { MatchIntent, NamedMatchIntent, StringMatchIntent } from '../model/intents';

/** One step of a plan, with the objects the host renders at it. */
export interface PlanStep {
  readonly index: number;
  /** the canary's share in percent */
  readonly canaryWeight: number;
  /** the percentage of the stable version's requests copied to the canary, if any at this step */
  readonly mirrorPercent?: number;
  /** what lets the release move past this step */
  readonly gate: string;
  readonly manifests: Record<string, unknown>[];
}

/** What the summary says about the release. */
export interface PlanText {
  /** e.g. `reviews` */
  readonly title: string;
  /** the release's construct path */
  readonly path: string;
  readonly host: string;
  readonly namespace?: string;
  /** the routing API, e.g. `Istio (networking.istio.io/v1)` */
  readonly provider: string;
  readonly stable: string;
  readonly canary: string;
  readonly currentStep: number;
  /** requests that go to the canary at every step */
  readonly matches: MatchIntent[];
  readonly steps: PlanStep[];
}

const HEADER = '<!-- Written by cdk8s-mesh at synthesis from the CanaryRelease; edit the program, not this file. -->';

/**
 * The plan's file: the summary (what each step sends where, as a table and a flowchart, and how
 * to move), then every step's manifests. One file per release: the plan is read as one review,
 * and a 1,000-release program writes 1,000 files, not 2,000 (bench/README.md).
 */
export function planMarkdown(plan: PlanText): string {
  return `${planSummary(plan)}\n${planManifests(plan)}`;
}

/** The summary: what each step sends where, as a table and a flowchart, and how to move. */
function planSummary(plan: PlanText): string {
  const last = plan.steps.length - 1;
  const current = plan.steps[plan.currentStep];
  const lines = [
    `# Rollout plan: ${plan.title}`,
    '',
    HEADER,
    '',
    `Release \`${plan.path}\`: host \`${plan.host}\`${plan.namespace ? ` in namespace \`${plan.namespace}\`` : ''}, `
      + `routed by ${plan.provider}. Stable version \`${plan.stable}\`, canary \`${plan.canary}\`.`,
    `Step in force: **${plan.currentStep}** (${current.canaryWeight} % to \`${plan.canary}\`). `
      + 'The manifests of every step follow the summary ([Manifests per step](#manifests-per-step)).',
    '',
    `| Step | \`${plan.stable}\` (stable) | \`${plan.canary}\` (canary) | Header routes | Mirror | Analysis gate |`,
    '|---|--:|--:|---|---|---|',
    ...plan.steps.map(s => `| ${s.index === plan.currentStep ? `**${s.index}** (current)` : `${s.index}`} `
      + `| ${100 - s.canaryWeight} % | ${s.canaryWeight} % `
      + `| ${plan.matches.length === 0 ? '—' : `${plan.matches.map(m => cell(code(describeMatch(m)))).join('<br>or ')} → ${code(plan.canary)}`} `
      + `| ${s.mirrorPercent === undefined ? '—' : `${s.mirrorPercent} % of ${code(plan.stable)}'s requests copied to ${code(plan.canary)}`} `
      + `| ${cell(s.gate)} |`),
    '',
    '## Traffic per step',
    '',
    '```mermaid',
    planFlowchart(plan),
    '```',
    '',
    '## Moving the release',
    '',
    plan.currentStep < last
      ? `- Next step: \`currentStep: ${plan.currentStep + 1}\` (${plan.steps[plan.currentStep + 1].canaryWeight} % to \`${plan.canary}\`).`
      : `- Promote: \`stable\` becomes \`${plan.canary}\` and \`canary\` \`${plan.stable}\`, with \`currentStep: 0\`.`,
    plan.steps[0].canaryWeight === 0
      ? `- Roll back: \`currentStep: 0\` (no weighted traffic to \`${plan.canary}\`${plan.matches.length > 0 ? '; header routes still reach it' : ''}).`
      : `- Roll back: \`currentStep: 0\` (${plan.steps[0].canaryWeight} % to \`${plan.canary}\`); steps that start at 0 roll back to none.`,
    '',
  ];
  return lines.join('\n');
}

/** A flowchart with one box per step: the requests, each version, the weights, header routes and mirroring. */
function planFlowchart(plan: PlanText): string {
  const lines = ['flowchart TB'];
  for (const s of plan.steps) {
    const id = `step${s.index}`;
    const title = `Step ${s.index}${s.index === plan.currentStep ? ' (current)' : ''}: ${s.canaryWeight} % to ${plan.canary}`;
    lines.push(`  subgraph ${id}["${label(title)}"]`);
    lines.push('    direction LR');
    lines.push(`    ${id}_in(["${label(`requests to ${plan.host}`)}"])`);
    lines.push(`    ${id}_stable["${label(`${plan.stable} (stable)`)}"]`);
    lines.push(`    ${id}_canary["${label(`${plan.canary} (canary)`)}"]`);
    // A version without weighted traffic keeps its place through an invisible link, so every step
    // draws the versions in the same order.
    lines.push(s.canaryWeight < 100 ? `    ${id}_in -- "${100 - s.canaryWeight} %" --> ${id}_stable` : `    ${id}_in ~~~ ${id}_stable`);
    lines.push(s.canaryWeight > 0 ? `    ${id}_in -- "${s.canaryWeight} %" --> ${id}_canary` : `    ${id}_in ~~~ ${id}_canary`);
    plan.matches.forEach(m => lines.push(`    ${id}_in -- "${label(describeMatch(m))}" --> ${id}_canary`));
    if (s.mirrorPercent !== undefined) lines.push(`    ${id}_stable -. "mirror ${s.mirrorPercent} %" .-> ${id}_canary`);
    lines.push('  end');
  }
  for (const s of plan.steps.slice(0, -1)) {
    lines.push(`  step${s.index} == "${label(s.gate)}" ==> step${s.index + 1}`);
  }
  return lines.join('\n');
}

/** Every step's objects, one YAML block per step (src/private/block-yaml.ts). */
function planManifests(plan: PlanText): string {
  const lines = [
    '## Manifests per step',
    '',
    `The objects ${plan.provider} renders for host \`${plan.host}\` at each step of \`${plan.path}\`. `
      + `The synthesized manifests hold step ${plan.currentStep}; these are for review (JSON patches on the objects are not applied here).`,
    '',
  ];
  for (const s of plan.steps) {
    lines.push(`### Step ${s.index}${s.index === plan.currentStep ? ' (current)' : ''}: `
      + `${plan.stable} ${100 - s.canaryWeight} %, ${plan.canary} ${s.canaryWeight} %`);
    lines.push('');
    lines.push('```yaml');
    lines.push(blockYaml(...s.manifests).trimEnd());
    lines.push('```');
    lines.push('');
  }
  return lines.join('\n');
}

/** A request match in words, e.g. `header end-user = jason and path prefix /beta`. */
export function describeMatch(m: MatchIntent): string {
  const words: string[] = [];
  if (m.method) words.push(`method ${m.method}`);
  if (m.path) words.push(`path ${condition(m.path)}`);
  m.headers.forEach(h => words.push(`header ${named(h)}`));
  m.queryParams.forEach(q => words.push(`query ${named(q)}`));
  return words.join(' and ') || 'every request';
}

function named(m: NamedMatchIntent): string {
  return `${m.name} ${condition(m)}`;
}

function condition(m: StringMatchIntent): string {
  return m.kind === 'exact' ? `= ${m.value}` : m.kind === 'prefix' ? `prefix ${m.value}` : `~ ${m.value}`;
}

/**
 * Text in a Mermaid label between double quotes: Mermaid's entity codes for what would end the
 * label or be read as markup (`#quot;`, `#lt;`, ... and `#35;` for `#` itself, first), and no
 * line breaks.
 */
export function label(text: string): string {
  const entities: Record<string, string> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;' };
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[#"<>&`]/g, c => entities[c]);
}

/** Text in a Markdown table cell: `|` escaped (GitHub splits cells on it even in code spans). */
function cell(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code that holds any text: a backtick fence longer than any run in it. */
function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map(r => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
