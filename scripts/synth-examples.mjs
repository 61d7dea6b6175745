#!/usr/bin/env node
// Synthesizes every example app (examples/<name>/cdk8s.yaml) with `cdk8s synth`, the cdk8s CLI
// pinned in devDependencies, into examples/<name>/dist/*.k8s.yaml (cleaned first, so the output
// is exactly what the program gives). Each example imports 'cdk8s-mesh' by name: examples/
// tsconfig.json maps it to src/ (ts-node loads tsconfig-paths). Exits non-zero if any fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const names = readdirSync('examples', { withFileTypes: true })
  .filter(d => d.isDirectory() && existsSync(join('examples', d.name, 'cdk8s.yaml')))
  .map(d => d.name)
  .filter(n => only.length === 0 || only.includes(n))
  .sort();
if (names.length === 0) {
  console.error('no examples found (examples/<name>/cdk8s.yaml)');
  process.exit(1);
}
let failed = 0;
for (const name of names) {
  const dir = join('examples', name);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const run = spawnSync('npx', ['--no-install', 'cdk8s', 'synth'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  const ok = run.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'synthesized' : 'FAILED'} examples/${name} -> ${join(dir, 'dist')}`);
}
process.exit(failed === 0 ? 0 : 1);
