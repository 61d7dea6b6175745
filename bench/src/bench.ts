/**
 * The side-by-side benchmark (`npm run bench`; see bench/README.md). For each case (provider, layout,
 * number of services) it runs the library, the hand-written cdk8s program and plain objects, each
 * in a node process of its own, interleaved and in rotating order, several times; the first run of
 * each case also reads back what each program wrote and fails unless all three wrote the same
 * objects. It reports medians of wall time, CPU time and peak RSS, the ratios between programs and
 * the growth between sizes, and a scaling case for StrictMtlsMigration, as JSON and Markdown in
 * bench/results/.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, loadavg, tmpdir } from 'os';
import { join } from 'path';
import { Case, caseName, Layout, LAYOUTS, Provider, PROVIDERS, Variant, VARIANTS } from './spec';

interface Options {
  sizes: number[];
  runs: number;
  providers: Provider[];
  layouts: Layout[];
  migration: number[];
  migrationRuns: number;
  out: string;
  label: string;
  /** whether the library writes its rollout plans (its default), which the other programs never write */
  plans: boolean;
  /** empty constructs the hand-written program adds per service: what a construct as such costs */
  extraConstructs: number;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const o: Options = {
    sizes: quick ? [100, 1000] : [100, 1000, 5000],
    runs: quick ? 3 : 5,
    providers: PROVIDERS,
    layouts: LAYOUTS,
    migration: [1000, 2000, 4000, 8000],
    migrationRuns: quick ? 3 : 5,
    out: join(__dirname, '..', 'results'),
    label: quick ? 'quick' : 'full',
    plans: true,
    extraConstructs: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    const list = () => value().split(',').filter(x => x !== '');
    switch (argv[i]) {
      case '--quick': break;
      case '--sizes': o.sizes = list().map(Number); break;
      case '--runs': o.runs = Number(value()); break;
      case '--providers': o.providers = list() as Provider[]; break;
      case '--layouts': o.layouts = list() as Layout[]; break;
      // `none` skips it: projen's task runner drops an empty argument (`--migration ''`)
      case '--migration': {
        const sizes = value();
        o.migration = sizes === 'none' ? [] : sizes.split(',').filter(x => x !== '').map(Number);
        break;
      }
      case '--migration-runs': o.migrationRuns = Number(value()); break;
      case '--out': o.out = value(); break;
      case '--label': o.label = value(); break;
      case '--extra-constructs': o.extraConstructs = Number(value()); break;
      case '--plans': {
        const v = value();
        if (v !== 'on' && v !== 'off') throw new Error(`--plans takes on or off, not ${v}`);
        o.plans = v === 'on';
        break;
      }
      default: throw new Error(`unknown argument ${argv[i]} (see bench/README.md)`);
    }
  }
  for (const p of o.providers) if (!PROVIDERS.includes(p)) throw new Error(`unknown provider ${p} (${PROVIDERS.join(', ')})`);
  for (const l of o.layouts) if (!LAYOUTS.includes(l)) throw new Error(`unknown layout ${l} (${LAYOUTS.join(', ')})`);
  if (!Number.isInteger(o.extraConstructs) || o.extraConstructs < 0) throw new Error('--extra-constructs takes a whole number');
  if (o.runs < 1 || o.sizes.some(n => !(n > 0)) || o.migration.some(n => !(n > 0))) {
    throw new Error('--runs, --sizes and --migration must be positive (--migration none skips the migration case)');
  }
  return o;
}

/** What one child process reports. */
interface Sample {
  loadCpuMs: number;
  constructCpuMs: number;
  synthCpuMs: number;
  processCpuMs: number;
  loadWallMs: number;
  constructWallMs: number;
  synthWallMs: number;
  maxRssMb: number;
  /** of construction + synthesis, the CPU time of threads other than the main one (Linux) */
  workBackgroundCpuMs?: number;
  digest?: string;
  objects?: number;
  files?: number;
  constructs?: number;
}

/** Medians of one program on one case. */
interface Summary {
  runs: number;
  /** construction + synthesis: the program's own work, node's start-up and module loading aside */
  workCpuMs: number;
  workWallMs: number;
  constructCpuMs: number;
  synthCpuMs: number;
  loadCpuMs: number;
  /** the whole process */
  processCpuMs: number;
  maxRssMb: number;
  /** of workCpuMs, off the main thread: V8's optimizing compiler and GC helpers (Linux) */
  workBackgroundCpuMs?: number;
  objects?: number;
  constructs?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function runChild(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): any {
  const r = spawnSync(process.execPath, [join(__dirname, script), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env });
  if (r.status !== 0) {
    throw new Error(`${script} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr.slice(-4000)}`);
  }
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line);
}

/** Fails loudly, naming the first objects that differ, unless every program wrote the same. */
function assertIdentical(c: Case, samples: Map<Variant, Sample>, files: Map<Variant, string>): void {
  const [reference, ...others] = VARIANTS;
  const ref = samples.get(reference)!;
  for (const v of others) {
    const s = samples.get(v)!;
    if (s.digest === ref.digest) continue;
    const a = readFileSync(files.get(reference)!, 'utf8').split('\n');
    const b = readFileSync(files.get(v)!, 'utf8').split('\n');
    const onlyA = a.filter(x => !new Set(b).has(x));
    const onlyB = b.filter(x => !new Set(a).has(x));
    throw new Error(`${caseName(c)}: ${v} did not write what ${reference} wrote (${ref.objects} and ${s.objects} objects); `
      + `${onlyA.length} lines only in ${reference}, ${onlyB.length} only in ${v}; first:\n  ${reference}: ${onlyA[0]?.slice(0, 2000)}\n  ${v}: ${onlyB[0]?.slice(0, 2000)}`);
  }
}

function summarize(samples: Sample[]): Summary {
  const m = (f: (s: Sample) => number) => median(samples.map(f));
  const withCount = samples.find(s => s.objects !== undefined);
  return {
    runs: samples.length,
    workCpuMs: m(s => s.constructCpuMs + s.synthCpuMs),
    workWallMs: m(s => s.constructWallMs + s.synthWallMs),
    constructCpuMs: m(s => s.constructCpuMs),
    synthCpuMs: m(s => s.synthCpuMs),
    loadCpuMs: m(s => s.loadCpuMs),
    processCpuMs: m(s => s.processCpuMs),
    maxRssMb: m(s => s.maxRssMb),
    workBackgroundCpuMs: samples.every(s => s.workBackgroundCpuMs !== undefined) ? m(s => s.workBackgroundCpuMs!) : undefined,
    objects: withCount?.objects,
    constructs: withCount?.constructs,
  };
}

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const scratch = join(tmpdir(), `cdk8s-mesh-bench-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const started = new Date();
  const load = [loadavg()[0]];
  const cases: Case[] = [];
  for (const provider of o.providers) for (const layout of o.layouts) for (const services of o.sizes) cases.push({ provider, layout, services });
  const samples = new Map<string, Map<Variant, Sample[]>>(cases.map(c => [caseName(c), new Map(VARIANTS.map(v => [v, []]))]));
  const identical = new Map<string, { objects: number; digest: string }>();

  console.log(`cdk8s-mesh bench (${o.label}): ${cases.length} cases × ${VARIANTS.length} programs × ${o.runs} runs on ${cpus().length} cores`);
  for (let run = 0; run < o.runs; run++) {
    for (const c of cases) {
      // each run starts with another program, so none always runs first (or after the same one)
      const order = VARIANTS.map((_, i) => VARIANTS[(i + run + cases.indexOf(c)) % VARIANTS.length]);
      const verify = run === 0;
      const files = new Map<Variant, string>();
      const got = new Map<Variant, Sample>();
      for (const v of order) {
        const file = join(scratch, `${v}.canonical`);
        const args = [v, c.provider, c.layout, String(c.services), join(scratch, `out-${v}`), ...(verify ? [file] : [])];
        const s = runChild('child.js', args, {
          ...process.env,
          BENCH_ROLLOUT_PLANS: o.plans ? 'on' : 'off',
          BENCH_EXTRA_CONSTRUCTS: String(o.extraConstructs),
        }) as Sample;
        files.set(v, file);
        got.set(v, s);
        samples.get(caseName(c))!.get(v)!.push(s);
      }
      if (verify) {
        assertIdentical(c, got, files);
        const s = got.get('library')!;
        identical.set(caseName(c), { objects: s.objects!, digest: s.digest! });
      }
      const lib = got.get('library')!;
      const hand = got.get('handwritten')!;
      console.log(`run ${run + 1}/${o.runs} ${caseName(c).padEnd(38)} work CPU ms: library ${f0(lib.constructCpuMs + lib.synthCpuMs)}, `
        + `hand-written ${f0(hand.constructCpuMs + hand.synthCpuMs)}, plain ${f0(got.get('plain')!.constructCpuMs + got.get('plain')!.synthCpuMs)}`
        + `${verify ? `; identical (${lib.objects} objects)` : ''}`);
    }
    load.push(loadavg()[0]);
  }

  const migration: { namespaces: number; constructCpuMs: number; constructWallMs: number; runs: number }[] = [];
  for (const k of o.migration) {
    const runs: { constructCpuMs: number; constructWallMs: number }[] = [];
    for (let r = 0; r < o.migrationRuns; r++) runs.push(runChild('migration.js', [String(k)]));
    migration.push({
      namespaces: k,
      runs: runs.length,
      constructCpuMs: median(runs.map(r => r.constructCpuMs)),
      constructWallMs: median(runs.map(r => r.constructWallMs)),
    });
    console.log(`StrictMtlsMigration over ${k} namespaces: ${f0(migration[migration.length - 1].constructCpuMs)} ms CPU`);
  }
  rmSync(scratch, { recursive: true, force: true });

  const summaries = cases.map(c => {
    const byVariant = Object.fromEntries(VARIANTS.map(v => [v, summarize(samples.get(caseName(c))!.get(v)!)])) as Record<Variant, Summary>;
    return {
      ...c,
      identical: identical.get(caseName(c)),
      programs: byVariant,
      ratios: {
        libraryToHandwrittenWorkCpu: byVariant.library.workCpuMs / byVariant.handwritten.workCpuMs,
        libraryToHandwrittenProcessCpu: byVariant.library.processCpuMs / byVariant.handwritten.processCpuMs,
        libraryToHandwrittenConstructCpu: byVariant.library.constructCpuMs / byVariant.handwritten.constructCpuMs,
        libraryToHandwrittenSynthCpu: byVariant.library.synthCpuMs / byVariant.handwritten.synthCpuMs,
        libraryToHandwrittenWall: byVariant.library.workWallMs / byVariant.handwritten.workWallMs,
        libraryToHandwrittenRss: byVariant.library.maxRssMb / byVariant.handwritten.maxRssMb,
        libraryToPlainWorkCpu: byVariant.library.workCpuMs / byVariant.plain.workCpuMs,
        handwrittenToPlainWorkCpu: byVariant.handwritten.workCpuMs / byVariant.plain.workCpuMs,
      },
    };
  });
  const growth = summaries.flatMap(s => {
    const prev = summaries.filter(p => p.provider === s.provider && p.layout === s.layout && p.services < s.services)
      .sort((a, b) => b.services - a.services)[0];
    if (!prev) return [];
    return [{
      provider: s.provider,
      layout: s.layout,
      from: prev.services,
      to: s.services,
      sizeRatio: s.services / prev.services,
      workCpu: Object.fromEntries(VARIANTS.map(v => [v, s.programs[v].workCpuMs / prev.programs[v].workCpuMs])) as Record<Variant, number>,
    }];
  });
  const report = {
    label: o.label,
    commit: gitCommit(),
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverage1m: load },
    options: o,
    cases: summaries,
    growth,
    migration,
  };
  mkdirSync(o.out, { recursive: true });
  writeFileSync(join(o.out, `${o.label}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(o.out, `${o.label}.md`), markdown(report));
  console.log(`\n${markdown(report)}\nwritten: ${join(o.out, `${o.label}.json`)} and .md`);
}

function gitCommit(): string | undefined {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: __dirname });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function markdown(r: any): string {
  const lines: string[] = [];
  lines.push(`Measured ${r.started.slice(0, 10)}${r.commit ? ` at ${r.commit}` : ''} on ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}; `
    + `load average ${r.machine.loadAverage1m.map((x: number) => x.toFixed(1)).join(' → ')} (other work on the machine: the ratios of paired runs are the stable figures). `
    + `Medians of ${r.options.runs} runs; every program in its own process, interleaved. `
    + 'CPU: construction + synthesis (node start-up and module loading aside; whole-process ratio in brackets). '
    + 'Every case: the three programs wrote the same objects (checked object for object). '
    + (r.options.plans
      ? 'Rollout plans on (the library\'s default): the library also writes a Markdown file per release, which the other programs do not.'
      : 'Rollout plans off (`rolloutPlan: { enabled: false }`): the library writes exactly the files the other programs write.')
    + (r.options.extraConstructs > 0 ? ` The hand-written program adds ${r.options.extraConstructs} empty constructs per service (\`--extra-constructs\`).` : ''));
  lines.push('');
  lines.push('| provider | layout | services | objects | library CPU ms | hand-written CPU ms | plain CPU ms | library / hand-written CPU '
    + '| library / plain CPU | library / hand-written wall | peak RSS MB library / hand-written / plain |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of r.cases) {
    const p = c.programs;
    lines.push(`| ${c.provider} | ${c.layout} | ${c.services} | ${c.identical?.objects ?? '?'} | ${f0(p.library.workCpuMs)} | ${f0(p.handwritten.workCpuMs)} | ${f0(p.plain.workCpuMs)} `
      + `| **${f2(c.ratios.libraryToHandwrittenWorkCpu)}** (${f2(c.ratios.libraryToHandwrittenProcessCpu)}) | ${f2(c.ratios.libraryToPlainWorkCpu)} | ${f2(c.ratios.libraryToHandwrittenWall)} `
      + `| ${f0(p.library.maxRssMb)} / ${f0(p.handwritten.maxRssMb)} / ${f0(p.plain.maxRssMb)} |`);
  }
  lines.push('');
  lines.push('Construction and synthesis apart (CPU ms, library / hand-written):');
  lines.push('');
  lines.push('| provider | layout | services | construct | synthesize | of both, off the main thread (V8 compiler, GC helpers) | constructs library / hand-written |');
  lines.push('|---|---|---:|---|---|---|---|');
  const off = (s: Summary) => (s.workBackgroundCpuMs === undefined ? '?' : f0(s.workBackgroundCpuMs));
  for (const c of r.cases) {
    const p = c.programs;
    lines.push(`| ${c.provider} | ${c.layout} | ${c.services} | ${f0(p.library.constructCpuMs)} / ${f0(p.handwritten.constructCpuMs)} (${f2(c.ratios.libraryToHandwrittenConstructCpu)}) `
      + `| ${f0(p.library.synthCpuMs)} / ${f0(p.handwritten.synthCpuMs)} (${f2(c.ratios.libraryToHandwrittenSynthCpu)}) | ${off(p.library)} / ${off(p.handwritten)} `
      + `| ${p.library.constructs ?? '?'} / ${p.handwritten.constructs ?? '?'} |`);
  }
  if (r.growth.length > 0) {
    lines.push('');
    lines.push('Growth of CPU time between sizes (linear = the size ratio):');
    lines.push('');
    lines.push('| provider | layout | services | size × | library × | hand-written × | plain × |');
    lines.push('|---|---|---|---:|---:|---:|---:|');
    for (const g of r.growth) {
      lines.push(`| ${g.provider} | ${g.layout} | ${g.from} → ${g.to} | ${f2(g.sizeRatio)} | ${f2(g.workCpu.library)} | ${f2(g.workCpu.handwritten)} | ${f2(g.workCpu.plain)} |`);
    }
  }
  lines.push('');
  lines.push('Goals (issue 18):');
  lines.push('');
  lines.push('| goal | case | measured | |');
  lines.push('|---|---|---:|---|');
  for (const c of r.cases.filter((x: any) => x.services >= 1000)) {
    const ratio = c.ratios.libraryToHandwrittenWorkCpu;
    lines.push(`| library / hand-written CPU ≤ 1.05 | ${c.provider} ${c.layout} ${c.services} | ${f2(ratio)} | ${ratio <= 1.05 ? 'met' : `missed by ${f2(ratio - 1.05)}`} |`);
  }
  for (const c of r.cases.filter((x: any) => x.services >= 5000)) {
    const lib = c.programs.library.maxRssMb;
    const hand = c.programs.handwritten.maxRssMb;
    lines.push(`| peak RSS ≤ hand-written | ${c.provider} ${c.layout} ${c.services} | ${f0(lib)} / ${f0(hand)} MB | ${lib <= hand ? 'met' : `missed by ${f0(lib - hand)} MB`} |`);
  }
  const m1 = r.migration.find((m: any) => m.namespaces === 1000);
  const m8 = r.migration.find((m: any) => m.namespaces === 8000);
  if (m1 && m8) {
    const x = m8.constructCpuMs / m1.constructCpuMs;
    lines.push(`| StrictMtlsMigration: 8,000 namespaces ≤ 8 × 1,000 | 3-stage plan | ${f2(x)} × | ${x <= 8 ? 'met' : 'missed'} |`);
  }
  if (r.migration.length > 0) {
    const base = r.migration[0];
    lines.push('');
    lines.push('StrictMtlsMigration, a 3-stage plan over K namespaces (construction CPU, median):');
    lines.push('');
    lines.push('| namespaces | CPU ms | × the smallest | K × |');
    lines.push('|---:|---:|---:|---:|');
    for (const m of r.migration) {
      lines.push(`| ${m.namespaces} | ${f0(m.constructCpuMs)} | ${f2(m.constructCpuMs / base.constructCpuMs)} | ${f2(m.namespaces / base.namespaces)} |`);
    }
  }
  return lines.join('\n') + '\n';
}

main();
