/**
 * One measured run: `node child.js <variant> <provider> <layout> <services> <outdir> [<canonical-file>]`.
 * Loads the variant's program, constructs, synthesizes into outdir, and prints one JSON line with
 * the phases' wall and CPU time and the peak RSS. With a canonical file, it then (unmeasured) reads
 * back what it wrote and stores its canonical form there for the parent to compare.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { Case, Layout, Provider, Variant } from './spec';

interface Program {
  construct(c: Case, outdir: string): { synth(): void };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wallMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * CPU ms of the process's threads other than the main one (V8's compiler and GC helper threads,
 * libuv's pool), from /proc (Linux; undefined elsewhere). In clock ticks, assumed 100 per second
 * (USER_HZ on Linux).
 */
function backgroundCpuMs(): number | undefined {
  if (!existsSync('/proc/self/task')) return undefined;
  let ms = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    if (tid === String(process.pid)) continue;
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime
    } catch {
      // the thread ended
    }
  }
  return ms;
}

function main(): void {
  const [variant, provider, layout, services, outdir, canonicalFile] = process.argv.slice(2);
  const c: Case = { provider: provider as Provider, layout: layout as Layout, services: Number(services) };
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });

  const w0 = wallMs();
  const c0 = cpuMs();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require(`./${variant as Variant}`) as Program;
  const w1 = wallMs();
  const c1 = cpuMs();
  const b1 = backgroundCpuMs();
  const built = program.construct(c, outdir);
  const w2 = wallMs();
  const c2 = cpuMs();
  built.synth();
  const w3 = wallMs();
  const c3 = cpuMs();
  const b3 = backgroundCpuMs();
  const usage = process.resourceUsage();

  const result: Record<string, unknown> = {
    loadWallMs: w1 - w0,
    loadCpuMs: c1 - c0,
    constructWallMs: w2 - w1,
    constructCpuMs: c2 - c1,
    synthWallMs: w3 - w2,
    synthCpuMs: c3 - c2,
    // the whole process, node's own start-up included
    processCpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    maxRssMb: usage.maxRSS / 1024,
    // of construction + synthesis: the part of their CPU time spent off the main thread
    workBackgroundCpuMs: b1 !== undefined && b3 !== undefined ? b3 - b1 : undefined,
  };
  if (canonicalFile) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { canonicalOf } = require('./canonical') as typeof import('./canonical');
    const canonical = canonicalOf(outdir);
    writeFileSync(canonicalFile, canonical.lines.join('\n') + '\n');
    Object.assign(result, { digest: canonical.digest, objects: canonical.objects, files: canonical.files });
    const constructs = (built as { constructs?: () => number }).constructs?.();
    if (constructs !== undefined) result.constructs = constructs;
  }
  rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(result) + '\n');
}

main();
