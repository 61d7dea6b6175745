import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-mesh',
  description: 'Typed service-mesh patterns for cdk8s: canary releases, mTLS migration, circuit breakers and ingress routes on Istio, Linkerd and Gateway API.',
  author: 'cdk8s-mesh developers',
  authorAddress: 'dev@cdk8s-mesh.invalid',
  repositoryUrl: 'https://example.invalid/cdk8s-mesh.git',
  defaultReleaseBranch: 'main',
  keywords: ['cdk8s', 'istio', 'linkerd', 'gateway-api', 'service-mesh', 'canary'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  jsiiVersion: '~6.0.0',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  devDeps: [
    'cdk8s-plus-28@2.5.6',
    // Interop: apps made by `cdk8s init` use the newest cdk8s-plus line; the tests pass its objects in.
    'cdk8s-plus-33@2.5.57',
    // The examples are cdk8s apps synthesized by the cdk8s CLI, importing 'cdk8s-mesh' through a path mapping.
    'cdk8s-cli@2.207.60',
    'tsconfig-paths@^4.2.0',
    'fast-check@^4',
    'yaml@^2.9.1',
    // The rollout plan's Mermaid diagrams are checked with Mermaid's own parser (test/support/
    // mermaid-parse.mjs), which needs a DOM: jsdom (27 is the newest line that runs on Node 20).
    'mermaid@11.17.2',
    'jsdom@27.4.0',
  ],
  // Measured: Node 20 (the only line this project's machines run); see the README's "Supported toolchain".
  minNodeVersion: '20.0.0',
  // The package is lib/, the jsii assembly and the docs: no .npmignore, an allow-list (`files`).
  npmignoreEnabled: false,

  // This machine reaches only the npm registry: no hosted CI, releases or upgrade bots.
  github: false,
  release: false,
  depsUpgrade: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      // Warnings the library prints go to a list the tests read, not to the test output.
      setupFiles: ['<rootDir>/test/support/warnings.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/test/support/'],
    },
  },
  gitignore: ['/examples/*/dist/', '/.ci/out/', '/bench/build/', '/bench/scratch/'],
});

// A fresh `npm ci` fails without this pin (measured on this machine).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// What `npm pack` ships (package.json, README and LICENSE always go too); test/package.test.ts
// checks the list.
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.js.map', 'lib/**/*.d.ts', '.jsii', 'API.md', 'CHANGELOG.md', 'docs/**/*.md']);
// Source maps beside the JavaScript, not inside it: an inline map (jsii's default) more than
// doubles every module node must read, parse and keep in memory on each `cdk8s synth`; a .map
// file is read only by a debugger or `node --enable-source-maps`.
project.tsconfig?.file.addOverride('compilerOptions.inlineSourceMap', false);
project.tsconfig?.file.addOverride('compilerOptions.sourceMap', true);
// jsii-pacmak would otherwise write a .npmignore of its own next to the allow-list.
project.tasks.tryFind('package:js')?.reset('jsii-pacmak -v --target js --no-npmignore');
// No public repository exists yet: the reserved .invalid domain cannot send anyone to a wrong
// project. Set the real URL here before the first release (CONTRIBUTING.md).
project.package.addField('homepage', 'https://example.invalid/cdk8s-mesh#readme');
project.package.addField('bugs', { url: 'https://example.invalid/cdk8s-mesh/issues' });

const env = {
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  CDK8S_CHECK_UPGRADE: 'false',
};
for (const [k, v] of Object.entries(env)) {
  project.tasks.addEnvironment(k, v);
}

// The benchmark (bench/src, `npm run bench`) measures the compiled library (lib/), each program in
// a node process of its own: it is compiled to bench/build/ (the same depth as src/, so '../../lib'
// resolves from both), and eslint's project service finds it through this tsconfig.
new javascript.TypescriptConfig(project, {
  fileName: 'bench/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  include: ['src/**/*.ts'],
  exclude: ['node_modules', 'build'],
  compilerOptions: { rootDir: 'src', outDir: 'build', declaration: false, inlineSourceMap: false, inlineSources: false, types: ['node'] },
});

// Each example is a cdk8s app (its own cdk8s.yaml, `app: npx ts-node main.ts`) that imports
// 'cdk8s-mesh' by name, as a user's app does; in this repository the name maps to src/ (for the
// compiler through `paths`, for ts-node through tsconfig-paths), so no build is needed first.
const examplesTsconfig = new javascript.TypescriptConfig(project, {
  fileName: 'examples/tsconfig.json',
  extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
  include: ['**/*.ts', '../src/**/*.ts'],
  exclude: ['node_modules', '*/dist'],
  compilerOptions: {
    rootDir: '..',
    noEmit: true,
    paths: { 'cdk8s-mesh': ['../src/index.ts'] },
  },
});
examplesTsconfig.file.addOverride('ts-node', { require: ['tsconfig-paths/register'] });

// The architecture, enforced: no import cycle in src/, patterns only write intents (never a
// provider's code), and the model knows no provider and no pattern (DESIGN.md §3).
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    'import/no-cycle': ['error', { ignoreExternal: true }],
    'import/no-restricted-paths': ['error', {
      zones: [
        { target: './src/patterns', from: './src/providers', message: 'patterns write intents; only src/providers/<name>/ knows a provider' },
        { target: './src/model', from: './src/providers', message: 'the model is provider-neutral' },
        { target: './src/model', from: './src/patterns', message: 'the model knows no pattern' },
        { target: './src/private', from: './src/providers', message: 'private helpers are shared by every layer' },
      ],
    }],
  },
});
project.eslint?.addLintPattern('examples');
// eslint resolves 'cdk8s-mesh' in the examples through their tsconfig's path mapping.
const eslintrc = project.tryFindObjectFile('.eslintrc.json');
eslintrc?.addOverride('settings.import/resolver.typescript.project', ['./tsconfig.json', './examples/tsconfig.json']);
eslintrc?.addOverride('settings.import/resolver.typescript.noWarnOnMultipleProjects', true);
project.eslint?.addLintPattern('bench');
// The benchmark is a development tool: it may use devDependencies (yaml, cdk8s-plus-28).
project.eslint?.addOverride({ files: ['bench/**/*.ts'], rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true }] } });

project.addTask('synth:examples', {
  description: 'Synthesize every app under examples/ with `cdk8s synth` into examples/<name>/dist/*.k8s.yaml',
  exec: 'node scripts/synth-examples.mjs',
});

// API.md documents the package against the lowest constructs/cdk8s its peer ranges allow (the
// versions installed at the root), not whatever newer copy another tool nests in node_modules;
// the build then fails if API.md names a method the compiled classes do not have.
const docgen = project.tasks.tryFind('docgen');
docgen?.reset('node scripts/docgen.mjs');
docgen?.exec('node scripts/check-api-md.mjs');

// The library against the same program written by hand and as plain objects (bench/README.md);
// `npm run bench -- --quick` for a short run. Not part of the test suite: no timing in jest.
const bench = project.addTask('bench', {
  description: 'Side-by-side benchmark of the compiled library (writes bench/results/); args: --quick, --runs N, --sizes a,b, ...',
});
bench.spawn(project.compileTask);
bench.exec('tsc -p bench/tsconfig.json');
bench.exec('node bench/build/bench.js', { receiveArgs: true });

project.synth();
