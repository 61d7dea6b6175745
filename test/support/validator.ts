/**
 * Runs ../shared/tools/validate-manifests (upstream CRD + Kubernetes schemas, strict, with CEL)
 * on what the tests synthesize. A clone without ../shared beside it skips these checks and says
 * why; CI never skips (global-setup fails instead).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';

export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');
export const VALIDATOR = path.join(SHARED, 'tools', 'validate-manifests');

/** Why schema validation cannot run here, or undefined when it can. */
export function validatorUnavailable(): string | undefined {
  if (!fs.existsSync(path.join(VALIDATOR, 'validate.mjs'))) {
    return `no ${VALIDATOR} beside this clone (the upstream schemas live in ../shared)`;
  }
  if (!fs.existsSync(path.join(VALIDATOR, 'node_modules'))) {
    return `the validator's dependencies are not installed (npm ci --prefix ${VALIDATOR})`;
  }
  return undefined;
}

const why = validatorUnavailable();
if (why) {
  // eslint-disable-next-line no-console
  console.warn(`schema validation tests are skipped: ${why}`);
}

/** `it` when the validator is available, `it.skip` otherwise. */
export const itValidates: jest.It = why ? it.skip : it;

export interface ValidationResult {
  readonly ok: boolean;
  readonly summary: string;
  readonly output: string;
}

/**
 * What a set is validated against: the validator's `--profile=<component>@<version>` options
 * (the releases the configuration targets) and the Gateway API channel.
 */
export interface ValidationTarget {
  readonly profiles: string[];
  readonly channel: 'standard' | 'experimental';
}

/**
 * Validates named sets of manifests. Each set becomes one YAML file, so a failure names the set.
 * `targets` gives a set its profiles and channel (one validator run per distinct target); a set
 * without one is validated against the bundle's newest CRDs, on Gateway API's experimental channel
 * if its name contains "experimental", else the standard channel.
 */
export function validate(sets: Record<string, any[]>, targets: Record<string, ValidationTarget> = {}): ValidationResult {
  const groups = new Map<string, { target: ValidationTarget; sets: Record<string, any[]> }>();
  for (const [name, docs] of Object.entries(sets)) {
    const target = targets[name] ?? { profiles: [], channel: name.includes('experimental') ? 'experimental' : 'standard' };
    const key = JSON.stringify(target);
    const group = groups.get(key) ?? { target, sets: {} };
    group.sets[name] = docs;
    groups.set(key, group);
  }
  const runs = [...groups.values()]
    .map(g => runValidator(g.sets, g.target))
    .filter((r): r is ValidationResult => r !== undefined);
  const totals = runs.map(r => /validated (\d+) objects: (\d+) invalid, (\d+) unknown kinds/.exec(r.summary)?.slice(1).map(Number) ?? [NaN, NaN, NaN]);
  const sum = (k: number) => totals.reduce((n, t) => n + t[k], 0);
  return {
    ok: runs.every(r => r.ok),
    summary: `validated ${sum(0)} objects: ${sum(1)} invalid, ${sum(2)} unknown kinds`,
    output: runs.map(r => r.output).join('\n'),
  };
}

function runValidator(sets: Record<string, any[]>, target: ValidationTarget): ValidationResult | undefined {
  if (Object.keys(sets).length === 0) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-validate-'));
  try {
    for (const [name, docs] of Object.entries(sets)) {
      fs.writeFileSync(path.join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`), Yaml.stringify(...docs));
    }
    const args = [...target.profiles.map(p => `--profile=${p}`), `--gateway-channel=${target.channel}`];
    const run = spawnSync(process.execPath, [path.join(VALIDATOR, 'validate.mjs'), ...args, dir], { encoding: 'utf-8' });
    const output = `${run.status === 0 ? '' : `[${args.join(' ')}]\n`}${run.stdout}${run.stderr}`;
    const lines = output.trim().split('\n');
    const summary = lines.filter(l => l.startsWith('validated ')).pop() ?? lines[lines.length - 1];
    return { ok: run.status === 0, summary, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Asserts that every object passes, showing the validator's complaints otherwise. */
export function expectValid(sets: Record<string, any[]>, targets: Record<string, ValidationTarget> = {}): ValidationResult {
  const result = validate(sets, targets);
  const problems = result.output.split('\n').filter(l => l.trim() !== '' && !l.startsWith('note') && !l.startsWith('validated') && !l.startsWith('['));
  expect(problems).toEqual([]);
  expect(result.summary).toMatch(/: 0 invalid, 0 unknown kinds$/);
  expect(result.ok).toBe(true);
  return result;
}
