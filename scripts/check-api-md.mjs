#!/usr/bin/env node
// Fails when API.md documents a method or static function that the compiled classes (lib/) do
// not have at runtime with the peers installed at the root (the lowest the peer ranges allow).
// E.g. a docgen that read a newer `constructs` documents `with()` on every construct.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8'));
const lib = createRequire(join(root, 'package.json'))(join(root, pkg.main));
const md = readFileSync(process.argv[2] ?? join(root, 'API.md'), 'utf-8'); // a path argument: for its test

const missing = [];
let type; // the class whose section we are in
let section; // 'Methods' | 'Static Functions' | other
let checked = 0;
for (const line of md.split('\n')) {
  const t = line.match(/^### (\w+) <a name="\w+" id="[^"]+\.(\w+)"><\/a>/);
  if (t) { type = lib[t[2]]; section = undefined; continue; }
  const s = line.match(/^#### ([\w ]+) <a /);
  if (s) { section = s[1]; continue; }
  const m = line.match(/^##### `(\w+)` <a name="\w+" id="[^"]+"><\/a>/);
  if (!m || typeof type !== 'function') continue; // interfaces, structs and enums have no runtime members
  if (section === 'Methods') {
    checked++;
    if (typeof type.prototype[m[1]] !== 'function') missing.push(`${type.name}.prototype.${m[1]}`);
  } else if (section === 'Static Functions') {
    checked++;
    if (typeof type[m[1]] !== 'function') missing.push(`${type.name}.${m[1]}`);
  }
}
if (missing.length > 0) {
  console.error(`API.md documents ${missing.length} method(s) that do not exist at runtime with the installed peers `
    + `(constructs ${createRequire(join(root, 'package.json'))('constructs/package.json').version}):\n  ${missing.join('\n  ')}\n`
    + 'Regenerate it with `npx projen docgen` (scripts/docgen.mjs), or fix the peer ranges.');
  process.exit(1);
}
if (checked === 0) {
  console.error('API.md: no methods found to check; has its format changed?');
  process.exit(1);
}
console.log(`API.md: ${checked} documented methods exist at runtime`);
