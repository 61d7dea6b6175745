/**
 * The bench's three programs (bench/src: the library, the same app written by hand, the same
 * objects as plain data) must write the same objects, or `npm run bench` stops at its first run.
 * Run small here on every provider and layout the bench measures, with the library from src/ (the
 * bench itself measures the compiled library in lib/), so a change to the library's output that
 * the other two programs do not follow fails the suite, not the next benchmark.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { validationTargetFor } from './support/fixtures';
import { itValidates, validate } from './support/validator';
import { canonicalOf } from '../bench/src/canonical';
import * as handwritten from '../bench/src/handwritten';
import * as library from '../bench/src/library';
import * as plain from '../bench/src/plain';
import { Case, LAYOUTS, PROVIDERS } from '../bench/src/spec';

jest.mock('../bench/src/mesh', () => jest.requireActual('../src'));

// 25 services: three namespaces, the last one partly filled
const SERVICES = 25;
const CASES: Case[] = PROVIDERS.flatMap(provider => LAYOUTS.map(layout => ({ provider, layout, services: SERVICES })));
const PROGRAMS = { library, handwritten, plain };

const written = new Map<string, Record<keyof typeof PROGRAMS, string>>();
let root: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-bench-programs-'));
  for (const c of CASES) {
    const dirs = {} as Record<keyof typeof PROGRAMS, string>;
    for (const [name, program] of Object.entries(PROGRAMS) as [keyof typeof PROGRAMS, typeof library][]) {
      dirs[name] = path.join(root, `${c.provider}-${c.layout}-${name}`);
      fs.mkdirSync(dirs[name]);
      program.construct(c, dirs[name]).synth();
    }
    written.set(`${c.provider}/${c.layout}`, dirs);
  }
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('the library program runs on src/ here', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(require('../bench/src/mesh').CanaryRelease).toBe(require('../src').CanaryRelease);
});

describe.each(CASES.map(c => [`${c.provider}/${c.layout}`, c] as const))('%s', (name, c) => {
  test('the three programs write the same objects', () => {
    const dirs = written.get(name)!;
    const lib = canonicalOf(dirs.library);
    // every service's Deployments, Services and mesh objects: more than a handful
    expect(lib.objects).toBeGreaterThan(SERVICES * 6);
    expect(lib.files).toBe(c.layout === 'one-chart' ? 1 : 3);
    expect(canonicalOf(dirs.handwritten).lines).toEqual(lib.lines);
    expect(canonicalOf(dirs.plain).lines).toEqual(lib.lines);
  });

  test('the library writes a rollout plan per release beside them (on by default)', () => {
    const plans = fs.readdirSync(written.get(name)!.library, { recursive: true }).map(String).filter(f => f.endsWith('.md'));
    expect(plans).toHaveLength(SERVICES);
  });

  itValidates('what they write passes the upstream schemas at the versions the provider targets', () => {
    const dir = written.get(name)!.library;
    const objects = fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).flatMap(f => Yaml.load(path.join(dir, f)).filter(o => o));
    expect(objects.length).toBeGreaterThan(SERVICES * 6);
    const result = validate({ [name]: objects }, { [name]: validationTargetFor(library.providerOf(c)) });
    expect(result.summary).toBe(`validated ${objects.length} objects: 0 invalid, 0 unknown kinds`);
    expect(result.ok).toBe(true);
  });
});
