import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Installs the schema validator's pinned dependencies when ../shared is present, so a plain
 * `npx projen test` validates. Without ../shared the validation tests skip, except in CI.
 */
export default async function globalSetup(): Promise<void> {
  const validator = path.resolve(__dirname, '..', '..', '..', 'shared', 'tools', 'validate-manifests');
  if (!fs.existsSync(path.join(validator, 'validate.mjs'))) {
    if (process.env.CI) {
      throw new Error(`CI must validate against the upstream schemas, but ${validator} is missing`);
    }
    return;
  }
  if (!fs.existsSync(path.join(validator, 'node_modules'))) {
    const run = spawnSync('npm', ['ci', '--silent', '--prefix', validator], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`npm ci --prefix ${validator} failed`);
  }
}
