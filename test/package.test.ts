/**
 * The package as users get it: what `npm pack` ships, and an install of the packed tarball into a
 * new cdk8s app with only the README's steps, synthesized with `cdk8s synth`. One file, so the
 * two share one compile and never pack concurrently.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { markedBlock, ROOT } from './support/markdown';
import { expectValid, validatorUnavailable } from './support/validator';

const README = path.join(ROOT, 'README.md');

function sh(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const run = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf-8', ...options });
  if (run.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  }
  return String(run.stdout);
}

/** Compiles (jsii) when lib/ or .jsii is missing or older than src/, so the package is current. */
function ensureCompiled(): void {
  const newest = (dir: string): number => fs.readdirSync(dir, { withFileTypes: true })
    .map(e => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs))
    .reduce((a, b) => Math.max(a, b), 0);
  const jsii = path.join(ROOT, '.jsii');
  const fresh = fs.existsSync(jsii) && fs.existsSync(path.join(ROOT, 'lib', 'index.js'))
    && fs.statSync(jsii).mtimeMs >= newest(path.join(ROOT, 'src'));
  if (!fresh) sh('npx', ['--no-install', 'projen', 'compile']);
}

beforeAll(ensureCompiled, 300_000);

describe('npm pack', () => {
  test('ships lib/, the jsii assembly, README, API.md, LICENSE, CHANGELOG and docs/ only', () => {
    const [pack] = JSON.parse(sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']));
    const files: string[] = pack.files.map((f: { path: string }) => f.path).sort();
    const allowed = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^API\.md$/, /^CHANGELOG\.md$/, /^\.jsii$/,
      /^lib\/.+\.(js|js\.map|d\.ts)$/, /^docs\/[\w-]+\.md$/];
    expect(files.filter(f => !allowed.some(re => re.test(f)))).toEqual([]);
    for (const required of ['package.json', 'README.md', 'LICENSE', 'API.md', 'CHANGELOG.md', '.jsii', 'lib/index.js',
      'lib/index.d.ts', 'docs/canary-release.md', 'docs/mesh-install.md']) {
      expect(files).toContain(required);
    }
    // source maps in files of their own, sources embedded (src/ is not shipped): not inline, which
    // more than doubled what node loads for every synth
    expect(files).toContain('lib/index.js.map');
    expect(fs.readFileSync(path.join(ROOT, 'lib', 'index.js'), 'utf-8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'index.js.map'), 'utf-8')).sourcesContent?.length).toBeGreaterThan(0);
    // nothing of the repository's own tooling or examples
    expect(files.filter(f => /^(\.ci|scripts|bench|examples|src|test|projenrc)\//.test(f))).toEqual([]);
  });

  test('package.json says which Node.js it needs and where the project lives', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
    expect(pkg.engines).toEqual({ node: '>= 20.0.0' });
    expect(pkg.repository.url).toMatch(/^https:\/\//);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-28', 'constructs']);
  });
});

describe('API.md', () => {
  const check = (file?: string) => spawnSync('node', ['scripts/check-api-md.mjs', ...(file ? [file] : [])], { cwd: ROOT, encoding: 'utf-8' });

  test('documents no method that the compiled classes lack with the lowest peers', () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  test('the check fails the build on a method that does not exist at runtime (constructs 10.3.0 has no with())', () => {
    const api = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf-8');
    const anchor = '#### Methods <a name="Methods" id="Methods"></a>\n';
    expect(api).toContain(anchor);
    const withMixins = api.replace(anchor, `${anchor}\n##### \`with\` <a name="with" id="cdk8s-mesh.CanaryRelease.with"></a>\n`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-'));
    try {
      fs.writeFileSync(path.join(dir, 'API.md'), withMixins);
      const run = check(path.join(dir, 'API.md'));
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('CanaryRelease.prototype.with');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Why the npm registry cannot be used here, or undefined when it can. */
function registryUnreachable(): string | undefined {
  const ping = spawnSync('npm', ['ping'], { encoding: 'utf-8', timeout: 30_000 });
  return ping.status === 0 ? undefined : `npm ping failed: ${(ping.stderr || ping.error?.message || '').trim().split('\n').pop()}`;
}

const offline = registryUnreachable();
if (offline && !process.env.CI) {
  process.stderr.write(`the install test is skipped: the npm registry is not reachable (${offline})\n`);
}
const describeInstall = offline && !process.env.CI ? describe.skip : describe;

describeInstall('installed into a new cdk8s app with the README\'s steps', () => {
  let work: string;
  let appDir: string;
  const env = {
    ...process.env,
    CDK8S_CHECK_UPGRADE: 'false',
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const synth = (program: string): any[] => {
    fs.writeFileSync(path.join(appDir, 'main.ts'), program);
    fs.rmSync(path.join(appDir, 'dist'), { recursive: true, force: true });
    // the README's command
    expect(fs.readFileSync(README, 'utf-8')).toContain('\nnpx cdk8s synth\n');
    sh('npx', ['cdk8s', 'synth'], { cwd: appDir, env });
    const dist = path.join(appDir, 'dist');
    return fs.readdirSync(dist).filter(f => f.endsWith('.k8s.yaml')).sort().flatMap(f => Yaml.load(path.join(dist, f)).filter(o => o));
  };

  beforeAll(() => {
    expect(offline).toBeUndefined(); // in CI the registry must be reachable
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-install-'));
    const [pack] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work]));
    const tarball = path.join(work, pack.filename);
    // The README's install block, with the package name pointing at the packed tarball.
    const install = markedBlock(README, 'install').code
      .split('\n')
      .map(line => (/^npm install /.test(line) ? line.replace(/(?<=\s)cdk8s-mesh(?=\s|$)/, tarball) : line))
      .join('\n');
    expect(install).toContain(tarball);
    sh('bash', ['-euo', 'pipefail', '-c', install], { cwd: work, env });
    appDir = path.join(work, install.match(/^mkdir (\S+)/m)![1]);
    for (const file of ['tsconfig.json', 'cdk8s.yaml']) {
      fs.writeFileSync(path.join(appDir, file), markedBlock(README, `file: ${file}`).code);
    }
  }, 600_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the first program synthesizes the canary', () => {
    const objs = synth(markedBlock(README, 'file: main.ts').code);
    // and, beside the manifests, the release's rollout plan (README: "A first program")
    expect(fs.readdirSync(path.join(appDir, 'dist', 'rollout-plans')).sort()).toEqual(['bookinfo-reviews.md']);
    expect(objs.map(o => o.kind).sort()).toEqual(['Deployment', 'Deployment', 'DestinationRule', 'Service', 'ServiceAccount', 'VirtualService']);
    const vs = objs.find(o => o.kind === 'VirtualService');
    expect(vs.spec.http.map((r: any) => r.route.map((d: any) => [d.destination.subset, d.weight ?? 100]))).toEqual([
      [['v2', 100]],
      [['v1', 90], ['v2', 10]],
    ]);
    if (!validatorUnavailable()) expectValid({ readme: objs });
  }, 300_000);

  test('a cdk8s-plus-33 Deployment passed to fromDeployment compiles (ts-node type-checks) and synthesizes', () => {
    const step = markedBlock(README, 'install-plus-33').code.trim();
    expect(step).toMatch(/^npm install cdk8s-plus-33$/);
    sh('bash', ['-euo', 'pipefail', '-c', step], { cwd: appDir, env });
    const objs = synth(markedBlock(README, 'file: main-plus33.ts').code);
    const subsets = objs.find(o => o.kind === 'DestinationRule').spec.subsets;
    expect(subsets).toEqual([
      { name: 'v1', labels: { app: 'web', version: 'v1' } },
      { name: 'v2', labels: { app: 'web', version: 'v2' } },
    ]);
    if (!validatorUnavailable()) expectValid({ plus33: objs });
  }, 300_000);
});
