#!/usr/bin/env node
// Synthesizes every examples/<name>/main.ts into examples/<name>/dist/ (cleaned first, so the
// output is exactly what the program gives). Exits non-zero if any example fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const names = readdirSync('examples', { withFileTypes: true })
  .filter(d => d.isDirectory() && existsSync(join('examples', d.name, 'main.ts')))
  .map(d => d.name)
  .filter(n => only.length === 0 || only.includes(n))
  .sort();
let failed = 0;
for (const name of names) {
  const outdir = join('examples', name, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  const run = spawnSync('npx', ['--no-install', 'ts-node', '--project', join('examples', 'tsconfig.json'), join('examples', name, 'main.ts')], {
    stdio: 'inherit',
    env: { ...process.env, CDK8S_OUTDIR: outdir },
  });
  const ok = run.status === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'synthesized' : 'FAILED'} examples/${name} -> ${outdir}`);
}
if (names.length === 0) {
  console.error('no examples found');
  process.exit(1);
}
process.exit(failed === 0 ? 0 : 1);
