#!/usr/bin/env node
// Writes API.md from the jsii assembly, like `jsii-docgen -o API.md`, but against the dependency
// assemblies this package resolves from its own root (constructs 10.3.0, cdk8s 2.70.0: the lowest
// versions the peer ranges allow), not the newest copy found anywhere under node_modules —
// jsii-docgen's own discovery picks e.g. projen's nested constructs 10.8.1 and then documents
// inherited members (`with()`) that do not exist with the constructs a user may have.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const root = process.cwd();
const require = createRequire(join(root, 'package.json'));
const { Documentation, Language } = require('jsii-docgen');

const name = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8')).name;
const dir = mkdtempSync(join(tmpdir(), 'docgen-'));
try {
  // The root assembly and, transitively, each dependency as node resolves it from its dependent.
  const seen = new Set();
  const versions = [];
  const add = (pkgDir, assemblyName) => {
    if (seen.has(assemblyName)) return;
    seen.add(assemblyName);
    if (assemblyName !== name) {
      versions.push(`${assemblyName}@${JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf-8')).version}`);
    }
    const target = join(dir, assemblyName.replace(/[@/]/g, '_'));
    mkdirSync(target, { recursive: true });
    copyFileSync(join(pkgDir, '.jsii'), join(target, '.jsii'));
    let spec = JSON.parse(readFileSync(join(pkgDir, '.jsii'), 'utf-8'));
    if (spec.schema === 'jsii/file-redirect') { // a compressed assembly
      copyFileSync(join(pkgDir, spec.filename), join(target, spec.filename));
      spec = JSON.parse(gunzipSync(readFileSync(join(pkgDir, spec.filename))).toString('utf-8'));
    }
    const pkgRequire = createRequire(join(pkgDir, 'package.json'));
    for (const dep of Object.keys(spec.dependencies ?? {})) {
      add(dirname(pkgRequire.resolve(`${dep}/package.json`)), dep);
    }
  };
  add(root, name);

  const docs = await Documentation.forAssembly(name, dir);
  const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, allSubmodules: true });
  writeFileSync(join(root, 'API.md'), markdown.render());
  console.log(`API.md written against ${versions.join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
