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
  devDeps: ['cdk8s-plus-28@2.5.6', 'fast-check@^4', 'yaml@^2.9.1', 'cdk8s-cli@2.207.60'],

  // This machine reaches only the npm registry: no hosted CI, releases or upgrade bots.
  github: false,
  release: false,
  depsUpgrade: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      testPathIgnorePatterns: ['/node_modules/', '/test/support/'],
    },
  },
  gitignore: ['/examples/*/dist/', '/.ci/out/'],
});

// A fresh `npm ci` fails without this pin (measured on this machine).
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

const env = {
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  CDK8S_CHECK_UPGRADE: 'false',
};
for (const [k, v] of Object.entries(env)) {
  project.tasks.addEnvironment(k, v);
}

// Examples and benchmarks are type-checked against src/ like user code would be; each folder
// has its own tsconfig so ts-node and eslint's project service find it.
for (const dir of ['examples', 'bench']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${dir}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    include: ['**/*.ts', '../src/**/*.ts'],
    compilerOptions: { rootDir: '..', noEmit: true },
  });
}

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
project.eslint?.addLintPattern('bench');

project.addTask('synth:examples', {
  description: 'Synthesize every app under examples/ into examples/<name>/dist/*.k8s.yaml',
  exec: 'node scripts/synth-examples.mjs',
});

project.addTask('bench', {
  description: 'Synthesis speed and memory benchmarks (not part of the test suite)',
  exec: 'ts-node --project bench/tsconfig.json bench/synth.bench.ts',
});

project.synth();
